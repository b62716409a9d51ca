/* server.c — libmicrohttpd glue: the listening socket, the worker pool, one read-only store
 * connection per worker thread, the per-request arena, gzip, and the access log.
 *
 * Shutdown: main blocks SIGINT/SIGTERM before the workers start and waits for them; then
 * http_server_drain stops accepting and waits, within --drain-seconds, for the requests in flight
 * to be answered, and http_server_stop joins the workers.
 *
 * Connections: the accept policy admits or refuses each one (http/conns.h) and the connection
 * notifications keep the open gauge and count the connections that libmicrohttpd closed for
 * being idle past --request-timeout (its timeout is an idle one: a byte resets it). */
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
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
#include "http/form_int.h"
#include "http/gate.h"
#include "http/http.h"
#include "http/ratelimit.h"
#include "http/services.h"
#include "http/sources.h"
#include "http/usage_flush.h"
#include "http/upload_int.h"

struct http_server {
  struct MHD_Daemon *daemon;
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

/* Per connection (libmicrohttpd's socket context), from its notification STARTED to CLOSED:
 * enough to tell, once it closes, whether libmicrohttpd closed it for being idle. */
typedef struct conn_state {
  struct timespec quiet_since; /* accept, request line seen, or last answer completed */
  bool timed_out;              /* a request ended with MHD_REQUEST_TERMINATED_TIMEOUT_REACHED */
} conn_state;

/* Per worker thread: its own read-only connection (STYLE.md: per-thread resources hang off one
 * thread-local context), closed when the thread exits. */
typedef struct worker {
  store_reader *reader;
  gzip_deflater *deflater; /* the gzip of every answer this thread compresses */
  http_gate *gate;  /* the catalog minus layers whose privacy policy cannot be read */
} worker;

/* Bounds on what a request may carry; past them teselas answers with a JSON error (414, 431, 413).
 * libmicrohttpd answers by itself, with an HTML page, a request line or header block that does
 * not fit its per-connection memory pool, and no hook runs before (tests/http/
 * test_clients_mhd_pages.sh): the pool holds the largest request within these bounds with room
 * to spare, so every request up to about POOL_BYTES reaches teselas and gets its JSON.
 * Why not larger: libmicrohttpd 0.9.75 zeroes the whole pool after every request of a kept-alive
 * connection (MHD_pool_reset), and that first touch commits every page of it. With 1 MiB that
 * memset was 28-41 % of the instructions of a dense bbox page (callgrind), and 1,000 idle
 * kept-alive connections held 1,000 fully committed MiB; at 128 KiB both are an eighth. */
enum {
  URL_MAX = 16 * 1024,     /* raw request target, query included (nginx's default buffer: 8 KiB) */
  HEADERS_MAX = 32 * 1024, /* names and values of every header */
  BODY_MAX = 64 * 1024,    /* only uploads read a body (bounded by upload_max_bytes): elsewhere a
                              small one is ignored, a larger refused */
  POOL_BYTES = 128 * 1024
};

/* Per request: what the access log needs once the response has gone out, and what was learned
 * from the raw request before libmicrohttpd decoded it. Allocated by uri_seen. */
typedef struct req_log {
  struct timespec start;
  int status;
  size_t bytes;
  bool seen;           /* the access handler has been called for this request */
  bool encoded_nul;    /* the raw target holds %00: a decoded path or argument would hold a NUL */
  bool raw_nul;        /* the request line holds a NUL byte (raw_nul_in_target) */
  const char *target;  /* the raw target as uri_seen got it (libmicrohttpd's buffer) */
  size_t target_len;   /* bytes of the raw request target up to its first NUL */
  uint64_t body_bytes; /* body bytes received so far */
  char method[8];
  char path[256];
  usage_mark usage;    /* the layers and kind it counts for, once routed */
  bool write_pending;  /* a POST or DELETE whose handler has not yet seen its headers */
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

static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                    const char *val) {
  http_request *req = cls;
  if (req->n_args >= HTTP_MAX_ARGS) return MHD_NO;
  req->args[req->n_args].key = arena_strdup(req->arena, key);
  req->args[req->n_args].value = arena_strdup(req->arena, val ? val : "");
  req->n_args++;
  return MHD_YES;
}

static const char *header(struct MHD_Connection *c, const char *name) {
  const char *v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
  return v ? v : "";
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

/* http_stream_fn returns 0 at the end and -1 to abort; MHD reads 0 as "nothing yet" and wants
 * its own END_OF_STREAM / END_WITH_ERROR codes, so a streamed body goes through this adapter. */
typedef struct stream_adapter {
  http_stream_fn fn;
  http_stream_free_fn free_fn;
  void *ctx;
  size_t *sent;  /* the request's byte count: reads all happen before its completion callback */
} stream_adapter;

static ssize_t stream_read(void *cls, uint64_t pos, char *out, size_t max) {
  stream_adapter *a = cls;
  long n = a->fn(a->ctx, pos, out, max);
  if (n > 0) *a->sent += (size_t)n;
  if (n > 0) return n;
  return n == 0 ? MHD_CONTENT_READER_END_OF_STREAM : MHD_CONTENT_READER_END_WITH_ERROR;
}

static void stream_done(void *cls) {
  stream_adapter *a = cls;
  if (a->free_fn) a->free_fn(a->ctx);
  free(a);
}

/* A streamed body (a whole-layer download) to a slow client: libmicrohttpd counts a connection as
 * idle, and closes it after MHD_OPTION_CONNECTION_TIMEOUT, when it has not written for that long,
 * and it writes only when epoll says the socket is writable, which Linux says once a third of the
 * send buffer is free. The kernel grows that buffer to megabytes, so a client reading at 10 KB/s
 * drained it for over 30 s without one write, and its download was cut (seen: "aborted" after
 * 31 s while the client was reading). TCP_NOTSENT_LOWAT makes the socket writable whenever
 * fewer than STREAM_LOWAT bytes wait unsent, so every window the client opens is a write. */
enum { STREAM_LOWAT = 128 * 1024 };

static void stream_socket(struct MHD_Connection *conn) {
  const union MHD_ConnectionInfo *ci =
      MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
  int lowat = STREAM_LOWAT;
  if (ci) setsockopt(ci->connect_fd, IPPROTO_TCP, TCP_NOTSENT_LOWAT, &lowat, sizeof lowat);
}

/* NULL on failure, and then resp->stream_ctx still belongs to the caller. */
static struct MHD_Response *stream_response(http_response *resp, size_t *sent) {
  stream_adapter *a = malloc(sizeof *a);
  if (!a) return NULL;
  *sent = 0;
  *a = (stream_adapter){resp->stream, resp->stream_free, resp->stream_ctx, sent};
  struct MHD_Response *r =
      MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 64 * 1024, stream_read, a, stream_done);
  if (!r) free(a);
  return r;
}

static struct MHD_Response *to_mhd(http_request *req, http_response *resp, size_t *out_len) {
  struct MHD_Response *r;
  if (resp->stream) {
    r = stream_response(resp, out_len);
  } else if (resp->file.set) {
    /* MHD sends the slice with sendfile (or pread) and closes the descriptor with the response */
    http_header_add(resp, "Vary", "Accept-Encoding");
    *out_len = resp->status == 304 ? 0 : (size_t)resp->file.len;
    r = MHD_create_response_from_fd_at_offset64(resp->file.len, resp->file.fd, resp->file.offset);
    if (r) resp->file.set = false;
  } else if (resp->external.release) {
    /* zero copy: MHD sends the bytes where they are and calls release when it is done with the
     * response (sent, or the connection closed); on failure the caller still owns them */
    maybe_gzip(req, resp);
    http_body_ref *x = &resp->external;
    *out_len = resp->status == 304 ? 0 : x->len;
    r = MHD_create_response_from_buffer_with_free_callback_cls(x->len, (void *)x->data,
                                                               x->release, x->ctx);
    if (r) *x = (http_body_ref){0};
  } else {
    maybe_gzip(req, resp);
    size_t len = resp->body.len;
    *out_len = resp->status == 304 ? 0 : len; /* a 304's body only sets its Content-Length */
    uint8_t *data = buf_steal(&resp->body, NULL);
    r = MHD_create_response_from_buffer_with_free_callback(len, data ? data : (void *)"", data ? free : NULL);
  }
  if (!r) return NULL;
  if (resp->content_type) MHD_add_response_header(r, "Content-Type", resp->content_type);
  /* draining: the client takes its next request elsewhere (or to the restarted server) */
  if (atomic_load(&req->services->draining)) MHD_add_response_header(r, "Connection", "close");
  MHD_add_response_header(r, "Access-Control-Allow-Origin", "*");
  for (size_t i = 0; i < resp->n_headers; i++)
    MHD_add_response_header(r, resp->headers[i].name, resp->headers[i].value);
  return r;
}

/* libmicrohttpd decodes %XX in the path and the arguments, and a decoded NUL ends the C string it
 * hands over: "/collections/x/items/%00%ff" arrived as "/collections/x/items/", the list. So the
 * raw target is looked at here, before decoding. Its unescaping turns "%00" into NUL wherever it
 * occurs and nowhere else (a '%' not followed by two hex digits stays as it is), so a substring
 * test is exact. */
static bool has_encoded_nul(const char *target) {
  for (const char *p = target; (p = strchr(p, '%')) != NULL; p++)
    if (p[1] == '0' && p[2] == '0') return true;
  return false;
}

/* A NUL byte sent as such in the request target ("GET /a\0b HTTP/1.1") ends the C string that
 * libmicrohttpd hands over, so "/collections/x/items?bbox=\0..." arrived as a shorter, valid
 * request (the list, a 200). No interface reports the target's length, but libmicrohttpd 0.9.75
 * (connection.c, parse_initial_message_line) parses the request line in place: the target handed
 * to uri_seen and the url handed to the access handler are the same pointer, the target ends
 * where it wrote a NUL over the space before the version, and `version` points just past that
 * NUL. So the target is clean exactly when version == target + strlen(target) + 1. Where that
 * layout does not hold (url is not the target's pointer, or version lies outside the request
 * line's bounds) nothing is concluded and the request is served as before. */
static bool raw_nul_in_target(const req_log *lg, const char *url, const char *version) {
  if (!lg->target || url != lg->target) return false;
  uintptr_t t = (uintptr_t)lg->target, v = (uintptr_t)version;
  return v > t + lg->target_len + 1 && v - t <= (uintptr_t)POOL_BYTES;
}

/* MHD_OPTION_URI_LOG_CALLBACK: called with the raw request target once the request line is in;
 * what it returns is the request's *con_cls, freed by on_completed. */
static conn_state *conn_state_of(struct MHD_Connection *conn) {
  const union MHD_ConnectionInfo *ci =
      MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
  return ci ? ci->socket_context : NULL;
}

static void *uri_seen(void *cls, const char *target, struct MHD_Connection *conn) {
  (void)cls;
  conn_state *cs = conn_state_of(conn);
  if (cs) clock_gettime(CLOCK_MONOTONIC, &cs->quiet_since);
  req_log *lg = calloc(1, sizeof *lg);
  if (!lg) return NULL;
  clock_gettime(CLOCK_MONOTONIC, &lg->start);
  lg->target = target;
  lg->target_len = strlen(target);
  lg->encoded_nul = has_encoded_nul(target);
  return lg;
}

static enum MHD_Result add_len(void *cls, enum MHD_ValueKind kind, const char *key,
                               const char *val) {
  (void)kind;
  *(size_t *)cls += strlen(key) + (val ? strlen(val) : 0) + 4; /* ": " and CRLF */
  return MHD_YES;
}

static socklen_t addr_len(const struct sockaddr *a) {
  return a && a->sa_family == AF_INET6 ? (socklen_t)sizeof(struct sockaddr_in6)
                                       : (socklen_t)sizeof(struct sockaddr_in);
}

/* The client's address as text, for the sign-in throttle (never logged). */
static const char *client_address(http_request *req, const req_log *lg) {
  char *out = arena_alloc(req->arena, HTTP_ADDR_TEXT_MAX);
  if (!out) return "";
  http_addr_format(&lg->client, out);
  return out;
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

static enum MHD_Result join_xff(void *cls, enum MHD_ValueKind kind, const char *key,
                                const char *val) {
  (void)kind;
  xff_join *j = cls;
  if (strcasecmp(key, "X-Forwarded-For") != 0 || !val) return MHD_YES;
  if (j->len) xff_put(j, ",", 1);
  xff_put(j, val, strlen(val));
  j->s[j->len] = '\0';
  return MHD_YES;
}

/* The peer's address, or with --trusted-proxy and a trusted peer, the client it names;
 * *out_is_peer says which (only a peer's connections can be refused at accept). */
static http_addr request_client(const http_server *s, struct MHD_Connection *conn,
                                bool *out_is_peer) {
  http_addr peer = {0};
  const union MHD_ConnectionInfo *ci =
      MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  *out_is_peer = ci && ci->client_addr &&
                 http_addr_from_sockaddr(ci->client_addr, addr_len(ci->client_addr), &peer);
  const server_config *cfg = &s->cfg;
  if (!http_cidr_any_contains(cfg->trusted_proxies, cfg->n_trusted_proxies, &peer)) return peer;
  *out_is_peer = false;
  xff_join j = {.len = 0};
  j.s[0] = '\0';
  MHD_get_connection_values(conn, MHD_HEADER_KIND, join_xff, &j);
  const char *list = j.s;
  if (j.cut) { /* the leftmost element may be the end of an address: not read */
    const char *comma = strchr(list, ',');
    list = comma ? comma + 1 : "";
  }
  return http_addr_client(&peer, list, cfg->trusted_proxies, cfg->n_trusted_proxies);
}

static int64_t now_us(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (int64_t)now.tv_sec * 1000000 + now.tv_nsec / 1000;
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

static bool early_body(struct MHD_Connection *conn) {
  const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
  return cl && strtoull(cl, NULL, 10) > BODY_MAX;
}

/* A request teselas refuses before routing (bounds, NULs): true with the JSON error in resp. */
static bool refused(struct MHD_Connection *conn, const char *method, const req_log *lg,
                    http_response *resp) {
  size_t headers = 0;
  MHD_get_connection_values(conn, MHD_HEADER_KIND, add_len, &headers);
  if (lg->limited) {
    http_refuse(resp, HTTP_REFUSE_TOO_MANY, "too many requests from this address; retry in %s s",
                lg->retry_after);
    http_header_add(resp, "Retry-After", lg->retry_after);
    /* its next connection is refused at accept: this one ends with the answer */
    if (lg->penalised) http_header_add(resp, "Connection", "close");
  } else if (is_write(method) && lg->target_len <= URL_MAX && !http_route_allows(method, lg->path)) {
    http_refuse(resp, HTTP_REFUSE_METHOD, "method %s is not allowed here", method);
  } else if (lg->target_len > URL_MAX) {
    http_refuse(resp, HTTP_REFUSE_URL, "the URL is longer than %d bytes", URL_MAX);
  } else if (headers > HEADERS_MAX) {
    http_refuse(resp, HTTP_REFUSE_HEADERS, "the request headers are larger than %d bytes",
                HEADERS_MAX);
  } else if (answered_method(method) && !lg->sink &&
             (lg->body_bytes > BODY_MAX || (early_body(conn) && !lg->write_pending))) {
    http_refuse(resp, HTTP_REFUSE_BODY, "no endpoint takes a request body; this one is larger "
                "than %d bytes", BODY_MAX);
  } else if (lg->encoded_nul) {
    http_refuse(resp, HTTP_REFUSE_MALFORMED, "the path or a parameter holds an encoded NUL (%%00)");
  } else if (lg->raw_nul) {
    http_refuse(resp, HTTP_REFUSE_MALFORMED, "the request line holds a NUL byte");
  } else {
    return false;
  }
  return true;
}

/* True when the method is not one teselas answers or the declared body is over BODY_MAX (an
 * upload's over its own bound). */
static bool early_refusal(struct MHD_Connection *conn, const char *method, const char *url,
                          uint64_t upload_max) {
  if (!answered_method(method)) return true;
  if (is_write(method) && !http_route_allows(method, url)) return true; /* 405 before the body */
  if (!http_route_takes_body(method, url)) return early_body(conn);
  const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
  return cl && strtoull(cl, NULL, 10) > upload_max;
}

static uint64_t upload_max(const http_server *s) {
  return s->cfg.upload_max_bytes ? s->cfg.upload_max_bytes : HTTP_UPLOAD_MAX;
}

/* A write, once its handler saw the headers (body_pending) and asked for the body: the body of a
 * route that takes one goes to a private file; false when that file cannot be made. */
static bool start_body(http_server *s, struct MHD_Connection *conn, req_log *lg, const char *url,
                       http_response *resp) {
  if (!http_route_takes_body(lg->method, url)) return true; /* drained, at most BODY_MAX */
  err e = {0};
  if ((lg->sink = http_sink_open(conn, upload_max(s), &e))) return true;
  log_error("upload: %s", e.msg);
  http_error(resp, ERR_INTERNAL, "the server cannot receive the upload now");
  return false;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls) {
  http_server *s = cls;
  req_log *lg = *con_cls;
  if (!lg) { /* uri_seen ran out of memory */
    if (!(lg = calloc(1, sizeof *lg))) return MHD_NO;
    clock_gettime(CLOCK_MONOTONIC, &lg->start);
    *con_cls = lg;
  }
  if (!lg->seen) {
    lg->seen = true;
    atomic_fetch_add_explicit(&s->services->metrics.in_flight, 1, memory_order_relaxed);
    snprintf(lg->method, sizeof lg->method, "%s", method);
    snprintf(lg->path, sizeof lg->path, "%s", url);
    lg->raw_nul = raw_nul_in_target(lg, url, version);
    bool is_peer;
    lg->client = request_client(s, conn, &is_peer);
    lg->limited = over_rate(s, lg, url, is_peer);
    /* Answer on a later call, once the whole request is in: answering now makes MHD close the
     * connection, which defeats keep-alive. Except a request refused for its method or declared
     * body size: libmicrohttpd lets a response be queued only now or once the body is in, and
     * reading a body nobody wants is work for nothing. */
    /* a write over its rate is answered now, its body never read */
    if (!early_refusal(conn, method, url, upload_max(s)) && !(lg->limited && is_write(method))) {
      if (!is_write(method)) return MHD_YES;
      lg->write_pending = true; /* the handler sees the headers now: refusals go at once */
      const char *ct = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Type");
      lg->form_body = ct && strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0;
      buf_init(&lg->form, BODY_MAX);
    }
  }
  if (*upload_size) { /* an upload's body to its file; elsewhere discarded, or refused once too large */
    if (lg->sink) http_sink_feed(lg->sink, upload, *upload_size);
    else lg->body_bytes += *upload_size;
    if (!lg->sink && lg->form_body) buf_append(&lg->form, upload, *upload_size); /* capped */
    *upload_size = 0;
    if (lg->sink || lg->body_bytes <= BODY_MAX) return MHD_YES;
  }
  http_request req = {0};
  http_response resp = {0};
  req.arena = arena_create(s->cfg.request_arena_bytes);
  if (!req.arena) return MHD_NO;
  buf_init(&resp.body, s->cfg.response_max_bytes);
  req.config = &s->cfg;
  req.method = method;
  req.path = url;
  req.started_unix = s->started_unix;
  req.services = s->services;
  req.accept = header(conn, "Accept");
  req.accept_encoding = header(conn, "Accept-Encoding");
  req.if_none_match = header(conn, "If-None-Match");
  req.host = header(conn, "Host");
  req.range = header(conn, "Range");
  req.if_range = header(conn, "If-Range");
  req.authorization = header(conn, "Authorization");
  req.cookie = header(conn, "Cookie");
  req.csrf_header = header(conn, "X-CSRF-Token");
  req.client_addr = client_address(&req, lg);
  if (lg->form.len && !lg->form.failed) {
    query_arg *fields = arena_calloc(req.arena, HTTP_MAX_ARGS, sizeof *fields);
    if (fields) {
      req.n_form = http_form_parse(req.arena, (const char *)lg->form.data, lg->form.len, fields,
                                   HTTP_MAX_ARGS);
      req.form = fields;
    }
  }
  err fe = {0};
  err_code fin = ERR_OK;
  MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, collect_arg, &req);
  req.base_url = base_url(&req);
  if (refused(conn, method, lg, &resp)) {
    /* answered above */
  } else if (strcmp(method, "OPTIONS") == 0) {
    resp.status = 204;
    http_header_add(&resp, "Access-Control-Allow-Methods", "GET, HEAD, OPTIONS");
    http_header_add(&resp, "Access-Control-Allow-Headers", "*");
    http_header_add(&resp, "Access-Control-Max-Age", "86400");
  } else if (!answered_method(method)) {
    http_refuse(&resp, HTTP_REFUSE_METHOD, "method %s is not allowed", method);
  } else if (lg->sink && (fin = http_sink_finish(lg->sink, &lg->upload, &fe)) != ERR_OK) {
    http_error(&resp, fin, "%s", fe.msg);
  } else {
    req.body_pending = lg->write_pending;
    req.upload = lg->sink ? &lg->upload : NULL;
    dispatch(s, &req, &resp);
    lg->write_pending = false;
    if (req.body_pending && resp.want_body && resp.status == 0 &&
        start_body(s, conn, lg, url, &resp)) {
      http_body_drop_file(&resp);
      buf_free(&resp.body);
      arena_destroy(req.arena);
      return MHD_YES; /* the handler is called again with the body */
    }
    usage_mark_request(s->services->usage, req.usage, req.catalog, req.n_params ? req.params[0].s : "",
                       req.n_params ? req.params[0].len : 0, &lg->usage);
  }
  if (resp.stream) stream_socket(conn);
  struct MHD_Response *r = to_mhd(&req, &resp, &lg->bytes);
  enum MHD_Result ok = MHD_NO;
  if (r) {
    lg->status = resp.status ? resp.status : 200;
    ok = MHD_queue_response(conn, (unsigned)lg->status, r);
    MHD_destroy_response(r);
  } else if (resp.stream_free) {
    resp.stream_free(resp.stream_ctx);
  }
  http_body_drop_external(&resp); /* not handed to MHD: released here */
  http_body_drop_file(&resp);
  buf_free(&resp.body);
  arena_destroy(req.arena);
  return ok;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe) {
  http_server *s = cls;
  req_log *lg = *con_cls;
  if (!lg) return;
  *con_cls = NULL;
  struct timespec end;
  clock_gettime(CLOCK_MONOTONIC, &end);
  long long us = (end.tv_sec - lg->start.tv_sec) * 1000000LL +
                 (end.tv_nsec - lg->start.tv_nsec) / 1000;
  bool completed = toe == MHD_REQUEST_TERMINATED_COMPLETED_OK;
  conn_state *cs = conn_state_of(conn);
  if (cs) {
    cs->quiet_since = end;
    if (toe == MHD_REQUEST_TERMINATED_TIMEOUT_REACHED) cs->timed_out = true;
  }
  if (lg->seen) atomic_fetch_sub_explicit(&s->services->metrics.in_flight, 1, memory_order_relaxed);
  http_sink_close(lg->sink, lg->upload.path ? &lg->upload : NULL);
  buf_free(&lg->form);
  metrics_count(&s->services->metrics, completed ? lg->status : 0, (uint64_t)us, lg->bytes);
  usage_count(s->services->usage, &lg->usage, completed ? lg->status : 0, lg->bytes);
  if (!s->cfg.quiet) log_access(lg->method, lg->path, lg->status, lg->bytes, us, !completed);
  free(lg);
}

/* True when the peer has ignored its 429s and is in its --per-ip-penalty window. A trusted
 * proxy never is (its clients are limited one by one, by the address it names). */
static bool penalised_peer(const http_server *s, const struct sockaddr *addr, socklen_t len) {
  http_addr a;
  if (!s->rate || !http_addr_from_sockaddr(addr, len, &a)) return false;
  if (http_cidr_any_contains(s->cfg.trusted_proxies, s->cfg.n_trusted_proxies, &a)) return false;
  return http_rate_refuses(s->rate, &a, now_us());
}

/* MHD_OPTION_ACCEPT_POLICY_CALLBACK: the bounds of conns.h and the penalty of an address that
 * ignores its 429s, each refusal counted. libmicrohttpd closes a refused socket at once, before
 * it maps the connection's pool: the client sees the connection closed, not an HTTP answer (an
 * answer would mean reading its request, the work the bound is there to refuse). */
static enum MHD_Result accept_policy(void *cls, const struct sockaddr *addr, socklen_t len) {
  http_server *s = cls;
  metrics_refusal why = METRICS_REFUSED_RATE_PENALTY;
  if (!penalised_peer(s, addr, len) && http_conns_admit(s->conns, addr, len, &why)) return MHD_YES;
  metrics_refuse(&s->services->metrics, why);
  return MHD_NO;
}

/* True when libmicrohttpd closed the connection for its idle timeout: a request ended so, or
 * nothing happened on it for the timeout and the client has not closed its side (a client that
 * closed reads as end of file; the socket is still open during the CLOSED notification). */
static bool closed_idle(const http_server *s, struct MHD_Connection *conn, const conn_state *cs) {
  if (cs->timed_out) return true;
  if (atomic_load(&s->services->draining)) return false;
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  long long ms = (now.tv_sec - cs->quiet_since.tv_sec) * 1000LL +
                 (now.tv_nsec - cs->quiet_since.tv_nsec) / 1000000;
  if (ms + 500 < (long long)s->cfg.request_timeout_s * 1000) return false;
  const union MHD_ConnectionInfo *ci =
      MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
  char b;
  return ci && recv(ci->connect_fd, &b, 1, MSG_PEEK | MSG_DONTWAIT) != 0;
}

/* MHD_OPTION_NOTIFY_CONNECTION: the open gauge, the timeouts, and the release of what
 * accept_policy admitted. */
static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode code) {
  http_server *s = cls;
  http_metrics *m = &s->services->metrics;
  if (code == MHD_CONNECTION_NOTIFY_STARTED) {
    conn_state *cs = calloc(1, sizeof *cs);
    if (cs) clock_gettime(CLOCK_MONOTONIC, &cs->quiet_since);
    *socket_context = cs;
    atomic_fetch_add_explicit(&m->open_connections, 1, memory_order_relaxed);
    return;
  }
  conn_state *cs = *socket_context;
  if (cs && closed_idle(s, conn, cs)) atomic_fetch_add_explicit(&m->timed_out, 1, memory_order_relaxed);
  free(cs);
  *socket_context = NULL;
  atomic_fetch_sub_explicit(&m->open_connections, 1, memory_order_relaxed);
  const union MHD_ConnectionInfo *ci =
      MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  if (ci && ci->client_addr) http_conns_release(s->conns, ci->client_addr, addr_len(ci->client_addr));
}

/* Binds the socket ourselves so "port taken" gets a precise message instead of MHD's NULL. */
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
  /* The bounds are accept_policy's. libmicrohttpd splits its own connection limit evenly among
   * the worker threads, so it is set to what each thread could ever be asked to hold: a backstop
   * that never refuses first (its refusals are silent). ITC: MHD_quiesce_daemon needs it. */
  unsigned mhd_limit = (unsigned)(cfg->max_connections * threads + threads);
  s->daemon = MHD_start_daemon(
      MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_TURBO | MHD_USE_ITC, 0,
      accept_policy, s, on_request, s, MHD_OPTION_LISTEN_SOCKET, s->listen_fd,
      MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
      MHD_OPTION_NOTIFY_CONNECTION, on_connection, s, MHD_OPTION_URI_LOG_CALLBACK, uri_seen, s,
      MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)POOL_BYTES,
      MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg->request_timeout_s,
      MHD_OPTION_CONNECTION_LIMIT, mhd_limit, MHD_OPTION_END);
  if (!s->daemon) {
    close(s->listen_fd);
    rc = err_set(e, ERR_IO, "cannot start the HTTP server on %s:%d", cfg->bind, s->port);
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

/* Stops accepting: the listening socket is closed, so new clients get "connection refused" at
 * once (a load balancer moves on) rather than waiting in the backlog; any connection still
 * reaching the accept policy is refused as draining. Answers from now on close their connection. */
static void stop_accepting(http_server *s) {
  if (atomic_exchange(&s->services->draining, true)) return;
  http_conns_drain(s->conns);
  if (MHD_quiesce_daemon(s->daemon) != MHD_INVALID_SOCKET && s->listen_fd >= 0) {
    close(s->listen_fd);
    s->listen_fd = -1;
  }
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
  MHD_stop_daemon(s->daemon);
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
