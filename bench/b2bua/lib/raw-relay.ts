import dgram from "node:dgram";
import type { PortPool } from "../../../protocol/src/media/index.ts";

/**
 * A bare Node dgram relay for one call, the floor MediaRelay is compared with in relay-host.ts
 * (`--impl raw` / `--impl raw-connected`): no RTP parsing, no header rewrite, no DTMF relay, each
 * datagram forwarded unchanged to the other leg's peer. "connected" connect()s each socket to its
 * peer once known, so send() skips dgram's per-call address lookup (a process.nextTick per packet)
 * and the kernel's per-packet route lookup; a connected socket also drops datagrams from any other
 * source, which a real relay (latching, asymmetric peers) could not accept without care.
 */
export class RawRelay {
  private readonly remote: { a: [string, number] | null; b: [string, number] | null } = { a: null, b: null };

  private constructor(
    private readonly pool: PortPool,
    private readonly a: dgram.Socket,
    private readonly b: dgram.Socket,
    readonly portA: number,
    readonly portB: number,
    private readonly connected: boolean,
  ) {
    a.on("message", (m) => this.forward(this.b, "b", m));
    b.on("message", (m) => this.forward(this.a, "a", m));
  }

  private forward(s: dgram.Socket, leg: "a" | "b", m: Buffer): void {
    const r = this.remote[leg];
    if (r === null) return;
    if (this.connected) s.send(m);
    else s.send(m, r[1], r[0]);
  }

  static async open(pool: PortPool, address: string, connected: boolean): Promise<RawRelay> {
    const bind = async (): Promise<[dgram.Socket, number]> => {
      const port = pool.allocate();
      if (port === null) throw new Error("no ports");
      const s = dgram.createSocket("udp4");
      await new Promise<void>((res, rej) => {
        s.once("error", rej);
        s.bind({ port, address, exclusive: true }, () => res());
      });
      return [s, port];
    };
    const [a, pa] = await bind();
    const [b, pb] = await bind();
    return new RawRelay(pool, a, b, pa, pb, connected);
  }

  async setRemote(leg: "a" | "b", address: string, port: number): Promise<void> {
    this.remote[leg] = [address, port];
    if (this.connected) {
      const s = leg === "a" ? this.a : this.b;
      await new Promise<void>((res) => s.connect(port, address, () => res()));
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.a, this.b].map((s) => new Promise<void>((r) => s.close(() => r()))));
    this.pool.release(this.portA);
    this.pool.release(this.portB);
  }
}
