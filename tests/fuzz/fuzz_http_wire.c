/* fuzz_http_wire.c — libFuzzer target for the request-head parser and the chunked decoder
 * (http/wire.c), the first code that reads what a client sends. The input is parsed as a head,
 * whole and at every prefix (the engine calls the parser again on a longer buffer), with small
 * and large bounds; the rest after the head is decoded as a chunked body, whole and in pieces of
 * 1, 7 and 4096 bytes; and it is percent-decoded as a path and as an argument.
 * Checks: a prefix is never DONE before the whole is (and then with the same head length); an
 * error is 400, 414, 431, 501 or 505 with a reason; a parsed head lies inside the input, its
 * fields too; every split of a chunked body gives the same bytes and the same verdict; decoding
 * never lengthens. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/wire.h"

static void check_str(wire_str s, const char *b, size_t len) {
  if (s.s && (s.s < b || s.s + s.len > b + len)) abort();
}

/* Decodes body in pieces of step bytes; out gets the data (at most cap). Returns the verdict. */
static wire_result dechunk(const char *body, size_t len, size_t step, char *out, size_t cap,
                           size_t *out_len, size_t *out_used) {
  wire_chunked d = {0};
  size_t pos = 0, o = 0;
  wire_result r = WIRE_PARTIAL;
  while (pos < len) {
    size_t end = pos + step < len ? pos + step : len;
    while (pos < end) {
      size_t used, off, n;
      r = wire_chunked_step(&d, body + pos, end - pos, &used, &off, &n);
      if (used > end - pos || (n && off + n > used)) abort();
      if (n) {
        size_t k = o + n <= cap ? n : cap - o;
        memcpy(out + o, body + pos + off, k);
        o += k;
      }
      pos += used;
      if (r != WIRE_PARTIAL) goto out;
      if (used == 0 && n == 0) abort(); /* no progress on available bytes */
    }
  }
out:
  *out_len = o;
  *out_used = pos;
  return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 64 * 1024) return 0;
  const char *b = (const char *)data;
  static const size_t bounds[][2] = {{64, 256}, {16 * 1024, 32 * 1024}};
  for (size_t k = 0; k < 2; k++) {
    wire_head h;
    int st = 0;
    const char *why = NULL;
    wire_result whole = wire_parse_head(b, size, bounds[k][0], bounds[k][1], &h, &st, &why);
    if (whole == WIRE_ERROR && (!why || (st != 400 && st != 414 && st != 431 && st != 501 && st != 505)))
      abort();
    size_t head_len = whole == WIRE_DONE ? h.head_len : 0;
    if (whole == WIRE_DONE) {
      if (h.head_len > size || h.target.len > bounds[k][0] || h.minor > 1) abort();
      check_str(h.method, b, size);
      check_str(h.target, b, size);
      for (int i = 0; i < WIRE_F_COUNT; i++) check_str(h.fields[i], b, size);
      size_t pos = 0;
      wire_str n, v;
      int fields = 0;
      while (wire_field_next(b, h.head_len, &pos, &n, &v)) {
        check_str(n, b, h.head_len);
        check_str(v, b, h.head_len);
        if (++fields > 65536) abort();
      }
    }
    /* prefixes: never done before the whole head is there */
    for (size_t cut = size > 512 ? size - 512 : 0; cut < size; cut++) {
      wire_head p;
      wire_result r = wire_parse_head(b, cut, bounds[k][0], bounds[k][1], &p, &st, &why);
      if (r == WIRE_DONE && (whole != WIRE_DONE || p.head_len != head_len)) abort();
    }
    if (whole == WIRE_DONE && h.chunked) {
      const char *body = b + head_len;
      size_t blen = size - head_len;
      static char ref[64 * 1024], got[64 * 1024];
      size_t ref_len, ref_used, got_len, got_used;
      wire_result rr = dechunk(body, blen, blen ? blen : 1, ref, sizeof ref, &ref_len, &ref_used);
      static const size_t steps[] = {1, 7, 4096};
      for (size_t i = 0; i < 3; i++) {
        wire_result gr = dechunk(body, blen, steps[i], got, sizeof got, &got_len, &got_used);
        if (gr != rr || got_len != ref_len || memcmp(got, ref, ref_len) != 0) abort();
        if (rr == WIRE_DONE && got_used != ref_used) abort();
      }
    }
  }
  char *out = malloc(size + 1);
  if (!out) return 0;
  bool nul = false;
  if (wire_pct_decode(out, b, size, false, &nul) > size) abort();
  memcpy(out, b, size);
  if (wire_pct_decode(out, out, size, true, &nul) > size) abort(); /* in place */
  free(out);
  return 0;
}
