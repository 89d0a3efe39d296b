import { test } from "node:test";
import assert from "node:assert/strict";
import { Endpoint, HOST, until } from "./udp-endpoint.ts";
import { NATIVE_SKIP } from "./io-backends.ts";
import { A_PEER_SSRC, B_PEER_SSRC, audio, ev } from "./helpers.ts";
import { createRealClock } from "../../src/transaction/clock.ts";
import { parseRtpHeader } from "../../src/wire/rtp/header.ts";
import { parseTelephoneEvent } from "../../src/wire/rfc4733/telephone-event.ts";
import { MediaRelay, type MediaRelayOptions } from "../../src/media/media-relay.ts";
import { PortPool } from "../../src/media/port-pool.ts";
import { NativeIo } from "../../src/media/native-io.ts";
import { FAST_BLOCK_BYTES } from "../../src/media/fast-path.ts";

/**
 * The native audio fast path (protocol/native/udp-batch-fast.c, fast-path.ts): audio forwarded in C
 * must leave exactly as MediaRelay's JS path sends it (EgressSpace.forwardAudio), share one RTP
 * space with the telephone-event packets JS emits on the same leg, and give way to JS whenever a
 * DTMF event is in progress or a leg is not connected. Real UDP on 127.0.0.1; ports 19800-19849
 * (relays) and 19850-19869 (peers).
 */

const A_OUT_SSRC = 0x0a0a0a0a;
const B_OUT_SSRC = 0x0b0b0b0b;
const clock = createRealClock();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Rx {
  readonly pt: number;
  readonly m: boolean;
  readonly seq: number;
  readonly ts: number;
  readonly ssrc: number;
  readonly payload: Buffer;
  readonly ev: { readonly event: number; readonly end: boolean } | null;
}

function decode(buf: Buffer, tePt: number): Rx {
  const h = parseRtpHeader(buf, 0, buf.length);
  assert.ok(h.ok, "valid RTP");
  let e: Rx["ev"] = null;
  if (h.payloadType === tePt) {
    const te = parseTelephoneEvent(buf, h.payloadOffset, h.payloadLength);
    assert.ok(te.ok);
    e = { event: te.event, end: te.end };
  }
  return {
    pt: h.payloadType,
    m: h.marker,
    seq: h.sequence,
    ts: h.timestamp,
    ssrc: h.ssrc,
    payload: buf.subarray(h.payloadOffset, h.payloadOffset + h.payloadLength),
    ev: e,
  };
}

function relayOptions(pool: PortPool, epA: number, epB: number, fast: boolean): MediaRelayOptions {
  return {
    pool,
    bindAddress: HOST,
    clock,
    io: "native",
    ...(fast ? { audioFastPath: { clockOffsetMs: 0 } } : {}),
    legs: {
      a: {
        dtmf: {
          egressMethod: "rfc2833",
          telephoneEventPt: 101,
          ingressTelephoneEventPts: [101],
          ssrc: A_OUT_SSRC,
          initialSequence: 30000,
          initialTimestamp: 1_000_000,
        },
        remote: { address: HOST, port: epA },
      },
      b: {
        dtmf: {
          egressMethod: "rfc2833",
          telephoneEventPt: 96,
          ingressTelephoneEventPts: [96],
          ssrc: B_OUT_SSRC,
          initialSequence: 65530, // wraps during the test
          initialTimestamp: 0xffffff00, // so does the timestamp
        },
        remote: { address: HOST, port: epB },
      },
    },
  };
}

/** Both legs connected: each peer sends one packet from the address the relay sends to. */
async function connectBoth(relay: MediaRelay, epA: Endpoint, epB: Endpoint): Promise<void> {
  const [nA, nB] = [epA.got.length, epB.got.length];
  epA.send(audio(1, 160, A_PEER_SSRC), relay.localPort("a"));
  epB.send(audio(1, 160, B_PEER_SSRC), relay.localPort("b"));
  await until(() => epA.got.length > nA && epB.got.length > nB, "the first packets");
  assert.equal(relay.stats().a.connects, 1, "leg a connected");
  assert.equal(relay.stats().b.connects, 1, "leg b connected");
}

/**
 * Audio a→b after the connecting packet: in order, a lost packet, a reordered pair, a repeat, a
 * jump past MAX_DROPOUT (re-anchors), a new SSRC (re-anchors), each with a payload of its own.
 */
function audioScript(): Buffer[] {
  const out: Buffer[] = [];
  let ts = 320;
  const seqs = [2, 3, 4, 6, 5, 7, 7, 8, 5000, 5001, 5002];
  for (const s of seqs) out.push(audio(s, (ts = 160 * s)));
  for (let k = 0; k < 4; k++) out.push(audio(900 + k, 777_000 + 160 * k, 0x33333333));
  void ts;
  return out;
}

test(
  "fast path: audio leaves byte-for-byte as the JS path sends it (loss, reordering, repeats, re-anchoring, wraps)",
  { skip: NATIVE_SKIP },
  async () => {
    const runs: { got: Rx[]; stats: ReturnType<MediaRelay["stats"]>; fastTotal: number }[] = [];
    for (const fast of [false, true]) {
      const pool = new PortPool({ min: 19800, max: 19819 });
      const epA = await Endpoint.open(19850);
      const epB = await Endpoint.open(19851);
      const relay = await MediaRelay.open(relayOptions(pool, 19850, 19851, fast));
      try {
        await connectBoth(relay, epA, epB);
        const before = NativeIo.get()!.stats().fastDatagrams;
        for (const p of audioScript()) {
          const n = epB.got.length;
          epA.send(p, relay.localPort("a"));
          await until(() => epB.got.length === n + 1, "the packet at b");
          await sleep(3); // a re-anchor's timestamp depends on the time between packets
        }
        runs.push({
          got: epB.got.map((b) => decode(b, 96)),
          stats: relay.stats(),
          fastTotal: NativeIo.get()!.stats().fastDatagrams - before,
        });
      } finally {
        await relay.close();
        await epA.close();
        await epB.close();
      }
    }
    const [js, c] = runs as [(typeof runs)[0], (typeof runs)[0]];
    const n = 1 + audioScript().length;
    assert.equal(js.got.length, n);
    assert.equal(c.got.length, n);
    assert.equal(js.stats.a.fastAudio, 0, "no fast path asked for: none used");
    assert.equal(c.stats.a.fastAudio, n - 1, "every audio packet after the connecting one went the fast way");
    assert.equal(c.fastTotal, n - 1, "the thread's fast-path counter agrees");
    for (const r of [js, c]) {
      assert.equal(r.stats.a.audioIn, n, "audioIn counts both paths");
      assert.equal(r.stats.a.rx, n, "rx counts both paths");
      assert.equal(r.stats.b.tx, n, "tx counts both paths");
      assert.equal(r.stats.b.sent, n, "the egress space counted every packet");
    }
    // same sequence numbers, SSRC, PT, marker and payload; timestamps equal up to the first
    // re-anchor and, after each, the same steps (a re-anchor starts from "now")
    const reanchorAt = [9, 12]; // the jump to 5000 and the new SSRC (index in the received list)
    for (let i = 0; i < n; i++) {
      const a = js.got[i]!;
      const b = c.got[i]!;
      assert.equal(b.seq, a.seq, `seq of packet ${i}`);
      assert.equal(b.ssrc, B_OUT_SSRC);
      assert.equal(a.ssrc, B_OUT_SSRC);
      assert.equal(b.pt, a.pt);
      assert.equal(b.m, a.m);
      assert.ok(b.payload.equals(a.payload), `payload of packet ${i}`);
      if (i < reanchorAt[0]!) assert.equal(b.ts, a.ts, `ts of packet ${i}`);
      else if (!reanchorAt.includes(i)) {
        assert.equal(
          (b.ts - c.got[i - 1]!.ts) >>> 0,
          (a.ts - js.got[i - 1]!.ts) >>> 0,
          `ts step to packet ${i}`,
        );
      }
    }
    // the wraps happened in both: 65530.. and 0xffffff00..
    assert.ok(c.got.some((p) => p.seq < 100) && c.got.some((p) => p.seq > 65000));
    assert.ok(c.got.some((p) => p.ts < 0x1000));
  },
);

test(
  "fast path: telephone-events go through JS in the same RTP space as the audio C forwards, during the events too; a generated event starts at the audio's 'now'",
  { skip: NATIVE_SKIP },
  async () => {
    const pool = new PortPool({ min: 19820, max: 19839 });
    const epA = await Endpoint.open(19852);
    const epB = await Endpoint.open(19853);
    const relay = await MediaRelay.open(relayOptions(pool, 19852, 19853, true));
    try {
      await connectBoth(relay, epA, epB);
      // a→b: 30 audio packets at 20 ms, an RFC 4733 '5' (101) from the 10th: start, 5 updates, E ×3
      let seq = 2;
      for (let k = 0; k < 30; k++) {
        const tsK = 160 * (k + 2);
        epA.send(audio(seq++, tsK), relay.localPort("a"));
        if (k >= 10 && k < 19) {
          const i = k - 10;
          epA.send(
            ev(seq++, 160 * 12, 5, (Math.min(i, 5) + 1) * 160, { marker: i === 0, end: i >= 6 }),
            relay.localPort("a"),
          );
        }
        // b→a audio meanwhile; a KPML '9' on b at k = 27, when the b→a audio has gone through C
        // for a while (the a→b event is over), is generated as RFC 4733 on a
        epB.send(audio(2 + k, 50_000 + 160 * k, B_PEER_SSRC), relay.localPort("b"));
        if (k === 27) {
          assert.equal(relay.timerArmed(), false, "no event in progress before the KPML digit");
          relay.digit("b", "kpml", "9");
        }
        await sleep(20);
      }
      await sleep(400); // the generated digit's 100 ms and its end packets
      const atB = epB.got.map((b) => decode(b, 96));
      const atA = epA.got.map((b) => decode(b, 101));
      // leg b: one SSRC, one contiguous sequence space, the digit on PT 96 with M first and E ×3
      assert.ok(atB.every((p) => p.ssrc === B_OUT_SSRC));
      for (let i = 1; i < atB.length; i++)
        assert.equal(atB[i]!.seq, (atB[i - 1]!.seq + 1) & 0xffff, `b seq ${i}`);
      const evB = atB.filter((p) => p.ev !== null);
      assert.ok(evB.length >= 4, "the event reached b");
      assert.ok(evB[0]!.m && evB.every((p) => p.ev!.event === 5));
      assert.equal(evB.filter((p) => p.ev!.end).length, 3, "E ×3");
      assert.ok(
        atB.every((p) => p.pt === 0 || p.pt === 96),
        "PT 101 never reaches b",
      );
      assert.equal(atB.filter((p) => p.pt === 0).length, 31, "every audio packet, none doubled");
      // leg a: the generated '9' shares the space of the audio from b, its timestamp near that audio's
      for (let i = 1; i < atA.length; i++)
        assert.equal(atA[i]!.seq, (atA[i - 1]!.seq + 1) & 0xffff, `a seq ${i}`);
      const evA = atA.filter((p) => p.ev !== null);
      assert.ok(evA.length >= 4 && evA.every((p) => p.ev!.event === 9), "the KPML digit as RFC 4733 on a");
      const firstEv = atA.findIndex((p) => p.ev !== null);
      const audioBefore = atA
        .slice(0, firstEv)
        .filter((p) => p.pt === 0)
        .at(-1)!;
      const lead = (evA[0]!.ts - audioBefore.ts) >>> 0;
      assert.ok(lead <= 8 * 60, `event ts ${lead} units after the last audio: the C and JS clocks agree`);
      const s = relay.stats();
      // every audio packet but the one that connected its leg went through C, during the events too
      assert.equal(s.a.fastAudio, 30, "a→b audio in C, during the RFC 4733 event as well");
      assert.equal(s.b.fastAudio, 30, "b→a audio in C, during the generated digit as well");
      assert.equal(s.a.audioIn, 31);
      assert.equal(s.a.eventIn, 9);
    } finally {
      await relay.close();
      await epA.close();
      await epB.close();
    }
  },
);

test(
  "fast path: a latching leg is not forwarded in C until connected; then forwarded in C; a relay without it keeps every packet in JS",
  { skip: NATIVE_SKIP },
  async () => {
    const pool = new PortPool({ min: 19840, max: 19849 });
    const epA = await Endpoint.open(19854);
    const epB = await Endpoint.open(19855);
    const epOld = await Endpoint.open(19856);
    const base = relayOptions(pool, 19856, 19855, true);
    // leg a's SDP names 19856, but the peer sends from 19854: latching moves the remote there
    const relay = await MediaRelay.open({
      ...base,
      legs: { ...base.legs, a: { ...base.legs.a, latching: true } },
    });
    try {
      epB.send(audio(1, 160, B_PEER_SSRC), relay.localPort("b"));
      for (let k = 0; k < 3; k++) {
        const n = epB.got.length;
        epA.send(audio(2 + k, 160 * (2 + k)), relay.localPort("a"));
        await until(() => epB.got.length === n + 1, "a→b");
      }
      await until(() => epA.got.length === 1, "b→a to the latched address");
      assert.equal(epOld.got.length, 0, "nothing to the SDP address after the latch");
      const s = relay.stats();
      assert.equal(s.a.connects, 1);
      assert.equal(s.a.fastAudio, 2, "the latching packet went through JS, the next two through C");
    } finally {
      await relay.close();
    }
    // a relay without the fast path on the same thread and pool: JS sees every packet
    const again = await MediaRelay.open(relayOptions(pool, 19854, 19855, false));
    try {
      await connectBoth(again, epA, epB);
      const n = epB.got.length;
      epA.send(audio(50, 8000), again.localPort("a"));
      await until(() => epB.got.length === n + 1, "a→b on the new relay");
      assert.equal(again.stats().a.fastAudio, 0);
      assert.equal(again.stats().a.audioIn, 2, "JS saw both: no stale route took them");
    } finally {
      await again.close();
      await epA.close();
      await epB.close();
      await epOld.close();
    }
  },
);

test(
  "fast path: route() refuses a bad block, a socket routed to itself, a socket not open",
  { skip: NATIVE_SKIP },
  () => {
    const io = NativeIo.get()!;
    const slot = io.addon.open(HOST, 0, 0);
    const other = io.addon.open(HOST, 0, 0);
    try {
      assert.throws(() => io.addon.route(slot, other, new ArrayBuffer(FAST_BLOCK_BYTES - 8)), TypeError);
      assert.throws(() => io.addon.route(slot, slot, new ArrayBuffer(FAST_BLOCK_BYTES)), TypeError);
      assert.throws(() => io.addon.route(slot, 99_999, new ArrayBuffer(FAST_BLOCK_BYTES)), RangeError);
      io.addon.route(slot, other, new ArrayBuffer(FAST_BLOCK_BYTES));
      io.addon.route(slot); // off again
    } finally {
      io.addon.close(slot);
      io.addon.close(other);
    }
  },
);
