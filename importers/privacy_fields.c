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

#include <jansson.h>

#include "importers/import_privacy_int.h"
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
  else if (q.mode != PRIVACY_MODE_NONE || q.exact_decided)
    p->policy = q, p->inherited = true, p->explicit_none = q.exact_decided;
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
  if (spec && *spec == '{') {
    rc = privacy_policy_from_json(spec, &p->policy, e);
    /* "{}" is the catalog's "no policy", not a decision; {"mode":"none"} is one */
    json_t *doc = json_loads(spec, 0, NULL);
    p->explicit_none = json_object_get(doc, "mode") != NULL || p->policy.exact_decided;
    json_decref(doc);
  } else if (spec && *spec) {
    rc = privacy_policy_parse(spec, &p->policy, e);
    p->explicit_none = true;
  } else {
    rc = inherit(p, opt, e);
  }
  if (rc != ERR_OK) return rc;
  p->explicit_none &= p->policy.mode == PRIVACY_MODE_NONE;
  /* Decisions come from this import's flags only, never from a JSON form's lists: the reason for
   * exact locations, the identifiers and the time bands are found again on every import. */
  p->policy.n_kept = p->policy.n_dropped = 0;
  p->policy.n_ids_dropped = p->policy.n_banded = 0;
  p->policy.exact_decided = false;
  p->policy.exact_reason[0] = '\0';
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
  free(p->band);
  free(p->band_text);
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

/* The first rows of the source: every field as text, column by column, and whether the layer
 * holds points (the geometry a policy of exact locations would publish as is). */
typedef struct sample {
  char **v;                   /* rows * n, row-major; NULL for empty */
  size_t rows, n;
  privacy_field_sample *fs;   /* one per schema field, over cols */
  const char **cols;
  bool points;
} sample;

static bool is_point_feature(const import_source *src, OGRFeatureH f) {
  const csv_info *csv = &src->csv;
  if (csv->is_csv && csv->wkt_idx < 0) return csv->lat_idx >= 0;
  if (csv->is_csv) {
    const char *t = OGR_F_GetFieldAsString(f, csv->wkt_idx);
    while (*t == ' ') t++;
    return strncasecmp(t, "POINT", 5) == 0 || strncasecmp(t, "MULTIPOINT", 10) == 0;
  }
  OGRGeometryH g = OGR_F_GetGeometryRef(f);
  OGRwkbGeometryType t = g ? wkbFlatten(OGR_G_GetGeometryType(g)) : wkbUnknown;
  return t == wkbPoint || t == wkbMultiPoint;
}

static void sample_free(sample *sm) {
  for (size_t k = 0; sm->v && k < sm->rows * sm->n; k++) free(sm->v[k]);
  free(sm->v);
  free(sm->fs);
  free(sm->cols);
  memset(sm, 0, sizeof *sm);
}

/* Up to SAMPLE_ROWS rows of every field as text. */
static err_code sample_rows(import_source *src, import_schema *s, sample *sm, err *e) {
  memset(sm, 0, sizeof *sm);
  sm->n = s->n;
  sm->v = calloc((size_t)SAMPLE_ROWS * (s->n ? s->n : 1), sizeof *sm->v);
  for (size_t l = 0; sm->v && l < src->n_layers && sm->rows < SAMPLE_ROWS; l++) {
    OGRLayerH layer = src->layers[l];
    OGR_L_ResetReading(layer);
    schema_bind_layer(s, OGR_L_GetLayerDefn(layer));
    OGRFeatureH f;
    while (sm->rows < SAMPLE_ROWS && (f = OGR_L_GetNextFeature(layer)) != NULL) {
      for (size_t i = 0; i < s->n; i++) {
        const char *t = !s->src[i].src_name ? OGR_L_GetName(layer)
                        : s->src[i].src_idx >= 0 &&
                                OGR_F_IsFieldSetAndNotNull(f, s->src[i].src_idx)
                            ? OGR_F_GetFieldAsString(f, s->src[i].src_idx)
                            : NULL;
        if (t && *t) sm->v[sm->rows * s->n + i] = strdup(t);
      }
      sm->points |= is_point_feature(src, f);
      OGR_F_Destroy(f);
      sm->rows++;
    }
    OGR_L_ResetReading(layer);
  }
  size_t rows = sm->rows ? sm->rows : 1;
  sm->fs = calloc(s->n ? s->n : 1, sizeof *sm->fs);
  sm->cols = calloc((s->n ? s->n : 1) * rows, sizeof *sm->cols);
  if (!sm->v || !sm->fs || !sm->cols) return err_set(e, ERR_NOMEM, "sin memoria");
  for (size_t i = 0; i < s->n; i++) {
    const char **col = sm->cols + i * rows;
    for (size_t r = 0; r < sm->rows; r++) col[r] = sm->v[r * s->n + i];
    sm->fs[i] = (privacy_field_sample){s->src[i].src_name ? s->src[i].src_name : "carpeta", col,
                                       sm->rows};
  }
  return ERR_OK;
}

/* Runs the detector over the sampled rows into *out. */
static err_code detect(import_privacy *p, const sample *sm, privacy_detection *out, err *e) {
  privacy_detect_options o = {.exact_location = privacy_policy_exact_locations(&p->policy)};
  return privacy_detect_fields(sm->fs, sm->n, &o, out, e);
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

/* Copies at most max bytes of s into out, cut at a character boundary. */
static void clip_utf8(const char *s, size_t max, char *out) {
  size_t n = strlen(s);
  if (n > max) {
    n = max;
    while (n && ((unsigned char)s[n] & 0xC0) == 0x80) n--;
  }
  memcpy(out, s, n);
  out[n] = '\0';
}

/* A point layer with exact locations that looks like incidents against people: refused until
 * the publisher chooses a policy, or recorded when they chose none on purpose. */
static err_code check_incidents(import_privacy *p, const import_options *opt, const sample *sm,
                                import_report *rep, err *e) {
  if (p->policy.mode != PRIVACY_MODE_NONE || !sm->points) return ERR_OK;
  privacy_incident_input in = {.title = opt->title, .description = opt->description,
                               .keywords = opt->keywords, .fields = sm->fs, .n_fields = sm->n};
  buf why;
  buf_init(&why, 0);
  err_code rc = ERR_OK;
  if (!privacy_detect_incidents(&in, &why)) goto done;
  if (why.failed) {
    rc = err_set(e, ERR_NOMEM, "sin memoria");
    goto done;
  }
  if (p->explicit_none) {
    privacy_policy_decide_exact(&p->policy, buf_cstr(&why));
    goto done;
  }
  char shown[240];
  clip_utf8(buf_cstr(&why), 200, shown);
  rc = err_set(e, ERR_INVALID, "la capa parece registrar incidentes contra personas (%s%s) y "
               "publicaría sus ubicaciones exactas: elija una política (--privacy "
               "generalize:grid=250,month,k=5 o --privacy aggregate:grid=500,k=5) o indique "
               "--privacy none para publicarlas por decisión expresa",
               shown, strlen(shown) < why.len ? "…" : "");
  free(rep->privacy_text);
  buf_puts(&why, "\n");
  buf_cstr(&why);
  rep->privacy_text = why.failed ? NULL : (char *)buf_steal(&why, NULL);
done:
  buf_free(&why);
  return rc;
}

/* Removes schema field i (and its report entry): its values are never read again. */
static void schema_remove(import_schema *s, import_report *rep, size_t i) {
  free(s->fields[i].name);
  free(s->fields[i].label);
  free(s->src[i].src_name);
  buf_free(&s->src[i].scratch);
  memmove(s->fields + i, s->fields + i + 1, (s->n - i - 1) * sizeof *s->fields);
  memmove(s->src + i, s->src + i + 1, (s->n - i - 1) * sizeof *s->src);
  memmove(s->values + i, s->values + i + 1, (s->n - i - 1) * sizeof *s->values);
  if (s->id_idx == (int)i) s->id_idx = -1;
  else if (s->id_idx > (int)i) s->id_idx--;
  s->n--;
  if (rep->fields && i < rep->n_fields) {
    free(rep->fields[i].name);
    free(rep->fields[i].source_name);
    memmove(rep->fields + i, rep->fields + i + 1, (rep->n_fields - i - 1) * sizeof *rep->fields);
    rep->n_fields--;
  }
}

/* generalize: the source's identifiers are not published (the store numbers the records), and
 * with month the times of day become 6-hour bands, unless kept with --keep-field. A field the
 * policy names (by=, date=) is left alone. */
static err_code unlink_records(import_privacy *p, import_schema *s, const sample *sm,
                               import_report *rep, err *e) {
  privacy_policy *pol = &p->policy;
  if (pol->mode != PRIVACY_MODE_GENERALIZE) return ERR_OK;
  size_t n0 = s->n;
  int *action = calloc(n0 ? n0 : 1, sizeof *action); /* 1 drop, 2 band */
  if (!action) return err_set(e, ERR_NOMEM, "sin memoria");
  err_code rc = ERR_OK;
  for (size_t i = 0; i < n0 && rc == ERR_OK; i++) {
    if (privacy_policy_is_kept(pol, s->fields[i].name)) continue;
    field_type t = s->fields[i].type;
    if (privacy_detect_identifier(&sm->fs[i])) {
      action[i] = 1;
      rc = privacy_policy_drop_id(pol, s->fields[i].name, e);
    } else if (pol->month && t != FIELD_DATE && t != FIELD_DATETIME &&
               privacy_detect_time_of_day(&sm->fs[i])) {
      action[i] = 2;
      rc = privacy_policy_band_time(pol, s->fields[i].name, e);
    }
  }
  for (size_t i = n0; rc == ERR_OK && i-- > 0;)
    if (action[i] == 1) {
      report_note(rep, "el campo %s no se publica: parece el identificador de cada registro en el "
                  "origen (consérvelo con --keep-field)", s->fields[i].name);
      schema_remove(s, rep, i);
    }
  if (rc == ERR_OK && pol->n_banded) {
    p->band = calloc(s->n ? s->n : 1, sizeof *p->band);
    p->band_text = calloc(s->n ? s->n : 1, sizeof *p->band_text);
    if (!p->band || !p->band_text) rc = err_set(e, ERR_NOMEM, "sin memoria");
    for (size_t i = 0, j = 0; rc == ERR_OK && i < n0; i++) {
      if (action[i] == 1) continue;
      p->band[j] = action[i] == 2;
      j++;
    }
  }
  free(action);
  return rc;
}

err_code import_privacy_check(import_privacy *p, const import_options *opt, import_source *src,
                              import_schema *schema, import_report *rep, err *e) {
  privacy_detection d = {0};
  sample sm;
  err_code rc = sample_rows(src, schema, &sm, e);
  if (rc == ERR_OK) rc = detect(p, &sm, &d, e);
  if (rc == ERR_OK) rc = record_decisions(p, opt, schema, &d, e);
  if (rc == ERR_OK) rc = refuse_undecided(opt, schema, &d, rep, e);
  if (rc == ERR_OK) rc = check_incidents(p, opt, &sm, rep, e);
  if (rc == ERR_OK) rc = unlink_records(p, schema, &sm, rep, e);
  if (rc == ERR_OK) rc = resolve_fields(p, schema, e);
  privacy_detection_free(&d);
  sample_free(&sm);
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
  store_bounds_step(p->policy.grid_m, out);
}

static int mode_rank(privacy_mode m) {
  return m == PRIVACY_MODE_AGGREGATE ? 2 : m == PRIVACY_MODE_GENERALIZE ? 1 : 0;
}

static bool newly_listed(const char (*now)[PRIVACY_NAME_MAX], size_t n_now,
                         const char (*before)[PRIVACY_NAME_MAX], size_t n_before) {
  for (size_t i = 0; i < n_now; i++) {
    bool seen = false;
    for (size_t j = 0; j < n_before && !seen; j++) seen = strcmp(now[i], before[j]) == 0;
    if (!seen) return true;
  }
  return false;
}

/* Why the new policy publishes less than the published one, or NULL when it does not. */
static const char *tighter(const privacy_policy *was, const privacy_policy *now) {
  if (mode_rank(now->mode) > mode_rank(was->mode))
    return now->mode == PRIVACY_MODE_AGGREGATE ? "la capa pasa a publicar solo conteos"
                                               : "la capa pasa a publicar ubicaciones aproximadas";
  if (now->mode == PRIVACY_MODE_NONE || now->mode != was->mode) return NULL;
  if (was->grid_m > 0 && now->grid_m > was->grid_m) return "la cuadrícula es más gruesa";
  if (was->layer[0] && !now->layer[0]) return "otra unidad de agregación";
  if (now->month && !was->month) return "las fechas pasan a publicarse por mes";
  if (now->k > was->k) return "el umbral de casos k es mayor";
  if (newly_listed(now->dropped, now->n_dropped, was->dropped, was->n_dropped) ||
      newly_listed(now->ids_dropped, now->n_ids_dropped, was->ids_dropped, was->n_ids_dropped) ||
      newly_listed(now->banded, now->n_banded, was->banded, was->n_banded))
    return "se dejan de publicar campos o detalles que se publicaban";
  return NULL;
}

err_code import_privacy_purge_reason(const import_privacy *p, const import_options *opt,
                                     const char **out, err *e) {
  *out = NULL;
  char *prev = NULL;
  err_code rc = store_layer_privacy(opt->db_path, opt->layer_id, &prev, e);
  if (rc != ERR_OK || !prev) return rc;
  privacy_policy was;
  err local;
  /* an unreadable published policy: nothing says the old rows are coarse, so they go */
  if (privacy_policy_from_json(prev, &was, &local) != ERR_OK) *out = "la política anterior no se puede leer";
  else *out = tighter(&was, &p->policy);
  free(prev);
  return ERR_OK;
}
