/**
 * RFC 4733 §2.3 telephone-event payload, one event per 4 octets:
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     event     |E|R| volume    |          duration             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * event (8 bits): the event code (§3.2 for DTMF: 0-9, * 10, # 11, A-D 12-15).
 * E (1 bit): end of the event (§2.5.1.4: once set it stays set in the retransmitted final packets).
 * R (1 bit): reserved; the sender sets it to 0, the receiver ignores it.
 * volume (6 bits): power level in -dBm0, 0 to 63 (larger is quieter); 0 for events without volume.
 * duration (16 bits): in RTP timestamp units, counted from the event's start timestamp
 *   (§2.5.1.3: events longer than 65535 units are split into segments).
 *
 * Several events in one packet (§2.5.1.5, packing multiple events; RFC 4733 carries them with the
 * RFC 2198 redundant encoding, whose block headers must be stripped first) and the naive encoding
 * some stacks send are consecutive 4-octet blocks: `parseTelephoneEvents` returns every block,
 * `parseTelephoneEvent` the first. The payload must be a whole number of blocks.
 */

export const TELEPHONE_EVENT_LENGTH = 4;
/** byte 1 */
export const TE_END_MASK = 0x80;
export const TE_RESERVED_MASK = 0x40;
export const TE_VOLUME_MASK = 0x3f;
/** byte offset of the 16-bit duration */
export const TE_DURATION_OFFSET = 2;

export interface TelephoneEvent {
  readonly event: number;
  readonly end: boolean;
  readonly reserved: boolean;
  /** -dBm0, 0..63 */
  readonly volume: number;
  /** RTP timestamp units since the event started */
  readonly durationTs: number;
}

export type TelephoneEventErrorCode = "bad-range" | "too-short" | "bad-length";

export interface TelephoneEventError {
  readonly ok: false;
  readonly code: TelephoneEventErrorCode;
  readonly message: string;
}

export type TelephoneEventResult = ({ readonly ok: true } & TelephoneEvent) | TelephoneEventError;
export type TelephoneEventsResult =
  { readonly ok: true; readonly events: readonly TelephoneEvent[] } | TelephoneEventError;

function check(buf: Uint8Array, offset: number, length: number): TelephoneEventError | null {
  if (
    !Number.isInteger(offset) ||
    !Number.isInteger(length) ||
    offset < 0 ||
    length < 0 ||
    offset + length > buf.length
  ) {
    return {
      ok: false,
      code: "bad-range",
      message: `offset ${offset} + length ${length} outside ${buf.length} bytes`,
    };
  }
  if (length < TELEPHONE_EVENT_LENGTH) {
    return { ok: false, code: "too-short", message: `${length} bytes, a telephone-event needs 4` };
  }
  if (length % TELEPHONE_EVENT_LENGTH !== 0) {
    return {
      ok: false,
      code: "bad-length",
      message: `${length} bytes is not a whole number of 4-byte events`,
    };
  }
  return null;
}

function decodeAt(buf: Uint8Array, at: number): TelephoneEvent {
  const b1 = buf[at + 1]!;
  return {
    event: buf[at]!,
    end: (b1 & TE_END_MASK) !== 0,
    reserved: (b1 & TE_RESERVED_MASK) !== 0,
    volume: b1 & TE_VOLUME_MASK,
    durationTs: (buf[at + TE_DURATION_OFFSET]! << 8) | buf[at + TE_DURATION_OFFSET + 1]!,
  };
}

/** The first (usually only) event of a telephone-event payload. Never throws. */
export function parseTelephoneEvent(buf: Uint8Array, offset: number, length: number): TelephoneEventResult {
  const err = check(buf, offset, length);
  if (err) return err;
  return { ok: true, ...decodeAt(buf, offset) };
}

/** Every 4-octet event block of the payload, in order. Never throws. */
export function parseTelephoneEvents(buf: Uint8Array, offset: number, length: number): TelephoneEventsResult {
  const err = check(buf, offset, length);
  if (err) return err;
  const events: TelephoneEvent[] = [];
  for (let at = offset; at < offset + length; at += TELEPHONE_EVENT_LENGTH) events.push(decodeAt(buf, at));
  return { ok: true, events };
}

export interface TelephoneEventFields {
  readonly event: number;
  readonly end: boolean;
  /** default 0; RFC 4733 §2.3 says the sender sets R to 0, true is only for tests of receivers */
  readonly reserved?: boolean;
  readonly volume: number;
  readonly durationTs: number;
}

/** Writes 4 octets at `buf[offset]`, returns 4. Throws RangeError on out-of-range fields (caller bug). */
export function writeTelephoneEvent(buf: Uint8Array, offset: number, f: TelephoneEventFields): number {
  checkUint("event", f.event, 0xff);
  checkUint("volume", f.volume, TE_VOLUME_MASK);
  checkUint("durationTs", f.durationTs, 0xffff);
  if (!Number.isInteger(offset) || offset < 0 || offset + TELEPHONE_EVENT_LENGTH > buf.length) {
    throw new RangeError(`no room for a telephone-event at offset ${offset} of ${buf.length}`);
  }
  buf[offset] = f.event;
  buf[offset + 1] = (f.end ? TE_END_MASK : 0) | (f.reserved ? TE_RESERVED_MASK : 0) | f.volume;
  buf[offset + 2] = f.durationTs >>> 8;
  buf[offset + 3] = f.durationTs & 0xff;
  return TELEPHONE_EVENT_LENGTH;
}

/** A fresh 4-byte payload for one event. */
export function buildTelephoneEvent(f: TelephoneEventFields): Buffer {
  const out = Buffer.alloc(TELEPHONE_EVENT_LENGTH);
  writeTelephoneEvent(out, 0, f);
  return out;
}

function checkUint(name: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new RangeError(`${name} must be an integer in 0..${max}, got ${value}`);
  }
}
