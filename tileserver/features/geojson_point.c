/* geojson_point.c — one point feature written in one pass: the common case of a dense bbox page
 * and of a point layer's download. The general writer (geojson.c) calls the buffer for every
 * piece (about 30 appends a feature, each checking the bound and the failure flag) and escapes
 * each field's name again for every feature: 3,000 of the ~12,800 instructions a feature of a
 * dense z16 page cost (callgrind, 100 pages of 100 points). Here the names are escaped once a
 * page (features_cols_keys), the feature's largest possible size is reserved once, and the
 * bytes are written through a pointer. Numbers come from the same functions as the general
 * writer's (json.c) and strings are escaped by the same rule as buf_json_escape, so the output
 * is the same byte for byte (tests/unit/features/test_geojson_point.c compares both writers).
 * Anything else is left to the general writer. */
#include <stdint.h>
#include <string.h>

#include "features/features_int.h"

void features_cols_keys(features_cols *c, arena *a) {
  static const features_key NO_FIELDS[1]; /* a layer without fields has keys too: none */
  c->keys = c->n_fields ? NULL : NO_FIELDS;
  features_key *k = c->n_fields ? arena_calloc(a, c->n_fields, sizeof *k) : NULL;
  if (!k) return;
  buf b;
  buf_init(&b, 0);
  for (size_t i = 0; i < c->n_fields; i++) {
    buf_reset(&b);
    buf_json_str(&b, c->fields[i]);
    buf_putc(&b, ':');
    k[i].len = b.len;
    k[i].s = b.failed ? NULL : arena_strndup(a, (const char *)b.data, b.len);
    if (!k[i].s) {
      buf_free(&b);
      return;
    }
  }
  buf_free(&b);
  c->keys = k;
}

/* s escaped as buf_json_escape does it, into room for BUF_JSON_ESCAPE_MAX bytes a byte: runs
 * without a special byte are copied whole. */
static char *put_escaped(char *p, const char *s, size_t n) {
  size_t run = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (buf_json_plain(c)) continue;
    memcpy(p, s + run, i - run);
    p += i - run;
    run = i + 1;
    p += buf_json_escape_byte(c, p);
  }
  memcpy(p, s + run, n - run);
  return p + (n - run);
}

#define PUT_LIT(p, lit) (memcpy((p), (lit), sizeof(lit) - 1), (p) += sizeof(lit) - 1)

static char *put_value(char *p, const value *v) {
  switch (v->kind) {
    case VALUE_NULL: PUT_LIT(p, "null"); break;
    case VALUE_BOOL:
      if (v->i) PUT_LIT(p, "true");
      else PUT_LIT(p, "false");
      break;
    case VALUE_INT: p += features_int_text(p, v->i); break;
    case VALUE_REAL: p += features_real_text(p, v->d); break;
    case VALUE_TEXT:
      *p++ = '"';
      p = put_escaped(p, v->s, v->len);
      *p++ = '"';
      break;
  }
  return p;
}

/* The most bytes value v can take: BUF_JSON_ESCAPE_MAX a byte of text (\u00XX), a number's longest text. */
static size_t value_bound(const value *v) {
  if (v->kind != VALUE_TEXT) return FEATURES_NUM_MAX;
  return v->len > SIZE_MAX / 8 ? SIZE_MAX / 2 : BUF_JSON_ESCAPE_MAX * v->len + 2;
}

static const char HEAD[] = "{\"type\":\"Feature\",\"id\":";
static const char POINT[] = ",\"geometry\":{\"type\":\"Point\",\"coordinates\":[";
static const char PROPS[] = "]},\"properties\":{";

bool features_geojson_point_fast(buf *b, const features_cols *c, const store_feature *f,
                                 const geom *g) {
  if (!c->keys || c->distance || b->failed || g->type != GEOM_POINT || g->multi ||
      g->n_pts != 1 || f->n_values < c->n_fields)
    return false;
  double x = g->pts[0].x, y = g->pts[0].y;
  if (!features_coord_fixed(x) || !features_coord_fixed(y)) return false; /* NaN fails too */
  size_t need = sizeof HEAD + sizeof POINT + sizeof PROPS + 4 * FEATURES_NUM_MAX;
  for (size_t i = 0; i < c->n_fields && need < SIZE_MAX / 4; i++)
    need += c->keys[i].len + 1 + value_bound(&f->values[i]);
  /* Past the buffer's bound the general writer fills it up to the byte, as it always did. */
  if (need >= SIZE_MAX / 4 || b->len > b->limit || need > b->limit - b->len) return false;
  if (!buf_reserve(b, need)) return true; /* out of memory: failed, as the general writer */
  char *start = (char *)b->data + b->len, *p = start;
  PUT_LIT(p, HEAD);
  p += features_int_text(p, f->id);
  PUT_LIT(p, POINT);
  p += features_coord_text(p, x);
  *p++ = ',';
  p += features_coord_text(p, y);
  PUT_LIT(p, PROPS);
  for (size_t i = 0; i < c->n_fields; i++) {
    if (i) *p++ = ',';
    memcpy(p, c->keys[i].s, c->keys[i].len);
    p += c->keys[i].len;
    p = put_value(p, &f->values[i]);
  }
  *p++ = '}';
  b->len += (size_t)(p - start);
  return true;
}
