/**
 * The few SDP facts the RTP benchmark needs (RFC 8866 §5.7 c=, §5.14 m=; RFC 4733 §7.1.1
 * "a=rtpmap:<pt> telephone-event/8000"), read with line regexes, and the rewrite a media relay
 * does to an SDP it forwards: its own address and port in c= and m=.
 */

export interface SdpMedia {
  readonly address: string;
  readonly port: number;
  /** PT of telephone-event, null when absent */
  readonly telephoneEventPt: number | null;
}

export function readSdp(sdp: string): SdpMedia | null {
  const m = /^m=audio (\d+) /m.exec(sdp);
  const c = /^c=IN IP[46] (\S+)/m.exec(sdp);
  if (m === null || c === null) return null;
  const te = /^a=rtpmap:(\d+) telephone-event\//im.exec(sdp);
  return { address: c[1]!, port: Number(m[1]), telephoneEventPt: te === null ? null : Number(te[1]) };
}

/** The SDP with every c= address and the audio m= port replaced. */
export function rewriteSdp(sdp: string, address: string, port: number): string {
  return sdp.replace(/^c=IN IP4 \S+/gm, `c=IN IP4 ${address}`).replace(/^m=audio \d+ /m, `m=audio ${port} `);
}

/** A G.711 µ-law + telephone-event offer or answer (what the generator's endpoints send). */
export function endpointSdp(address: string, port: number, tePt: number): string {
  return (
    `v=0\r\no=- 1 1 IN IP4 ${address}\r\ns=-\r\nc=IN IP4 ${address}\r\nt=0 0\r\n` +
    `m=audio ${port} RTP/AVP 0 ${tePt}\r\na=rtpmap:0 PCMU/8000\r\n` +
    `a=rtpmap:${tePt} telephone-event/8000\r\na=fmtp:${tePt} 0-15\r\na=ptime:20\r\na=sendrecv\r\n`
  );
}
