/**
 * Route sets and the Request-URI / Route of requests inside a dialog.
 *
 * RFC 3261 §12.1.1 (UAS): "The route set MUST be set to the list of URIs in the Record-Route
 * header field from the request, taken in order and preserving all URI parameters."
 * RFC 3261 §12.1.2 (UAC): "The route set MUST be set to the list of URIs in the Record-Route
 * header field from the response, taken in reverse order and preserving all URI parameters."
 * RFC 3261 §12.2.1.1: "If the route set is empty, the UAC MUST place the remote target URI into
 * the Request-URI. The UAC MUST NOT add a Route header field to the request. If the route set is
 * not empty, and the first URI in the route set contains the lr parameter (see Section 19.1.1),
 * the UAC MUST place the remote target URI into the Request-URI and MUST include a Route header
 * field containing the route set values in order, including all parameters. If the route set is
 * not empty, and its first URI does not contain the lr parameter, the UAC MUST place the first
 * URI from the route set into the Request-URI, stripping any parameters that are not allowed in a
 * Request-URI. The UAC MUST add a Route header field containing the remainder of the route set
 * values in order, including all parameters. The UAC MUST then place the remote target URI into
 * the Route header field as the last value."
 * RFC 3261 §8.1.2: the request goes to the first Route URI when there is a Route (loose routing),
 * else to the Request-URI.
 */
import type { SipMessage } from "../wire/sip/index.ts";
import { getHeaders, parseNameAddr, parseSipUri } from "../wire/sip/index.ts";

/** Route set entries as written in Record-Route (name-addr, usually `<sip:host;lr>`). */
export type RouteSet = readonly string[];

export function routeSetFrom(message: SipMessage, role: "uac" | "uas"): RouteSet {
  const rr = getHeaders(message, "record-route");
  return Object.freeze(role === "uac" ? [...rr].reverse() : rr);
}

export function uriOfRoute(entry: string): string {
  return parseNameAddr(entry)?.uri ?? entry.replace(/^<|>$/g, "");
}

/** RFC 3261 §19.1.1: the `lr` parameter marks a loose router (RFC 3261 §16.12.1). */
export function isLooseRouter(entry: string): boolean {
  const uri = parseSipUri(uriOfRoute(entry));
  return uri !== null && Object.hasOwn(uri.params, "lr");
}

export interface RequestTarget {
  readonly requestUri: string;
  /** Route header values, in order */
  readonly routes: readonly string[];
}

/** §12.2.1.1 for a route set and a remote target. */
export function requestTarget(routeSet: RouteSet, remoteTarget: string): RequestTarget {
  const first = routeSet[0];
  if (first === undefined) return { requestUri: remoteTarget, routes: [] };
  if (isLooseRouter(first)) return { requestUri: remoteTarget, routes: [...routeSet] };
  return {
    requestUri: stripForRequestUri(uriOfRoute(first)),
    routes: [...routeSet.slice(1), `<${remoteTarget}>`],
  };
}

/**
 * RFC 3261 §19.1.1 table: the `method` parameter and URI headers are "not allowed" in a
 * Request-URI (`maddr`, `ttl`, `transport`, `user`, `lr` are).
 */
export function stripForRequestUri(uri: string): string {
  const q = uri.indexOf("?");
  const noHeaders = q < 0 ? uri : uri.slice(0, q);
  return noHeaders.replace(/;method=[^;]*/gi, "");
}

/** RFC 3261 §8.1.2: where a request goes first: the top Route's URI, else the Request-URI. */
export function nextHopUri(request: {
  readonly uri: string;
  readonly headers: SipMessage["headers"];
}): string {
  const top = getHeaders(request as SipMessage, "route")[0];
  return top === undefined ? request.uri : uriOfRoute(top);
}
