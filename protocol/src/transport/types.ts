/**
 * The transport layer's contract (RFC 3261 §18): a two-member-plus-close interface so the layers
 * above run unchanged over UDP, TCP or the in-memory fake used by tests.
 *
 * RFC 3261 §18: "The transport layer is responsible for the actual transmission of requests and
 * responses over network transports. This includes determination of the connection to use for a
 * request or response in the case of connection-oriented transports."
 *
 * What a transport guarantees to the layer above:
 * - every message handed to `onMessage` parsed in strict mode; a request's top Via already carries
 *   `received` / `rport` as RFC 3261 §18.2.1 and RFC 3581 §4 require (via-received.ts);
 * - requests that fail to parse were answered (400 / 505 with a Warning) or dropped before that,
 *   and responses that fail to parse were dropped (inbound.ts);
 * - nothing it does throws to the caller: problems are reported as `TransportEvent`s.
 */
import type { SipMessage } from "../wire/sip/index.ts";

export type TransportProtocol = "udp" | "tcp";

/** Where a message goes or came from. `host` is an IP literal without brackets ("::1", "127.0.0.1"). */
export interface TransportAddress {
  readonly host: string;
  readonly port: number;
  readonly transport: TransportProtocol;
}

export interface LocalAddress {
  readonly host: string;
  readonly port: number;
}

/** The source of a received message, plus the local address it arrived on. */
export interface ReceivedFrom extends TransportAddress {
  readonly local: LocalAddress;
}

export type MessageHandler = (message: SipMessage, from: ReceivedFrom) => void;

/** Things worth a log line or a counter; never thrown. */
export type TransportEvent =
  | { readonly kind: "dropped"; readonly from: TransportAddress; readonly reason: string }
  | {
      readonly kind: "answered-malformed";
      readonly from: TransportAddress;
      readonly status: number;
      readonly reason: string;
    }
  | { readonly kind: "send-error"; readonly to: TransportAddress; readonly reason: string }
  | { readonly kind: "handler-error"; readonly error: unknown }
  | { readonly kind: "connection-refused"; readonly from: TransportAddress; readonly reason: string }
  | { readonly kind: "connection-closed"; readonly peer: TransportAddress; readonly reason: string };

export type TransportEventHandler = (event: TransportEvent) => void;

/**
 * Told, at most once per send, that this message could not be handed to the network (a refused or
 * reset TCP connection, a closed transport, an address the socket cannot reach, a send(2) error).
 * May run synchronously inside `send` or later. RFC 3261 §18.4: "the transport user will be
 * informed of the error"; §17.1.4 / §17.2.4: the transaction "SHOULD inform the TU".
 */
export type SendErrorHandler = (reason: string) => void;

export interface SipTransport {
  /** the protocol(s) served; a TransportSet serves several */
  readonly protocols: readonly TransportProtocol[];
  /** the bound address (port resolved when 0 was asked for) */
  readonly local: LocalAddress;
  /**
   * Sends a message (serialized; Content-Length added when missing, RFC 3261 §18.3) or raw bytes.
   * `to.host` must be an IP literal: no DNS is done here. Failures become "send-error" events and,
   * when `onError` is given, a call to it (once).
   */
  send(message: SipMessage | Buffer, to: TransportAddress, onError?: SendErrorHandler): void;
  /** Sets the receiver of parsed messages (one handler; a later call replaces it). */
  onMessage(handler: MessageHandler): void;
  /** Sets the receiver of diagnostics. */
  onEvent(handler: TransportEventHandler): void;
  /**
   * Whether a connection to `to` is open (always false for UDP). RFC 3261 §18.2.2: a response to
   * a request received over TCP goes "using the existing connection to the source of the original
   * request" when it is still open.
   */
  hasConnection(to: TransportAddress): boolean;
  /** Closes sockets and connections; resolves when they are closed. Idempotent. */
  close(): Promise<void>;
}
