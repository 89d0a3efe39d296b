/** RFC 3261 §17 transaction layer: four machines, matching, timers as data, the layer manager. */
export * from "./timers.ts";
export * from "./clock.ts";
export * from "./transaction-user.ts";
export * from "./build-response.ts";
export * from "./cancel.ts";
export * from "./matching.ts";
export * from "./invite-client.ts";
export * from "./non-invite-client.ts";
export * from "./invite-server.ts";
export * from "./non-invite-server.ts";
export * from "./uas-2xx.ts";
export * from "./inbound.ts";
export * from "./transaction-layer.ts";
export * from "./random-hex.ts";
export * from "./lingering.ts";
export * from "./limits.ts";
export { BRANCH_MAGIC_COOKIE } from "./message-fields.ts";
