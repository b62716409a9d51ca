/* decode.c — reads a Mapbox Vector Tile (MVT 2.1) into arena structs: see decode.h.
 *
 * Written as if attacked: a reader never moves past its message, every count is bounded by the
 * bytes that remain before anything is allocated for it, and the nesting is fixed (tile → layer
 * → feature/value), so no input can make it recurse. A layer is read twice: once to count its
 * keys, values and features (the fields may come in any order, and tags index keys and values
 * that may come after the features), then to fill arrays of exactly those sizes. */
#include "mvt/decode.h"

#include <string.h>

/* Wire types (protobuf encoding): 3 and 4 are the deprecated groups, refused. */
enum { W_VARINT = 0, W_I64 = 1, W_LEN = 2, W_I32 = 5 };

/* MVT 2.1 field numbers (vector_tile.proto). */
enum { TILE_LAYERS = 3 };
enum { L_NAME = 1, L_FEATURES = 2, L_KEYS = 3, L_VALUES = 4, L_EXTENT = 5, L_VERSION = 15 };
enum { F_ID = 1, F_TAGS = 2, F_TYPE = 3, F_GEOMETRY = 4 };
enum { V_STRING = 1, V_FLOAT = 2, V_DOUBLE = 3, V_INT = 4, V_UINT = 5, V_SINT = 6, V_BOOL = 7 };
/* Geometry commands (§4.3.1). */
enum { CMD_MOVE_TO = 1, CMD_LINE_TO = 2, CMD_CLOSE_PATH = 7 };

typedef struct rd {
  const uint8_t *p;
  size_t n, pos;
  size_t base; /* offset of p[0] in the tile, for messages */
} rd;

typedef struct field {
  uint32_t num;
  int wire;
  uint64_t v;       /* varint, fixed32 or fixed64 bits */
  const uint8_t *s; /* W_LEN: the bytes */
  size_t len;
  size_t at;        /* offset of the field's tag in the tile */
} field;

static rd sub(const rd *r, const field *f) {
  return (rd){f->s, f->len, 0, r->base + (size_t)(f->s - r->p)};
}

static bool varint(rd *r, uint64_t *out) {
  uint64_t v = 0;
  for (unsigned i = 0; i < 10; i++) {
    if (r->pos >= r->n) return false;
    uint8_t b = r->p[r->pos++];
    if (i == 9 && b > 1) return false; /* past 64 bits */
    v |= (uint64_t)(b & 0x7f) << (7 * i);
    if (!(b & 0x80)) {
      *out = v;
      return true;
    }
  }
  return false;
}

static uint64_t le_bytes(const uint8_t *p, unsigned n) {
  uint64_t v = 0;
  for (unsigned i = 0; i < n; i++) v |= (uint64_t)p[i] << (8 * i);
  return v;
}

/* The next field of r: 1, 0 at the end of the message, -1 on a fault (e set). */
static int next_field(rd *r, field *f, err *e) {
  if (r->pos >= r->n) return 0;
  f->at = r->base + r->pos;
  uint64_t tag;
  if (!varint(r, &tag)) return err_set(e, ERR_INVALID, "byte %zu: truncated field tag", f->at), -1;
  if (tag >> 3 == 0 || tag >> 3 > UINT32_MAX)
    return err_set(e, ERR_INVALID, "byte %zu: field number out of range", f->at), -1;
  f->num = (uint32_t)(tag >> 3);
  f->wire = (int)(tag & 7);
  f->s = NULL;
  f->len = 0;
  f->v = 0;
  switch (f->wire) {
    case W_VARINT:
      if (!varint(r, &f->v))
        return err_set(e, ERR_INVALID, "byte %zu: truncated varint", f->at), -1;
      return 1;
    case W_I64:
    case W_I32: {
      unsigned k = f->wire == W_I64 ? 8 : 4;
      if (r->n - r->pos < k)
        return err_set(e, ERR_INVALID, "byte %zu: truncated fixed-size field", f->at), -1;
      f->v = le_bytes(r->p + r->pos, k);
      r->pos += k;
      return 1;
    }
    case W_LEN: {
      uint64_t len;
      if (!varint(r, &len))
        return err_set(e, ERR_INVALID, "byte %zu: truncated length", f->at), -1;
      if (len > r->n - r->pos)
        return err_set(e, ERR_INVALID, "byte %zu: a length of %llu passes the end of its message",
                       f->at, (unsigned long long)len), -1;
      f->s = r->p + r->pos;
      f->len = (size_t)len;
      r->pos += (size_t)len;
      return 1;
    }
    default:
      return err_set(e, ERR_INVALID, "byte %zu: wire type %d is not used by vector tiles", f->at,
                     f->wire), -1;
  }
}

static err_code want_wire(const field *f, int wire, const char *what, err *e) {
  if (f->wire == wire) return ERR_OK;
  return err_set(e, ERR_INVALID, "byte %zu: %s has wire type %d, not %d", f->at, what, f->wire,
                 wire);
}

/* A packed repeated uint32 field: its count, then its numbers into out (arena). */
static err_code packed_u32(const rd *parent, const field *f, arena *a, uint32_t **out,
                           uint32_t *out_n, err *e) {
  rd r = sub(parent, f);
  size_t n = 0;
  for (size_t i = 0; i < r.n; i++) n += !(r.p[i] & 0x80);
  uint32_t *v = arena_alloc(a, (n ? n : 1) * sizeof *v);
  if (!v) return err_set(e, ERR_NOMEM, "out of memory for a vector tile");
  size_t k = 0;
  while (r.pos < r.n) {
    uint64_t x;
    if (!varint(&r, &x) || x > UINT32_MAX || k == n)
      return err_set(e, ERR_INVALID, "byte %zu: a packed uint32 out of range or truncated",
                     r.base + r.pos);
    v[k++] = (uint32_t)x;
  }
  *out = v;
  *out_n = (uint32_t)k;
  return ERR_OK;
}

static err_code decode_value(const rd *layer, const field *f, arena *a, value *out, err *e) {
  rd r = sub(layer, f);
  field g;
  int st;
  *out = (value){.kind = VALUE_NULL};
  while ((st = next_field(&r, &g, e)) == 1) {
    switch (g.num) {
      case V_STRING: {
        if (want_wire(&g, W_LEN, "a string value", e) != ERR_OK) return ERR_INVALID;
        char *s = arena_alloc(a, g.len + 1);
        if (!s) return err_set(e, ERR_NOMEM, "out of memory for a vector tile");
        memcpy(s, g.s, g.len);
        s[g.len] = '\0';
        *out = (value){.kind = VALUE_TEXT, .s = s, .len = g.len};
        break;
      }
      case V_FLOAT: {
        if (want_wire(&g, W_I32, "a float value", e) != ERR_OK) return ERR_INVALID;
        uint32_t bits = (uint32_t)g.v;
        float x;
        memcpy(&x, &bits, sizeof x);
        *out = (value){.kind = VALUE_REAL, .d = x};
        break;
      }
      case V_DOUBLE: {
        if (want_wire(&g, W_I64, "a double value", e) != ERR_OK) return ERR_INVALID;
        double x;
        memcpy(&x, &g.v, sizeof x);
        *out = (value){.kind = VALUE_REAL, .d = x};
        break;
      }
      case V_INT:
      case V_UINT:
      case V_SINT:
      case V_BOOL:
        if (want_wire(&g, W_VARINT, "an integer value", e) != ERR_OK) return ERR_INVALID;
        if (g.num == V_INT) *out = (value){.kind = VALUE_INT, .i = (int64_t)g.v};
        else if (g.num == V_SINT)
          *out = (value){.kind = VALUE_INT, .i = (int64_t)(g.v >> 1) ^ -(int64_t)(g.v & 1)};
        else if (g.num == V_BOOL) *out = (value){.kind = VALUE_BOOL, .i = g.v != 0};
        else if (g.v <= INT64_MAX) *out = (value){.kind = VALUE_INT, .i = (int64_t)g.v};
        else *out = (value){.kind = VALUE_REAL, .d = (double)g.v};
        break;
      default: break; /* an unknown field, skipped */
    }
  }
  return st < 0 ? ERR_INVALID : ERR_OK;
}

/* ---- geometry (§4.3) ---------------------------------------------------------------------- */

typedef struct gstate {
  geom *g;
  int64_t x, y;      /* the cursor */
  uint32_t open;     /* points in the open part (lines, rings) */
  size_t at;         /* the geometry field's offset, for messages */
} gstate;

static err_code step(gstate *s, uint32_t dx, uint32_t dy, err *e) {
  s->x += (int64_t)(dx >> 1) ^ -(int64_t)(dx & 1);
  s->y += (int64_t)(dy >> 1) ^ -(int64_t)(dy & 1);
  if (s->x > MVT_DECODE_MAX_COORD || s->x < -MVT_DECODE_MAX_COORD ||
      s->y > MVT_DECODE_MAX_COORD || s->y < -MVT_DECODE_MAX_COORD)
    return err_set(e, ERR_INVALID, "byte %zu: a geometry's cursor leaves ±%d", s->at,
                   MVT_DECODE_MAX_COORD);
  s->g->pts[s->g->n_pts++] = (map_pt){(double)s->x, (double)s->y};
  s->open++;
  return ERR_OK;
}

/* Ends the open part of a line (>= 2 points) or a ring (>= 3, then closed). */
static err_code end_part(gstate *s, bool ring, err *e) {
  geom *g = s->g;
  if (s->open == 0) return ERR_OK;
  if (ring) {
    if (s->open < 3)
      return err_set(e, ERR_INVALID, "byte %zu: a ring of %u points", s->at, s->open);
    g->pts[g->n_pts] = g->pts[g->n_pts - s->open];
    g->n_pts++;
  } else if (s->open < 2) {
    return err_set(e, ERR_INVALID, "byte %zu: a line of one point", s->at);
  }
  g->part_end[g->n_parts++] = g->n_pts;
  s->open = 0;
  return ERR_OK;
}

static err_code run_commands(gstate *s, const uint32_t *c, uint32_t n, geom_type type, err *e) {
  bool point = type == GEOM_POINT, poly = type == GEOM_POLYGON;
  for (uint32_t i = 0; i < n;) {
    uint32_t id = c[i] & 7, count = c[i] >> 3;
    i++;
    if (id == CMD_CLOSE_PATH) {
      if (!poly || count != 1 || s->open == 0)
        return err_set(e, ERR_INVALID, "byte %zu: a ClosePath out of place", s->at);
      if (end_part(s, true, e) != ERR_OK) return ERR_INVALID;
      continue;
    }
    if (id != CMD_MOVE_TO && id != CMD_LINE_TO)
      return err_set(e, ERR_INVALID, "byte %zu: unknown geometry command %u", s->at, id);
    if (count == 0 || count > (n - i) / 2)
      return err_set(e, ERR_INVALID, "byte %zu: a command count of %u for %u parameters left",
                     s->at, count, n - i);
    if (id == CMD_MOVE_TO) {
      if (!point && count != 1)
        return err_set(e, ERR_INVALID, "byte %zu: a MoveTo of %u points in a line or polygon",
                       s->at, count);
      if (poly && s->open)
        return err_set(e, ERR_INVALID, "byte %zu: a ring not closed by ClosePath", s->at);
      if (!point && end_part(s, false, e) != ERR_OK) return ERR_INVALID;
    } else if (point || s->open == 0) {
      return err_set(e, ERR_INVALID, "byte %zu: a LineTo %s", s->at,
                     point ? "in a point geometry" : "before any MoveTo");
    }
    for (uint32_t k = 0; k < count; k++, i += 2)
      if (step(s, c[i], c[i + 1], e) != ERR_OK) return ERR_INVALID;
  }
  if (poly && s->open) return err_set(e, ERR_INVALID, "byte %zu: a ring not closed", s->at);
  if (point) {
    if (s->open) s->g->part_end[s->g->n_parts++] = s->g->n_pts;
    return ERR_OK;
  }
  return end_part(s, false, e);
}

/* Twice the signed area of ring [start, end) (closed), in tile units: positive for the
 * exterior rings of §4.3.4.4 (clockwise on screen, y down). */
static double ring_area2(const map_pt *p, uint32_t start, uint32_t end) {
  double s = 0;
  for (uint32_t i = start; i + 1 < end; i++) s += p[i].x * p[i + 1].y - p[i + 1].x * p[i].y;
  return s;
}

/* Drops rings of zero area and groups the others into polygons, in place. */
static err_code classify_rings(geom *g, arena *a, err *e) {
  g->poly_end = arena_alloc(a, (g->n_parts ? g->n_parts : 1) * sizeof *g->poly_end);
  if (!g->poly_end) return err_set(e, ERR_NOMEM, "out of memory for a vector tile");
  uint32_t w_pts = 0, w_parts = 0, start = 0;
  int outer_sign = 0;
  g->n_polys = 0;
  for (uint32_t r = 0; r < g->n_parts; r++) {
    uint32_t end = g->part_end[r];
    double area = ring_area2(g->pts, start, end);
    if (area != 0) {
      int sign = area > 0 ? 1 : -1;
      if (outer_sign == 0) outer_sign = sign;
      if (sign == outer_sign) {
        if (g->n_polys) g->poly_end[g->n_polys - 1] = w_parts;
        g->n_polys++;
      }
      memmove(&g->pts[w_pts], &g->pts[start], (end - start) * sizeof *g->pts);
      w_pts += end - start;
      g->part_end[w_parts++] = w_pts;
    }
    start = end;
  }
  if (g->n_polys) g->poly_end[g->n_polys - 1] = w_parts;
  g->n_pts = w_pts;
  g->n_parts = w_parts;
  return ERR_OK;
}

static err_code decode_geometry(const uint32_t *c, uint32_t n, geom_type type, size_t at,
                                arena *a, geom *out, err *e) {
  /* every point takes 2 parameters and a ring's closing point a ClosePath, so n bounds both */
  *out = (geom){.type = type};
  out->pts = arena_alloc(a, ((size_t)n + 1) * sizeof *out->pts);
  out->part_end = arena_alloc(a, ((size_t)n + 1) * sizeof *out->part_end);
  if (!out->pts || !out->part_end) return err_set(e, ERR_NOMEM, "out of memory for a vector tile");
  gstate s = {.g = out, .at = at};
  if (run_commands(&s, c, n, type, e) != ERR_OK) return ERR_INVALID;
  out->multi = type == GEOM_POINT ? out->n_pts > 1 : out->n_parts > 1;
  if (type == GEOM_POLYGON) return classify_rings(out, a, e);
  return ERR_OK;
}

/* ---- features and layers (§4.1, §4.2) ---------------------------------------------------- */

/* Decodes feature f of layer r; *out_kept false when it is skipped (UNKNOWN, empty). */
static err_code decode_feature(const rd *layer, const field *f, const mvt_decoded_layer *l,
                               arena *a, mvt_decoded_feature *out, bool *out_kept, err *e) {
  rd r = sub(layer, f);
  field g;
  int st;
  uint32_t *cmds = NULL, n_cmds = 0, *tags = NULL, n_tags = 0;
  uint64_t type = 0;
  size_t geom_at = f->at;
  *out = (mvt_decoded_feature){0};
  *out_kept = false;
  while ((st = next_field(&r, &g, e)) == 1) {
    err_code rc = ERR_OK;
    switch (g.num) {
      case F_ID:
        rc = want_wire(&g, W_VARINT, "Feature.id", e);
        out->has_id = true;
        out->id = g.v;
        break;
      case F_TYPE:
        rc = want_wire(&g, W_VARINT, "Feature.type", e);
        type = g.v;
        break;
      case F_TAGS:
        rc = want_wire(&g, W_LEN, "Feature.tags", e);
        if (rc == ERR_OK) rc = packed_u32(&r, &g, a, &tags, &n_tags, e);
        break;
      case F_GEOMETRY:
        rc = want_wire(&g, W_LEN, "Feature.geometry", e);
        geom_at = g.at;
        if (rc == ERR_OK) rc = packed_u32(&r, &g, a, &cmds, &n_cmds, e);
        break;
      default: break;
    }
    if (rc != ERR_OK) return rc;
  }
  if (st < 0) return ERR_INVALID;
  if (n_tags % 2)
    return err_set(e, ERR_INVALID, "byte %zu: a feature with an odd number of tags", f->at);
  for (uint32_t i = 0; i < n_tags; i += 2)
    if (tags[i] >= l->n_keys || tags[i + 1] >= l->n_values)
      return err_set(e, ERR_INVALID, "byte %zu: a tag indexes key %u of %u or value %u of %u",
                     f->at, tags[i], l->n_keys, tags[i + 1], l->n_values);
  if (type < GEOM_POINT || type > GEOM_POLYGON || n_cmds == 0) return ERR_OK;
  err_code rc = decode_geometry(cmds, n_cmds, (geom_type)type, geom_at, a, &out->g, e);
  if (rc != ERR_OK) return rc;
  out->tags = tags;
  out->n_tags = n_tags;
  *out_kept = out->g.n_pts > 0;
  return ERR_OK;
}

/* First pass over a layer: its scalars and how many keys, values and features it has. */
static err_code scan_layer(const rd *tile, const field *lf, arena *a, mvt_decoded_layer *l,
                           err *e) {
  rd r = sub(tile, lf);
  field g;
  int st;
  uint64_t version = 1, extent = 4096;
  bool named = false;
  while ((st = next_field(&r, &g, e)) == 1) {
    err_code rc = ERR_OK;
    switch (g.num) {
      case L_NAME:
        rc = want_wire(&g, W_LEN, "Layer.name", e);
        l->name = rc == ERR_OK ? arena_strndup(a, (const char *)g.s, g.len) : NULL;
        if (rc == ERR_OK && !l->name) rc = err_set(e, ERR_NOMEM, "out of memory");
        named = true;
        break;
      case L_VERSION:
        rc = want_wire(&g, W_VARINT, "Layer.version", e);
        version = g.v;
        break;
      case L_EXTENT:
        rc = want_wire(&g, W_VARINT, "Layer.extent", e);
        extent = g.v;
        break;
      case L_KEYS: rc = want_wire(&g, W_LEN, "Layer.keys", e); l->n_keys++; break;
      case L_VALUES: rc = want_wire(&g, W_LEN, "Layer.values", e); l->n_values++; break;
      case L_FEATURES: rc = want_wire(&g, W_LEN, "Layer.features", e); l->n_features++; break;
      default: break;
    }
    if (rc != ERR_OK) return rc;
  }
  if (st < 0) return ERR_INVALID;
  if (!named) return err_set(e, ERR_INVALID, "byte %zu: a layer without a name", lf->at);
  if (version < 1 || version > 2)
    return err_set(e, ERR_INVALID, "byte %zu: layer version %llu", lf->at,
                   (unsigned long long)version);
  if (extent == 0 || extent > MVT_DECODE_MAX_EXTENT)
    return err_set(e, ERR_INVALID, "byte %zu: layer extent %llu", lf->at,
                   (unsigned long long)extent);
  if (l->n_keys > MVT_DECODE_MAX_KEYS || l->n_values > MVT_DECODE_MAX_KEYS ||
      l->n_features > MVT_DECODE_MAX_FEATURES)
    return err_set(e, ERR_LIMIT, "byte %zu: a layer of %u keys, %u values, %u features",
                   lf->at, l->n_keys, l->n_values, l->n_features);
  l->version = (uint32_t)version;
  l->extent = (uint32_t)extent;
  return ERR_OK;
}

static err_code decode_layer(const rd *tile, const field *lf, arena *a, mvt_decoded_layer *l,
                             err *e) {
  *l = (mvt_decoded_layer){0};
  err_code rc = scan_layer(tile, lf, a, l, e);
  if (rc != ERR_OK) return rc;
  char **keys = arena_alloc(a, (l->n_keys ? l->n_keys : 1) * sizeof *keys);
  value *values = arena_alloc(a, (l->n_values ? l->n_values : 1) * sizeof *values);
  l->features = arena_alloc(a, (l->n_features ? l->n_features : 1) * sizeof *l->features);
  if (!keys || !values || !l->features)
    return err_set(e, ERR_NOMEM, "out of memory for a vector tile");
  uint32_t nk = 0, nv = 0, nf = 0;
  rd r = sub(tile, lf);
  field g;
  /* keys and values first: features may precede them in the message */
  while (next_field(&r, &g, e) == 1) {
    if (g.num == L_KEYS && !(keys[nk++] = arena_strndup(a, (const char *)g.s, g.len)))
      return err_set(e, ERR_NOMEM, "out of memory for a vector tile");
    if (g.num == L_VALUES && (rc = decode_value(&r, &g, a, &values[nv++], e)) != ERR_OK)
      return rc;
  }
  l->keys = (const char *const *)keys;
  l->values = values;
  r.pos = 0;
  while (next_field(&r, &g, e) == 1) {
    if (g.num != L_FEATURES) continue;
    bool kept;
    rc = decode_feature(&r, &g, l, a, &l->features[nf], &kept, e);
    if (rc != ERR_OK) return rc;
    nf += kept;
  }
  l->n_features = nf;
  return ERR_OK;
}

err_code mvt_tile_decode(const uint8_t *data, size_t len, arena *a, mvt_decoded_tile *out,
                         err *e) {
  *out = (mvt_decoded_tile){0};
  if (len > MVT_DECODE_MAX_BYTES)
    return err_set(e, ERR_LIMIT, "a vector tile of %zu bytes (at most %d)", len,
                   MVT_DECODE_MAX_BYTES);
  rd r = {data, data ? len : 0, 0, 0};
  field f;
  int st;
  uint32_t n = 0;
  while ((st = next_field(&r, &f, e)) == 1) {
    if (f.num != TILE_LAYERS) continue;
    if (want_wire(&f, W_LEN, "Tile.layers", e) != ERR_OK) return ERR_INVALID;
    if (++n > MVT_DECODE_MAX_LAYERS)
      return err_set(e, ERR_LIMIT, "a vector tile of more than %d layers", MVT_DECODE_MAX_LAYERS);
  }
  if (st < 0) return ERR_INVALID;
  mvt_decoded_layer *layers = arena_alloc(a, (n ? n : 1) * sizeof *layers);
  if (!layers) return err_set(e, ERR_NOMEM, "out of memory for a vector tile");
  r.pos = 0;
  uint32_t k = 0;
  while (next_field(&r, &f, e) == 1) {
    if (f.num != TILE_LAYERS) continue;
    err_code rc = decode_layer(&r, &f, a, &layers[k++], e);
    if (rc != ERR_OK) return rc;
  }
  if (arena_failed(a))
    return err_set(e, arena_over_cap(a) ? ERR_LIMIT : ERR_NOMEM,
                   "out of memory for a vector tile");
  out->layers = layers;
  out->n_layers = n;
  return ERR_OK;
}

const mvt_decoded_layer *mvt_decoded_find(const mvt_decoded_tile *t, const char *name) {
  for (uint32_t i = 0; i < t->n_layers; i++)
    if (strcmp(t->layers[i].name, name) == 0) return &t->layers[i];
  return NULL;
}
