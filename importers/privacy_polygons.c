/* privacy_polygons.c — the polygons of another layer (colonias, say) for aggregate:layer=ID: read
 * once from the database through the store's reader, then a point-in-polygon lookup per record.
 *
 * The lookup is the even-odd rule over every ring of a feature (exterior rings and holes, of every
 * member of a multipolygon), after a bounding-box test; a point on an edge may fall on either side,
 * which only moves it between two neighbouring polygons. Linear in the number of polygons: the
 * 662 colonias of León cost about a microsecond per record. A polygon's WKB is written on demand
 * for the one feature that publishes its count. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "geom/geom.h"
#include "importers/import_privacy_int.h"
#include "geom/wkb.h"

typedef struct polygon_entry {
  int64_t fid;
  geom g;
  double bbox[4];
} polygon_entry;

struct polygon_index {
  arena *a;
  polygon_entry *p;
  size_t n, cap;
  buf wkb;
};

static int by_fid(const void *a, const void *b) {
  int64_t x = ((const polygon_entry *)a)->fid, y = ((const polygon_entry *)b)->fid;
  return x < y ? -1 : x > y;
}

static err_code add_feature(polygon_index *ix, const store_feature *f, err *e) {
  geom g;
  if (geom_blob_decode(f->blob, f->blob_len, ix->a, &g, NULL, e) != ERR_OK) return e->code;
  geom_bbox b;
  if (g.type != GEOM_POLYGON || !geom_bbox_compute(&g, &b)) return ERR_OK; /* not a polygon */
  if (ix->n == ix->cap) {
    size_t cap = ix->cap ? ix->cap * 2 : 256;
    polygon_entry *p = realloc(ix->p, cap * sizeof *p);
    if (!p) return err_set(e, ERR_NOMEM, "sin memoria");
    ix->p = p;
    ix->cap = cap;
  }
  ix->p[ix->n++] = (polygon_entry){f->id, g, {b.min_x, b.min_y, b.max_x, b.max_y}};
  return ERR_OK;
}

static err_code read_layer(polygon_index *ix, store_reader *r, const char *layer_id, err *e) {
  const catalog *c = NULL;
  err_code rc = store_reader_catalog(r, &c, e);
  if (rc != ERR_OK) return rc;
  const layer_info *l = catalog_find(c, layer_id, strlen(layer_id));
  if (!l)
    return err_set(e, ERR_INVALID, "privacidad: layer=%s: no existe esa capa en la base de datos "
                   "(impórtela antes)", layer_id);
  if (strcmp(l->geometry_type, "Polygon") != 0)
    return err_set(e, ERR_INVALID, "privacidad: layer=%s: la capa no es de polígonos", layer_id);
  store_query q = {.layer = l, .with_geometry = true, .limit = -1, .after_id = INT64_MIN};
  store_iter *it = NULL;
  if ((rc = store_query_start(r, &q, &it, e)) != ERR_OK) return rc;
  store_feature f;
  int step;
  while (rc == ERR_OK && (step = store_iter_next(it, &f, e)) == 1) rc = add_feature(ix, &f, e);
  if (rc == ERR_OK && step < 0) rc = store_iter_error(it, e);
  store_iter_close(it);
  return rc;
}

err_code polygon_index_load(const char *db_path, const char *layer_id, polygon_index **out,
                            err *e) {
  *out = NULL;
  polygon_index *ix = calloc(1, sizeof *ix);
  if (!ix || !(ix->a = arena_create(0))) {
    free(ix);
    return err_set(e, ERR_NOMEM, "sin memoria");
  }
  buf_init(&ix->wkb, 0);
  store_reader *r = NULL;
  err_code rc = store_reader_open(db_path, &r, e);
  if (rc != ERR_OK)
    rc = err_set(e, ERR_INVALID, "privacidad: layer=%s necesita una base de datos que ya tenga "
                 "esa capa", layer_id);
  if (rc == ERR_OK) rc = read_layer(ix, r, layer_id, e);
  store_reader_close(r);
  if (rc == ERR_OK && ix->n == 0)
    rc = err_set(e, ERR_INVALID, "privacidad: layer=%s no tiene polígonos", layer_id);
  if (rc != ERR_OK) {
    polygon_index_free(ix);
    return rc;
  }
  qsort(ix->p, ix->n, sizeof *ix->p, by_fid);
  *out = ix;
  return ERR_OK;
}

void polygon_index_free(polygon_index *ix) {
  if (!ix) return;
  arena_destroy(ix->a);
  free(ix->p);
  buf_free(&ix->wkb);
  free(ix);
}

/* Even-odd over every ring of g. */
static bool inside(const geom *g, double x, double y) {
  bool in = false;
  for (uint32_t r = 0; r < g->n_parts; r++) {
    uint32_t end = g->part_end[r];
    for (uint32_t i = geom_part_start(g->part_end, r), j = end - 1; i < end; j = i++) {
      map_pt a = g->pts[i], b = g->pts[j];
      if ((a.y > y) != (b.y > y) && x < (b.x - a.x) * (y - a.y) / (b.y - a.y) + a.x) in = !in;
    }
  }
  return in;
}

bool polygon_index_find(polygon_index *ix, double lon, double lat, char *out_id) {
  for (size_t i = 0; ix && i < ix->n; i++) {
    const polygon_entry *p = &ix->p[i];
    if (lon < p->bbox[0] || lon > p->bbox[2] || lat < p->bbox[1] || lat > p->bbox[3]) continue;
    if (!inside(&p->g, lon, lat)) continue;
    snprintf(out_id, PRIVACY_CELL_ID_MAX, "%lld", (long long)p->fid);
    return true;
  }
  return false;
}

/* g as a little-endian MultiPolygon. */
static void multipolygon_wkb(const geom *g, buf *b) {
  buf_reset(b);
  geom_wkb_header(b, GEOM_WKB_MULTIPOLYGON);
  geom_wkb_u32(b, g->n_polys);
  for (uint32_t j = 0; j < g->n_polys; j++) {
    uint32_t first = j ? g->poly_end[j - 1] : 0;
    geom_wkb_header(b, GEOM_WKB_POLYGON);
    geom_wkb_u32(b, g->poly_end[j] - first);
    for (uint32_t r = first; r < g->poly_end[j]; r++) {
      uint32_t s = geom_part_start(g->part_end, r);
      geom_wkb_coords(b, &g->pts[s].x, g->part_end[r] - s);
    }
  }
}

bool polygon_index_get(polygon_index *ix, const char *id, const uint8_t **out_wkb,
                       size_t *out_len, int64_t *out_fid, double out_bbox[4]) {
  char *end = NULL;
  long long fid = strtoll(id, &end, 10);
  if (!ix || end == id || *end) return false;
  polygon_entry key = {.fid = fid};
  const polygon_entry *p = bsearch(&key, ix->p, ix->n, sizeof *ix->p, by_fid);
  if (!p) return false;
  buf *b = &ix->wkb; /* scratch: valid until the next call */
  multipolygon_wkb(&p->g, b);
  if (b->failed) return false;
  *out_wkb = b->data;
  *out_len = b->len;
  *out_fid = p->fid;
  memcpy(out_bbox, p->bbox, sizeof p->bbox);
  return true;
}
