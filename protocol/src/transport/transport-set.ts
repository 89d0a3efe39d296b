/**
 * Several transports behind one SipTransport (e.g. UDP and TCP on the same port, as CUCM's trunk
 * security profile defaults to "TCP+UDP" incoming, DOMAIN.md §4.2): `send` picks the member
 * serving `to.transport`; messages and events of every member reach the same handlers.
 */
import type { SipMessage } from "../wire/sip/index.ts";
import type {
  LocalAddress,
  MessageHandler,
  SipTransport,
  TransportAddress,
  SendErrorHandler,
  TransportEventHandler,
  TransportProtocol,
} from "./types.ts";

export class TransportSet implements SipTransport {
  readonly protocols: readonly TransportProtocol[];
  private eventHandler: TransportEventHandler | null = null;

  constructor(private readonly members: readonly SipTransport[]) {
    if (members.length === 0) throw new Error("bug: empty TransportSet");
    this.protocols = [...new Set(members.flatMap((m) => m.protocols))];
    for (const m of members) m.onEvent((e) => this.eventHandler?.(e));
  }

  /** The first member's address (members usually share host and port). */
  get local(): LocalAddress {
    return this.members[0]!.local;
  }

  member(protocol: TransportProtocol): SipTransport | null {
    return this.members.find((m) => m.protocols.includes(protocol)) ?? null;
  }

  onMessage(handler: MessageHandler): void {
    for (const m of this.members) m.onMessage(handler);
  }

  onEvent(handler: TransportEventHandler): void {
    this.eventHandler = handler;
  }

  hasConnection(to: TransportAddress): boolean {
    return this.member(to.transport)?.hasConnection(to) ?? false;
  }

  send(message: SipMessage | Buffer, to: TransportAddress, onError?: SendErrorHandler): void {
    const m = this.member(to.transport);
    if (m === null) {
      const reason = `no ${to.transport} transport`;
      this.eventHandler?.({ kind: "send-error", to, reason });
      onError?.(reason);
      return;
    }
    m.send(message, to, onError);
  }

  async close(): Promise<void> {
    await Promise.all(this.members.map((m) => m.close()));
  }
}
