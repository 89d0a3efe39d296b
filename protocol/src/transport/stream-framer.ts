/**
 * Cuts a TCP byte stream into SIP messages with frameSipStream (Content-Length framing,
 * RFC 3261 §18.3: "the Content-Length header field indicates the size of the body. The
 * Content-Length header field MUST be used with stream oriented transports"). Pure: the TCP
 * transport feeds it chunks as they arrive; tests feed it any split of the bytes.
 *
 * RFC 5626 §3.5.1: "the client sends a CRLF-CRLF sequence (the "ping") ... the server responds
 * with a single CRLF (the "pong")"; such skips are reported with `ping: true`.
 * A buffer that grows past `maxBufferBytes` without completing a message is an "overflow": the
 * transport closes the connection (a peer cannot make us hold unbounded data).
 */
import { frameSipStream } from "../wire/sip/index.ts";

export type FramerOutput =
  | { readonly kind: "message"; readonly bytes: Buffer }
  | { readonly kind: "skip"; readonly reason: string; readonly length: number; readonly ping: boolean }
  | { readonly kind: "overflow"; readonly buffered: number };

/** RFC 5626 §3.5.1 ping: CRLF CRLF. */
const PING_LENGTH = 4;

export class StreamFramer {
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly maxBufferBytes: number) {}

  get buffered(): number {
    return this.pending.length;
  }

  push(chunk: Buffer): FramerOutput[] {
    const buf = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const out: FramerOutput[] = [];
    let offset = 0;
    for (;;) {
      const f = frameSipStream(buf, offset);
      if (f.kind === "incomplete") break;
      if (f.kind === "message") {
        out.push({ kind: "message", bytes: buf.subarray(offset, offset + f.length) });
      } else {
        const ping = f.reason === "CRLF keepalive" && f.length >= PING_LENGTH;
        out.push({ kind: "skip", reason: f.reason, length: f.length, ping });
      }
      offset += f.length;
    }
    this.pending = offset >= buf.length ? Buffer.alloc(0) : Buffer.from(buf.subarray(offset));
    if (this.pending.length > this.maxBufferBytes) {
      out.push({ kind: "overflow", buffered: this.pending.length });
      this.pending = Buffer.alloc(0);
    }
    return out;
  }
}
