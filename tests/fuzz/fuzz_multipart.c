/* fuzz_multipart.c — libFuzzer target for the multipart/form-data reader (http/multipart.c):
 * the input up to its first NUL is the Content-Type header and the rest the body; without a NUL
 * the whole input is a body under `boundary=b` (a short boundary, so the fuzzer finds it).
 * The body is fed whole, one byte at a time and in two pieces cut where the input's hash says.
 * Checks: the three runs give the same callbacks (data merged across pieces), the same outcome
 * and message; callbacks come in order (begin, data, end), never empty data, at most
 * MP_MAX_PARTS parts, no more data than the body; an error is INVALID or LIMIT with a message of
 * its own words; a callback that answers false is the last one called. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/multipart.h"

typedef struct seen {
  char *buf; /* the callbacks as text: "B" name 0 filename 0 type 0, "D" data..., "E" */
  size_t len, cap;
  bool open, last_data, stopped;
  size_t n_parts, n_calls, stop_after, data_bytes;
} seen;

static void put(seen *s, const void *d, size_t n) {
  if (s->len + n > s->cap) {
    s->cap = (s->len + n) * 2 + 64;
    s->buf = realloc(s->buf, s->cap);
    if (!s->buf) abort();
  }
  memcpy(s->buf + s->len, d, n);
  s->len += n;
}

static bool next(seen *s) {
  if (s->stopped) abort(); /* called again after answering false */
  s->n_calls++;
  if (s->stop_after && s->n_calls == s->stop_after) s->stopped = true;
  return !s->stopped;
}

static bool on_begin(void *ctx, const char *name, const char *filename, const char *ctype) {
  seen *s = ctx;
  if (s->open || ++s->n_parts > MP_MAX_PARTS) abort();
  if (strlen(name) + strlen(filename) + strlen(ctype) > MP_MAX_HEADER_BYTES) abort();
  put(s, "B", 1);
  put(s, name, strlen(name) + 1);
  put(s, filename, strlen(filename) + 1);
  put(s, ctype, strlen(ctype) + 1);
  s->open = true;
  s->last_data = false;
  return next(s);
}

static bool on_data(void *ctx, const char *data, size_t len) {
  seen *s = ctx;
  if (!s->open || len == 0) abort();
  if (!s->last_data) put(s, "D", 1);
  put(s, data, len);
  s->data_bytes += len;
  s->last_data = true;
  return next(s);
}

static bool on_end(void *ctx) {
  seen *s = ctx;
  if (!s->open) abort();
  put(s, "E", 1);
  s->open = s->last_data = false;
  return next(s);
}

static const mp_callbacks CB = {on_begin, on_data, on_end};

typedef struct run {
  seen s;
  err_code feed, finish;
  err e;
} run;

/* cut 0: whole; SIZE_MAX: byte by byte; else two pieces at cut. */
static void feed(const char *ct, const char *body, size_t len, size_t cut, size_t stop, run *r) {
  *r = (run){.s.stop_after = stop};
  mp_parser *p = mp_create(ct, &CB, &r->s, &r->e);
  if (!p) abort(); /* the caller checked the type */
  if (cut == SIZE_MAX) {
    for (size_t i = 0; i < len && r->feed == ERR_OK; i++) r->feed = mp_feed(p, body + i, 1, &r->e);
  } else {
    size_t at = cut < len ? cut : len;
    r->feed = mp_feed(p, body, at, &r->e);
    if (r->feed == ERR_OK) r->feed = mp_feed(p, body + at, len - at, &r->e);
  }
  r->finish = mp_finish(p, &r->e);
  mp_destroy(p);
  if (r->s.data_bytes > len) abort();
  if (r->finish == ERR_OK && (r->s.open || r->feed != ERR_OK)) abort();
  if (r->finish != ERR_OK) {
    if (r->finish != ERR_INVALID && r->finish != ERR_LIMIT) abort();
    bool stopped = strcmp(r->e.msg, "stopped") == 0;
    if (stopped != r->s.stopped) abort();
    if (!stopped && strncmp(r->e.msg, "multipart body: ", 16) != 0) abort();
  }
}

static bool same(const run *a, const run *b) {
  return a->feed == b->feed && a->finish == b->finish && strcmp(a->e.msg, b->e.msg) == 0 &&
         a->s.len == b->s.len && (a->s.len == 0 || memcmp(a->s.buf, b->s.buf, a->s.len) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *in = (const char *)data;
  const char *nul = memchr(in, '\0', size);
  char *ct = nul ? strndup(in, (size_t)(nul - in)) : strdup("multipart/form-data; boundary=b");
  const char *body = nul ? nul + 1 : in;
  size_t len = nul ? size - (size_t)(nul + 1 - in) : size;
  if (!ct) abort();
  err e;
  mp_parser *probe = mp_create(ct, &CB, NULL, &e);
  if (!probe) {
    if (e.code != ERR_INVALID || !e.msg[0]) abort();
    free(ct);
    return 0;
  }
  mp_destroy(probe);

  uint64_t h = 1469598103934665603ull; /* FNV-1a: a cut and a stop that vary with the input */
  for (size_t i = 0; i < size; i++) h = (h ^ data[i]) * 1099511628211ull;
  run whole, bytes, two, stop;
  feed(ct, body, len, 0, 0, &whole);
  feed(ct, body, len, SIZE_MAX, 0, &bytes);
  feed(ct, body, len, len ? (size_t)(h % (len + 1)) : 0, 0, &two);
  if (!same(&whole, &bytes) || !same(&whole, &two)) abort();
  /* a stop at the n-th callback: the callbacks up to it are the whole run's */
  size_t n = (size_t)(h >> 32) % (whole.s.n_calls + 1);
  if (n > 0) {
    feed(ct, body, len, 0, n, &stop);
    if (!stop.s.stopped || stop.feed != ERR_INVALID || stop.s.len > whole.s.len ||
        memcmp(stop.s.buf, whole.s.buf, stop.s.len) != 0)
      abort();
    free(stop.s.buf);
  }
  free(whole.s.buf);
  free(bytes.s.buf);
  free(two.s.buf);
  free(ct);
  return 0;
}
