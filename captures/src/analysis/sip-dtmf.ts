/**
 * Digits carried in SIP signalling: INFO (application/dtmf-relay, application/dtmf), KPML NOTIFYs
 * (RFC 4730 kpml-response, in-dialog or out-of-dialog with the event's call-id parameter) and Cisco
 * unsolicited NOTIFY (Event: telephone-event). Each is valid unless the leg's signalling refused it
 * (the request, or the KPML subscription, answered with an error).
 */
import { getHeader } from "../../../protocol/src/wire/sip/headers.ts";
import type { SipMessage } from "../../../protocol/src/wire/sip/types.ts";
import { parseDtmfInfoBody } from "../../../protocol/src/wire/dtmf/sip-info.ts";
import { parseKpmlResponse } from "../../../protocol/src/wire/dtmf/kpml.ts";
import { parseCiscoNotifyBody } from "../../../protocol/src/wire/dtmf/cisco-notify.ts";
import type { LegState, SipEvent } from "./context.ts";
import type { DtmfEvent } from "./model.ts";
import { round3 } from "./units.ts";

interface Answer {
  status: number;
  frame: number;
}

/** Final responses by (Call-ID, CSeq, method), first seen. */
function answersOf(events: SipEvent[]): Map<string, Answer> {
  const out = new Map<string, Answer>();
  for (const e of events) {
    if (e.msg.kind !== "response" || e.msg.status < 200) continue;
    const k = `${e.callId}|${e.cseqNum}|${e.cseqMethod}`;
    if (!out.has(k)) out.set(k, { status: e.msg.status, frame: e.frame });
  }
  return out;
}

export function eventPackage(m: SipMessage): { pkg: string; params: Record<string, string> } | null {
  const v = getHeader(m, "event");
  if (v === undefined) return null;
  const [pkg, ...rest] = v.split(";");
  const params: Record<string, string> = {};
  for (const r of rest) {
    const i = r.indexOf("=");
    if (i > 0)
      params[r.slice(0, i).trim().toLowerCase()] = r
        .slice(i + 1)
        .trim()
        .replace(/^"|"$/g, "");
  }
  return { pkg: (pkg ?? "").trim().toLowerCase(), params };
}

export function sipDtmf(st: LegState, rel: (t: number) => number, extraEvents: SipEvent[] = []): DtmfEvent[] {
  const all = extraEvents.length > 0 ? [...st.events, ...extraEvents] : st.events;
  const answers = answersOf(all);
  const out: DtmfEvent[] = [];
  // KPML subscriptions refused: digits reported under them are not usable by the subscriber.
  let kpmlRefused: Answer | null = null;
  for (const e of all) {
    const m = e.msg;
    if (m.kind !== "request") continue;
    const ev = eventPackage(m);
    if (m.method === "SUBSCRIBE" && ev?.pkg === "kpml") {
      const a = answers.get(`${e.callId}|${e.cseqNum}|SUBSCRIBE`);
      if (a !== undefined && a.status >= 300) kpmlRefused = a;
    }
  }
  let lastCisco: { digit: string; atS: number; durationMs: number; sender: string } | null = null;
  for (const e of all) {
    const m = e.msg;
    if (m.kind !== "request") continue;
    const fromCaller = e.fromTag === st.callerTag || (st.callerTag === null && st.callerAddrs.has(e.src));
    const inDialog = e.callId === st.leg.callId;
    const senderIsCaller = inDialog ? fromCaller : st.callerAddrs.has(e.src);
    const direction = senderIsCaller ? ("caller->callee" as const) : ("callee->caller" as const);
    const answer = answers.get(`${e.callId}|${e.cseqNum}|${m.method}`);
    const refused = answer !== undefined && answer.status >= 300;
    const ct = getHeader(m, "content-type") ?? "";
    if (m.method === "INFO" && m.body.length > 0) {
      const r = parseDtmfInfoBody(ct, m.body);
      if (!r.ok) continue;
      out.push({
        digit: r.digit,
        method: "sip-info",
        direction,
        atS: round3(rel(e.tsS)),
        durationMs: r.durationMs,
        valid: !refused,
        ...(refused ? { invalidReason: `INFO answered ${answer.status}` } : {}),
        frames: answer !== undefined ? [e.frame, answer.frame] : [e.frame],
      });
      continue;
    }
    if (m.method !== "NOTIFY") continue;
    const ev = eventPackage(m);
    if (ev?.pkg === "kpml" && m.body.length > 0) {
      const r = parseKpmlResponse(m.body.toString("utf8"));
      if (!r.ok || r.response.code !== 200 || r.response.digits === null) continue;
      const bad = refused || kpmlRefused !== null;
      for (const d of r.response.digits) {
        out.push({
          digit: d.toUpperCase(),
          method: "kpml",
          direction,
          atS: round3(rel(e.tsS)),
          durationMs: null,
          valid: !bad,
          ...(bad
            ? {
                invalidReason:
                  kpmlRefused !== null
                    ? `KPML SUBSCRIBE answered ${kpmlRefused.status}`
                    : `NOTIFY answered ${answer!.status}`,
              }
            : {}),
          frames: answer !== undefined ? [e.frame, answer.frame] : [e.frame],
        });
      }
    } else if (ev?.pkg === "telephone-event" && m.body.length > 0) {
      const r = parseCiscoNotifyBody(m.body);
      if (!r.ok) continue;
      const atS = round3(rel(e.tsS));
      // Cisco sends a NOTIFY when the key goes down and may send another with E=1: one digit.
      if (
        lastCisco !== null &&
        lastCisco.sender === e.src &&
        lastCisco.digit === r.digit &&
        r.end &&
        atS - lastCisco.atS <= Math.max(1, lastCisco.durationMs / 1000 + 0.5)
      )
        continue;
      lastCisco = { digit: r.digit, atS, durationMs: r.durationMs, sender: e.src };
      out.push({
        digit: r.digit,
        method: "notify",
        direction,
        atS,
        durationMs: r.durationMs,
        valid: !refused,
        ...(refused ? { invalidReason: `NOTIFY answered ${answer.status}` } : {}),
        frames: answer !== undefined ? [e.frame, answer.frame] : [e.frame],
      });
    }
  }
  return out;
}

/** Out-of-dialog KPML (RFC 4730 §4.2): SUBSCRIBE on its own Call-ID naming the dialog in Event params. */
export function outOfDialogKpml(orphans: SipEvent[], legs: Map<string, LegState>): Map<LegState, SipEvent[]> {
  const byCallId = new Map<string, SipEvent[]>();
  for (const e of orphans) {
    let l = byCallId.get(e.callId);
    if (l === undefined) byCallId.set(e.callId, (l = []));
    l.push(e);
  }
  const out = new Map<LegState, SipEvent[]>();
  for (const evs of byCallId.values()) {
    const sub = evs.find((e) => e.msg.kind === "request" && e.msg.method === "SUBSCRIBE");
    if (sub === undefined) continue;
    const ev = eventPackage(sub.msg);
    const target = ev?.params["call-id"];
    if (ev?.pkg !== "kpml" || target === undefined) continue;
    const st = legs.get(target);
    if (st !== undefined) out.set(st, [...(out.get(st) ?? []), ...evs]);
  }
  return out;
}
