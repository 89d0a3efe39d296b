/** RTP streams in a message between threads (packet-worker.ts -> two-threads.ts). */
import type { RtpStream } from "./context.ts";

/**
 * Streams cross threads with their per-PT tables packed into two transferred buffers: cloned one
 * by one, 2 x 512-byte typed arrays per stream cost the receiving thread an allocation each.
 */
export interface PackedStreams {
  streams: RtpStream[];
  ptCounts: Uint32Array;
  ptFirstLen: Int32Array;
}

const PT_SLOTS = 128;

export function pack(streams: RtpStream[]): { packed: PackedStreams; transfer: ArrayBuffer[] } {
  const ptCounts = new Uint32Array(streams.length * PT_SLOTS);
  const ptFirstLen = new Int32Array(streams.length * PT_SLOTS);
  const light = streams.map((s, i) => {
    ptCounts.set(s.ptCounts, i * PT_SLOTS);
    ptFirstLen.set(s.ptFirstLen, i * PT_SLOTS);
    return { ...s, ptCounts: EMPTY_U32, ptFirstLen: EMPTY_I32 };
  });
  return {
    packed: { streams: light, ptCounts, ptFirstLen },
    transfer: [ptCounts.buffer as ArrayBuffer, ptFirstLen.buffer as ArrayBuffer],
  };
}
const EMPTY_U32 = new Uint32Array(0);
const EMPTY_I32 = new Int32Array(0);

/** The receiving side of pack(): each stream's tables become views into the two buffers. */
export function unpack(p: PackedStreams): RtpStream[] {
  p.streams.forEach((s, i) => {
    s.ptCounts = p.ptCounts.subarray(i * PT_SLOTS, (i + 1) * PT_SLOTS);
    s.ptFirstLen = p.ptFirstLen.subarray(i * PT_SLOTS, (i + 1) * PT_SLOTS);
  });
  return p.streams;
}
