/** What the capture reader hands the analyzer: transport payloads with their frame numbers. */
export type CaptureFormat = "pcap" | "pcapng";

export interface CaptureInfo {
  readonly format: CaptureFormat;
  /** link type of the first interface (pcap: the header's; pcapng: the first IDB's) */
  readonly linkType: number;
}

/**
 * One transport payload, decoded from a frame (after link layer, tunnels, IP reassembly).
 * The object and its `data` buffer are REUSED between callbacks for speed: copy what you keep
 * (`data.subarray(offset, offset + length)` is a view into a buffer that will be overwritten).
 */
export interface TransportPayload {
  /** 1-based frame number as Wireshark counts it (the frame that completed a reassembled datagram) */
  frame: number;
  /** seconds since the Unix epoch, with the capture's resolution */
  tsS: number;
  proto: "udp" | "tcp";
  /** textual IP, IPv4 dotted or IPv6 compressed (RFC 5952) */
  srcIp: string;
  dstIp: string;
  srcPort: number;
  dstPort: number;
  /** for tcp: the NEW in-order bytes of this direction's stream (retransmissions removed) */
  data: Buffer;
  offset: number;
  length: number;
  /** tcp only: a gap (lost segment) was skipped just before these bytes */
  tcpGap: boolean;
}

export interface CaptureStats {
  packets: number;
  /** first and last packet timestamps, seconds since epoch; NaN when no packets */
  firstTsS: number;
  lastTsS: number;
  /** frames that could not be decoded past the link/IP layer (not an error: ARP, ICMP, SCTP...) */
  undecoded: number;
}

export type CaptureErrorCode = "not-a-capture" | "truncated" | "corrupt" | "io";

/** A capture that cannot be read (to its end): carried, never thrown, by the reader. */
export interface CaptureError {
  readonly code: CaptureErrorCode;
  /** one line for a person: "not a pcap or pcapng file", "truncated at byte N" */
  readonly message: string;
  /** byte offset where reading stopped */
  readonly atByte: number;
}

/**
 * One captured frame as the file stores it. The object and `data` are REUSED between callbacks:
 * `data.subarray(offset, offset + length)` is a view into the reader's chunk buffer.
 */
export interface RawFrame {
  /** 1-based frame number as Wireshark counts it (across all pcapng sections) */
  frame: number;
  /** seconds since the Unix epoch, with the capture's resolution */
  tsS: number;
  /** LINKTYPE_* of the frame's interface */
  linkType: number;
  data: Buffer;
  offset: number;
  /** captured length (bytes present in the file) */
  length: number;
  /** length of the packet on the wire */
  origLength: number;
  /** pcapng interface id within its section (0 for classic pcap) */
  interfaceId: number;
}

/** Counts from the transport decoder (readTransport only). */
export interface TransportCounts {
  /** UDP datagrams delivered (a reassembled IP datagram counts once) */
  udpDatagrams: number;
  /** TCP segments seen (every frame with a TCP header, including retransmissions and empty ACKs) */
  tcpSegments: number;
  /** new in-order TCP bytes delivered */
  tcpBytes: number;
  /** times a TCP stream skipped over missing bytes (tcpGap=true deliveries) */
  tcpGaps: number;
  /** IP datagrams whose fragments never completed (evicted or left at the end) */
  ipFragmentsIncomplete: number;
}

/** What reading a capture produced: its header facts, counts, and why it stopped early (if it did). */
export interface ReadOutcome {
  /** `linkType` is -1 when the file has no interface (not a capture, or a pcapng without an IDB) */
  info: CaptureInfo;
  stats: CaptureStats;
  error: CaptureError | null;
  /** one line each for a person: things that were tolerated (unknown link types, lost fragments...) */
  warnings: string[];
  /** present for readTransport */
  transport?: TransportCounts;
}

/** Why a frame did not reach UDP/TCP (not an error: ARP, ICMP, SCTP, an unknown link type...). */
export type UndecodedReason =
  | "link-type" // no decoder for the frame's link type
  | "link-malformed" // link header shorter than it must be
  | "not-ip" // an EtherType/family other than IPv4/IPv6 (ARP, LLC/STP, LLDP...)
  | "ip-malformed" // IP header inconsistent with the bytes present
  | "ip-protocol" // an IP protocol other than UDP/TCP and the tunnels (ICMP, SCTP, ESP...)
  | "tunnel-unsupported" // GRE version/flags or an ERSPAN frame type without a decoder
  | "transport-malformed"; // UDP/TCP header inconsistent with the bytes present

/** Passed (REUSED) to `onUndecoded`. */
export interface UndecodedFrame {
  frame: number;
  reason: UndecodedReason;
  /** the number that was not understood: link type, EtherType, IP protocol, GRE protocol; -1 if none */
  detail: number;
}
