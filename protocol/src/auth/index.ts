/** Digest authentication (RFC 2617, RFC 3261 §22) as client and as server. */
export * from "./digest-params.ts";
export * from "./digest-response.ts";
export * from "./digest-client.ts";
export * from "./digest-server.ts";
export * from "./nonce.ts";
export * from "./resubmit.ts";
