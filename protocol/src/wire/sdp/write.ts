import { formatRtpMapValue } from "./parse.ts";
import type { MediaDirection, RtpMap, SdpAttribute } from "./types.ts";

/** What `writeSdp` needs for one m= section. A parsed `SdpMedia` fits as is. */
export interface SdpMediaInput {
  readonly type: string;
  readonly port: number;
  readonly proto: string;
  /** RTP payload types for the m-line; when absent, `formats`, else the PTs of `rtpmaps` */
  readonly payloads?: readonly number[];
  /** m-line formats as written; used for non-RTP protos (e.g. ["t38"]) or when `payloads` is absent */
  readonly formats?: readonly string[];
  readonly rtpmaps?: readonly RtpMap[];
  readonly fmtp?: Readonly<Record<number, string>>;
  readonly ptimeMs?: number | null;
  readonly direction?: MediaDirection;
  /** written as a media-level c= only when it differs from the session-level one */
  readonly connection?: string | null;
  readonly otherAttributes?: readonly SdpAttribute[];
}

/** What `writeSdp` needs for a session. A parsed `SessionDescription` fits as is. */
export interface SdpInput {
  readonly origin?: {
    readonly username: string;
    readonly sessionId: string;
    readonly version: string;
    readonly address: string;
  } | null;
  readonly sessionName?: string;
  readonly connection?: string | null;
  readonly media: readonly SdpMediaInput[];
}

/**
 * Writes an SDP body (RFC 4566 §5, lines in the order the RFC requires: v, o, s, c, t, then each
 * m= section with its c= and a= lines), CRLF line ends and a final CRLF.
 *
 * Per m-line: `a=rtpmap` for every payload that has one (static ones too, as most stacks do),
 * `a=fmtp` per payload, `a=ptime`, the direction, then `otherAttributes` as given. The derived
 * `telephoneEvent` of a parsed SdpMedia is not read: the rtpmaps and fmtp carry it.
 * Throws (a caller bug) on values that cannot be written: ports outside 0-65535, PTs outside 0-127,
 * or text containing CR/LF.
 */
export function writeSdp(input: SdpInput): string {
  const sessionConnection = input.connection ?? null;
  const origin = input.origin ?? {
    username: "-",
    sessionId: "0",
    version: "0",
    address: sessionConnection ?? "0.0.0.0",
  };
  const lines: string[] = [
    "v=0",
    `o=${origin.username} ${origin.sessionId} ${origin.version} IN ${addrType(origin.address)} ${origin.address}`,
    `s=${input.sessionName ?? "-"}`,
  ];
  if (sessionConnection !== null) lines.push(connectionLine(sessionConnection));
  lines.push("t=0 0");
  for (const m of input.media) lines.push(...mediaLines(m, sessionConnection));
  for (const line of lines) {
    if (/[\r\n]/.test(line)) throw new Error(`SDP value contains a line break: ${JSON.stringify(line)}`);
  }
  return lines.join("\r\n") + "\r\n";
}

function mediaLines(m: SdpMediaInput, sessionConnection: string | null): string[] {
  if (!Number.isInteger(m.port) || m.port < 0 || m.port > 65535) {
    throw new RangeError(`SDP port out of range: ${m.port}`);
  }
  const isRtp = /(^|\/)RTP\//i.test(m.proto);
  const rtpmaps = m.rtpmaps ?? [];
  const payloads = isRtp ? (m.payloads ?? numericFormats(m.formats) ?? rtpmaps.map((r) => r.pt)) : [];
  for (const pt of payloads) {
    if (!Number.isInteger(pt) || pt < 0 || pt > 127)
      throw new RangeError(`RTP payload type out of range: ${pt}`);
  }
  const formats = isRtp ? payloads.map(String) : (m.formats ?? []);
  const lines = [`m=${m.type} ${m.port} ${m.proto}${formats.length > 0 ? " " + formats.join(" ") : ""}`];
  const connection = m.connection ?? null;
  if (connection !== null && connection !== sessionConnection) lines.push(connectionLine(connection));

  const written = new Set<number>();
  for (const pt of payloads) {
    const rtpmap = rtpmaps.find((r) => r.pt === pt);
    if (rtpmap && !written.has(pt)) lines.push(`a=rtpmap:${formatRtpMapValue(rtpmap)}`);
    written.add(pt);
  }
  const fmtp = m.fmtp ?? {};
  for (const pt of new Set(payloads)) {
    const params = fmtp[pt];
    if (params !== undefined) lines.push(params === "" ? `a=fmtp:${pt}` : `a=fmtp:${pt} ${params}`);
  }
  if (m.ptimeMs !== undefined && m.ptimeMs !== null) lines.push(`a=ptime:${m.ptimeMs}`);
  if (m.direction !== undefined) lines.push(`a=${m.direction}`);
  for (const attr of m.otherAttributes ?? []) {
    lines.push(attr.value === null ? `a=${attr.name}` : `a=${attr.name}:${attr.value}`);
  }
  return lines;
}

function numericFormats(formats: readonly string[] | undefined): number[] | undefined {
  if (formats === undefined) return undefined;
  return formats.filter((f) => /^\d{1,3}$/.test(f)).map(Number);
}

/** RFC 4566 §5.7: c=IN IP4 <address> (IP6 when the address has a colon) */
function connectionLine(address: string): string {
  return `c=IN ${addrType(address)} ${address}`;
}

function addrType(address: string): "IP4" | "IP6" {
  return address.includes(":") ? "IP6" : "IP4";
}
