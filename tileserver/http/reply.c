/* reply.c — the engine's answers: the head written into the connection's own buffer (no
 * allocation once the buffer has grown to a typical head), then the body of each http_response
 * kind: a buffer or an external body sent with the head in one sendmsg, a file slice with
 * sendfile, a stream with chunked framing (close-delimited to HTTP/1.0). Every body is released
 * exactly once: when written, or when the connection ends first. */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "http/engine_int.h"

enum { STREAM_PIECE = 64 * 1024, CHUNK_HEAD = 18 /* 16 hex digits and CRLF */ };

static const char *reason(int status) {
  switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 412: return "Precondition Failed";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 416: return "Range Not Satisfiable";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    default: return "Status";
  }
}

static void release_body(conn_out *o);

static bool out_reserve(conn_out *o, size_t extra) {
  if (o->len + extra <= o->cap) return true;
  size_t cap = o->cap ? o->cap : 1024;
  while (cap < o->len + extra) cap *= 2;
  char *b = realloc(o->buf, cap);
  if (!b) return false;
  o->buf = b;
  o->cap = cap;
  return true;
}

/* Appends after out_reserve made room. */
static void put(conn_out *o, const char *s, size_t n) {
  memcpy(o->buf + o->len, s, n);
  o->len += n;
}
static void puts_(conn_out *o, const char *s) { put(o, s, strlen(s)); }
static void put_u64(conn_out *o, uint64_t v) {
  char d[24];
  size_t n = 0;
  do d[n++] = (char)('0' + v % 10);
  while ((v /= 10) != 0);
  while (n) o->buf[o->len++] = d[--n];
}

bool reply_raw(engine_conn *c, const char *s, size_t n) {
  if (!out_reserve(&c->out, n)) return false;
  put(&c->out, s, n);
  return true;
}

/* "Date: <IMF-fixdate>\r\n", made once a second per worker. */
static const char *date_line(worker_ctx *w) {
  struct timespec now;
  clock_gettime(CLOCK_REALTIME_COARSE, &now);
  if (now.tv_sec != w->date_sec || !w->date[0]) {
    struct tm tm;
    time_t t = now.tv_sec;
    gmtime_r(&t, &tm);
    strftime(w->date, sizeof w->date, "Date: %a, %d %b %Y %H:%M:%S GMT\r\n", &tm);
    w->date_sec = now.tv_sec;
  }
  return w->date;
}

/* A handler header the head may carry: no CR, LF or NUL (one would split the head), a name
 * the engine does not write itself. */
static bool header_ok(const http_header *h) {
  if (!h->name || !h->value || !h->name[0] || strpbrk(h->name, "\r\n: ") || strpbrk(h->value, "\r\n"))
    return false;
  return strcasecmp(h->name, "Content-Length") != 0 && strcasecmp(h->name, "Transfer-Encoding") != 0 &&
         strcasecmp(h->name, "Connection") != 0 && strcasecmp(h->name, "Date") != 0;
}

/* Takes the body out of resp into c->out; returns its length (0 for a stream). */
static uint64_t take_body(engine_conn *c, http_response *resp) {
  conn_out *o = &c->out;
  if (resp->stream) {
    o->kind = OUT_STREAM;
    o->stream = resp->stream;
    o->stream_free = resp->stream_free;
    o->stream_ctx = resp->stream_ctx;
    resp->stream = NULL;
    resp->stream_free = NULL;
    resp->stream_ctx = NULL;
    return 0;
  }
  if (resp->file.set) {
    o->kind = OUT_FILE;
    o->fd = resp->file.fd;
    o->file_off = resp->file.offset;
    o->file_left = resp->file.len;
    resp->file.set = false;
    return o->file_left;
  }
  o->kind = OUT_MEM;
  if (resp->external.release) {
    o->mem = resp->external.data;
    o->mem_len = resp->external.len;
    o->release = resp->external.release;
    o->release_ctx = resp->external.ctx;
    resp->external = (http_body_ref){0};
  } else {
    size_t n = 0;
    o->owned = buf_steal(&resp->body, &n);
    o->mem = o->owned;
    o->mem_len = o->owned ? n : 0;
  }
  return o->mem_len;
}

static bool wants_close(const http_response *resp) {
  for (size_t i = 0; i < resp->n_headers; i++)
    if (resp->headers[i].name && strcasecmp(resp->headers[i].name, "Connection") == 0 &&
        resp->headers[i].value && strcasecmp(resp->headers[i].value, "close") == 0)
      return true;
  return false;
}

void engine_respond(engine_req *r, http_response *resp) {
  engine_conn *c = r->conn;
  if (c->responded) return; /* one answer per request */
  c->responded = true;
  worker_ctx *w = c->w;
  int status = resp->status ? resp->status : 200;
  bool no_body = c->head_only || status == 304 || status == 204 || status < 200;
  uint64_t len = take_body(c, resp);
  conn_out *o = &c->out;
  bool stream = o->kind == OUT_STREAM;
  if (stream && no_body) { /* nothing of it is sent */
    if (o->stream_free) o->stream_free(o->stream_ctx);
    o->kind = OUT_NONE;
  }
  if (stream && !no_body) {
    o->chunked = c->head.minor >= 1;
    if (!o->chunked) c->close_after = true; /* HTTP/1.0: the end of the body is the close */
    if (!(o->stream_buf = malloc(CHUNK_HEAD + STREAM_PIECE + 2))) {
      c->close_after = true;
      o->stream_end = true; /* nothing can be produced: the connection ends after the head */
    }
    int lowat = (int)w->en->cfg.stream_lowat;
    if (lowat > 0) setsockopt(c->fd, IPPROTO_TCP, TCP_NOTSENT_LOWAT, &lowat, sizeof lowat);
  }
  if (!c->head.keep_alive || c->body_unread || wants_close(resp) ||
      atomic_load_explicit(&w->en->draining, memory_order_relaxed))
    c->close_after = true;
  size_t need = 256 + (resp->content_type ? strlen(resp->content_type) : 0);
  for (size_t i = 0; i < resp->n_headers; i++)
    if (resp->headers[i].name && resp->headers[i].value)
      need += strlen(resp->headers[i].name) + strlen(resp->headers[i].value) + 4;
  if (!out_reserve(o, need)) { /* no memory for the head: the connection ends */
    c->close_after = true;
    release_body(o);
    c->state = CONN_WRITE;
    return;
  }
  puts_(o, "HTTP/1.1 ");
  put_u64(o, (uint64_t)status);
  puts_(o, " ");
  puts_(o, reason(status));
  puts_(o, "\r\n");
  puts_(o, date_line(w));
  if (stream && !no_body && o->chunked) {
    puts_(o, "Transfer-Encoding: chunked\r\n");
  } else if (!stream && status != 204 && status >= 200 && !(status == 304 && len == 0)) {
    /* HEAD: the GET's length; 304: the 200's (RFC 9110 §8.6, §15.4.5), and none when the 200
     * was not made (a data answer's tag matched before any work): 0 would be a false length */
    puts_(o, "Content-Length: ");
    put_u64(o, len);
    puts_(o, "\r\n");
  }
  if (c->close_after) puts_(o, "Connection: close\r\n");
  else if (c->head.minor == 0) puts_(o, "Connection: keep-alive\r\n");
  if (resp->content_type && !strpbrk(resp->content_type, "\r\n")) {
    puts_(o, "Content-Type: ");
    puts_(o, resp->content_type);
    puts_(o, "\r\n");
  }
  puts_(o, "Access-Control-Allow-Origin: *\r\n");
  for (size_t i = 0; i < resp->n_headers; i++) {
    if (!header_ok(&resp->headers[i])) continue;
    puts_(o, resp->headers[i].name);
    puts_(o, ": ");
    puts_(o, resp->headers[i].value);
    puts_(o, "\r\n");
  }
  puts_(o, "\r\n");
  if (no_body) release_body(o); /* the body's length was told; the body itself goes nowhere */
  c->state = CONN_WRITE;
}

void reply_refusal(engine_conn *c, int status, const char *why) {
  engine *en = c->w->en;
  http_response resp = {0};
  buf_init(&resp.body, 64 * 1024);
  en->hooks.refuse(en->hooks.ctx, status, why, &resp);
  resp.status = status;
  c->responded = false; /* the state of the request before, if any, is not this answer's */
  c->head_only = false;
  c->close_after = true;
  c->req.conn = c;
  engine_respond(&c->req, &resp);
  buf_free(&resp.body);
  http_body_drop_external(&resp);
  http_body_drop_file(&resp);
}

/* Releases the body only: the head written so far stays to be sent. */
static void release_body(conn_out *o) {
  switch (o->kind) {
    case OUT_MEM:
      if (o->release) o->release(o->release_ctx);
      free(o->owned);
      break;
    case OUT_FILE:
      if (o->fd >= 0) close(o->fd);
      break;
    case OUT_STREAM:
      if (o->stream_free) o->stream_free(o->stream_ctx);
      free(o->stream_buf);
      break;
    case OUT_NONE: break;
  }
  *o = (conn_out){.buf = o->buf, .len = o->len, .cap = o->cap, .sent = o->sent, .fd = -1};
}

void reply_release(engine_conn *c) {
  release_body(&c->out);
  c->out.len = c->out.sent = 0;
}

/* The next piece of a stream into o->mem: 1 one is ready, 0 the end is queued, -1 abort. */
static int stream_next(conn_out *o) {
  char *data = o->stream_buf + CHUNK_HEAD;
  long n = o->stream(o->stream_ctx, o->stream_pos, data, STREAM_PIECE);
  if (n < 0 || n > STREAM_PIECE) return -1;
  if (n == 0) {
    o->stream_end = true;
    if (o->chunked) {
      o->mem = "0\r\n\r\n";
      o->mem_len = 5;
    } else {
      o->mem_len = 0;
    }
    o->mem_sent = 0;
    return 0;
  }
  o->stream_pos += (uint64_t)n; /* the body's bytes so far: done's stream_bytes */
  if (!o->chunked) {
    o->mem = data;
    o->mem_len = (size_t)n;
  } else {
    char h[CHUNK_HEAD + 1];
    int hl = snprintf(h, sizeof h, "%lx\r\n", (unsigned long)n);
    memcpy(data - hl, h, (size_t)hl);
    memcpy(data + n, "\r\n", 2);
    o->mem = data - hl;
    o->mem_len = (size_t)hl + (size_t)n + 2;
  }
  o->mem_sent = 0;
  return 1;
}

/* sendmsg of the head's rest and the memory body's rest: 1 all written, 0 full, -1 failed. */
static int write_mem(engine_conn *c) {
  conn_out *o = &c->out;
  while (o->sent < o->len || o->mem_sent < o->mem_len) {
    struct iovec iov[2];
    int n = 0;
    if (o->sent < o->len) iov[n++] = (struct iovec){o->buf + o->sent, o->len - o->sent};
    if (o->mem_sent < o->mem_len)
      iov[n++] = (struct iovec){(void *)(o->mem + o->mem_sent), o->mem_len - o->mem_sent};
    struct msghdr m = {.msg_iov = iov, .msg_iovlen = (size_t)n};
    ssize_t k = sendmsg(c->fd, &m, MSG_NOSIGNAL);
    if (k < 0) {
      if (errno == EINTR) continue;
      return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
    }
    c->last_ms = engine_now_ms();
    size_t left = (size_t)k, head = o->len - o->sent;
    if (left >= head) {
      o->sent = o->len;
      o->mem_sent += left - head;
    } else {
      o->sent += left;
    }
  }
  o->len = o->sent = 0;
  return 1;
}

int reply_flush(engine_conn *c) {
  conn_out *o = &c->out;
  for (;;) {
    int r = write_mem(c);
    if (r <= 0) return r;
    if (o->kind == OUT_FILE && o->file_left > 0) {
      off_t off = (off_t)o->file_off;
      size_t want = o->file_left > (1u << 30) ? (1u << 30) : (size_t)o->file_left;
      ssize_t k = sendfile(c->fd, o->fd, &off, want);
      if (k < 0) {
        if (errno == EINTR) continue;
        return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
      }
      if (k == 0) return -1; /* the file is shorter than the slice it promised */
      c->last_ms = engine_now_ms();
      o->file_off += (uint64_t)k;
      o->file_left -= (uint64_t)k;
      continue;
    }
    if (o->kind == OUT_STREAM && !o->stream_end) {
      if (!o->stream_buf || stream_next(o) < 0) return -1;
      continue;
    }
    return 1;
  }
}
