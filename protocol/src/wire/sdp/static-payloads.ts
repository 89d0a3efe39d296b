import type { RtpMap } from "./types.ts";

/**
 * RFC 3551 §6, Table 4 (audio) and Table 5 (video): payload types with a static mapping in the
 * RTP/AVP profile. "An rtpmap attribute MAY be omitted for static payload types" (RFC 4566 §6,
 * rtpmap), so an m-line such as `m=audio 4000 RTP/AVP 0 8 18` is complete without a=rtpmap lines.
 *
 * Channels are only given where the table says more than one (PT 10, L16 stereo); absent means 1.
 * PTs 1, 2 and 19 are reserved (formerly 1016, G721, CN) and have no mapping here.
 */
export const STATIC_PAYLOAD_TYPES: Readonly<Record<number, RtpMap>> = Object.freeze({
  0: Object.freeze({ pt: 0, name: "PCMU", clockRate: 8000 }),
  3: Object.freeze({ pt: 3, name: "GSM", clockRate: 8000 }),
  4: Object.freeze({ pt: 4, name: "G723", clockRate: 8000 }),
  5: Object.freeze({ pt: 5, name: "DVI4", clockRate: 8000 }),
  6: Object.freeze({ pt: 6, name: "DVI4", clockRate: 16000 }),
  7: Object.freeze({ pt: 7, name: "LPC", clockRate: 8000 }),
  8: Object.freeze({ pt: 8, name: "PCMA", clockRate: 8000 }),
  // RFC 3551 §4.5.2: G722 uses an RTP clock rate of 8000 although it samples at 16 kHz.
  9: Object.freeze({ pt: 9, name: "G722", clockRate: 8000 }),
  10: Object.freeze({ pt: 10, name: "L16", clockRate: 44100, channels: 2 }),
  11: Object.freeze({ pt: 11, name: "L16", clockRate: 44100 }),
  12: Object.freeze({ pt: 12, name: "QCELP", clockRate: 8000 }),
  13: Object.freeze({ pt: 13, name: "CN", clockRate: 8000 }),
  14: Object.freeze({ pt: 14, name: "MPA", clockRate: 90000 }),
  15: Object.freeze({ pt: 15, name: "G728", clockRate: 8000 }),
  16: Object.freeze({ pt: 16, name: "DVI4", clockRate: 11025 }),
  17: Object.freeze({ pt: 17, name: "DVI4", clockRate: 22050 }),
  18: Object.freeze({ pt: 18, name: "G729", clockRate: 8000 }),
  25: Object.freeze({ pt: 25, name: "CelB", clockRate: 90000 }),
  26: Object.freeze({ pt: 26, name: "JPEG", clockRate: 90000 }),
  28: Object.freeze({ pt: 28, name: "nv", clockRate: 90000 }),
  31: Object.freeze({ pt: 31, name: "H261", clockRate: 90000 }),
  32: Object.freeze({ pt: 32, name: "MPV", clockRate: 90000 }),
  33: Object.freeze({ pt: 33, name: "MP2T", clockRate: 90000 }),
  34: Object.freeze({ pt: 34, name: "H263", clockRate: 90000 }),
});

/** RFC 3551 §3: "dynamic" payload types 96-127 are bound by signalling (a=rtpmap), never statically. */
export const DYNAMIC_PT_MIN = 96;
export const DYNAMIC_PT_MAX = 127;

/** The RFC 3551 static mapping for `pt`, or null (dynamic, reserved or unassigned). */
export function staticRtpMap(pt: number): RtpMap | null {
  return Object.hasOwn(STATIC_PAYLOAD_TYPES, pt) ? (STATIC_PAYLOAD_TYPES[pt] ?? null) : null;
}
