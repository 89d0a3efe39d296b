import dgram from "node:dgram";
import { isIPv6 } from "node:net";

/**
 * One UDP socket of a media leg (the I/O edge, ARCHITECTURE.md rule 7). The remote address comes
 * from the peer's SDP (`setRemote`); with latching on, the source of the first packet received after
 * that replaces it — symmetric RTP (RFC 4961 §3: "the same port is used for sending and receiving"),
 * what lets a peer behind NAT, or one whose SDP names another address, be reached.
 *
 * Hot path: one 'message' listener per socket, set once; no per-packet closure or allocation here.
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
  /** sends dropped because no remote is known yet */
  txNoRemote: number;
  /** socket errors (ICMP unreachable and the like); never thrown */
  errors: number;
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
}

const noop: RtpPacketHandler = () => {};

export class RtpSocket {
  /** called for each datagram received; set it once */
  onPacket: RtpPacketHandler = noop;
  readonly counters: RtpSocketCounters = { rx: 0, tx: 0, txNoRemote: 0, errors: 0 };
  private remoteAddress: string | null = null;
  private remotePort = 0;
  private latchPending: boolean;
  private closed = false;

  private constructor(
    private readonly socket: dgram.Socket,
    readonly localAddress: string,
    readonly localPort: number,
    private readonly latching: boolean,
  ) {
    this.latchPending = latching;
    socket.on("message", (msg: Buffer, rinfo: dgram.RemoteInfo) => {
      this.counters.rx++;
      if (this.latchPending) {
        this.latchPending = false;
        this.remoteAddress = rinfo.address;
        this.remotePort = rinfo.port;
      }
      this.onPacket(msg);
    });
    socket.on("error", () => {
      this.counters.errors++;
    });
  }

  /** Binds `address:port`; rejects with the bind error (EADDRINUSE, EADDRNOTAVAIL, ...). */
  static open(opts: RtpSocketOptions): Promise<RtpSocket> {
    return new Promise((resolve, reject) => {
      const socket = dgram.createSocket({ type: isIPv6(opts.address) ? "udp6" : "udp4" });
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
        resolve(new RtpSocket(socket, local.address, local.port, opts.latching ?? false));
      });
    });
  }

  /** The peer's RTP address from its SDP (c= and m= lines); re-arms latching. */
  setRemote(address: string, port: number): void {
    this.remoteAddress = address;
    this.remotePort = port;
    this.latchPending = this.latching;
  }

  get remote(): RtpEndpoint | null {
    return this.remoteAddress === null ? null : { address: this.remoteAddress, port: this.remotePort };
  }

  send(bytes: Uint8Array): void {
    if (this.remoteAddress === null || this.closed) {
      this.counters.txNoRemote++;
      return;
    }
    this.counters.tx++;
    this.socket.send(bytes, this.remotePort, this.remoteAddress);
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    this.onPacket = noop;
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}
