/* http.h — the HTTP side of teselas: its own HTTP/1.1 engine (engine.h, wire.h) and everything
 * it serves.
 *
 * Handlers see an http_request (parsed path parameters, query arguments, a few headers, the
 * request's arena and the worker's store reader) and fill an http_response. They never see
 * sockets, SQL, protobuf or geometry. */
#ifndef TESELAS_HTTP_H
#define TESELAS_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "archives/archives.h"
#include "core/err.h"
#include "core/gzip.h"
#include "http/addr.h"
#include "store/store.h"

/* Start-up configuration: parsed once by main, never mutated afterwards. */
typedef struct server_config {
  const char *db_path;
  const char *bind;          /* IPv4 address to listen on */
  int port;
  int threads;               /* worker threads; 0 = number of cores */
  const char *public_url;    /* base of absolute URLs, or NULL to use the Host header */
  const char *styles_dir;    /* user's styles, or NULL */
  const char *cache_control; /* Cache-Control of data responses */
  size_t tile_cache_bytes;   /* bound of the in-memory tile cache; 0 disables it */
  size_t request_arena_bytes;/* per-request memory cap */
  int tile_buffer;           /* MVT buffer in tile units */
  bool quiet;                /* no access log */
  archive_source archives[ARCHIVES_MAX]; /* --archive name=FILE, served as read-only layers */
  size_t n_archives;
  uint64_t upload_max_bytes;  /* the largest upload body (--upload-max-mb); 0: HTTP_UPLOAD_MAX */
  size_t job_queue;           /* uploads waiting to be imported (--job-queue); 0: HTTP_JOB_QUEUE */
  size_t max_connections;     /* client connections open at once (--max-connections) */
  size_t per_ip_connections;  /* from one address (--per-ip-connections); 0: no bound */
  int request_timeout_s;      /* a connection idle this long is closed (--request-timeout) */
  size_t response_max_bytes;  /* the largest response body built in memory (--response-max-mb) */
  int drain_seconds;          /* on SIGTERM, how long requests in flight may take (--drain-seconds) */
  bool log_json;              /* --log-format json */
  const char *db_read[STORE_READ_MAX]; /* --db-read URI: hot standbys the reads go to */
  size_t n_db_read;
  const char *db_schema;      /* --db-schema S: the catalog's schema over PostgreSQL, or NULL */
  double per_ip_rate;         /* requests a second from one address (--per-ip-rate); 0: no bound */
  double per_ip_burst;        /* requests at once above it (--per-ip-burst); 0: 4 s of the rate */
  double per_ip_penalty_s;    /* an address ignoring its 429s is refused at accept this long
                                 (--per-ip-penalty); 0: never */
  http_cidr trusted_proxies[HTTP_TRUSTED_PROXIES_MAX]; /* --trusted-proxy CIDR: peers whose
                                 X-Forwarded-For names the client (http/addr.h) */
  size_t n_trusted_proxies;
  int busy_timeout_ms;        /* a read's wait for a lock on the file (--busy-timeout-ms) */
  int request_time_ms;        /* a request's database reads stop past it (--request-time-ms) */
} server_config;

/* 200 MiB: a municipal layer of a few hundred thousand records as CSV or a zipped shapefile,
 * while an upload cannot fill the disk; 8 waiting imports (a running one aside). */
#define HTTP_UPLOAD_MAX ((uint64_t)200 * 1024 * 1024)
#define HTTP_JOB_QUEUE 8

/* An upload's body, streamed by the server to a file of its own in a private directory (0700),
 * never held in memory. The handler that queues it sets taken (the job then removes dir); else
 * the server removes it when the request ends. */
typedef struct http_upload_file {
  const char *dir;
  const char *path;      /* the body (or a multipart request's first file), in dir */
  uint64_t bytes;
  const char *filename;  /* a multipart part's filename, "" when none */
  bool taken;
  struct query_arg *fields; /* a multipart form's other fields (a form's CSRF token, options) */
  size_t n_fields;
} http_upload_file;

typedef struct str_view {
  const char *s;
  size_t len;
} str_view;

typedef struct query_arg {
  const char *key;
  const char *value;  /* "" when the argument has no value */
} query_arg;

enum { HTTP_MAX_PARAMS = 8, HTTP_MAX_ARGS = 64, HTTP_MAX_HEADERS = 16 };

typedef struct http_request {
  arena *arena;
  const server_config *config;
  store_reader *reader;       /* this worker thread's read-only connection */
  gzip_deflater *deflater;    /* this worker thread's compressor; NULL before a worker is reached */
  const catalog *catalog;     /* snapshot for this request */
  const char *method;
  const char *path;
  str_view params[HTTP_MAX_PARAMS];  /* captures of {name} in the route pattern, in order */
  size_t n_params;
  query_arg args[HTTP_MAX_ARGS];
  size_t n_args;
  const char *accept;          /* header values, "" when absent */
  const char *accept_encoding;
  const char *if_none_match;
  const char *host;
  const char *range;           /* Range and If-Range, for files served whole or in part */
  const char *if_range;
  const char *base_url;        /* "http://host:port" or the public URL, without trailing '/' */
  int64_t started_unix;        /* when the server started, for /health */
  struct http_services *services; /* long-lived shared services (tile cache, styles) */
  const struct render_styles *styles; /* the style registry this request holds (NULL in tests
                                         without one); see http_services_styles_acquire */
  int usage;                   /* what the route counts as for usage (http/usage.h), set by
                                  http_route_find */
  const char *authorization;   /* header value, "" when absent; never logged or echoed */
  bool body_pending;           /* a write called before its body: authorise, check, and set
                                  resp->want_body to receive it (else the answer goes at once) */
  http_upload_file *upload;    /* the body, once received (POST routes that take one), or NULL */
  const char *cookie;          /* Cookie header, "" when absent; never logged or echoed */
  const char *csrf_header;     /* X-CSRF-Token header, "" when absent */
  http_addr client;            /* the peer's address (behind a trusted proxy, the one it names);
                                  formatted only where it is used: the sign-in throttle */
  const query_arg *form;       /* an application/x-www-form-urlencoded body's fields, once in */
  size_t n_form;
} http_request;

typedef struct http_header {
  const char *name;
  const char *value;
} http_header;

/* A streamed body: called until it returns 0 (end) or -1 (abort). */
typedef long (*http_stream_fn)(void *ctx, uint64_t pos, char *out, size_t max);
typedef void (*http_stream_free_fn)(void *ctx);

/* A body held elsewhere (a pinned tile cache entry): sent as it is, with no copy, and released
 * once: release(ctx) when the HTTP library is done with the response, or when the response is
 * dropped (an error replaces it, or it could not be queued). */
typedef struct http_body_ref {
  const void *data;
  size_t len;
  void (*release)(void *ctx);  /* NULL: no external body */
  void *ctx;
} http_body_ref;

/* A body that is a slice of an open file, sent by the HTTP library from the descriptor (no copy
 * into memory). The response owns fd: the server closes it once the library is done, or when
 * the response is dropped. */
typedef struct http_body_file {
  bool set;
  int fd;
  uint64_t offset, len;
} http_body_file;

typedef struct http_response {
  int status;
  const char *content_type;
  buf body;
  http_body_ref external;      /* when external.release is set, sent instead of body (never gzipped
                                  by the server: set precompressed for gzip bytes) */
  http_header headers[HTTP_MAX_HEADERS];
  size_t n_headers;
  bool compressible;           /* gzip it when the client accepts gzip */
  bool precompressed;          /* body is already gzip (Content-Encoding is set for it) */
  http_body_file file;         /* when set, sent instead of body (never gzipped) */
  http_stream_fn stream;       /* when set, body is ignored and the callback produces it */
  http_stream_free_fn stream_free;
  void *stream_ctx;
  bool want_body;              /* see http_request.body_pending */
} http_response;

typedef void (*http_handler)(http_request *req, http_response *resp);

/* ---- helpers for handlers (respond.c) ---- */

/* Value of query argument `key` or NULL. */
const char *http_arg(const http_request *req, const char *key);
/* Value of form field `key` (a urlencoded body, or a multipart upload's other fields) or NULL. */
const char *http_form(const http_request *req, const char *key);
/* Value of cookie `name` (in the request's arena) or NULL. */
const char *http_cookie(const http_request *req, const char *name);
/* Adds a response header; the strings must outlive the response (arena or static). */
void http_header_add(http_response *resp, const char *name, const char *val);
/* Sets a JSON error body {"code","description"} and the status mapped from the error kind
 * (INVALID→400, NOT_FOUND→404, LIMIT→413, UNAVAILABLE→503 with Retry-After, the rest→500): the
 * one place of that mapping. */
void http_error(http_response *resp, err_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Makes the body the external bytes [data, data+len), released with release(ctx) when the response
 * is done with them (see http_body_ref); any earlier body is dropped. */
void http_body_external(http_response *resp, const void *data, size_t len,
                        void (*release)(void *ctx), void *ctx);
/* Releases the external body now, if there is one (idempotent). */
void http_body_drop_external(http_response *resp);
/* Makes the body the slice [offset, offset+len) of the open file fd, which the response then
 * owns (see http_body_file); any earlier body is dropped. */
void http_body_file_set(http_response *resp, int fd, uint64_t offset, uint64_t len);
/* Closes the file body now, if there is one (idempotent). */
void http_body_drop_file(http_response *resp);
/* Length of the body that will be sent: the external one or `body`. */
size_t http_body_len(const http_response *resp);
/* Status for an error kind. */
int http_status_for(err_code code);
/* What the server refuses before routing, with a status finer than an error kind's. */
typedef enum http_refusal {
  HTTP_REFUSE_METHOD,    /* 405, with Allow (INVALID) */
  HTTP_REFUSE_URL,       /* 414 (LIMIT) */
  HTTP_REFUSE_HEADERS,   /* 431 (LIMIT) */
  HTTP_REFUSE_BODY,      /* 413 (LIMIT) */
  HTTP_REFUSE_MALFORMED, /* 400: not a request HTTP/1.1 allows (INVALID) */
  HTTP_REFUSE_UNAUTHORIZED, /* 401: no valid credential, with WWW-Authenticate: Bearer */
  HTTP_REFUSE_FORBIDDEN, /* 403: a valid credential that may not do this */
  HTTP_REFUSE_CONFLICT,  /* 409: the layer has a write in progress */
  HTTP_REFUSE_BUSY,      /* 503: the import queue is full, with Retry-After */
  HTTP_REFUSE_TOO_MANY,  /* 429: too many failed sign-ins (the caller adds Retry-After) */
} http_refusal;
int http_status_for_refusal(http_refusal why);
/* Sets the JSON error body of a refusal and its status (and Allow for a method). */
void http_refuse(http_response *resp, http_refusal why, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A non-negative decimal integer of at most 10 digits, nothing else (a tile address). */
bool http_parse_index(str_view v, int64_t *out);
/* Which of types[0..n) comes first in the Accept header; n when none is there. */
size_t http_accept_first(const http_request *req, const char *const *types, size_t n);
/* Sets the ETag header; true when If-None-Match matches it. The handler then still makes the body
 * a 200 would carry and ends with http_not_modified, which turns the response into the 304: a
 * handler that stopped at the match would send a 304 with Content-Length: 0 (see below). */
bool http_etag_check(const http_request *req, http_response *resp, const char *etag);
/* True when If-None-Match names etag itself ("*" not counted: it matches only a representation
 * known to exist, which a handler that has not done its work does not know). */
bool http_etag_named(const http_request *req, const char *etag);
/* Cache-Control of a tile or an image whose content is named by version v: immutable for a year
 * when the request's ?v= is v (a new version is a new URL), else the configured policy (an old
 * or wrong v gets today's content, kept only briefly). */
void http_cache_versioned(const http_request *req, http_response *resp, const char *v);
/* The answer while no database can be reached: /health says "degraded", anything else the 503
 * error; both JSON, with Retry-After. */
void http_unavailable(const http_request *req, http_response *resp, const char *why);
/* Makes resp, whose body (or external body) holds what a 200 to this request would carry, a 304
 * that keeps that body without sending it. Why: the engine writes a Content-Length on a 304, the
 * length of the response's body, and RFC 9110 §8.6 allows one only when it equals the 200's. The
 * body is never sent. */
void http_not_modified(http_response *resp);
/* Answers 200 with doc as indented JSON and releases doc (NULL doc: a 500 for lack of memory). */
struct json_t;
void http_send_json(http_response *resp, struct json_t *doc);
/* True when Accept-Encoding allows gzip. */
bool http_accepts_gzip(const http_request *req);
/* True when the client prefers JSON (f=json or Accept: application/json). */
bool http_wants_json(const http_request *req);

/* ---- the server (server.c) ---- */

typedef struct http_server http_server;

/* Validates the database, binds the port and starts the worker pool. Errors: a one-line message
 * (port taken, database unreadable or not a teselas database). Caller owns; http_server_stop. */
err_code http_server_start(const server_config *cfg, http_server **out, err *e);
/* Stops accepting (the listening socket is closed) and waits up to `seconds` for the requests in
 * flight to be answered; returns how many were still unanswered (0: drained). */
long http_server_drain(http_server *s, int seconds);
/* Reloads what can change under a running server: the styles (built-in and --styles DIR). A
 * request in flight finishes with the styles it started with. On error the old styles stay. */
err_code http_server_reload(http_server *s, err *e);
/* Stops accepting, closes every connection (a request being computed finishes first), joins the
 * workers and frees the server. */
void http_server_stop(http_server *s);
/* The port actually bound (useful with port 0). */
int http_server_port(const http_server *s);

/* ---- the route table (routes.c) ---- */

/* Finds the handler for the path and method and fills req->params; NULL when no route matches the
 * path. A route answers GET and HEAD, or the one method it names; a path whose routes answer
 * other methods gets a handler that refuses with 405. */
http_handler http_route_find(http_request *req);
/* True when some route answers `method` (other than GET, HEAD) at path, and takes a body. */
bool http_route_takes_body(const char *method, const char *path);
/* True when some route answers `method` at path. */
bool http_route_allows(const char *method, const char *path);

#endif
