/* Unit tests of gen/ on databases made only from third-party files (tests/data, see their
 * SOURCE.md), each result checked against a reference the test computes itself from the source
 * file, with its own Web Mercator formulas:
 *   - the features of a map (gen_features_each): Natural Earth's countries over the whole world
 *     at z0..z5 are exactly those whose envelope (read by GDAL/OGR from the shapefile) spans a
 *     pixel of the zoom on one axis, below the layer's maxzoom; each comes in EPSG:3857 with the
 *     envelope OGR gives;
 *   - clusters (gen_clusters_in_box): 2,000 CDMX crime events (44 without coordinates) binned on
 *     the 16-px grid of z10..z14 from the CSV's own columns: the same cells, counts and means;
 *   - by id (gen_query.only): exactly the ids asked for that the box holds;
 *   - an aggregate layer (2,153 located crimes of tests/data/cdmx-ssp on a 500 m grid, k=2) keeps
 *     every published cell at every zoom from its minzoom, where each is under a pixel: the same
 *     cells as a layer without the flag loses all of them there. */
#include <gdal.h>
#include <math.h>
#include <ogr_api.h>

#include "check.h"
#include "gen/gen.h"
#include "importers/import.h"

static char DB[256];
static char data_dir[1024];

#define PI 3.14159265358979323846
#define HALF (PI * 6378137.0)

static const char *data(const char *rel) {
  static char path[2048];
  snprintf(path, sizeof path, "%s/%s", data_dir, rel);
  return path;
}

static void import_with(const char *path, const char *id, const char *lat, const char *lon,
                        const char *privacy) {
  import_options o = {.path = path, .db_path = DB, .layer_id = id, .privacy = privacy,
                      .lat_col = lat, .lon_col = lon};
  import_result r;
  err e;
  if (import_run(&o, &r, &e) != ERR_OK) fail_msg("%s: %s", path, e.msg);
  import_result_free(&r);
}

static void import(const char *path, const char *id, const char *lat, const char *lon) {
  import_with(path, id, lat, lon, "none");
}

static int setup(void **state) {
  const char *d = getenv("TESELAS_TEST_DATA");
  if (!d) return -1;
  snprintf(data_dir, sizeof data_dir, "%s", d);
  check_tmp_path("third-party.db", DB, sizeof DB);
  import(data("naturalearth/naturalearth_lowres.shp"), "paises", NULL, NULL);
  import(data("cdmx-ssp/crime-lat-long-2000.csv"), "delitos", "lat", "long");
  import_with(data("cdmx-ssp/crime-lat-long-2200.csv"), "celdas", "lat", "long",
              "aggregate:grid=500,k=2");
  return 0;
}

/* The reference projection, written apart from geom/tilemath.c. */
static double merc_x(double lon) { return lon * HALF / 180.0; }
static double merc_y(double lat) {
  lat = fmax(-85.0511287798066, fmin(85.0511287798066, lat));
  return 6378137.0 * log(tan(PI / 4 + lat * PI / 360.0));
}

static const layer_info *layer(store_reader *r, const char *id) {
  const catalog *cat = NULL;
  err e;
  assert_int_equal(store_reader_catalog(r, &cat, &e), ERR_OK);
  const layer_info *l = catalog_find(cat, id, strlen(id));
  assert_non_null(l);
  return l;
}

static int field_index(const layer_info *l, const char *name) {
  for (size_t i = 0; i < l->n_fields; i++)
    if (strcmp(l->fields[i].name, name) == 0) return (int)i;
  fail_msg("no field %s", name);
  return -1;
}

/* ---- the features of a map ------------------------------------------------------------------ */

enum { MAX_COUNTRIES = 256 };

typedef struct country {
  char name[64];
  double x0, y0, x1, y1; /* envelope in EPSG:3857 */
  int seen;
} country;

static size_t read_countries(country *out) {
  OGRRegisterAll();
  OGRDataSourceH ds = OGROpen(data("naturalearth/naturalearth_lowres.shp"), 0, NULL);
  assert_non_null(ds);
  OGRLayerH ly = OGR_DS_GetLayer(ds, 0);
  OGRFeatureH f;
  size_t n = 0;
  while ((f = OGR_L_GetNextFeature(ly)) != NULL && n < MAX_COUNTRIES) {
    OGRGeometryH g = OGR_F_GetGeometryRef(f);
    if (g && !OGR_G_IsEmpty(g)) {
      OGREnvelope env;
      OGR_G_GetEnvelope(g, &env);
      country *c = &out[n++];
      *c = (country){.x0 = merc_x(env.MinX), .y0 = merc_y(env.MinY), .x1 = merc_x(env.MaxX),
                     .y1 = merc_y(env.MaxY)};
      snprintf(c->name, sizeof c->name, "%s",
               OGR_F_GetFieldAsString(f, OGR_F_GetFieldIndex(f, "name")));
    }
    OGR_F_Destroy(f);
  }
  OGR_DS_Destroy(ds);
  return n;
}

typedef struct seen_ctx {
  country *cs;
  size_t n_cs;
  int name_field;
  size_t n_got;
} seen_ctx;

static err_code see(void *ctx, const gen_feature *f, err *e) {
  seen_ctx *s = ctx;
  s->n_got++;
  const value *v = &f->values[s->name_field];
  assert_int_equal(v->kind, VALUE_TEXT);
  geom_bbox b;
  assert_true(geom_bbox_compute(&f->g, &b));
  for (size_t i = 0; i < s->n_cs; i++) {
    country *c = &s->cs[i];
    if (strlen(c->name) != v->len || memcmp(c->name, v->s, v->len) != 0) continue;
    c->seen++;
    /* the stored geometry is the source's (repaired where invalid): the same envelope, in metres */
    assert_true(fabs(b.min_x - c->x0) < 1 && fabs(b.max_x - c->x1) < 1);
    assert_true(fabs(b.min_y - c->y0) < 1 && fabs(b.max_y - c->y1) < 1);
    return ERR_OK;
  }
  fail_msg("unexpected feature %.*s", (int)v->len, v->s);
  return ERR_INTERNAL;
}

static void features_keep_what_spans_a_pixel(void **state) {
  static country cs[MAX_COUNTRIES];
  size_t n = read_countries(cs);
  assert_true(n > 170);
  store_reader *r = NULL;
  err e;
  assert_int_equal(store_reader_open(DB, &r, &e), ERR_OK);
  const layer_info *l = layer(r, "paises");
  int dropped_somewhere = 0;
  for (uint32_t z = 0; z <= 5; z++) {
    for (size_t i = 0; i < n; i++) cs[i].seen = 0;
    seen_ctx s = {cs, n, field_index(l, "name"), 0};
    gen_query q = {.layer = l, .zoom = z, .merc = {-HALF, -HALF, HALF, HALF}};
    assert_int_equal(gen_features_each(r, &q, see, &s, &e), ERR_OK);
    double px = 2 * HALF / pow(2, z) / 256;
    size_t want = 0;
    for (size_t i = 0; i < n; i++) {
      bool small = (int)z < l->maxzoom && cs[i].x1 - cs[i].x0 < px && cs[i].y1 - cs[i].y0 < px;
      if (small && cs[i].seen) fail_msg("z%u: %s is under a pixel but shown", z, cs[i].name);
      if (!small && !cs[i].seen) fail_msg("z%u: %s spans a pixel but is missing", z, cs[i].name);
      want += !small;
      dropped_somewhere += small;
    }
    assert_int_equal(s.n_got, want);
  }
  /* the rule was exercised (a few dozen islands at z0..z2), not only passed through */
  assert_true(dropped_somewhere > 0);
  assert_true(l->maxzoom > 5);
  store_reader_close(r);
}

/* ---- clusters -------------------------------------------------------------------------------- */

typedef struct ref_cell {
  long cx, cy;
  double sx, sy; /* sums of global tile units (4096 per tile) */
  uint32_t n;
} ref_cell;

enum { MAX_POINTS = 2100 };

static size_t read_points(double (*pts)[2]) {
  FILE *f = fopen(data("cdmx-ssp/crime-lat-long-2000.csv"), "r");
  assert_non_null(f);
  char line[512];
  size_t n = 0;
  assert_non_null(fgets(line, sizeof line, f)); /* header: ...,"lat","long","id" */
  while (fgets(line, sizeof line, f) && n < MAX_POINTS) {
    char *col[9] = {0};
    int k = 0;
    for (char *p = strtok(line, ",\n"); p && k < 9; p = strtok(NULL, ",\n")) col[k++] = p;
    if (k < 9 || strcmp(col[6], "NA") == 0) continue;
    pts[n][0] = strtod(col[7], NULL);
    pts[n][1] = strtod(col[6], NULL);
    n++;
  }
  fclose(f);
  return n;
}

static void clusters_bin_the_source_points(void **state) {
  static double pts[MAX_POINTS][2];
  static ref_cell cells[MAX_POINTS];
  size_t n_pts = read_points(pts);
  assert_int_equal(n_pts, 2000 - 44);
  store_reader *r = NULL;
  err e;
  assert_int_equal(store_reader_open(DB, &r, &e), ERR_OK);
  const layer_info *l = layer(r, "delitos");
  /* a box over the city centre, smaller than the data's extent, so the edge cells are judged */
  geom_bbox box = {merc_x(-99.20), merc_y(19.36), merc_x(-99.08), merc_y(19.47)};
  for (uint32_t z = 10; z <= 14; z++) {
    double units = pow(2, z) * 4096, cell = GEN_CLUSTER_CELL;
    long bx0 = (long)floor((box.min_x + HALF) / (2 * HALF) * units / cell);
    long bx1 = (long)floor((box.max_x + HALF) / (2 * HALF) * units / cell);
    long by0 = (long)floor((HALF - box.max_y) / (2 * HALF) * units / cell);
    long by1 = (long)floor((HALF - box.min_y) / (2 * HALF) * units / cell);
    size_t n_cells = 0;
    for (size_t i = 0; i < n_pts; i++) {
      double ux = (merc_x(pts[i][0]) + HALF) / (2 * HALF) * units;
      double uy = (HALF - merc_y(pts[i][1])) / (2 * HALF) * units;
      long cx = (long)floor(ux / cell), cy = (long)floor(uy / cell);
      if (cx < bx0 || cx > bx1 || cy < by0 || cy > by1) continue;
      size_t k = 0;
      while (k < n_cells && (cells[k].cx != cx || cells[k].cy != cy)) k++;
      if (k == n_cells) cells[n_cells++] = (ref_cell){cx, cy, 0, 0, 0};
      cells[k].sx += ux, cells[k].sy += uy, cells[k].n++;
    }
    gen_cluster *cl = NULL;
    size_t n = 0;
    assert_int_equal(gen_clusters_in_box(r, NULL, l, z, &box, &cl, &n, &e), ERR_OK);
    assert_int_equal(n, n_cells);
    assert_true(n_cells > 10);
    uint32_t most = 0;
    for (size_t k = 0; k < n_cells; k++) most = cells[k].n > most ? cells[k].n : most;
    assert_true(most > 1); /* points were merged, not only passed one by one */
    for (size_t i = 0; i < n; i++) {
      double ux = (cl[i].merc.x + HALF) / (2 * HALF) * units;
      double uy = (HALF - cl[i].merc.y) / (2 * HALF) * units;
      size_t k = 0;
      /* the mean (kept near the cell's middle when it holds several points), rounded to the
       * tile unit: within a unit of the reference */
      while (k < n_cells) {
        double mx = cells[k].sx / cells[k].n, my = cells[k].sy / cells[k].n;
        if (cells[k].n > 1) {
          mx = fmin(fmax(mx, (cells[k].cx + 0.5 - GEN_CLUSTER_KEEP) * cell),
                    (cells[k].cx + 0.5 + GEN_CLUSTER_KEEP) * cell);
          my = fmin(fmax(my, (cells[k].cy + 0.5 - GEN_CLUSTER_KEEP) * cell),
                    (cells[k].cy + 0.5 + GEN_CLUSTER_KEEP) * cell);
        }
        if (cells[k].n == cl[i].count && fabs(mx - ux) <= 1 && fabs(my - uy) <= 1) break;
        k++;
      }
      if (k == n_cells) fail_msg("z%u: cluster of %u at (%.1f, %.1f) not in the reference", z,
                                 cl[i].count, ux, uy);
      cells[k].n = 0; /* matched once */
    }
    /* two clusters' counts never print over each other: centres of clusters of neighbouring
     * cells at least 12 px (of 16 px cells) apart on one axis; they were 1.5 px apart, "23" */
    for (size_t i = 0; i < n; i++)
      for (size_t j = i + 1; j < n && cl[i].count > 1; j++) {
        if (cl[j].count < 2) continue;
        double dx = fabs(cl[i].merc.x - cl[j].merc.x) / (2 * HALF) * units;
        double dy = fabs(cl[i].merc.y - cl[j].merc.y) / (2 * HALF) * units;
        if (fmax(dx, dy) < (1 - 2 * GEN_CLUSTER_KEEP) * cell - 2)
          fail_msg("z%u: clusters of %u and %u %.1f px apart", z, cl[i].count, cl[j].count,
                   fmax(dx, dy) / 16);
      }
    free(cl);
  }
  store_reader_close(r);
}

/* ---- by id ----------------------------------------------------------------------------------- */

typedef struct id_ctx {
  int64_t got[16];
  size_t n;
} id_ctx;

static err_code take_id(void *ctx, const gen_feature *f, err *e) {
  id_ctx *c = ctx;
  assert_true(c->n < 16);
  c->got[c->n++] = f->id;
  assert_int_equal(f->g.type, GEOM_POINT);
  return ERR_OK;
}

static void only_reads_the_ids_asked(void **state) {
  store_reader *r = NULL;
  err e;
  assert_int_equal(store_reader_open(DB, &r, &e), ERR_OK);
  const layer_info *l = layer(r, "delitos");
  int64_t ids[] = {1, 2, 3, 11, 500, 1999, 900000};
  id_ctx c = {.n = 0};
  gen_query q = {.layer = l, .zoom = 14, .merc = {-HALF, -HALF, HALF, HALF}, .only = ids,
                 .n_only = sizeof ids / sizeof *ids};
  assert_int_equal(gen_features_each(r, &q, take_id, &c, &e), ERR_OK);
  /* every id asked that the layer holds, once: 900000 is no feature */
  assert_int_equal(c.n, 6);
  for (size_t i = 0; i < c.n; i++) {
    bool asked = false;
    for (size_t k = 0; k < 6; k++) asked |= c.got[i] == ids[k];
    assert_true(asked);
  }
  store_reader_close(r);
}

/* ---- the cells of an aggregate layer ------------------------------------------------------- */

enum { MAX_CELLS = 1024 };

typedef struct cell_ids {
  int64_t id[MAX_CELLS];
  size_t n;
} cell_ids;

static err_code take_cell(void *ctx, const gen_feature *f, err *e) {
  (void)e;
  cell_ids *c = ctx;
  for (size_t i = 0; i < c->n; i++)
    if (c->id[i] == f->id) return ERR_OK; /* in two tiles' buffers */
  assert_true(c->n < MAX_CELLS);
  c->id[c->n++] = f->id;
  return ERR_OK;
}

/* The distinct features of l at zoom z: as the renderer reads them (metres, the whole world) and
 * as the vector tiles of z over l's bounds have them; *out_dropped: those the tiles dropped as
 * smaller than a pixel after reading them. */
static void cells_at(store_reader *r, const layer_info *l, uint32_t z, size_t *out_merc,
                     size_t *out_tiles, uint32_t *out_dropped) {
  err e;
  static cell_ids merc, tiles;
  merc.n = tiles.n = 0;
  *out_dropped = 0;
  gen_query m = {.layer = l, .zoom = z, .merc = {-HALF, -HALF, HALF, HALF}};
  assert_int_equal(gen_features_each(r, &m, take_cell, &merc, &e), ERR_OK);
  double n = pow(2, z);
  uint32_t x0 = (uint32_t)((l->bounds[0] + 180) / 360 * n);
  uint32_t x1 = (uint32_t)((l->bounds[2] + 180) / 360 * n);
  uint32_t y0 = (uint32_t)((1 - asinh(tan(l->bounds[3] * PI / 180)) / PI) / 2 * n);
  uint32_t y1 = (uint32_t)((1 - asinh(tan(l->bounds[1] * PI / 180)) / PI) / 2 * n);
  for (uint32_t x = x0; x <= x1; x++)
    for (uint32_t y = y0; y <= y1; y++) {
      geom_tile_id t = {z, x, y};
      gen_query q = {.layer = l, .merc = gen_tile_box(t, 64.0 / GEN_EXTENT),
                     .space = GEN_SPACE_TILE, .tile = t, .extent = GEN_EXTENT, .buffer = 64,
                     .n_dropped = out_dropped};
      assert_int_equal(gen_features_each(r, &q, take_cell, &tiles, &e), ERR_OK);
    }
  *out_merc = merc.n;
  *out_tiles = tiles.n;
}

static void aggregate_cells_are_never_dropped(void **state) {
  store_reader *r = NULL;
  err e;
  assert_int_equal(store_reader_open(DB, &r, &e), ERR_OK);
  const layer_info *l = layer(r, "celdas"), *paises = layer(r, "paises");
  assert_true(l->aggregate && strcmp(l->geometry_type, "Polygon") == 0);
  assert_true(!paises->aggregate && !layer(r, "delitos")->aggregate);
  assert_int_equal(gen_small_below(l), 0);
  assert_int_equal(gen_small_below(paises), paises->maxzoom);
  assert_true(l->feature_count > 300 && l->feature_count < MAX_CELLS && l->minzoom <= 8);
  layer_info plain = *l; /* the same cells as a layer of polygons without a policy */
  plain.aggregate = false;
  for (uint32_t z = (uint32_t)l->minzoom; z <= 8; z++) {
    /* a 500 m cell is 530 m of Web Mercator at 19.4° N: under a pixel up to z8 (611 m) */
    assert_true(530 < 2 * HALF / pow(2, z) / 256);
    size_t merc, tiles;
    uint32_t dropped;
    cells_at(r, l, z, &merc, &tiles, &dropped);
    assert_int_equal(merc, l->feature_count);
    assert_int_equal(tiles, l->feature_count);
    assert_int_equal(dropped, 0);
    cells_at(r, &plain, z, &merc, &tiles, &dropped);
    assert_int_equal(merc, 0);
    assert_int_equal(tiles, 0); /* the size index skips most unread: `dropped` counts the rest */
  }
  store_reader_close(r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(features_keep_what_spans_a_pixel),
      cmocka_unit_test(clusters_bin_the_source_points),
      cmocka_unit_test(only_reads_the_ids_asked),
      cmocka_unit_test(aggregate_cells_are_never_dropped),
  };
  return cmocka_run_group_tests(tests, setup, NULL);
}
