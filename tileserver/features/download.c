/* download.c — whole-layer downloads streamed with bounded memory, for analysts who want all of
 * a layer in one file (items pages stop at 10,000 features).
 *
 * A stream owns everything it uses: its own read-only connection (so the worker's connection is
 * free for the next request while the body goes out, and the download reads one consistent
 * version of the layer), its own copy of the arguments and of the parsed request, and a pending
 * buffer of about one chunk. GeoJSON and CSV are produced row by row as the client reads; a
 * GeoPackage is written to a temporary file first by the writer the caller names (export/, which
 * links GDAL), then read back in chunks. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "features/features_int.h"
#include "privacy/policy.h"

enum { STREAM_CHUNK = 64 * 1024, STREAM_ARENA = 64u << 20 };

typedef enum stream_state { S_HEAD, S_ROWS, S_TAIL, S_DONE } stream_state;

struct features_stream {
  arena *a;
  store_reader *rd;
  store_iter *it;
  arena *scratch;
  features_request req;
  features_cols cols;
  buf pending;
  size_t sent;  /* bytes of pending already handed out */
  stream_state state;
  int64_t n;
  int fd;       /* a GeoPackage: the unlinked temporary file; -1 otherwise */
  char *db_path; /* for the WAL fold at the end (store_wal_fold) */
};

static err_code copy_args(arena *a, const features_kv *args, size_t n, features_kv **out, err *e) {
  features_kv *c = arena_calloc(a, n + 1, sizeof *c);
  for (size_t i = 0; c && i < n; i++) {
    c[i].key = arena_strdup(a, args[i].key);
    c[i].value = arena_strdup(a, args[i].value);
  }
  if (!c || arena_failed(a)) return err_set(e, ERR_NOMEM, "out of memory");
  *out = c;
  return ERR_OK;
}

/* Writes the file into a private directory, opens it, and removes every name at once (SQLite's
 * journals too): the open descriptor keeps the bytes until the stream is closed. */
static err_code file_open(features_stream *s, features_file_fn write_file, err *e) {
  const char *tmp = getenv("TMPDIR");
  char dir[512], path[600];
  snprintf(dir, sizeof dir, "%s/teselas-gpkg-XXXXXX", tmp && *tmp ? tmp : "/tmp");
  if (!mkdtemp(dir)) return err_set(e, ERR_IO, "cannot create a temporary directory: %s",
                                    strerror(errno));
  snprintf(path, sizeof path, "%s/%s.%s", dir, s->req.layer->id,
           features_format_ext(s->req.format));
  err_code rc = write_file(s->rd, &s->req, path, e);
  if (rc == ERR_OK && (s->fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
    rc = err_set(e, ERR_IO, "cannot reopen the download: %s", strerror(errno));
  static const char *const SUFFIX[] = {"", "-journal", "-wal", "-shm"};
  for (int i = 0; i < 4; i++) {
    char p[640];
    snprintf(p, sizeof p, "%s%s", path, SUFFIX[i]);
    unlink(p);
  }
  rmdir(dir);
  return rc;
}

static err_code stream_start(features_stream *s, const features_download *d, err *e) {
  features_kv *copy = NULL;
  const catalog *cat = NULL;
  const char *layer_id = d->layer_id;
  features_format f = d->format;
  err_code rc = copy_args(s->a, d->args, d->n_args, &copy, e);
  if (rc == ERR_OK && !(s->db_path = arena_strdup(s->a, d->db_path)))
    rc = err_set(e, ERR_NOMEM, "out of memory");
  int busy_ms = d->busy_timeout_ms > 0 ? d->busy_timeout_ms : STORE_BUSY_TIMEOUT_MS;
  if (rc == ERR_OK) rc = store_reader_open_wait(d->db_path, busy_ms, &s->rd, e);
  if (rc == ERR_OK) rc = store_reader_catalog(s->rd, &cat, e);
  if (rc != ERR_OK) return rc;
  const layer_info *l = catalog_find(cat, layer_id, strlen(layer_id));
  if (!l) return err_set(e, ERR_NOT_FOUND, "no collection %s", layer_id);
  privacy_policy policy; /* this stream's own catalog: the same gate as the server's */
  if ((rc = features_layer_policy(l, &policy, e)) != ERR_OK) return rc;
  rc = features_request_parse(l, FEATURES_USE_DOWNLOAD, copy, d->n_args, f, s->a, &s->req, e);
  if (rc != ERR_OK) return rc;
  s->cols = (features_cols){l, s->req.fields, s->req.n_fields, false, NULL};
  features_cols_keys(&s->cols, s->a);
  if (f == FEATURES_GPKG) return file_open(s, d->write_file, e);
  store_query q;
  features_request_query(&s->req, &q);
  return store_query_start(s->rd, &q, &s->it, e);
}

err_code features_stream_open(const features_download *d, features_stream **out, err *e) {
  *out = NULL;
  features_format f = d->format;
  if (f != FEATURES_GEOJSON && f != FEATURES_CSV && (f != FEATURES_GPKG || !d->write_file))
    return err_set(e, ERR_INVALID, "f: downloads are GeoJSON, CSV or GeoPackage");
  features_stream *s = calloc(1, sizeof *s);
  if (!s) return err_set(e, ERR_NOMEM, "out of memory");
  s->fd = -1;
  s->a = arena_create(STREAM_ARENA);
  s->scratch = arena_create(0);
  buf_init(&s->pending, 0);
  err_code rc = s->a && s->scratch ? ERR_OK : err_set(e, ERR_NOMEM, "out of memory");
  if (rc == ERR_OK) rc = stream_start(s, d, e);
  if (rc != ERR_OK) {
    features_stream_close(s);
    return rc;
  }
  *out = s;
  return ERR_OK;
}

/* Appends rows to pending until it holds about a chunk or the rows end. */
static int produce_rows(features_stream *s) {
  store_feature f;
  geom g;
  int k = 1;
  bool csv = s->req.format == FEATURES_CSV;
  while (s->pending.len < STREAM_CHUNK && (k = store_iter_next(s->it, &f, NULL)) == 1) {
    arena_reset(s->scratch);
    features_decode(&f, s->scratch, &g);
    if (csv) {
      features_csv_row(&s->pending, &s->cols, &f, &g);
    } else {
      if (s->n) buf_putc(&s->pending, ',');
      buf_putc(&s->pending, '\n');
      features_geojson_feature_open(&s->pending, &s->cols, &f, &g);
      buf_putc(&s->pending, '}');
    }
    s->n++;
  }
  if (s->pending.len < STREAM_CHUNK) s->state = k < 0 ? S_DONE : S_TAIL;
  return k < 0 || s->pending.failed ? -1 : 0;
}

static int produce(features_stream *s) {
  bool csv = s->req.format == FEATURES_CSV;
  switch (s->state) {
    case S_HEAD:
      if (csv) {
        features_csv_header(&s->pending, &s->cols, s->req.csv_bom);
      } else {
        buf_puts(&s->pending, "{\"type\":\"FeatureCollection\",\"name\":");
        buf_json_str(&s->pending, s->req.layer->id);
        buf_puts(&s->pending, ",\"features\":[");
      }
      s->state = S_ROWS;
      return 0;
    case S_ROWS: return produce_rows(s);
    case S_TAIL:
      if (!csv) buf_puts(&s->pending, "\n]}\n");
      s->state = S_DONE;
      return 0;
    case S_DONE: return 0;
  }
  return -1;
}

long features_stream_read(features_stream *s, char *out, size_t max) {
  if (s->fd >= 0) {
    ssize_t n;
    do n = read(s->fd, out, max);
    while (n < 0 && errno == EINTR);
    return n < 0 ? -1 : (long)n;
  }
  while (s->pending.len == s->sent) {
    if (s->state == S_DONE) return 0;
    buf_reset(&s->pending);
    s->sent = 0;
    if (produce(s) != 0) return -1;
  }
  size_t n = s->pending.len - s->sent;
  if (n > max) n = max;
  memcpy(out, s->pending.data + s->sent, n);
  s->sent += n;
  return (long)n;
}

/* A WAL at least this large when a download ends is folded into the file: imports that landed
 * while the download read were held in it (store_wal_fold). SQLite's own automatic checkpoint
 * starts at 1,000 pages (4 MB); below that the log is left to it. */
#define FOLD_WAL_BYTES (4 * 1024 * 1024)

void features_stream_close(features_stream *s) {
  if (!s) return;
  store_iter_close(s->it);
  store_reader_close(s->rd);
  err e;
  err_clear(&e);
  if (s->db_path && store_wal_fold(s->db_path, FOLD_WAL_BYTES, &e) != ERR_OK)
    log_warn("download ended: the write-ahead log was not folded in: %s", e.msg);
  if (s->fd >= 0) close(s->fd);
  buf_free(&s->pending);
  arena_destroy(s->scratch);
  arena_destroy(s->a);
  free(s);
}
