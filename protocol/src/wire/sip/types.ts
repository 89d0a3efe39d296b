/**
 * SIP message model (RFC 3261 §7). Plain discriminated unions so a parsed message serializes
 * straight into JSON goldens. Header names are kept as written (`raw`) and normalised to their
 * lower-case long form (`name`): compact forms (RFC 3261 §7.3.3, e.g. `i` -> `call-id`) expanded.
 */
export interface SipHeader {
  /** lower-case long form, e.g. "call-id", "via", "content-length" */
  readonly name: string;
  /** the name exactly as on the wire, e.g. "i" or "CALL-ID" */
  readonly raw: string;
  /** the value with folding (LWS/CRLF continuation) collapsed to one SP and outer whitespace trimmed */
  readonly value: string;
}

export interface SipRequest {
  readonly kind: "request";
  readonly method: string;
  readonly uri: string;
  readonly version: string;
  readonly headers: readonly SipHeader[];
  readonly body: Buffer;
}

export interface SipResponse {
  readonly kind: "response";
  readonly status: number;
  readonly reason: string;
  readonly version: string;
  readonly headers: readonly SipHeader[];
  readonly body: Buffer;
}

export type SipMessage = SipRequest | SipResponse;

/** strict: RFC 3261 grammar as RFC 4475 expects; lenient: keep what can be kept (captures). */
export type SipParseMode = "strict" | "lenient";

export interface SipParseOptions {
  /**
   * Reject (strict mode) a message that lacks a header RFC 3261 §8.1.1 makes mandatory (To, From,
   * CSeq, Call-ID, Via; plus Max-Forwards in requests). Default false: RFC 4475 §3.3.1 classes
   * such a message as parseable (the UAS answers 400), so by default the lack is a warning.
   */
  readonly requireMandatoryHeaders?: boolean;
  /**
   * Lenient mode only: skip the message-level checks (mandatory headers, CSeq/method agreement,
   * scalar ranges) whose results are only warnings there. For bulk capture analysis.
   */
  readonly skipLenientChecks?: boolean;
  /**
   * Lenient mode only: build only the header fields with these canonical names (lower case, long
   * form) and Content-Length (the body's framing needs it); the others are skipped unparsed, with
   * no warnings about them. For bulk capture analysis, which reads a few headers of each message.
   */
  readonly keepHeaders?: ReadonlySet<string>;
}

export type SipParseErrorCode =
  | "empty"
  | "not-sip"
  | "bad-start-line"
  | "bad-version"
  | "bad-header"
  | "missing-header"
  | "bad-header-value"
  | "content-length-mismatch"
  | "truncated"
  | "bad-uri"
  | "bad-cseq"
  | "bad-via";

export interface SipParseError {
  readonly code: SipParseErrorCode;
  readonly message: string;
}

export type SipParseResult =
  | {
      readonly ok: true;
      readonly message: SipMessage;
      /** bytes consumed from the input (start of the next message on a stream) */
      readonly consumed: number;
      /**
       * problems tolerated: in lenient mode anything recoverable; in strict mode only semantic
       * ones RFC 4475 §3.3 says a parser accepts (missing mandatory headers, duplicated
       * single-valued headers, conflicting Content-Length values)
       */
      readonly warnings: readonly SipParseError[];
    }
  | { readonly ok: false; readonly error: SipParseError };
