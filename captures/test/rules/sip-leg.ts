/**
 * One INVITE dialog (RFC 3261 §12) as SIP text on the wire: requests from either side with the
 * dialog's tags and CSeq numbers, and responses that echo the request's Via/From/To/Call-ID/CSeq
 * (§8.2.6.2), with the callee's To tag on everything but a 100.
 */
import type { CaptureBuilder, Endpoint } from "./capture-builder.ts";

export type Side = "caller" | "callee";

export interface SipLegSpec {
  callId: string;
  caller: Endpoint;
  callee: Endpoint;
  callerUser?: string;
  calleeUser?: string;
}

/** A request sent on the leg, to answer later. */
export interface SentRequest {
  method: string;
  cseq: number;
  from: Side;
  /** header lines a response copies: Via, From, To, Call-ID, CSeq */
  echo: string[];
}

export interface Extras {
  headers?: readonly string[];
  body?: string;
  contentType?: string;
}

export class SipLeg {
  readonly callId: string;
  private readonly s: Required<SipLegSpec>;
  private readonly cseq: Record<Side, number> = { caller: 1, callee: 0 };
  private confirmed = false;
  private inviteReq: SentRequest | null = null;

  constructor(
    private readonly cap: CaptureBuilder,
    spec: SipLegSpec,
  ) {
    this.s = { callerUser: "4165550100", calleeUser: "5551000", ...spec };
    this.callId = spec.callId;
  }

  private addr(side: Side): Endpoint {
    return side === "caller" ? this.s.caller : this.s.callee;
  }

  private nameAddr(side: Side, withTag: boolean): string {
    const user = side === "caller" ? this.s.callerUser : this.s.calleeUser;
    const id = this.callId.replace(/[^A-Za-z0-9]/g, "");
    const tag = side === "caller" ? `c${id}` : `e${id}`;
    return `<sip:${user}@${this.addr(side).ip}>${withTag ? `;tag=${tag}` : ""}`;
  }

  private send(atS: number, from: Side, startLine: string, headers: string[], x: Extras): void {
    const body = x.body ?? "";
    const lines = [startLine, ...headers, ...(x.headers ?? [])];
    if (body.length > 0) lines.push(`Content-Type: ${x.contentType ?? "application/sdp"}`);
    lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
    const text = `${lines.join("\r\n")}\r\n\r\n${body}`;
    const to: Side = from === "caller" ? "callee" : "caller";
    this.cap.udp(atS, this.addr(from), this.addr(to), Buffer.from(text, "utf8"), {
      kind: "sip",
      label: startLine.startsWith("SIP/2.0")
        ? `${startLine.split(" ")[1]} ${headers.find((h) => h.startsWith("CSeq:"))!.split(" ")[2]}`
        : startLine.split(" ")[0]!,
    });
  }

  /** An initial INVITE (CSeq 1) or an in-dialog request from `from`. */
  request(atS: number, from: Side, method: string, x: Extras = {}): SentRequest {
    const isInvite = method === "INVITE" && this.inviteReq === null;
    const n = method === "ACK" ? 1 : isInvite ? 1 : ++this.cseq[from];
    const to: Side = from === "caller" ? "callee" : "caller";
    const a = this.addr(from);
    const target = this.addr(to);
    const user = to === "caller" ? this.s.callerUser : this.s.calleeUser;
    const echo = [
      `Via: SIP/2.0/UDP ${a.ip}:${a.port};branch=z9hG4bK${this.callId.replace(/[^A-Za-z0-9]/g, "")}${method}${n}${from}`,
      `From: ${this.nameAddr(from, true)}`,
      `To: ${this.nameAddr(to, this.confirmed || method === "ACK" || method === "BYE")}`,
      `Call-ID: ${this.callId}`,
      `CSeq: ${n} ${method}`,
    ];
    this.send(
      atS,
      from,
      `${method} sip:${user}@${target.ip}:${target.port} SIP/2.0`,
      [
        ...echo,
        `Contact: <sip:${from === "caller" ? this.s.callerUser : this.s.calleeUser}@${a.ip}:${a.port}>`,
        "Max-Forwards: 70",
      ],
      x,
    );
    const req = { method, cseq: n, from, echo };
    if (isInvite) this.inviteReq = req;
    return req;
  }

  invite(atS: number, sdp: string | null, headers: readonly string[] = []): SentRequest {
    return this.request(atS, "caller", "INVITE", { headers, ...(sdp !== null ? { body: sdp } : {}) });
  }

  /** A response to `req` (default: the initial INVITE). */
  respond(atS: number, status: number, reason: string, x: Extras = {}, req?: SentRequest): void {
    const r = req ?? this.inviteReq;
    if (r === null) throw new Error("no request to answer");
    const from: Side = r.from === "caller" ? "callee" : "caller";
    const addTag = status > 100 && r.method === "INVITE" && r === this.inviteReq;
    const echo = r.echo.map((h) =>
      addTag && h.startsWith("To:") && !h.includes(";tag=") ? `To: ${this.nameAddr("callee", true)}` : h,
    );
    if (r === this.inviteReq && status >= 200 && status < 300) this.confirmed = true;
    const a = this.addr(from);
    const contact = status >= 200 && status < 300 ? [`Contact: <sip:x@${a.ip}:${a.port}>`] : [];
    this.send(atS, from, `SIP/2.0 ${status} ${reason}`, [...echo, ...contact], x);
  }

  ack(atS: number, sdp?: string): void {
    this.request(atS, "caller", "ACK", sdp !== undefined ? { body: sdp } : {});
  }

  /** BYE from `from`, answered 200 10 ms later. */
  bye(atS: number, from: Side, headers: readonly string[] = []): void {
    const r = this.request(atS, from, "BYE", { headers });
    this.respond(atS + 0.01, 200, "OK", {}, r);
  }
}
