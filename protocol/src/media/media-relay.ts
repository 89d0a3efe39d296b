import { randomInt } from "node:crypto";
import type { Clock, TimerHandle } from "../transaction/clock.ts";
import type { DtmfDigit } from "../wire/dtmf/digits.ts";
import type { LegDtmfConfig, LegDtmfUpdate, LegId, OobMethod } from "./dtmf-relay-config.ts";
import type { DtmfLogEntry, RelayNoteCode, RelaySink } from "./dtmf-relay-io.ts";
import { DtmfRelay, type LegCounters } from "./dtmf-relay.ts";
import type { PortSource } from "./port-pool.ts";
import { openMediaSocket } from "./media-io.ts";
import { FastRoute } from "./fast-path.ts";
import { NativeRtpSocket } from "./native-socket.ts";
import type { MediaIoBackend, MediaSocket, RtpEndpoint, RtpSocketCounters } from "./media-socket.ts";

/**
 * The media half of one B2BUA call: a UDP socket per leg on ports from the pool, every packet fed
 * through the DtmfRelay step and its outputs sent. The relay's tick runs on a Clock timer armed
 * only while an event is in progress. Audio costs one header rewrite in place and one send.
 */

type LegSpace = "ssrc" | "initialSequence" | "initialTimestamp";

export interface MediaLegOptions {
  /** DTMF config of the leg; SSRC, first sequence number and timestamp are random when absent (RFC 3550 §5.1) */
  readonly dtmf: Omit<LegDtmfConfig, LegSpace> & Partial<Pick<LegDtmfConfig, LegSpace>>;
  /** the peer's RTP address from its SDP, when already known */
  readonly remote?: RtpEndpoint;
  /** symmetric RTP: send to where the peer's first packet came from */
  readonly latching?: boolean;
}

export interface MediaRelayOptions {
  /** a PortPool (the ports are released to it on close) */
  readonly pool: PortSource;
  /** local IP the RTP sockets bind to (the address the B2BUA puts in its SDP) */
  readonly bindAddress: string;
  readonly clock: Clock;
  readonly legs: Readonly<Record<LegId, MediaLegOptions>>;
  readonly callId?: string;
  readonly duplicateWindowMs?: number;
  readonly recvBufferSize?: number;
  /** connect() each leg's socket to a peer proven symmetric (default true; rtp-socket.ts says when) */
  readonly connect?: boolean;
  /** a connected leg idle this long disconnects (default RTP_SOCKET_DEFAULTS.idleDisconnectMs) */
  readonly idleDisconnectMs?: number;
  /**
   * the sockets' I/O path (media-io.ts): "native" (the batched addon; dgram when it is not built)
   * or "dgram"; default: MVSCT_MEDIA_IO, else native when available
   */
  readonly io?: MediaIoBackend;
  /**
   * The audio fast path (fast-path.ts): when set and both legs got the native path, audio is
   * rewritten and forwarded in C without a call into JS (DTMF, RTCP and everything else still come
   * here). `clockOffsetMs`: `clock.now()` minus `performance.now()` (the fast path's clock is the
   * latter's), so it needs a clock on that scale; leave it unset with a fake clock.
   */
  readonly audioFastPath?: { readonly clockOffsetMs: number };
  /** ports tried per leg when a bind fails (a port taken outside the pool) */
  readonly bindAttempts?: number;
  /** a digit to send in SIP on `leg` (the B2BUA builds the KPML NOTIFY / INFO / NOTIFY) */
  readonly onSignal?: (leg: LegId, method: OobMethod, digit: DtmfDigit, durationMs: number) => void;
  readonly onLog?: (entry: DtmfLogEntry) => void;
  readonly onNote?: (leg: LegId, code: RelayNoteCode, message: string) => void;
}

export type MediaRelayErrorCode = "no-ports" | "bind-failed";

export class MediaRelayError extends Error {
  override readonly name = "MediaRelayError";
  constructor(
    readonly code: MediaRelayErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export type MediaLegStats = RtpSocketCounters &
  LegCounters & {
    readonly sent: number;
    /** the leg socket's I/O path */
    readonly io: MediaIoBackend;
    /** audio packets received on the leg that the native fast path forwarded (of audioIn) */
    readonly fastAudio: number;
  };

export class MediaRelay implements RelaySink {
  readonly relay: DtmfRelay;
  private timer: TimerHandle | null = null;
  private armedAtMs = 0;
  private closed = false;
  /** the fast path's route of the audio received on each leg; null: every packet goes through JS */
  private readonly fast: Readonly<Record<LegId, FastRoute>> | null;
  private readonly onTimer = (): void => {
    this.timer = null;
    if (this.closed) return;
    this.relay.onTick(this.clock.now(), this);
    this.arm();
  };

  private constructor(
    private readonly opts: MediaRelayOptions,
    private readonly sockets: Readonly<Record<LegId, MediaSocket>>,
    private readonly clock: Clock,
  ) {
    const leg = (o: MediaLegOptions): LegDtmfConfig => ({
      ...o.dtmf,
      ssrc: o.dtmf.ssrc ?? randomInt(0, 0x100000000),
      initialSequence: o.dtmf.initialSequence ?? randomInt(0, 0x10000),
      initialTimestamp: o.dtmf.initialTimestamp ?? randomInt(0, 0x100000000),
    });
    const fp = opts.audioFastPath;
    const { a, b } = sockets;
    this.fast =
      fp !== undefined && a instanceof NativeRtpSocket && b instanceof NativeRtpSocket
        ? { a: new FastRoute(fp.clockOffsetMs), b: new FastRoute(fp.clockOffsetMs) }
        : null;
    this.relay = new DtmfRelay({
      legs: { a: leg(opts.legs.a), b: leg(opts.legs.b) },
      ...(opts.callId !== undefined ? { callId: opts.callId } : {}),
      ...(opts.duplicateWindowMs !== undefined ? { duplicateWindowMs: opts.duplicateWindowMs } : {}),
      // audio received on a leg is sent in the other leg's space
      ...(this.fast !== null ? { egressState: { a: this.fast.b.space, b: this.fast.a.space } } : {}),
    });
    if (this.fast !== null && a instanceof NativeRtpSocket && b instanceof NativeRtpSocket) {
      this.fast.a.setPtClasses(this.relay.ingressPtClasses("a"));
      this.fast.b.setPtClasses(this.relay.ingressPtClasses("b"));
      a.routeTo(b, this.fast.a.block);
      b.routeTo(a, this.fast.b.block);
    }
    sockets.a.onPacket = (packet) => {
      if (!this.relay.onRtp("a", packet, this.clock.now(), this)) this.arm();
    };
    sockets.b.onPacket = (packet) => {
      if (!this.relay.onRtp("b", packet, this.clock.now(), this)) this.arm();
    };
  }

  /** Binds both legs' sockets on pool ports. Rejects with MediaRelayError; nothing is left allocated then. */
  static async open(opts: MediaRelayOptions): Promise<MediaRelay> {
    const a = await bindLeg(opts, opts.legs.a);
    let b: MediaSocket;
    try {
      b = await bindLeg(opts, opts.legs.b);
    } catch (err) {
      await a.close();
      opts.pool.release(a.localPort);
      throw err;
    }
    return new MediaRelay(opts, { a, b }, opts.clock);
  }

  /** Local RTP port of `leg` (RTCP: port + 1, reserved in the pool) for the SDP we send on that leg. */
  localPort(leg: LegId): number {
    return this.sockets[leg].localPort;
  }

  /** The peer's RTP address on `leg` from its SDP. */
  setRemote(leg: LegId, address: string, port: number): void {
    this.sockets[leg].setRemote(address, port);
  }

  remote(leg: LegId): RtpEndpoint | null {
    return this.sockets[leg].remote;
  }

  /** A digit the B2BUA received in SIP on `leg`. */
  digit(leg: LegId, method: OobMethod, digit: string, durationMs?: number): void {
    if (this.closed) return;
    this.relay.onDigit(leg, method, digit, durationMs, this.clock.now(), this);
    this.arm();
  }

  /** Re-negotiated DTMF parameters of `leg`. */
  updateDtmf(leg: LegId, patch: LegDtmfUpdate): void {
    this.relay.updateLeg(leg, patch);
    this.fast?.[leg].setPtClasses(this.relay.ingressPtClasses(leg));
    this.arm();
  }

  stats(): Record<LegId, MediaLegStats> {
    const one = (leg: LegId): MediaLegStats => ({
      ...this.sockets[leg].counters,
      ...this.relay.counters[leg],
      audioIn: this.relay.counters[leg].audioIn + (this.fast?.[leg].audioIn ?? 0),
      fastAudio: this.fast?.[leg].audioIn ?? 0,
      sent: this.relay.sentOn(leg),
      io: this.sockets[leg].io,
    });
    return { a: one("a"), b: one("b") };
  }

  /** Whether a tick timer is armed (the "no timer left" checks use it). */
  timerArmed(): boolean {
    return this.timer !== null;
  }

  /** Closes both sockets, clears the timer and gives the ports back. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== null) this.clock.clearTimer(this.timer);
    this.timer = null;
    await Promise.all([this.sockets.a.close(), this.sockets.b.close()]);
    this.opts.pool.release(this.sockets.a.localPort);
    this.opts.pool.release(this.sockets.b.localPort);
  }

  // RelaySink: where the relay's outputs go.
  rtp(leg: LegId, bytes: Uint8Array): void {
    (leg === "a" ? this.sockets.a : this.sockets.b).send(bytes);
  }
  signal(leg: LegId, method: OobMethod, digit: DtmfDigit, durationMs: number): void {
    this.opts.onSignal?.(leg, method, digit, durationMs);
  }
  log(entry: DtmfLogEntry): void {
    this.opts.onLog?.(entry);
  }
  note(leg: LegId, code: RelayNoteCode, message: string): void {
    this.opts.onNote?.(leg, code, message);
  }

  /** Keeps one timer at (or before) the relay's next tick; none when no event is in progress. */
  private arm(): void {
    if (this.closed) return;
    const due = this.relay.nextTickMs();
    if (due === null) {
      if (this.timer !== null) this.clock.clearTimer(this.timer);
      this.timer = null;
      return;
    }
    if (this.timer !== null) {
      if (this.armedAtMs <= due) return; // fires on time or early; onTimer re-arms
      this.clock.clearTimer(this.timer);
    }
    this.armedAtMs = due;
    this.timer = this.clock.setTimer(Math.max(0, due - this.clock.now()), this.onTimer);
  }
}

async function bindLeg(opts: MediaRelayOptions, leg: MediaLegOptions): Promise<MediaSocket> {
  const failed: number[] = [];
  let lastError = "";
  try {
    for (let attempt = 0; attempt < (opts.bindAttempts ?? 8); attempt++) {
      const port = opts.pool.allocate();
      if (port === null) throw new MediaRelayError("no-ports", "RTP port pool exhausted");
      try {
        const socket = await openMediaSocket(
          {
            address: opts.bindAddress,
            port,
            latching: leg.latching ?? false,
            ...(opts.recvBufferSize !== undefined ? { recvBufferSize: opts.recvBufferSize } : {}),
            ...(opts.connect !== undefined ? { connect: opts.connect } : {}),
            ...(opts.idleDisconnectMs !== undefined ? { idleDisconnectMs: opts.idleDisconnectMs } : {}),
          },
          opts.io,
        );
        if (leg.remote !== undefined) socket.setRemote(leg.remote.address, leg.remote.port);
        return socket;
      } catch (err) {
        failed.push(port);
        lastError = err instanceof Error ? err.message : String(err);
      }
    }
    throw new MediaRelayError(
      "bind-failed",
      `no RTP port could be bound on ${opts.bindAddress}: ${lastError}`,
    );
  } finally {
    // ports taken outside the pool go back to the end of the free list
    for (const p of failed) opts.pool.release(p);
  }
}
