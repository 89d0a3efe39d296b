import dgram from "node:dgram";
import { lookup as dnsLookup } from "node:dns";
import { isIP, isIPv6 } from "node:net";
import {
  MediaSocketBase,
  RTP_SOCKET_DEFAULTS,
  type MediaIoBackend,
  type RtpSocketOptions,
} from "./media-socket.ts";

export { RTP_SOCKET_DEFAULTS } from "./media-socket.ts";
export type {
  MediaSocket,
  RtpEndpoint,
  RtpPacketHandler,
  RtpSocketCounters,
  RtpSocketOptions,
} from "./media-socket.ts";

/**
 * A media leg's UDP socket on node:dgram: the fallback I/O path when the native batch path
 * (native-socket.ts) is not built, and the one `MVSCT_MEDIA_IO=dgram` picks. The latching and
 * connected-sending rules are media-socket.ts's; here only the dgram calls.
 *
 * Hot path: one 'message' listener per socket, set once; no per-packet closure or allocation here;
 * while connected, no address comparison either (the kernel has filtered).
 */

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

export class RtpSocket extends MediaSocketBase {
  readonly io: MediaIoBackend = "dgram";

  private constructor(
    private readonly socket: dgram.Socket,
    localAddress: string,
    localPort: number,
    latching: boolean,
    connectWanted: boolean,
    idleDisconnectMs: number,
  ) {
    super(localAddress, localPort, latching, connectWanted, idleDisconnectMs);
    socket.on("message", (msg: Buffer, rinfo: dgram.RemoteInfo) => {
      this.c.rx++;
      if (!this.isConnected) {
        if (this.latchPending) this.latch(rinfo.address, rinfo.port);
        this.maybeConnect(rinfo.port === this.remotePort && rinfo.address === this.remoteAddress);
      }
      this.onPacket(msg);
    });
    socket.on("error", () => {
      this.c.errors++;
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

  protected transmit(bytes: Uint8Array): void {
    if (this.isConnected) this.socket.send(bytes);
    else this.socket.send(bytes, this.remotePort, this.remoteAddress!);
  }

  protected ioConnect(): boolean {
    try {
      // literalLookup answers synchronously, so dgram connects before connect() returns
      this.socket.connect(this.remotePort, this.remoteAddress!);
      this.socket.remoteAddress(); // throws unless connected
      return true;
    } catch {
      return false;
    }
  }

  protected ioDisconnect(): boolean {
    try {
      this.socket.disconnect();
      return true;
    } catch {
      return false;
    }
  }

  protected release(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}
