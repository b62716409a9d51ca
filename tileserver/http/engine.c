/* engine.c — the engine's workers (see engine.h): accept, each connection's state machine
 * (head, body, answer, lingering close), and the idle timers. Answers are written by reply.c.
 *
 * Each worker owns its connections and their epoll; the listening socket is in every worker's
 * epoll with EPOLLEXCLUSIVE, so one worker wakes per new connection. Connections are
 * edge-triggered and registered once: a kept-alive request costs no epoll_ctl. A read that comes
 * back shorter than the room it had drained the socket, so the next request waits for the next
 * edge instead of a read that would say EAGAIN.
 *
 * Timers: every connection carries the time of its last byte read or written; each worker walks
 * its connections at most every TIMER_SCAN_MS and closes those idle past the timeout (a walk of
 * a few thousand entries four times a second, no timer syscall per request). */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "http/engine_int.h"

enum {
  IN_START = 4 * 1024,       /* a tile request's head fits; the buffer grows only for larger */
  BODY_ROOM = 64 * 1024,     /* room for body bytes behind a head, per read */
  TIMER_SCAN_MS = 250,
  LINGER_MS = 5000,          /* a refused client may still be sending: read it this long */
  LINGER_BYTES = 64 << 20,   /* and at most this much, before the close */
  LISTEN_PAUSE_MS = 500,     /* out of descriptors: how long a worker stops accepting */
  EVENTS = 64,
  ACCEPTS = 32               /* per wake-up, so a burst of connections spreads over workers */
};

static size_t head_cap(const engine *en) { return en->cfg.url_max + en->cfg.headers_max + 1024; }

static void conn_close(engine_conn *c, bool timed_out) {
  worker_ctx *w = c->w;
  engine *en = w->en;
  uint64_t streamed = c->out.stream_pos;
  reply_release(c);
  if (c->active) {
    c->active = false;
    en->hooks.done(en->hooks.ctx, &c->req, false, streamed);
  }
  close(c->fd);
  en->hooks.closed(en->hooks.ctx, (struct sockaddr *)&c->peer, c->peer_len, timed_out);
  if (c->prev) c->prev->next_conn = c->next_conn;
  else w->conns = c->next_conn;
  if (c->next_conn) c->next_conn->prev = c->prev;
  w->n_conns--;
  free(c->in);
  free(c->out.buf);
  free(c->req.app);
  free(c);
}

/* Reads into the free room of `in`: 1 bytes came (or the peer closed: peer_eof), 0 nothing now,
 * -1 the connection failed. */
static int fill(engine_conn *c) {
  if (!c->readable) return 0;
  size_t room = c->in_cap - c->in_len;
  if (room == 0) return -1; /* the callers make room first: recv would read as end of file */
  for (;;) {
    ssize_t n = recv(c->fd, c->in + c->in_len, room, 0);
    if (n > 0) {
      c->in_len += (size_t)n;
      if ((size_t)n < room) c->readable = false;
      c->last_ms = engine_now_ms();
      return 1;
    }
    if (n == 0) {
      c->peer_eof = true;
      c->readable = false;
      return 1;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      c->readable = false;
      return 0;
    }
    return -1;
  }
}

static bool grow_in(engine_conn *c, size_t cap) {
  char *b = realloc(c->in, cap);
  if (!b) return false;
  c->in = b;
  c->in_cap = cap;
  return true;
}

/* The request's answer is written whole (completed) or given up. */
static void request_finished(engine_conn *c, bool completed) {
  engine *en = c->w->en;
  uint64_t streamed = c->out.stream_pos;
  reply_release(c);
  if (c->active) {
    c->active = false;
    en->hooks.done(en->hooks.ctx, &c->req, completed, streamed);
  }
  c->pos = c->next;
}

/* Whether the head in [pos, in_len) may be whole (a blank line ends it) or has reached its bound:
 * only then is it parsed. Parsing on every read would parse a head sent a byte at a time again
 * from its start for each byte. c->scan remembers how far the search went. */
static bool head_ready(engine_conn *c, const engine *en) {
  if (c->in_len - c->pos >= head_cap(en)) return true; /* the parser answers 414 or 431 */
  size_t i = c->scan > c->pos ? c->scan : c->pos;
  for (; i < c->in_len; i++) {
    if (c->in[i] != '\n') continue;
    if (i + 1 >= c->in_len) break;
    if (c->in[i + 1] == '\n') return true;
    if (c->in[i + 1] == '\r') {
      if (i + 2 >= c->in_len) break;
      if (c->in[i + 2] == '\n') return true;
    }
  }
  c->scan = i;
  return false;
}

/* The head is parsed: the hooks decide between an answer now and the body. */
static void start_request(engine_conn *c) {
  engine *en = c->w->en;
  const wire_head *h = &c->head;
  bool has_body = h->chunked || (h->has_length && h->content_length > 0);
  c->next = c->pos + h->head_len;
  c->responded = false;
  c->head_only = false;
  if (has_body && c->in_cap - c->next < BODY_ROOM) {
    /* the answered requests' bytes go first: the buffer never holds more than one head and the
     * body's room (a client keeping a byte of its next request waiting would otherwise move pos
     * on by a head each request, and the buffer would grow with it) */
    if (c->pos > 0) {
      memmove(c->in, c->in + c->pos, c->in_len - c->pos);
      c->in_len -= c->pos;
      c->next -= c->pos;
      c->pos = 0;
      c->scan = 0;
    }
    if (c->in_cap - c->next < BODY_ROOM && !grow_in(c, c->next + BODY_ROOM)) {
      reply_refusal(c, 503, "out of memory");
      return;
    }
    int st;
    const char *why;
    /* the head's pointers moved with the buffer: read it again where it now is */
    wire_parse_head(c->in + c->pos, c->in_len - c->pos, en->cfg.url_max, en->cfg.headers_max,
                    &c->head, &st, &why);
  }
  if (en->cfg.app_size) memset(c->req.app, 0, en->cfg.app_size);
  c->req.head = &c->head;
  c->req.head_buf = c->in + c->pos;
  c->req.peer = (struct sockaddr *)&c->peer;
  c->req.peer_len = c->peer_len;
  c->req.conn = c;
  c->active = true;
  c->responded = false;
  c->close_after = false;
  c->head_only = wire_str_is(h->method, "HEAD");
  c->chunked_in = h->chunked;
  c->body_left = h->has_length ? h->content_length : 0;
  c->dec = (wire_chunked){0};
  c->body_unread = has_body; /* until it is read: an answer before closes the connection */
  bool want = en->hooks.head(en->hooks.ctx, &c->req);
  if (c->responded) return;
  if (!want) {
    reply_refusal(c, 500, "no answer");
    return;
  }
  if (!has_body) {
    c->body_unread = false;
    en->hooks.end(en->hooks.ctx, &c->req, true);
    if (!c->responded) reply_refusal(c, 500, "no answer");
    return;
  }
  c->state = CONN_BODY;
  /* RFC 9110 §10.1.1: the client waits for this before it sends the body */
  if (h->expect_continue && h->minor >= 1 && c->in_len == c->next)
    reply_raw(c, "HTTP/1.1 100 Continue\r\n\r\n", 25);
}

/* Hands the body bytes in the buffer to the hooks. True when the state changed (the body ended,
 * or the hooks answered early). */
static bool take_body(engine_conn *c) {
  engine *en = c->w->en;
  size_t at = c->next, end = c->in_len;
  bool finished = false, ok = true;
  while (at < end && !c->responded) {
    const char *data = c->in + at;
    size_t used, off = 0, n;
    if (!c->chunked_in) {
      n = end - at < c->body_left ? end - at : (size_t)c->body_left;
      used = n;
      c->body_left -= n;
      finished = c->body_left == 0;
    } else {
      wire_result r = wire_chunked_step(&c->dec, data, end - at, &used, &off, &n);
      if (r == WIRE_ERROR) {
        ok = false;
        finished = true;
      } else if (r == WIRE_DONE) {
        finished = true;
      }
    }
    at += used;
    if (n && !en->hooks.body(en->hooks.ctx, &c->req, data + off, n)) break;
    if (finished) break;
    if (used == 0 && n == 0) break;
  }
  /* drop what was taken: the rest (a pipelined request, a partial chunk line) moves down */
  memmove(c->in + c->next, c->in + at, end - at);
  c->in_len = c->next + (end - at);
  if (c->responded) return true;
  if (!finished) return false;
  if (ok) c->body_unread = false;
  en->hooks.end(en->hooks.ctx, &c->req, ok);
  if (!c->responded) reply_refusal(c, 500, "no answer");
  return true;
}

static void begin_linger(engine_conn *c) {
  shutdown(c->fd, SHUT_WR);
  c->state = CONN_LINGER;
  c->in_len = c->pos = c->next = 0;
  c->body_left = 0; /* counts the bytes drained */
  c->last_ms = engine_now_ms();
  c->linger_until = c->last_ms + LINGER_MS; /* from now, whatever the client still sends */
  c->dec.trailer_bytes = 0;
}

/* Runs the connection until it waits for the network; it may be freed on return. */
static void conn_run(engine_conn *c) {
  engine *en = c->w->en;
  for (;;) {
    switch (c->state) {
      case CONN_WRITE: {
        int r = reply_flush(c);
        if (r < 0) {
          conn_close(c, false);
          return;
        }
        if (r == 0) return;
        bool close_after = c->close_after;
        request_finished(c, true);
        if (close_after) {
          if (c->peer_eof) {
          conn_close(c, false);
          return;
        }
          begin_linger(c);
        } else {
          c->state = CONN_HEAD;
        }
        continue;
      }
      case CONN_LINGER: {
        c->in_len = 0;
        int r = fill(c);
        if (r < 0 || c->peer_eof) {
          conn_close(c, false);
          return;
        }
        if (r == 0) return;
        if ((c->body_left += c->in_len) > LINGER_BYTES) {
          conn_close(c, false);
          return;
        }
        continue;
      }
      case CONN_HEAD: {
        if (c->pos == c->in_len) c->pos = c->in_len = c->scan = 0;
        if (c->in_len > c->pos && head_ready(c, en)) {
          int st = 400;
          const char *why = "malformed";
          wire_result r = wire_parse_head(c->in + c->pos, c->in_len - c->pos, en->cfg.url_max,
                                          en->cfg.headers_max, &c->head, &st, &why);
          if (r == WIRE_DONE) {
            start_request(c);
            continue;
          }
          if (r == WIRE_ERROR) {
            c->body_unread = true;
            reply_refusal(c, st, why);
            continue;
          }
          c->scan = c->in_len; /* not whole after all: parsed again once more bytes end it */
        }
        if (c->peer_eof) {
          conn_close(c, false);
          return;
        }
        if (c->in_len == c->in_cap) {
          if (c->pos > 0) {
            memmove(c->in, c->in + c->pos, c->in_len - c->pos);
            c->in_len -= c->pos;
            c->scan = c->scan > c->pos ? c->scan - c->pos : 0;
            c->pos = 0;
          } else if (c->in_cap < head_cap(en)) {
            size_t cap = c->in_cap * 2 < head_cap(en) ? c->in_cap * 2 : head_cap(en);
            if (!grow_in(c, cap)) {
          conn_close(c, false);
          return;
        }
          } else { /* cannot happen with wire.c's bounds; refused all the same */
            c->body_unread = true;
            reply_refusal(c, 431, "the request head is too large");
            continue;
          }
        }
        int r = fill(c);
        if (r < 0) {
          conn_close(c, false);
          return;
        }
        if (r == 0) return;
        continue;
      }
      case CONN_BODY: {
        if (c->in_len > c->next && take_body(c)) continue;
        if (c->out.len > 0 && reply_flush(c) < 0) {
          conn_close(c, false);
          return;
        } /* 100 Continue */
        if (c->peer_eof) {
          conn_close(c, false);
          return;
        } /* the body was cut short */
        int r = fill(c);
        if (r < 0) {
          conn_close(c, false);
          return;
        }
        if (r == 0) return;
        continue;
      }
    }
  }
}

static void conn_new(worker_ctx *w, int fd, const struct sockaddr_storage *peer, socklen_t len) {
  engine *en = w->en;
  engine_conn *c = calloc(1, sizeof *c);
  if (c) {
    c->in = malloc(IN_START);
    c->req.app = en->cfg.app_size ? malloc(en->cfg.app_size) : NULL;
  }
  if (!c || !c->in || (en->cfg.app_size && !c->req.app)) goto fail;
  c->w = w;
  c->fd = fd;
  c->in_cap = IN_START;
  c->peer = *peer;
  c->peer_len = len;
  c->out.fd = -1;
  c->last_ms = w->now_ms;
  struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, .data.ptr = c};
  if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) goto fail;
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  c->next_conn = w->conns;
  if (w->conns) w->conns->prev = c;
  w->conns = c;
  w->n_conns++;
  return;
fail:
  if (c) {
    free(c->in);
    free(c->req.app);
    free(c);
  }
  close(fd);
  en->hooks.closed(en->hooks.ctx, (const struct sockaddr *)peer, len, false);
}

/* Out of descriptors: the listening socket stays readable, so epoll_wait would return at once,
 * again and again. It leaves this worker's epoll for LISTEN_PAUSE_MS (scan_timers puts it back),
 * with one warning a pause. */
static void listen_pause(worker_ctx *w, int en_errno) {
  if (w->listen_paused) return;
  epoll_ctl(w->epfd, EPOLL_CTL_DEL, w->en->cfg.listen_fd, NULL);
  w->listen_paused = true;
  w->paused_ms = w->now_ms;
  log_warn("accept: %s; new connections wait %d ms", strerror(en_errno), LISTEN_PAUSE_MS);
}

/* Back in the epoll, unless draining began: checked again after the add, since
 * engine_stop_accepting sets draining before it removes the socket from every worker. */
static void listen_resume(worker_ctx *w) {
  engine *en = w->en;
  w->listen_paused = false;
  if (atomic_load(&en->draining)) return;
  struct epoll_event lev = {.events = EPOLLIN | EPOLLEXCLUSIVE, .data.ptr = &w->listen_tag};
  epoll_ctl(w->epfd, EPOLL_CTL_ADD, en->cfg.listen_fd, &lev);
  if (atomic_load(&en->draining)) epoll_ctl(w->epfd, EPOLL_CTL_DEL, en->cfg.listen_fd, NULL);
}

static void accept_some(worker_ctx *w) {
  engine *en = w->en;
  for (int i = 0; i < ACCEPTS; i++) {
    if (atomic_load(&en->draining)) return;
    struct sockaddr_storage a;
    socklen_t len = sizeof a;
    int fd = accept4(en->cfg.listen_fd, (struct sockaddr *)&a, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno == EMFILE || errno == ENFILE) listen_pause(w, errno);
      return;
    }
    if (!en->hooks.admit(en->hooks.ctx, (struct sockaddr *)&a, len)) {
      close(fd);
      continue;
    }
    conn_new(w, fd, &a, len);
  }
}

static void scan_timers(worker_ctx *w) {
  engine *en = w->en;
  int64_t idle_ms = (int64_t)en->cfg.idle_timeout_s * 1000;
  engine_conn *next;
  for (engine_conn *c = w->conns; c; c = next) {
    next = c->next_conn;
    int64_t quiet = w->now_ms - c->last_ms;
    if (c->state == CONN_LINGER) {
      if (w->now_ms >= c->linger_until) conn_close(c, false);
    } else if (idle_ms > 0 && quiet >= idle_ms) {
      conn_close(c, !atomic_load(&en->draining)); /* a drain's closes are not timeouts */
    }
  }
  if (w->listen_paused && w->now_ms - w->paused_ms >= LISTEN_PAUSE_MS) listen_resume(w);
  w->last_scan_ms = w->now_ms;
}

/* Draining: connections kept alive between requests are closed (the client opens its next one
 * elsewhere); one that has not yet sent its first request keeps its chance. */
static void close_idle(worker_ctx *w) {
  engine_conn *next;
  for (engine_conn *c = w->conns; c; c = next) {
    next = c->next_conn;
    if (c->state == CONN_HEAD && !c->active && c->in_len == c->pos && c->out.len == 0 &&
        c->req.conn) /* req.conn is set once a first request came */
      conn_close(c, false);
  }
}

static void *worker_main(void *arg) {
  worker_ctx *w = arg;
  engine *en = w->en;
  struct epoll_event evs[EVENTS];
  while (!atomic_load(&en->stopping)) {
    int n = epoll_wait(w->epfd, evs, EVENTS, TIMER_SCAN_MS);
    w->now_ms = engine_now_ms();
    bool drain = false;
    for (int i = 0; i < n; i++) {
      void *p = evs[i].data.ptr;
      if (p == &w->listen_tag) {
        accept_some(w);
      } else if (p == &w->event_tag) {
        uint64_t v;
        if (read(w->evfd, &v, sizeof v) < 0) { /* nonblocking: a spurious wake reads nothing */ }
        drain = atomic_load(&en->draining) && !w->drained;
      } else {
        engine_conn *c = p;
        if (evs[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) c->readable = true;
        conn_run(c);
      }
    }
    if (atomic_load(&en->stopping)) break;
    w->now_ms = engine_now_ms();
    if (drain) {
      w->drained = true;
      close_idle(w);
    }
    if (w->now_ms - w->last_scan_ms >= TIMER_SCAN_MS) scan_timers(w);
  }
  while (w->conns) conn_close(w->conns, false);
  return NULL;
}

static void wake(worker_ctx *w) {
  uint64_t one = 1;
  if (write(w->evfd, &one, sizeof one) < 0) { /* the counter is full: a wake is pending anyway */ }
}

static void workers_free(engine *en, unsigned started) {
  atomic_store(&en->stopping, true);
  for (unsigned i = 0; i < en->n_workers; i++) {
    worker_ctx *w = &en->workers[i];
    if (i < started) {
      wake(w);
      pthread_join(w->thread, NULL);
    }
    if (w->epfd >= 0) close(w->epfd);
    if (w->evfd >= 0) close(w->evfd);
  }
  free(en->workers);
  free(en);
}

engine *engine_start(const engine_config *cfg, const engine_hooks *hooks, err *e) {
  engine *en = calloc(1, sizeof *en);
  unsigned n = cfg->threads ? cfg->threads : 1;
  if (!en || !(en->workers = calloc(n, sizeof *en->workers))) {
    free(en);
    err_set(e, ERR_NOMEM, "out of memory");
    return NULL;
  }
  en->cfg = *cfg;
  en->hooks = *hooks;
  en->n_workers = n;
  for (unsigned i = 0; i < n; i++) /* workers_free closes what was opened, and only that */
    en->workers[i].epfd = en->workers[i].evfd = -1;
  int fl = fcntl(cfg->listen_fd, F_GETFL);
  fcntl(cfg->listen_fd, F_SETFL, fl | O_NONBLOCK);
  for (unsigned i = 0; i < n; i++) {
    worker_ctx *w = &en->workers[i];
    w->en = en;
    w->evfd = -1;
    w->now_ms = w->last_scan_ms = engine_now_ms();
    w->epfd = epoll_create1(EPOLL_CLOEXEC);
    w->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    struct epoll_event lev = {.events = EPOLLIN | EPOLLEXCLUSIVE, .data.ptr = &w->listen_tag};
    struct epoll_event eev = {.events = EPOLLIN, .data.ptr = &w->event_tag};
    if (w->epfd < 0 || w->evfd < 0 || epoll_ctl(w->epfd, EPOLL_CTL_ADD, cfg->listen_fd, &lev) ||
        epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->evfd, &eev)) {
      err_set(e, ERR_IO, "cannot set up the HTTP workers: %s", strerror(errno));
      workers_free(en, i);
      return NULL;
    }
  }
  for (unsigned i = 0; i < n; i++) {
    if (pthread_create(&en->workers[i].thread, NULL, worker_main, &en->workers[i]) != 0) {
      err_set(e, ERR_IO, "cannot start the HTTP workers");
      workers_free(en, i);
      return NULL;
    }
  }
  return en;
}

void engine_stop_accepting(engine *en) {
  if (!en || atomic_exchange(&en->draining, true)) return;
  for (unsigned i = 0; i < en->n_workers; i++) {
    epoll_ctl(en->workers[i].epfd, EPOLL_CTL_DEL, en->cfg.listen_fd, NULL);
    wake(&en->workers[i]);
  }
  /* new connections are refused from now on; the descriptor stays open (its number is not
   * reused under a worker still in accept4) until the caller closes it after engine_stop */
  shutdown(en->cfg.listen_fd, SHUT_RDWR);
}

void engine_stop(engine *en) {
  if (!en) return;
  engine_stop_accepting(en);
  workers_free(en, en->n_workers);
}
