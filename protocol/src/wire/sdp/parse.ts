import { staticRtpMap } from "./static-payloads.ts";
import { parseTelephoneEventList, TELEPHONE_EVENT_DEFAULT_EVENTS } from "./telephone-event-fmtp.ts";
import type {
  MediaDirection,
  RtpMap,
  SdpAttribute,
  SdpMedia,
  SdpParseResult,
  SessionDescription,
  TelephoneEventInfo,
} from "./types.ts";

/**
 * SDP (RFC 4566) reader for offer/answer and DTMF checks.
 *
 * RFC 4566 §5: "An SDP session description consists of a number of lines of text of the form
 * <type>=<value>" ... "the session-level section ... the media-level sections, each beginning
 * with an 'm=' line". We accept CRLF, LF or CR line ends (RFC 4566 §5 asks parsers to accept a
 * bare LF) and skip what we do not understand; only a missing v= line (`not-sdp`) and an
 * unreadable m= line (`bad-media`, it would misplace every attribute after it) are fatal.
 */
export function parseSdp(text: string): SdpParseResult {
  const ignored: string[] = [];
  const session: SessionState = {
    origin: null,
    sessionName: undefined,
    connection: null,
    direction: null,
    ptimeMs: null,
  };
  const media: MediaState[] = [];
  let sawVersion = false;

  for (const line of splitLines(text)) {
    if (line.trim() === "") continue;
    if (!sawVersion) {
      // RFC 4566 §5: the description starts with v=; text before it is not SDP.
      if (/^v\s*=/.test(line)) sawVersion = true;
      else ignored.push(line);
      continue;
    }
    // <type>=<value> (value trimmed): the common `x=...` shape read directly, anything else by the regex
    let type: string;
    let value: string;
    const c0 = line.charCodeAt(0) | 0x20;
    if (line.charCodeAt(1) === 0x3d && c0 >= 0x61 && c0 <= 0x7a && !UNICODE_LINE_BREAK.test(line)) {
      type = line[0]!;
      value = line.slice(2).trim();
    } else {
      const m = TYPED_LINE.exec(line);
      if (m === null) {
        ignored.push(line);
        continue;
      }
      type = m[1]!;
      value = m[2]!.trim();
    }
    const current = media[media.length - 1];
    switch (type) {
      case "o": {
        const origin = parseOrigin(value);
        if (origin && !current) session.origin = origin;
        else ignored.push(line);
        break;
      }
      case "s":
        if (!current) session.sessionName = value;
        break;
      case "c": {
        const address = parseConnection(value);
        if (address === null) ignored.push(line);
        else if (current) current.connection = address;
        else session.connection = address;
        break;
      }
      case "m": {
        const m = parseMediaLine(value);
        if (!m) {
          return { ok: false, error: { code: "bad-media", message: `unreadable m= line: ${line}` } };
        }
        media.push(m);
        break;
      }
      case "a": {
        // RFC 4566 §5.13: a=<attribute> or a=<attribute>:<value>
        const colon = value.indexOf(":");
        const ok =
          colon < 0
            ? applyAttribute(value, null, current, session)
            : applyAttribute(value.slice(0, colon).trim(), value.slice(colon + 1).trim(), current, session);
        if (!ok) ignored.push(line);
        break;
      }
      default:
        // v, i, u, e, p, b, t, r, z, k: understood, not needed for offer/answer checks.
        break;
    }
  }

  if (!sawVersion) {
    return { ok: false, error: { code: "not-sdp", message: "no v= line" } };
  }
  const sdp: SessionDescription = {
    origin: session.origin,
    connection: session.connection,
    media: media.map((m) => finishMedia(m, session)),
    ...(session.sessionName === undefined ? {} : { sessionName: session.sessionName }),
  };
  return ignored.length === 0 ? { ok: true, sdp } : { ok: true, sdp, ignoredLines: ignored };
}

const TYPED_LINE = /^([a-zA-Z])\s*=(.*)$/;
/** line separators `.` does not match: a line holding one is not a typed line for TYPED_LINE */
const UNICODE_LINE_BREAK = /[\u2028\u2029]/;

/**
 * The lines of an SDP body: CRLF, LF or CR ends (RFC 4566 §5). The usual CRLF-only or LF-only text
 * is split by a string; the regex only for mixed ends.
 */
function splitLines(text: string): string[] {
  if (text.indexOf("\r") < 0) return text.split("\n");
  const lines = text.split("\r\n");
  for (const l of lines) if (l.indexOf("\r") >= 0 || l.indexOf("\n") >= 0) return text.split(/\r\n|\r|\n/);
  return lines;
}

interface SessionState {
  origin: SessionDescription["origin"];
  sessionName: string | undefined;
  connection: string | null;
  direction: MediaDirection | null;
  ptimeMs: number | null;
}

interface MediaState {
  type: string;
  port: number;
  proto: string;
  formats: string[];
  connection: string | null;
  rtpmaps: Map<number, RtpMap>;
  fmtp: Map<number, string>;
  ptimeMs: number | null;
  direction: MediaDirection | null;
  /** a= lines kept as written, in order (rtpmap/fmtp ones are sorted out in finishMedia) */
  attributes: SdpAttribute[];
}

const DIRECTIONS: ReadonlySet<string> = new Set(["sendrecv", "sendonly", "recvonly", "inactive"]);

/** RFC 4566 §5.2: o=<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address> */
function parseOrigin(value: string): SessionDescription["origin"] {
  const t = value.split(/\s+/);
  if (t.length < 6) return null;
  return { username: t[0]!, sessionId: t[1]!, version: t[2]!, address: t[5]! };
}

/** RFC 4566 §5.7: c=<nettype> <addrtype> <connection-address>[/<ttl>][/<number of addresses>] */
function parseConnection(value: string): string | null {
  const t = value.split(/\s+/);
  if (t.length < 3) return null;
  const address = t[2]!.split("/")[0]!;
  return address === "" ? null : address;
}

/** RFC 4566 §5.14: m=<media> <port>[/<number of ports>] <proto> <fmt> ... */
function parseMediaLine(value: string): MediaState | null {
  const t = value.split(/\s+/);
  if (t.length < 3) return null;
  const port = /^(\d{1,5})(?:\/\d+)?$/.exec(t[1]!);
  if (!port || Number(port[1]) > 65535) return null;
  return {
    type: t[0]!,
    port: Number(port[1]),
    proto: t[2]!,
    formats: t.slice(3),
    connection: null,
    rtpmaps: new Map(),
    fmtp: new Map(),
    ptimeMs: null,
    direction: null,
    attributes: [],
  };
}

/**
 * Applies one a= line (its name and value, null without a colon); false when the line was not
 * understood (it is then reported as ignored).
 */
function applyAttribute(
  attrName: string,
  attrValue: string | null,
  current: MediaState | undefined,
  session: SessionState,
): boolean {
  const name = attrName.toLowerCase();
  if (DIRECTIONS.has(name) && attrValue === null) {
    if (current) current.direction = name as MediaDirection;
    else session.direction = name as MediaDirection;
    return true;
  }
  if (name === "ptime") {
    // RFC 4566 §6: a=ptime:<packet time> in milliseconds (media-level; tolerated at session level).
    const ptime = /^(\d+(?:\.\d+)?)$/.exec(attrValue ?? "");
    if (!ptime || Number(ptime[1]) <= 0) return false;
    if (current) current.ptimeMs = Number(ptime[1]);
    else session.ptimeMs = Number(ptime[1]);
    return true;
  }
  if (!current) return true; // other session-level attributes (group, ice-*, tool, ...) are not modelled
  if (name === "rtpmap") {
    // RFC 4566 §6: a=rtpmap:<payload type> <encoding name>/<clock rate>[/<encoding parameters>]
    const m = /^(\d{1,3})\s+([^\s/]+)\/(\d+)(?:\/(\d+))?$/.exec(attrValue ?? "");
    if (!m || Number(m[1]) > 127) return false;
    const pt = Number(m[1]);
    if (!current.rtpmaps.has(pt)) {
      const rtpmap: RtpMap =
        m[4] === undefined
          ? { pt, name: m[2]!, clockRate: Number(m[3]) }
          : { pt, name: m[2]!, clockRate: Number(m[3]), channels: Number(m[4]) };
      current.rtpmaps.set(pt, rtpmap);
    }
    return true;
  } else if (name === "fmtp") {
    // RFC 4566 §6: a=fmtp:<format> <format specific parameters>
    const m = /^(\d{1,3})(?:\s+(.*))?$/.exec(attrValue ?? "");
    if (m && Number(m[1]) <= 127) {
      const pt = Number(m[1]);
      if (!current.fmtp.has(pt)) current.fmtp.set(pt, (m[2] ?? "").trim());
      return true;
    }
  }
  current.attributes.push({ name: attrName, value: attrValue });
  return true;
}

function finishMedia(m: MediaState, session: SessionState): SdpMedia {
  // RFC 3551 §3 / RFC 4566 §5.14: for RTP/AVP (and its SAVP/AVPF/DTLS variants) the formats are
  // payload type numbers; for other protos (udptl t38, DTLS/SCTP ...) they are opaque tokens.
  const isRtp = /(^|\/)RTP\//i.test(m.proto);
  const payloads = isRtp ? payloadTypes(m.formats) : [];
  const inMline = new Set(payloads);

  const rtpmaps: RtpMap[] = [];
  const mapped = new Set<number>();
  for (const pt of payloads) {
    if (mapped.has(pt)) continue;
    const rtpmap = m.rtpmaps.get(pt) ?? staticRtpMap(pt);
    if (rtpmap) {
      rtpmaps.push(rtpmap);
      mapped.add(pt);
    }
  }
  const fmtp: Record<number, string> = {};
  for (const pt of payloads) {
    const params = m.fmtp.get(pt);
    if (params !== undefined) fmtp[pt] = params;
  }
  // rtpmap/fmtp lines for formats that are not RTP payloads of this m-line are kept as written.
  const leftovers: SdpAttribute[] = [];
  for (const attr of m.attributes) leftovers.push(attr);
  for (const [pt, map] of m.rtpmaps) {
    if (!inMline.has(pt)) leftovers.push({ name: "rtpmap", value: formatRtpMapValue(map) });
  }
  for (const [pt, params] of m.fmtp) {
    if (!inMline.has(pt))
      leftovers.push({ name: "fmtp", value: params === "" ? `${pt}` : `${pt} ${params}` });
  }

  const result: SdpMedia = {
    type: m.type,
    port: m.port,
    proto: m.proto,
    payloads,
    formats: m.formats,
    rtpmaps,
    fmtp,
    ptimeMs: m.ptimeMs ?? session.ptimeMs,
    // RFC 3264 §5.1: direction attributes at media level override session level; sendrecv is the default.
    direction: m.direction ?? session.direction ?? "sendrecv",
    // RFC 4566 §5.7: a media-level c= overrides the session-level one.
    connection: m.connection ?? session.connection,
    telephoneEvent: telephoneEventOf(rtpmaps, fmtp),
  };
  return leftovers.length === 0 ? result : { ...result, otherAttributes: leftovers };
}

/** RFC 4733 §2.4.1: the first telephone-event format of the m-line and the events its fmtp lists. */
function telephoneEventOf(
  rtpmaps: readonly RtpMap[],
  fmtp: Readonly<Record<number, string>>,
): TelephoneEventInfo | null {
  const te = rtpmaps.find((r) => r.name.toLowerCase() === "telephone-event");
  if (!te) return null;
  const params = fmtp[te.pt] ?? null;
  return {
    pt: te.pt,
    clockRate: te.clockRate,
    events: params === null ? TELEPHONE_EVENT_DEFAULT_EVENTS : eventList(params),
    fmtp: params,
  };
}

/** Event lists by fmtp text: a call's SDPs repeat the same few ("0-15", "0-16"). Frozen, shared. */
const EVENT_LISTS = new Map<string, readonly number[]>();
const MAX_EVENT_LISTS = 256;

function eventList(params: string): readonly number[] {
  let list = EVENT_LISTS.get(params);
  if (list === undefined) {
    list = Object.freeze(parseTelephoneEventList(params));
    if (EVENT_LISTS.size >= MAX_EVENT_LISTS) EVENT_LISTS.clear();
    EVENT_LISTS.set(params, list);
  }
  return list;
}

/** The formats that are RTP payload types: 1-3 digits, at most 127 (RFC 3551 §3). */
function payloadTypes(formats: readonly string[]): number[] {
  const out: number[] = [];
  for (const f of formats) {
    if (f.length === 0 || f.length > 3) continue;
    let n = 0;
    for (let i = 0; i < f.length; i++) {
      const d = f.charCodeAt(i) - 0x30;
      if (d < 0 || d > 9) {
        n = -1;
        break;
      }
      n = n * 10 + d;
    }
    if (n >= 0 && n <= 127) out.push(n);
  }
  return out;
}

/** "101 telephone-event/8000" or "102 telephone-event/8000/1" */
export function formatRtpMapValue(r: RtpMap): string {
  return `${r.pt} ${r.name}/${r.clockRate}${r.channels === undefined ? "" : `/${r.channels}`}`;
}
