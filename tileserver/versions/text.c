/* text.c — the readable form of the history and diff documents, for the terminal: made from the
 * JSON document itself, so the text never says something the JSON does not. */
#include <jansson.h>
#include <string.h>

#include "versions/versions.h"

static const char *str(json_t *o, const char *key) {
  const char *s = json_string_value(json_object_get(o, key));
  return s ? s : "";
}

static void history_text(json_t *doc, buf *out) {
  buf_printf(out, "capa %s: ", str(doc, "layer"));
  json_t *cur = json_object_get(doc, "current");
  if (json_is_integer(cur)) buf_printf(out, "versión publicada %lld\n",
                                       (long long)json_integer_value(cur));
  else buf_puts(out, "no publicada\n");
  size_t i;
  json_t *v;
  json_array_foreach(json_object_get(doc, "versions"), i, v) {
    long long n = (long long)json_integer_value(json_object_get(v, "version"));
    json_t *rep = json_object_get(v, "report");
    if (json_is_true(json_object_get(v, "removal"))) {
      buf_printf(out, "  v%-4lld %s  capa retirada: %s\n", n, str(v, "time"), str(rep, "reason"));
      continue;
    }
    json_t *src = json_object_get(v, "source");
    buf_printf(out, "  v%-4lld %s  %lld elementos  %s (sha256 %.12s)", n, str(v, "time"),
               (long long)json_integer_value(json_object_get(v, "feature_count")),
               str(src, "name"), str(src, "sha256"));
    if (json_is_true(json_object_get(v, "current"))) buf_puts(out, "  [publicada]");
    if (json_is_true(json_object_get(v, "purged"))) buf_puts(out, "  [purgada]");
    else if (!json_is_true(json_object_get(v, "kept"))) buf_puts(out, "  [datos no conservados]");
    json_t *review = json_object_get(v, "review");
    if (review) buf_printf(out, "  [%s]", str(review, "text"));
    json_t *rb = json_object_get(v, "rollback_of");
    if (rb) buf_printf(out, "  (vuelta a v%lld)", (long long)json_integer_value(rb));
    json_t *counts = json_object_get(rep, "counts");
    if (counts)
      buf_printf(out, "\n         leídos %lld, importados %lld, rechazados %lld",
                 (long long)json_integer_value(json_object_get(counts, "read")),
                 (long long)json_integer_value(json_object_get(counts, "imported")),
                 (long long)json_integer_value(json_object_get(counts, "rejected")));
    buf_putc(out, '\n');
  }
}

static void fields_text(json_t *list, const char *what, buf *out) {
  size_t i;
  json_t *f;
  json_array_foreach(list, i, f) {
    buf_printf(out, "  campo %s: %s", what, str(f, "name"));
    if (json_object_get(f, "from_type") && json_object_get(f, "to_type"))
      buf_printf(out, " (%s → %s)", str(f, "from_type"), str(f, "to_type"));
    buf_putc(out, '\n');
  }
}

static void bbox_text(json_t *b, buf *out) {
  if (!json_is_array(b)) return;
  buf_printf(out, " [%.6f, %.6f, %.6f, %.6f]", json_real_value(json_array_get(b, 0)),
             json_real_value(json_array_get(b, 1)), json_real_value(json_array_get(b, 2)),
             json_real_value(json_array_get(b, 3)));
}

static void diff_text(json_t *doc, buf *out) {
  json_t *c = json_object_get(doc, "counts"), *m = json_object_get(doc, "matched_by");
  buf_printf(out, "capa %s, de v%lld a v%lld (", str(doc, "layer"),
             (long long)json_integer_value(json_object_get(doc, "from")),
             (long long)json_integer_value(json_object_get(doc, "to")));
  if (json_object_get(m, "field")) buf_printf(out, "elementos emparejados por «%s»)\n", str(m, "field"));
  else buf_puts(out, "elementos emparejados por geometría y atributos)\n");
  buf_printf(out, "  añadidos %lld, quitados %lld, cambiados %lld, sin cambios %lld\n",
             (long long)json_integer_value(json_object_get(c, "added")),
             (long long)json_integer_value(json_object_get(c, "removed")),
             (long long)json_integer_value(json_object_get(c, "changed")),
             (long long)json_integer_value(json_object_get(c, "unchanged")));
  json_t *f = json_object_get(doc, "fields");
  fields_text(json_object_get(f, "added"), "nuevo", out);
  fields_text(json_object_get(f, "removed"), "quitado", out);
  fields_text(json_object_get(f, "retyped"), "con otro tipo", out);
  buf_puts(out, "  zona de los cambios:");
  if (json_is_array(json_object_get(doc, "bbox"))) bbox_text(json_object_get(doc, "bbox"), out);
  else buf_puts(out, " ninguna");
  buf_putc(out, '\n');
  size_t i;
  json_t *ch;
  json_array_foreach(json_object_get(doc, "changes"), i, ch) {
    const char *kind = str(ch, "change");
    buf_printf(out, "  %-9s id %s", kind,
               json_is_string(json_object_get(ch, "id")) ? str(ch, "id") : "-");
    if (strcmp(kind, "changed") == 0)
      buf_printf(out, " (%s%s%s)", json_is_true(json_object_get(ch, "geometry")) ? "geometría" : "",
                 json_is_true(json_object_get(ch, "geometry")) &&
                         json_is_true(json_object_get(ch, "attributes"))
                     ? ", "
                     : "",
                 json_is_true(json_object_get(ch, "attributes")) ? "atributos" : "");
    bbox_text(json_object_get(ch, "bbox"), out);
    buf_putc(out, '\n');
  }
  json_t *next = json_object_get(doc, "next_offset");
  if (json_is_integer(next))
    buf_printf(out, "  … hay más cambios: --offset %lld\n", (long long)json_integer_value(next));
}

err_code versions_doc_text(const char *json, buf *out, err *e) {
  json_t *doc = json_loads(json, 0, NULL);
  if (!doc) return err_set(e, ERR_INTERNAL, "not a versions document");
  if (json_object_get(doc, "versions")) history_text(doc, out);
  else diff_text(doc, out);
  json_decref(doc);
  return out->failed ? err_set(e, ERR_NOMEM, "out of memory") : ERR_OK;
}
