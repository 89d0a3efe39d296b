/**
 * Two legs of one hairpinned call (DOMAIN.md §4): leg A ISR -> CUCM, leg B CUCM -> MVS 200 ms
 * later, both INVITEs carrying the same Cisco-Guid (how CUCM and IOS mark the legs of one call).
 */
import { CaptureBuilder, ep } from "./capture-builder.ts";
import { call, type Call, type CallOptions } from "./call-scenario.ts";

export const GUID_HEADER = "Cisco-Guid: 0123456789-ABCDEF0-1234-5678";

export function hairpin(a: CallOptions = {}, b: CallOptions = {}): { cap: CaptureBuilder; a: Call; b: Call } {
  const cap = new CaptureBuilder();
  const legA = call({
    callId: "leg-a@isr",
    caller: ep("10.0.1.1", 5060),
    callee: ep("10.0.2.1", 5060),
    inviteHeaders: [GUID_HEADER],
    ...a,
    cap,
  });
  const legB = call({
    callId: "leg-b@cucm",
    caller: ep("10.0.2.1", 5062),
    callee: ep("10.0.3.1", 5060),
    callerMedia: ep("10.0.2.1", 24000),
    calleeMedia: ep("10.0.3.1", 34000),
    inviteHeaders: [GUID_HEADER],
    startS: 0.2,
    ...b,
    cap,
  });
  return { cap, a: legA, b: legB };
}
