export { InbandDtmfDetector } from "./detector.ts";
export { DigitTracker, SUB_BLOCK_MS } from "./digit-tracker.ts";
export type { InbandDigit, WindowResult } from "./digit-tracker.ts";
export { Q24_DEFAULT_PARAMS } from "./params.ts";
export type { InbandDtmfParams } from "./params.ts";
export {
  MULAW_TO_LINEAR,
  ALAW_TO_LINEAR,
  g711DecodeTable,
  linearToMulaw,
  linearToAlaw,
  encodeG711,
  G711_0DBM0_SINE_PEAK,
  dbm0ToSinePeak,
  dbm0ToSinePower,
} from "./g711.ts";
export type { G711Codec } from "./g711.ts";
export { goertzelDtmf, DTMF_GOERTZEL, SAMPLE_RATE_HZ, SUB_BLOCK_SAMPLES } from "./goertzel.ts";
export { DTMF_ROW_HZ, DTMF_COL_HZ, DTMF_KEYPAD, DTMF_TONES_HZ, dtmfToneOf } from "./keypad.ts";
export { classifyWindow, windowLimitsOf } from "./classify-window.ts";
