/*
 * udp-batch.c: a batched UDP path for the media relay's RTP sockets (protocol/src/media/native-io.ts).
 *
 * Per JS thread (the main thread, each media worker): one epoll fd holding that thread's sockets,
 * registered in the thread's libuv loop with one uv_poll_t. When it is readable, every ready socket
 * is drained with recvmmsg (at most per_socket datagrams each, at most total in all, so one hot
 * socket cannot starve the loop; epoll is level-triggered, so what is left is reported on the next
 * turn), the datagrams are written into ONE ArrayBuffer shared with JS, and JS is called ONCE with
 * their count. JS queues its sends into a second shared ArrayBuffer and hands them back with one
 * flush() call: sendmmsg per run of records of the same socket. Nothing here throws on peer input;
 * socket errors (ICMP unreachable, EAGAIN on send) are counted per socket, never thrown.
 *
 * Receive record (RX_STRIDE bytes each, record i at i * RX_STRIDE; little-endian u32 words):
 *
 *   0        4        8             10       11       12                              28       32
 *  +--------+--------+-------------+--------+--------+-------------------------------+--------+----------
 *  | slot   | length | source port | family | flags  | source address (v4: word 3 only,| unused | payload
 *  |        |        |    (u16)    | 4 / 6  |        |  host order; v6: 16 bytes raw)  |        | (length)
 *  +--------+--------+-------------+--------+--------+-------------------------------+--------+----------
 *  slot = 0xffffffff: no datagram here (truncated: counted, not delivered).
 *  flags: 1 = the source is the socket's remote (address and port equal), 2 = truncated.
 *
 * Send record (8-byte aligned, packed one after another from offset 0):
 *  | slot (u32) | length (u32) | payload, padded to a multiple of 8 |
 *
 * Build: scripts/build-native.sh (a plain cc call; no node-gyp).
 */
#include "udp-batch.h"

#include <stdio.h>

napi_value throw_errno(napi_env env, const char *what, int err) {
  char msg[160];
  const char *name = uv_err_name(uv_translate_sys_error(err));
  snprintf(msg, sizeof msg, "%s %s", what, name);
  napi_throw_error(env, name, msg);
  return NULL;
}

state_t *state_of(napi_env env) {
  void *data = NULL;
  if (napi_get_instance_data(env, &data) != napi_ok) return NULL;
  return (state_t *)data;
}

/* ---- the receive side --------------------------------------------------------------------------- */

static int same_address(const sock_t *s, const addr_t *a) {
  if (!s->has_remote || a->sa.sa_family != s->remote.sa.sa_family) return 0;
  if (a->sa.sa_family == AF_INET)
    return a->v4.sin_port == s->remote.v4.sin_port && a->v4.sin_addr.s_addr == s->remote.v4.sin_addr.s_addr;
  if (a->sa.sa_family == AF_INET6)
    return a->v6.sin6_port == s->remote.v6.sin6_port &&
           memcmp(&a->v6.sin6_addr, &s->remote.v6.sin6_addr, sizeof(struct in6_addr)) == 0;
  return 0;
}

static void write_header(state_t *st, uint8_t *rec, uint32_t slot, const struct mmsghdr *m, const addr_t *a) {
  sock_t *s = &st->socks[slot];
  uint32_t w[8] = {0};
  uint32_t flags = 0;
  uint32_t len = m->msg_len;
  if ((m->msg_hdr.msg_flags & MSG_TRUNC) != 0 || len > RX_PAYLOAD_MAX) {
    s->truncated++;
    st->truncated++;
    w[0] = NO_SLOT;
    len = 0;
    flags = FLAG_TRUNCATED;
  } else {
    w[0] = slot;
    st->datagrams++;
  }
  w[1] = len;
  uint32_t family = 0, port = 0;
  if (m->msg_hdr.msg_namelen >= sizeof(struct sockaddr_in) && a->sa.sa_family == AF_INET) {
    family = 4;
    port = ntohs(a->v4.sin_port);
    w[3] = ntohl(a->v4.sin_addr.s_addr);
  } else if (m->msg_hdr.msg_namelen >= sizeof(struct sockaddr_in6) && a->sa.sa_family == AF_INET6) {
    family = 6;
    port = ntohs(a->v6.sin6_port);
    memcpy(&w[3], &a->v6.sin6_addr, 16);
  }
  if (family != 0 && same_address(s, a)) flags |= FLAG_FROM_REMOTE;
  w[2] = port | (family << 16) | (flags << 24);
  memcpy(rec, w, sizeof w);
}

/* One call into JS with the batch's record count; its exception (a bug) goes to uncaughtException. */
static void deliver(state_t *st, uint32_t count) {
  napi_env env = st->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value fn, recv, argv[1], result;
  if (napi_get_reference_value(env, st->on_batch, &fn) == napi_ok &&
      napi_get_reference_value(env, st->resource, &recv) == napi_ok &&
      napi_create_uint32(env, count, &argv[0]) == napi_ok) {
    napi_status s = napi_make_callback(env, st->actx, recv, fn, 1, argv, &result);
    if (s == napi_pending_exception) {
      napi_value err;
      napi_valuetype t = napi_undefined;
      /* a worker being terminated cannot run JS: no exception is pending then, nothing to report */
      if (napi_get_and_clear_last_exception(env, &err) == napi_ok && napi_typeof(env, err, &t) == napi_ok &&
          t != napi_undefined)
        napi_fatal_exception(env, err);
    }
  }
  napi_close_handle_scope(env, scope);
}

void on_readable(uv_poll_t *handle, int status, int events) {
  (void)events;
  state_t *st = (state_t *)handle->data;
  if (st->torn_down || status < 0) return;
  struct epoll_event ev[EPOLL_EVENTS];
  int n = epoll_wait(st->epfd, ev, EPOLL_EVENTS, 0);
  if (n <= 0) return;
  uint64_t t0 = uv_hrtime();
  /* the wake's time on the performance.now() scale: the fast path's and JS's (NativeIo.now()) */
  double now_ms = ((double)t0 - st->perf_origin_ns) / 1e6;
  st->wakes++;
  uint32_t count = 0;
  uint32_t limit = st->total < RX_RECORDS ? st->total : RX_RECORDS;
  for (int i = 0; i < n && count < limit; i++) {
    uint32_t slot = ev[i].data.u32;
    if (slot >= st->cap || st->socks[slot].fd < 0) continue;
    uint32_t want = limit - count;
    if (want > st->per_socket) want = st->per_socket;
    if (want > MMSG_MAX) want = MMSG_MAX;
    for (uint32_t j = 0; j < want; j++) {
      st->iov[j].iov_base = st->rx + (size_t)(count + j) * RX_STRIDE + RX_HEADER;
      st->iov[j].iov_len = RX_PAYLOAD_MAX;
      memset(&st->msgs[j], 0, sizeof st->msgs[j]);
      st->msgs[j].msg_hdr.msg_name = &st->names[j];
      st->msgs[j].msg_hdr.msg_namelen = sizeof st->names[j];
      st->msgs[j].msg_hdr.msg_iov = &st->iov[j];
      st->msgs[j].msg_hdr.msg_iovlen = 1;
    }
    int r = recvmmsg(st->socks[slot].fd, st->msgs, want, MSG_DONTWAIT, NULL);
    if (r < 0) {
      /* ECONNREFUSED & co. (ICMP on a connected socket): reading it clears it */
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        st->socks[slot].errors++;
        st->rx_errors++;
      }
      continue;
    }
    /* audio of a routed leg leaves here (udp-batch-fast.c); its records are then reused */
    uint32_t f = st->socks[slot].block != NULL ? fast_prefix(st, slot, (uint32_t)r, count, now_ms) : 0;
    if (f == (uint32_t)r) continue;
    for (uint32_t j = 0; j < f; j++) {
      uint32_t skip[2] = {NO_SLOT, 0};
      memcpy(st->rx + (size_t)(count + j) * RX_STRIDE, skip, sizeof skip);
    }
    for (uint32_t j = f; j < (uint32_t)r; j++)
      write_header(st, st->rx + (size_t)(count + j) * RX_STRIDE, slot, &st->msgs[j], &st->names[j]);
    count += (uint32_t)r;
  }
  if (count > 0) {
    memcpy((uint8_t *)st->scratch + SCRATCH_WAKE_MS_F64 * 8, &now_ms, sizeof now_ms);
    deliver(st, count);
  }
  uint64_t us = (uv_hrtime() - t0) / 1000;
  int b = 0;
  while (b < WAKE_BUCKETS - 1 && us >= (1ull << b)) b++;
  st->wake_us[b]++;
}

/* ---- socket table ------------------------------------------------------------------------------- */

static int grow(state_t *st) {
  uint32_t cap = st->cap == 0 ? 256 : st->cap * 2;
  if (cap > 1u << 20) return -1;
  sock_t *s = realloc(st->socks, (size_t)cap * sizeof(sock_t));
  if (s == NULL) return -1;
  for (uint32_t i = st->cap; i < cap; i++) {
    memset(&s[i], 0, sizeof s[i]);
    s[i].fd = -1;
    s[i].next_free = i + 1 < cap ? i + 1 : NO_SLOT;
  }
  /* new slots go to the end of the free list: a freed slot is reused as late as possible */
  if (st->free_head == NO_SLOT) st->free_head = st->cap;
  else s[st->free_tail].next_free = st->cap;
  st->free_tail = cap - 1;
  st->socks = s;
  st->cap = cap;
  return 0;
}

uint32_t take_slot(state_t *st) {
  if (st->free_head == NO_SLOT && grow(st) != 0) return NO_SLOT;
  uint32_t slot = st->free_head;
  st->free_head = st->socks[slot].next_free;
  if (st->free_head == NO_SLOT) st->free_tail = NO_SLOT;
  return slot;
}

void give_slot(state_t *st, uint32_t slot) {
  st->socks[slot].next_free = NO_SLOT;
  if (st->free_head == NO_SLOT) st->free_head = slot;
  else st->socks[st->free_tail].next_free = slot;
  st->free_tail = slot;
}

void update_ref(state_t *st) {
  if (!st->poll_started) return;
  if (st->open_count > 0) uv_ref((uv_handle_t *)&st->poll);
  else uv_unref((uv_handle_t *)&st->poll);
}

/* ---- teardown (env cleanup: a worker exits or the process ends) -------------------------------- */

static void on_poll_closed(uv_handle_t *h) {
  state_t *st = (state_t *)h->data;
  napi_async_cleanup_hook_handle hook = st->cleanup;
  if (st->epfd >= 0) close(st->epfd);
  free(st->socks);
  free(st);
  napi_remove_async_cleanup_hook(hook);
}

void on_env_cleanup(napi_async_cleanup_hook_handle hook, void *arg) {
  state_t *st = (state_t *)arg;
  (void)hook;
  st->torn_down = 1;
  for (uint32_t i = 0; i < st->cap; i++) {
    st->socks[i].block = NULL;
    st->socks[i].block_ref = NULL;
  }
  for (uint32_t i = 0; i < st->cap; i++)
    if (st->socks[i].fd >= 0) {
      close(st->socks[i].fd);
      st->socks[i].fd = -1;
    }
  st->open_count = 0;
  if (st->poll_started) {
    uv_poll_stop(&st->poll);
    uv_close((uv_handle_t *)&st->poll, on_poll_closed);
  } else {
    on_poll_closed((uv_handle_t *)&st->poll);
  }
}

