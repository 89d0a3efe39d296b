export {
  parseTelephoneEvent,
  parseTelephoneEvents,
  writeTelephoneEvent,
  buildTelephoneEvent,
  TELEPHONE_EVENT_LENGTH,
} from "./telephone-event.ts";
export type {
  TelephoneEvent,
  TelephoneEventFields,
  TelephoneEventResult,
  TelephoneEventsResult,
  TelephoneEventError,
  TelephoneEventErrorCode,
} from "./telephone-event.ts";
export {
  DTMF_EVENT_BY_DIGIT,
  DTMF_DIGIT_BY_EVENT,
  DTMF_EVENT_MAX,
  FLASH_EVENT,
  dtmfDigitForEvent,
  dtmfEventForDigit,
} from "./dtmf-events.ts";
