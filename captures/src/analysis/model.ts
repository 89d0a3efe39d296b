/**
 * The analyzer's output: the `mvsct.analysis/1` JSON document. Field names listed in the issue are
 * fixed; everything else is additive. Times are seconds from the first packet unless named `...Ms`.
 */
export type Severity = "error" | "warning" | "info";
export type DtmfMethod = "rfc2833" | "sip-info" | "kpml" | "notify" | "inband";
export type Direction = "caller->callee" | "callee->caller";

export interface DtmfEvent {
  digit: string;
  method: DtmfMethod;
  direction: Direction;
  atS: number;
  durationMs: number | null;
  valid: boolean;
  /** why the digit is invalid for this leg (e.g. "PT 96 not negotiated (telephone-event is 101)") */
  invalidReason?: string;
  /** RTP payload type (rfc2833/inband) */
  pt?: number;
  ssrc?: string;
  /** frame numbers carrying this digit (first and end packets; signalling frame for SIP methods) */
  frames: number[];
  /** lost first packet(s) / no end packet seen */
  startLost?: boolean;
  endLost?: boolean;
  endPackets?: number;
  /** the same key press already reported by another method on this leg ("OOB and RFC 2833") */
  duplicateOf?: DtmfMethod;
}

export interface LegBye {
  sender: "caller" | "callee";
  method: "BYE" | "CANCEL";
  afterAnswerS: number | null;
  reason: string | null;
  frame: number;
  /** when it was sent, seconds from the first packet */
  atS?: number;
}

export interface CodecRef {
  pt: number;
  name: string;
  clockRate?: number;
}

export interface RtpStreamSummary {
  /** "src:port->dst:port" */
  from: string;
  to: string;
  ssrc: string;
  direction: Direction | null;
  packets: number;
  payloadTypes: number[];
  eventPackets: number;
  firstS: number;
  lastS: number;
  /** lost packets by sequence gaps (retransmitted end packets are not negative loss) */
  lost: number;
  /** PTs seen that the receiver's SDP does not list */
  unexpectedPts: number[];
  firstFrame: number;
  /** digits found on a stream tied to no SIP leg (RTP-only captures), and their PT */
  digits?: string;
  eventPt?: number;
}

export interface Leg {
  callId: string;
  caller: string;
  callee: string;
  /** Request-URI user, From user, To user */
  requestUser: string | null;
  fromUser: string | null;
  toUser: string | null;
  transport: "udp" | "tcp";
  inviteAtS: number;
  finalStatus: number | null;
  codec: CodecRef | null;
  telephoneEventPt: number | null;
  /** telephone-event PT each side declared (what it wants to RECEIVE) */
  callerTelephoneEventPt?: number | null;
  calleeTelephoneEventPt?: number | null;
  offerIn: "invite" | "2xx" | null;
  answeredAtS: number | null;
  dtmf: DtmfEvent[];
  bye: LegBye | null;
  ciscoGuid?: string | null;
  sessionId?: string | null;
  kpmlAdvertised?: { caller: boolean; callee: boolean };
  dtmfMethods?: { caller: DtmfMethod[]; callee: DtmfMethod[] };
  streams?: RtpStreamSummary[];
  firstFrame: number;
  ackSeen?: boolean;
}

export interface Call {
  id: string;
  legs: string[];
  /** how the legs were tied together: "cisco-guid", "session-id", "numbers+timing", "media", "single" */
  correlation: string[];
  /** digits entered on the first leg and the digits that left on the others, with relay latency */
  digitConservation?: {
    entered: string;
    legs: { callId: string; digits: string; latencyMs: (number | null)[] }[];
    conserved: boolean;
  };
}

export interface Finding {
  rule: string;
  severity: Severity;
  legs: string[];
  message: string;
  fix: string;
  evidence: { frames: number[]; filter: string };
  /** the rule that explains this one (symptom -> cause) */
  causedBy?: string;
}

export interface LadderMessage {
  frame: number;
  atS: number;
  from: string;
  to: string;
  label: string;
  callId: string | null;
  /** "sip" request/response, or a "dtmf" marker */
  kind: "request" | "response" | "dtmf";
}

export interface AnalysisReport {
  schema: "mvsct.analysis/1";
  verdict: "healthy" | string;
  capture: {
    file: string;
    format: "pcap" | "pcapng";
    packets: number;
    durationS: number;
    warnings?: string[];
  };
  calls: Call[];
  legs: Leg[];
  findings: Finding[];
  /** SIP messages in order, for the ladder */
  ladder?: LadderMessage[];
  /** all RTP streams, including ones tied to no SIP leg */
  streams?: RtpStreamSummary[];
  /** SIP messages not tied to an INVITE dialog (REGISTER, OPTIONS, SUBSCRIBE, ...) by method */
  otherSip?: Record<string, number>;
}
