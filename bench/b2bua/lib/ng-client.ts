import dgram from "node:dgram";
import { type BValue, ngMessage, parseNgMessage } from "./bencode.ts";

/**
 * A client of rtpengine's ng control protocol over UDP: one request per cookie, answered by the
 * reply with the same cookie, with a timeout. Used against rtpengine and against relay-host.ts,
 * which speaks the same subset (ping, offer, answer, delete), so one load generator drives both.
 */
export class NgClient {
  private seq = 0;
  private readonly pending = new Map<string, (d: { [key: string]: BValue }) => void>();

  private constructor(
    private readonly socket: dgram.Socket,
    private readonly host: string,
    private readonly port: number,
  ) {
    socket.on("message", (m) => {
      const msg = parseNgMessage(m);
      if (msg === null) return;
      const done = this.pending.get(msg.cookie);
      if (done !== undefined) {
        this.pending.delete(msg.cookie);
        done(msg.dict);
      }
    });
  }

  static open(bindHost: string, bindPort: number, host: string, port: number): Promise<NgClient> {
    return new Promise((resolve, reject) => {
      const s = dgram.createSocket("udp4");
      s.once("error", reject);
      s.bind(bindPort, bindHost, () => {
        s.off("error", reject);
        resolve(new NgClient(s, host, port));
      });
    });
  }

  request(dict: { [key: string]: BValue }, timeoutMs = 3000): Promise<{ [key: string]: BValue }> {
    const cookie = `${process.pid}_${this.seq++}`;
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.pending.delete(cookie);
        reject(new Error(`ng timeout: ${String(dict["command"])}`));
      }, timeoutMs);
      this.pending.set(cookie, (d) => {
        clearTimeout(t);
        resolve(d);
      });
      this.socket.send(ngMessage(cookie, dict), this.port, this.host);
    });
  }

  close(): Promise<void> {
    return new Promise((r) => this.socket.close(() => r()));
  }
}
