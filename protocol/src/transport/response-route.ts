/**
 * Where a response goes (RFC 3261 §18.2.2, RFC 3581 §4), from the top Via the server transport
 * stamped on the request (via-received.ts) and copied into the response (§8.2.6.2).
 *
 * RFC 3261 §18.2.2: "If the "sent-protocol" is a reliable transport protocol such as TCP or SCTP,
 * or TLS over those, the response MUST be sent using the existing connection to the source of the
 * original request that created the transaction, if that connection is still open. ... If the
 * connection is no longer open, the server SHOULD open a connection to the IP address in the
 * "received" parameter, if present, using the port in the "sent-by" value, or the default port for
 * that transport, if no port is specified." ... "Otherwise (for unreliable unicast transports), if
 * the top Via has a "received" parameter, the response MUST be sent to the address in the
 * "received" parameter, using the port indicated in the "sent-by" value, or using port 5060 if
 * none is specified explicitly." ... "Otherwise, if it is not receiver-tagged, the response MUST be
 * sent to the address indicated by the "sent-by" value".
 * RFC 3581 §4: "the response MUST be sent to the IP address listed in the "received" parameter,
 * and the port in the "rport" parameter."
 *
 * Not done: the maddr rule (multicast); a response is never sent to a maddr, which could name any
 * host. A sent-by that is a domain name yields a route the transports refuse (they do no DNS).
 */
import type { SipMessage, SipResponse } from "../wire/sip/index.ts";
import { getHeaders, parseVia } from "../wire/sip/index.ts";
import { stripBrackets } from "./address.ts";
import type {
  ReceivedFrom,
  SendErrorHandler,
  SipTransport,
  TransportAddress,
  TransportProtocol,
} from "./types.ts";

/** RFC 3261 §18.1.1 / §19.1.2: "5060 for UDP, TCP and SCTP". */
export const DEFAULT_SIP_PORT = 5060;

export interface ResponseRoute {
  /** the connection the request came on (reliable transports) or the Via-derived address (UDP) */
  readonly primary: TransportAddress;
  /** reliable transports only: where to connect when that connection is gone */
  readonly fallback: TransportAddress | null;
}

/** The route for a response, or null when its top Via is missing, unreadable or names a transport we lack. */
export function routeResponse(response: SipResponse, source: TransportAddress | null): ResponseRoute | null {
  const top = getHeaders(response, "via")[0];
  const via = top === undefined ? null : parseVia(top);
  if (via === null) return null;
  const transport = via.transport.toLowerCase();
  if (transport !== "udp" && transport !== "tcp") return null;
  const host = stripBrackets(via.received ?? via.host);
  const sentByPort = via.port ?? DEFAULT_SIP_PORT;
  if (transport === "tcp") {
    const fallback: TransportAddress = { host, port: sentByPort, transport: "tcp" };
    const primary: TransportAddress =
      source !== null && source.transport === "tcp"
        ? { host: source.host, port: source.port, transport: "tcp" }
        : fallback;
    return { primary, fallback };
  }
  const port = via.received !== null && typeof via.rport === "number" ? via.rport : sentByPort;
  return { primary: { host, port, transport: transport as TransportProtocol }, fallback: null };
}

/**
 * Sends a response where §18.2.2 says. For TCP: on the request's connection while it is open,
 * else to received:sent-by-port. Returns false (and sends nothing) when there is no route.
 */
export function sendResponse(
  transport: SipTransport,
  response: SipResponse,
  source: ReceivedFrom | null,
  onError?: SendErrorHandler,
): boolean {
  const route = routeResponse(response, source);
  if (route === null) {
    onError?.("no route for the response (its top Via is missing, unreadable or not UDP/TCP)");
    return false;
  }
  const viaConnection = route.fallback !== null && source !== null;
  const to = viaConnection && !transport.hasConnection(route.primary) ? route.fallback! : route.primary;
  transport.send(response, to, onError);
  return true;
}

/**
 * A Sender (transaction/transaction-user.ts) bound to the source of a received request: what the
 * core passes as `send` when it creates the server transaction for that request.
 */
export function responseSender(
  transport: SipTransport,
  source: ReceivedFrom,
): (message: SipMessage, onError?: SendErrorHandler) => void {
  return (message, onError) => {
    if (message.kind === "response") sendResponse(transport, message, source, onError);
    else transport.send(message, source, onError);
  };
}
