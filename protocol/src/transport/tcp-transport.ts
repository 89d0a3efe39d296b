/**
 * SIP over TCP (RFC 3261 §18): a listening server plus outbound connections, one table of
 * connections keyed by the remote address so a request and its responses, and later requests to
 * the same peer, reuse one connection.
 *
 * RFC 3261 §18.1.1: "If the transport is connection-oriented ... the client transport SHOULD
 * [reuse an existing connection to the destination]" ... §18.2.2: responses go "using the existing
 * connection to the source of the original request" (response-route.ts).
 * RFC 3261 §18.3: Content-Length framing (stream-framer.ts).
 * Limits: `maxConnections` (new ones beyond it are closed at once), `maxBufferBytes` per
 * connection for an incomplete message and for unsent output, `idleTimeoutMs` of silence closes a
 * connection (RFC 3261 §18.3: "it is RECOMMENDED that ... connections are closed after an
 * implementation-defined duration of inactivity").
 */
import { createServer, connect, isIP } from "node:net";
import type { Server, Socket } from "node:net";
import type { SipMessage } from "../wire/sip/index.ts";
import { addressKey, hostForUri, normalizeIp, stripBrackets } from "./address.ts";
import { toWire } from "./outbound.ts";
import { ReceivePipeline } from "./receive-pipeline.ts";
import { StreamFramer } from "./stream-framer.ts";
import type {
  LocalAddress,
  MessageHandler,
  SipTransport,
  TransportAddress,
  SendErrorHandler,
  TransportEventHandler,
  TransportProtocol,
} from "./types.ts";

export interface TcpTransportOptions {
  /** listen address (default "127.0.0.1"); an IPv6 literal listens on IPv6 */
  readonly host?: string;
  /** listen port (default 0: any free port) */
  readonly port?: number;
  readonly ipv6Only?: boolean;
  /** open connections, both directions (default 1024) */
  readonly maxConnections?: number;
  /** bytes of an incomplete message, and of unsent output, per connection (default 256 KiB) */
  readonly maxBufferBytes?: number;
  /** close a connection after this long without traffic (default 300 s) */
  readonly idleTimeoutMs?: number;
  readonly warnAgent?: string;
  readonly malformedRepliesPerSecond?: number;
}

export const TCP_DEFAULTS = Object.freeze({
  maxConnections: 1024,
  maxBufferBytes: 256 * 1024,
  idleTimeoutMs: 300_000,
});

interface Connection {
  readonly socket: Socket;
  readonly peer: TransportAddress;
  readonly framer: StreamFramer;
  /** the socket's error ("connect ECONNREFUSED 127.0.0.1:5060"), what pending writes report */
  failure: string | null;
}

export class TcpTransport implements SipTransport {
  readonly protocols: readonly TransportProtocol[] = ["tcp"];
  private readonly pipeline: ReceivePipeline;
  private readonly connections = new Map<string, Connection>();
  private readonly maxConnections: number;
  private readonly maxBufferBytes: number;
  private readonly idleTimeoutMs: number;
  private localAddress: LocalAddress = { host: "", port: 0 };
  private closed = false;

  private constructor(
    private readonly server: Server,
    options: TcpTransportOptions,
  ) {
    this.maxConnections = options.maxConnections ?? TCP_DEFAULTS.maxConnections;
    this.maxBufferBytes = options.maxBufferBytes ?? TCP_DEFAULTS.maxBufferBytes;
    this.idleTimeoutMs = options.idleTimeoutMs ?? TCP_DEFAULTS.idleTimeoutMs;
    this.pipeline = new ReceivePipeline({
      warnAgent: () => options.warnAgent ?? `${hostForUri(this.local.host)}:${this.local.port}`,
      ...(options.malformedRepliesPerSecond === undefined
        ? {}
        : { malformedRepliesPerSecond: options.malformedRepliesPerSecond }),
    });
  }

  static open(options: TcpTransportOptions = {}): Promise<TcpTransport> {
    const host = stripBrackets(options.host ?? "127.0.0.1");
    if (isIP(host) === 0) return Promise.reject(new Error(`TCP listen address ${host} is not an IP literal`));
    const server = createServer();
    const t = new TcpTransport(server, options);
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen({ host, port: options.port ?? 0, ipv6Only: options.ipv6Only ?? false }, () => {
        server.off("error", reject);
        const a = server.address();
        if (a !== null && typeof a === "object")
          t.localAddress = { host: normalizeIp(a.address), port: a.port };
        server.on("connection", (socket) => t.accept(socket));
        server.on("error", () => undefined);
        resolve(t);
      });
    });
  }

  get local(): LocalAddress {
    return this.localAddress;
  }

  /** Open connections (both directions). */
  get connectionCount(): number {
    return this.connections.size;
  }

  onMessage(handler: MessageHandler): void {
    this.pipeline.onMessage(handler);
  }

  onEvent(handler: TransportEventHandler): void {
    this.pipeline.onEvent(handler);
  }

  hasConnection(to: TransportAddress): boolean {
    const c = this.connections.get(addressKey({ ...to, transport: "tcp" }));
    return c !== undefined && !c.socket.destroyed;
  }

  send(message: SipMessage | Buffer, to: TransportAddress, onError?: SendErrorHandler): void {
    const fail = (reason: string): void => {
      this.pipeline.emit({ kind: "send-error", to, reason });
      onError?.(reason);
    };
    if (this.closed) return fail("transport closed");
    if (to.transport !== "tcp") return fail(`TCP transport asked to send over ${to.transport}`);
    if (isIP(stripBrackets(to.host)) === 0) return fail(`${to.host} is not an IP literal (no DNS here)`);
    if (!Number.isInteger(to.port) || to.port < 1 || to.port > 65535) return fail(`bad port ${to.port}`);
    let bytes: Buffer;
    try {
      bytes = toWire(message);
    } catch (error) {
      return fail(`cannot serialize: ${String(error)}`);
    }
    const conn = this.connectionTo(to);
    if (conn === null) return fail(`connection limit ${this.maxConnections} reached`);
    if (conn.socket.writableLength > this.maxBufferBytes) {
      conn.socket.destroy();
      return fail("peer is not reading: output buffer over the limit, connection closed");
    }
    if (onError === undefined) {
      conn.socket.write(bytes);
      return;
    }
    // a refused or reset connection fails every write still queued on it (Node calls back each
    // one with an error); the connection's own error says why better than the write's does
    conn.socket.write(bytes, (err) => {
      if (err) onError(conn.failure ?? err.message);
    });
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    for (const c of this.connections.values()) c.socket.destroy();
    this.connections.clear();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private connectionTo(to: TransportAddress): Connection | null {
    const peer: TransportAddress = { host: normalizeIp(to.host), port: to.port, transport: "tcp" };
    const existing = this.connections.get(addressKey(peer));
    if (existing !== undefined && !existing.socket.destroyed) return existing;
    if (this.connections.size >= this.maxConnections) return null;
    const socket = connect({ host: stripBrackets(to.host), port: to.port });
    const conn = this.register(socket, peer);
    socket.on("error", (err) => {
      conn.failure = err.message;
      this.pipeline.emit({ kind: "send-error", to: peer, reason: err.message });
    });
    return conn;
  }

  private accept(socket: Socket): void {
    const peer: TransportAddress = {
      host: normalizeIp(socket.remoteAddress ?? ""),
      port: socket.remotePort ?? 0,
      transport: "tcp",
    };
    if (this.closed || this.connections.size >= this.maxConnections) {
      this.pipeline.emit({
        kind: "connection-refused",
        from: peer,
        reason: `connection limit ${this.maxConnections}`,
      });
      socket.destroy();
      return;
    }
    const conn = this.register(socket, peer);
    socket.on("error", (err) => {
      conn.failure = err.message;
      this.pipeline.emit({ kind: "connection-closed", peer, reason: err.message });
    });
  }

  private register(socket: Socket, peer: TransportAddress): Connection {
    const key = addressKey(peer);
    const conn: Connection = { socket, peer, framer: new StreamFramer(this.maxBufferBytes), failure: null };
    this.connections.set(key, conn);
    socket.setNoDelay(true);
    socket.setTimeout(this.idleTimeoutMs, () => {
      this.pipeline.emit({ kind: "connection-closed", peer, reason: "idle" });
      socket.destroy();
    });
    socket.on("data", (chunk: Buffer) => this.receive(conn, chunk));
    socket.on("close", () => {
      if (this.connections.get(key) === conn) this.connections.delete(key);
    });
    return conn;
  }

  private receive(conn: Connection, chunk: Buffer): void {
    if (this.closed) return;
    const from = { ...conn.peer, local: this.localAddress };
    for (const out of conn.framer.push(chunk)) {
      if (conn.socket.destroyed) return;
      switch (out.kind) {
        case "message":
          this.pipeline.process(out.bytes, from, (bytes) => {
            if (!conn.socket.destroyed) conn.socket.write(bytes);
          });
          break;
        case "skip":
          if (out.ping) conn.socket.write("\r\n");
          else
            this.pipeline.emit({
              kind: "dropped",
              from: conn.peer,
              reason: `stream: ${out.reason} (${out.length} bytes)`,
            });
          break;
        case "overflow":
          this.pipeline.emit({
            kind: "connection-closed",
            peer: conn.peer,
            reason: `incomplete message over ${this.maxBufferBytes} bytes`,
          });
          conn.socket.destroy();
          return;
      }
    }
  }
}
