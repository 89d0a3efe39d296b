/**
 * bench/b2bua/make-short-pcap.ts: the media of one short call for cps.sh's `rtp-short` kind, as a
 * classic libpcap file (Ethernet / IPv4 / UDP) that SIPp's `play_pcap_audio` replays, plus a JSON
 * sidecar with what cps.sh needs to know about it (PCMA packets per call, how long it plays).
 *
 *   npx tsx bench/b2bua/make-short-pcap.ts --out bench/b2bua/out/media/short.pcap
 *   (writes short.pcap and short.json; prints the JSON)
 *
 * One RTP stream (one SSRC, one sequence space, RFC 3550 §5.1): AUDIO_MS of PCMA (PT 8) at 20 ms,
 * 160-byte payloads of 0xd5 (A-law "zero", G.711 Table 1a), timestamps +160 per packet, then one
 * RFC 2833/4733 digit on telephone-event PT 101 in the slots that follow: RFC 4733 §2.5.1.2 "the
 * first packet ... has the marker bit set", every packet of the event carries the event's start
 * timestamp and a growing duration (§2.5.1.3), and §2.5.1.4 "the final packet for each event ...
 * SHOULD also be sent a total of three times" (E bit set, same timestamp and duration, each with
 * its own sequence number). The packets are planned by the fixture generator
 * (captures/fixtures/make/media/rtp-plan.ts) and written by its pcap writer; only the audio
 * payloads are overwritten with 0xd5 here, so the bench media is a constant, not noise.
 *
 * SIPp replays the UDP payloads with the capture's inter-packet gaps from the call's media port to
 * the peer's SDP port (it keeps each packet's destination-port offset from the lowest one in the
 * file: one destination port here, so offset 0); the addresses and ports in the file do not matter.
 */
import { writeFileSync } from "node:fs";
import { dirname, join, basename } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { writePcap } from "../../captures/fixtures/make/media/pcap-writer.ts";
import { planRtp, type RtpPlan } from "../../captures/fixtures/make/media/rtp-plan.ts";

export interface ShortMediaSpec {
  readonly audioMs: number;
  readonly ptimeMs: number;
  readonly audioPt: number;
  readonly fillByte: number;
  readonly digit: string;
  readonly eventPt: number;
  readonly eventOnMs: number;
  readonly endCopies: number;
  readonly volume: number;
  readonly ssrc: number;
}

/** What the short call plays. Frozen: cps.sh's expected packet counts come from it (through the sidecar). */
export const SHORT_MEDIA: ShortMediaSpec = Object.freeze({
  /** PCMA before the digit */
  audioMs: 600,
  ptimeMs: 20,
  /** RTP payload type of PCMA, RFC 3551 §6 Table 4 */
  audioPt: 8,
  /** A-law encoding of sample 0 (silence), G.711 Table 1a */
  fillByte: 0xd5,
  digit: "5",
  /** dynamic PT the uac offers for telephone-event (uac_pcap_short_rr.xml's SDP) */
  eventPt: 101,
  /** the event lasts this long before its end packet (5 packets at 20 ms, the last with E=1) */
  eventOnMs: 100,
  /** copies of the end packet, RFC 4733 §2.5.1.4 */
  endCopies: 3,
  /** RFC 4733 volume field, -dBm0 */
  volume: 10,
  ssrc: 0x4d565353,
});

export interface ShortMedia {
  /** the classic libpcap file */
  pcap: Uint8Array;
  /** PCMA packets: what the callee must receive per call, and the caller back from the echo */
  audioPackets: number;
  /** telephone-event packets (updates + end copies) */
  eventPackets: number;
  /** from the first packet to the last as SIPp replays them, ms */
  playMs: number;
}

export function makeShortMedia(spec: ShortMediaSpec = SHORT_MEDIA): ShortMedia {
  const audioSlots = Math.round(spec.audioMs / spec.ptimeMs);
  const updates = Math.max(1, Math.round(spec.eventOnMs / spec.ptimeMs));
  // the stream ends with the event's last end copy: no audio after the digit
  const slots = audioSlots + updates + spec.endCopies - 1;
  const plan: RtpPlan = {
    codec: "pcma",
    seconds: (slots * spec.ptimeMs) / 1000,
    ptimeMs: spec.ptimeMs,
    ssrc: spec.ssrc,
    seq0: spec.ssrc % 30000,
    ts0: (spec.ssrc * 7) % 1_000_000_000,
    startTimeUs: 1_700_000_000_000_000,
    srcPort: 40000,
    dstPort: 40002,
    events: {
      digits: spec.digit,
      pt: spec.eventPt,
      firstMs: spec.audioMs,
      onMs: spec.eventOnMs,
      offMs: (spec.endCopies - 1) * spec.ptimeMs,
      endCopies: spec.endCopies,
      volume: spec.volume,
      audioDuring: false,
    },
  };
  const stream = planRtp(plan);
  for (const d of stream.datagrams) {
    // RTP header 12 octets (no CSRC, no extension: planRtp writes none); byte 1 = M | PT
    if (((d.payload[1] ?? 0) & 0x7f) === spec.audioPt) d.payload.fill(spec.fillByte, 12);
  }
  const first = stream.datagrams[0]?.timeUs ?? 0;
  const last = stream.datagrams.at(-1)?.timeUs ?? first;
  return {
    pcap: writePcap(stream.datagrams),
    audioPackets: stream.audioPackets,
    eventPackets: stream.eventPackets,
    playMs: Math.ceil((last - first) / 1000),
  };
}

/** Writes FILE.pcap and FILE.json (the sidecar cps.sh reads); returns the sidecar's text. */
export function writeShortMedia(out: string, spec: ShortMediaSpec = SHORT_MEDIA): string {
  const m = makeShortMedia(spec);
  writeFileSync(out, m.pcap);
  const sidecar =
    JSON.stringify({
      pcap: basename(out),
      audioPackets: m.audioPackets,
      eventPackets: m.eventPackets,
      playMs: m.playMs,
      ptimeMs: spec.ptimeMs,
      digit: spec.digit,
      eventPt: spec.eventPt,
    }) + "\n";
  writeFileSync(join(dirname(out), basename(out).replace(/\.pcap$/, "") + ".json"), sidecar);
  return sidecar;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { out: { type: "string" } }, strict: true });
  if (values.out === undefined || !values.out.endsWith(".pcap")) {
    process.stderr.write("usage: make-short-pcap.ts --out FILE.pcap\n");
    process.exitCode = 2;
  } else {
    process.stdout.write(writeShortMedia(values.out));
  }
}
