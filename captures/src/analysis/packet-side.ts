/**
 * The per-packet half of the analysis: RTP streams and RFC 4733 events as they stream by, the
 * in-band detector decision, and the clock that says when to look for calls that are over. SIP
 * candidates (UDP datagrams that are not RTP, TCP bytes) go to the sink untouched; the analysis
 * half parses them. The split lets a large capture run the two halves on two threads
 * (packet-worker.ts) with the same results as one thread.
 *
 * At each checkpoint the streams quiet for `quietS` are finished, detached and handed over with the
 * ends of the streams still flowing; a stream that resumes after such a silence starts anew.
 */
import type { SipMessage } from "../../../protocol/src/wire/sip/types.ts";
import type { TransportPayload } from "../pcap/types.ts";
import type { InbandLike, RtpStream } from "./context.ts";
import { InbandDtmfDetector } from "./inband/detector.ts";
import { streamEnds } from "./media.ts";
import { RtpCollector } from "./rtp-collector.ts";
import { audioOf, sdpOf } from "./sdp-of.ts";
import { hostPort } from "./units.ts";

/** The two ends "ip:port" of a stream still flowing. */
export type ActivePair = readonly [src: string, dst: string];

export interface PacketSink {
  /** a UDP datagram that is not RTP, or new bytes of a TCP stream: what may be SIP */
  sip(p: TransportPayload): void;
  /** streams quiet since `nowS - quietS` (finished, no longer tracked) and the ends of the others */
  checkpoint(nowS: number, t0: number, quiet: RtpStream[], active: ActivePair[]): void;
}

export interface PacketSideOptions {
  inband: "auto" | "all" | "off";
  quietS: number;
  /** capture seconds between checkpoints (default CHECK_EVERY_S) */
  checkEveryS?: number;
}

/** How often (capture seconds) the analysis looks for calls that are over. */
export const CHECK_EVERY_S = 16;

export class PacketSide {
  private readonly rtp: RtpCollector;
  /** audio addresses declared in SDP -> whether the declaration had telephone-event */
  private readonly teByAddr = new Map<string, boolean>();
  private nowS = -Infinity;
  private nextCheckS = Infinity;
  t0 = 0;

  constructor(
    private readonly opts: PacketSideOptions,
    private readonly sink: PacketSink,
  ) {
    const inband = opts.inband;
    this.rtp = new RtpCollector({
      makeDetector: inband === "off" ? null : (): InbandLike => new InbandDtmfDetector(),
      wantInband: (dstIp, dstPort, srcIp, srcPort) => {
        if (inband === "all") return true;
        const te = this.teByAddr.get(hostPort(dstIp, dstPort)) ?? this.teByAddr.get(hostPort(srcIp, srcPort));
        return te !== true;
      },
    });
  }

  /** A parsed SIP message: its SDP decides whether streams to its audio address get a detector. */
  noteSip(msg: SipMessage): void {
    if (msg.body.length === 0) return;
    const a = audioOf(sdpOf(msg));
    if (a !== null && a.connection !== null && a.port !== 0)
      this.teByAddr.set(hostPort(a.connection, a.port), a.telephoneEvent !== null);
  }

  onFirstFrame(tsS: number): void {
    this.t0 = tsS;
    this.nextCheckS = Number.isFinite(this.opts.quietS) ? tsS + this.opts.quietS : Infinity;
  }

  onPayload(p: TransportPayload): void {
    if (p.proto !== "udp" || !this.rtp.onUdp(p)) this.sink.sip(p);
    if (p.tsS > this.nowS) {
      this.nowS = p.tsS;
      if (p.tsS >= this.nextCheckS) {
        this.checkpoint();
        this.nextCheckS = p.tsS + (this.opts.checkEveryS ?? CHECK_EVERY_S);
      }
    }
  }

  private checkpoint(): void {
    const cut = this.nowS - this.opts.quietS;
    const quiet = new Set<RtpStream>();
    const active: ActivePair[] = [];
    for (const s of this.rtp.streams) {
      if (s.lastS < cut) quiet.add(s);
      else {
        const { src, dst } = streamEnds(s);
        active.push([src, dst]);
      }
    }
    this.rtp.release(quiet);
    this.sink.checkpoint(this.nowS, this.t0, [...quiet], active);
  }

  /** End of capture: every stream still tracked, finished. */
  finish(): RtpStream[] {
    this.rtp.finish();
    return this.rtp.streams;
  }
}
