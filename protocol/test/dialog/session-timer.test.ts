/** RFC 4028 session timers: negotiation tables, then refresh and expiry end to end. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { getHeader, parseSip } from "../../src/wire/sip/index.ts";
import type { SipRequest } from "../../src/wire/sip/index.ts";
import {
  DEFAULT_CAPABILITIES,
  byeBeforeExpiryS,
  parseSessionExpires,
  uasTimerDecision,
  uacTimerFromResponse,
} from "../../src/dialog/index.ts";
import type { InviteSession, SessionTimerConfig } from "../../src/dialog/index.ts";
import type { UaOverrides } from "./helpers.ts";
import { ANSWER_B, BOB, OFFER_A, isMethod, ladder, pair, watch } from "./helpers.ts";

function invite(extra: string): SipRequest {
  const text = `INVITE sip:b@10.0.0.2 SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1\r\nMax-Forwards: 70\r\nFrom: <sip:a@10.0.0.1>;tag=1\r\nTo: <sip:b@10.0.0.2>\r\nCall-ID: st\r\nCSeq: 1 INVITE\r\nContact: <sip:a@10.0.0.1>\r\n${extra}Content-Length: 0\r\n\r\n`;
  const r = parseSip(Buffer.from(text), "strict");
  assert.ok(r.ok);
  return r.message as SipRequest;
}

const cfg = (
  sessionExpiresS: number,
  minSeS: number,
  refresher: "uac" | "uas" = "uac",
): SessionTimerConfig => ({
  sessionExpiresS,
  minSeS,
  refresher,
});

// RFC 4028 §9 as a table: request headers, UAS config -> decision
const UAS_TABLE: readonly [string, string, SessionTimerConfig | null, object][] = [
  [
    "Session-Expires below our Min-SE: 422 with our Min-SE",
    "Supported: timer\r\nSession-Expires: 60\r\n",
    cfg(1800, 90),
    { kind: "reject-422", minSeS: 90 },
  ],
  [
    "CUCM's 1800 against Min-SE 1800: accepted",
    "Supported: timer\r\nSession-Expires: 1800\r\nMin-SE: 1800\r\n",
    cfg(1800, 1800),
    { kind: "accept", intervalS: 1800, refresher: "uac", requireTimer: true },
  ],
  [
    "the UAC's refresher choice is kept",
    "Supported: timer\r\nSession-Expires: 600;refresher=uas\r\n",
    cfg(1800, 90),
    { kind: "accept", intervalS: 600, refresher: "uas", requireTimer: true },
  ],
  [
    "we may shorten, not below the request's Min-SE",
    "Supported: timer\r\nSession-Expires: 7200\r\nMin-SE: 3600\r\n",
    cfg(1800, 90),
    { kind: "accept", intervalS: 3600, refresher: "uac", requireTimer: true },
  ],
  [
    "a UAC without Supported: timer: we refresh, no Require",
    "Session-Expires: 600\r\n",
    cfg(1800, 90),
    { kind: "accept", intervalS: 600, refresher: "uas", requireTimer: false },
  ],
  [
    "no Session-Expires, UAC supports timer: we may add one",
    "Supported: timer\r\n",
    cfg(1800, 90, "uac"),
    { kind: "accept", intervalS: 1800, refresher: "uac", requireTimer: true },
  ],
  ["no Session-Expires and timers off: none", "Supported: timer\r\n", null, { kind: "none" }],
  [
    "timers off but the UAC asks: we follow",
    "Supported: timer\r\nSession-Expires: 300\r\n",
    null,
    { kind: "accept", intervalS: 300, refresher: "uac", requireTimer: true },
  ],
];
for (const [what, headers, config, expected] of UAS_TABLE) {
  test(`RFC 4028 §9: ${what}`, () => {
    assert.deepEqual(uasTimerDecision(invite(headers), config), expected);
  });
}

test("RFC 4028 §4 / §7.2: Session-Expires parsing (compact form x handled by the codec) and the UAC's reading of the 2xx", () => {
  assert.deepEqual(parseSessionExpires("1800;refresher=uas"), { deltaS: 1800, refresher: "uas" });
  assert.deepEqual(parseSessionExpires(" 90 "), { deltaS: 90, refresher: null });
  assert.equal(parseSessionExpires("soon"), null);
  const r = parseSip(
    Buffer.from(
      "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1\r\nFrom: <sip:a@x>;tag=1\r\nTo: <sip:b@y>;tag=2\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\nx: 600\r\nContent-Length: 0\r\n\r\n",
    ),
    "strict",
  );
  assert.ok(r.ok && r.message.kind === "response");
  assert.deepEqual(
    uacTimerFromResponse(r.message),
    { intervalS: 600, weRefresh: true },
    "no refresher in the 2xx: the UAC refreshes",
  );
  assert.equal(byeBeforeExpiryS(1800), 32);
  assert.equal(byeBeforeExpiryS(90), 30);
});

function call(a: UaOverrides, b: UaOverrides) {
  const env = pair(a, b);
  const log: string[] = [];
  let uas: InviteSession | null = null;
  env.bob.onInvite = (s) => {
    uas = s;
    watch(s, log, "B:");
    s.accept({ sdp: ANSWER_B });
  };
  const uac = env.alice.invite({
    target: "sip:bob@10.0.0.2",
    from: "<sip:alice@10.0.0.1>",
    sdp: OFFER_A,
    nextHop: { ...BOB, transport: "udp" },
  });
  watch(uac, log, "A:");
  env.clock.advance(0);
  return { ...env, uac, uas: () => uas!, log };
}

test("RFC 4028 §10: the refresher (uac) refreshes at half the interval with UPDATE, and each refresh restarts the interval", () => {
  const { clock, net, uac, uas } = call({ sessionTimer: cfg(90, 90) }, {});
  const ok = net.delivered((m) => m.kind === "response" && m.status === 200)[0]!.message!;
  assert.equal(getHeader(ok, "session-expires"), "90;refresher=uac");
  assert.equal(getHeader(ok, "require"), "timer");
  assert.deepEqual(uac.sessionTimer, { intervalS: 90, weRefresh: true });
  assert.deepEqual(uas().sessionTimer, { intervalS: 90, weRefresh: false });
  clock.advance(150_000);
  const updates = net.log.filter(isMethod("UPDATE"));
  assert.deepEqual(
    updates.map((r) => r.atMs),
    [45_000, 90_000, 135_000],
  );
  assert.equal(getHeader(updates[0]!.message!, "session-expires"), "90;refresher=uac");
  assert.equal(net.log.filter(isMethod("BYE")).length, 0);
  assert.equal(uas().state, "confirmed");
});

test("RFC 4028 §10: with no refresh, the non-refresher sends BYE min(32, S/3) before expiry", () => {
  const { clock, net, uac, uas, log } = call(
    { sessionTimer: cfg(90, 90) },
    { sessionTimer: cfg(1800, 90, "uas") },
  );
  // Alice (UAC) asked without a refresher; Bob chose "uas": Bob refreshes, Alice guards.
  assert.deepEqual(uac.sessionTimer, { intervalS: 90, weRefresh: false });
  net.dropWhen((r) => r.from.host === "10.0.0.2" && (isMethod("UPDATE")(r) || isMethod("INVITE")(r)));
  clock.advance(59_999);
  assert.equal(net.log.filter(isMethod("BYE")).length, 0);
  clock.advance(1);
  const byes = net.log.filter(isMethod("BYE"));
  assert.deepEqual(
    byes.map((r) => [r.atMs, r.from.host]),
    [[60_000, "10.0.0.1"]],
  );
  assert.ok(log.includes("A:terminated session-expired"));
  assert.ok(log.includes("B:terminated remote-bye"));
  assert.equal(uas().state, "terminated");
});

test("RFC 4028 §7.4: 422 with Min-SE; the UAC retries with Session-Expires = Min-SE, CSeq + 1, the same Call-ID and From tag", () => {
  const { net, uac } = call({ sessionTimer: cfg(90, 90) }, { sessionTimer: cfg(1800, 1800) });
  assert.deepEqual(ladder(net), ["INVITE", "422 INVITE", "ACK", "INVITE", "200 INVITE", "ACK"]);
  const [first, r422, , second] = net.log.map((r) => r.message!);
  assert.equal(getHeader(r422!, "min-se"), "1800");
  assert.equal(getHeader(first!, "session-expires"), "90");
  assert.equal(getHeader(second!, "session-expires"), "1800");
  assert.equal(getHeader(second!, "min-se"), "1800");
  assert.equal(getHeader(second!, "call-id"), getHeader(first!, "call-id"));
  assert.equal(getHeader(second!, "from"), getHeader(first!, "from"));
  const seq = (m: typeof first) => Number(getHeader(m!, "cseq")!.split(" ")[0]);
  assert.equal(seq(second), seq(first) + 1);
  assert.deepEqual(uac.sessionTimer, { intervalS: 1800, weRefresh: true });
});

test("RFC 4028 §10: when the peer does not allow UPDATE the refresh is a re-INVITE carrying our unchanged SDP", () => {
  const noUpdate = {
    ...DEFAULT_CAPABILITIES,
    allow: DEFAULT_CAPABILITIES.allow.filter((m) => m !== "UPDATE"),
  };
  const { clock, net, uac } = call({ sessionTimer: cfg(120, 90) }, { capabilities: noUpdate });
  clock.advance(60_000);
  const reinvites = net.log.filter(isMethod("INVITE")).slice(1);
  assert.equal(reinvites.length, 1);
  assert.equal(reinvites[0]!.atMs, 60_000);
  assert.equal(reinvites[0]!.message!.body.toString(), OFFER_A);
  assert.equal(net.log.filter(isMethod("UPDATE")).length, 0);
  assert.deepEqual(uac.sessionTimer, { intervalS: 120, weRefresh: true });
});
