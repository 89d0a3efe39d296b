/**
 * SIP over UDP (RFC 3261 §18): one datagram is one message. IPv4 or IPv6 by the bind address.
 *
 * RFC 3261 §18.3: "If a message is received via UDP ... any octets after the end of the message
 * body are discarded" (parseSip stops at Content-Length, RFC 4475 §3.1.1.8).
 * RFC 3581 §4: "the server MUST send the response from the same address and port on which the
 * request was received" (the transport has one socket, so it does).
 * Not done here: RFC 3261 §18.1.1's switch to TCP for requests over 1300 bytes (the core chooses
 * the transport).
 */
import { createSocket } from "node:dgram";
import type { Socket } from "node:dgram";
import { isIP } from "node:net";
import type { SipMessage } from "../wire/sip/index.ts";
import { hostForUri, normalizeIp, stripBrackets } from "./address.ts";
import { toWire } from "./outbound.ts";
import { ReceivePipeline } from "./receive-pipeline.ts";
import type {
  LocalAddress,
  MessageHandler,
  SipTransport,
  TransportAddress,
  SendErrorHandler,
  TransportEventHandler,
  TransportProtocol,
} from "./types.ts";

export interface UdpTransportOptions {
  /** bind address (default "127.0.0.1"); an IPv6 literal binds an udp6 socket */
  readonly host?: string;
  /** bind port (default 0: any free port) */
  readonly port?: number;
  /** with an IPv6 bind address: refuse IPv4 (default false: dual stack) */
  readonly ipv6Only?: boolean;
  /** warn-agent for Warning headers (default host:port) */
  readonly warnAgent?: string;
  readonly malformedRepliesPerSecond?: number;
  /**
   * SO_RCVBUF / SO_SNDBUF in bytes (default UDP_SOCKET_BUFFER_BYTES; Linux caps the request at
   * net.core.rmem_max / wmem_max without an error). 0 keeps the system default.
   */
  readonly recvBufferSize?: number;
  readonly sendBufferSize?: number;
}

/**
 * The socket buffers asked for by default: 4 MiB. With Linux's default 208 KiB a receive buffer
 * holds ~90 loopback datagrams (each charged ~2.3 KiB of skb truesize), about 13 ms of a
 * 500 calls/s B2BUA's 7,000 messages/s; any longer event-loop pause (GC, a burst) dropped
 * datagrams, and every drop cost the caller a T1 (500 ms) retransmission (bench/b2bua/NOTES.md).
 * SIPp in the benchmarks uses the same size (-buff_size 4194304).
 */
export const UDP_SOCKET_BUFFER_BYTES = 4 * 1024 * 1024;

export class UdpTransport implements SipTransport {
  readonly protocols: readonly TransportProtocol[] = ["udp"];
  private readonly pipeline: ReceivePipeline;
  private closed = false;
  private localAddress: LocalAddress;

  private constructor(
    private readonly socket: Socket,
    private readonly family: 4 | 6,
    private readonly ipv6Only: boolean,
    options: UdpTransportOptions,
  ) {
    this.localAddress = { host: "", port: 0 };
    this.pipeline = new ReceivePipeline({
      warnAgent: () => options.warnAgent ?? `${hostForUri(this.local.host)}:${this.local.port}`,
      ...(options.malformedRepliesPerSecond === undefined
        ? {}
        : { malformedRepliesPerSecond: options.malformedRepliesPerSecond }),
    });
  }

  /** Binds the socket; rejects when the address cannot be bound. */
  static open(options: UdpTransportOptions = {}): Promise<UdpTransport> {
    const host = stripBrackets(options.host ?? "127.0.0.1");
    const family = isIP(host);
    if (family === 0) return Promise.reject(new Error(`UDP bind address ${host} is not an IP literal`));
    const socket = createSocket({
      type: family === 6 ? "udp6" : "udp4",
      ...(family === 6 ? { ipv6Only: options.ipv6Only ?? false } : {}),
      ...bufferSizes(options),
    });
    const t = new UdpTransport(socket, family === 6 ? 6 : 4, options.ipv6Only ?? false, options);
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => {
        socket.close();
        reject(err);
      };
      socket.once("error", onError);
      socket.bind(options.port ?? 0, host, () => {
        socket.off("error", onError);
        const a = socket.address();
        t.localAddress = { host: normalizeIp(a.address), port: a.port };
        socket.on("error", (err) =>
          t.pipeline.emit({
            kind: "send-error",
            to: { ...t.localAddress, transport: "udp" },
            reason: err.message,
          }),
        );
        socket.on("message", (buf, rinfo) => t.receive(buf, rinfo.address, rinfo.port));
        resolve(t);
      });
    });
  }

  get local(): LocalAddress {
    return this.localAddress;
  }

  /** The socket's SO_RCVBUF / SO_SNDBUF as the kernel set them (Linux reports twice the request). */
  get bufferSizes(): { readonly recv: number; readonly send: number } {
    return { recv: this.socket.getRecvBufferSize(), send: this.socket.getSendBufferSize() };
  }

  onMessage(handler: MessageHandler): void {
    this.pipeline.onMessage(handler);
  }

  onEvent(handler: TransportEventHandler): void {
    this.pipeline.onEvent(handler);
  }

  hasConnection(): boolean {
    return false;
  }

  send(message: SipMessage | Buffer, to: TransportAddress, onError?: SendErrorHandler): void {
    const fail = (reason: string): void => {
      this.pipeline.emit({ kind: "send-error", to, reason });
      onError?.(reason);
    };
    if (this.closed) return fail("transport closed");
    if (to.transport !== "udp") return fail(`UDP transport asked to send over ${to.transport}`);
    const dest = this.destination(to.host);
    if (dest === null) return fail(`cannot send from an IPv${this.family} socket to ${to.host}`);
    if (!Number.isInteger(to.port) || to.port < 1 || to.port > 65535) return fail(`bad port ${to.port}`);
    let bytes: Buffer;
    try {
      bytes = toWire(message);
    } catch (error) {
      return fail(`cannot serialize: ${String(error)}`);
    }
    this.socket.send(bytes, to.port, dest, (err) => {
      if (err) fail(err.message);
    });
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }

  private receive(buf: Buffer, address: string, port: number): void {
    if (this.closed) return;
    const from = { host: normalizeIp(address), port, transport: "udp" as const, local: this.localAddress };
    this.pipeline.process(buf, from, (bytes) => {
      if (!this.closed) this.socket.send(bytes, port, address);
    });
  }

  /** The address to hand to dgram, or null when this socket's family cannot reach it. No DNS. */
  private destination(host: string): string | null {
    const h = stripBrackets(host);
    const family = isIP(h);
    if (family === 0) return null;
    if (family === this.family) return h;
    if (this.family === 6 && family === 4 && !this.ipv6Only) return `::ffff:${h}`;
    const mapped = normalizeIp(h);
    return this.family === 4 && isIP(mapped) === 4 ? mapped : null;
  }
}

/** dgram's createSocket options for the buffers (omitted when 0: the system default). */
function bufferSizes(options: UdpTransportOptions): { recvBufferSize?: number; sendBufferSize?: number } {
  const recv = options.recvBufferSize ?? UDP_SOCKET_BUFFER_BYTES;
  const send = options.sendBufferSize ?? UDP_SOCKET_BUFFER_BYTES;
  return {
    ...(recv > 0 ? { recvBufferSize: recv } : {}),
    ...(send > 0 ? { sendBufferSize: send } : {}),
  };
}
