export { DTMF_DIGITS, isDtmfDigit, normalizeDtmfDigit } from "./digits.ts";
export type { DtmfDigit } from "./digits.ts";
export { parseDtmfSignal } from "./signal.ts";
export type { SignalResult } from "./signal.ts";
export {
  parseDtmfInfoBody,
  writeDtmfRelayBody,
  writeDtmfBody,
  DTMF_RELAY_CONTENT_TYPE,
  DTMF_CONTENT_TYPE,
} from "./sip-info.ts";
export type { DtmfInfoResult, DtmfInfoErrorCode } from "./sip-info.ts";
export {
  parseKpmlRequest,
  parseKpmlResponse,
  writeKpmlRequest,
  writeKpmlResponse,
  KPML_REQUEST_CONTENT_TYPE,
  KPML_RESPONSE_CONTENT_TYPE,
  KPML_REQUEST_NAMESPACE,
  KPML_RESPONSE_NAMESPACE,
} from "./kpml.ts";
export type {
  KpmlPersist,
  KpmlRegex,
  KpmlRequest,
  KpmlResponse,
  KpmlError,
  KpmlErrorCode,
  KpmlRequestResult,
  KpmlResponseResult,
  KpmlRequestFields,
  KpmlResponseFields,
} from "./kpml.ts";
export {
  parseCiscoNotifyBody,
  writeCiscoNotifyBody,
  parseCiscoCallInfoNotify,
  writeCiscoCallInfoNotify,
  CISCO_NOTIFY_EVENT_PACKAGE,
  CISCO_NOTIFY_CONTENT_TYPE,
} from "./cisco-notify.ts";
export type { CiscoNotifyResult, CiscoNotifyErrorCode } from "./cisco-notify.ts";
