/* privacy_points.c — each checked feature of a layer with a privacy policy, on its way to the
 * writer: `generalize` replaces the point by the centre of its grid cell (and dates by their
 * month) before the writer ever sees it; with k, a first pass only counts the records per cell,
 * and the second writes the points of the cells that reached k. `aggregate` writes nothing per
 * record: it hands (cell, category, month) to privacy/kanon and privacy_cells.c publishes counts.
 *
 * Exact coordinates stay in the importer's memory, one record at a time; they are never bound to
 * an SQL statement. Only points are accepted: a policy that moves points cannot honestly move a
 * street or a park, so any other geometry stops the import. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "importers/import_privacy_int.h"
#include "geom/wkb.h"
#include "privacy/detect.h"

static const char *const MODE_NAME[] = {"none", "generalize", "aggregate"};

/* The point of little-endian 2D WKB: a Point, or a MultiPoint of one point. */
static bool wkb_point_xy(const uint8_t *w, size_t n, double *x, double *y) {
  if (n == 21 && w[0] == 1 && w[1] == 1 && !w[2] && !w[3] && !w[4]) {
    memcpy(x, w + 5, 8);
    memcpy(y, w + 13, 8);
    return true;
  }
  if (n == 30 && w[0] == 1 && w[1] == 4 && !w[2] && !w[3] && !w[4] && w[5] == 1 && !w[6] &&
      !w[7] && !w[8])
    return wkb_point_xy(w + 9, 21, x, y);
  return false;
}

/* The value of a schema field as text for a category ("" for null). Points into p->text. */
static const char *value_text(import_privacy *p, const value *v) {
  buf_reset(&p->text);
  switch (v->kind) {
    case VALUE_NULL: break;
    case VALUE_INT:
    case VALUE_BOOL: buf_printf(&p->text, "%lld", (long long)v->i); break;
    case VALUE_REAL: buf_printf(&p->text, "%.15g", v->d); break;
    case VALUE_TEXT: buf_append(&p->text, v->s, v->len); break;
  }
  return buf_cstr(&p->text);
}

/* generalize with month: date and datetime values become the first of their month. */
static void truncate_dates(import_privacy *p, import_schema *s) {
  for (size_t i = 0; i < s->n; i++) {
    value *v = &s->values[i];
    if (s->fields[i].type != FIELD_DATE || v->kind != VALUE_TEXT) continue;
    char text[64];
    snprintf(text, sizeof text, "%.*s", (int)(v->len < 63 ? v->len : 63), v->s);
    if (privacy_date_month(text, p->months[i], NULL) == ERR_OK)
      *v = (value){.kind = VALUE_TEXT, .s = p->months[i], .len = 10};
    else
      *v = (value){.kind = VALUE_NULL}; /* a day we cannot truncate is not published */
  }
}

/* generalize with month: a time of day becomes the first hour of its 6-hour band (an integer
 * field) or the band as text ("06:00-12:00"); a value that is not a time is not published. */
static void band_times(import_privacy *p, import_schema *s) {
  for (size_t i = 0; i < s->n; i++) {
    value *v = &s->values[i];
    if (!p->band[i] || v->kind == VALUE_NULL) continue;
    int band = -1;
    if (v->kind == VALUE_INT) band = v->i >= 0 && v->i <= 23 ? (int)(v->i / 6 * 6) : -1;
    else if (v->kind == VALUE_REAL) band = v->d >= 0 && v->d < 24 ? (int)v->d / 6 * 6 : -1;
    else if (v->kind == VALUE_TEXT) {
      char text[32];
      snprintf(text, sizeof text, "%.*s", (int)(v->len < 31 ? v->len : 31), v->s);
      band = privacy_time_band(text);
    }
    if (band < 0) *v = (value){.kind = VALUE_NULL};
    else if (v->kind == VALUE_TEXT) {
      snprintf(p->band_text[i], sizeof p->band_text[i], "%02d:00-%02d:00", band % 24, (band + 6) % 100);
      *v = (value){.kind = VALUE_TEXT, .s = p->band_text[i], .len = strlen(p->band_text[i])};
    } else if (v->kind == VALUE_REAL) v->d = band;
    else v->i = band;
  }
}

static int generalize(import_privacy *p, import_schema *s, double lon, double lat,
                      const uint8_t **wkb, size_t *len, err *e) {
  privacy_cell cell;
  double cx, cy;
  if (privacy_grid_snap(p->grid, lon, lat, &cell, &cx, &cy, e) != ERR_OK) return -1;
  char id[PRIVACY_CELL_ID_MAX];
  privacy_cell_format(cell, id);
  if (p->counting) return privacy_kanon_add(p->kn, id, NULL, NULL, e) == ERR_OK ? 0 : -1;
  if (p->kn && !privacy_kanon_cell_published(p->kn, id)) {
    p->n_withheld++;
    return 0;
  }
  if (p->months) truncate_dates(p, s);
  if (p->band) band_times(p, s);
  buf_reset(&p->wkb);
  geom_wkb_point(&p->wkb, cx, cy);
  if (p->wkb.failed) return err_set(e, ERR_NOMEM, "sin memoria"), -1;
  *wkb = p->wkb.data;
  *len = p->wkb.len;
  return 1;
}

/* The category of a record: the `by` values joined with U+001F (kanon's separator). */
static const char *category(import_privacy *p, import_schema *s, buf *out) {
  buf_reset(out);
  for (size_t i = 0; i < p->policy.n_by; i++) {
    if (i) buf_puts(out, "\x1f");
    buf_puts(out, value_text(p, &s->values[p->by_idx[i]]));
  }
  return buf_cstr(out);
}

static int aggregate(import_privacy *p, import_schema *s, double lon, double lat, err *e) {
  char cell[PRIVACY_CELL_ID_MAX] = "";
  if (p->grid) {
    privacy_cell c;
    if (privacy_grid_snap(p->grid, lon, lat, &c, NULL, NULL, e) != ERR_OK) return -1;
    privacy_cell_format(c, cell);
  } else if (!polygon_index_find(p->polygons, lon, lat, cell)) {
    cell[0] = '\0'; /* outside every polygon: counted, never published */
  }
  char month[8] = "";
  if (p->date_idx >= 0) {
    const char *d = value_text(p, &s->values[p->date_idx]);
    if (*d && privacy_date_month_key(d, month, NULL) != ERR_OK) {
      month[0] = '\0';
      p->n_bad_date++;
    }
  }
  buf cat;
  buf_init(&cat, 0);
  const char *c = p->policy.n_by ? category(p, s, &cat) : NULL;
  err_code rc = cat.failed ? err_set(e, ERR_NOMEM, "sin memoria")
                           : privacy_kanon_add(p->kn, cell, c, month, e);
  buf_free(&cat);
  return rc == ERR_OK ? 0 : -1;
}

static err_code make_kanon(import_privacy *p, err *e) {
  const privacy_policy *pol = &p->policy;
  privacy_kanon_options o = {.k = pol->k,
                             .has_category = pol->mode == PRIVACY_MODE_AGGREGATE && pol->n_by > 0,
                             .has_month = pol->mode == PRIVACY_MODE_AGGREGATE &&
                                          pol->date_field[0] != '\0'};
  return privacy_kanon_create(&o, &p->kn, e);
}

int import_privacy_feature(import_privacy *p, import_schema *s, int64_t record,
                           const uint8_t **wkb, size_t *len, err *e) {
  const privacy_policy *pol = &p->policy;
  if (pol->mode == PRIVACY_MODE_NONE) return 1;
  double lon, lat;
  if (!wkb_point_xy(*wkb, *len, &lon, &lat)) {
    p->n_not_point++;
    return err_set(e, ERR_INVALID, "la política de privacidad %s solo admite puntos: el "
                   "registro %lld no es un punto", MODE_NAME[pol->mode], (long long)record), -1;
  }
  bool needs_kanon = pol->mode == PRIVACY_MODE_AGGREGATE || (pol->k && p->counting);
  if (needs_kanon && !p->kn && make_kanon(p, e) != ERR_OK) return -1;
  if (pol->mode == PRIVACY_MODE_GENERALIZE) return generalize(p, s, lon, lat, wkb, len, e);
  return aggregate(p, s, lon, lat, e);
}

err_code import_privacy_end_count(import_privacy *p, err *e) {
  p->counting = false;
  if (!p->kn) return ERR_OK; /* no point read: the second pass says so */
  return privacy_kanon_finish(p->kn, e);
}

/* ---- the report --------------------------------------------------------------------------- */

void import_privacy_report(const import_privacy *p, import_report *rep) {
  if (p->policy.mode == PRIVACY_MODE_NONE && !p->policy.n_kept && !p->policy.n_dropped) return;
  buf j, t, d;
  buf_init(&j, 0);
  buf_init(&t, 0);
  buf_init(&d, 0);
  privacy_policy_describe(&p->policy, PRIVACY_LANG_ES, &d);
  buf_printf(&j, "{\"mode\":\"%s\",\"description\":", MODE_NAME[p->policy.mode]);
  buf_json_str(&j, buf_cstr(&d));
  buf_printf(&t, "Privacidad: %s%s\n", buf_cstr(&d),
             p->inherited ? " (política de la versión anterior: no se indicó --privacy)" : "");
  buf_printf(&j, ",\"inherited\":%s", p->inherited ? "true" : "false");
  if (p->policy.mode == PRIVACY_MODE_GENERALIZE) {
    buf_printf(&j, ",\"withheld_points\":%lld", (long long)p->n_withheld);
    if (p->n_withheld)
      buf_printf(&t, "  %lld puntos no publicados (celdas con menos de %lld casos)\n",
                 (long long)p->n_withheld, (long long)p->policy.k);
  }
  if (p->policy.mode == PRIVACY_MODE_AGGREGATE) {
    buf_printf(&j, ",\"cells\":%lld,\"bad_dates\":%lld", (long long)p->n_cells,
               (long long)p->n_bad_date);
    if (p->n_bad_date)
      buf_printf(&t, "  %lld fechas ilegibles, contadas como mes desconocido\n",
                 (long long)p->n_bad_date);
  }
  if (p->kn && p->policy.k) import_privacy_kanon_report(p, &j, &t);
  buf_putc(&j, '}');
  buf_cstr(&j);
  free(rep->privacy_json);
  free(rep->privacy_text);
  rep->privacy_json = j.failed ? NULL : (char *)buf_steal(&j, NULL);
  buf_cstr(&t);
  rep->privacy_text = t.failed ? NULL : (char *)buf_steal(&t, NULL);
  buf_free(&j);
  buf_free(&t);
  buf_free(&d);
}
