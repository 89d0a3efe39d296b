/**
 * A synthetic capture for the rule tests: UDP datagrams (SIP text, RTP) on Ethernet/IPv4, written
 * in time order as classic pcap with the analyzer's own writer and packet builders. Each frame keeps
 * what the test put in it (FrameMeta), so a finding's evidence frames can be checked against what
 * the test built, not against what the analyzer decoded.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { analyzeCapture } from "../../src/analysis/analyze.ts";
import type { AnalysisReport } from "../../src/analysis/model.ts";
import { ethernet } from "../../src/pcap/link-builder.ts";
import { ETHERTYPE, LINKTYPE } from "../../src/pcap/link-types.ts";
import { ipUdp } from "../../src/pcap/packet-builder.ts";
import { writePcap } from "../../src/pcap/writer.ts";

export interface Endpoint {
  ip: string;
  port: number;
}

export const ep = (ip: string, port: number): Endpoint => ({ ip, port });

/** What an RTP frame carries (RFC 3550 §5.1 header; RFC 4733 §2.3 payload for events). */
export interface RtpMeta {
  pt: number;
  seq: number;
  ts: number;
  ssrc: number;
  marker: boolean;
  event?: { code: number; end: boolean; reserved: boolean; duration: number };
}

export interface FrameMeta {
  /** 1-based frame number in the written capture */
  frame: number;
  /** seconds from the capture start */
  atS: number;
  kind: "sip" | "rtp";
  /** SIP start line (e.g. "INVITE", "200 INVITE") or "rtp" */
  label: string;
  rtp?: RtpMeta;
}

interface Item {
  atS: number;
  order: number;
  src: Endpoint;
  dst: Endpoint;
  payload: Buffer;
  meta: Omit<FrameMeta, "frame" | "atS">;
}

/** Capture start, seconds since the epoch (any fixed value; the analyzer works in relative time). */
const EPOCH_S = 1_700_000_000;

export class CaptureBuilder {
  private readonly items: Item[] = [];
  private readonly hooks: (() => void)[] = [];

  /** Run before the capture is written (senders that number their packets in time order). */
  beforeWrite(fn: () => void): void {
    this.hooks.push(fn);
  }

  udp(atS: number, src: Endpoint, dst: Endpoint, payload: Buffer, meta: Item["meta"]): void {
    this.items.push({ atS, order: this.items.length, src, dst, payload, meta });
  }

  /** Writes the capture (stable time order) and returns each frame's meta by frame number. */
  write(path: string): FrameMeta[] {
    for (const h of this.hooks.splice(0)) h();
    const sorted = [...this.items].sort((a, b) => a.atS - b.atS || a.order - b.order);
    writePcap(
      path,
      LINKTYPE.ETHERNET,
      sorted.map((it) => ({
        tsS: EPOCH_S + it.atS,
        data: ethernet(ETHERTYPE.IPV4, ipUdp(it.src.ip, it.dst.ip, it.src.port, it.dst.port, it.payload)),
      })),
    );
    return sorted.map((it, i) => ({ frame: i + 1, atS: it.atS, ...it.meta }));
  }

  /** Writes to a temporary file, analyses it, removes it. */
  analyze(): { report: AnalysisReport; frames: FrameMeta[] } {
    const dir = mkdtempSync(join(tmpdir(), "mvsct-rules-"));
    try {
      const path = join(dir, "capture.pcap");
      const frames = this.write(path);
      const { report, error } = analyzeCapture(path);
      if (report === null) throw new Error(`analyzer gave no report: ${error?.message}`);
      return { report, frames };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
