/**
 * What an analysis of K copies of the seed must find, from the seed's design alone (never from the
 * analyzer's own output on the seed): so a fast but wrong analyzer cannot pass the benchmark.
 *
 * Each seed call (SIPp uac_pcap -> uas answering "8 101" with -rtp_echo) is one SIP leg, answered
 * 200 with PCMA, carrying four RTP streams (G.711 A-law and the RFC 2833 digit, which the SIPp sample
 * sends with its own SSRC, each way: the uas echoes them) and the digit "1" in each direction.
 */

/** The slice of `mvsct.analysis/1` the checks read. */
export interface AnalysisLike {
  legs: {
    callId: string;
    finalStatus: number | null;
    codec: { name: string } | null;
    dtmf: { digit: string; method: string; direction: string }[];
  }[];
  streams?: unknown[];
}

export interface Check {
  name: string;
  expected: number;
  got: number;
  ok: boolean;
}

export interface Expectation {
  seedCalls: number;
  copies: number;
}

export function sanityChecks(report: AnalysisLike, tsharkStreams: number, e: Expectation): Check[] {
  const legs = e.seedCalls * e.copies;
  const check = (name: string, expected: number, got: number): Check => ({
    name,
    expected,
    got,
    ok: expected === got,
  });
  const answered = report.legs.filter(
    (l) => l.finalStatus === 200 && l.codec?.name.toUpperCase() === "PCMA",
  ).length;
  const digits = report.legs
    .flatMap((l) => l.dtmf)
    .filter((d) => d.method === "rfc2833" && d.digit === "1").length;
  const perLeg = report.legs.filter((l) => {
    const d = l.dtmf.filter((x) => x.method === "rfc2833" && x.digit === "1");
    return (
      d.length === 2 &&
      d.some((x) => x.direction === "caller->callee") &&
      d.some((x) => x.direction === "callee->caller")
    );
  }).length;
  const uniqueIds = new Set(report.legs.map((l) => l.callId)).size;
  return [
    check("legs (seed calls x copies)", legs, report.legs.length),
    check("distinct Call-IDs", legs, uniqueIds),
    check("legs answered 200 with PCMA", legs, answered),
    check("RFC 2833 digits '1' (2 per leg)", 2 * legs, digits),
    check("legs with exactly one '1' each way", legs, perLeg),
    check("RTP streams in the report (4 per leg)", 4 * legs, report.streams?.length ?? 0),
    check("tshark rtp,streams rows (4 per leg)", 4 * legs, tsharkStreams),
  ];
}

/** Stream rows of `tshark -q -z rtp,streams` output (one per line with an 0x SSRC). */
export function countTsharkStreams(text: string): number {
  return text.split("\n").filter((l) => /\s0x[0-9A-Fa-f]{8}\s/.test(l)).length;
}
