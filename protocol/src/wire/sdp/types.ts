/** SDP (RFC 4566) model reduced to what offer/answer (RFC 3264) and DTMF checks need. */
export type MediaDirection = "sendrecv" | "sendonly" | "recvonly" | "inactive";

export interface RtpMap {
  readonly pt: number;
  /** encoding name as written, e.g. "PCMU", "telephone-event" */
  readonly name: string;
  readonly clockRate: number;
  readonly channels?: number;
}

export interface TelephoneEventInfo {
  readonly pt: number;
  readonly clockRate: number;
  /** events the fmtp lists (RFC 4733 §2.4.1); 0-15 when fmtp is absent */
  readonly events: readonly number[];
  /** fmtp text as written, or null when absent */
  readonly fmtp: string | null;
}

export interface SdpMedia {
  readonly type: string; // "audio", "video", "image", ...
  readonly port: number;
  readonly proto: string; // "RTP/AVP", "udptl", ...
  /** payload types in m-line order (numbers; non-numeric formats such as "t38" are in `formats`) */
  readonly payloads: readonly number[];
  readonly formats: readonly string[];
  /** rtpmap for every PT in `payloads`: explicit, or the RFC 3551 static default (PT 0, 8, 18, ...) */
  readonly rtpmaps: readonly RtpMap[];
  readonly fmtp: Readonly<Record<number, string>>;
  readonly ptimeMs: number | null;
  readonly direction: MediaDirection;
  /** media-level c= when present, else the session-level one; "0.0.0.0" is kept (legacy hold) */
  readonly connection: string | null;
  readonly telephoneEvent: TelephoneEventInfo | null;
  /**
   * media-level a= lines other than rtpmap, fmtp, ptime and the four directions, in order
   * (e.g. `T38FaxVersion:0`, `rtcp:4377`), so a B2BUA can pass them on.
   */
  readonly otherAttributes?: readonly SdpAttribute[];
}

/** one `a=name[:value]` line; value is null for property attributes such as `a=rtcp-mux` */
export interface SdpAttribute {
  readonly name: string;
  readonly value: string | null;
}

export interface SessionDescription {
  readonly origin: {
    readonly username: string;
    readonly sessionId: string;
    readonly version: string;
    readonly address: string;
  } | null;
  readonly connection: string | null;
  readonly media: readonly SdpMedia[];
  /** the s= line ("-" is the usual placeholder) */
  readonly sessionName?: string;
}

export type SdpParseResult =
  | {
      readonly ok: true;
      readonly sdp: SessionDescription;
      /** lines that were not understood and were skipped (malformed rtpmap, non-SDP text, ...) */
      readonly ignoredLines?: readonly string[];
    }
  | {
      readonly ok: false;
      readonly error: { readonly code: "not-sdp" | "bad-media" | "bad-line"; readonly message: string };
    };
