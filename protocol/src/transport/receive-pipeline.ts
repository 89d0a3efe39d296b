/**
 * The receiving half every transport shares: classify the bytes (inbound.ts), hand parsed
 * messages to the handler, answer malformed requests within a per-source budget, report the
 * rest as events. Exceptions thrown by the handler are caught and reported ("nothing throws out
 * of the transport"): a bug above must not take the socket down.
 */
import { classifyInbound } from "./inbound.ts";
import { normalizeIp } from "./address.ts";
import { SourceLimiter } from "./source-limiter.ts";
import { toWire } from "./outbound.ts";
import type { MessageHandler, ReceivedFrom, TransportEvent, TransportEventHandler } from "./types.ts";

export interface PipelineOptions {
  /** warn-agent for Warning headers, read at use (the port is known only after bind) */
  readonly warnAgent: () => string;
  /** answers to malformed requests per source IP per second (default 20) */
  readonly malformedRepliesPerSecond?: number;
  readonly newTag?: () => string;
}

export class ReceivePipeline {
  private handler: MessageHandler | null = null;
  private eventHandler: TransportEventHandler | null = null;
  private readonly limiter: SourceLimiter;

  constructor(private readonly options: PipelineOptions) {
    this.limiter = new SourceLimiter(options.malformedRepliesPerSecond ?? 20, 1000);
  }

  onMessage(handler: MessageHandler): void {
    this.handler = handler;
  }

  onEvent(handler: TransportEventHandler): void {
    this.eventHandler = handler;
  }

  emit(event: TransportEvent): void {
    const h = this.eventHandler;
    if (h === null) return;
    try {
      h(event);
    } catch {
      // an event sink that throws is ignored: diagnostics must not break receiving
    }
  }

  /** Processes one message's bytes; `reply` writes bytes back to where they came from. */
  process(bytes: Buffer, from: ReceivedFrom, reply: (bytes: Buffer) => void): void {
    const decision = classifyInbound(bytes, from, {
      warnAgent: this.options.warnAgent(),
      ...(this.options.newTag === undefined ? {} : { newTag: this.options.newTag }),
    });
    switch (decision.kind) {
      case "deliver": {
        const h = this.handler;
        if (h === null) {
          this.emit({ kind: "dropped", from, reason: "no message handler" });
          return;
        }
        try {
          h(decision.message, from);
        } catch (error) {
          this.emit({ kind: "handler-error", error });
        }
        return;
      }
      case "reply":
        if (!this.limiter.allow(normalizeIp(from.host))) {
          this.emit({ kind: "dropped", from, reason: `malformed, reply budget spent: ${decision.reason}` });
          return;
        }
        try {
          reply(toWire(decision.response));
        } catch (error) {
          this.emit({ kind: "send-error", to: from, reason: String(error) });
          return;
        }
        this.emit({
          kind: "answered-malformed",
          from,
          status: decision.response.status,
          reason: decision.reason,
        });
        return;
      case "drop":
        this.emit({ kind: "dropped", from, reason: decision.reason });
        return;
    }
  }
}
