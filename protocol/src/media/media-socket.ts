import { IdleSweep } from "./idle-sweep.ts";

/**
 * One UDP socket of a media leg (the I/O edge, ARCHITECTURE.md rule 7), whatever carries the bytes:
 * node:dgram (rtp-socket.ts) or the batched native path (native-socket.ts). This file holds what
 * both share: the interface MediaRelay uses and the latching / connected-sending state machine.
 *
 * The remote address comes from the peer's SDP (`setRemote`); with latching on, the source of the
 * first packet received after that replaces it — symmetric RTP (RFC 4961 §3: "the same port is used
 * for sending and receiving"), what lets a peer behind NAT, or one whose SDP names another address,
 * be reached.
 *
 * Connected sending (`connect`, on by default). A connected UDP socket sends without a per-packet
 * address (no per-send lookup, no route lookup in the kernel: ≈ 10 % of the relay's CPU on dgram),
 * but the kernel then drops datagrams from every other source. So the socket connects only to a
 * peer proven symmetric: one whose packet arrived from exactly the address we send to (the latched
 * source, or the SDP address itself). A peer that sends from elsewhere than it receives (asymmetric
 * RTP, which RFC 3550 and RFC 3264 allow; RFC 4961 only recommends symmetry) is never connected to,
 * and its packets are taken from any source as before. A connected socket that receives nothing for
 * `idleDisconnectMs` (hold, or a peer that moved without signalling) disconnects and takes every
 * source again until the peer proves itself anew; `setRemote` disconnects at once. The price: while
 * connected, packets from a second source on the same leg are dropped (rtpengine calls this "strict
 * source"); a peer that moves loses at most 2 × idleDisconnectMs of audio.
 */

export interface RtpEndpoint {
  readonly address: string;
  readonly port: number;
}

export interface RtpSocketCounters {
  /** datagrams received */
  rx: number;
  /** datagrams handed to the kernel (native: queued for the end of the batch) */
  tx: number;
  /** sends dropped because no remote is known yet (or it is 0.0.0.0 / port 0: RFC 3264 §8.4 hold) */
  txNoRemote: number;
  /** socket errors (ICMP unreachable, native: a send refused with EAGAIN) ; never thrown */
  errors: number;
  /** times the socket connected to its peer */
  connects: number;
  /** times it disconnected (setRemote, idle) */
  disconnects: number;
  /** datagrams longer than the native path's receive slot: counted, not relayed (dgram: always 0) */
  truncated: number;
}

/** Which I/O path carries a media socket's datagrams. */
export type MediaIoBackend = "native" | "dgram";

/** Called for each datagram received; the bytes are valid only during the call (native: a view on a shared buffer). */
export type RtpPacketHandler = (packet: Uint8Array) => void;

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

/**
 * Datagrams sent before the remote was ever known are held, at most EARLY_MAX of them for at most
 * EARLY_MS, and sent when it becomes known (setRemote or a latch). The B2BUA's 200 to the caller
 * and the callee's address reaching this leg (a message to the media worker) can cross: without
 * this, a caller that starts sending at once loses its first packet(s) on the way to the callee.
 * Once a remote was set, a send without a sendable one (0.0.0.0, port 0: hold) is dropped as before.
 */
export const EARLY_HOLD = Object.freeze({ max: 4, ms: 100 });

/** What MediaRelay needs of a leg's socket. */
export interface MediaSocket {
  /** called for each datagram received; set it once */
  onPacket: RtpPacketHandler;
  readonly counters: RtpSocketCounters;
  readonly io: MediaIoBackend;
  readonly localAddress: string;
  readonly localPort: number;
  /** the peer's RTP address from its SDP (c= and m= lines); re-arms latching, disconnects */
  setRemote(address: string, port: number): void;
  readonly remote: RtpEndpoint | null;
  /** whether the socket is connected to its remote (sends carry no address; other sources are dropped) */
  readonly connected: boolean;
  /** sends `bytes` (copied or handed over before this returns) to the remote */
  send(bytes: Uint8Array): void;
  close(): Promise<void>;
}

const noop: RtpPacketHandler = () => {};

function unspecified(address: string, port: number): boolean {
  return port === 0 || address === "0.0.0.0" || address === "::";
}

export function newCounters(): RtpSocketCounters {
  return { rx: 0, tx: 0, txNoRemote: 0, errors: 0, connects: 0, disconnects: 0, truncated: 0 };
}

/**
 * The latching and connected-sending rules, on top of a backend's four primitives (transmit,
 * ioConnect, ioDisconnect, release). A backend calls `latch` / `maybeConnect` for a datagram that
 * arrived while unconnected, and counts `c.rx` itself (the hot path stays in one place per backend).
 */
export abstract class MediaSocketBase implements MediaSocket {
  onPacket: RtpPacketHandler = noop;
  abstract readonly io: MediaIoBackend;
  protected readonly c: RtpSocketCounters = newCounters();
  protected remoteAddress: string | null = null;
  protected remotePort = 0;
  /** send target is not sendable (none, 0.0.0.0, port 0) */
  protected noTarget = true;
  protected latchPending: boolean;
  protected closed = false;
  protected isConnected = false;
  private readonly sweep: IdleSweep;
  /** sends held until the first remote is known (EARLY_HOLD); null: none */
  private early: { bytes: Uint8Array; atMs: number }[] | null = null;

  protected constructor(
    readonly localAddress: string,
    readonly localPort: number,
    private readonly latching: boolean,
    private readonly connectWanted: boolean,
    idleDisconnectMs: number,
  ) {
    this.latchPending = latching;
    this.sweep = IdleSweep.of(idleDisconnectMs);
  }

  get counters(): RtpSocketCounters {
    return this.c;
  }

  /** @internal IdleSweep */
  get received(): number {
    return this.c.rx;
  }

  setRemote(address: string, port: number): void {
    if (this.isConnected) this.disconnect();
    this.remoteAddress = address;
    this.remotePort = port;
    this.noTarget = unspecified(address, port);
    this.latchPending = this.latching;
    this.remoteChanged();
    this.sendEarly();
  }

  get remote(): RtpEndpoint | null {
    return this.remoteAddress === null ? null : { address: this.remoteAddress, port: this.remotePort };
  }

  get connected(): boolean {
    return this.isConnected;
  }

  send(bytes: Uint8Array): void {
    if (this.noTarget || this.closed) {
      if (!this.closed && this.remoteAddress === null) this.holdEarly(bytes);
      else this.c.txNoRemote++;
      return;
    }
    this.c.tx++;
    this.transmit(bytes);
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    this.onPacket = noop;
    this.c.txNoRemote += this.early?.length ?? 0;
    this.early = null;
    this.sweep.remove(this);
    return this.release();
  }

  /** @internal IdleSweep: nothing arrived for a whole period */
  idle(): void {
    if (this.isConnected) this.disconnect();
  }

  /** A datagram from `address:port` arrived while a latch was pending: it becomes the remote. */
  protected latch(address: string, port: number): void {
    this.latchPending = false;
    this.remoteAddress = address;
    this.remotePort = port;
    this.noTarget = false;
    this.sendEarly();
  }

  /** A datagram arrived while unconnected; `fromRemote`: its source is exactly where we send. */
  protected maybeConnect(fromRemote: boolean): void {
    if (fromRemote && this.connectWanted && !this.closed) this.connectNow();
  }

  /** The remote changed by setRemote (not by a latch); the backend may learn it. */
  protected remoteChanged(): void {}
  protected abstract transmit(bytes: Uint8Array): void;
  /** false when the kernel refused */
  protected abstract ioConnect(): boolean;
  protected abstract ioDisconnect(): boolean;
  protected abstract release(): Promise<void>;

  private holdEarly(bytes: Uint8Array): void {
    const now = performance.now();
    const q = (this.early ??= []);
    while (q.length > 0 && (q.length >= EARLY_HOLD.max || now - q[0]!.atMs > EARLY_HOLD.ms)) {
      q.shift();
      this.c.txNoRemote++;
    }
    q.push({ bytes: Uint8Array.from(bytes), atMs: now }); // a copy: the caller's buffer is reused
  }

  /** The first remote is known: the held sends that are not too old go out, in order. */
  private sendEarly(): void {
    const q = this.early;
    if (q === null || this.closed) return;
    this.early = null;
    if (this.noTarget) {
      this.c.txNoRemote += q.length; // the remote says "no media here" (hold): dropped as sent
      return;
    }
    const now = performance.now();
    for (const e of q) {
      if (now - e.atMs > EARLY_HOLD.ms) this.c.txNoRemote++;
      else this.send(e.bytes);
    }
  }

  private connectNow(): void {
    if (!this.ioConnect()) {
      this.c.errors++;
      return;
    }
    this.isConnected = true;
    this.c.connects++;
    this.sweep.add(this);
  }

  private disconnect(): void {
    this.sweep.remove(this);
    this.isConnected = false;
    this.c.disconnects++;
    if (!this.ioDisconnect()) this.c.errors++;
  }
}
