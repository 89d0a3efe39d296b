/*
 * udp-batch-io.c: flush (the send records JS queued, sendmmsg per run of one socket's records),
 * counters, close, batch limits, thread stats; and the module's registration (NAPI_MODULE_INIT:
 * context-aware, so every worker thread gets its own state through napi_set_instance_data).
 */
#include "udp-batch.h"

/*
 * Sends msgs[0, k) (iovecs set) on one socket, to its remote unless connected; failures are counted
 * on the socket, never thrown. flush() and the audio fast path (udp-batch-fast.c) both send here.
 */
void send_run(state_t *st, sock_t *s, struct mmsghdr *msgs, uint32_t k) {
  uint32_t i = 0;
  for (uint32_t j = 0; j < k; j++) {
    msgs[j].msg_hdr.msg_name = s->connected ? NULL : &s->remote;
    msgs[j].msg_hdr.msg_namelen = s->connected ? 0 : s->remote_len;
  }
  while (i < k) {
    st->tx_calls++;
    int r = sendmmsg(s->fd, msgs + i, k - i, MSG_DONTWAIT);
    if (r > 0) {
      st->tx_datagrams += r;
      i += (uint32_t)r;
      continue;
    }
    if (r < 0 && errno == EINTR) continue;
    /* the socket buffer is full: this run is lost (dgram would queue it; a relay drops it) */
    uint32_t lost = (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)) ? k - i : 1;
    s->errors += lost;
    st->tx_errors += lost;
    i += lost;
  }
}

/* flush(bytes): sends the send records in tx[0, bytes); returns how many records were well-formed. */
static napi_value js_flush(napi_env env, napi_callback_info info) {
  call_t c;
  uint32_t bytes;
  if (begin(env, info, &c) == NULL || arg_u32(env, &c, 0, &bytes)) return NULL;
  state_t *st = c.st;
  if (bytes > TX_BYTES) bytes = TX_BYTES;
  uint32_t off = 0, records = 0, k = 0;
  sock_t *run = NULL;
  while (off + 8 <= bytes) {
    uint32_t w[2];
    memcpy(w, st->tx + off, sizeof w);
    uint32_t slot = w[0], len = w[1];
    if (len > bytes - off - 8) break; /* a bug on the JS side: stop, send nothing more */
    sock_t *s = slot < st->cap && st->socks[slot].fd >= 0 ? &st->socks[slot] : NULL;
    if (run != NULL && (s != run || k == MMSG_MAX)) {
      send_run(st, run, st->msgs, k);
      k = 0;
      run = NULL;
    }
    if (s != NULL && (s->connected || s->has_remote)) {
      run = s;
      st->iov[k].iov_base = st->tx + off + 8;
      st->iov[k].iov_len = len;
      memset(&st->msgs[k], 0, sizeof st->msgs[k]);
      st->msgs[k].msg_hdr.msg_iov = &st->iov[k];
      st->msgs[k].msg_hdr.msg_iovlen = 1;
      k++;
    } else if (s != NULL) {
      s->errors++;
      st->tx_errors++;
    }
    records++;
    off += 8 + ((len + 7u) & ~7u);
  }
  if (run != NULL) send_run(st, run, st->msgs, k);
  return number(env, records);
}

/* takeCounters(slot): since the last call, scratch[0] = errors, [1] = truncated, [2] / [3] = datagrams
   received / sent by the fast path; all reset. */
static napi_value js_take_counters(napi_env env, napi_callback_info info) {
  call_t c;
  sock_t *s;
  if (begin(env, info, &c) == NULL || (s = arg_sock(env, &c, 0)) == NULL) return NULL;
  c.st->scratch[0] = s->errors;
  c.st->scratch[1] = s->truncated;
  c.st->scratch[2] = s->fast_rx;
  c.st->scratch[3] = s->fast_tx;
  s->errors = 0;
  s->truncated = 0;
  s->fast_rx = 0;
  s->fast_tx = 0;
  return undefined(env);
}

/* close(slot): out of epoll, fd closed, slot to the end of the free list. */
static napi_value js_close(napi_env env, napi_callback_info info) {
  call_t c;
  sock_t *s;
  if (begin(env, info, &c) == NULL || (s = arg_sock(env, &c, 0)) == NULL) return NULL;
  state_t *st = c.st;
  unroute(env, st, (uint32_t)(s - st->socks));
  epoll_ctl(st->epfd, EPOLL_CTL_DEL, s->fd, NULL); /* close() would drop it too; the result is moot */
  close(s->fd);
  s->fd = -1;
  s->connected = 0;
  s->has_remote = 0;
  give_slot(st, (uint32_t)(s - st->socks));
  st->open_count--;
  update_ref(st);
  return undefined(env);
}

/* limits(perSocket, total): datagrams read per socket and in all per wake (tests lower them). */
static napi_value js_limits(napi_env env, napi_callback_info info) {
  call_t c;
  uint32_t per, total;
  if (begin(env, info, &c) == NULL || arg_u32(env, &c, 0, &per) || arg_u32(env, &c, 1, &total)) return NULL;
  c.st->per_socket = per < 1 ? 1 : per > MMSG_MAX ? MMSG_MAX : per;
  c.st->total = total < 1 ? 1 : total > RX_RECORDS ? RX_RECORDS : total;
  return undefined(env);
}

/* stats(): this thread's totals since init. */
static napi_value js_stats(napi_env env, napi_callback_info info) {
  call_t c;
  if (begin(env, info, &c) == NULL) return NULL;
  state_t *st = c.st;
  napi_value out;
  NAPI_OK(napi_create_object(env, &out));
  if (set_prop(env, out, "sockets", number(env, st->open_count)) || set_prop(env, out, "wakes", number(env, st->wakes)) ||
      set_prop(env, out, "datagrams", number(env, st->datagrams)) ||
      set_prop(env, out, "truncated", number(env, st->truncated)) ||
      set_prop(env, out, "rxErrors", number(env, st->rx_errors)) ||
      set_prop(env, out, "txCalls", number(env, st->tx_calls)) ||
      set_prop(env, out, "txDatagrams", number(env, st->tx_datagrams)) ||
      set_prop(env, out, "txErrors", number(env, st->tx_errors)) ||
      set_prop(env, out, "fastDatagrams", number(env, st->fast)))
    return NULL;
  napi_value hist;
  NAPI_OK(napi_create_array_with_length(env, WAKE_BUCKETS, &hist));
  for (uint32_t i = 0; i < WAKE_BUCKETS; i++) NAPI_OK(napi_set_element(env, hist, i, number(env, st->wake_us[i])));
  if (set_prop(env, out, "wakeMicros", hist)) return NULL;
  return out;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor fns[] = {
      {"init", NULL, js_init, NULL, NULL, NULL, napi_enumerable, NULL},
      {"open", NULL, js_open, NULL, NULL, NULL, napi_enumerable, NULL},
      {"setRemote", NULL, js_set_remote, NULL, NULL, NULL, napi_enumerable, NULL},
      {"clearRemote", NULL, js_clear_remote, NULL, NULL, NULL, napi_enumerable, NULL},
      {"latch", NULL, js_latch, NULL, NULL, NULL, napi_enumerable, NULL},
      {"connect", NULL, js_connect, NULL, NULL, NULL, napi_enumerable, NULL},
      {"disconnect", NULL, js_disconnect, NULL, NULL, NULL, napi_enumerable, NULL},
      {"flush", NULL, js_flush, NULL, NULL, NULL, napi_enumerable, NULL},
      {"takeCounters", NULL, js_take_counters, NULL, NULL, NULL, napi_enumerable, NULL},
      {"close", NULL, js_close, NULL, NULL, NULL, napi_enumerable, NULL},
      {"limits", NULL, js_limits, NULL, NULL, NULL, napi_enumerable, NULL},
      {"route", NULL, js_route, NULL, NULL, NULL, napi_enumerable, NULL},
      {"clockSync", NULL, js_clock_sync, NULL, NULL, NULL, napi_enumerable, NULL},
      {"stats", NULL, js_stats, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, sizeof fns / sizeof fns[0], fns) != napi_ok) return NULL;
  return exports;
}
