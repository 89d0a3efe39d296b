/**
 * Session timer negotiation (RFC 4028), as pure functions over messages.
 *
 *   Session-Expires = ("Session-Expires" / "x") HCOLON delta-seconds *(SEMI se-params)
 *   se-params       = refresher-param / generic-param;  refresher-param = "refresher" EQUAL ("uas" / "uac")
 *   Min-SE          = "Min-SE" HCOLON delta-seconds *(SEMI generic-param)        (RFC 4028 §4, §5)
 *
 * RFC 4028 §4: "the Min-SE ... MUST NOT be less than 90 seconds" (the default minimum).
 * RFC 4028 §8.1 / §9 (UAS): "If the Session-Expires value is less than the Min-SE value that the
 * UAS is configured with, the UAS MUST reject the request with a 422 (Session Interval Too
 * Small) response ... The 422 response MUST contain a Min-SE header field with the value of the
 * minimum interval that the UAS is willing to accept." ... "If the request contained a
 * Supported header field with the value "timer" ... the UAS MUST ... set the refresher parameter
 * ... If the request did not contain a refresher parameter, the UAS MUST set it [to "uac" or
 * "uas"]" ... "the UAS MUST add a Require header field with the value "timer" to the 2xx
 * response" ... "If the request did not contain a Supported: timer, ... the refresher parameter
 * MUST be set to "uas"" (the UAS refreshes alone, no Require). "If the incoming request
 * contains ... no Session-Expires ... the UAS MAY include a Session-Expires in the response".
 * RFC 4028 §7.2 (UAC): "If the 2xx response did not contain a Session-Expires header field, there
 * is no session expiration." A missing refresher in the response means the UAS does not support
 * the extension and the UAC refreshes (§7.2: "the UAC MUST ... perform the refreshes").
 * RFC 4028 §7.4: "the UAC MAY retry the request. ... It MUST contain a Min-SE header field with
 * the value of the Min-SE header field in the 422 ... and Session-Expires ... greater than or
 * equal to the value in Min-SE".
 */
import type { SipHeader, SipRequest, SipResponse } from "../wire/sip/index.ts";
import { getHeader } from "../wire/sip/index.ts";
import { header, optionTags } from "./sip-fields.ts";

/** RFC 4028 §4: "the minimum value of Min-SE is 90 seconds". */
export const RFC4028_MIN_SE_S = 90;

export type Refresher = "uac" | "uas";

export interface SessionTimerConfig {
  /** the interval we ask for (UAC) and the most we grant (UAS) */
  readonly sessionExpiresS: number;
  /** the least we accept: smaller requests get 422 (default 90, CUCM sends 1800) */
  readonly minSeS: number;
  /** who refreshes when we choose as UAS */
  readonly refresher: Refresher;
}

export const DEFAULT_SESSION_TIMER: SessionTimerConfig = Object.freeze({
  sessionExpiresS: 1800,
  minSeS: RFC4028_MIN_SE_S,
  refresher: "uac",
});

export interface SessionExpires {
  readonly deltaS: number;
  readonly refresher: Refresher | null;
}

export function parseSessionExpires(value: string | undefined): SessionExpires | null {
  if (value === undefined) return null;
  const m = /^\s*(\d{1,10})\s*((?:;.*)?)$/.exec(value);
  if (m === null) return null;
  const r = /;\s*refresher\s*=\s*(uac|uas)\b/i.exec(m[2]!)?.[1]?.toLowerCase();
  return { deltaS: Number(m[1]), refresher: r === "uac" || r === "uas" ? r : null };
}

export function parseMinSe(value: string | undefined): number | null {
  if (value === undefined) return null;
  const m = /^\s*(\d{1,10})\s*(?:;.*)?$/.exec(value);
  return m === null ? null : Number(m[1]);
}

/** What the session runs after a negotiation: the interval and whether we refresh. */
export interface NegotiatedTimer {
  readonly intervalS: number;
  readonly weRefresh: boolean;
}

/** Headers a UAC puts in an INVITE or UPDATE that asks for (or refreshes) a session timer. */
export function uacTimerHeaders(
  cfg: SessionTimerConfig,
  current: NegotiatedTimer | null = null,
): SipHeader[] {
  const se = current?.intervalS ?? cfg.sessionExpiresS;
  // RFC 4028 §7.4: a refresh keeps the refresher role: we send it, so we are this transaction's UAC
  const refresher = current === null ? "" : `;refresher=${current.weRefresh ? "uac" : "uas"}`;
  return [header("session-expires", `${se}${refresher}`), header("min-se", String(cfg.minSeS))];
}

export type UasTimerDecision =
  | { readonly kind: "reject-422"; readonly minSeS: number }
  | { readonly kind: "none" }
  | {
      readonly kind: "accept";
      readonly intervalS: number;
      readonly refresher: Refresher;
      /** the UAC supports timer: Require: timer goes in the 2xx */
      readonly requireTimer: boolean;
    };

/** The UAS's answer to an INVITE / UPDATE as far as session timers go (RFC 4028 §9). */
export function uasTimerDecision(request: SipRequest, cfg: SessionTimerConfig | null): UasTimerDecision {
  const se = parseSessionExpires(getHeader(request, "session-expires"));
  const uacSupports =
    optionTags(request, "supported").has("timer") || optionTags(request, "require").has("timer");
  if (se !== null && cfg !== null && se.deltaS < cfg.minSeS)
    return { kind: "reject-422", minSeS: cfg.minSeS };
  if (se === null && cfg === null) return { kind: "none" };
  if (se === null) {
    const refresher = uacSupports ? cfg!.refresher : "uas";
    return { kind: "accept", intervalS: cfg!.sessionExpiresS, refresher, requireTimer: uacSupports };
  }
  // RFC 4028 §9: the UAS may shorten the interval, never below the request's Min-SE (or 90)
  const theirMin = Math.max(RFC4028_MIN_SE_S, parseMinSe(getHeader(request, "min-se")) ?? RFC4028_MIN_SE_S);
  const ours = cfg?.sessionExpiresS ?? se.deltaS;
  const intervalS = Math.max(theirMin, Math.min(se.deltaS, ours));
  const refresher: Refresher = !uacSupports ? "uas" : (se.refresher ?? cfg?.refresher ?? "uac");
  return { kind: "accept", intervalS, refresher, requireTimer: uacSupports };
}

/** Headers of the 2xx for an accepted decision. */
export function uasTimerHeaders(d: UasTimerDecision): SipHeader[] {
  if (d.kind !== "accept") return [];
  const out = [header("session-expires", `${d.intervalS};refresher=${d.refresher}`)];
  if (d.requireTimer) out.push(header("require", "timer"));
  return out;
}

/** The 422 extra header (RFC 4028 §9: "MUST contain a Min-SE header field"). */
export function minSeHeader(minSeS: number): SipHeader {
  return header("min-se", String(minSeS));
}

/** RFC 4028 §7.2: what a UAC runs after a 2xx to its INVITE / UPDATE, or null for no timer. */
export function uacTimerFromResponse(response: SipResponse): NegotiatedTimer | null {
  const se = parseSessionExpires(getHeader(response, "session-expires"));
  if (se === null) return null;
  return { intervalS: se.deltaS, weRefresh: (se.refresher ?? "uac") === "uac" };
}

/** RFC 4028 §7.4: the Session-Expires / Min-SE to retry with after a 422, or null when unusable. */
export function retryAfter422(response: SipResponse, cfg: SessionTimerConfig): SessionTimerConfig | null {
  if (response.status !== 422) return null;
  const min = parseMinSe(getHeader(response, "min-se"));
  if (min === null || min < RFC4028_MIN_SE_S) return null;
  return { ...cfg, minSeS: Math.max(cfg.minSeS, min), sessionExpiresS: Math.max(cfg.sessionExpiresS, min) };
}
