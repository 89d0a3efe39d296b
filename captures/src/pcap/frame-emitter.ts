import type { CaptureStats, RawFrame } from "./types.ts";

/**
 * Hands frames to the caller through ONE reused RawFrame object and keeps the counts.
 * The format readers (pcap, pcapng) call `emit` once per packet record.
 */
export class FrameEmitter {
  readonly frame: RawFrame = {
    frame: 0,
    tsS: 0,
    linkType: -1,
    data: Buffer.alloc(0),
    offset: 0,
    length: 0,
    origLength: 0,
    interfaceId: 0,
  };
  readonly stats: CaptureStats = { packets: 0, firstTsS: Number.NaN, lastTsS: Number.NaN, undecoded: 0 };

  /** the last frame number used (Wireshark numbers some non-packet records too) */
  private frameNumber = 0;

  constructor(private readonly onFrame: (frame: RawFrame) => void) {}

  /** A record that Wireshark numbers as a frame but that carries no packet. */
  skipFrameNumber(): void {
    this.frameNumber++;
  }

  emit(
    tsS: number,
    linkType: number,
    interfaceId: number,
    data: Buffer,
    offset: number,
    length: number,
    origLength: number,
  ): void {
    const f = this.frame;
    const stats = this.stats;
    stats.packets++;
    if (stats.packets === 1) stats.firstTsS = tsS;
    stats.lastTsS = tsS;
    f.frame = ++this.frameNumber;
    f.tsS = tsS;
    f.linkType = linkType;
    f.interfaceId = interfaceId;
    f.data = data;
    f.offset = offset;
    f.length = length;
    f.origLength = origLength;
    this.onFrame(f);
  }
}
