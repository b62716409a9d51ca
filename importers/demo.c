/* demo.c — the León sample catalog: six layers generated from a seed and written through the
 * store's writer like any import. The shapes imitate a real city (a clustered centre, colonias
 * that tile the urban area, parks inside colonias, meandering rivers) but are not real data, and
 * the catalog says so (sample = true, and in each description). */
#include "importers/demo.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "importers/demo_rand.h"
#include "importers/demo_shapes.h"
#include "importers/wkb.h"
#include "store/store.h"

#define DEMO_GENERATOR "teselas-demo-3"
#define SAMPLE_NOTE " Datos de muestra generados por teselas: no son datos oficiales."

/* Writes one generated layer: begin, let `fill` add the features, commit. Skipped when the
 * catalog already holds the same generator output (same checksum). */
typedef err_code (*demo_fill_fn)(store_writer *w, const demo_options *opt, err *e);

typedef struct demo_layer {
  const char *id, *title, *description, *publisher, *frequency, *keywords, *date_field;
  const layer_field *fields;
  size_t n_fields;
  demo_fill_fn fill;
} demo_layer;

static err_code fill_incidentes(store_writer *w, const demo_options *opt, err *e);

static err_code write_layer(const char *db, const demo_layer *d, const demo_options *opt, err *e) {
  char sum[65], have[65];
  /* The incident count changes only the incidents: the other layers keep their version. */
  bool counted = d->fill == fill_incidentes;
  snprintf(sum, sizeof sum, "%s-%llu-%lld", DEMO_GENERATOR, (unsigned long long)opt->seed,
           counted ? (long long)opt->n_incidents : 0LL);
  err_code rc = store_layer_checksum(db, d->id, have, e);
  if (rc != ERR_OK) return rc;
  if (strcmp(sum, have) == 0) return ERR_OK;
  char desc[1024];
  snprintf(desc, sizeof desc, "%s%s", d->description, SAMPLE_NOTE);
  layer_meta meta = {.id = d->id, .title = d->title, .description = desc,
                     .license = "CC BY 4.0", .publisher = d->publisher,
                     .frequency = d->frequency, .keywords = d->keywords,
                     .source_name = "teselas demo (generado)", .source_sha256 = sum,
                     .date_field = d->date_field, .minzoom = -1, .maxzoom = -1,
                     .sample = true, .keep_versions = 2};
  store_writer *w = NULL;
  if ((rc = store_writer_begin(db, &meta, d->fields, d->n_fields, &w, e)) != ERR_OK) return rc;
  if ((rc = d->fill(w, opt, e)) != ERR_OK) {
    store_writer_abort(w);
    return rc;
  }
  return store_writer_commit(w, "{\"sample\":true}", NULL, e);
}

static value text(const char *s) { return (value){.kind = VALUE_TEXT, .s = s, .len = strlen(s)}; }
static value integer(int64_t i) { return (value){.kind = VALUE_INT, .i = i}; }
static value real(double d) { return (value){.kind = VALUE_REAL, .d = d}; }
static value boolean(bool b) { return (value){.kind = VALUE_BOOL, .i = b}; }

/* ---- municipal boundary ---------------------------------------------------------------------- */

static err_code fill_boundary(store_writer *w, const demo_options *opt, err *e) {
  buf g;
  buf_init(&g, 0);
  demo_boundary_wkb(&g);
  value v[] = {text("León"), text("11020"), integer(1721215)};
  err_code rc = store_writer_add(w, 1, g.data, g.len, v, e);
  buf_free(&g);
  return rc;
}

static const layer_field BOUNDARY_FIELDS[] = {{"nombre", "Municipio", FIELD_TEXT},
                                              {"cvegeo", "Clave geoestadística", FIELD_TEXT},
                                              {"poblacion", "Población", FIELD_INTEGER}};

/* ---- colonias -------------------------------------------------------------------------------- */

static err_code fill_colonias(store_writer *w, const demo_options *opt, err *e) {
  demo_rng rng = {opt->seed ^ 0xC010u};
  buf g;
  buf_init(&g, 0);
  err_code rc = ERR_OK;
  int64_t id = 0;
  for (int j = 0; j < DEMO_GRID_ROWS && rc == ERR_OK; j++) {
    for (int i = 0; i < DEMO_GRID_COLS && rc == ERR_OK; i++) {
      if (!demo_cell_is_urban(i, j)) continue;
      buf_reset(&g);
      demo_colonia_wkb(&g, opt->seed, i, j);
      char name[96], cve[16];
      demo_colonia_name(opt->seed, i, j, name, sizeof name);
      snprintf(cve, sizeof cve, "COL-%03d-%03d", i, j);
      value v[] = {text(name), text(cve), integer((int64_t)demo_range(&rng, 300, 12000)),
                   text(demo_range(&rng, 0, 1) < 0.8 ? "urbana" : "en consolidación")};
      rc = store_writer_add(w, ++id, g.data, g.len, v, e);
    }
  }
  buf_free(&g);
  return rc;
}

static const layer_field COLONIA_FIELDS[] = {{"nombre", "Colonia", FIELD_TEXT},
                                             {"clave", "Clave", FIELD_TEXT},
                                             {"poblacion", "Población", FIELD_INTEGER},
                                             {"tipo", "Tipo de asentamiento", FIELD_TEXT}};

/* ---- parks ----------------------------------------------------------------------------------- */

static err_code fill_parques(store_writer *w, const demo_options *opt, err *e) {
  demo_rng rng = {opt->seed ^ 0x9A4Cu};
  static const char *const STATUS[] = {"rehabilitado", "en obra", "abandonado"};
  buf g;
  buf_init(&g, 0);
  err_code rc = ERR_OK;
  for (int64_t id = 1; id <= DEMO_N_PARKS && rc == ERR_OK; id++) {
    buf_reset(&g);
    demo_park park;
    demo_park_make(&rng, opt->seed, id, &park);
    demo_park_wkb(&g, &park);
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
    rc = store_writer_add(w, id, g.data, g.len, v, e);
  }
  buf_free(&g);
  return rc;
}

static const layer_field PARK_FIELDS[] = {{"nombre", "Nombre", FIELD_TEXT},
                                          {"estado", "Estado", FIELD_TEXT},
                                          {"superficie_m2", "Superficie (m²)", FIELD_REAL},
                                          {"juegos_infantiles", "Juegos infantiles", FIELD_BOOLEAN},
                                          {"fecha_rehabilitacion", "Fecha de rehabilitación",
                                           FIELD_DATE}};

/* ---- rivers and canals ------------------------------------------------------------------------ */

static err_code fill_rios(store_writer *w, const demo_options *opt, err *e) {
  buf g;
  buf_init(&g, 0);
  err_code rc = ERR_OK;
  for (size_t k = 0; k < demo_n_rivers() && rc == ERR_OK; k++) {
    buf_reset(&g);
    const demo_river *r = demo_river_get(k);
    demo_river_wkb(&g, opt->seed, k);
    value v[] = {text(r->name), text(r->kind), boolean(r->perennial)};
    rc = store_writer_add(w, (int64_t)k + 1, g.data, g.len, v, e);
  }
  buf_free(&g);
  return rc;
}

static const layer_field RIVER_FIELDS[] = {{"nombre", "Nombre", FIELD_TEXT},
                                           {"tipo", "Tipo", FIELD_TEXT},
                                           {"perenne", "Corriente todo el año", FIELD_BOOLEAN}};

/* ---- water bodies ----------------------------------------------------------------------------- */

static err_code fill_cuerpos(store_writer *w, const demo_options *opt, err *e) {
  demo_rng rng = {opt->seed ^ 0xA6A4u};
  buf g;
  buf_init(&g, 0);
  err_code rc = ERR_OK;
  for (int64_t id = 1; id <= DEMO_N_WATER && rc == ERR_OK; id++) {
    buf_reset(&g);
    demo_water water;
    demo_water_make(&rng, id, &water);
    demo_water_wkb(&g, opt->seed, &water);
    value v[] = {text(water.name), text(water.kind), boolean(water.perennial),
                 real(round(water.area_m2))};
    rc = store_writer_add(w, id, g.data, g.len, v, e);
  }
  buf_free(&g);
  return rc;
}

static const layer_field WATER_FIELDS[] = {{"nombre", "Nombre", FIELD_TEXT},
                                           {"tipo", "Tipo", FIELD_TEXT},
                                           {"perenne", "Agua todo el año", FIELD_BOOLEAN},
                                           {"superficie_m2", "Superficie (m²)", FIELD_REAL}};

/* ---- security incidents ----------------------------------------------------------------------- */

static err_code fill_incidentes(store_writer *w, const demo_options *opt, err *e) {
  demo_rng rng = {opt->seed ^ 0x1AC1u};
  buf g;
  buf_init(&g, 0);
  err_code rc = ERR_OK;
  for (int64_t id = 1; id <= opt->n_incidents && rc == ERR_OK; id++) {
    demo_incident inc;
    demo_incident_make(&rng, &inc);
    buf_reset(&g);
    wkb_point(&g, inc.lon, inc.lat);
    value v[] = {text(inc.type), text(inc.date), integer(inc.hour)};
    rc = store_writer_add(w, id, g.data, g.len, v, e);
  }
  buf_free(&g);
  return rc;
}

static const layer_field INCIDENT_FIELDS[] = {{"tipo", "Tipo de incidente", FIELD_TEXT},
                                              {"fecha", "Fecha", FIELD_DATE},
                                              {"hora", "Hora del día", FIELD_INTEGER}};

#define FIELDS(a) a, sizeof a / sizeof *a

static const demo_layer DEMO_LAYERS[] = {
    {"limite-municipal", "Límite municipal de León", "Contorno del municipio de León, Guanajuato.",
     "Instituto Municipal de Planeación (IMPLAN)", "on event", "límite, municipio", NULL,
     FIELDS(BOUNDARY_FIELDS), fill_boundary},
    {"colonias", "Colonias", "Colonias y fraccionamientos de la ciudad de León.",
     "Instituto Municipal de Planeación (IMPLAN)", "yearly", "colonias, asentamientos", NULL,
     FIELDS(COLONIA_FIELDS), fill_colonias},
    {"parques", "Parques y áreas verdes",
     "Parques, jardines y áreas verdes públicas con su estado de conservación.",
     "Dirección General de Medio Ambiente", "quarterly", "parques, áreas verdes", NULL,
     FIELDS(PARK_FIELDS), fill_parques},
    {"rios-canales", "Ríos, arroyos y canales", "Corrientes de agua y canales del municipio.",
     "Sistema de Agua Potable y Alcantarillado de León (SAPAL)", "yearly", "agua, ríos", NULL,
     FIELDS(RIVER_FIELDS), fill_rios},
    {"cuerpos-agua", "Presas y cuerpos de agua", "Presas, bordos y lagunas del municipio.",
     "Sistema de Agua Potable y Alcantarillado de León (SAPAL)", "yearly", "agua, presas", NULL,
     FIELDS(WATER_FIELDS), fill_cuerpos},
    {"incidentes", "Incidentes de seguridad", "Incidentes de seguridad pública reportados.",
     "Secretaría de Seguridad, Prevención y Protección Ciudadana", "monthly",
     "seguridad, incidentes, delitos", "fecha", FIELDS(INCIDENT_FIELDS), fill_incidentes},
};

err_code demo_build(const char *db_path, const demo_options *opt, err *e) {
  demo_options o = *opt;
  if (o.n_incidents <= 0) o.n_incidents = 50000;
  if (o.seed == 0) o.seed = 20240101;
  for (size_t i = 0; i < sizeof DEMO_LAYERS / sizeof *DEMO_LAYERS; i++) {
    err_code rc = write_layer(db_path, &DEMO_LAYERS[i], &o, e);
    if (rc != ERR_OK) return rc;
  }
  return ERR_OK;
}
