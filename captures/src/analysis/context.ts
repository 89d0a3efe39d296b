/**
 * Internal state shared by the analysis passes and the rules. Richer than the JSON model: keeps
 * the parsed messages, SDPs and per-event RFC 4733 wire details the rules need as evidence.
 */
import type { SipMessage } from "../../../protocol/src/wire/sip/types.ts";
import type { SdpMedia, SessionDescription } from "../../../protocol/src/wire/sdp/types.ts";
import type { AnalysisReport, DtmfEvent, Leg, RtpStreamSummary } from "./model.ts";

/** One SIP message as seen on the wire. */
export interface SipEvent {
  frame: number;
  tsS: number;
  src: string; // ip:port
  dst: string;
  proto: "udp" | "tcp";
  msg: SipMessage;
  callId: string;
  cseqNum: number;
  cseqMethod: string;
  fromTag: string | null;
  toTag: string | null;
}

/** One RFC 4733 event as reconstructed from its packets (identity: SSRC, timestamp). */
export interface RtpEventRecord {
  pt: number;
  event: number;
  rtpTs: number;
  firstSeq: number;
  firstFrame: number;
  firstS: number;
  lastFrame: number;
  lastS: number;
  /** marker bit on the first packet seen */
  markerOnFirst: boolean;
  markerCount: number;
  maxDurationTs: number;
  firstDurationTs: number;
  /** a packet whose duration was lower than the previous one's (RFC 4733 §2.5.1.3 forbids) */
  durationDecreased: boolean;
  /** packets with E=1 (retransmissions included, whatever their sequence numbers) */
  endPackets: number;
  endFrames: number[];
  /** an E=0 packet after an E=1 one (RFC 4733 §2.5.1.4: E stays set) */
  endCleared: boolean;
  reservedSet: boolean;
  volume: number;
  packets: number;
  /** merged from a following record with another timestamp (one event, two timestamps) */
  timestampChanged: boolean;
  /** frames of the packets that broke a sending rule (duration down, E cleared, extra marker, R set) */
  faultFrames: number[];
}

export interface RtpStream {
  srcIp: string;
  srcPort: number;
  dstIp: string;
  dstPort: number;
  ssrc: number;
  packets: number;
  firstS: number;
  lastS: number;
  firstFrame: number;
  lastFrame: number;
  /** packets per PT (index 0-127) */
  ptCounts: Uint32Array;
  /** payload length of the first packet of each PT, -1 when unseen (tells 4-byte events from audio) */
  ptFirstLen: Int32Array;
  maxSeq: number;
  seqCycles: number;
  baseSeq: number;
  /** distinct sequence numbers seen (approximation: count of in-order advances) */
  expectedTracked: number;
  received: number;
  duplicates: number;
  events: RtpEventRecord[];
  /** candidate RFC 4733 packets on PTs the stream also used for 4-byte payloads */
  eventPackets: number;
  /** the in-band detector (null once the stream was finished) */
  inband: { detector: InbandLike | null; codec: "PCMU" | "PCMA"; pt: number } | null;
  inbandDigits: { digit: string; atS: number; durationMs: number; frames: number[] }[];
}

export interface InbandLike {
  push(
    payload: Buffer,
    offset: number,
    length: number,
    codec: "PCMU" | "PCMA",
    rtpTs: number,
    atS: number,
    frame: number,
  ): void;
  finish(): { digit: string; atS: number; durationMs: number; frames: number[] }[];
}

/** An SDP carried by a message of a leg, with who declared it. */
export interface SdpUse {
  side: "caller" | "callee";
  frame: number;
  tsS: number;
  sdp: SessionDescription;
  audio: SdpMedia | null;
  /** carried by: INVITE, 2xx, ACK, re-INVITE, UPDATE, PRACK, 18x */
  carriedBy: string;
}

export interface LegState {
  leg: Leg;
  /** all SIP events of this Call-ID, in capture order */
  events: SipEvent[];
  invite: SipEvent;
  callerTag: string | null;
  calleeTag: string | null;
  /** SIP addresses seen for each side (several hops through a proxy) */
  callerAddrs: Set<string>;
  calleeAddrs: Set<string>;
  sdps: SdpUse[];
  offer: SdpUse | null;
  answer: SdpUse | null;
  okFrames: number[];
  ackFrames: number[];
  /** media addresses "ip:port" each side declared, with the time they were declared */
  media: { side: "caller" | "callee"; addr: string; fromS: number }[];
  endS: number;
  streams: RtpStream[];
  rejectedFrame: number | null;
  /** SUBSCRIBE/NOTIFY/INFO transactions relevant to DTMF, with the answer status */
  dtmfSignalling: {
    method: string;
    event: string | null;
    frame: number;
    status: number | null;
    statusFrame: number | null;
    sender: "caller" | "callee";
  }[];
  allowEvents: { caller: Set<string>; callee: Set<string> };
  callInfoNotify: { caller: boolean; callee: boolean };
  streamSummaries: RtpStreamSummary[];
  /** RFC 4733 events reconstructed on this leg's streams, with the receiver's declaration */
  rtpEvents: LegRtpEvent[];
}

export interface LegRtpEvent {
  rec: RtpEventRecord;
  stream: RtpStream;
  direction: "caller->callee" | "callee->caller";
  /** the receiver's telephone-event declaration and audio codec clock rate */
  receiverTe: { pt: number; clockRate: number; events: readonly number[] } | null;
  audioClockRate: number | null;
}

export interface AnalysisContext {
  file: string;
  firstTsS: number;
  legs: LegState[];
  legById: Map<string, LegState>;
  streams: RtpStream[];
  report: AnalysisReport;
  /** relative time from the first packet */
  rel(tsS: number): number;
}

export type { DtmfEvent };
