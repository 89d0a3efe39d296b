/** The SIP transport layer (RFC 3261 §18, RFC 3581): UDP, TCP, a fake network, Via handling. */
export type * from "./types.ts";
export * from "./address.ts";
export * from "./via-received.ts";
export * from "./response-route.ts";
export * from "./inbound.ts";
export * from "./outbound.ts";
export * from "./stream-framer.ts";
export * from "./source-limiter.ts";
export * from "./receive-pipeline.ts";
export * from "./udp-transport.ts";
export * from "./tcp-transport.ts";
export * from "./fake-transport.ts";
export * from "./transport-set.ts";
export * from "./target.ts";
