/**
 * Digit conservation across the legs of one call (DOMAIN.md C8): the digits that entered on the
 * first leg that carried any must leave on every other leg that carried DTMF, in order, without
 * duplicates; per digit, the relay latency is the time from entering to leaving.
 */
import type { Call, Leg } from "./model.ts";

export function digitConservation(call: Call, legs: Map<string, Leg>): Call["digitConservation"] | undefined {
  if (call.legs.length < 2) return undefined;
  const members = call.legs
    .map((id) => legs.get(id))
    .filter((l): l is Leg => l !== undefined)
    .map((l) => ({ ...l, dtmf: l.dtmf.filter((d) => d.duplicateOf === undefined) }));
  const withDigits = members.filter((l) => l.dtmf.length > 0);
  if (withDigits.length === 0) return undefined;
  const entry = withDigits.reduce((a, b) => (a.dtmf[0]!.atS <= b.dtmf[0]!.atS ? a : b));
  const entered = entry.dtmf.filter((d) => d.valid);
  const enteredEvents = entered.length > 0 ? entered : entry.dtmf;
  const enteredDigits = enteredEvents.map((d) => d.digit).join("");
  const out: NonNullable<Call["digitConservation"]>["legs"] = [];
  let conserved = true;
  for (const l of members) {
    if (l.callId === entry.callId) continue;
    const valid = l.dtmf.filter((d) => d.valid);
    const digits = valid.map((d) => d.digit).join("");
    const latencyMs = enteredEvents.map((e, i) => {
      const d = valid[i];
      if (d === undefined || d.digit !== e.digit) return null;
      return Math.round((d.atS - e.atS) * 1000);
    });
    if (digits !== enteredDigits) conserved = false;
    out.push({ callId: l.callId, digits, latencyMs });
  }
  return { entered: enteredDigits, legs: out, conserved };
}
