/**
 * The B2BUA (issue 3): each call is two dialogs with media anchored on our RTP ports, codecs chosen
 * per leg from a policy, DTMF relayed and interworked per leg (RFC 4733, KPML, INFO, Cisco NOTIFY).
 */
export * from "./b2bua-policy.ts";
export * from "./codec-policy.ts";
export * from "./leg-sdp.ts";
export * from "./dtmf-method.ts";
export * from "./sdp-view.ts";
export * from "./max-forwards.ts";
export { KPML_DEFAULT_EXPIRES_S, KPML_REFRESH_MARGIN_S, kpmlRefreshDelayMs } from "./kpml-subscriber.ts";
export type { KpmlSubscriptionState } from "./kpml-subscriber.ts";
export type * from "./call-context.ts";
export { B2bua, B2BUA_CAPABILITIES } from "./b2bua.ts";
export type { B2buaOptions, B2buaStats } from "./b2bua.ts";
export { B2buaCall } from "./call.ts";
