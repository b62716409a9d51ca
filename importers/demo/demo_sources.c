/* demo_sources.c — the León sample as the files a municipality would hand over: GeoJSON for the
 * five vector layers and a CSV with latitud/longitud columns for the security incidents. They
 * are generated from the seed (demo_shapes.c) and then imported by the definitions of
 * layers/leon/ like any other source, so the demo runs the real import path.
 *
 * The files are byte-identical for the same seed and parameters (the importer's checksum then
 * skips unchanged layers), keep the generator's order (the importer numbers features by record,
 * so ids stay 1..N) and write every coordinate with the fewest digits that read back to the same
 * double, so nothing moves between the generator and the database. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/value.h"
#include "importers/demo/demo.h"
#include "importers/demo/demo_rand.h"
#include "importers/demo/demo_shapes.h"
#include "geom/wkb.h"

/* ---- writing -------------------------------------------------------------------------------- */

/* The shortest of %.15g..%.17g that strtod reads back as exactly v (%.17g always does). */
static void put_double(FILE *f, double v) {
  char s[40];
  for (int prec = 15; prec <= 17; prec++) {
    snprintf(s, sizeof s, "%.*g", prec, v);
    if (strtod(s, NULL) == v) break;
  }
  fputs(s, f);
}

static void put_string(FILE *f, const char *s) {
  fputc('"', f);
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p == '"' || *p == '\\') fprintf(f, "\\%c", *p);
    else if (*p < 0x20) fprintf(f, "\\u%04x", *p);
    else fputc(*p, f);
  }
  fputc('"', f);
}

static void put_value(FILE *f, const value *v) {
  switch (v->kind) {
    case VALUE_NULL: fputs("null", f); break;
    case VALUE_BOOL: fputs(v->i ? "true" : "false", f); break;
    case VALUE_INT: fprintf(f, "%lld", (long long)v->i); break;
    case VALUE_REAL:
      put_double(f, v->d);
      /* a whole number stays a JSON real, so a reader types the column as one */
      if (v->d == floor(v->d) && fabs(v->d) < 1e15) fputs(".0", f);
      break;
    case VALUE_TEXT: put_string(f, v->s); break;
  }
}

static uint32_t get_u32(const uint8_t **p) {
  const uint8_t *b = *p;
  *p += 4;
  return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static double get_double(const uint8_t **p) {
  uint64_t u = 0;
  for (int i = 7; i >= 0; i--) u = u << 8 | (*p)[i];  /* little-endian, as wkb.c writes it */
  *p += 8;
  double d;
  memcpy(&d, &u, 8);
  return d;
}

static void put_xy(FILE *f, const uint8_t **p) {
  double xy[2];
  xy[0] = get_double(p);
  xy[1] = get_double(p);
  fputc('[', f);
  put_double(f, xy[0]);
  fputc(',', f);
  put_double(f, xy[1]);
  fputc(']', f);
}

static void put_points(FILE *f, const uint8_t **p) {
  uint32_t n = get_u32(p);
  fputc('[', f);
  for (uint32_t i = 0; i < n; i++) {
    if (i) fputc(',', f);
    put_xy(f, p);
  }
  fputc(']', f);
}

/* One geometry of the generator's WKB (wkb.h: little-endian, 2D) as GeoJSON coordinates (RFC
 * 7946 §3.1); with `typed`, the whole geometry object. Advances *p past it. */
static void put_wkb(FILE *f, const uint8_t **p, bool typed) {
  static const char *const NAMES[] = {"", "Point", "LineString", "Polygon", "MultiPoint",
                                      "MultiLineString", "MultiPolygon"};
  (*p)++;  /* byte order: always 1 (little-endian) in wkb.c */
  uint32_t type = get_u32(p);
  if (typed) fprintf(f, "{\"type\":\"%s\",\"coordinates\":", type <= 6 ? NAMES[type] : "?");
  if (type == GEOM_WKB_POINT) {
    put_xy(f, p);
  } else if (type == GEOM_WKB_LINESTRING) {
    put_points(f, p);
  } else {
    uint32_t n = get_u32(p);
    fputc('[', f);
    for (uint32_t i = 0; i < n; i++) {
      if (i) fputc(',', f);
      if (type == GEOM_WKB_POLYGON) put_points(f, p);  /* rings */
      else put_wkb(f, p, false);                 /* parts of a multi-geometry */
    }
    fputc(']', f);
  }
  if (typed) fputc('}', f);
}

/* One GeoJSON file of n_keys properties per feature, one feature per line. */
typedef struct gj_file {
  FILE *f;
  const char *const *keys;
  size_t n_keys;
  size_t n_features;
} gj_file;

static void gj_feature(gj_file *g, const buf *wkb, const value *values) {
  FILE *f = g->f;
  fputs(g->n_features++ ? ",\n{\"type\":\"Feature\",\"properties\":{"
                        : "{\"type\":\"Feature\",\"properties\":{",
        f);
  for (size_t i = 0; i < g->n_keys; i++) {
    if (i) fputc(',', f);
    put_string(f, g->keys[i]);
    fputc(':', f);
    put_value(f, &values[i]);
  }
  fputs("},\"geometry\":", f);
  const uint8_t *p = wkb->data;
  put_wkb(f, &p, true);
  fputc('}', f);
}

static value text(const char *s) { return (value){.kind = VALUE_TEXT, .s = s, .len = strlen(s)}; }
static value integer(int64_t i) { return (value){.kind = VALUE_INT, .i = i}; }
static value real(double d) { return (value){.kind = VALUE_REAL, .d = d}; }
static value boolean(bool b) { return (value){.kind = VALUE_BOOL, .i = b}; }

/* ---- the five vector layers ----------------------------------------------------------------- */

static void gen_boundary(gj_file *g, buf *w, const demo_options *opt) {
  demo_boundary_wkb(w);
  value v[] = {text("León"), text("11020"), integer(1721215)};
  gj_feature(g, w, v);
}

static void gen_colonias(gj_file *g, buf *w, const demo_options *opt) {
  demo_rng rng = {opt->seed ^ 0xC010u};
  for (int j = 0; j < DEMO_GRID_ROWS; j++) {
    for (int i = 0; i < DEMO_GRID_COLS; i++) {
      if (!demo_cell_is_urban(i, j)) continue;
      buf_reset(w);
      demo_colonia_wkb(w, opt->seed, i, j);
      char name[96], cve[32];
      demo_colonia_name(opt->seed, i, j, name, sizeof name);
      snprintf(cve, sizeof cve, "COL-%03d-%03d", i, j);
      value v[] = {text(name), text(cve), integer((int64_t)demo_range(&rng, 300, 12000)),
                   text(demo_range(&rng, 0, 1) < 0.8 ? "urbana" : "en consolidación")};
      gj_feature(g, w, v);
    }
  }
}

static void gen_parques(gj_file *g, buf *w, const demo_options *opt) {
  demo_rng rng = {opt->seed ^ 0x9A4Cu};
  static const char *const STATUS[] = {"rehabilitado", "en obra", "abandonado"};
  for (int64_t id = 1; id <= DEMO_N_PARKS; id++) {
    buf_reset(w);
    demo_park park;
    demo_park_make(&rng, opt->seed, id, &park);
    demo_park_wkb(w, &park);
    double u = demo_uniform(&rng);
    const char *status = STATUS[u < 0.55 ? 0 : u < 0.75 ? 1 : 2];
    char date[40];
    value fecha = {.kind = VALUE_NULL};
    if (status == STATUS[0]) {
      snprintf(date, sizeof date, "20%02d-%02d-%02d", 18 + (int)demo_range(&rng, 0, 8),
               1 + (int)demo_range(&rng, 0, 12), 1 + (int)demo_range(&rng, 0, 28));
      fecha = text(date);
    }
    value v[] = {text(park.name), text(status), real(round(park.area_m2)),
                 boolean(demo_uniform(&rng) < 0.6), fecha};
    gj_feature(g, w, v);
  }
}

static void gen_rios(gj_file *g, buf *w, const demo_options *opt) {
  for (size_t k = 0; k < demo_n_rivers(); k++) {
    buf_reset(w);
    const demo_river *r = demo_river_get(k);
    demo_river_wkb(w, opt->seed, k);
    value v[] = {text(r->name), text(r->kind), boolean(r->perennial)};
    gj_feature(g, w, v);
  }
}

static void gen_cuerpos(gj_file *g, buf *w, const demo_options *opt) {
  demo_rng rng = {opt->seed ^ 0xA6A4u};
  for (int64_t id = 1; id <= DEMO_N_WATER; id++) {
    buf_reset(w);
    demo_water water;
    demo_water_make(&rng, id, &water);
    demo_water_wkb(w, opt->seed, &water);
    value v[] = {text(water.name), text(water.kind), boolean(water.perennial),
                 real(round(water.area_m2))};
    gj_feature(g, w, v);
  }
}

typedef void (*gen_fn)(gj_file *g, buf *w, const demo_options *opt);

static const char *const BOUNDARY_KEYS[] = {"nombre", "cvegeo", "poblacion"};
static const char *const COLONIA_KEYS[] = {"nombre", "clave", "poblacion", "tipo"};
static const char *const PARK_KEYS[] = {"nombre", "estado", "superficie_m2", "juegos_infantiles",
                                        "fecha_rehabilitacion"};
static const char *const RIVER_KEYS[] = {"nombre", "tipo", "perenne"};
static const char *const WATER_KEYS[] = {"nombre", "tipo", "perenne", "superficie_m2"};

#define KEYS(a) a, sizeof a / sizeof *a

static const struct {
  const char *file;
  const char *const *keys;
  size_t n_keys;
  gen_fn gen;
} VECTORS[] = {
    {"limite-municipal.geojson", KEYS(BOUNDARY_KEYS), gen_boundary},
    {"colonias.geojson", KEYS(COLONIA_KEYS), gen_colonias},
    {"parques.geojson", KEYS(PARK_KEYS), gen_parques},
    {"rios-canales.geojson", KEYS(RIVER_KEYS), gen_rios},
    {"cuerpos-agua.geojson", KEYS(WATER_KEYS), gen_cuerpos},
};

/* ---- files ---------------------------------------------------------------------------------- */

/* Opens dir/name.tmp for writing; demo_file_close renames it into place, so a reader (or a
 * killed run) never sees half a file under the real name. */
static FILE *file_open(const char *dir, const char *name, char *tmp, size_t tmp_len, err *e) {
  snprintf(tmp, tmp_len, "%s/%s.tmp", dir, name);
  FILE *f = fopen(tmp, "w");
  if (!f) err_set(e, ERR_IO, "no se puede escribir %s: %s", tmp, strerror(errno));
  return f;
}

static err_code file_close(FILE *f, const char *dir, const char *name, const char *tmp, err *e) {
  bool ok = !ferror(f);
  ok = fclose(f) == 0 && ok;
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  if (ok && rename(tmp, path) == 0) return ERR_OK;
  err_code rc = err_set(e, ERR_IO, "no se puede escribir %s: %s", path, strerror(errno));
  remove(tmp);
  return rc;
}

static err_code write_vector(const char *dir, size_t k, const demo_options *opt, err *e) {
  char tmp[4096];
  FILE *f = file_open(dir, VECTORS[k].file, tmp, sizeof tmp, e);
  if (!f) return ERR_IO;
  char name[64];
  snprintf(name, sizeof name, "%.*s", (int)(strchr(VECTORS[k].file, '.') - VECTORS[k].file),
           VECTORS[k].file);
  fputs("{\"type\":\"FeatureCollection\",\"name\":", f);
  put_string(f, name);
  fputs(",\"features\":[\n", f);
  gj_file g = {.f = f, .keys = VECTORS[k].keys, .n_keys = VECTORS[k].n_keys};
  buf w;
  buf_init(&w, 0);
  VECTORS[k].gen(&g, &w, opt);
  bool failed = w.failed;
  buf_free(&w);
  fputs("\n]}\n", f);
  if (failed) {
    fclose(f);
    remove(tmp);
    return err_set(e, ERR_NOMEM, "sin memoria");
  }
  return file_close(f, dir, VECTORS[k].file, tmp, e);
}

/* A coordinate of the incidents: six decimals (the generator rounds to them), or all the digits
 * when six would not read back exactly. */
static void put_coord(FILE *f, double v) {
  char s[40];
  snprintf(s, sizeof s, "%.6f", v);
  if (strtod(s, NULL) != v) snprintf(s, sizeof s, "%.17g", v);
  fputs(s, f);
}

/* The incidents as a municipal CSV export: a quoted text column, ISO dates, the hour of the
 * day, and the point as latitud/longitud columns. */
static err_code write_incidents(const char *dir, const demo_options *opt, err *e) {
  char tmp[4096];
  FILE *f = file_open(dir, DEMO_INCIDENTS_FILE, tmp, sizeof tmp, e);
  if (!f) return ERR_IO;
  fputs("tipo_incidente,fecha,hora,latitud,longitud\n", f);
  demo_rng rng = {opt->seed ^ 0x1AC1u};
  for (int64_t id = 1; id <= opt->n_incidents; id++) {
    demo_incident inc;
    demo_incident_make(&rng, &inc);
    put_string(f, inc.type);
    fprintf(f, ",%s,%d,", inc.date, inc.hour);
    put_coord(f, inc.lat);
    fputc(',', f);
    put_coord(f, inc.lon);
    fputc('\n', f);
  }
  return file_close(f, dir, DEMO_INCIDENTS_FILE, tmp, e);
}

err_code demo_write_sources(const char *dir, const demo_options *opt, err *e) {
  if (mkdir(dir, 0755) != 0 && errno != EEXIST)
    return err_set(e, ERR_IO, "no se puede crear la carpeta %s: %s", dir, strerror(errno));
  err_code rc = ERR_OK;
  for (size_t k = 0; k < sizeof VECTORS / sizeof *VECTORS && rc == ERR_OK; k++)
    rc = write_vector(dir, k, opt, e);
  return rc == ERR_OK ? write_incidents(dir, opt, e) : rc;
}

void demo_remove_sources(const char *dir) {
  char path[4096];
  for (size_t k = 0; k < sizeof VECTORS / sizeof *VECTORS; k++) {
    snprintf(path, sizeof path, "%s/%s", dir, VECTORS[k].file);
    remove(path);
  }
  snprintf(path, sizeof path, "%s/%s", dir, DEMO_INCIDENTS_FILE);
  remove(path);
  rmdir(dir);
}
