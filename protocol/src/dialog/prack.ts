/**
 * Reliable provisional responses (RFC 3262): the RSeq / RAck fields, the UAC's ordering rule, and
 * the UAS's retransmission of unacknowledged reliable 1xx.
 *
 *   RSeq = "RSeq" HCOLON response-num;  RAck = "RAck" HCOLON response-num LWS CSeq-num LWS Method
 *
 * RFC 3262 §3 (UAS): "The provisional response to be sent reliably is constructed by the UAS
 * core ... MUST contain a Require header field containing the option tag 100rel, and MUST include
 * an RSeq header field. The value of the header field for the first reliable provisional response
 * in a transaction MUST be between 1 and 2**31 - 1. ... The reliable provisional response is
 * passed to the transaction layer periodically with an interval that starts at T1 seconds and
 * doubles for each retransmission ... Retransmissions of the reliable provisional response cease
 * when a matching PRACK is received. ... If a reliable provisional response is retransmitted for
 * 64*T1 seconds without reception of a corresponding PRACK, the UAS SHOULD reject the original
 * request with a 5xx response. ... The UAS MUST NOT send a second reliable provisional response
 * until the first is acknowledged. ... the value of the RSeq in each subsequent reliable
 * provisional response for the same request MUST be greater by exactly one." ... "If the PRACK
 * does not match any unacknowledged reliable provisional response, the UAS MUST respond to the
 * PRACK with a 481 response."
 * RFC 3262 §4 (UAC): "If the UAC receives another reliable provisional response to the same
 * request, and its RSeq value is not one higher than the value of the sequence number, that
 * provisional response MUST NOT be acknowledged with a PRACK, and MUST NOT be processed further".
 */
import type { SipResponse } from "../wire/sip/index.ts";
import { getHeader } from "../wire/sip/index.ts";
import type { Clock, TimerHandle } from "../transaction/index.ts";
import { TIMEOUT_T1_MULTIPLIER } from "../transaction/index.ts";
import { editHeaders, header, optionTags } from "./sip-fields.ts";

export interface RAck {
  readonly rseq: number;
  readonly cseq: number;
  readonly method: string;
}

export function parseRSeq(value: string | undefined): number | null {
  const m = value === undefined ? null : /^\s*(\d{1,10})\s*$/.exec(value);
  return m === null ? null : Number(m[1]);
}

export function parseRAck(value: string | undefined): RAck | null {
  const m = value === undefined ? null : /^\s*(\d{1,10})\s+(\d{1,10})\s+([A-Za-z]+)\s*$/.exec(value);
  return m === null ? null : { rseq: Number(m[1]), cseq: Number(m[2]), method: m[3]! };
}

export function formatRAck(r: RAck): string {
  return `${r.rseq} ${r.cseq} ${r.method}`;
}

/** A 1xx (not 100) that asks for reliability: Require: 100rel and an RSeq. */
export function reliableRSeq(response: SipResponse): number | null {
  if (response.status <= 100 || response.status >= 200) return null;
  if (!optionTags(response, "require").has("100rel")) return null;
  return parseRSeq(getHeader(response, "rseq"));
}

export type RSeqVerdict = "new" | "retransmission" | "out-of-order";

/** The UAC's RSeq bookkeeping for one early dialog (RFC 3262 §4). */
export class RSeqTracker {
  private last: number | null = null;

  accept(rseq: number): RSeqVerdict {
    if (this.last === null || rseq === this.last + 1) {
      this.last = rseq;
      return "new";
    }
    return rseq <= this.last ? "retransmission" : "out-of-order";
  }
}

interface Outstanding {
  readonly response: SipResponse;
  readonly rseq: number;
  readonly hasSdp: boolean;
  readonly firstSentMs: number;
  intervalMs: number;
  handle: TimerHandle | null;
}

export interface ReliableProvisionalDeps {
  readonly clock: Clock;
  readonly T1: number;
  /** hands a 1xx to the INVITE server transaction */
  readonly send: (response: SipResponse) => void;
  /** 64*T1 without PRACK: reject the INVITE with a 5xx */
  readonly onGiveUp: () => void;
  readonly random?: () => number;
}

/** The UAS side for one INVITE: numbering, one-at-a-time sending, retransmission, PRACK matching. */
export class ReliableProvisionals {
  private nextRSeq: number;
  private outstanding: Outstanding | null = null;
  private readonly queue: { response: SipResponse; hasSdp: boolean }[] = [];
  private stopped = false;
  private sent = 0;

  constructor(
    private readonly inviteSeq: number,
    private readonly deps: ReliableProvisionalDeps,
  ) {
    this.nextRSeq = 1 + Math.floor((deps.random ?? Math.random)() * 2 ** 30);
  }

  /** Reliable 1xx sent so far (first transmissions and retransmissions). */
  get transmissions(): number {
    return this.sent;
  }

  /** An unacknowledged reliable 1xx carried SDP: RFC 3262 §3 forbids a 2xx until it is PRACKed. */
  get blocks2xx(): boolean {
    return (this.outstanding?.hasSdp ?? false) || this.queue.some((q) => q.hasSdp);
  }

  get pending(): boolean {
    return this.outstanding !== null || this.queue.length > 0;
  }

  /** Sends the 1xx reliably now, or after the outstanding one is acknowledged. */
  send(response: SipResponse, hasSdp: boolean): void {
    if (this.stopped) return;
    if (this.outstanding !== null) this.queue.push({ response, hasSdp });
    else this.transmitFirst(response, hasSdp);
  }

  /** A PRACK arrived: "matched" (with whether that 1xx had SDP) or "no-match" (answer 481). */
  prack(rack: RAck | null): { readonly matched: boolean; readonly hadSdp: boolean } {
    const o = this.outstanding;
    if (
      o === null ||
      rack === null ||
      rack.method !== "INVITE" ||
      rack.cseq !== this.inviteSeq ||
      rack.rseq !== o.rseq
    )
      return { matched: false, hadSdp: false };
    this.clear();
    const next = this.queue.shift();
    if (next !== undefined) this.transmitFirst(next.response, next.hasSdp);
    return { matched: true, hadSdp: o.hasSdp };
  }

  /** The final response went out, or the dialog ended: no more retransmissions. */
  stop(): void {
    this.stopped = true;
    this.queue.length = 0;
    this.clear();
  }

  private transmitFirst(response: SipResponse, hasSdp: boolean): void {
    const rseq = this.nextRSeq++;
    const withRel = editHeaders(response, ["rseq"], [header("rseq", String(rseq))]);
    const require = optionTags(withRel, "require").has("100rel") ? [] : [header("require", "100rel")];
    const stamped = editHeaders(withRel, [], require);
    const o: Outstanding = {
      response: stamped,
      rseq,
      hasSdp,
      firstSentMs: this.deps.clock.now(),
      intervalMs: this.deps.T1,
      handle: null,
    };
    this.outstanding = o;
    this.transmit(o);
  }

  private transmit(o: Outstanding): void {
    this.sent++;
    this.deps.send(o.response);
    const giveUpAt = o.firstSentMs + TIMEOUT_T1_MULTIPLIER * this.deps.T1;
    const now = this.deps.clock.now();
    const wait = Math.min(o.intervalMs, giveUpAt - now);
    o.handle = this.deps.clock.setTimer(wait, () => {
      o.handle = null;
      if (this.deps.clock.now() >= giveUpAt) {
        this.stop();
        this.deps.onGiveUp();
        return;
      }
      o.intervalMs *= 2;
      this.transmit(o);
    });
  }

  private clear(): void {
    if (this.outstanding?.handle != null) this.deps.clock.clearTimer(this.outstanding.handle);
    this.outstanding = null;
  }
}
