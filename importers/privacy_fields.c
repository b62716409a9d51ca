/* privacy_fields.c — the privacy policy of an import before any feature is written: the policy
 * parsed from the options, and the personal-data check (privacy/detect.h) on the first rows.
 *
 * The check runs after the schema is known and before the writer opens the database, so an import
 * stopped by it leaves the database untouched. Dropped fields never get this far: schema.c leaves
 * them out of the schema, so they have no column and their values are never read into a value.
 * What this file does not do: move points or count them (privacy_points.c, privacy_cells.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "importers/import_int.h"
#include "privacy/detect.h"

enum { SAMPLE_ROWS = 1000 };

/* Without --privacy, a new version keeps the published version's policy: a monthly update that
 * forgets the flag must not publish exact locations of a layer that had none. */
static err_code inherit(import_privacy *p, const import_options *opt, err *e) {
  char *prev = NULL;
  err_code rc = store_layer_privacy(opt->db_path, opt->layer_id, &prev, e);
  if (rc != ERR_OK || !prev) return rc;
  privacy_policy q;
  err local;
  if (privacy_policy_from_json(prev, &q, &local) != ERR_OK)
    rc = err_set(e, ERR_INVALID, "la política de privacidad publicada de la capa no se puede leer "
                 "(%s): indique --privacy", local.msg);
  else if (q.mode != PRIVACY_MODE_NONE)
    p->policy = q, p->inherited = true;
  free(prev);
  return rc;
}

err_code import_privacy_init(import_privacy *p, const import_options *opt, err *e) {
  memset(p, 0, sizeof *p);
  p->date_idx = -1;
  for (int i = 0; i < PRIVACY_MAX_BY; i++) p->by_idx[i] = -1;
  buf_init(&p->wkb, 0);
  buf_init(&p->text, 0);
  privacy_policy_init(&p->policy);
  const char *spec = opt->privacy;
  while (spec && (*spec == ' ' || *spec == '\t' || *spec == '\n')) spec++;
  err_code rc = ERR_OK;
  if (spec && *spec == '{') rc = privacy_policy_from_json(spec, &p->policy, e);
  else if (spec && *spec) rc = privacy_policy_parse(spec, &p->policy, e);
  else rc = inherit(p, opt, e);
  if (rc != ERR_OK) return rc;
  /* Decisions come from this import's flags only, never from a JSON form's lists. */
  p->policy.n_kept = p->policy.n_dropped = 0;
  if (p->policy.grid_m > 0)
    rc = privacy_grid_create(p->policy.grid_m, p->policy.shape, &p->grid, e);
  if (rc == ERR_OK && p->policy.layer[0])
    rc = polygon_index_load(opt->db_path, p->policy.layer, &p->polygons, e);
  return rc;
}

void import_privacy_free(import_privacy *p) {
  privacy_grid_destroy(p->grid);
  polygon_index_free(p->polygons);
  privacy_kanon_destroy(p->kn);
  buf_free(&p->wkb);
  buf_free(&p->text);
  free(p->months);
  memset(p, 0, sizeof *p);
}

/* The name a decision (--drop, --keep-field, by=, date=) uses for schema field i: its name in the
 * source, or its published name. */
static bool field_named(const import_schema *s, size_t i, const char *name) {
  const char *src = s->src[i].src_name ? s->src[i].src_name : "carpeta";
  return strcasecmp(src, name) == 0 || strcasecmp(s->fields[i].name, name) == 0;
}

static int find_field(const import_schema *s, const char *name) {
  for (size_t i = 0; i < s->n; i++)
    if (field_named(s, i, name)) return (int)i;
  return -1;
}

/* Up to SAMPLE_ROWS rows of every field as text (NULL for empty), row-major; *out_rows rows. */
static char **sample_rows(import_source *src, import_schema *s, size_t *out_rows) {
  char **v = calloc((size_t)SAMPLE_ROWS * (s->n ? s->n : 1), sizeof *v);
  size_t rows = 0;
  for (size_t l = 0; v && l < src->n_layers && rows < SAMPLE_ROWS; l++) {
    OGRLayerH layer = src->layers[l];
    OGR_L_ResetReading(layer);
    schema_bind_layer(s, OGR_L_GetLayerDefn(layer));
    OGRFeatureH f;
    while (rows < SAMPLE_ROWS && (f = OGR_L_GetNextFeature(layer)) != NULL) {
      for (size_t i = 0; i < s->n; i++) {
        const char *t = !s->src[i].src_name ? OGR_L_GetName(layer)
                        : s->src[i].src_idx >= 0 &&
                                OGR_F_IsFieldSetAndNotNull(f, s->src[i].src_idx)
                            ? OGR_F_GetFieldAsString(f, s->src[i].src_idx)
                            : NULL;
        if (t && *t) v[rows * s->n + i] = strdup(t);
      }
      OGR_F_Destroy(f);
      rows++;
    }
    OGR_L_ResetReading(layer);
  }
  *out_rows = rows;
  return v;
}

/* Runs the detector over the sampled rows into *out. */
static err_code detect(import_privacy *p, import_source *src, import_schema *s,
                       privacy_detection *out, err *e) {
  size_t rows = 0;
  char **v = sample_rows(src, s, &rows);
  privacy_field_sample *fs = calloc(s->n ? s->n : 1, sizeof *fs);
  const char **cols = calloc((s->n ? s->n : 1) * (rows ? rows : 1), sizeof *cols);
  err_code rc = ERR_OK;
  if (!v || !fs || !cols) {
    rc = err_set(e, ERR_NOMEM, "sin memoria");
    goto done;
  }
  for (size_t i = 0; i < s->n; i++) {
    const char **col = cols + i * rows;
    for (size_t r = 0; r < rows; r++) col[r] = v[r * s->n + i];
    fs[i] = (privacy_field_sample){s->src[i].src_name ? s->src[i].src_name : "carpeta", col, rows};
  }
  privacy_detect_options o = {.exact_location = privacy_policy_exact_locations(&p->policy)};
  rc = privacy_detect_fields(fs, s->n, &o, out, e);
done:
  for (size_t k = 0; v && k < rows * s->n; k++) free(v[k]);
  free(v);
  free(fs);
  free(cols);
  return rc;
}

/* Records --keep-field and --drop in the policy; every kept field must exist. */
static err_code record_decisions(import_privacy *p, const import_options *opt,
                                 const import_schema *s, const privacy_detection *d, err *e) {
  err_code rc = ERR_OK;
  buf why;
  buf_init(&why, 0);
  for (size_t i = 0; i < opt->n_keep && rc == ERR_OK; i++) {
    int idx = find_field(s, opt->keep[i]);
    if (idx < 0) {
      rc = err_set(e, ERR_INVALID, "--keep-field: el archivo no tiene el campo '%s'",
                   opt->keep[i]);
      break;
    }
    const privacy_finding *f = privacy_detection_find(d, s->src[idx].src_name ? s->src[idx].src_name
                                                                             : "carpeta");
    buf_reset(&why);
    if (f) privacy_finding_reason(f, &why);
    else buf_puts(&why, "no parecía personal; se conserva por decisión de quien publica");
    rc = privacy_policy_keep_field(&p->policy, s->fields[idx].name, buf_cstr(&why), e);
  }
  for (size_t i = 0; i < opt->n_drop && rc == ERR_OK; i++)
    rc = privacy_policy_drop_field(&p->policy, opt->drop[i], e);
  buf_free(&why);
  return rc;
}

/* The findings not covered by --keep-field: the import stops. The error names every field (a
 * list that fits the one-line message); the report says why each looks personal. */
static err_code refuse_undecided(const import_options *opt, const import_schema *s,
                                 const privacy_detection *d, import_report *rep, err *e) {
  const char **skip = calloc(opt->n_keep + 1, sizeof *skip);
  if (!skip) return err_set(e, ERR_NOMEM, "sin memoria");
  size_t n_skip = 0;
  for (size_t i = 0; i < opt->n_keep; i++) {
    int idx = find_field(s, opt->keep[i]);
    if (idx >= 0) skip[n_skip++] = s->src[idx].src_name ? s->src[idx].src_name : "carpeta";
  }
  buf why, names;
  buf_init(&why, 0);
  buf_init(&names, 0);
  err_code rc = ERR_OK;
  if (privacy_detection_message(d, skip, n_skip, &why)) {
    for (size_t i = 0; i < d->n_findings; i++) {
      const char *f = d->findings[i].field;
      bool kept = false;
      for (size_t k = 0; k < n_skip && !kept; k++) kept = strcmp(skip[k], f) == 0;
      if (!kept) buf_printf(&names, "%s%s", names.len ? ", " : "", f);
    }
    rc = err_set(e, ERR_INVALID, "el archivo parece contener datos personales en %s: use --drop "
                 "CAMPO para no publicarlo o --keep-field CAMPO para publicarlo conscientemente",
                 buf_cstr(&names));
    free(rep->privacy_text);
    buf_puts(&why, "\n");
    buf_cstr(&why);
    rep->privacy_text = why.failed ? NULL : (char *)buf_steal(&why, NULL);
  }
  buf_free(&why);
  buf_free(&names);
  free(skip);
  return rc;
}

/* aggregate: the category and date fields must be in the schema (not dropped). */
static err_code resolve_fields(import_privacy *p, import_schema *s, err *e) {
  const privacy_policy *pol = &p->policy;
  for (size_t i = 0; i < pol->n_by; i++)
    if ((p->by_idx[i] = find_field(s, pol->by[i])) < 0)
      return err_set(e, ERR_INVALID, "privacidad: by=%s: el archivo no tiene ese campo (o se "
                     "descartó con --drop)", pol->by[i]);
  if (pol->date_field[0] && (p->date_idx = find_field(s, pol->date_field)) < 0)
    return err_set(e, ERR_INVALID, "privacidad: date=%s: el archivo no tiene ese campo (o se "
                   "descartó con --drop)", pol->date_field);
  if (pol->mode == PRIVACY_MODE_GENERALIZE && pol->month) {
    p->months = calloc(s->n ? s->n : 1, sizeof *p->months);
    if (!p->months) return err_set(e, ERR_NOMEM, "sin memoria");
    for (size_t i = 0; i < s->n; i++)
      if (s->fields[i].type == FIELD_DATETIME) s->fields[i].type = FIELD_DATE;
  }
  if (pol->mode == PRIVACY_MODE_AGGREGATE) {
    s->id_idx = -1; /* the published layer has no id field of the source */
    p->out_fields[0] = (layer_field){"celda", "Celda", FIELD_TEXT};
    p->out_fields[1] = (layer_field){"casos", "Casos", FIELD_INTEGER};
  }
  return ERR_OK;
}

err_code import_privacy_check(import_privacy *p, const import_options *opt, import_source *src,
                              import_schema *schema, import_report *rep, err *e) {
  privacy_detection d = {0};
  err_code rc = detect(p, src, schema, &d, e);
  if (rc == ERR_OK) rc = record_decisions(p, opt, schema, &d, e);
  if (rc == ERR_OK) rc = refuse_undecided(opt, schema, &d, rep, e);
  if (rc == ERR_OK) rc = resolve_fields(p, schema, e);
  privacy_detection_free(&d);
  return rc;
}

const layer_field *import_privacy_fields(const import_privacy *p, const import_schema *s,
                                         size_t *out_n) {
  if (p->policy.mode == PRIVACY_MODE_AGGREGATE) {
    *out_n = 2;
    return p->out_fields;
  }
  *out_n = s->n;
  return s->fields;
}

char *import_privacy_catalog_json(const import_privacy *p) {
  buf b;
  buf_init(&b, 0);
  privacy_policy_to_json(&p->policy, &b);
  buf_cstr(&b);
  if (b.failed) {
    buf_free(&b);
    return NULL;
  }
  return (char *)buf_steal(&b, NULL);
}

void import_privacy_bounds_step(const import_privacy *p, double out[2]) {
  /* A degree of latitude is 110.6 km; of longitude 111.3 km × cos(lat), so one step of
   * grid_m / 111.3 km is a little under the grid in both directions at any latitude of Mexico:
   * the bounds never say more than "within about a cell". */
  out[0] = out[1] = p->policy.grid_m > 0 ? p->policy.grid_m / 111320.0 : 0;
}
