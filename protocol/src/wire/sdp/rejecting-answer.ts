import { parseSdp } from "./parse.ts";
import { writeSdp } from "./write.ts";

/**
 * An answer that rejects every stream of `offer`: what a UA that cannot accept an offer it must
 * answer sends. RFC 3261 §13.2.2.4: "If the offer in the 2xx response is not acceptable, the UAC
 * core MUST generate a valid answer in the ACK and then send a BYE immediately"; RFC 3262 §5: the
 * answer to an offer in a reliable provisional response goes in the PRACK. RFC 3264 §6: "To reject
 * an offered stream, the port number in the corresponding stream in the answer MUST be set to zero.
 * Any media formats listed are ignored. At least one MUST be present" — so each m= line is copied
 * with port 0 and its first format only, in the offer's order (§6: "the same number of m-lines").
 *
 * `originAddress`: our address for the o= line. Null when the offer does not parse (then no
 * answer can match its m-lines).
 */
export function rejectingAnswer(offer: string, originAddress: string): string | null {
  const parsed = parseSdp(offer);
  if (!parsed.ok) return null;
  const sessionId = String(Math.floor(Date.now() / 1000));
  return writeSdp({
    origin: { username: "-", sessionId, version: sessionId, address: originAddress },
    connection: originAddress,
    media: parsed.sdp.media.map((m) => ({
      type: m.type,
      port: 0,
      proto: m.proto,
      formats: m.formats.length > 0 ? [m.formats[0]!] : ["0"],
      payloads: m.payloads.length > 0 ? [m.payloads[0]!] : /(^|\/)RTP\//i.test(m.proto) ? [0] : [],
    })),
  });
}
