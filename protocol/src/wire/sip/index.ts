/** SIP message codec: the public API of protocol/src/wire/sip. */
export type * from "./types.ts";
export { parseSip } from "./parse.ts";
export { serializeSip } from "./serialize.ts";
export { frameSipStream, MAX_BODY_BYTES, MAX_HEADER_BYTES, MAX_START_LINE_BYTES } from "./frame.ts";
export type { SipFrame } from "./frame.ts";
export { COMPACT_HEADER_NAMES, canonicalHeaderName } from "./header-names.ts";
export { SIP_STATUS_REASONS, defaultReason } from "./status-codes.ts";
export {
  getHeader,
  getHeaders,
  splitList,
  LIST_HEADERS,
  parseVia,
  parseNameAddr,
  parseCSeq,
  parseContentType,
} from "./headers.ts";
export type { Via, NameAddr, CSeq, ContentType } from "./headers.ts";
export { MAX_CSEQ } from "./cseq.ts";
export { parseSipUri, decodeEscapes } from "./uri.ts";
export type { SipUri } from "./uri.ts";
export { parseMultipart } from "./multipart.ts";
export type { MultipartPart, MultipartResult } from "./multipart.ts";
export { STRICT_HEADER_RULES } from "./header-rules.ts";
export type { HeaderRule } from "./header-rules.ts";
export {
  MANDATORY_REQUEST_HEADERS,
  MANDATORY_RESPONSE_HEADERS,
  SINGLE_VALUED_HEADERS,
} from "./message-checks.ts";
