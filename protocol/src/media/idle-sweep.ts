/**
 * The idle check of every connected media socket of this thread with the same idleDisconnectMs: one
 * interval timer for all of them (a timer per socket would fire hundreds of callbacks a second), armed
 * only while a socket is connected. A socket that received nothing between two ticks disconnects, so
 * a silent peer is let go between one and two periods after its last packet.
 */

export interface SweptSocket {
  /** datagrams received so far */
  readonly received: number;
  /** nothing arrived for a whole period */
  idle(): void;
}

export class IdleSweep {
  private static readonly byPeriod = new Map<number, IdleSweep>();
  private readonly sockets = new Map<SweptSocket, number>();
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
  add(socket: SweptSocket): void {
    this.sockets.set(socket, -1);
    if (this.timer === null) {
      this.timer = setInterval(() => this.tick(), this.periodMs);
      this.timer.unref();
    }
  }

  remove(socket: SweptSocket): void {
    if (!this.sockets.delete(socket) || this.sockets.size > 0 || this.timer === null) return;
    clearInterval(this.timer);
    this.timer = null;
  }

  /** forEach, not for-of: no [key, value] array per socket per tick */
  private readonly check = (rxBefore: number, socket: SweptSocket): void => {
    const rx = socket.received;
    if (rx === rxBefore) socket.idle();
    else this.sockets.set(socket, rx);
  };

  private tick(): void {
    this.sockets.forEach(this.check);
  }
}
