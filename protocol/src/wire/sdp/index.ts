export type * from "./types.ts";
export { parseSdp, formatRtpMapValue } from "./parse.ts";
export { writeSdp } from "./write.ts";
export type { SdpInput, SdpMediaInput } from "./write.ts";
export { negotiatedAudio, firstAudio, sameFormat } from "./offer-answer.ts";
export type { NegotiatedAudio } from "./offer-answer.ts";
export { STATIC_PAYLOAD_TYPES, DYNAMIC_PT_MIN, DYNAMIC_PT_MAX, staticRtpMap } from "./static-payloads.ts";
export {
  TELEPHONE_EVENT_DEFAULT_EVENTS,
  parseTelephoneEventList,
  formatTelephoneEventList,
} from "./telephone-event-fmtp.ts";
