/**
 * RTP pass: streams keyed by 5-tuple + SSRC (RFC 3550 §8: the SSRC is per sender; both directions
 * may share one, and RFC 2833 senders may use their own SSRC on the audio 5-tuple), loss by
 * sequence (RFC 3550 A.1 without the probation), and RFC 4733 events rebuilt from their packets.
 * Hot path: no allocation per packet except when a stream or an event is new.
 */
import type { TransportPayload } from "../pcap/types.ts";
import type { InbandLike, RtpEventRecord, RtpStream } from "./context.ts";
import { readU16, readU32 } from "../../../protocol/src/wire/bytes.ts";

/** RTCP packet types 200-204 (RFC 3550 §12.1) appear as RTP PT 72-76 once the marker bit is folded in. */
const RTCP_PT_MIN = 72;
const RTCP_PT_MAX = 76;
/** RFC 4733 §2.3: highest event code we treat as DTMF-like (16 = flash, from RFC 2833). */
const MAX_DTMF_EVENT = 16;
const SEQ_MOD = 65536;
/**
 * A first packet whose duration is above this (two 20 ms packets at 8 kHz) means the event's first
 * packets were lost on the way, not that the sender forgot the marker.
 */
export const START_LOST_DURATION_TS = 320;
/** RFC 3550 A.1: a jump larger than this is a restart, not loss. */
const MAX_DROPOUT = 3000;

export interface RtpCollectorOptions {
  /** decide whether a new stream gets an in-band DTMF detector (G.711 only) */
  wantInband: (dstIp: string, dstPort: number, srcIp: string, srcPort: number) => boolean;
  makeDetector: (() => InbandLike) | null;
}

/** The lookup key: a hash of SSRC and ports (replayed media repeats SSRCs, shared ports repeat port pairs). */
function streamKey(ssrc: number, srcPort: number, dstPort: number): number {
  // int32, not uint32: a small-integer Map key, never a heap number
  return Math.imul(ssrc, 0x9e3779b1) ^ Math.imul(srcPort * 65536 + dstPort, 0x85ebca6b);
}

export class RtpCollector {
  /** streams still held, in the order they started */
  streams: RtpStream[] = [];
  private readonly bySsrc = new Map<number, RtpStream[]>();

  constructor(private readonly opts: RtpCollectorOptions) {}

  /** Returns false when the datagram is not RTP (so the caller may try other decoders). */
  onUdp(p: TransportPayload): boolean {
    const b = p.data;
    const o = p.offset;
    const len = p.length;
    if (len < 12) return false;
    const b0 = b[o]!;
    /*  0                   1                   2                   3
     *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
     * |V=2|P|X|  CC   |M|     PT      |       sequence number         |
     * |                           timestamp                           |
     * |           synchronization source (SSRC) identifier            |   RFC 3550 §5.1 */
    if ((b0 & 0xc0) !== 0x80) return false;
    const b1 = b[o + 1]!;
    const pt = b1 & 0x7f;
    if (pt >= RTCP_PT_MIN && pt <= RTCP_PT_MAX) return false;
    let hl = 12 + (b0 & 0x0f) * 4;
    if (b0 & 0x10) {
      if (hl + 4 > len) return false;
      hl += 4 + b.readUInt16BE(o + hl + 2) * 4;
    }
    if (hl > len) return false;
    let plen = len - hl;
    if (b0 & 0x20) {
      plen -= b[o + len - 1]!;
      if (plen < 0) return false;
    }
    const seq = readU16(b, o + 2);
    const ts = readU32(b, o + 4);
    const ssrc = readU32(b, o + 8);
    // keyed by a hash of SSRC and ports (replayed media repeats SSRCs, shared ports repeat port
    // pairs), then the full 5-tuple
    const key = streamKey(ssrc, p.srcPort, p.dstPort);
    let list = this.bySsrc.get(key);
    let s: RtpStream | undefined;
    if (list === undefined) {
      list = [];
      this.bySsrc.set(key, list);
    } else {
      for (let i = 0; i < list.length; i++) {
        const c = list[i]!;
        if (
          c.ssrc === ssrc &&
          c.srcPort === p.srcPort &&
          c.dstPort === p.dstPort &&
          c.srcIp === p.srcIp &&
          c.dstIp === p.dstIp
        ) {
          s = c;
          break;
        }
      }
    }
    if (s === undefined) {
      s = this.newStream(p, ssrc, seq);
      list.push(s);
    } else {
      this.updateSeq(s, seq);
    }
    s.packets++;
    s.lastS = p.tsS;
    s.lastFrame = p.frame;
    const seen = s.ptCounts[pt]!;
    s.ptCounts[pt] = seen + 1;
    if (seen === 0) s.ptFirstLen[pt] = plen;

    const po = o + hl;
    if (pt >= 96 && plen >= 4 && plen <= 16 && (plen & 3) === 0) {
      if (b[po]! <= MAX_DTMF_EVENT && s.ptFirstLen[pt]! <= 16) {
        this.onEvent(s, pt, b, po, ts, seq, (b1 & 0x80) !== 0, p.frame, p.tsS);
      }
    } else if (s.inband !== null && pt === s.inband.pt && plen >= 40) {
      s.inband.detector?.push(b, po, plen, s.inband.codec, ts, p.tsS, p.frame);
    }
    return true;
  }

  private newStream(p: TransportPayload, ssrc: number, seq: number): RtpStream {
    const s: RtpStream = {
      srcIp: p.srcIp,
      srcPort: p.srcPort,
      dstIp: p.dstIp,
      dstPort: p.dstPort,
      ssrc,
      packets: 0,
      firstS: p.tsS,
      lastS: p.tsS,
      firstFrame: p.frame,
      lastFrame: p.frame,
      ptCounts: new Uint32Array(128),
      ptFirstLen: new Int32Array(128).fill(-1),
      maxSeq: seq,
      seqCycles: 0,
      baseSeq: seq,
      expectedTracked: 0,
      received: 1,
      duplicates: 0,
      events: [],
      eventPackets: 0,
      inband: null,
      inbandDigits: [],
    };
    const pt = p.data[p.offset + 1]! & 0x7f;
    if (
      this.opts.makeDetector !== null &&
      (pt === 0 || pt === 8) &&
      this.opts.wantInband(p.dstIp, p.dstPort, p.srcIp, p.srcPort)
    ) {
      s.inband = { detector: this.opts.makeDetector(), codec: pt === 0 ? "PCMU" : "PCMA", pt };
    }
    this.streams.push(s);
    return s;
  }

  /** RFC 3550 A.1 update_seq, simplified: in-order advances, wraps, duplicates of the last seq. */
  private updateSeq(s: RtpStream, seq: number): void {
    const udelta = (seq - s.maxSeq + SEQ_MOD) % SEQ_MOD;
    if (udelta === 0) {
      s.duplicates++;
      return;
    }
    if (udelta < MAX_DROPOUT) {
      if (seq < s.maxSeq) s.seqCycles += SEQ_MOD;
      s.maxSeq = seq;
      s.received++;
    } else if (udelta <= SEQ_MOD - 100) {
      // a large jump: sender restarted its sequence; start counting anew from here
      s.expectedTracked += s.seqCycles + s.maxSeq - s.baseSeq + 1;
      s.baseSeq = seq;
      s.maxSeq = seq;
      s.seqCycles = 0;
      s.received++;
    } else {
      // late or reordered packet: counted as received, no sequence change
      s.received++;
    }
  }

  /**
   * RFC 4733 §2.5.1: all packets of one event carry the timestamp of its start; the duration grows;
   * the final packet (E=1) SHOULD be sent three times. Identity of an event: (SSRC, timestamp).
   *  0                   1                   2                   3
   * |     event     |E|R| volume    |          duration             |   RFC 4733 §2.3
   */
  private onEvent(
    s: RtpStream,
    pt: number,
    b: Buffer,
    po: number,
    ts: number,
    _seq: number,
    marker: boolean,
    frame: number,
    tsS: number,
  ): void {
    s.eventPackets++;
    const event = b[po]!;
    const flags = b[po + 1]!;
    const end = (flags & 0x80) !== 0;
    const duration = b.readUInt16BE(po + 2);
    const evs = s.events;
    let rec: RtpEventRecord | undefined;
    for (let i = evs.length - 1, k = 0; i >= 0 && k < 4; i--, k++) {
      const e = evs[i]!;
      if (e.rtpTs === ts && e.pt === pt && e.event === event) {
        rec = e;
        break;
      }
    }
    if (rec === undefined) {
      rec = {
        pt,
        event,
        rtpTs: ts,
        firstSeq: _seq,
        firstFrame: frame,
        firstS: tsS,
        lastFrame: frame,
        lastS: tsS,
        markerOnFirst: marker,
        markerCount: marker ? 1 : 0,
        maxDurationTs: duration,
        firstDurationTs: duration,
        durationDecreased: false,
        endPackets: end ? 1 : 0,
        endFrames: end ? [frame] : [],
        endCleared: false,
        reservedSet: (flags & 0x40) !== 0,
        volume: flags & 0x3f,
        packets: 1,
        timestampChanged: false,
        faultFrames: (flags & 0x40) !== 0 ? [frame] : [],
      };
      evs.push(rec);
      return;
    }
    rec.packets++;
    rec.lastFrame = frame;
    rec.lastS = tsS;
    let fault = false;
    if (marker) {
      rec.markerCount++;
      fault = true;
    }
    if ((flags & 0x40) !== 0) {
      rec.reservedSet = true;
      fault = true;
    }
    if (duration < rec.maxDurationTs) {
      // a retransmitted end packet repeats the final duration; only a real decrease counts
      rec.durationDecreased = true;
      fault = true;
    } else rec.maxDurationTs = duration;
    if (end) {
      rec.endPackets++;
      if (rec.endFrames.length < 8) rec.endFrames.push(frame);
    } else if (rec.endPackets > 0) {
      rec.endCleared = true;
      fault = true;
    }
    if (fault && rec.faultFrames.length < 8) rec.faultFrames.push(frame);
  }

  /** End of capture: close in-band detectors and merge events split by a changed timestamp. */
  finish(): void {
    for (const s of this.streams) finishStream(s);
  }

  /**
   * Forget streams whose calls were analysed (finishing them first). A later packet of the same
   * 5-tuple and SSRC starts a new stream.
   */
  release(done: ReadonlySet<RtpStream>): void {
    if (done.size === 0) return;
    for (const s of done) {
      finishStream(s);
      const key = streamKey(s.ssrc, s.srcPort, s.dstPort);
      const list = this.bySsrc.get(key);
      if (list === undefined) continue;
      const i = list.indexOf(s);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) this.bySsrc.delete(key);
    }
    this.streams = this.streams.filter((s) => !done.has(s));
  }
}

/** Closes the stream's in-band detector (keeping what it found) and merges split events. */
function finishStream(s: RtpStream): void {
  if (s.inband !== null && s.inband.detector !== null) {
    s.inbandDigits = s.inband.detector.finish();
    s.inband = { ...s.inband, detector: null };
  }
  s.events = mergeSplitEvents(s.events);
}

/**
 * A sender that changes the timestamp in the middle of an event (RFC 4733 §2.5.1.2 violation)
 * produces two records for one key press: the first never ended, the next carries no marker and
 * the same event code, and starts right after. Merge them into one digit flagged as such.
 */
function mergeSplitEvents(evs: RtpEventRecord[]): RtpEventRecord[] {
  if (evs.length < 2) return evs;
  const out: RtpEventRecord[] = [evs[0]!];
  for (let i = 1; i < evs.length; i++) {
    const prev = out[out.length - 1]!;
    const cur = evs[i]!;
    const near =
      prev.event === cur.event && prev.pt === cur.pt && !cur.markerOnFirst && cur.firstS - prev.lastS < 0.12;
    // the event goes on under a new timestamp, or its end packet is retransmitted under one
    const continues = near && (prev.endPackets === 0 || cur.endPackets === cur.packets);
    if (continues) {
      prev.timestampChanged = true;
      prev.packets += cur.packets;
      prev.lastFrame = cur.lastFrame;
      prev.lastS = cur.lastS;
      prev.endPackets += cur.endPackets;
      prev.endFrames.push(...cur.endFrames);
      prev.maxDurationTs = Math.max(prev.maxDurationTs, cur.maxDurationTs);
      if (cur.durationDecreased) prev.durationDecreased = true;
      prev.faultFrames.push(cur.firstFrame, ...cur.faultFrames);
    } else out.push(cur);
  }
  return out;
}

/** Packets lost by sequence gaps; duplicates (retransmitted end packets) never make it negative. */
export function streamLost(s: RtpStream): number {
  const expected = s.expectedTracked + s.seqCycles + s.maxSeq - s.baseSeq + 1;
  return Math.max(0, expected - s.received);
}
