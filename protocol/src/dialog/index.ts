/**
 * The dialog layer (RFC 3261 §12-§15) with offer/answer (RFC 3264, RFC 6337), PRACK (RFC 3262),
 * UPDATE (RFC 3311), session timers (RFC 4028) and the user agent core that ties it to the
 * transaction and transport layers. The B2BUA builds each call leg on an InviteSession.
 */
export * from "./sip-fields.ts";
export * from "./dialog-id.ts";
export * from "./route-set.ts";
export * from "./dialog.ts";
export * from "./in-dialog-request.ts";
export * from "./offer-answer.ts";
export * from "./glare.ts";
export * from "./hold.ts";
export * from "./prack.ts";
export * from "./session-timer-negotiation.ts";
export * from "./session-timer.ts";
export * from "./capabilities.ts";
export * from "./incoming-offer.ts";
export type * from "./ua-context.ts";
export * from "./invite-session-types.ts";
export * from "./invite-session.ts";
export * from "./session-uac.ts";
export * from "./session-uas.ts";
export * from "./target-refresh.ts";
export * from "./out-of-dialog-request.ts";
export * from "./user-agent.ts";
