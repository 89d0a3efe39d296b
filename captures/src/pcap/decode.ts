import { readCapture } from "./reader.ts";
import { TransportDecoder, type TransportDecoderOptions } from "./transport-decoder.ts";
import type { ReadOutcome, TransportPayload } from "./types.ts";

/**
 * Reads a pcap/pcapng file and calls `onPayload` for every UDP datagram (after IP reassembly)
 * and every run of new in-order TCP stream bytes, with ONE REUSED TransportPayload object whose
 * `frame` is the frame that completed the data. Frames that do not reach UDP/TCP (ARP, ICMP,
 * SCTP...) are counted in `stats.undecoded` and reported to `opts.onUndecoded`, never errors.
 * Never throws on file contents (see readCapture for how a bad file is reported).
 */
export function readTransport(
  path: string,
  onPayload: (p: TransportPayload) => void,
  opts: TransportDecoderOptions & { onFirstFrame?: (tsS: number) => void } = {},
): ReadOutcome {
  const decoder = new TransportDecoder(onPayload, opts);
  const onFirst = opts.onFirstFrame;
  let seen = onFirst === undefined;
  const outcome = readCapture(path, (frame) => {
    if (!seen) {
      seen = true;
      onFirst!(frame.tsS);
    }
    decoder.frame(frame);
  });
  outcome.warnings.push(...decoder.finish());
  outcome.stats.undecoded = decoder.undecoded;
  outcome.transport = decoder.counts;
  return outcome;
}
