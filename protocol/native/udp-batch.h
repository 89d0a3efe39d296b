/* udp-batch.h: the shared state of udp-batch.c (receive loop, socket table, teardown) and
 * udp-batch-api.c (the functions JS calls). The record layouts are drawn in udp-batch.c. */
#ifndef UDP_BATCH_H
#define UDP_BATCH_H
#define NAPI_VERSION 8
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <node_api.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#define RX_STRIDE 4096u
#define RX_HEADER 32u
#define RX_PAYLOAD_MAX (RX_STRIDE - RX_HEADER)
#define RX_RECORDS 256u
#define TX_BYTES (256u * 1024u)
#define MMSG_MAX 64u
#define EPOLL_EVENTS 64
#define NO_SLOT 0xffffffffu
#define FLAG_FROM_REMOTE 1u
#define FLAG_TRUNCATED 2u
#define SCRATCH_WORDS 8u
#define WAKE_BUCKETS 16
/* scratch: words 0..3 call results; the f64 at byte 16 is the wake's time (performance.now() scale) */
#define SCRATCH_WAKE_MS_F64 2u

/* The route block of the audio fast path (udp-batch-fast.c; JS: protocol/src/media/fast-path.ts). */
#define BLOCK_BYTES 256u
#define BLOCK_PT_CLASS 0u /* u8[128]: FAST_AUDIO = a PT this leg may forward in C */
#define BLOCK_F64 128u    /* f64[16] from here: */
#define FAST_AUDIO 1u
enum {
  SP_HIGHEST_SEQ, /* the egress leg's RTP space (egress-space.ts) */
  SP_SEQ_OFFSET,
  SP_TS_OFFSET,
  SP_ANCHORED,
  SP_SOURCE_SSRC,
  SP_RESERVED_SEQ,
  SP_LAST_TS,
  SP_LAST_TS_AT_MS,
  SP_TS_STARTED,
  SP_SENT,
  SP_SSRC,
  SP_CLOCK_RATE,
  RT_AUDIO_IN,        /* audio packets forwarded here */
  RT_CLOCK_OFFSET_MS, /* the relay's clock minus performance.now() */
  RT_SPARE
};

typedef union {
  struct sockaddr sa;
  struct sockaddr_in v4;
  struct sockaddr_in6 v6;
} addr_t;

typedef struct {
  int fd; /* -1: free */
  int family;
  int connected;
  int has_remote;
  addr_t remote;
  socklen_t remote_len;
  uint32_t errors;    /* recv/send errors, EAGAIN on send included, since the last takeCounters */
  uint32_t truncated; /* datagrams longer than RX_PAYLOAD_MAX */
  uint32_t next_free;
  /* audio fast path (udp-batch-fast.c): where this socket's audio goes, the block, who routes here */
  uint32_t route_out, route_in;
  uint8_t *block;
  napi_ref block_ref;
  uint32_t fast_rx, fast_tx; /* forwarded in C since the last takeCounters */
} sock_t;

typedef struct {
  napi_env env;
  int epfd;
  uv_poll_t poll;
  int poll_started;
  int torn_down;
  napi_ref on_batch;
  napi_ref resource;
  napi_async_context actx;
  napi_ref rx_ref, tx_ref, scratch_ref;
  uint8_t *rx;
  uint8_t *tx;
  uint32_t *scratch;
  sock_t *socks;
  uint32_t cap, open_count, free_head, free_tail;
  uint32_t per_socket, total;
  napi_async_cleanup_hook_handle cleanup;
  /* thread totals (stats()) */
  double wakes, datagrams, truncated, rx_errors, tx_calls, tx_datagrams, tx_errors, fast;
  /* uv_hrtime() at performance.now() == 0 (clockSync) */
  double perf_origin_ns;
  /* wakes by how long they took, receive to the end of JS and its sends: < 2^i µs (i = 0..15) */
  double wake_us[WAKE_BUCKETS];
  struct mmsghdr msgs[MMSG_MAX];
  struct iovec iov[MMSG_MAX];
  addr_t names[MMSG_MAX];
  /* the fast path's sends (udp-batch-fast.c) */
  struct mmsghdr fmsgs[MMSG_MAX];
  struct iovec fiov[MMSG_MAX];
} state_t;

#define NAPI_OK(call)                                                                                         \
  do {                                                                                                        \
    if ((call) != napi_ok) return NULL;                                                                       \
  } while (0)


#define MAX_ARGS 4

/* one JS call's thread state and arguments (udp-batch-api.c) */
typedef struct {
  state_t *st;
  napi_value argv[MAX_ARGS];
  size_t argc;
} call_t;

state_t *begin(napi_env env, napi_callback_info info, call_t *c);
int arg_u32(napi_env env, call_t *c, size_t i, uint32_t *out);
sock_t *arg_sock(napi_env env, call_t *c, size_t i);
napi_value number(napi_env env, double v);
napi_value undefined(napi_env env);
int set_prop(napi_env env, napi_value obj, const char *name, napi_value v);

/* the functions of udp-batch-api.c that the module exports (udp-batch-io.c registers them) */
napi_value js_init(napi_env env, napi_callback_info info);
napi_value js_open(napi_env env, napi_callback_info info);
napi_value js_set_remote(napi_env env, napi_callback_info info);
napi_value js_clear_remote(napi_env env, napi_callback_info info);
napi_value js_latch(napi_env env, napi_callback_info info);
napi_value js_connect(napi_env env, napi_callback_info info);
napi_value js_disconnect(napi_env env, napi_callback_info info);

state_t *state_of(napi_env env);
napi_value throw_errno(napi_env env, const char *what, int err);
void on_readable(uv_poll_t *handle, int status, int events);
uint32_t take_slot(state_t *st);
void give_slot(state_t *st, uint32_t slot);
void update_ref(state_t *st);
void on_env_cleanup(napi_async_cleanup_hook_handle hook, void *arg);

/* udp-batch-io.c: msgs[0, k) out on `s`, errors counted */
void send_run(state_t *st, sock_t *s, struct mmsghdr *msgs, uint32_t k);

/* udp-batch-fast.c */
uint32_t fast_prefix(state_t *st, uint32_t slot, uint32_t r, uint32_t first, double now_ms);
void unroute(napi_env env, state_t *st, uint32_t slot);
napi_value js_route(napi_env env, napi_callback_info info);
napi_value js_clock_sync(napi_env env, napi_callback_info info);

#endif
