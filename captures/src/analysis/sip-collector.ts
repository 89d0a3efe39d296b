/**
 * SIP pass: finds SIP by content on any port (UDP datagrams, TCP streams framed by
 * Content-Length, RFC 3261 §18.3), parses leniently and indexes each message by Call-ID and CSeq.
 */
import { parseSip } from "../../../protocol/src/wire/sip/parse.ts";
import { frameSipStream } from "../../../protocol/src/wire/sip/frame.ts";
import { getHeader, parseCSeq, parseNameAddr } from "../../../protocol/src/wire/sip/headers.ts";
import type { SipMessage, SipParseOptions } from "../../../protocol/src/wire/sip/types.ts";
import type { TransportPayload } from "../pcap/types.ts";
import type { SipEvent } from "./context.ts";
import { hostPort } from "./units.ts";

/** From/To values whose tag is remembered (a few thousand dialogs in progress at once). */
const MAX_REMEMBERED_TAGS = 4096;

/** A SIP-over-TCP direction buffers at most this much while looking for a complete message. */
const MAX_TCP_BUFFER = 256 * 1024;

interface TcpDir {
  buf: Buffer;
  frames: number;
}

export class SipCollector {
  /** messages still held (of calls not yet analysed), in capture order */
  events: SipEvent[] = [];
  readonly warnings: string[] = [];
  /** datagrams/segments that looked like text but were not SIP */
  rejected = 0;
  /** messages of calls already analysed and released (retransmissions trailing a closed call) */
  late = 0;
  /** Call-IDs of legs already analysed and released */
  private readonly closed = new Set<string>();
  private readonly tcp = new Map<string, TcpDir>();
  private readonly onMessage: (e: SipEvent) => void;

  private readonly retain: boolean;
  private readonly tags = new Map<string, string | null>();

  /** `retain: false` hands each message to `onMessage` and keeps nothing (a sniffer). */
  constructor(onMessage: (e: SipEvent) => void = () => {}, opts: { retain?: boolean } = {}) {
    this.onMessage = onMessage;
    this.retain = opts.retain ?? true;
  }

  /** UDP: a datagram whose first byte could start a SIP message (a token char or CR/LF). */
  onUdp(p: TransportPayload): boolean {
    if (p.length < 12 || !mayStartSip(p.data[p.offset]!)) return false;
    // parseSip keeps no reference to its input (the body is copied), so a view is enough
    const r = parseSip(p.data.subarray(p.offset, p.offset + p.length), "lenient", LENIENT);
    if (!r.ok) {
      this.rejected++;
      return false;
    }
    this.add(r.message, p, "udp");
    return true;
  }

  onTcp(p: TransportPayload): void {
    const key = `${p.srcIp}|${p.srcPort}|${p.dstIp}|${p.dstPort}`;
    let d = this.tcp.get(key);
    const chunk = p.data.subarray(p.offset, p.offset + p.length);
    if (d === undefined || p.tcpGap) {
      if (d === undefined && !mayStartSip(chunk[0] ?? 0)) return; // a stream that does not start like SIP
      d = { buf: Buffer.from(chunk), frames: 0 };
      this.tcp.set(key, d);
    } else d.buf = d.buf.length === 0 ? Buffer.from(chunk) : Buffer.concat([d.buf, chunk]);
    let off = 0;
    for (;;) {
      const f = frameSipStream(d.buf, off);
      if (f.kind === "incomplete") break;
      if (f.kind === "skip") {
        off += Math.max(1, f.length);
        continue;
      }
      const r = parseSip(d.buf.subarray(off, off + f.length), "lenient", LENIENT);
      if (r.ok) {
        this.add(r.message, p, "tcp");
      } else this.rejected++;
      off += Math.max(1, f.length);
    }
    d.buf = off >= d.buf.length ? Buffer.alloc(0) : Buffer.from(d.buf.subarray(off));
    if (d.buf.length > MAX_TCP_BUFFER) {
      this.warnings.push(
        `TCP ${p.srcIp}:${p.srcPort} -> ${p.dstIp}:${p.dstPort}: no SIP message end within ${MAX_TCP_BUFFER} bytes, data dropped`,
      );
      d.buf = Buffer.alloc(0);
    }
  }

  private add(full: SipMessage, p: TransportPayload, proto: "udp" | "tcp"): void {
    const msg = slim(full);
    const callId = getHeader(msg, "call-id") ?? "";
    if (this.closed.has(callId)) {
      this.late++;
      return;
    }
    const cseq = parseCSeq(getHeader(msg, "cseq") ?? "");
    const from = getHeader(msg, "from");
    const to = getHeader(msg, "to");
    const e: SipEvent = {
      frame: p.frame,
      tsS: p.tsS,
      src: hostPort(p.srcIp, p.srcPort),
      dst: hostPort(p.dstIp, p.dstPort),
      proto,
      msg,
      callId,
      cseqNum: cseq?.seq ?? -1,
      cseqMethod: cseq?.method ?? (msg.kind === "request" ? msg.method : ""),
      fromTag: from !== undefined ? this.tagOf(from) : null,
      toTag: to !== undefined ? this.tagOf(to) : null,
    };
    if (this.retain) this.events.push(e);
    this.onMessage(e);
  }

  /**
   * The tag of a From/To value. Every message of a dialog repeats the same From and To, so the
   * parses are remembered (a bounded map: cleared when full, so hostile input cannot grow it).
   */
  private tagOf(value: string): string | null {
    let tag = this.tags.get(value);
    if (tag === undefined) {
      tag = parseNameAddr(value)?.tag ?? null;
      if (this.tags.size >= MAX_REMEMBERED_TAGS) this.tags.clear();
      this.tags.set(value, tag);
    }
    return tag;
  }

  /**
   * Forget the messages of Call-IDs that were analysed. `legs` are INVITE dialogs: their Call-IDs
   * are remembered, and a message that still trails them is counted in `late`, not taken for a new
   * leg. Other Call-IDs (REGISTER refreshes reuse theirs) simply start afresh.
   */
  release(callIds: ReadonlySet<string>, legs: Iterable<string>): void {
    for (const id of legs) this.closed.add(id);
    this.events = this.events.filter((e) => !callIds.has(e.callId));
  }
}

/**
 * The headers the analysis reads (legs, DTMF, correlation, rules). A capture holds every SIP message
 * until the end, so the rest (Via, Contact, Route, User-Agent...) is dropped as it is collected.
 * Extend this list when a rule needs another header.
 */
export const KEPT_HEADERS: ReadonlySet<string> = new Set([
  "call-id",
  "cseq",
  "from",
  "to",
  "content-type",
  "allow-events",
  "call-info",
  "event",
  "subscription-state",
  "reason",
  "warning",
  "cisco-guid",
  "session-id",
  "x-call-id",
  "x-cid",
  "x-original-call-id",
  "x-orig-call-id",
]);

/** lenient parsing that builds only the headers the analysis keeps */
const LENIENT: SipParseOptions = Object.freeze({ skipLenientChecks: true, keepHeaders: KEPT_HEADERS });

/** Bodies worth keeping: SDP and the DTMF carriers; other bodies (presence, fax, ...) are dropped. */
const KEPT_BODY =
  /^\s*(application\/(sdp|dtmf|dtmf-relay|kpml-response\+xml|kpml-request\+xml)|multipart\/|audio\/telephone-event)/i;

function slim(msg: SipMessage): SipMessage {
  const headers = msg.headers.filter((h) => KEPT_HEADERS.has(h.name));
  const ct = headers.find((h) => h.name === "content-type")?.value ?? "";
  const body = msg.body.length > 0 && (ct === "" || KEPT_BODY.test(ct)) ? msg.body : EMPTY;
  return { ...msg, headers, body };
}
const EMPTY = Buffer.alloc(0);

/** RFC 3261 §25.1: a method is a token; responses start with "SIP/"; keepalives are CRLF. */
function mayStartSip(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x0d || c === 0x0a;
}
