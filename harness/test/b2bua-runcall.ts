/**
 * One SIPp call through `mvsct b2bua` under tcpdump, and the capture checks the SIPp tests share
 * (the leg towards a port in our analyzer's model; RFC 4733 events per packet stream in tshark).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import type { Leg } from "../../captures/src/analysis/model.ts";
import { scenario, sipp, startCapture, stopCapture, tshark } from "./b2bua-helpers.ts";
import type { Proc } from "./b2bua-helpers.ts";

export const CALLER = { sip: 20101, rtp: 21110 };
export const CALLEE = { sip: 20102, rtp: 21120 };
export const BPF = "udp and (portrange 20100-20199 or portrange 21100-21399)";

interface CallRun {
  readonly cap: string;
  readonly caller: Proc;
  readonly callee: Proc | null;
}

/** One call: capture, callee, caller (through the B2BUA at `b2buaPort`), wait for both, stop the capture. */
export async function runCall(
  dir: string,
  name: string,
  b2buaPort: number,
  caller: string,
  callee: string | null,
): Promise<CallRun> {
  const cap = join(dir, `${name}.pcap`);
  const capture = await startCapture(cap, BPF);
  const callerXmlFile = scenario(dir, `${name}-caller`, caller);
  const ce =
    callee === null
      ? null
      : sipp(dir, scenario(dir, `${name}-callee`, callee), [
          "-p",
          String(CALLEE.sip),
          "-mi",
          "127.0.0.1",
          "-mp",
          String(CALLEE.rtp),
        ]);
  await new Promise((r) => setTimeout(r, 300));
  const cr = sipp(dir, callerXmlFile, [
    `127.0.0.1:${b2buaPort}`,
    "-p",
    String(CALLER.sip),
    "-mi",
    "127.0.0.1",
    "-mp",
    String(CALLER.rtp),
  ]);
  await Promise.all([cr.exited, ce?.exited]);
  await stopCapture(capture);
  return { cap, caller: cr, callee: ce };
}

export function legTo(legs: readonly Leg[], port: number): Leg {
  const leg = legs.find((l) => l.callee.endsWith(`:${port}`));
  assert.ok(leg, `no leg towards port ${port}: ${legs.map((l) => `${l.caller}->${l.callee}`).join(", ")}`);
  return leg;
}

/** Digits per RFC 4733 event (grouped by SSRC + timestamp) seen by tshark on packets to `dstPort`. */
export function tsharkEvents(cap: string, dstPort: number, pt: number) {
  const rows = tshark(
    cap,
    `rtpevent && udp.dstport == ${dstPort}`,
    [
      "rtp.p_type",
      "rtp.ssrc",
      "rtp.timestamp",
      "rtp.marker",
      "rtpevent.event_id",
      "rtpevent.end_of_event",
      "rtpevent.duration",
    ],
    ["-o", `rtpevent.event_payload_type_value:${pt}`],
  );
  const events = new Map<
    string,
    { pt: number; event: number; ends: number; marker: number; maxDur: number }
  >();
  for (const [p, ssrc, ts, m, ev, end, dur] of rows) {
    const key = `${ssrc}/${ts}`;
    const e = events.get(key) ?? { pt: Number(p), event: Number(ev), ends: 0, marker: 0, maxDur: 0 };
    if (end === "1" || end === "True") e.ends++;
    if (m === "1" || m === "True") e.marker++;
    e.maxDur = Math.max(e.maxDur, Number(dur));
    events.set(key, e);
  }
  return [...events.values()];
}
