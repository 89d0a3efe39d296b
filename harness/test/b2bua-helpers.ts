/**
 * Helpers for the `mvsct b2bua` integration tests: spawn the CLI, SIPp and tcpdump (only the PIDs
 * we start are ever signalled), SIPp scenario XML, RTP pcaps from gen-rtp.ts, tshark fields.
 * Ports: SIP 20000-20999, RTP 21000-21999 (each test file owns a block).
 */
import { spawn, spawnSync } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = fileURLToPath(new URL("../../", import.meta.url));
const TSX = join(REPO, "node_modules/.bin/tsx");

export function has(cmd: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0;
}

export const isRoot = (): boolean => process.getuid?.() === 0;

export function workDir(name: string): string {
  const d = mkdtempSync(join(tmpdir(), `mvsct-${name}-`));
  mkdirSync(join(d, "media"), { recursive: true });
  return d;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A child process with its output collected and a bounded wait for its exit. */
export class Proc {
  out = "";
  err = "";
  readonly exited: Promise<number | null>;
  constructor(readonly child: ChildProcess) {
    child.stdout?.on("data", (b: Buffer) => (this.out += b.toString()));
    child.stderr?.on("data", (b: Buffer) => (this.err += b.toString()));
    this.exited = new Promise((resolve) =>
      child.once("exit", (code, signal) => resolve(code ?? (signal ? -1 : null))),
    );
  }
  async waitFor(pred: () => boolean, ms: number, what: string): Promise<void> {
    const end = Date.now() + ms;
    while (!pred()) {
      if (Date.now() > end)
        throw new Error(`timeout waiting for ${what}\nstdout: ${this.out}\nstderr: ${this.err}`);
      if (this.child.exitCode !== null)
        throw new Error(`exited ${this.child.exitCode} before ${what}\n${this.err}`);
      await sleep(20);
    }
  }
  /** SIGINT (or `sig`) to our own child, then a bounded wait; SIGKILL if it does not go. */
  async stop(sig: NodeJS.Signals = "SIGINT", ms = 8000): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(sig);
    const t = setTimeout(() => this.child.kill("SIGKILL"), ms);
    const code = await this.exited;
    clearTimeout(t);
    return code;
  }
}

/** `node bin/mvsct.mjs b2bua ...`, resolved once it prints "b2bua ready". */
export async function startB2bua(args: readonly string[], cwd = REPO): Promise<Proc> {
  const p = new Proc(
    spawn(process.execPath, [join(REPO, "bin/mvsct.mjs"), "b2bua", ...args], {
      cwd,
      stdio: ["ignore", "pipe", "pipe"],
    }),
  );
  await p.waitFor(() => p.out.includes("b2bua ready"), 20_000, "b2bua ready");
  return p;
}

/** tcpdump on lo, resolved once it is listening. */
export async function startCapture(file: string, bpf: string): Promise<Proc> {
  const p = new Proc(
    spawn(
      "timeout",
      ["120", "tcpdump", "-i", "lo", "-U", "-Z", "root", "--immediate-mode", "-w", file, bpf],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    ),
  );
  await p.waitFor(() => p.err.includes("listening on"), 10_000, "tcpdump listening");
  return p;
}

export async function stopCapture(p: Proc): Promise<void> {
  await sleep(300);
  await p.stop("SIGINT");
}

/** One SIPp run (one call) in `dir`, bounded by `timeout`. */
export function sipp(dir: string, xml: string, args: readonly string[], seconds = 30): Proc {
  return new Proc(
    spawn(
      "timeout",
      [
        String(seconds),
        "sipp",
        "-sf",
        xml,
        "-i",
        "127.0.0.1",
        "-m",
        "1",
        "-nostdin",
        "-timeout",
        `${seconds - 2}s`,
        "-trace_err",
        ...args,
      ],
      { cwd: dir, stdio: ["ignore", "pipe", "pipe"] },
    ),
  );
}

/** Writes a SIPp scenario file. */
export function scenario(dir: string, name: string, body: string): string {
  const file = `${name}.xml`;
  writeFileSync(
    join(dir, file),
    `<?xml version="1.0" encoding="ISO-8859-1" ?>\n<!DOCTYPE scenario SYSTEM "sipp.dtd">\n<scenario name="${name}">\n${body}\n</scenario>\n`,
  );
  return file;
}

/** An RTP pcap for play_pcap_audio (captures/fixtures/make/gen-rtp.ts). */
export function genRtp(out: string, args: readonly string[]): void {
  const r = spawnSync(TSX, [join(REPO, "captures/fixtures/make/gen-rtp.ts"), "--out", out, ...args], {
    encoding: "utf8",
    timeout: 60_000,
  });
  if (r.status !== 0) throw new Error(`gen-rtp failed: ${r.stderr}`);
}

/** tshark -T fields rows (tab-split). */
export function tshark(
  file: string,
  filter: string,
  fields: readonly string[],
  opts: readonly string[] = [],
): string[][] {
  const r = spawnSync(
    "tshark",
    ["-r", file, ...opts, "-Y", filter, "-T", "fields", ...fields.flatMap((f) => ["-e", f])],
    { encoding: "utf8", timeout: 60_000 },
  );
  if (r.status !== 0) throw new Error(`tshark failed: ${r.stderr}`);
  return r.stdout
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => l.split("\t"));
}

/** tshark -V text of the packets matching `filter` (message bodies are in it). */
export function tsharkVerbose(file: string, filter: string): string {
  const r = spawnSync("tshark", ["-r", file, "-Y", filter, "-V"], {
    encoding: "utf8",
    timeout: 60_000,
    maxBuffer: 64 << 20,
  });
  if (r.status !== 0) throw new Error(`tshark failed: ${r.stderr}`);
  return r.stdout;
}

// ---- SIPp XML ----------------------------------------------------------------------------------

export function sdp(fmts: readonly number[], te: number | null): string {
  const names: Record<number, string> = { 0: "PCMU/8000", 8: "PCMA/8000", 9: "G722/8000", 18: "G729/8000" };
  const lines = [
    "v=0",
    "o=sipp [pid][call_number] 1 IN IP[local_ip_type] [local_ip]",
    "s=-",
    "c=IN IP[media_ip_type] [media_ip]",
    "t=0 0",
    `m=audio [media_port] RTP/AVP ${[...fmts, ...(te === null ? [] : [te])].join(" ")}`,
    ...fmts.map((f) => `a=rtpmap:${f} ${names[f] ?? "PCMU/8000"}`),
    ...(te === null ? [] : [`a=rtpmap:${te} telephone-event/8000`, `a=fmtp:${te} 0-15`]),
    "a=ptime:20",
    "a=sendrecv",
  ];
  return lines.join("\n");
}

function message(start: string, headers: readonly string[], body: string | null, retrans = false): string {
  const h = [...headers];
  if (body === null) h.push("Content-Length: 0");
  else h.push("Content-Type: application/sdp", "Content-Length: [len]");
  const text = [start, ...h, "", ...(body === null ? [] : [body])].join("\n");
  return `  <send${retrans ? ' retrans="500"' : ""}><![CDATA[\n${text}\n]]></send>`;
}

const CALLER_FROM = "From: <sip:4165550100@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]";
const CALLER_DIALOG = (to: string, cseq: string) => [
  "Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]",
  CALLER_FROM,
  to,
  "Call-ID: [call_id]",
  `CSeq: ${cseq}`,
  "Contact: <sip:4165550100@[local_ip]:[local_port]>",
  "Max-Forwards: 70",
];

export interface CallerOptions {
  /** SDP in the INVITE (null: delayed offer, then `ackSdp` in the ACK) */
  readonly inviteSdp: string | null;
  readonly ackSdp?: string | null;
  readonly headers?: readonly string[];
  readonly play?: string;
  readonly callMs: number;
  /** the final response expected (default 200) */
  readonly expect?: number;
  /** "remote": wait for the other side's BYE instead of sending one */
  readonly hangup?: "local" | "remote";
}

export function callerXml(o: CallerOptions): string {
  const to = "To: <sip:5551000@[remote_ip]:[remote_port]>";
  const parts = [
    message(
      "INVITE sip:5551000@[remote_ip]:[remote_port] SIP/2.0",
      [
        ...CALLER_DIALOG(to, "1 INVITE"),
        "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, NOTIFY, SUBSCRIBE",
        ...(o.headers ?? []),
      ],
      o.inviteSdp,
      true,
    ),
    '  <recv response="100" optional="true"/>',
    '  <recv response="180" optional="true"/>',
    '  <recv response="183" optional="true"/>',
  ];
  const expect = o.expect ?? 200;
  if (expect !== 200) {
    parts.push(`  <recv response="${expect}"/>`);
    parts.push(
      message(
        "ACK sip:5551000@[remote_ip]:[remote_port] SIP/2.0",
        CALLER_DIALOG(`${to}[peer_tag_param]`, "1 ACK"),
        null,
      ),
    );
    return parts.join("\n");
  }
  parts.push('  <recv response="200" rtd="true"/>');
  parts.push(
    message(
      "ACK sip:5551000@[remote_ip]:[remote_port] SIP/2.0",
      CALLER_DIALOG(`${to}[peer_tag_param]`, "1 ACK"),
      o.ackSdp ?? null,
    ),
  );
  if (o.play !== undefined) parts.push(`  <nop><action><exec play_pcap_audio="${o.play}"/></action></nop>`);
  if (o.hangup === "remote") {
    parts.push('  <recv request="BYE" timeout="25000"/>');
    parts.push(replyXml("200 OK"));
    return parts.join("\n");
  }
  parts.push(`  <pause milliseconds="${o.callMs}"/>`);
  parts.push(
    message(
      "BYE sip:5551000@[remote_ip]:[remote_port] SIP/2.0",
      CALLER_DIALOG(`${to}[peer_tag_param]`, "2 BYE"),
      null,
      true,
    ),
  );
  parts.push('  <recv response="200" crlf="true"/>');
  return parts.join("\n");
}

/** A response to the last request received (any side). */
export function replyXml(
  status: string,
  headers: readonly string[] = [],
  body: string | null = null,
  tag = false,
): string {
  return message(
    `SIP/2.0 ${status}`,
    [
      "[last_Via:]",
      "[last_From:]",
      tag ? "[last_To:];tag=[pid]SIPpTag01[call_number]" : "[last_To:]",
      "[last_Call-ID:]",
      "[last_CSeq:]",
      ...headers,
    ],
    body,
  );
}

export interface CalleeOptions {
  /** SDP in the 200 (an answer, or the offer when the INVITE has none) */
  readonly okSdp: string | null;
  readonly headers?: readonly string[];
  /** XML after the ACK, before the BYE */
  readonly mid?: string;
  /** the callee rejects with this status instead of answering */
  readonly reject?: string;
  /** remember the caller's From and Contact (needed by calleeRequestXml; SIPp refuses unused variables) */
  readonly store?: boolean;
}

export function calleeXml(o: CalleeOptions): string {
  const parts = [
    o.store !== true
      ? '  <recv request="INVITE" crlf="true"/>'
      : `  <recv request="INVITE" crlf="true">
    <action>
      <ereg regexp=".*" search_in="hdr" header="From:" check_it="true" assign_to="caller_from"/>
      <ereg regexp="sip:[^@>]*@[^>;]*" search_in="hdr" header="Contact:" check_it="true" assign_to="caller_contact"/>
    </action>
  </recv>`,
  ];
  if (o.reject !== undefined) {
    parts.push(replyXml(o.reject, [], null, true));
    parts.push('  <recv request="ACK"/>');
    return parts.join("\n");
  }
  parts.push(
    replyXml(
      "200 OK",
      ["Contact: <sip:callee@[local_ip]:[local_port]>", ...(o.headers ?? [])],
      o.okSdp,
      true,
    ),
  );
  parts.push('  <recv request="ACK" rtd="true" crlf="true"/>');
  if (o.mid !== undefined) parts.push(o.mid);
  parts.push('  <recv request="BYE" timeout="25000"/>');
  parts.push(replyXml("200 OK"));
  return parts.join("\n");
}

/** An in-dialog request from the callee (it stored the caller's From and Contact at INVITE time). */
export function calleeRequestXml(
  method: string,
  cseq: number,
  headers: readonly string[],
  ctype: string | null,
  body: string | null,
): string {
  const h = [
    "Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]",
    "From: <sip:callee@[local_ip]:[local_port]>;tag=[pid]SIPpTag01[call_number]",
    "To:[$caller_from]",
    "Call-ID: [call_id]",
    `CSeq: ${cseq} ${method}`,
    "Contact: <sip:callee@[local_ip]:[local_port]>",
    "Max-Forwards: 70",
    ...headers,
  ];
  if (body === null) h.push("Content-Length: 0");
  else h.push(`Content-Type: ${ctype}`, "Content-Length: [len]");
  return `  <send retrans="500"><![CDATA[\n${[`${method} [$caller_contact] SIP/2.0`, ...h, "", ...(body === null ? [] : [body])].join("\n")}\n]]></send>`;
}
