import { lookup as dnsLookup } from "node:dns";
import { isIP, isIPv6 } from "node:net";
import { FLAG_FROM_REMOTE, NativeIo, type NativeReceiver } from "./native-io.ts";
import {
  MediaSocketBase,
  RTP_SOCKET_DEFAULTS,
  type MediaIoBackend,
  type RtpSocketCounters,
  type RtpSocketOptions,
} from "./media-socket.ts";

/**
 * A media leg's UDP socket on the batched native path (native-io.ts): the same latching and
 * connected-sending rules as the dgram RtpSocket (media-socket.ts), with the addon's calls. The
 * addon compares each datagram's source with the remote it was given (flag FROM_REMOTE), so the
 * unconnected hot path compares one bit, not strings; the source's text is built only to latch.
 *
 * A received packet is a Uint8Array view on the thread's shared receive buffer, valid until the
 * handler returns (MediaRelay rewrites it in place and sends it at once: the send copies it); the
 * same view object comes back for a later datagram at the same place of a batch.
 * Errors the kernel reports (ICMP unreachable, a send refused with EAGAIN) and datagrams too long
 * for a receive slot are counted in the addon and added to `counters` when they are read.
 */
export class NativeRtpSocket extends MediaSocketBase implements NativeReceiver {
  readonly io: MediaIoBackend = "native";
  /** bumped when the remote changes: a host name's late lookup answer is then ignored */
  private remoteGen = 0;

  private constructor(
    private readonly engine: NativeIo,
    private readonly slot: number,
    localAddress: string,
    localPort: number,
    latching: boolean,
    connectWanted: boolean,
    idleDisconnectMs: number,
  ) {
    super(localAddress, localPort, latching, connectWanted, idleDisconnectMs);
    engine.register(slot, this);
  }

  /**
   * Binds `address:port` on this thread's native path; rejects with the bind error (an Error whose
   * `code` is EADDRINUSE, EADDRNOTAVAIL, ...). Throws when the path is not available (media-io.ts
   * checks that first).
   */
  static open(opts: RtpSocketOptions): Promise<NativeRtpSocket> {
    const engine = NativeIo.get();
    if (engine === null) throw new Error(`native UDP path unavailable: ${NativeIo.failureReason}`);
    try {
      const slot = engine.addon.open(opts.address, opts.port, opts.recvBufferSize ?? 0);
      const port = engine.scratch[0]!;
      return Promise.resolve(
        new NativeRtpSocket(
          engine,
          slot,
          opts.address,
          port,
          opts.latching ?? false,
          opts.connect ?? RTP_SOCKET_DEFAULTS.connect,
          opts.idleDisconnectMs ?? RTP_SOCKET_DEFAULTS.idleDisconnectMs,
        ),
      );
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  /** The counters, with the errors and truncations the addon counted since the last read. */
  override get counters(): RtpSocketCounters {
    if (!this.closed) this.pull();
    return this.c;
  }

  /** @internal IdleSweep: the datagrams the fast path forwarded count too */
  override get received(): number {
    if (!this.closed) this.pull();
    return this.c.rx;
  }

  /**
   * The audio fast path (fast-path.ts): audio received here is forwarded in C to `to` (a native
   * socket of this thread) with `block`. False when `to` is on another thread. Closing either
   * socket ends the route.
   */
  routeTo(to: NativeRtpSocket, block: ArrayBuffer): boolean {
    if (to.engine !== this.engine || this.closed || to.closed) return false;
    this.engine.addon.route(this.slot, to.slot, block);
    return true;
  }

  /** @internal NativeIo: one datagram of a batch (the hot path) */
  deliver(packet: Uint8Array, offset: number, meta: number): void {
    this.c.rx++;
    if (!this.isConnected) {
      let fromRemote = ((meta >>> 24) & FLAG_FROM_REMOTE) !== 0;
      if (this.latchPending) {
        const address = this.engine.addon.latch(this.slot, offset);
        if (address !== undefined) {
          this.remoteGen++;
          this.latch(address, meta & 0xffff);
          fromRemote = true;
        }
      }
      this.maybeConnect(fromRemote);
    }
    this.onPacket(packet);
  }

  protected override remoteChanged(): void {
    const gen = ++this.remoteGen;
    const addon = this.engine.addon;
    if (this.noTarget) {
      addon.clearRemote(this.slot);
      return;
    }
    const address = this.remoteAddress!;
    const port = this.remotePort;
    if (isIP(address) !== 0) {
      if (!addon.setRemote(this.slot, address, port)) this.refuse();
      return;
    }
    // a host name (dgram would resolve it per send): nothing is sent until it resolves
    this.noTarget = true;
    addon.clearRemote(this.slot);
    dnsLookup(address, { family: isIPv6(this.localAddress) ? 6 : 4 }, (err, resolved) => {
      if (gen !== this.remoteGen || this.closed) return;
      if (err !== null || !addon.setRemote(this.slot, resolved, port)) this.refuse();
      else this.noTarget = false;
    });
  }

  protected transmit(bytes: Uint8Array): void {
    if (!this.engine.queue(this.slot, bytes)) this.c.errors++;
  }

  protected ioConnect(): boolean {
    return this.engine.addon.connect(this.slot) === 0;
  }

  protected ioDisconnect(): boolean {
    return this.engine.addon.disconnect(this.slot) === 0;
  }

  protected release(): Promise<void> {
    this.remoteGen++;
    this.engine.flush(); // queued sends name this slot: out before it is reused
    this.pull();
    this.engine.unregister(this.slot);
    this.engine.addon.close(this.slot);
    return Promise.resolve();
  }

  /** The remote is no address of this socket's family: nothing can be sent (one error counted). */
  private refuse(): void {
    this.noTarget = true;
    this.c.errors++;
    this.engine.addon.clearRemote(this.slot);
  }

  private pull(): void {
    this.engine.addon.takeCounters(this.slot);
    this.c.errors += this.engine.scratch[0]!;
    this.c.truncated += this.engine.scratch[1]!;
    this.c.rx += this.engine.scratch[2]!;
    this.c.tx += this.engine.scratch[3]!;
  }
}
