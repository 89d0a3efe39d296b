/**
 * A SipTransport that shows every received message to an observer before the user agent gets it
 * (adapter). InviteSession hands the application neither the 2xx of its INVITE nor its headers,
 * yet the B2BUA must read what the next hop advertises there (Allow-Events: kpml, Call-Info,
 * Allow: INFO, DOMAIN.md §4.4) to choose leg b's DTMF method.
 */
import type { SipMessage } from "../wire/sip/index.ts";
import type {
  LocalAddress,
  MessageHandler,
  ReceivedFrom,
  SendErrorHandler,
  SipTransport,
  TransportAddress,
  TransportEventHandler,
  TransportProtocol,
} from "../transport/index.ts";

export class ObservedTransport implements SipTransport {
  constructor(
    readonly inner: SipTransport,
    private readonly observe: (message: SipMessage, from: ReceivedFrom) => void,
  ) {}

  get protocols(): readonly TransportProtocol[] {
    return this.inner.protocols;
  }
  get local(): LocalAddress {
    return this.inner.local;
  }
  send(message: SipMessage | Buffer, to: TransportAddress, onError?: SendErrorHandler): void {
    this.inner.send(message, to, onError);
  }
  onMessage(handler: MessageHandler): void {
    this.inner.onMessage((m, from) => {
      this.observe(m, from);
      handler(m, from);
    });
  }
  onEvent(handler: TransportEventHandler): void {
    this.inner.onEvent(handler);
  }
  hasConnection(to: TransportAddress): boolean {
    return this.inner.hasConnection(to);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}
