/* changes.c — the tile addresses an update reaches (seed_changes_find) and, among them, those
 * whose tile did change (seed_changes_check). See changes.h for the rules and why. */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "archive/pmtiles.h"
#include "gen/gen.h"
#include "gen/pyramid.h"
#include "seed/changes.h"
#include "tiles/tiles.h"
#include "versions/versions.h"

/* What a change box is marked with at each zoom. */
typedef struct marker {
  const seed_range *range;
  seed_changes *out;
  bool points;       /* a point layer: boxes grow to the cluster cells they fall in */
  const layer_info *layer; /* the newer version (the rules below are the same for both) */
} marker;

/* Whether a line or polygon of box w (world units, y down) can be in a vector tile of zoom z:
 * the layer is shown there, and where it drops features smaller than a pixel on both axes
 * (gen.h: judged on each feature's own box, its neighbours aside), this one is not that small.
 * A tile where neither version of a feature can be does not change by it: the demo's park moved
 * 300 m is under a pixel up to z10, 11 of its 19 candidates. The margin keeps a box within 1 %
 * of a pixel a candidate, whatever the last bits of the rule's own arithmetic (tile units from
 * the geometry's box, or a ranked copy's, never larger). Points (clusters) are always candidates. */
static bool may_show(const marker *m, unsigned z, const double w[4]) {
  if (m->points) return true;
  if (!gen_shown(m->layer, z)) return false;
  if (!gen_drops_small(m->layer, z)) return true;
  /* the rule itself (gen_below_pixel), with a pixel 1 % smaller: world units of a 256-px tile */
  double pixel = 0.99 / (ldexp(1.0, (int)z) * GEN_TILE_PX);
  return !gen_below_pixel(&(geom_bbox){w[0], w[1], w[2], w[3]}, pixel);
}

/* Marks the addresses of zoom z whose area grown by pad tiles meets box (world coordinates,
 * y down); false when the set is full. */
static bool mark_zoom(seed_tileset *set, const seed_range *r, unsigned z, const double w[4],
                      double pad, bool snap) {
  double n = ldexp(1.0, (int)z);
  double x0 = w[0] * n, y0 = w[1] * n, x1 = w[2] * n, y1 = w[3] * n;
  if (snap) { /* out to the cells of the cluster grid (gen.h): a cluster is anywhere in its cell */
    double c = GEN_PYRAMID_CELLS;
    x0 = floor(x0 * c) / c, y0 = floor(y0 * c) / c;
    x1 = (floor(x1 * c) + 1) / c, y1 = (floor(y1 * c) + 1) / c;
  }
  double lo_x = ceil(x0 - pad - 1), hi_x = floor(x1 + pad);
  double lo_y = ceil(y0 - pad - 1), hi_y = floor(y1 + pad);
  if (lo_x < r->x0[z]) lo_x = r->x0[z];
  if (hi_x > r->x1[z]) hi_x = r->x1[z];
  if (lo_y < r->y0[z]) lo_y = r->y0[z];
  if (hi_y > r->y1[z]) hi_y = r->y1[z];
  if (lo_x > hi_x || lo_y > hi_y) return true;
  if ((hi_x - lo_x + 1) * (hi_y - lo_y + 1) > SEED_CHANGES_MAX_TILES) return false;
  for (double x = lo_x; x <= hi_x; x++)
    for (double y = lo_y; y <= hi_y; y++) {
      uint64_t id;
      if (pmtiles_zxy_to_id(z, (uint32_t)x, (uint32_t)y, &id) && !seed_tileset_add(set, id))
        return false;
    }
  return true;
}

static int on_change(void *ctx, const versions_change *c) {
  marker *m = ctx;
  m->out->n_features++;
  if (!c->has_bbox || (m->out->all && m->out->images_all)) return 0;
  map_pt lo = geom_lonlat_to_world((map_pt){c->bbox[0], c->bbox[3]});
  map_pt hi = geom_lonlat_to_world((map_pt){c->bbox[2], c->bbox[1]});
  double w[4] = {lo.x, lo.y, hi.x, hi.y};
  const double vec_pad = (double)TILES_BUFFER / TILES_EXTENT;
  const double img_pad = (double)SEED_IMAGE_MARGIN_PX / GEN_TILE_PX;
  for (int z = m->range->minzoom; z <= m->range->maxzoom; z++) {
    if (!m->out->all && may_show(m, (unsigned)z, w) &&
        !mark_zoom(m->out->tiles, m->range, (unsigned)z, w, vec_pad, m->points))
      m->out->all = true;
    if (!m->out->images_all &&
        !mark_zoom(m->out->images, m->range, (unsigned)z, w, img_pad, m->points))
      m->out->images_all = true;
  }
  return 0;
}

static void mark_box(marker *m, const double *bbox) {
  versions_change c = {.has_bbox = true};
  memcpy(c.bbox, bbox, sizeof c.bbox);
  on_change(m, &c);
}

/* The feature ids. A tile carries each feature's id (fid), and an import numbers features in the
 * source's order, so removing one record renumbers every later one: their tiles change though
 * the diff, which matches features by their id field or content, sees them unchanged. So both
 * versions are also walked by fid, and wherever a fid names another geometry or other values, or
 * exists on one side only, both boxes are marked. */
static err_code walk_ids(store_reader *r, const layer_info *from, const layer_info *to, marker *m,
                         err *e) {
  const char *names[256];
  size_t n = to->n_fields < 256 ? to->n_fields : 256;
  for (size_t i = 0; i < n; i++) names[i] = to->fields[i].name;
  store_diff_spec sf = {from->table_name, NULL, names, n, true, .fid_order = true},
                  st = {to->table_name, NULL, names, n, true, .fid_order = true};
  store_diff_cursor *cf = NULL, *ct = NULL;
  err_code rc = store_diff_open(r, &sf, &cf, e);
  if (rc == ERR_OK) rc = store_diff_open(r, &st, &ct, e);
  store_diff_row x, y;
  int hx = rc == ERR_OK ? store_diff_next(cf, &x, e) : -1;
  int hy = hx < 0 ? -1 : store_diff_next(ct, &y, e);
  while (hx >= 0 && hy >= 0 && (hx > 0 || hy > 0) && !m->out->all) {
    int c = hx == 0 ? 1 : hy == 0 ? -1 : (x.fid > y.fid) - (x.fid < y.fid);
    if (c <= 0 && (c < 0 || x.content_hash != y.content_hash) && x.has_bbox) mark_box(m, x.bbox);
    if (c >= 0 && (c > 0 || x.content_hash != y.content_hash) && y.has_bbox) mark_box(m, y.bbox);
    if (c <= 0) hx = store_diff_next(cf, &x, e);
    if (c >= 0 && hx >= 0) hy = store_diff_next(ct, &y, e);
  }
  if (rc == ERR_OK && (hx < 0 || hy < 0)) rc = e && e->code ? e->code : ERR_DB;
  store_diff_close(cf);
  store_diff_close(ct);
  return rc;
}

static bool same_json(const char *a, const char *b) {
  json_t *x = json_loads(a, 0, NULL), *y = json_loads(b, 0, NULL);
  bool same = x && y ? json_equal(x, y) : strcmp(a, b) == 0;
  json_decref(x);
  json_decref(y);
  return same;
}

/* Whether the two versions publish other fields, or the same in another order or of another
 * type (a tile writes its keys in the fields' order). */
static bool fields_differ(const layer_info *f, const layer_info *t) {
  if (f->n_fields != t->n_fields) return true;
  for (size_t i = 0; i < f->n_fields; i++)
    if (f->fields[i].type != t->fields[i].type || strcmp(f->fields[i].name, t->fields[i].name) != 0)
      return true;
  return false;
}

/* True when something of the layer as a whole changed, so that any tile may differ (d: the diff
 * of the two versions, or NULL when it was not run). */
static bool whole_layer_changed(const layer_info *f, const layer_info *t, const versions_diff *d) {
  if (d && (d->n_fields_added || d->n_fields_removed || d->n_fields_retyped)) return true;
  if (fields_differ(f, t)) return true; /* a reorder too, which the versions' diff ignores */
  if (f->minzoom != t->minzoom || f->maxzoom != t->maxzoom) return true;
  if (strcmp(f->geometry_type, t->geometry_type) != 0) return true;
  if (gen_cluster_below(f) != gen_cluster_below(t)) return true;
  return !same_json(f->privacy, t->privacy);
}

err_code seed_changes_find(store_reader *r, const layer_info *from, const layer_info *to,
                           const seed_range *range, seed_changes *out, err *e) {
  if (!out->tiles) out->tiles = seed_tileset_create(SEED_CHANGES_MAX_TILES);
  if (!out->images) out->images = seed_tileset_create(SEED_CHANGES_MAX_TILES);
  if (!out->tiles || !out->images) return err_set(e, ERR_NOMEM, "out of memory");
  if (from->version == to->version) return ERR_OK;
  arena *a = arena_create(16 << 20);
  if (!a) return err_set(e, ERR_NOMEM, "out of memory");
  marker m = {range, out,
              strcmp(to->geometry_type, "Point") == 0 || strcmp(from->geometry_type, "Point") == 0,
              to};
  /* The walk by fid alone finds every box a tile can change by: a tile is its features' ids,
   * geometries and values, so wherever no fid changed, no tile did. The diff by the source's id
   * (a second scan of both versions) is run only to count the features. */
  versions_diff d;
  err_code rc = out->count_features ? versions_diff_run(r, to->id, from->version, to->version, a,
                                                        on_change, &m, &d, e)
                                    : ERR_OK;
  if (rc == ERR_OK && whole_layer_changed(from, to, out->count_features ? &d : NULL))
    out->all = out->images_all = true;
  if (rc == ERR_OK && !out->all) {
    int64_t n = out->n_features;
    rc = walk_ids(r, from, to, &m, e);
    out->n_features = n;
  }
  arena_destroy(a);
  return rc;
}

void seed_changes_free(seed_changes *c) {
  seed_tileset_destroy(c->tiles);
  seed_tileset_destroy(c->images);
  c->tiles = c->images = NULL;
}

uint64_t seed_changes_n_candidates(const seed_changes *c, const seed_range *range) {
  return c->all ? seed_range_count(range) : seed_tileset_count(c->tiles);
}

/* One version's tile at an address, raw. */
typedef struct side {
  tile_params p;
  buf out;
} side;

static err_code build(store_reader *r, side *s, geom_tile_id t, err *e) {
  buf_reset(&s->out);
  s->p.tile = t;
  return tiles_build(r, &s->p, &s->out, NULL, e);
}

err_code seed_changes_check(store_reader *r, const layer_info *from, const layer_info *to,
                            const seed_range *range, const seed_changes *c, seed_tileset *changed,
                            err *e) {
  /* a registry each: the registry keeps one version per layer, and both are asked in turn */
  side s[2] = {{.p = {.extent = TILES_EXTENT, .buffer = TILES_BUFFER, .n_layers = 1}},
               {.p = {.extent = TILES_EXTENT, .buffer = TILES_BUFFER, .n_layers = 1}}};
  s[0].p.layers[0] = from;
  s[1].p.layers[0] = to;
  err_code rc = ERR_OK;
  for (int i = 0; i < 2; i++) {
    buf_init(&s[i].out, TILES_BYTE_LIMIT);
    s[i].p.pyramids = pyramid_registry_create();
    if (!s[i].p.pyramids) rc = err_set(e, ERR_NOMEM, "out of memory");
  }
  /* the candidates' own ids, sorted, unless every address is one */
  size_t n_ids = 0, k = 0;
  uint64_t *ids = c->all ? NULL : seed_tileset_sorted(c->tiles, &n_ids);
  if (!c->all && !ids) rc = err_set(e, ERR_NOMEM, "out of memory");
  seed_iter it;
  seed_iter_init(&it, range);
  unsigned z;
  uint32_t x, y;
  uint64_t id;
  while (rc == ERR_OK && (c->all ? seed_iter_next(&it, &z, &x, &y, &id)
                                 : k < n_ids && pmtiles_id_to_zxy(id = ids[k++], &z, &x, &y))) {
    geom_tile_id t = {z, x, y};
    if ((rc = build(r, &s[0], t, e)) != ERR_OK || (rc = build(r, &s[1], t, e)) != ERR_OK) break;
    if ((s[0].out.len != s[1].out.len ||
         (s[0].out.len && memcmp(s[0].out.data, s[1].out.data, s[0].out.len) != 0)) &&
        !seed_tileset_add(changed, id))
      rc = err_set(e, ERR_LIMIT, "too many changed tiles");
  }
  free(ids);
  for (int i = 0; i < 2; i++) {
    buf_free(&s[i].out);
    if (s[i].p.pyramids) pyramid_registry_destroy(s[i].p.pyramids);
  }
  return rc;
}
