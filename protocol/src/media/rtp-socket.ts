import dgram from "node:dgram";
import { lookup as dnsLookup } from "node:dns";
import { isIP, isIPv6 } from "node:net";

/**
 * One UDP socket of a media leg (the I/O edge, ARCHITECTURE.md rule 7). The remote address comes
 * from the peer's SDP (`setRemote`); with latching on, the source of the first packet received after
 * that replaces it — symmetric RTP (RFC 4961 §3: "the same port is used for sending and receiving"),
 * what lets a peer behind NAT, or one whose SDP names another address, be reached.
 *
 * Connected sending (`connect`, on by default). A connected UDP socket sends without a per-packet
 * address (Node skips its per-send lookup and deferred send, the kernel its route lookup: ≈ 10 % of
 * the relay's CPU), but the kernel then drops datagrams from every other source. So the socket
 * connects only to a peer proven symmetric: one whose packet arrived from exactly the address we
 * send to (the latched source, or the SDP address itself). A peer that sends from elsewhere than it
 * receives (asymmetric RTP, which RFC 3550 and RFC 3264 allow; RFC 4961 only recommends symmetry)
 * is never connected to, and its packets are taken from any source as before. A connected socket
 * that receives nothing for `idleDisconnectMs` (hold, or a peer that moved without signalling)
 * disconnects and takes every source again until the peer proves itself anew; `setRemote`
 * disconnects at once. The price: while connected, packets from a second source on the same leg
 * are dropped (rtpengine calls this "strict source"); a peer that moves loses at most
 * 2 × idleDisconnectMs of audio.
 *
 * Hot path: one 'message' listener per socket, set once; no per-packet closure or allocation here;
 * while connected, no address comparison either (the kernel has filtered).
 */

export interface RtpEndpoint {
  readonly address: string;
  readonly port: number;
}

export interface RtpSocketCounters {
  /** datagrams received */
  rx: number;
  /** datagrams handed to the kernel */
  tx: number;
  /** sends dropped because no remote is known yet (or it is 0.0.0.0 / port 0: RFC 3264 §8.4 hold) */
  txNoRemote: number;
  /** socket errors (ICMP unreachable and the like); never thrown */
  errors: number;
  /** times the socket connected to its peer */
  connects: number;
  /** times it disconnected (setRemote, idle) */
  disconnects: number;
}

export type RtpPacketHandler = (packet: Buffer) => void;

export interface RtpSocketOptions {
  /** local IP to bind (IPv4 or IPv6 literal) */
  readonly address: string;
  readonly port: number;
  /** symmetric RTP: the first packet's source becomes the remote */
  readonly latching?: boolean;
  /** SO_RCVBUF in bytes (bursts of a few hundred calls' packets) */
  readonly recvBufferSize?: number;
  /** connect() to a peer proven symmetric (default true) */
  readonly connect?: boolean;
  /** a connected socket idle this long (± the same) disconnects (default 500 ms) */
  readonly idleDisconnectMs?: number;
}

export const RTP_SOCKET_DEFAULTS = Object.freeze({ connect: true, idleDisconnectMs: 500 });

const noop: RtpPacketHandler = () => {};

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string, family: number) => void;

/**
 * dgram resolves every send's and connect's address through `lookup`; Node's default answers an IP
 * literal on the next tick, which defers each send. An IP literal needs no resolution: answer now.
 */
function literalLookup(host: string, family: unknown, cb: LookupCallback): void {
  const v = isIP(host);
  if (v !== 0) cb(null, host, v);
  else dnsLookup(host, { family: typeof family === "number" ? family : 0 }, cb);
}

/**
 * The idle check of every connected socket of this thread with the same idleDisconnectMs: one
 * interval timer for all of them (a timer per socket would fire hundreds of callbacks a second), armed
 * only while a socket is connected. A socket that received nothing between two ticks disconnects, so
 * a silent peer is let go between one and two periods after its last packet.
 */
class IdleSweep {
  private static readonly byPeriod = new Map<number, IdleSweep>();
  private readonly sockets = new Map<RtpSocket, number>();
  private timer: NodeJS.Timeout | null = null;

  private constructor(private readonly periodMs: number) {}

  static of(periodMs: number): IdleSweep {
    let s = IdleSweep.byPeriod.get(periodMs);
    if (s === undefined) {
      s = new IdleSweep(periodMs);
      IdleSweep.byPeriod.set(periodMs, s);
    }
    return s;
  }

  /** A socket just connected: judged from the next tick on (a tick a moment away would not be fair). */
  add(socket: RtpSocket): void {
    this.sockets.set(socket, -1);
    if (this.timer === null) {
      this.timer = setInterval(() => this.tick(), this.periodMs);
      this.timer.unref();
    }
  }

  remove(socket: RtpSocket): void {
    if (!this.sockets.delete(socket) || this.sockets.size > 0 || this.timer === null) return;
    clearInterval(this.timer);
    this.timer = null;
  }

  private tick(): void {
    for (const [socket, rxBefore] of this.sockets) {
      const rx = socket.counters.rx;
      if (rx === rxBefore) socket.idle();
      else this.sockets.set(socket, rx);
    }
  }
}

function unspecified(address: string, port: number): boolean {
  return port === 0 || address === "0.0.0.0" || address === "::";
}

export class RtpSocket {
  /** called for each datagram received; set it once */
  onPacket: RtpPacketHandler = noop;
  readonly counters: RtpSocketCounters = {
    rx: 0,
    tx: 0,
    txNoRemote: 0,
    errors: 0,
    connects: 0,
    disconnects: 0,
  };
  private remoteAddress: string | null = null;
  private remotePort = 0;
  /** send target is not sendable (none, 0.0.0.0, port 0) */
  private noTarget = true;
  private latchPending: boolean;
  private closed = false;
  private isConnected = false;
  private readonly sweep: IdleSweep;

  private constructor(
    private readonly socket: dgram.Socket,
    readonly localAddress: string,
    readonly localPort: number,
    private readonly latching: boolean,
    private readonly connectWanted: boolean,
    idleDisconnectMs: number,
  ) {
    this.latchPending = latching;
    this.sweep = IdleSweep.of(idleDisconnectMs);
    socket.on("message", (msg: Buffer, rinfo: dgram.RemoteInfo) => {
      this.counters.rx++;
      if (!this.isConnected) this.fromSource(rinfo.address, rinfo.port);
      this.onPacket(msg);
    });
    socket.on("error", () => {
      this.counters.errors++;
    });
  }

  /** Binds `address:port`; rejects with the bind error (EADDRINUSE, EADDRNOTAVAIL, ...). */
  static open(opts: RtpSocketOptions): Promise<RtpSocket> {
    return new Promise((resolve, reject) => {
      const socket = dgram.createSocket({
        type: isIPv6(opts.address) ? "udp6" : "udp4",
        lookup: literalLookup as unknown as NonNullable<dgram.SocketOptions["lookup"]>,
      });
      const onError = (err: Error): void => {
        try {
          socket.close();
        } catch {
          // never bound: nothing to close
        }
        reject(err);
      };
      socket.once("error", onError);
      socket.bind({ address: opts.address, port: opts.port, exclusive: true }, () => {
        socket.off("error", onError);
        if (opts.recvBufferSize !== undefined) socket.setRecvBufferSize(opts.recvBufferSize);
        const local = socket.address();
        resolve(
          new RtpSocket(
            socket,
            local.address,
            local.port,
            opts.latching ?? false,
            opts.connect ?? RTP_SOCKET_DEFAULTS.connect,
            opts.idleDisconnectMs ?? RTP_SOCKET_DEFAULTS.idleDisconnectMs,
          ),
        );
      });
    });
  }

  /** The peer's RTP address from its SDP (c= and m= lines); re-arms latching, disconnects. */
  setRemote(address: string, port: number): void {
    if (this.isConnected) this.disconnect();
    this.remoteAddress = address;
    this.remotePort = port;
    this.noTarget = unspecified(address, port);
    this.latchPending = this.latching;
  }

  get remote(): RtpEndpoint | null {
    return this.remoteAddress === null ? null : { address: this.remoteAddress, port: this.remotePort };
  }

  /** Whether the socket is connected to its remote (sends carry no address; other sources are dropped). */
  get connected(): boolean {
    return this.isConnected;
  }

  send(bytes: Uint8Array): void {
    if (this.noTarget || this.closed) {
      this.counters.txNoRemote++;
      return;
    }
    this.counters.tx++;
    if (this.isConnected) this.socket.send(bytes);
    else this.socket.send(bytes, this.remotePort, this.remoteAddress!);
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    this.onPacket = noop;
    this.sweep.remove(this);
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }

  /** A datagram from `address:port` while unconnected: latch to it, or connect if it proves symmetry. */
  private fromSource(address: string, port: number): void {
    if (this.latchPending) {
      this.latchPending = false;
      this.remoteAddress = address;
      this.remotePort = port;
      this.noTarget = false;
    }
    if (this.connectWanted && !this.closed && port === this.remotePort && address === this.remoteAddress) {
      this.connectNow();
    }
  }

  private connectNow(): void {
    try {
      // literalLookup answers synchronously, so dgram connects before connect() returns
      this.socket.connect(this.remotePort, this.remoteAddress!);
      this.socket.remoteAddress(); // throws unless connected
    } catch {
      this.counters.errors++;
      return;
    }
    this.isConnected = true;
    this.counters.connects++;
    this.sweep.add(this);
  }

  /** @internal IdleSweep: nothing arrived for a whole period */
  idle(): void {
    if (this.isConnected) this.disconnect();
  }

  private disconnect(): void {
    this.sweep.remove(this);
    this.isConnected = false;
    this.counters.disconnects++;
    try {
      this.socket.disconnect();
    } catch {
      this.counters.errors++;
    }
  }
}
