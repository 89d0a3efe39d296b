/**
 * The `events` list of a telephone-event fmtp (RFC 4733 §2.4.1):
 *
 *   a=fmtp:101 0-15
 *   a=fmtp:96 0-15,16
 *   a=fmtp:102 0-15,32
 *
 * A comma-separated list of event codes and ranges ("0-15"). RFC 4733 §2.4.1 also says that if
 * the fmtp is absent the receiver assumes the DTMF events 0-15 ("0-15" is the default).
 * Event codes are 8 bits (RFC 4733 §2.3), so anything past 255 is dropped rather than expanded.
 */
export const TELEPHONE_EVENT_DEFAULT_EVENTS: readonly number[] = Object.freeze(
  Array.from({ length: 16 }, (_, i) => i),
);

const MAX_EVENT = 255;

/** Expands "0-15,16" into [0..16], sorted and without duplicates; tokens it cannot read are skipped. */
export function parseTelephoneEventList(fmtp: string): number[] {
  const seen = new Set<number>();
  for (const raw of fmtp.split(",")) {
    const token = raw.trim();
    const range = /^(\d{1,5})\s*-\s*(\d{1,5})$/.exec(token);
    if (range) {
      const from = Number(range[1]);
      const to = Math.min(Number(range[2]), MAX_EVENT);
      for (let e = from; e <= to; e++) seen.add(e);
      continue;
    }
    if (/^\d{1,5}$/.test(token)) {
      const e = Number(token);
      if (e <= MAX_EVENT) seen.add(e);
    }
  }
  return [...seen].sort((a, b) => a - b);
}

/** The compact writer's form of an event list: [0..16, 32] -> "0-16,32". */
export function formatTelephoneEventList(events: readonly number[]): string {
  const sorted = [...new Set(events)].sort((a, b) => a - b);
  const parts: string[] = [];
  let i = 0;
  while (i < sorted.length) {
    const start = sorted[i]!;
    let end = start;
    while (i + 1 < sorted.length && sorted[i + 1] === end + 1) {
      end = sorted[++i]!;
    }
    parts.push(start === end ? String(start) : `${start}-${end}`);
    i++;
  }
  return parts.join(",");
}
