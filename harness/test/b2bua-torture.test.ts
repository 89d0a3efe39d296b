/**
 * RFC 4475 torture messages against `mvsct b2bua`, inside a fresh network namespace with only
 * loopback (`unshare -n`, `ip link set lo up`): every message of protocol/test/fixtures/rfc4475 is
 * sent over UDP and over TCP; malformed requests get 400 (505 for SIP/7.0) or, when unanswerable,
 * nothing; responses are never answered; valid requests get an answer that is not 400. Afterwards
 * the same process still completes a normal SIPp call through itself and exits 0 on SIGINT.
 * Ports (inside the namespace): B2BUA 20300, sender 20301, SIPp 20302/20303; RTP 21600-21799.
 * Skipped when not root (unshare needs CAP_SYS_ADMIN) or without sipp.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { calleeXml, callerXml, has, isRoot, Proc, REPO, scenario, sdp, workDir } from "./b2bua-helpers.ts";

const FIXTURES = join(REPO, "protocol/test/fixtures/rfc4475");
const skip = !isRoot()
  ? "needs root for unshare -n"
  : !has("sipp") || !has("unshare") || !has("ip")
    ? "missing sipp, unshare or ip (iproute2)"
    : false;

interface Verdict {
  readonly file: string;
  readonly rfc4475_section: string;
  readonly verdict: "valid" | "invalid" | "valid-syntax-semantic-test";
  readonly start_line: string;
}

/**
 * Sends each fixture over UDP (from 20301) then over TCP (a connection each). Responses are taken
 * wherever RFC 3261 §18.2.2 sends them: back on the TCP connection, to the UDP source (rport or
 * the 400 of a malformed request), or to 127.0.0.1 at the Via's sent-by port (5060 by default;
 * UDP and TCP are served there). A response belongs to the fixture whose Call-ID it carries.
 * Prints [{file, transport, status|null, warning}] as JSON.
 */
const SENDER = `
import dgram from "node:dgram";
import net from "node:net";
import { readFileSync } from "node:fs";
const [dir] = process.argv.slice(2);
const fixtures = JSON.parse(readFileSync(dir + "/verdicts.json", "utf8")).messages;
const text = (b) => b.toString("latin1");
const callIdOf = (b) => (/^(?:call-id|i)[ \\t]*:[ \\t]*([^\\r\\n]*)/im.exec(text(b)) || [])[1]?.trim() ?? null;
const statusOf = (b) => {
  const m = /^SIP\\/2\\.0 (\\d{3})/.exec(text(b));
  const w = /\\r\\nWarning:\\s*([^\\r\\n]*)/i.exec(text(b));
  return m ? { status: Number(m[1]), warning: w ? w[1] : null } : null;
};
const wait = (ms) => new Promise((r) => setTimeout(r, ms));
const isResponse = (f) => f.start_line.startsWith("SIP/");
const got = [];
const keep = (b) => { const s = statusOf(b); if (s) got.push({ at: Date.now(), callId: callIdOf(b), ...s }); };
const udp = dgram.createSocket("udp4");
await new Promise((r) => udp.bind(20301, "127.0.0.1", r));
udp.on("message", keep);
const via = dgram.createSocket("udp4");
await new Promise((r) => via.bind(5060, "127.0.0.1", r));
via.on("message", keep);
const viaTcp = net.createServer((c) => { let buf = Buffer.alloc(0); c.on("data", (b) => { buf = Buffer.concat([buf, b]); }); c.on("end", () => keep(buf)); c.on("error", () => {}); setTimeout(() => { keep(buf); c.destroy(); }, 200); });
await new Promise((r) => viaTcp.listen(5060, "127.0.0.1", r));
async function answer(f, sentAt, ms) {
  const bytes = readFileSync(dir + "/" + f.file);
  const id = callIdOf(bytes);
  const end = Date.now() + ms;
  for (;;) {
    const r = got.find((g) => g.at >= sentAt && (g.callId === id || id === null));
    if (r || Date.now() > end) return r ?? null;
    await wait(5);
  }
}
const out = [];
for (const f of fixtures) {
  const sentAt = Date.now();
  udp.send(readFileSync(dir + "/" + f.file), 20300, "127.0.0.1");
  const r = await answer(f, sentAt, isResponse(f) ? 300 : 1500);
  out.push({ file: f.file, transport: "udp", status: r ? r.status : null, warning: r ? r.warning : null });
}
for (const f of fixtures) {
  const sentAt = Date.now();
  const s = net.connect(20300, "127.0.0.1");
  let buf = Buffer.alloc(0);
  s.on("connect", () => s.write(readFileSync(dir + "/" + f.file)));
  s.on("data", (b) => { buf = Buffer.concat([buf, b]); if (statusOf(buf)) keep(buf); });
  s.on("error", () => {});
  const r = await answer(f, sentAt, isResponse(f) ? 300 : 1500);
  s.destroy();
  out.push({ file: f.file, transport: "tcp", status: r ? r.status : null, warning: r ? r.warning : null });
}
udp.close(); via.close(); viaTcp.close();
for (const o of out) if (o.status === null) o.seen = got.filter((g) => g.callId === callIdOf(readFileSync(dir + "/" + o.file))).map((g) => g.status);
process.stdout.write(JSON.stringify(out));
process.exit(0);
`;

/** The transport token of the fixture's top Via ("UDP", "TCP", "TLS"). */
function viaTransport(file: string): string {
  const text = readFileSync(join(FIXTURES, file), "latin1");
  return (
    /^(?:via|v)[ \t]*:[ \t]*SIP[ \t]*\/[ \t]*2\.0[ \t]*\/[ \t]*(\w+)/im.exec(text)?.[1]?.toUpperCase() ?? ""
  );
}

test(
  "RFC 4475 torture over UDP and TCP in a loopback-only namespace; a SIPp call still completes",
  { skip, timeout: 150_000 },
  async () => {
    const dir = workDir("b2bua-torture");
    writeFileSync(join(dir, "sender.mjs"), SENDER);
    // short timers: INVITEs among the torture messages go to a next hop that is not there yet
    writeFileSync(join(dir, "torture.yaml"), "timers: { T1: 50, T2: 400, T4: 500 }\n");
    scenario(dir, "callee", calleeXml({ okSdp: sdp([0], 101) }));
    scenario(dir, "caller", callerXml({ inviteSdp: sdp([0, 8], 101), callMs: 500 }));
    const script = `
set -u
cd ${dir}
ip link set lo up || { echo "cannot bring up lo in the namespace" >&2; exit 3; }
node ${REPO}/bin/mvsct.mjs b2bua --listen 127.0.0.1:20300 --next-hop 127.0.0.1:20302 \\
  --rtp-ports 21600-21699 --config torture.yaml >b2b.out 2>b2b.err &
B=$!
for i in $(seq 1 200); do grep -q "b2bua ready" b2b.out && break; sleep 0.1; done
node sender.mjs ${FIXTURES} >results.json 2>sender.err
# the torture INVITEs' leg b (to a next hop not up yet) must have timed out (Timer B = 64*T1 = 3.2 s)
for i in $(seq 1 100); do
  [ "$(grep -c ': from ' b2b.err)" = "$(grep -c ': ended (' b2b.err)" ] && break; sleep 0.1
done
timeout 30 sipp -sf callee.xml -i 127.0.0.1 -p 20302 -mi 127.0.0.1 -mp 21710 -m 1 -nostdin -timeout 25s >callee.out 2>&1 &
C=$!
sleep 0.3
timeout 30 sipp -sf caller.xml 127.0.0.1:20300 -i 127.0.0.1 -p 20303 -mi 127.0.0.1 -mp 21720 -m 1 -nostdin -timeout 25s >caller.out 2>&1
echo $? >caller.rc
wait $C; echo $? >callee.rc
kill -0 $B 2>/dev/null && echo alive >b2b.alive
kill -INT $B; wait $B; echo $? >b2b.rc
`;
    const p = new Proc(
      spawn("timeout", ["140", "unshare", "-n", "bash", "-c", script], { stdio: ["ignore", "pipe", "pipe"] }),
    );
    assert.equal(await p.exited, 0, p.err);
    const read = (f: string) => readFileSync(join(dir, f), "utf8");

    const verdicts: Verdict[] = JSON.parse(readFileSync(join(FIXTURES, "verdicts.json"), "utf8")).messages;
    const results: {
      file: string;
      transport: "udp" | "tcp";
      status: number | null;
      warning: string | null;
    }[] = JSON.parse(read("results.json"));
    assert.equal(results.length, verdicts.length * 2);
    const problems: string[] = [];
    for (const r of results) {
      const v = verdicts.find((x) => x.file === r.file)!;
      const what = `${r.transport} ${r.file} (${v.verdict}) -> ${r.status ?? "nothing"}`;
      if (v.start_line.startsWith("SIP/")) {
        if (r.status !== null) problems.push(`${what}: a response must not be answered`);
      } else if (v.start_line.endsWith("SIP/7.0")) {
        if (r.status !== 505) problems.push(`${what}: expected 505`);
      } else if (v.verdict === "invalid" || v.rfc4475_section === "3.3.1") {
        // RFC 4475 §3.1.2.2 over TCP: Content-Length beyond the bytes sent: the stream waits, unanswerable
        const unanswerable = v.rfc4475_section === "3.1.2.2" && r.transport === "tcp";
        if (!(r.status === 400 || (unanswerable && r.status === null)))
          problems.push(`${what}: expected 400`);
        if (r.status === 400 && !/^399 /.test(r.warning ?? "") && v.rfc4475_section !== "3.3.1")
          problems.push(`${what}: 400 without a Warning saying why`);
      } else if (v.verdict === "valid") {
        // a UDP Via on a message sent over TCP routes the response by the Via (RFC 3261 §18.2.2):
        // to a UDP port that may be nobody's (rport = the TCP source port); silence is allowed there
        const viaUdpOverTcp = r.transport === "tcp" && viaTransport(v.file) === "UDP";
        if (r.status === 400 || (r.status === null && !viaUdpOverTcp))
          problems.push(`${what}: a valid request needs a non-400 answer`);
      }
      // semantic tests (§3.2, §3.3, §3.4): any answer or none; what matters is that the process keeps serving
    }
    assert.deepEqual(problems, [], read("b2b.err").slice(-3000));
    assert.equal(read("caller.rc").trim(), "0", read("caller.out").slice(-2000));
    assert.equal(read("callee.rc").trim(), "0", read("callee.out").slice(-2000));
    assert.equal(read("b2b.alive").trim(), "alive");
    assert.equal(read("b2b.rc").trim(), "0", read("b2b.err").slice(-2000));
    assert.doesNotMatch(read("b2b.err"), /internal error/);
  },
);
