/* policy_json.c — a policy as the JSON object of the catalog's `privacy` column, and back.
 *
 * Written with core/buf (so the key order is fixed and the text is reproducible, which keeps the
 * catalog's checksums stable); read with jansson. The descriptions are written for readers that do
 * not link privacy/ (the catalog page reads "description"), and never read back: the text follows
 * the code, not the database. */
#include <jansson.h>
#include <string.h>

#include "privacy/policy.h"
#include "privacy/privacy_int.h"

void privacy_policy_to_json(const privacy_policy *p, buf *out) {
  static const char *const MODES[] = {"none", "generalize", "aggregate"};
  if (p->mode == PRIVACY_MODE_NONE && !p->n_kept && !p->n_dropped && !p->exact_decided) {
    buf_puts(out, "{}"); /* the catalog's "no policy", which the pages show as nothing */
    return;
  }
  buf tmp;
  buf_init(&tmp, 0);
  buf_printf(out, "{\"mode\":\"%s\",\"spec\":", MODES[p->mode]);
  privacy_policy_spec(p, &tmp);
  buf_json_str(out, buf_cstr(&tmp));
  if (p->grid_m > 0) {
    buf_puts(out, ",\"grid_m\":");
    privacy_put_number(out, p->grid_m);
    buf_printf(out, ",\"shape\":\"%s\"", p->shape == PRIVACY_SHAPE_HEX ? "hex" : "square");
  }
  if (p->layer[0]) {
    buf_puts(out, ",\"layer\":");
    buf_json_str(out, p->layer);
  }
  if (p->mode == PRIVACY_MODE_GENERALIZE) buf_printf(out, ",\"month\":%s", p->month ? "true" : "false");
  if (p->k) buf_printf(out, ",\"k\":%lld,\"min_count\":%lld", (long long)p->k, (long long)p->k);
  if (p->mode == PRIVACY_MODE_AGGREGATE) {
    buf_puts(out, ",\"by\":[");
    for (size_t i = 0; i < p->n_by; i++) {
      if (i) buf_putc(out, ',');
      buf_json_str(out, p->by[i]);
    }
    buf_puts(out, "],\"date_field\":");
    buf_json_str(out, p->date_field);
  }
  if (p->exact_decided) {
    buf_puts(out, ",\"exact_locations\":true,\"exact_reason\":");
    buf_json_str(out, p->exact_reason);
  }
  const struct {
    const char *key;
    const char (*names)[PRIVACY_NAME_MAX];
    size_t n;
  } LISTS[] = {{"ids_dropped", p->ids_dropped, p->n_ids_dropped},
               {"times_banded", p->banded, p->n_banded}};
  for (size_t l = 0; l < 2; l++) {
    if (!LISTS[l].n) continue;
    buf_printf(out, ",\"%s\":[", LISTS[l].key);
    for (size_t i = 0; i < LISTS[l].n; i++) {
      if (i) buf_putc(out, ',');
      buf_json_str(out, LISTS[l].names[i]);
    }
    buf_putc(out, ']');
  }
  for (int lang = PRIVACY_LANG_ES; lang <= PRIVACY_LANG_EN; lang++) {
    buf_reset(&tmp);
    privacy_policy_describe(p, (privacy_lang)lang, &tmp);
    buf_puts(out, lang == PRIVACY_LANG_ES ? ",\"description\":" : ",\"description_en\":");
    buf_json_str(out, buf_cstr(&tmp));
  }
  buf_puts(out, ",\"kept_fields\":[");
  for (size_t i = 0; i < p->n_kept; i++) {
    buf_puts(out, i ? ",{\"field\":" : "{\"field\":");
    buf_json_str(out, p->kept[i].name);
    buf_puts(out, ",\"reason\":");
    buf_json_str(out, p->kept[i].reason);
    buf_putc(out, '}');
  }
  buf_puts(out, "],\"dropped_fields\":[");
  for (size_t i = 0; i < p->n_dropped; i++) {
    if (i) buf_putc(out, ',');
    buf_json_str(out, p->dropped[i]);
  }
  buf_puts(out, "]}");
  buf_free(&tmp);
}

/* ---- reading ----------------------------------------------------------------------------- */

static err_code bad(err *e, const char *key, const char *want) {
  return err_set(e, ERR_INVALID, "política de privacidad (JSON): \"%s\" debe ser %s", key, want);
}

/* Copies an optional string member into dst; ERR_INVALID when present but not a short string. */
static err_code get_str(json_t *doc, const char *key, char *dst, size_t dst_len, err *e) {
  json_t *v = json_object_get(doc, key);
  if (!v || json_is_null(v)) return ERR_OK;
  if (!json_is_string(v) || json_string_length(v) >= dst_len) return bad(e, key, "un texto corto");
  memcpy(dst, json_string_value(v), json_string_length(v) + 1);
  return ERR_OK;
}

static err_code read_mode(json_t *doc, privacy_policy *p, err *e) {
  json_t *m = json_object_get(doc, "mode");
  const char *s = json_string_value(m);
  if (!m && json_object_size(doc) == 0) return ERR_OK; /* "{}": a layer without a policy */
  if (!m) return bad(e, "mode", "none, generalize o aggregate (falta)");
  if (!s) return bad(e, "mode", "un texto");
  if (strcmp(s, "none") == 0) p->mode = PRIVACY_MODE_NONE;
  else if (strcmp(s, "generalize") == 0) p->mode = PRIVACY_MODE_GENERALIZE;
  else if (strcmp(s, "aggregate") == 0) p->mode = PRIVACY_MODE_AGGREGATE;
  else return bad(e, "mode", "none, generalize o aggregate");
  return ERR_OK;
}

static err_code read_grid(json_t *doc, privacy_policy *p, err *e) {
  json_t *g = json_object_get(doc, "grid_m");
  if (g && !json_is_number(g)) return bad(e, "grid_m", "un número de metros");
  p->grid_m = g ? json_number_value(g) : 0;
  json_t *s = json_object_get(doc, "shape");
  if (s) {
    const char *v = json_string_value(s);
    if (v && strcmp(v, "hex") == 0) p->shape = PRIVACY_SHAPE_HEX;
    else if (!v || strcmp(v, "square") != 0) return bad(e, "shape", "\"square\" o \"hex\"");
  }
  /* a shape without a grid shapes nothing (the writer leaves it out): read as the default, so a
   * policy reads back as itself */
  if (p->grid_m <= 0) p->shape = PRIVACY_SHAPE_SQUARE;
  json_t *mo = json_object_get(doc, "month");
  if (mo && !json_is_boolean(mo)) return bad(e, "month", "true o false");
  p->month = json_is_true(mo);
  json_t *k = json_object_get(doc, "k");
  if (k && !json_is_integer(k)) return bad(e, "k", "un entero");
  p->k = k ? (int64_t)json_integer_value(k) : 0;
  return ERR_OK;
}

static err_code read_lists(json_t *doc, privacy_policy *p, err *e) {
  json_t *by = json_object_get(doc, "by"), *v;
  size_t i;
  if (by && (!json_is_array(by) || json_array_size(by) > PRIVACY_MAX_BY))
    return bad(e, "by", "una lista de a lo más 4 campos");
  json_array_foreach(by, i, v) {
    if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) >= PRIVACY_NAME_MAX)
      return bad(e, "by", "una lista de nombres de campo");
    memcpy(p->by[p->n_by++], json_string_value(v), json_string_length(v) + 1);
  }
  json_t *kept = json_object_get(doc, "kept_fields");
  if (kept && !json_is_array(kept)) return bad(e, "kept_fields", "una lista");
  json_array_foreach(kept, i, v) {
    const char *name = json_string_value(json_object_get(v, "field"));
    const char *why = json_string_value(json_object_get(v, "reason"));
    if (!name) return bad(e, "kept_fields", "una lista de {\"field\":..., \"reason\":...}");
    err_code rc = privacy_policy_keep_field(p, name, why, e);
    if (rc != ERR_OK) return rc;
  }
  json_t *ids = json_object_get(doc, "ids_dropped"), *times = json_object_get(doc, "times_banded");
  if ((ids && !json_is_array(ids)) || (times && !json_is_array(times)))
    return bad(e, ids && !json_is_array(ids) ? "ids_dropped" : "times_banded", "una lista");
  json_array_foreach(ids, i, v) {
    err_code rc = privacy_policy_drop_id(p, json_string_value(v), e);
    if (rc != ERR_OK) return rc;
  }
  json_array_foreach(times, i, v) {
    err_code rc = privacy_policy_band_time(p, json_string_value(v), e);
    if (rc != ERR_OK) return rc;
  }
  json_t *dropped = json_object_get(doc, "dropped_fields");
  if (dropped && !json_is_array(dropped)) return bad(e, "dropped_fields", "una lista");
  json_array_foreach(dropped, i, v) {
    if (!json_is_string(v)) return bad(e, "dropped_fields", "una lista de nombres de campo");
    err_code rc = privacy_policy_drop_field(p, json_string_value(v), e);
    if (rc != ERR_OK) return rc;
  }
  return ERR_OK;
}

err_code privacy_policy_from_json(const char *text, privacy_policy *out, err *e) {
  privacy_policy p;
  privacy_policy_init(&p);
  if (!text || !*text) {
    *out = p;
    return ERR_OK;
  }
  json_error_t je;
  json_t *doc = json_loads(text, 0, &je);
  if (!json_is_object(doc)) {
    json_decref(doc);
    return err_set(e, ERR_INVALID, "política de privacidad (JSON): no es un objeto JSON (%.100s)",
                   doc ? "otro tipo de valor" : je.text);
  }
  err_code rc = read_mode(doc, &p, e);
  if (rc == ERR_OK) rc = read_grid(doc, &p, e);
  if (rc == ERR_OK) rc = get_str(doc, "layer", p.layer, sizeof p.layer, e);
  if (rc == ERR_OK) rc = get_str(doc, "date_field", p.date_field, sizeof p.date_field, e);
  if (rc == ERR_OK) rc = read_lists(doc, &p, e);
  json_t *exact = json_object_get(doc, "exact_locations");
  if (rc == ERR_OK && exact && !json_is_boolean(exact)) rc = bad(e, "exact_locations", "true o false");
  if (rc == ERR_OK && json_is_true(exact))
    privacy_policy_decide_exact(&p, json_string_value(json_object_get(doc, "exact_reason")));
  json_decref(doc);
  if (rc == ERR_OK) rc = privacy_policy_validate(&p, e);
  if (rc == ERR_OK) *out = p;
  return rc;
}
