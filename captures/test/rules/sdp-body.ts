/** SDP bodies (RFC 4566) for the rule tests: one audio m-line, codecs, optional telephone-event. */

export interface CodecSpec {
  pt: number;
  name: string;
  rate: number;
}

export interface SdpSpec {
  ip: string;
  port: number;
  codecs: readonly CodecSpec[];
  /** telephone-event (RFC 4733 §2.4.1): PT, clock rate (8000), fmtp events ("0-15"; null = no fmtp) */
  te?: { pt: number; rate?: number; events?: string | null } | null;
  /** extra telephone-event entries (RFC 4733 §2.4: one per audio clock rate) */
  extraTe?: readonly { pt: number; rate: number }[];
}

export const PCMU: CodecSpec = Object.freeze({ pt: 0, name: "PCMU", rate: 8000 });
export const PCMA: CodecSpec = Object.freeze({ pt: 8, name: "PCMA", rate: 8000 });
export const G729: CodecSpec = Object.freeze({ pt: 18, name: "G729", rate: 8000 });

export function sdpBody(s: SdpSpec): string {
  const te = s.te ?? null;
  const pts = [...s.codecs.map((c) => c.pt), ...(te ? [te.pt] : []), ...(s.extraTe ?? []).map((t) => t.pt)];
  const lines = [
    "v=0",
    `o=test 1 1 IN IP4 ${s.ip}`,
    "s=-",
    `c=IN IP4 ${s.ip}`,
    "t=0 0",
    `m=audio ${s.port} RTP/AVP ${pts.join(" ")}`,
    ...s.codecs.map((c) => `a=rtpmap:${c.pt} ${c.name}/${c.rate}`),
  ];
  if (te) {
    lines.push(`a=rtpmap:${te.pt} telephone-event/${te.rate ?? 8000}`);
    const events = te.events === undefined ? "0-15" : te.events;
    if (events !== null) lines.push(`a=fmtp:${te.pt} ${events}`);
  }
  for (const t of s.extraTe ?? [])
    lines.push(`a=rtpmap:${t.pt} telephone-event/${t.rate}`, `a=fmtp:${t.pt} 0-15`);
  lines.push("a=ptime:20", "a=sendrecv");
  return lines.join("\r\n") + "\r\n";
}
