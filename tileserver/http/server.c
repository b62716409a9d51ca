/* server.c — the glue between the HTTP engine (http/engine.h) and the handlers: one read-only
 * store connection per worker thread, the per-request arena, the request built from the wire
 * (path and arguments decoded as handlers receive them), the refusals before routing, gzip, the
 * access log, metrics, usage and the per-address rate.
 *
 * Shutdown: main blocks SIGINT/SIGTERM before the workers start and waits for them; then
 * http_server_drain stops accepting and waits, within --drain-seconds, for the requests in flight
 * to be answered, and http_server_stop joins the workers.
 *
 * Connections: the accept policy admits or refuses each one (http/conns.h); the open gauge and
 * the connections the engine closed for being idle past --request-timeout (an idle timeout: a
 * byte resets it) are counted as they close. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/gzip.h"
#include "core/log.h"
#include "http/conns.h"
#include "http/engine.h"
#include "http/form_int.h"
#include "http/gate.h"
#include "http/http.h"
#include "http/ratelimit.h"
#include "http/services.h"
#include "http/sources.h"
#include "http/usage_flush.h"
#include "http/upload_int.h"
#include "http/wire.h"

struct http_server {
  engine *engine;
  server_config cfg;
  pthread_key_t worker_key;
  int listen_fd;
  int port;
  int64_t started_unix;
  http_services *services;
  usage_flusher *usage;  /* NULL when the database cannot be written: counted, not kept */
  http_conns *conns;     /* connections open, by client address (--max/--per-ip-connections) */
  http_rate *rate;       /* requests by client address (--per-ip-rate); NULL: no bound */
  http_sources *sources; /* the workers' databases and, over PostgreSQL, the catalog watch */
};

/* Per worker thread: its own read-only connection (STYLE.md: per-thread resources hang off one
 * thread-local context), closed when the thread exits. */
typedef struct worker {
  store_reader *reader;
  gzip_deflater *deflater; /* the gzip of every answer this thread compresses */
  http_gate *gate;  /* the catalog minus layers whose privacy policy cannot be read */
} worker;

/* Bounds on what a request may carry; past them teselas answers with a JSON error (414, 431, 413).
 * The engine reads a head into a buffer that starts at 4 KiB and grows only as far as these
 * bounds; past them it stops reading the head and answers. */
enum {
  URL_MAX = 16 * 1024,     /* raw request target, query included (nginx's default buffer: 8 KiB) */
  HEADERS_MAX = 32 * 1024, /* the header block */
  BODY_MAX = 64 * 1024,    /* only uploads read a body (bounded by upload_max_bytes): elsewhere a
                              small one is ignored, a larger refused */
  STREAM_LOWAT = 128 * 1024 /* see engine_config.stream_lowat */
};

/* Per request (the engine's engine_req.app, zeroed for each): what the access log needs once the
 * answer has gone out, and the state of a body being received. */
typedef struct req_log {
  struct timespec start;
  int status;
  size_t bytes;
  bool streamed;       /* the body is a stream: its bytes are counted as they are sent */
  uint64_t body_bytes; /* body bytes received so far */
  char method[8];
  char path[256];
  usage_mark usage;    /* the layers and kind it counts for, once routed */
  bool write_pending;  /* a POST or DELETE whose handler has not yet seen its headers */
  bool bad_body;       /* its chunked framing was broken */
  http_sink *sink;     /* the body of an upload, streamed to a file */
  http_upload_file upload;
  bool form_body;      /* a urlencoded form (a page's POST): kept, at most BODY_MAX bytes */
  buf form;
  http_addr client;    /* the peer, or the client a trusted proxy names (http/addr.h) */
  bool limited;        /* over its address's rate: answered 429 */
  bool penalised;      /* and refused at accept for --per-ip-penalty: this connection closes */
  char retry_after[12];
} req_log;

static void worker_destroy(void *p) {
  worker *w = p;
  if (!w) return;
  store_reader_close(w->reader);
  http_gate_destroy(w->gate);
  gzip_deflater_destroy(w->deflater);
  free(w);
}

static worker *worker_get(http_server *s, err *e) {
  worker *w = pthread_getspecific(s->worker_key);
  if (w) return w;
  w = calloc(1, sizeof *w);
  if (!w) {
    err_set(e, ERR_NOMEM, "out of memory");
    return NULL;
  }
  if (!(w->gate = http_gate_create()) || !(w->deflater = gzip_deflater_create(GZIP_LEVEL_ANSWER))) {
    worker_destroy(w);
    err_set(e, ERR_NOMEM, "out of memory");
    return NULL;
  }
  if (http_sources_reader(s->sources, &w->reader, e) != ERR_OK) {
    worker_destroy(w);
    return NULL;
  }
  pthread_setspecific(s->worker_key, w);
  return w;
}

static const char *base_url(http_request *req) {
  const char *pub = req->config->public_url;
  if (pub && *pub) {
    size_t n = strlen(pub);
    while (n > 0 && pub[n - 1] == '/') n--;
    return arena_strndup(req->arena, pub, n);
  }
  /* The Host header is echoed into links: keep only characters a host:port can hold. */
  const char *host = req->host;
  char clean[256];
  size_t n = 0;
  for (const char *p = host; *p && n < sizeof clean - 1; p++)
    if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
        *p == '.' || *p == ':' || *p == '-' || *p == '[' || *p == ']')
      clean[n++] = *p;
  clean[n] = '\0';
  if (n == 0) n = (size_t)snprintf(clean, sizeof clean, "127.0.0.1:%d", req->config->port);
  /* "http://" + clean by hand: this runs on every request, and printf showed in profiles */
  char *url = arena_alloc(req->arena, n + 8);
  if (url) {
    memcpy(url, "http://", 7);
    memcpy(url + 7, clean, n + 1);
  }
  return url;
}

/* gzip the body when it pays and the client accepts it; a body that is already gzip (from the
 * tile cache) only gets its header. */
static void maybe_gzip(const http_request *req, http_response *resp) {
  http_header_add(resp, "Vary", "Accept-Encoding");
  if (resp->precompressed) {
    http_header_add(resp, "Content-Encoding", "gzip");
    return;
  }
  if (!resp->compressible || resp->external.release || resp->body.len < 256 ||
      !http_accepts_gzip(req))
    return;
  buf z;
  buf_init(&z, 0);
  /* an answer made before a worker was reached (its database failed to open) has none */
  err_code rc = req->deflater ? gzip_deflate(req->deflater, resp->body.data, resp->body.len, &z, NULL)
                              : gzip_compress(resp->body.data, resp->body.len, GZIP_LEVEL_ANSWER, &z, NULL);
  if (rc != ERR_OK) {
    buf_free(&z);
    return;
  }
  buf_free(&resp->body);
  resp->body = z;
  http_header_add(resp, "Content-Encoding", "gzip");
}

static void dispatch(http_server *s, http_request *req, http_response *resp) {
  err e;
  err_clear(&e);
  worker *w = worker_get(s, &e);
  if (!w) { /* a lock held past the wait at its first read: 503, and the next request tries again */
    if (e.code == ERR_UNAVAILABLE) http_error(resp, ERR_UNAVAILABLE, "%s", e.msg);
    else http_error(resp, ERR_INTERNAL, "database unavailable");
    log_error("worker: %s", e.msg);
    return;
  }
  req->reader = w->reader;
  req->deflater = w->deflater;
  const catalog *all = NULL;
  err_code rc = store_reader_catalog(w->reader, &all, &e);
  if (rc == ERR_IO) { /* no database can be reached now: 503, /health "degraded" */
    http_unavailable(req, resp, e.msg);
    return;
  }
  if (rc != ERR_OK || http_gate_catalog(w->gate, all, &req->catalog, &e) != ERR_OK) {
    /* a lock held past the busy timeout, a damaged catalog: 503 and its reason, not a 500 */
    if (e.code == ERR_UNAVAILABLE) http_error(resp, ERR_UNAVAILABLE, "%s", e.msg);
    else http_error(resp, ERR_INTERNAL, "catalog unavailable");
    log_error("catalog: %s", e.msg);
    return;
  }
  http_handler h = http_route_find(req);
  if (!h) {
    /* the path is not repeated: it may carry what a client typed (a name, a phone) */
    http_error(resp, ERR_NOT_FOUND, "no such resource (/api lists them)");
    return;
  }
  styles_ref *styles = NULL;
  req->styles = http_services_styles_acquire(s->services, &styles);
  store_reader_deadline(w->reader, s->cfg.request_time_ms);
  h(req, resp);
  /* a read the deadline interrupted, reported by a path that does not name the deadline: still a
   * 503 that says why (a client may ask less), never a 500 */
  bool late = resp->status == 500 && store_reader_past_deadline(w->reader);
  store_reader_deadline(w->reader, 0);
  if (late) {
    http_body_drop_file(resp);
    resp->n_headers = 0;
    http_error(resp, ERR_UNAVAILABLE, "%s", STORE_DEADLINE_MSG);
  }
  http_services_styles_release(styles); /* no answer points into the registry */
  req->styles = NULL;
  bool over_memory = arena_failed(req->arena);
  if (over_memory || (resp->body.failed && !resp->stream)) {
    http_body_drop_file(resp);
    buf_free(&resp->body);
    resp->n_headers = 0;
    if (over_memory)
      http_error(resp, ERR_LIMIT, "this request needs more memory than one request may use "
                 "(--request-memory-mb %zu)", s->cfg.request_arena_bytes >> 20);
    else
      http_error(resp, ERR_LIMIT, "the response is larger than this server allows "
                 "(--response-max-mb %zu)", s->cfg.response_max_bytes >> 20);
  }
}

static int64_t now_us(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (int64_t)now.tv_sec * 1000000 + now.tv_nsec / 1000;
}

static const char *arena_field(arena *a, wire_str v) {
  if (!v.s) return "";
  const char *s = arena_strndup(a, v.s, v.len);
  return s ? s : "";
}

/* The path and the query arguments of the raw target into req, decoded as handlers have always
 * received them: %XX in both, '+' as a space in arguments only; an argument without '=' has the
 * value "", at most HTTP_MAX_ARGS of them. True when a decoded byte is NUL. */
static bool decode_target(http_request *req, wire_str target) {
  bool nul = false;
  const char *q = memchr(target.s, '?', target.len);
  size_t plen = q ? (size_t)(q - target.s) : target.len;
  char *path = arena_alloc(req->arena, plen + 1);
  if (!path) {
    req->path = "";
    return false;
  }
  path[wire_pct_decode(path, target.s, plen, false, &nul)] = '\0';
  req->path = path;
  if (!q) return nul;
  const char *p = q + 1, *end = target.s + target.len;
  while (p < end && req->n_args < HTTP_MAX_ARGS) {
    const char *amp = memchr(p, '&', (size_t)(end - p));
    const char *stop = amp ? amp : end;
    const char *eq = memchr(p, '=', (size_t)(stop - p));
    size_t klen = (size_t)((eq ? eq : stop) - p), vlen = eq ? (size_t)(stop - eq - 1) : 0;
    char *k = arena_alloc(req->arena, klen + 1), *v = arena_alloc(req->arena, vlen + 1);
    if (!k || !v) break;
    k[wire_pct_decode(k, p, klen, true, &nul)] = '\0';
    v[eq ? wire_pct_decode(v, eq + 1, vlen, true, &nul) : 0] = '\0';
    req->args[req->n_args++] = (query_arg){k, v};
    if (!amp) break;
    p = amp + 1;
  }
  return nul;
}

/* Every X-Forwarded-For header's value joined by commas (RFC 9110 §5.3), the rightmost
 * sizeof s - 1 bytes of it: http_addr_client reads at most HTTP_XFF_HOPS_MAX hops from the
 * right, far fewer bytes than that. */
typedef struct xff_join {
  char s[4096];
  size_t len;
  bool cut; /* the left end was dropped: the first element may be a fragment */
} xff_join;

/* Appends p[0..n), keeping the rightmost bytes that fit. */
static void xff_put(xff_join *j, const char *p, size_t n) {
  size_t cap = sizeof j->s - 1;
  if (n >= cap) {
    memcpy(j->s, p + n - cap, cap);
    j->len = cap;
    j->cut = true;
    return;
  }
  if (j->len + n > cap) {
    size_t drop = j->len + n - cap;
    memmove(j->s, j->s + drop, j->len - drop);
    j->len -= drop;
    j->cut = true;
  }
  memcpy(j->s + j->len, p, n);
  j->len += n;
}

/* The peer's address, or with --trusted-proxy and a trusted peer, the client it names;
 * *out_is_peer says which (only a peer's connections can be refused at accept). */
static http_addr request_client(const http_server *s, const engine_req *r, bool *out_is_peer) {
  http_addr peer = {0};
  *out_is_peer = http_addr_from_sockaddr(r->peer, r->peer_len, &peer);
  const server_config *cfg = &s->cfg;
  if (!http_cidr_any_contains(cfg->trusted_proxies, cfg->n_trusted_proxies, &peer)) return peer;
  *out_is_peer = false;
  xff_join j = {.len = 0};
  size_t pos = 0;
  wire_str name, val;
  while (wire_field_next(r->head_buf, r->head->head_len, &pos, &name, &val)) {
    if (!wire_str_is(name, "X-Forwarded-For")) continue;
    if (j.len) xff_put(&j, ",", 1);
    xff_put(&j, val.s, val.len);
  }
  j.s[j.len] = '\0';
  const char *list = j.s;
  if (j.cut) { /* the leftmost element may be the end of an address: not read */
    const char *comma = strchr(list, ',');
    list = comma ? comma + 1 : "";
  }
  return http_addr_client(&peer, list, cfg->trusted_proxies, cfg->n_trusted_proxies);
}

/* --per-ip-rate: true when the request is over its address's rate, with Retry-After ready, and
 * lg->penalised when the address has ignored its 429s (--per-ip-penalty). /health and /metrics
 * draw on their own small bucket (http/ratelimit.h). */
static bool over_rate(http_server *s, req_log *lg, const char *url, bool is_peer) {
  if (!s->rate) return false;
  bool monitoring = strcmp(url, "/health") == 0 || strcmp(url, "/metrics") == 0;
  int retry = 1;
  http_rate_verdict v = http_rate_check(
      s->rate, &lg->client, monitoring ? HTTP_RATE_MONITORING : HTTP_RATE_REQUESTS, is_peer,
      now_us(), &retry);
  if (v == HTTP_RATE_SERVE) return false;
  lg->penalised = v == HTTP_RATE_CLOSE;
  snprintf(lg->retry_after, sizeof lg->retry_after, "%d", retry);
  atomic_fetch_add_explicit(&s->services->metrics.rate_limited[monitoring], 1,
                            memory_order_relaxed);
  return true;
}

static bool answered_method(const char *m) {
  return strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0 || strcmp(m, "OPTIONS") == 0 ||
         strcmp(m, "POST") == 0 || strcmp(m, "DELETE") == 0;
}

static bool is_write(const char *m) { return strcmp(m, "POST") == 0 || strcmp(m, "DELETE") == 0; }

static bool early_body(const wire_head *h) { return h->has_length && h->content_length > BODY_MAX; }

static uint64_t upload_max(const http_server *s) {
  return s->cfg.upload_max_bytes ? s->cfg.upload_max_bytes : HTTP_UPLOAD_MAX;
}

/* A request teselas refuses before routing (bounds, NULs): true with the JSON error in resp. */
static bool refused(const engine_req *r, const http_request *req, bool encoded_nul,
                    const req_log *lg, http_response *resp) {
  const char *method = req->method;
  if (lg->limited) {
    http_refuse(resp, HTTP_REFUSE_TOO_MANY, "too many requests from this address; retry in %s s",
                lg->retry_after);
    http_header_add(resp, "Retry-After", lg->retry_after);
    /* its next connection is refused at accept: this one ends with the answer */
    if (lg->penalised) http_header_add(resp, "Connection", "close");
  } else if (is_write(method) && !http_route_allows(method, req->path)) {
    http_refuse(resp, HTTP_REFUSE_METHOD, "method %s is not allowed here", method);
  } else if (answered_method(method) && !lg->sink &&
             (lg->body_bytes > BODY_MAX || (early_body(r->head) && !lg->write_pending))) {
    http_refuse(resp, HTTP_REFUSE_BODY, "no endpoint takes a request body; this one is larger "
                "than %d bytes", BODY_MAX);
  } else if (r->head->target_nul) {
    http_refuse(resp, HTTP_REFUSE_MALFORMED, "the request line holds a NUL byte");
  } else if (encoded_nul) {
    http_refuse(resp, HTTP_REFUSE_MALFORMED, "the path or a parameter holds an encoded NUL (%%00)");
  } else if (lg->bad_body) {
    http_refuse(resp, HTTP_REFUSE_MALFORMED, "the chunked body is malformed");
  } else {
    return false;
  }
  return true;
}

/* True when the method is not one teselas answers or the declared body is over BODY_MAX (an
 * upload's over its own bound): answered at once, the body never read. */
static bool early_refusal(const wire_head *h, const char *method, const char *url,
                          uint64_t up_max) {
  if (!answered_method(method)) return true;
  if (is_write(method) && !http_route_allows(method, url)) return true; /* 405 before the body */
  if (!http_route_takes_body(method, url)) return early_body(h);
  return h->has_length && h->content_length > up_max;
}

/* A write, once its handler saw the headers (body_pending) and asked for the body: the body of a
 * route that takes one goes to a private file; false when that file cannot be made. */
static bool start_body(http_server *s, req_log *lg, const http_request *req, const char *ct,
                       http_response *resp) {
  if (!http_route_takes_body(req->method, req->path)) return true; /* drained, at most BODY_MAX */
  err e = {0};
  if ((lg->sink = http_sink_open(ct, upload_max(s), &e))) return true;
  log_error("upload: %s", e.msg);
  http_error(resp, ERR_INTERNAL, "the server cannot receive the upload now");
  return false;
}

/* Gives the engine the answer: gzip when it pays, the body's length for the access log. */
static void send_answer(engine_req *r, http_request *req, http_response *resp, req_log *lg) {
  if (resp->stream) {
    lg->streamed = true;
  } else if (resp->file.set) {
    http_header_add(resp, "Vary", "Accept-Encoding");
    lg->bytes = resp->status == 304 ? 0 : (size_t)resp->file.len;
  } else {
    maybe_gzip(req, resp);
    lg->bytes = resp->status == 304 ? 0 : http_body_len(resp); /* a 304's body only sets its length */
  }
  lg->status = resp->status ? resp->status : 200;
  engine_respond(r, resp);
}

/* Builds the request, refuses or routes it, and answers; true instead when its handler asked for
 * the body (body_pending and want_body): the hooks then receive it and call this again. */
static bool answer(http_server *s, engine_req *r, req_log *lg) {
  const wire_head *h = r->head;
  http_request req = {0};
  http_response resp = {0};
  buf_init(&resp.body, s->cfg.response_max_bytes);
  req.arena = arena_create(s->cfg.request_arena_bytes);
  if (!req.arena) {
    http_error(&resp, ERR_NOMEM, "out of memory");
    send_answer(r, &req, &resp, lg);
    buf_free(&resp.body);
    return false;
  }
  req.config = &s->cfg;
  req.method = arena_field(req.arena, h->method);
  bool encoded_nul = decode_target(&req, h->target);
  req.started_unix = s->started_unix;
  req.services = s->services;
  req.accept = arena_field(req.arena, h->fields[WIRE_F_ACCEPT]);
  req.accept_encoding = arena_field(req.arena, h->fields[WIRE_F_ACCEPT_ENCODING]);
  req.if_none_match = arena_field(req.arena, h->fields[WIRE_F_IF_NONE_MATCH]);
  req.host = arena_field(req.arena, h->fields[WIRE_F_HOST]);
  req.range = arena_field(req.arena, h->fields[WIRE_F_RANGE]);
  req.if_range = arena_field(req.arena, h->fields[WIRE_F_IF_RANGE]);
  req.authorization = arena_field(req.arena, h->fields[WIRE_F_AUTHORIZATION]);
  req.cookie = arena_field(req.arena, h->fields[WIRE_F_COOKIE]);
  req.csrf_header = arena_field(req.arena, h->fields[WIRE_F_CSRF]);
  req.client = lg->client; /* for the sign-in throttle (never logged) */
  if (lg->form.len && !lg->form.failed) {
    query_arg *fields = arena_calloc(req.arena, HTTP_MAX_ARGS, sizeof *fields);
    if (fields) {
      req.n_form = http_form_parse(req.arena, (const char *)lg->form.data, lg->form.len, fields,
                                   HTTP_MAX_ARGS);
      req.form = fields;
    }
  }
  req.base_url = base_url(&req);
  err fe = {0};
  err_code fin = ERR_OK;
  bool want_body = false;
  if (refused(r, &req, encoded_nul, lg, &resp)) {
    /* answered above */
  } else if (strcmp(req.method, "OPTIONS") == 0) {
    resp.status = 204;
    http_header_add(&resp, "Access-Control-Allow-Methods", "GET, HEAD, OPTIONS");
    http_header_add(&resp, "Access-Control-Allow-Headers", "*");
    http_header_add(&resp, "Access-Control-Max-Age", "86400");
  } else if (!answered_method(req.method)) {
    http_refuse(&resp, HTTP_REFUSE_METHOD, "method %s is not allowed", req.method);
  } else if (lg->sink && (fin = http_sink_finish(lg->sink, &lg->upload, &fe)) != ERR_OK) {
    http_error(&resp, fin, "%s", fe.msg);
  } else {
    req.body_pending = lg->write_pending;
    req.upload = lg->sink ? &lg->upload : NULL;
    dispatch(s, &req, &resp);
    lg->write_pending = false;
    want_body = req.body_pending && resp.want_body && resp.status == 0 &&
                start_body(s, lg, &req, arena_field(req.arena, h->fields[WIRE_F_CONTENT_TYPE]), &resp);
    if (!want_body)
      usage_mark_request(s->services->usage, req.usage, req.catalog,
                         req.n_params ? req.params[0].s : "", req.n_params ? req.params[0].len : 0,
                         &lg->usage);
  }
  if (!want_body) send_answer(r, &req, &resp, lg);
  http_body_drop_external(&resp); /* not taken by the engine: released here */
  http_body_drop_file(&resp);
  if (resp.stream_free) resp.stream_free(resp.stream_ctx);
  buf_free(&resp.body);
  arena_destroy(req.arena);
  return want_body;
}

/* dst = the first cap - 1 bytes of src[0..len), terminated (a log field's bound). */
static void copy_text(char *dst, size_t cap, const char *src, size_t len) {
  size_t n = len < cap - 1 ? len : cap - 1;
  memcpy(dst, src, n);
  dst[n] = '\0';
}

/* engine hook: a request's head is in. */
static bool on_head(void *ctx, engine_req *r) {
  http_server *s = ctx;
  req_log *lg = r->app;
  const wire_head *h = r->head;
  clock_gettime(CLOCK_MONOTONIC, &lg->start);
  atomic_fetch_add_explicit(&s->services->metrics.in_flight, 1, memory_order_relaxed);
  char method[40];
  copy_text(method, sizeof method, h->method.s, h->method.len);
  copy_text(lg->method, sizeof lg->method, method, strlen(method)); /* at most 7 bytes */
  /* the decoded path, for the log and the checks before routing (the query left out) */
  const char *q = memchr(h->target.s, '?', h->target.len);
  size_t plen = q ? (size_t)(q - h->target.s) : h->target.len;
  bool nul = false;
  char path[sizeof lg->path];
  size_t cut = plen < sizeof path - 1 ? plen : sizeof path - 1;
  path[wire_pct_decode(path, h->target.s, cut, false, &nul)] = '\0';
  copy_text(lg->path, sizeof lg->path, path, strlen(path));
  bool is_peer;
  lg->client = request_client(s, r, &is_peer);
  lg->limited = over_rate(s, lg, path, is_peer);
  bool has_body = h->chunked || (h->has_length && h->content_length > 0);
  /* a refusal for the method or the declared body size goes at once, its body never read; a
   * write over its rate too */
  if (early_refusal(h, method, path, upload_max(s)) || (lg->limited && is_write(method)))
    return answer(s, r, lg);
  if (!is_write(method)) return has_body ? true : answer(s, r, lg); /* a small body: ignored */
  lg->write_pending = true; /* the handler sees the headers now: refusals go at once */
  wire_str ct = h->fields[WIRE_F_CONTENT_TYPE];
  lg->form_body = ct.s && ct.len >= 33 && strncasecmp(ct.s, "application/x-www-form-urlencoded", 33) == 0;
  buf_init(&lg->form, BODY_MAX);
  return answer(s, r, lg);
}

/* engine hook: the next bytes of a body. */
static bool on_body(void *ctx, engine_req *r, const char *data, size_t len) {
  http_server *s = ctx;
  req_log *lg = r->app;
  if (lg->sink) {
    if (http_sink_feed(lg->sink, data, len)) return true;
  } else {
    lg->body_bytes += len;
    if (lg->form_body) buf_append(&lg->form, data, len); /* capped */
    if (lg->body_bytes <= BODY_MAX) return true;
  }
  answer(s, r, lg); /* refused: over BODY_MAX, or an upload over its bound (413 now) */
  return false;
}

/* engine hook: the body is in. */
static void on_end(void *ctx, engine_req *r, bool ok) {
  http_server *s = ctx;
  req_log *lg = r->app;
  lg->bad_body = !ok;
  answer(s, r, lg); /* the handler sees the body: it asks for none again (else the engine's 500) */
}

/* engine hook: a request the engine could not frame. Counted and logged like every answer, so
 * that a flood of malformed requests shows in /metrics and the log; its method and path are
 * logged as "-" (they could not be read, and what was read is the client's, unbounded). */
static void on_refuse(void *ctx, int status, const char *why, http_response *resp) {
  http_server *s = ctx;
  if (status == 414) http_refuse(resp, HTTP_REFUSE_URL, "the URL is longer than %d bytes", URL_MAX);
  else if (status == 431)
    http_refuse(resp, HTTP_REFUSE_HEADERS, "the request headers are larger than %d bytes", HEADERS_MAX);
  else http_refuse(resp, HTTP_REFUSE_MALFORMED, "%s", why);
  /* a 500 is the engine's answer to a request whose hooks gave none: the done hook counts and
   * logs that request (as aborted) */
  if (status == 500) return;
  size_t bytes = http_body_len(resp);
  metrics_count(&s->services->metrics, status, 0, bytes); /* the engine answers with status */
  if (!s->cfg.quiet) log_access("-", "-", status, bytes, 0, false);
}

/* engine hook: the request's answer went out whole, or the connection ended first. */
static void on_done(void *ctx, engine_req *r, bool completed, uint64_t streamed) {
  http_server *s = ctx;
  req_log *lg = r->app;
  struct timespec end;
  clock_gettime(CLOCK_MONOTONIC, &end);
  long long us = (end.tv_sec - lg->start.tv_sec) * 1000000LL +
                 (end.tv_nsec - lg->start.tv_nsec) / 1000;
  if (lg->streamed) lg->bytes = (size_t)streamed;
  atomic_fetch_sub_explicit(&s->services->metrics.in_flight, 1, memory_order_relaxed);
  http_sink_close(lg->sink, lg->upload.path ? &lg->upload : NULL);
  lg->sink = NULL;
  buf_free(&lg->form);
  metrics_count(&s->services->metrics, completed ? lg->status : 0, (uint64_t)us, lg->bytes);
  usage_count(s->services->usage, &lg->usage, completed ? lg->status : 0, lg->bytes);
  if (!s->cfg.quiet) log_access(lg->method, lg->path, lg->status, lg->bytes, us, !completed);
}

/* True when the peer has ignored its 429s and is in its --per-ip-penalty window. A trusted
 * proxy never is (its clients are limited one by one, by the address it names). */
static bool penalised_peer(const http_server *s, const struct sockaddr *addr, socklen_t len) {
  http_addr a;
  if (!s->rate || !http_addr_from_sockaddr(addr, len, &a)) return false;
  if (http_cidr_any_contains(s->cfg.trusted_proxies, s->cfg.n_trusted_proxies, &a)) return false;
  return http_rate_refuses(s->rate, &a, now_us());
}

/* engine hook, at accept: the bounds of conns.h and the penalty of an address that ignores its
 * 429s, each refusal counted. A refused socket is closed at once: the client sees the connection
 * closed, not an HTTP answer (an answer would mean reading its request, the work the bound is
 * there to refuse). */
static bool on_admit(void *ctx, const struct sockaddr *addr, socklen_t len) {
  http_server *s = ctx;
  metrics_refusal why = METRICS_REFUSED_RATE_PENALTY;
  if (!penalised_peer(s, addr, len) && http_conns_admit(s->conns, addr, len, &why)) {
    atomic_fetch_add_explicit(&s->services->metrics.open_connections, 1, memory_order_relaxed);
    return true;
  }
  metrics_refuse(&s->services->metrics, why);
  return false;
}

/* engine hook: an admitted connection closed. */
static void on_closed(void *ctx, const struct sockaddr *addr, socklen_t len, bool timed_out) {
  http_server *s = ctx;
  http_metrics *m = &s->services->metrics;
  if (timed_out) atomic_fetch_add_explicit(&m->timed_out, 1, memory_order_relaxed);
  atomic_fetch_sub_explicit(&m->open_connections, 1, memory_order_relaxed);
  http_conns_release(s->conns, addr, len);
}

/* Binds the socket here so "port taken" gets a precise message. */
static err_code listen_socket(const server_config *cfg, int *out_fd, int *out_port, err *e) {
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)cfg->port)};
  if (inet_pton(AF_INET, cfg->bind, &addr.sin_addr) != 1)
    return err_set(e, ERR_INVALID, "--bind %s is not an IPv4 address", cfg->bind);
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return err_set(e, ERR_IO, "cannot create a socket: %s", strerror(errno));
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
    int en = errno;
    close(fd);
    if (en == EADDRINUSE)
      return err_set(e, ERR_IO, "port %d on %s is already in use (choose another with --port)",
                     cfg->port, cfg->bind);
    return err_set(e, ERR_IO, "cannot listen on %s:%d: %s", cfg->bind, cfg->port, strerror(en));
  }
  if (listen(fd, 512) != 0) {
    int en = errno;
    close(fd);
    return err_set(e, ERR_IO, "cannot listen on %s:%d: %s", cfg->bind, cfg->port, strerror(en));
  }
  socklen_t len = sizeof addr;
  getsockname(fd, (struct sockaddr *)&addr, &len);
  *out_port = ntohs(addr.sin_port);
  *out_fd = fd;
  return ERR_OK;
}

err_code http_server_start(const server_config *cfg, http_server **out, err *e) {
  *out = NULL;
  /* A file of accounts alone (`teselas users add` on a new file) gets the empty catalog: a city
   * starts from its accounts, and the first upload makes the first layer. */
  bool created = false;
  err_code rc = store_catalog_ensure(cfg->db_path, &created, e);
  if (rc != ERR_OK) return rc;
  if (created) log_info("%s held only accounts: it now has an empty catalog", cfg->db_path);
  /* Fail before binding when the database is unusable: one clear message, exit 1. */
  store_reader *probe = NULL;
  int busy_ms = cfg->busy_timeout_ms > 0 ? cfg->busy_timeout_ms : STORE_BUSY_TIMEOUT_MS;
  rc = store_reader_open_wait(cfg->db_path, busy_ms, &probe, e);
  const catalog *cat = NULL;
  if (rc == ERR_OK) rc = store_reader_catalog(probe, &cat, e);
  store_reader_close(probe);
  /* A lock another program holds (a maintenance script in exclusive mode) is not a bad file:
   * start, and answer 503 with Retry-After until it lets go, instead of a restart loop. */
  if (rc == ERR_UNAVAILABLE && strstr(e->msg, "locked")) {
    log_warn("%s: requests answer 503 until the lock is released", e->msg);
    err_clear(e);
  } else if (rc != ERR_OK) {
    return rc;
  }

  http_server *s = calloc(1, sizeof *s);
  if (!s) return err_set(e, ERR_NOMEM, "out of memory");
  s->cfg = *cfg;
  s->started_unix = (int64_t)time(NULL);
  if (pthread_key_create(&s->worker_key, worker_destroy) != 0) {
    free(s);
    return err_set(e, ERR_INTERNAL, "cannot create the worker key");
  }
  if ((rc = http_services_create(&s->cfg, &s->services, e)) != ERR_OK) goto fail;
  if (!(s->conns = http_conns_create(cfg->max_connections, cfg->per_ip_connections,
                                     cfg->trusted_proxies, cfg->n_trusted_proxies))) {
    rc = err_set(e, ERR_NOMEM, "out of memory for the connection table");
    goto fail;
  }
  if (cfg->per_ip_rate > 0) {
    /* the default burst: four seconds of the rate, a map's first screen of tiles at once */
    double burst = cfg->per_ip_burst > 0 ? cfg->per_ip_burst : 4 * cfg->per_ip_rate;
    if (!(s->rate = http_rate_create(cfg->per_ip_rate, burst, HTTP_RATE_SLOTS,
                                     &s->services->metrics.rate_evictions))) {
      rc = err_set(e, ERR_NOMEM, "out of memory for the request-rate table");
      goto fail;
    }
    http_rate_set_penalty(s->rate, cfg->per_ip_penalty_s);
  }
  if ((rc = http_sources_start(&s->cfg, s->services, &s->sources, e)) != ERR_OK) goto fail;
  if ((rc = listen_socket(cfg, &s->listen_fd, &s->port, e)) != ERR_OK) goto fail;
  s->cfg.port = s->port;
  unsigned threads = cfg->threads > 0 ? (unsigned)cfg->threads : (unsigned)sysconf(_SC_NPROCESSORS_ONLN);
  if (threads < 1) threads = 1;
  static const engine_hooks hooks = {.admit = on_admit, .closed = on_closed, .head = on_head,
                                     .body = on_body, .end = on_end, .refuse = on_refuse,
                                     .done = on_done};
  engine_hooks h = hooks;
  h.ctx = s;
  engine_config ec = {.listen_fd = s->listen_fd, .threads = threads,
                      .idle_timeout_s = cfg->request_timeout_s, .url_max = URL_MAX,
                      .headers_max = HEADERS_MAX, .app_size = sizeof(req_log),
                      .stream_lowat = STREAM_LOWAT};
  if (!(s->engine = engine_start(&ec, &h, e))) {
    close(s->listen_fd);
    rc = e->code;
    goto fail;
  }
  /* counts made before the thread runs wait in the counters */
  err ue = {0};
  if (usage_flusher_start(s->services->usage, cfg->db_path, &s->usage, &ue) != ERR_OK)
    /* a read-only file still serves; its usage is counted for /metrics only */
    log_warn("usage per layer will not be kept in the database: %s", ue.msg);
  *out = s;
  return ERR_OK;
fail:
  http_sources_stop(s->sources);
  http_rate_destroy(s->rate);
  http_conns_destroy(s->conns);
  http_services_destroy(s->services);
  pthread_key_delete(s->worker_key);
  free(s);
  return rc;
}

/* Stops accepting: the listening socket is shut down, so new clients get "connection refused"
 * at once (a load balancer moves on) rather than waiting in the backlog; any connection still
 * reaching the accept policy is refused as draining. Answers from now on close their connection. */
static void stop_accepting(http_server *s) {
  if (atomic_exchange(&s->services->draining, true)) return;
  http_conns_drain(s->conns);
  engine_stop_accepting(s->engine);
}

long http_server_drain(http_server *s, int seconds) {
  stop_accepting(s);
  struct timespec start, now, nap = {0, 20 * 1000 * 1000};
  clock_gettime(CLOCK_MONOTONIC, &start);
  for (;;) {
    long n = (long)atomic_load(&s->services->metrics.in_flight);
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (n <= 0 || now.tv_sec - start.tv_sec >= seconds) return n > 0 ? n : 0;
    nanosleep(&nap, NULL);
  }
}

err_code http_server_reload(http_server *s, err *e) {
  return http_services_reload_styles(s->services, e);
}

void http_server_stop(http_server *s) {
  if (!s) return;
  stop_accepting(s);
  engine_stop(s->engine);
  usage_flusher_stop(s->usage); /* every request has completed: its count is in */
  http_sources_stop(s->sources); /* after the workers, whose readers follow its epoch */
  if (s->listen_fd >= 0) close(s->listen_fd);
  http_rate_destroy(s->rate);
  http_conns_destroy(s->conns);
  http_services_destroy(s->services);
  pthread_key_delete(s->worker_key);
  free(s);
}

int http_server_port(const http_server *s) { return s->port; }
