/** A peer on real UDP (127.0.0.1) for the media relay tests, and a poll-until helper. */
import dgram from "node:dgram";

export const HOST = "127.0.0.1";

export class Endpoint {
  readonly got: Buffer[] = [];
  private constructor(readonly socket: dgram.Socket) {
    socket.on("message", (m) => this.got.push(m));
  }
  static open(port: number): Promise<Endpoint> {
    return new Promise((resolve, reject) => {
      const s = dgram.createSocket("udp4");
      s.once("error", reject);
      s.bind(port, HOST, () => resolve(new Endpoint(s)));
    });
  }
  send(bytes: Uint8Array, port: number): void {
    this.socket.send(bytes, port, HOST);
  }
  close(): Promise<void> {
    return new Promise((r) => this.socket.close(() => r()));
  }
}

/** Polls `cond` (yielding to I/O between polls) until it holds, or throws after `timeoutMs`. */
export async function until(cond: () => boolean, what: string, timeoutMs = 2000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1));
  }
}
