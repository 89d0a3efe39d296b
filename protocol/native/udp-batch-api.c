/*
 * udp-batch-api.c: the functions native-io.ts calls (one set per JS thread: N-API instance data).
 * Socket calls report errors as values (connect, disconnect) or counters (sends); only open() and
 * misuse (a bad argument: a bug in the JS side) throw.
 */
#include "udp-batch.h"

#include <stdio.h>

/* The thread's state and the call's arguments; NULL (and a JS exception) when init() has not run. */
state_t *begin(napi_env env, napi_callback_info info, call_t *c) {
  c->argc = MAX_ARGS;
  if (napi_get_cb_info(env, info, &c->argc, c->argv, NULL, NULL) != napi_ok) return NULL;
  c->st = state_of(env);
  if (c->st == NULL || c->st->torn_down) {
    napi_throw_error(env, "ENOTINIT", "udp-batch: init() first");
    return NULL;
  }
  return c->st;
}

int arg_u32(napi_env env, call_t *c, size_t i, uint32_t *out) {
  if (i >= c->argc || napi_get_value_uint32(env, c->argv[i], out) != napi_ok) {
    napi_throw_type_error(env, "EINVAL", "udp-batch: expected a number argument");
    return -1;
  }
  return 0;
}

/* A socket slot argument that names an open socket. */
sock_t *arg_sock(napi_env env, call_t *c, size_t i) {
  uint32_t slot;
  if (arg_u32(env, c, i, &slot) != 0) return NULL;
  if (slot >= c->st->cap || c->st->socks[slot].fd < 0) {
    napi_throw_range_error(env, "EBADF", "udp-batch: no such socket");
    return NULL;
  }
  return &c->st->socks[slot];
}

static int arg_addr(napi_env env, call_t *c, size_t i, uint32_t port, addr_t *out, socklen_t *len) {
  char text[INET6_ADDRSTRLEN + 1];
  size_t n = 0;
  if (i >= c->argc || napi_get_value_string_utf8(env, c->argv[i], text, sizeof text, &n) != napi_ok) {
    napi_throw_type_error(env, "EINVAL", "udp-batch: expected an address string");
    return -1;
  }
  memset(out, 0, sizeof *out);
  if (port > 65535) return 1;
  if (inet_pton(AF_INET, text, &out->v4.sin_addr) == 1) {
    out->v4.sin_family = AF_INET;
    out->v4.sin_port = htons((uint16_t)port);
    *len = sizeof out->v4;
    return 0;
  }
  if (inet_pton(AF_INET6, text, &out->v6.sin6_addr) == 1) {
    out->v6.sin6_family = AF_INET6;
    out->v6.sin6_port = htons((uint16_t)port);
    *len = sizeof out->v6;
    return 0;
  }
  return 1; /* not an IP literal */
}

napi_value number(napi_env env, double v) {
  napi_value out;
  NAPI_OK(napi_create_double(env, v, &out));
  return out;
}

napi_value undefined(napi_env env) {
  napi_value out;
  NAPI_OK(napi_get_undefined(env, &out));
  return out;
}

int set_prop(napi_env env, napi_value obj, const char *name, napi_value v) {
  return v != NULL && napi_set_named_property(env, obj, name, v) == napi_ok ? 0 : -1;
}

static napi_value buffer_ref(napi_env env, size_t bytes, void **data, napi_ref *ref) {
  napi_value ab;
  NAPI_OK(napi_create_arraybuffer(env, bytes, data, &ab));
  NAPI_OK(napi_create_reference(env, ab, 1, ref));
  return ab;
}

static napi_value ref_value(napi_env env, napi_ref ref) {
  napi_value v;
  NAPI_OK(napi_get_reference_value(env, ref, &v));
  return v;
}

/* init(onBatch): the thread's epoll fd, poll handle and shared buffers; again: a new callback only. */
napi_value js_init(napi_env env, napi_callback_info info) {
  call_t c;
  c.argc = 1;
  NAPI_OK(napi_get_cb_info(env, info, &c.argc, c.argv, NULL, NULL));
  napi_valuetype t = napi_undefined;
  if (c.argc < 1 || napi_typeof(env, c.argv[0], &t) != napi_ok || t != napi_function) {
    napi_throw_type_error(env, "EINVAL", "udp-batch: init(onBatch) needs a function");
    return NULL;
  }
  state_t *st = state_of(env);
  if (st == NULL) {
    st = calloc(1, sizeof *st);
    if (st == NULL) return throw_errno(env, "init", ENOMEM);
    st->env = env;
    st->poll.data = st;
    st->free_head = st->free_tail = NO_SLOT;
    st->per_socket = MMSG_MAX;
    st->total = RX_RECORDS;
    st->epfd = epoll_create1(EPOLL_CLOEXEC);
    uv_loop_t *loop = NULL;
    napi_value resource, name;
    void *rx = NULL, *tx = NULL, *scratch = NULL;
    int err = st->epfd < 0 ? errno : 0;
    if (err == 0 && (napi_get_uv_event_loop(env, &loop) != napi_ok ||
                     buffer_ref(env, RX_RECORDS * RX_STRIDE, &rx, &st->rx_ref) == NULL ||
                     buffer_ref(env, TX_BYTES, &tx, &st->tx_ref) == NULL ||
                     buffer_ref(env, SCRATCH_WORDS * 4, &scratch, &st->scratch_ref) == NULL ||
                     napi_create_object(env, &resource) != napi_ok ||
                     napi_create_reference(env, resource, 1, &st->resource) != napi_ok ||
                     napi_create_string_utf8(env, "UdpBatch", NAPI_AUTO_LENGTH, &name) != napi_ok ||
                     napi_async_init(env, resource, name, &st->actx) != napi_ok))
      err = EIO;
    if (err == 0 && uv_poll_init(loop, &st->poll, st->epfd) != 0) err = EIO;
    if (err != 0) {
      if (st->epfd >= 0) close(st->epfd);
      free(st);
      return throw_errno(env, "init", err);
    }
    st->rx = rx;
    st->tx = tx;
    st->scratch = scratch;
    /* from here on the poll handle exists: whatever happens next, teardown goes through
       on_env_cleanup (uv_close before the loop closes), so the hook is registered first */
    st->poll_started = 1;
    if (napi_add_async_cleanup_hook(env, on_env_cleanup, st, &st->cleanup) != napi_ok) {
      uv_close((uv_handle_t *)&st->poll, NULL); /* st is lost: a few KiB, once, on a failed init */
      napi_throw_error(env, "EIO", "udp-batch: init failed (cleanup hook)");
      return NULL;
    }
    update_ref(st);
    if (napi_set_instance_data(env, st, NULL, NULL) != napi_ok ||
        uv_poll_start(&st->poll, UV_READABLE, on_readable) != 0) {
      napi_throw_error(env, "EIO", "udp-batch: init failed");
      return NULL;
    }
  } else {
    NAPI_OK(napi_delete_reference(env, st->on_batch));
  }
  NAPI_OK(napi_create_reference(env, c.argv[0], 1, &st->on_batch));
  napi_value out;
  NAPI_OK(napi_create_object(env, &out));
  if (set_prop(env, out, "rx", ref_value(env, st->rx_ref)) || set_prop(env, out, "tx", ref_value(env, st->tx_ref)) ||
      set_prop(env, out, "scratch", ref_value(env, st->scratch_ref)) ||
      set_prop(env, out, "rxStride", number(env, RX_STRIDE)) ||
      set_prop(env, out, "rxHeader", number(env, RX_HEADER)) ||
      set_prop(env, out, "rxPayloadMax", number(env, RX_PAYLOAD_MAX)) ||
      set_prop(env, out, "maxRecords", number(env, RX_RECORDS)) ||
      set_prop(env, out, "maxPerSocket", number(env, MMSG_MAX)))
    return NULL;
  return out;
}

/* open(address, port, rcvbuf): a bound nonblocking UDP socket in the thread's epoll; scratch[0] = local port. */
napi_value js_open(napi_env env, napi_callback_info info) {
  call_t c;
  uint32_t port, rcvbuf;
  addr_t local;
  socklen_t len = 0;
  if (begin(env, info, &c) == NULL || arg_u32(env, &c, 1, &port) || arg_u32(env, &c, 2, &rcvbuf)) return NULL;
  int bad = arg_addr(env, &c, 0, port, &local, &len);
  if (bad < 0) return NULL;
  if (bad > 0) return throw_errno(env, "bind (not an IP literal or port)", EINVAL);
  state_t *st = c.st;
  int fd = socket(local.sa.sa_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return throw_errno(env, "socket", errno);
  int size = (int)(rcvbuf > 0x3fffffff ? 0x3fffffff : rcvbuf);
  if (rcvbuf > 0 && setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size) != 0) {
    int e = errno;
    close(fd);
    return throw_errno(env, "setsockopt SO_RCVBUF", e);
  }
  if (bind(fd, &local.sa, len) != 0) {
    int e = errno;
    close(fd);
    return throw_errno(env, "bind", e);
  }
  addr_t bound;
  socklen_t blen = sizeof bound;
  if (getsockname(fd, &bound.sa, &blen) != 0) {
    int e = errno;
    close(fd);
    return throw_errno(env, "getsockname", e);
  }
  uint32_t slot = take_slot(st);
  if (slot == NO_SLOT) {
    close(fd);
    return throw_errno(env, "open", ENOMEM);
  }
  struct epoll_event ev;
  memset(&ev, 0, sizeof ev);
  ev.events = EPOLLIN;
  ev.data.u32 = slot;
  if (epoll_ctl(st->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
    int e = errno;
    close(fd);
    give_slot(st, slot);
    return throw_errno(env, "epoll_ctl", e);
  }
  sock_t *s = &st->socks[slot];
  memset(s, 0, sizeof *s);
  s->fd = fd;
  s->family = local.sa.sa_family;
  s->next_free = NO_SLOT;
  s->route_out = s->route_in = NO_SLOT;
  st->open_count++;
  update_ref(st);
  st->scratch[0] = ntohs(bound.sa.sa_family == AF_INET6 ? bound.v6.sin6_port : bound.v4.sin_port);
  return number(env, slot);
}

/* setRemote(slot, address, port) -> true, or false when address is no IP literal of the socket's family. */
napi_value js_set_remote(napi_env env, napi_callback_info info) {
  call_t c;
  uint32_t port;
  sock_t *s;
  if (begin(env, info, &c) == NULL || (s = arg_sock(env, &c, 0)) == NULL || arg_u32(env, &c, 2, &port)) return NULL;
  addr_t a;
  socklen_t len = 0;
  int bad = arg_addr(env, &c, 1, port, &a, &len);
  if (bad < 0) return NULL;
  napi_value out;
  if (bad > 0 || a.sa.sa_family != s->family) {
    s->has_remote = 0;
    NAPI_OK(napi_get_boolean(env, false, &out));
    return out;
  }
  s->remote = a;
  s->remote_len = len;
  s->has_remote = 1;
  NAPI_OK(napi_get_boolean(env, true, &out));
  return out;
}

/* clearRemote(slot): no send target (JS counts txNoRemote; nothing is queued then). */
napi_value js_clear_remote(napi_env env, napi_callback_info info) {
  call_t c;
  sock_t *s;
  if (begin(env, info, &c) == NULL || (s = arg_sock(env, &c, 0)) == NULL) return NULL;
  s->has_remote = 0;
  return undefined(env);
}

/* latch(slot, recordOffset): the source of that receive record becomes the remote; returns it as text. */
napi_value js_latch(napi_env env, napi_callback_info info) {
  call_t c;
  uint32_t off;
  sock_t *s;
  if (begin(env, info, &c) == NULL || (s = arg_sock(env, &c, 0)) == NULL || arg_u32(env, &c, 1, &off)) return NULL;
  if (off % RX_STRIDE != 0 || off >= RX_RECORDS * RX_STRIDE) {
    napi_throw_range_error(env, "EINVAL", "udp-batch: bad record offset");
    return NULL;
  }
  uint32_t w[7];
  memcpy(w, c.st->rx + off, sizeof w);
  uint32_t port = w[2] & 0xffff, family = (w[2] >> 16) & 0xff;
  char text[INET6_ADDRSTRLEN] = "";
  addr_t a;
  memset(&a, 0, sizeof a);
  if (family == 4 && s->family == AF_INET) {
    a.v4.sin_family = AF_INET;
    a.v4.sin_port = htons((uint16_t)port);
    a.v4.sin_addr.s_addr = htonl(w[3]);
    s->remote_len = sizeof a.v4;
    inet_ntop(AF_INET, &a.v4.sin_addr, text, sizeof text);
  } else if (family == 6 && s->family == AF_INET6) {
    a.v6.sin6_family = AF_INET6;
    a.v6.sin6_port = htons((uint16_t)port);
    memcpy(&a.v6.sin6_addr, &w[3], 16);
    s->remote_len = sizeof a.v6;
    inet_ntop(AF_INET6, &a.v6.sin6_addr, text, sizeof text);
  } else {
    return undefined(env);
  }
  s->remote = a;
  s->has_remote = 1;
  napi_value out;
  NAPI_OK(napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &out));
  return out;
}

/* connect(slot) -> 0 or an errno: the kernel then filters other sources and sends need no address. */
napi_value js_connect(napi_env env, napi_callback_info info) {
  call_t c;
  sock_t *s;
  if (begin(env, info, &c) == NULL || (s = arg_sock(env, &c, 0)) == NULL) return NULL;
  int e = 0;
  if (!s->has_remote) e = EDESTADDRREQ;
  else if (connect(s->fd, &s->remote.sa, s->remote_len) != 0) e = errno;
  s->connected = e == 0;
  return number(env, e);
}

/* disconnect(slot) -> 0 or an errno: connect(AF_UNSPEC) dissolves the association (connect(2)). */
napi_value js_disconnect(napi_env env, napi_callback_info info) {
  call_t c;
  sock_t *s;
  if (begin(env, info, &c) == NULL || (s = arg_sock(env, &c, 0)) == NULL) return NULL;
  struct sockaddr unspec;
  memset(&unspec, 0, sizeof unspec);
  unspec.sa_family = AF_UNSPEC;
  int e = connect(s->fd, &unspec, sizeof unspec) != 0 ? errno : 0;
  s->connected = 0;
  return number(env, e);
}

