/* import.c — one import from start to finish: recognise an unchanged source, open it, decide the
 * fields, stream every feature through the geometry checks into the store's writer, count what
 * happened, and commit the new version with its report (or roll everything back).
 *
 * The writer's transaction is the safety net: nothing is visible until COMMIT, and a failure or
 * kill -9 before it leaves the database as it was. A database file that did not exist before a
 * failed import is removed, so a failure leaves no trace at all. */
#include "importers/import.h"

#include <jansson.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "calendar/calendar.h"
#include "importers/import_int.h"
#include "importers/autostyle.h"
#include "importers/checksum.h"

typedef struct import_state {
  const import_options *opt;
  import_report *rep;
  import_source src;
  import_schema schema;
  geom_check gc;
  store_writer *w;
  import_privacy priv;  /* the privacy policy at work (privacy_*.c) */
  char *privacy_json;   /* the policy as the catalog stores it */
  layer_field_doc *docs;/* fields' descriptions and units, for the writer (borrowed strings) */
  gdal_errors gerr;
  struct timespec t0, shown;
  int64_t total;        /* features expected, -1 unknown (progress only) */
  bool progress_shown;
  bool guessed_date;    /* the date field is the file's one date field (no --date-field) */
  int64_t review;       /* the review a pending version waits in (store_writer_commit) */
  store_gate gate;      /* the writer's gate: the caller's import_gate, with the review */
} import_state;

/* The writer's gate: the caller's (import_options.gate), told the review a pending version waits
 * in (written by the commit before its gate runs). */
static err_code run_gate(void *ctx, int64_t version, err *e) {
  const import_state *s = ctx;
  return s->opt->gate->fn(s->opt->gate->ctx, version, s->review, e);
}

static double seconds_since(const struct timespec *t0) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* The source's SHA-256: the file, plus a Shapefile's companions (.shx .dbf .prj .cpg), whose
 * change is a change of data too. */
static err_code source_checksum(const char *path, char out[65], err *e) {
  checksum_ctx c;
  checksum_init(&c);
  err_code rc = checksum_update_file(&c, path, e);
  size_t n = strlen(path);
  if (rc == ERR_OK && n > 4 && strcasecmp(path + n - 4, ".shp") == 0) {
    static const char *const SIDE[] = {".shx", ".dbf", ".prj", ".cpg"};
    char side[4096];
    for (int i = 0; i < 4 && rc == ERR_OK; i++) {
      snprintf(side, sizeof side, "%.*s%s", (int)(n - 4), path, SIDE[i]);
      if (access(side, R_OK) == 0) rc = checksum_update_file(&c, side, e);
    }
  }
  checksum_final_hex(&c, out);
  return rc;
}

static void fp_str(checksum_ctx *c, const char *key, const char *v) {
  checksum_update(c, key, strlen(key) + 1);
  if (v) checksum_update(c, v, strlen(v) + 1);
  else checksum_update(c, "\x01", 1);
}

/* A fingerprint of every option that changes what gets published: re-importing the same file
 * with other options (another title, other fields) is a new version, not "unchanged". */
static void options_fingerprint(const import_options *o, char out[65]) {
  checksum_ctx c;
  checksum_init(&c);
  const char *s[] = {o->source_layer, o->source_srs, o->lat_col, o->lon_col, o->wkt_col,
                     o->encoding, o->id_field, o->title, o->description, o->license, o->publisher,
                     o->frequency, o->keywords, o->privacy, o->date_field, o->fingerprint_extra,
                     o->style};
  for (size_t i = 0; i < sizeof s / sizeof *s; i++) fp_str(&c, "opt", s[i]);
  for (size_t i = 0; i < o->n_specs; i++) {
    const import_field_spec *f = &o->specs[i];
    fp_str(&c, "field", f->name);
    fp_str(&c, "rename", f->rename_to);
    fp_str(&c, "label", f->label);
    fp_str(&c, "description", f->description);
    fp_str(&c, "unit", f->unit);
    fp_str(&c, "type", f->has_type ? field_type_name(f->type) : NULL);
  }
  for (size_t i = 0; i < o->n_drop; i++) fp_str(&c, "drop", o->drop[i]);
  for (size_t i = 0; i < o->n_keep; i++) fp_str(&c, "keep", o->keep[i]);
  double nums[] = {o->only_spec_fields, o->fix_swapped, o->has_expect_bbox,
                   o->expect_bbox[0],   o->expect_bbox[1], o->expect_bbox[2],
                   o->expect_bbox[3],   o->has_area,       o->area[0],
                   o->area[1],          o->area[2],        o->area[3],
                   o->keep_versions};
  checksum_update(&c, nums, sizeof nums);
  checksum_final_hex(&c, out);
}

/* True (with the current version in *version) when the layer already holds this source imported
 * with these options. */
static bool is_unchanged(const import_options *opt, const import_report *rep, int64_t *version,
                         err *e) {
  char have[65];
  if (store_layer_checksum(opt->db_path, opt->layer_id, have, e) != ERR_OK ||
      strcmp(have, rep->sha256) != 0)
    return false;
  char *text = NULL;
  if (store_layer_report(opt->db_path, opt->layer_id, &text, e) != ERR_OK || !text) return false;
  json_t *doc = json_loads(text, 0, NULL);
  free(text);
  const char *fp = json_string_value(json_object_get(doc, "options_sha256"));
  bool same = fp && strcmp(fp, rep->options_sha256) == 0;
  *version = json_integer_value(json_object_get(doc, "version"));
  json_decref(doc);
  return same;
}

static void progress(import_state *s, bool final) {
  FILE *out = s->opt->progress;
  if (!out) return;
  if (final) {
    if (s->progress_shown) fputs("\r\033[K", out);
    s->progress_shown = false;
    return;
  }
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  if ((double)(now.tv_sec - s->shown.tv_sec) + (double)(now.tv_nsec - s->shown.tv_nsec) / 1e9 <
      0.25)
    return;
  s->shown = now;
  s->progress_shown = true;
  double el = seconds_since(&s->t0);
  fprintf(out, "\r%s: %lld registros leídos (%.0f por segundo)", s->opt->layer_id,
          (long long)s->rep->n_read, el > 0 ? (double)s->rep->n_read / el : 0.0);
  if (s->total > 0)
    fprintf(out, ", %.0f%%", 100.0 * (double)s->rep->n_read / (double)s->total);
  fputs("\033[K", out);
  fflush(out);
}

/* The geometry of one feature as checked WKB: 1, 0 rejected (reported), -1 fatal. */
static int feature_geometry(import_state *s, OGRFeatureH f, int64_t record, const uint8_t **wkb,
                            size_t *len, err *e) {
  const csv_info *csv = &s->src.csv;
  if (!csv->is_csv) return geom_check_run(&s->gc, OGR_F_GetGeometryRef(f), record, s->rep, wkb, len, e);
  if (csv->wkt_idx >= 0) {
    const char *text = OGR_F_GetFieldAsString(f, csv->wkt_idx);
    OGRGeometryH g = NULL;
    char *p = (char *)text;
    if (!*text) return report_issue(s->rep, ISSUE_NO_GEOMETRY, record, "columna WKT vacía"), 0;
    if (OGR_G_CreateFromWkt(&p, NULL, &g) != OGRERR_NONE || !g)
      return report_issue(s->rep, ISSUE_BAD_WKT, record, "'%.60s'", text), 0;
    int rc = geom_check_run(&s->gc, g, record, s->rep, wkb, len, e);
    OGR_G_DestroyGeometry(g);
    return rc;
  }
  int rc = geom_check_csv_point(&s->gc, OGR_F_GetFieldAsString(f, csv->lon_idx),
                                OGR_F_GetFieldAsString(f, csv->lat_idx), record, s->rep);
  if (rc < 0) return err_set(e, ERR_NOMEM, "sin memoria"), -1;
  return rc ? geom_check_wkb(&s->gc, record, s->rep, wkb, len, e) : 0;
}

/* One checked feature to the writer, through the privacy policy (which may move its point, or
 * only count it). */
static err_code emit(import_state *s, int64_t rec, const uint8_t *wkb, size_t len, err *e) {
  if (s->priv.policy.mode == PRIVACY_MODE_NONE) {
    err_code rc = store_writer_add(s->w, rec, wkb, len, s->schema.values, e);
    s->rep->n_imported += rc == ERR_OK;
    if (rc == ERR_OK) schema_count_published(&s->schema, s->rep);
    return rc;
  }
  int r = import_privacy_feature(&s->priv, &s->schema, rec, &wkb, &len, e);
  if (r < 0) return e->code ? e->code : ERR_INTERNAL;
  /* a moved point is renumbered by the store: the source's order says nothing then */
  err_code rc = r == 1 ? store_writer_add(s->w, -1, wkb, len, s->schema.values, e) : ERR_OK;
  bool counted = r == 1 || (s->priv.policy.mode == PRIVACY_MODE_AGGREGATE && !s->priv.counting);
  s->rep->n_imported += rc == ERR_OK && counted;
  if (rc == ERR_OK && counted) schema_count_published(&s->schema, s->rep);
  return rc;
}

/* The bounds of one import while it reads: records, and (checked every 1024 records, which
 * costs nothing measurable) time. */
static err_code within_limits(import_state *s, int64_t rec, err *e) {
  const import_limits *lim = &s->opt->limits;
  if (rec > lim->rows)
    return err_set(e, ERR_LIMIT, "%s, registro %lld: el archivo pasa de %lld registros "
                   "(--max-rows)", s->opt->path, (long long)rec, (long long)lim->rows);
  if ((rec & 1023) == 0 && seconds_since(&s->t0) > (double)lim->seconds)
    return err_set(e, ERR_LIMIT, "%s, registro %lld: la importación pasó de %lld segundos "
                   "(--max-seconds)", s->opt->path, (long long)rec, (long long)lim->seconds);
  if (s->gerr.n_fetches)
    return err_set(e, ERR_INVALID, "%s, registro %lld: el archivo pide descargar %s: teselas no "
                   "accede a la red al importar", s->opt->path, (long long)rec,
                   s->gerr.first_fetch);
  return ERR_OK;
}

static err_code read_layer(import_state *s, OGRLayerH layer, int64_t *record, err *e) {
  OGR_L_ResetReading(layer);
  schema_bind_layer(&s->schema, OGR_L_GetLayerDefn(layer));
  const char *folder = OGR_L_GetName(layer);
  int failures_before = s->gerr.n_failures;
  OGRFeatureH f;
  err_code rc = ERR_OK;
  while (rc == ERR_OK && (f = OGR_L_GetNextFeature(layer)) != NULL) {
    int64_t rec = ++*record;
    s->rep->n_read++;
    if ((rc = within_limits(s, rec, e)) != ERR_OK) {
      OGR_F_Destroy(f);
      break;
    }
    const uint8_t *wkb = NULL;
    size_t len = 0;
    int ok = feature_geometry(s, f, rec, &wkb, &len, e);
    if (ok == 1) {
      if (!s->priv.counting) schema_values(&s->schema, f, folder, rec, s->rep);
      rc = emit(s, rec, wkb, len, e);
    } else if (ok == 0) {
      s->rep->n_rejected++;
    } else {
      rc = e->code ? e->code : ERR_INTERNAL;
    }
    OGR_F_Destroy(f);
    if ((rec & 1023) == 0) progress(s, false);
  }
  if (rc == ERR_OK && s->gerr.n_failures > failures_before) {
    /* GDAL stopped on an error rather than at the end: a truncated or corrupt file. Publishing
     * the part read would silently drop the rest, so the whole import is refused. */
    char why[ERR_MSG_MAX / 2 + 8];
    rc = err_set(e, ERR_INVALID, "el archivo está dañado o incompleto: la lectura se detuvo "
                 "después del registro %lld: %s", (long long)*record,
                 gdal_errors_text(&s->gerr, "error de GDAL", why, sizeof why));
  }
  return rc;
}

static err_code read_all(import_state *s, err *e) {
  int64_t record = 0;
  s->rep->reading = true;
  s->total = source_count(&s->src);
  for (size_t i = 0; i < s->src.n_layers; i++) {
    err_code rc = read_layer(s, s->src.layers[i], &record, e);
    if (rc != ERR_OK) return rc;
  }
  progress(s, true);
  geom_check_outliers(&s->gc, s->rep);
  if (s->rep->n_imported == 0 && s->priv.n_withheld > 0)
    return err_set(e, ERR_INVALID, "ninguna celda llega a k=%lld casos: no hay nada que se pueda "
                   "publicar", (long long)s->priv.policy.k);
  if (s->rep->n_imported == 0)
    return err_set(e, ERR_INVALID, "ningún registro válido: %lld leídos, %lld rechazados",
                   (long long)s->rep->n_read, (long long)s->rep->n_rejected);
  /* GDAL quotes what it read: with a policy, or a field dropped, only the count is kept */
  if (s->gerr.n_warnings && (s->priv.policy.mode != PRIVACY_MODE_NONE || s->priv.policy.n_dropped))
    report_note(s->rep, "GDAL dio %d avisos", s->gerr.n_warnings);
  else if (s->gerr.n_warnings)
    report_note(s->rep, "GDAL dio %d avisos; el primero: %s", s->gerr.n_warnings,
                s->gerr.first_warning);
  return ERR_OK;
}

/* The layer's one field of dates or datetimes, or NULL (none, or two: no obvious one). */
static const layer_field *one_date_field(const layer_field *f, size_t n) {
  const layer_field *dated = NULL;
  for (size_t i = 0; i < n; i++) {
    if (f[i].type != FIELD_DATE && f[i].type != FIELD_DATETIME) continue;
    if (dated) return NULL;
    dated = &f[i];
  }
  return dated;
}

/* Without --date-field, `teselas import` takes the file's one date field: without a date field
 * OGC datetime queries select nothing (features without a time are never in a datetime's
 * result) and the map's charts and calendar have no months. Two date fields: no guess. */
static const char *date_field_of(const import_state *s, const layer_field *f, size_t n) {
  const import_options *o = s->opt;
  if (s->priv.policy.mode == PRIVACY_MODE_AGGREGATE) return "";
  if (o->date_field || !o->guess_date_field) return o->date_field;
  const layer_field *dated = one_date_field(f, n);
  if (!dated) return NULL;
  return dated->name;
}

/* A layer whose one date field is not its date field (a definition without date_field, or
 * --date-field ''): said, so the publisher knows what datetime queries and charts miss. */
static void note_date_field(import_state *s, const layer_field *f, size_t n) {
  if ((s->opt->date_field && s->opt->date_field[0]) || s->guessed_date ||
      s->priv.policy.mode == PRIVACY_MODE_AGGREGATE)
    return;
  const layer_field *dated = one_date_field(f, n);
  if (dated)
    report_note(s->rep, "el campo %s trae fechas, pero la capa no tiene campo de fecha: las consultas "
                "por fecha (datetime) no encuentran nada; para usarlo: --date-field %s",
                dated->name, dated->name);
}

/* generalize with k: a first pass counts the records per cell (into a report that is thrown
 * away), so the second knows which cells reach k before it writes a point. */
static err_code count_pass(import_state *s, err *e) {
  if (s->priv.policy.mode != PRIVACY_MODE_GENERALIZE || !s->priv.policy.k) return ERR_OK;
  import_report *real = s->rep, *scratch = calloc(1, sizeof *scratch);
  if (!scratch) return err_set(e, ERR_NOMEM, "sin memoria");
  s->rep = scratch;
  s->priv.counting = true;
  int64_t record = 0;
  err_code rc = ERR_OK;
  for (size_t i = 0; i < s->src.n_layers && rc == ERR_OK; i++)
    rc = read_layer(s, s->src.layers[i], &record, e);
  s->rep = real;
  free(scratch);
  if (rc == ERR_OK) rc = import_privacy_end_count(&s->priv, e);
  return rc;
}

static err_code begin_writer(import_state *s, err *e) {
  const import_options *o = s->opt;
  s->privacy_json = import_privacy_catalog_json(&s->priv);
  if (!s->privacy_json) return err_set(e, ERR_NOMEM, "sin memoria");
  layer_meta meta = {.id = o->layer_id, .title = o->title, .description = o->description,
                     .license = o->license, .publisher = o->publisher, .frequency = o->frequency,
                     .keywords = o->keywords, .source_name = s->rep->source_name,
                     .source_sha256 = s->rep->sha256, .privacy = s->privacy_json,
                     .minzoom = -1, .maxzoom = -1,
                     .sample = o->sample,
                     .renumber = s->priv.policy.mode == PRIVACY_MODE_GENERALIZE,
                     .keep_versions = o->keep_versions > 0 ? o->keep_versions : 3,
                     .busy_timeout_ms = o->busy_timeout_ms};
  /* what needs a reviewer: any policy or decision ("{}" is the catalog's "no policy") */
  if (o->review_by && strcmp(s->privacy_json, "{}") != 0) {
    meta.review_by = o->review_by;
    meta.out_review = &s->review;
  }
  if (o->gate) {
    s->gate = (store_gate){run_gate, s, o->busy_timeout_ms};
    meta.gate = &s->gate;
  }
  import_privacy_bounds_step(&s->priv, meta.bounds_step);
  err_code rc = import_privacy_purge_reason(&s->priv, o, &meta.purge_reason, e);
  if (rc != ERR_OK) return rc;
  if (meta.purge_reason)
    report_note(s->rep, "se borraron todas las versiones anteriores, con datos más precisos (%s); "
                "el espacio que ocupaban se sobrescribió con ceros", meta.purge_reason);
  size_t n = 0;
  const layer_field *fields = import_privacy_fields(&s->priv, &s->schema, &n);
  meta.date_field = date_field_of(s, fields, n);
  s->guessed_date = !o->date_field && meta.date_field && meta.date_field[0];
  meta.date_field_guessed = s->guessed_date;
  /* descriptions and units by published name (the store keeps those of published fields) */
  if (o->n_specs && !(s->docs = calloc(o->n_specs, sizeof *s->docs)))
    return err_set(e, ERR_NOMEM, "sin memoria");
  for (size_t i = 0; i < o->n_specs; i++) {
    const import_field_spec *f = &o->specs[i];
    if (!f->description && !f->unit) continue;
    s->docs[meta.n_field_docs++] = (layer_field_doc){
        (char *)(f->rename_to ? f->rename_to : f->name),
        (char *)(f->description ? f->description : ""), (char *)(f->unit ? f->unit : "")};
  }
  meta.field_docs = s->docs;
  rc = store_writer_begin(o->db_path, &meta, fields, n, &s->w, e);
  if (rc == ERR_OK && s->guessed_date)
    report_note(s->rep, "campo de fecha: %s, el único con fechas, si la capa no tenía uno (otro: "
                "--date-field CAMPO; ninguno: --date-field '')", meta.date_field);
  return rc;
}

/* Duplicate ids, the report, the commit. */
static err_code finish(import_state *s, import_result *out, err *e) {
  import_report *rep = s->rep;
  if (s->schema.id_idx >= 0) {
    const char *id = s->schema.fields[s->schema.id_idx].name;
    snprintf(rep->id_field, sizeof rep->id_field, "%s", id);
    err_code rc = store_writer_duplicates(s->w, id, &rep->n_duplicate_ids, rep->duplicate_example,
                                          sizeof rep->duplicate_example, e);
    if (rc != ERR_OK) return rc;
  }
  size_t n_fields = 0;
  const layer_field *fields = import_privacy_fields(&s->priv, &s->schema, &n_fields);
  err_code src = import_autostyle(s->w, fields, n_fields, s->opt->style, e);
  if (src != ERR_OK) return src;
  note_date_field(s, fields, n_fields);
  import_privacy_report(&s->priv, rep);
  if (s->priv.policy.mode != PRIVACY_MODE_NONE) report_scrub(rep);
  else if (s->priv.policy.n_dropped) report_scrub_gdal(rep);
  bool pending = store_writer_pending(s->w);
  rep->status = pending ? "pending" : "published";
  rep->version = store_writer_version(s->w);
  snprintf(rep->message, sizeof rep->message,
           pending ? "versión %lld pendiente de revisión" : "versión %lld publicada",
           (long long)rep->version);
  rep->elapsed_s = seconds_since(&s->t0);
  char *json = report_to_json(rep);
  if (!json) return err_set(e, ERR_NOMEM, "sin memoria para el informe");
  store_writer *w = s->w;
  s->w = NULL;  /* commit frees it, on success and on failure */
  err_code rc = store_writer_commit(w, json, &out->version, e);
  free(json);
  return rc;
}

static void remove_db(const char *path) {
  static const char *const SUFFIX[] = {"", "-wal", "-shm", "-journal"};
  char p[4096];
  for (int i = 0; i < 4; i++) {
    snprintf(p, sizeof p, "%s%s", path, SUFFIX[i]);
    unlink(p);
  }
}

static err_code check_options(const import_options *opt, err *e) {
  if (!opt->path || !opt->db_path || !opt->layer_id)
    return err_set(e, ERR_INVALID, "faltan el archivo, --db o --layer");
  if (!store_layer_id_valid(opt->layer_id))
    return err_set(e, ERR_INVALID,
                   "el id de capa '%s' no es válido: use de 1 a 63 minúsculas, dígitos, '_' o "
                   "'-', empezando por una letra",
                   opt->layer_id);
  /* the policy is parsed here too, so a bad one fails even when the file did not change */
  privacy_policy p;
  const char *spec = opt->privacy;
  while (spec && (*spec == ' ' || *spec == '\t' || *spec == '\n')) spec++;
  if (spec && *spec == '{') return privacy_policy_from_json(spec, &p, e);
  if (spec && *spec) return privacy_policy_parse(spec, &p, e);
  return ERR_OK;
}

/* Everything up to the end of the data: open, schema, geometry checks, writer, stream. */
static err_code run_import(import_state *s, import_result *out, err *e) {
  err_code rc = source_open(s->opt, &s->src, s->rep, e);
  if (rc == ERR_OK) rc = schema_build(s->opt, &s->src, &s->schema, s->rep, e);
  if (rc == ERR_OK) rc = schema_compare(s->opt, &s->schema, s->rep, e);
  if (rc == ERR_OK) rc = import_privacy_init(&s->priv, s->opt, e);
  if (rc == ERR_OK) rc = import_privacy_check(&s->priv, s->opt, &s->src, &s->schema, s->rep, e);
  if (rc == ERR_OK) rc = geom_check_init(&s->gc, s->opt, &s->src, s->rep, e);
  if (rc == ERR_OK) rc = begin_writer(s, e);
  if (rc == ERR_OK) rc = count_pass(s, e);
  if (rc == ERR_OK) rc = read_all(s, e);
  if (rc == ERR_OK) rc = import_privacy_publish(&s->priv, s->w, e);
  if (rc == ERR_OK) rc = finish(s, out, e);
  return rc;
}

static void result_fill(import_result *out, import_report *rep) {
  out->n_imported = rep->n_imported;
  out->n_rejected = rep->n_rejected;
  out->n_warnings = rep->n_duplicate_ids;
  for (int k = ISSUE_N_REJECT; k < ISSUE_N; k++) out->n_warnings += rep->counts[k];
  out->report_json = report_to_json(rep);
  out->report_text = report_to_text(rep);
}

/* The box features are checked against, and where it came from, for the report to name. */
static void report_area_from(import_report *rep, const import_options *given,
                             const import_options *eff) {
  rep->area_from = given->has_expect_bbox ? "expect_bbox"
                   : given->has_area      ? "area"
                   : eff->has_area        ? "catalog"
                                          : "default";
  if (given->has_expect_bbox) memcpy(rep->area, given->expect_bbox, sizeof rep->area);
  else if (eff->has_area) memcpy(rep->area, eff->area, sizeof rep->area);
  else import_default_area(rep->area);
}

static err_code import_run_file(const import_options *given, import_result *out, err *e) {
  memset(out, 0, sizeof *out);
  out->status = IMPORT_REJECTED;
  err local;
  if (!e) e = &local;
  err_clear(e);
  err_code rc = check_options(given, e);
  if (rc != ERR_OK) return rc;
  /* Without --area, the catalog's area of interest (when one is stored) is the area: it enters
   * the fingerprint, so moving the catalog's area re-checks the layers on their next import. */
  import_options eff = *given;
  const import_options *opt = &eff;
  guard_limits_resolve(&given->limits, &eff.limits);
  if (!eff.has_area && (rc = store_area_get(eff.db_path, eff.area, &eff.has_area, e)) != ERR_OK)
    return rc;
  /* one name per schedule in the catalog ("Trimestral", "QUARTERLY" → "quarterly"), so the
   * calendar and the catalogue read it; a frequency it does not know stops the import */
  if (eff.frequency && (rc = calendar_freq_normalize(eff.frequency, &eff.frequency, e)) != ERR_OK)
    return rc;
  import_state s = {.opt = opt};
  clock_gettime(CLOCK_MONOTONIC, &s.t0);
  s.rep = calloc(1, sizeof *s.rep);
  if (!s.rep) return err_set(e, ERR_NOMEM, "sin memoria");
  import_report *rep = s.rep;
  snprintf(rep->layer_id, sizeof rep->layer_id, "%s", opt->layer_id);
  report_area_from(rep, given, &eff);
  char pathcopy[4096];
  snprintf(pathcopy, sizeof pathcopy, "%s", opt->path);
  snprintf(rep->source_name, sizeof rep->source_name, "%s", basename(pathcopy));
  utf8_sanitize(rep->source_name);
  /* the path and the size are checked before the file is read at all (here, for its checksum) */
  rc = guard_path(opt->path, &opt->limits, e);
  if (rc == ERR_OK)
    rc = access(opt->path, R_OK) == 0 ? source_checksum(opt->path, rep->sha256, e)
                                      : err_set(e, ERR_IO, "no se puede leer el archivo %s", opt->path);
  options_fingerprint(opt, rep->options_sha256);
  if (rc == ERR_OK && !opt->force && is_unchanged(opt, rep, &out->version, e)) {
    out->status = IMPORT_UNCHANGED;
    rep->status = "unchanged";
    rep->version = out->version;
    snprintf(rep->message, sizeof rep->message,
             "la versión %lld ya tiene este archivo (mismo SHA-256) con las mismas opciones",
             (long long)out->version);
    result_fill(out, rep);
    free(rep);
    return ERR_OK;
  }
  struct stat st;
  bool db_existed = stat(opt->db_path, &st) == 0;
  import_gdal_setup();
  gdal_errors_push(&s.gerr);
  s.src.gdal = &s.gerr;
  if (rc == ERR_OK) rc = run_import(&s, out, e);
  gdal_errors_pop();
  progress(&s, true);
  if (rc == ERR_OK) {
    out->status = s.review ? IMPORT_PENDING : IMPORT_PUBLISHED;
    out->review = s.review;
  } else {
    store_writer_abort(s.w);
    s.w = NULL;
    if (!db_existed) remove_db(opt->db_path);
    rep->status = "rejected";
    rep->version = 0;
    snprintf(rep->message, sizeof rep->message, "%s", e ? e->msg : "error");
    utf8_sanitize(rep->message);
    if (s.priv.policy.mode != PRIVACY_MODE_NONE) report_scrub(rep);
  }
  rep->elapsed_s = seconds_since(&s.t0);
  result_fill(out, rep);
  geom_check_free(&s.gc);
  schema_free(&s.schema);
  source_close(&s.src);
  import_privacy_free(&s.priv);
  free(s.privacy_json);
  free(s.docs);
  report_free_fields(rep);
  free(rep->privacy_json);
  free(rep->privacy_text);
  free(rep);
  return rc;
}

void import_result_free(import_result *r) {
  free(r->report_json);
  free(r->report_text);
  memset(r, 0, sizeof *r);
}

/* Over PostgreSQL the same import runs on a private SpatiaLite copy of the catalogue, and a
 * published version moves into the schema in the transaction opened before the copy
 * (store/pg_write.c says why), as does a version waiting for review; a refused or unchanged
 * import rolls back: nothing changed. */
err_code import_run(const import_options *given, import_result *out, err *e) {
  if (!store_db_is_pg(given->db_path)) return import_run_file(given, out, e);
  err local;
  if (!e) e = &local;
  memset(out, 0, sizeof *out);
  out->status = IMPORT_REJECTED;
  if (!given->layer_id || !store_layer_id_valid(given->layer_id))
    return import_run_file(given, out, e); /* the checks say what is wrong, before any write */
  store_pg_write *w = NULL;
  err_code rc = store_pg_write_begin(given->db_path, given->layer_id, &w, e);
  if (rc != ERR_OK) return rc;
  import_options o = *given;
  o.db_path = store_pg_write_path(w);
  rc = import_run_file(&o, out, e);
  /* a version waiting for review is written whole, as a published one (store/review.c) */
  if (rc != ERR_OK || (out->status != IMPORT_PUBLISHED && out->status != IMPORT_PENDING)) {
    store_pg_write_abort(w);
    return rc;
  }
  rc = store_pg_write_commit(w, e);
  if (rc != ERR_OK) out->status = IMPORT_REJECTED;
  return rc;
}
