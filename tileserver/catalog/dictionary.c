/* dictionary.c — a layer's data dictionary ("diccionario de datos"): for each published field its
 * name, label, description, unit (from the layer definition), type, how many records fill it,
 * the values it takes (up to DICT_MAX_VALUES, with counts) or its observed range (numbers and
 * dates), and what the privacy policy did to it (dates coarsened, fields dropped: the dropped
 * ones are listed by name only, never with values).
 *
 * Everything is measured on the published version, one grouped scan per field
 * (store_query_groups: NULL first, then values in order, so min and max are the first and last
 * keys), so the dictionary describes what the downloads hold, not the source file. One JSON model
 * is built first and the three formats (JSON, CSV, HTML) are written from it. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog_int.h"
#include "core/html.h"
#include "privacy/policy.h"

enum { DICT_MAX_VALUES = 20 };

typedef struct field_scan {
  json_t *values;   /* [{value, count}] while distinct <= DICT_MAX_VALUES */
  json_t *min, *max;
  int64_t nulls, filled, distinct;
  bool ranged;      /* numbers and dates: keep min and max */
} field_scan;

static json_t *value_json(const value *v) {
  switch (v->kind) {
    case VALUE_INT: return json_integer(v->i);
    case VALUE_BOOL: return json_boolean(v->i);
    case VALUE_REAL: return json_real(v->d);
    case VALUE_TEXT: return json_stringn(v->s, v->len);
    default: return json_null();
  }
}

static int on_group(void *ctx, const value *key, int64_t count) {
  field_scan *f = ctx;
  if (key->kind == VALUE_NULL) {
    f->nulls += count;
    return 0;
  }
  f->filled += count;
  f->distinct++;
  if (f->ranged) {
    if (!f->min) f->min = value_json(key);
    json_decref(f->max);
    f->max = value_json(key);
  }
  if (f->distinct <= DICT_MAX_VALUES)
    json_array_append_new(f->values, json_pack("{s:o, s:I}", "value", value_json(key), "count",
                                               (json_int_t)count));
  return 0;
}

static bool in_list(const char (*names)[PRIVACY_NAME_MAX], size_t n, const char *name) {
  for (size_t i = 0; i < n; i++)
    if (strcmp(names[i], name) == 0) return true;
  return false;
}

/* What the policy did to a published field, in plain Spanish, or NULL. */
static const char *generalised(const privacy_policy *p, const layer_field *f) {
  if (in_list(p->banded, p->n_banded, f->name))
    return "Horas del día agrupadas en franjas de 6 horas";
  if (p->month && (f->type == FIELD_DATE || f->type == FIELD_DATETIME))
    return "Fechas llevadas al primer día del mes";
  return NULL;
}

static err_code field_entry(store_reader *r, const layer_info *l, size_t i,
                            const privacy_policy *p, json_t *fields, err *e) {
  const layer_field *lf = &l->fields[i];
  const layer_field_doc *doc = l->field_docs ? &l->field_docs[i] : NULL;
  field_scan f = {.values = json_array(),
                  .ranged = lf->type != FIELD_TEXT && lf->type != FIELD_BOOLEAN};
  store_query q = {.layer = l, .limit = -1};
  err_code rc = store_query_groups(r, &q, lf->name, false, on_group, &f, e);
  int64_t total = f.nulls + f.filled;
  const char *gen = generalised(p, lf);
  json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:I, s:f, s:I}", "name", lf->name,
                        "label", lf->label, "description", doc && doc->description ? doc->description : "",
                        "type", field_type_name(lf->type), "unit",
                        doc && doc->unit ? doc->unit : "",
                        "published", 1, "filled", (json_int_t)f.filled, "fill_rate",
                        total ? (double)f.filled / (double)total : 0.0, "distinct",
                        (json_int_t)f.distinct);
  json_object_set_new(o, "values", f.distinct <= DICT_MAX_VALUES ? f.values : json_null());
  if (f.distinct > DICT_MAX_VALUES) json_decref(f.values);
  json_object_set_new(o, "min", f.min ? f.min : json_null());
  json_object_set_new(o, "max", f.max ? f.max : json_null());
  json_object_set_new(o, "generalised", gen ? json_string(gen) : json_null());
  json_array_append_new(fields, o);
  return rc;
}

static void dropped_entry(json_t *fields, const char *name, const char *why) {
  json_array_append_new(fields, json_pack("{s:s, s:b, s:s}", "name", name, "published", 0,
                                          "dropped", why));
}

/* The model: {collection, title, records, privacy, queryables, fields: [...]}. */
static err_code dictionary_model(const catalog_site *s, store_reader *r, const layer_info *l,
                                 json_t **out, err *e) {
  privacy_policy p;
  err pe = {0};
  if (privacy_policy_from_json(l->privacy, &p, &pe) != ERR_OK) privacy_policy_init(&p);
  json_t *fields = json_array();
  err_code rc = ERR_OK;
  for (size_t i = 0; i < l->n_fields && rc == ERR_OK; i++)
    rc = field_entry(r, l, i, &p, fields, e);
  for (size_t i = 0; i < p.n_dropped; i++)
    dropped_entry(fields, p.dropped[i], "Omitido por la política de privacidad");
  for (size_t i = 0; i < p.n_ids_dropped; i++)
    dropped_entry(fields, p.ids_dropped[i], "Identificador de la fuente no publicado");
  buf text;
  buf_init(&text, 4096);
  if (p.mode != PRIVACY_MODE_NONE || p.exact_decided)
    privacy_policy_describe(&p, PRIVACY_LANG_ES, &text);
  char q[512];
  snprintf(q, sizeof q, "%s/collections/%s/queryables", s->base_url, l->id);
  *out = json_pack("{s:s, s:s, s:I, s:s, s:o, s:o}", "collection", l->id, "title", l->title,
                   "records", (json_int_t)l->feature_count, "queryables", q, "privacy",
                   text.len && !text.failed ? json_string(buf_cstr(&text)) : json_null(),
                   "fields", fields);
  buf_free(&text);
  if (rc == ERR_OK && !*out) rc = err_set(e, ERR_NOMEM, "out of memory writing the dictionary");
  return rc;
}

/* A cell's text: strings as they are, numbers in JSON's form with 15 significant digits (every
 * decimal of up to 15 digits reads back as itself, without JSON's 17-digit tails), null as "". */
static void cell_text(buf *b, const json_t *v) {
  if (json_is_string(v)) {
    buf_puts(b, json_string_value(v));
  } else if (v && !json_is_null(v)) {
    char *t = json_dumps(v, JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
    if (t) buf_puts(b, t);
    free(t);
  }
}

/* "a (3); b (2)" for the values column. */
static void values_text(buf *b, const json_t *values) {
  size_t i;
  json_t *v;
  json_array_foreach(values, i, v) {
    if (i) buf_puts(b, "; ");
    cell_text(b, json_object_get(v, "value"));
    buf_printf(b, " (%lld)", (long long)json_integer_value(json_object_get(v, "count")));
  }
}

static const char *const COLUMNS[] = {"name", "label", "description", "type", "unit",
                                      "filled", "fill_rate", "distinct", "min", "max",
                                      "values", "published", "generalised", "dropped"};
enum { N_COLUMNS = sizeof COLUMNS / sizeof *COLUMNS };

static void column_text(buf *b, const json_t *field, size_t k) {
  const json_t *v = json_object_get(field, COLUMNS[k]);
  if (strcmp(COLUMNS[k], "values") == 0) values_text(b, v);
  else if (json_is_boolean(v)) buf_puts(b, json_is_true(v) ? "true" : "false");
  else cell_text(b, v);
}

/* RFC 4180: every cell quoted, quotes doubled, CRLF line ends. */
static void write_csv(const json_t *model, buf *out) {
  for (size_t k = 0; k < N_COLUMNS; k++) buf_printf(out, "%s%s", k ? "," : "", COLUMNS[k]);
  buf_puts(out, "\r\n");
  size_t i;
  json_t *f;
  buf cell;
  buf_init(&cell, 0);
  json_array_foreach(json_object_get(model, "fields"), i, f) {
    for (size_t k = 0; k < N_COLUMNS; k++) {
      buf_reset(&cell);
      column_text(&cell, f, k);
      buf_puts(out, k ? ",\"" : "\"");
      for (size_t j = 0; j < cell.len; j++) {
        if (cell.data[j] == '"') buf_putc(out, '"');
        buf_putc(out, cell.data[j]);
      }
      buf_putc(out, '"');
    }
    buf_puts(out, "\r\n");
  }
  buf_free(&cell);
}

static void esc(buf *b, const char *s) { buf_html_escape(b, s, strlen(s)); }

static void write_html(const json_t *model, buf *out) {
  static const char *const HEAD[] = {"Campo", "Etiqueta", "Descripción", "Tipo", "Unidad",
                                     "Con valor", "Llenado", "Distintos", "Mínimo", "Máximo",
                                     "Valores", "Publicado", "Generalizado", "Omitido"};
  const char *title = json_string_value(json_object_get(model, "title"));
  buf t;
  buf_init(&t, 0);
  buf_printf(&t, "Diccionario de datos: %s", title ? title : "");
  html_page_head(out, &(html_page){.lang = "es", .title = buf_cstr(&t), .upper_doctype = true});
  html_page_body(out, NULL);
  buf_puts(out, "<main><h1>");
  esc(out, buf_cstr(&t));
  buf_free(&t);
  buf_printf(out, "</h1>\n<p>Registros publicados: %lld.",
             (long long)json_integer_value(json_object_get(model, "records")));
  const char *priv = json_string_value(json_object_get(model, "privacy"));
  if (priv) {
    buf_puts(out, " Privacidad: ");
    esc(out, priv);
  }
  buf_puts(out, "</p>\n<table>\n<thead><tr>");
  for (size_t k = 0; k < N_COLUMNS; k++) buf_printf(out, "<th scope=\"col\">%s</th>", HEAD[k]);
  buf_puts(out, "</tr></thead>\n<tbody>\n");
  size_t i;
  json_t *f;
  buf cell;
  buf_init(&cell, 0);
  json_array_foreach(json_object_get(model, "fields"), i, f) {
    buf_puts(out, "<tr>");
    for (size_t k = 0; k < N_COLUMNS; k++) {
      buf_reset(&cell);
      column_text(&cell, f, k);
      buf_puts(out, k ? "<td>" : "<th scope=\"row\">");
      buf_html_escape(out, (const char *)cell.data, cell.len);
      buf_puts(out, k ? "</td>" : "</th>");
    }
    buf_puts(out, "</tr>\n");
  }
  buf_free(&cell);
  buf_puts(out, "</tbody>\n</table></main>\n</body>\n</html>\n");
}

err_code catalog_dictionary_write(const catalog_site *s, store_reader *r, const layer_info *l,
                                  catalog_dict_format f, buf *out, err *e) {
  json_t *model = NULL;
  err_code rc = dictionary_model(s, r, l, &model, e);
  if (rc == ERR_OK) {
    if (f == CATALOG_DICT_CSV) {
      write_csv(model, out);
    } else if (f == CATALOG_DICT_HTML) {
      write_html(model, out);
    } else {
      /* full precision (17 digits): a range rounded to 10 moved 1326256296.9 to ...297.0 */
      char *text = json_dumps(model, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
      if (!text || !buf_puts(out, text)) rc = err_set(e, ERR_NOMEM, "out of memory");
      free(text);
    }
  }
  json_decref(model);
  if (rc == ERR_OK && out->failed)
    rc = err_set(e, out->over_limit ? ERR_LIMIT : ERR_NOMEM, "the dictionary does not fit");
  return rc;
}
