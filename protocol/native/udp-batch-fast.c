/*
 * udp-batch-fast.c: the audio fast path. A MediaRelay whose two legs are native sockets of one thread
 * routes each leg to the other with a shared block (protocol/src/media/fast-path.ts), and the audio
 * packets of a connected leg are then rewritten and sent here, in the receive loop, without a call
 * into JS: what rtpengine's userspace path does per packet. Everything else goes to JS as before:
 * telephone-event and unknown PTs, RTCP, bad packets, a leg not connected (latching, its source not
 * yet proven), a peer with no address. Audio during a DTMF event is forwarded here too: the relay
 * never holds audio back for an event (dtmf-relay.ts), and JS emits its event packets from timers
 * and from the event packets it receives, taking their sequence numbers from the same space.
 *
 * The rewrite is EgressSpace.forwardAudio (egress-space.ts) on the same state, the block's f64s,
 * which JS reads and writes for the telephone-event packets it emits on the same leg: one RTP space,
 * one SSRC, one sequence space for both. JS and C run on the same thread, never at the same time.
 *
 * RTP fixed header (RFC 3550 §5.1); bytes 2-11 rewritten, the rest untouched:
 *
 *  0                   1                   2                   3
 * |V=2|P|X|  CC   |M|     PT      |       sequence number         |
 * |                           timestamp                           |
 * |           synchronization source (SSRC) identifier            |
 */
#include "udp-batch.h"

#include <math.h>

/* RFC 3550 Appendix A.1: a sequence jump past these re-anchors the mapping (egress-space.ts) */
#define MAX_DROPOUT 3000
#define MAX_MISORDER 100
/* RFC 5761 §4: first bytes 192-223 are RTCP multiplexed on the RTP port (dtmf-relay.ts) */
#define RTCP_MIN 192
#define RTCP_MAX 223

static uint32_t rd32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void wr32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}

/* JS `x >>> 0` of a finite double: truncate, then modulo 2^32 */
static uint32_t to_u32(double x) {
  return (uint32_t)(uint64_t)(int64_t)x;
}

/* 16-bit `a` is after `b` (RFC 1982 serial arithmetic) */
static int seq_newer(uint32_t a, uint32_t b) {
  uint32_t d = (a - b) & 0xffff;
  return d != 0 && d < 0x8000;
}

/* EgressSpace.nowTs: the last forwarded timestamp plus elapsed time (Math.round = floor(x + 0.5)) */
static uint32_t now_ts(double *sp, double now) {
  if (sp[SP_TS_STARTED] == 0) {
    sp[SP_TS_STARTED] = 1;
    sp[SP_LAST_TS_AT_MS] = now;
  }
  return to_u32(sp[SP_LAST_TS] + floor((now - sp[SP_LAST_TS_AT_MS]) * sp[SP_CLOCK_RATE] / 1000 + 0.5));
}

/* EgressSpace.forwardAudio, follow() included */
static void forward_audio(double *sp, uint8_t *p, double now) {
  uint32_t seq = (uint32_t)p[2] << 8 | p[3];
  uint32_t ts = rd32(p + 4), ssrc = rd32(p + 8);
  uint32_t highest = (uint32_t)sp[SP_HIGHEST_SEQ];
  int keep = 0;
  if (sp[SP_ANCHORED] != 0 && ssrc == (uint32_t)sp[SP_SOURCE_SSRC]) {
    int d = (int16_t)(uint16_t)((seq + (uint32_t)sp[SP_SEQ_OFFSET] - highest) & 0xffff);
    keep = d > -MAX_MISORDER && d < MAX_DROPOUT;
  }
  if (!keep) {
    uint32_t nts = now_ts(sp, now);
    sp[SP_ANCHORED] = 1;
    sp[SP_SOURCE_SSRC] = ssrc;
    sp[SP_SEQ_OFFSET] = (highest + 1 - seq) & 0xffff;
    sp[SP_TS_OFFSET] = (uint32_t)(nts - ts);
  }
  uint32_t out_seq = (seq + (uint32_t)sp[SP_SEQ_OFFSET]) & 0xffff;
  uint32_t out_ts = ts + (uint32_t)sp[SP_TS_OFFSET];
  if (seq_newer(out_seq, highest)) {
    sp[SP_HIGHEST_SEQ] = out_seq;
    sp[SP_LAST_TS] = out_ts;
    sp[SP_LAST_TS_AT_MS] = now;
    sp[SP_TS_STARTED] = 1;
  }
  p[2] = (uint8_t)(out_seq >> 8);
  p[3] = (uint8_t)out_seq;
  wr32(p + 4, out_ts);
  wr32(p + 8, (uint32_t)sp[SP_SSRC]);
  sp[SP_SENT]++;
}

/* One received datagram (msgs[j], payload at p) the fast path may take. */
static int qualifies(const struct mmsghdr *m, const uint8_t *p, const uint8_t *block) {
  uint32_t len = m->msg_len;
  if ((m->msg_hdr.msg_flags & MSG_TRUNC) != 0 || len > RX_PAYLOAD_MAX || len < 12) return 0;
  if ((p[0] >> 6) != 2 || (p[1] >= RTCP_MIN && p[1] <= RTCP_MAX)) return 0;
  return block[BLOCK_PT_CLASS + (p[1] & 0x7f)] == FAST_AUDIO;
}

/*
 * The datagrams just read on `slot` (msgs[0, r), payloads at records first..first+r-1): forwards the
 * longest prefix that qualifies, so a leg's packets leave in the order they came (the rest, from the
 * first that does not, goes to JS). Returns the length of that prefix.
 */
uint32_t fast_prefix(state_t *st, uint32_t slot, uint32_t r, uint32_t first, double now_ms) {
  sock_t *in = &st->socks[slot];
  if (in->block == NULL || !in->connected || st->perf_origin_ns == 0) return 0;
  double *sp = (double *)(in->block + BLOCK_F64);
  if (in->route_out >= st->cap) return 0;
  sock_t *out = &st->socks[in->route_out];
  if (out->fd < 0 || !out->has_remote) return 0;
  double now = now_ms + sp[RT_CLOCK_OFFSET_MS];
  uint32_t f = 0;
  for (; f < r; f++) {
    uint8_t *p = st->rx + (size_t)(first + f) * RX_STRIDE + RX_HEADER;
    if (!qualifies(&st->msgs[f], p, in->block)) break;
    forward_audio(sp, p, now);
    st->fiov[f].iov_base = p;
    st->fiov[f].iov_len = st->msgs[f].msg_len;
    memset(&st->fmsgs[f], 0, sizeof st->fmsgs[f]);
    st->fmsgs[f].msg_hdr.msg_iov = &st->fiov[f];
    st->fmsgs[f].msg_hdr.msg_iovlen = 1;
  }
  if (f == 0) return 0;
  sp[RT_AUDIO_IN] += f;
  in->fast_rx += f;
  out->fast_tx += f;
  st->datagrams += f;
  st->fast += f;
  send_run(st, out, st->fmsgs, f);
  return f;
}

/* Removes the route from `slot`; its block's reference goes. */
static void unroute_from(napi_env env, state_t *st, uint32_t slot) {
  sock_t *s = &st->socks[slot];
  if (s->route_out != NO_SLOT && s->route_out < st->cap && st->socks[s->route_out].route_in == slot)
    st->socks[s->route_out].route_in = NO_SLOT;
  s->route_out = NO_SLOT;
  if (s->block_ref != NULL && env != NULL) napi_delete_reference(env, s->block_ref);
  s->block_ref = NULL;
  s->block = NULL;
}

/* A socket closes: the route from it and the one to it go. */
void unroute(napi_env env, state_t *st, uint32_t slot) {
  unroute_from(env, st, slot);
  uint32_t from = st->socks[slot].route_in;
  if (from != NO_SLOT && from < st->cap && st->socks[from].route_out == slot) unroute_from(env, st, from);
  st->socks[slot].route_in = NO_SLOT;
}

/*
 * route(inSlot, outSlot, block): audio received on inSlot is forwarded in C to outSlot with the
 * block's PT classes and RTP space; route(inSlot) removes it. Both must be open sockets of this
 * thread; block an ArrayBuffer of BLOCK_BYTES (8-aligned: V8's are), kept alive until unrouted.
 */
napi_value js_route(napi_env env, napi_callback_info info) {
  call_t c;
  sock_t *in;
  if (begin(env, info, &c) == NULL || (in = arg_sock(env, &c, 0)) == NULL) return NULL;
  uint32_t slot = (uint32_t)(in - c.st->socks);
  unroute_from(env, c.st, slot);
  if (c.argc < 3) return undefined(env);
  sock_t *out = arg_sock(env, &c, 1);
  if (out == NULL) return NULL;
  void *data = NULL;
  size_t bytes = 0;
  bool is_ab = false;
  if (napi_is_arraybuffer(env, c.argv[2], &is_ab) != napi_ok || !is_ab ||
      napi_get_arraybuffer_info(env, c.argv[2], &data, &bytes) != napi_ok || bytes < BLOCK_BYTES ||
      ((uintptr_t)data & 7) != 0 || out == in) {
    napi_throw_type_error(env, "EINVAL", "udp-batch: route(in, out, block) needs another socket and a block");
    return NULL;
  }
  uint32_t to = (uint32_t)(out - c.st->socks);
  if (out->route_in != NO_SLOT) unroute_from(env, c.st, out->route_in);
  NAPI_OK(napi_create_reference(env, c.argv[2], 1, &in->block_ref));
  in->block = data;
  in->route_out = to;
  out->route_in = slot;
  return undefined(env);
}

/* clockSync(performanceNowMs): the receive loop's clock on the performance.now() scale. */
napi_value js_clock_sync(napi_env env, napi_callback_info info) {
  call_t c;
  double ms;
  if (begin(env, info, &c) == NULL) return NULL;
  if (c.argc < 1 || napi_get_value_double(env, c.argv[0], &ms) != napi_ok || !isfinite(ms)) {
    napi_throw_type_error(env, "EINVAL", "udp-batch: clockSync(ms) needs a number");
    return NULL;
  }
  c.st->perf_origin_ns = (double)uv_hrtime() - ms * 1e6;
  if (c.st->perf_origin_ns == 0) c.st->perf_origin_ns = 1; /* 0 means "never synced" */
  return undefined(env);
}
