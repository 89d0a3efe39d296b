import type { CaptureError } from "./types.ts";

/** The closed set of ways a capture stops early, as values (never thrown). */
export const captureErrors = Object.freeze({
  notACapture: (): CaptureError => ({
    code: "not-a-capture",
    message: "not a pcap or pcapng file",
    atByte: 0,
  }),
  truncated: (atByte: number): CaptureError => ({
    code: "truncated",
    message: `truncated at byte ${atByte}`,
    atByte,
  }),
  corrupt: (atByte: number, what: string): CaptureError => ({
    code: "corrupt",
    message: `corrupt at byte ${atByte}: ${what}`,
    atByte,
  }),
  io: (atByte: number, err: Error): CaptureError => ({
    code: "io",
    message: `read error at byte ${atByte}: ${err.message}`,
    atByte,
  }),
});
