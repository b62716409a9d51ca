/* item.c — one feature, /collections/{id}/items/{fid} (/req/core/f-op, /req/core/f-success,
 * /req/core/f-links): a GeoJSON Feature with self, alternate and collection links, or an HTML
 * page that lists its properties with their Spanish labels. A fid that is not a feature id of the
 * layer is ERR_NOT_FOUND, never a 400 or a 500. */
#include <stdio.h>
#include <string.h>

#include "features/features_int.h"

/* Feature ids are the layer's integer keys: decimal digits only, no sign, no leading blanks. */
static bool parse_fid(const char *s, int64_t *out) {
  if (!*s || strlen(s) > 18) return false;
  int64_t v = 0;
  for (const char *p = s; *p; p++) {
    if (*p < '0' || *p > '9') return false;
    v = v * 10 + (*p - '0');
  }
  *out = v;
  return true;
}

static void item_links(buf *b, const layer_info *l, int64_t fid, const char *base_url) {
  const char *fmt = "{\"rel\":\"%s\",\"type\":\"%s\",\"title\":\"%s\",\"href\":\"%s/collections/%s"
                    "%s\"}";
  char tail[64];
  buf_puts(b, ",\"links\":[");
  snprintf(tail, sizeof tail, "/items/%lld?f=json", (long long)fid);
  buf_printf(b, fmt, "self", "application/geo+json", "Este elemento", base_url, l->id, tail);
  buf_putc(b, ',');
  snprintf(tail, sizeof tail, "/items/%lld?f=html", (long long)fid);
  buf_printf(b, fmt, "alternate", "text/html", "Este elemento en HTML", base_url, l->id, tail);
  buf_putc(b, ',');
  buf_printf(b, fmt, "collection", "application/json", "La colección", base_url, l->id, "");
  buf_puts(b, "]");
}

static void item_html(buf *b, const features_cols *c, const store_feature *f, const geom *g,
                      const char *base_url) {
  const layer_info *l = c->layer;
  char title[256];
  snprintf(title, sizeof title, "%s: elemento %lld", l->title[0] ? l->title : l->id,
           (long long)f->id);
  features_html_begin(b, title, base_url);
  buf_puts(b, "<table>\n<caption>Propiedades</caption>\n<tbody>\n<tr><th scope=\"row\">id</th><td>");
  features_put_int(b, f->id);
  buf_puts(b, "</td></tr>\n<tr><th scope=\"row\">Geometría (WKT, lon lat)</th><td>");
  buf wkt;
  buf_init(&wkt, 0);
  features_wkt(&wkt, g);
  buf_html_escape(b, (const char *)wkt.data, wkt.len);
  buf_free(&wkt);
  buf_puts(b, "</td></tr>\n");
  for (size_t i = 0; i < c->n_fields; i++) {
    const layer_field *fd = &l->fields[i];
    buf_puts(b, "<tr><th scope=\"row\">");
    buf_html_escape(b, fd->label, strlen(fd->label));
    buf_puts(b, "</th><td>");
    const value *v = &f->values[i];
    if (v->kind == VALUE_TEXT) buf_html_escape(b, v->s, v->len);
    else if (v->kind == VALUE_BOOL) buf_puts(b, v->i ? "sí" : "no");
    else if (v->kind == VALUE_NULL) buf_puts(b, "—");
    else features_json_value(b, v);
    buf_puts(b, "</td></tr>\n");
  }
  buf_printf(b, "</tbody>\n</table>\n<p><a href=\"%s/collections/%s/items?f=html\">Todos los "
                "elementos</a> · <a href=\"%s/collections/%s/items/%lld?f=json\">GeoJSON</a></p>\n",
             base_url, l->id, base_url, l->id, (long long)f->id);
  features_html_end(b);
}

err_code features_item_write(store_reader *rd, const layer_info *l, const char *fid,
                             features_format f, const char *base_url, arena *a, buf *out, err *e) {
  int64_t id;
  if (!parse_fid(fid, &id))
    return err_set(e, ERR_NOT_FOUND, "%s has no feature of that id", l->id);
  const char **fields = arena_calloc(a, l->n_fields + 1, sizeof *fields);
  if (!fields) return err_set(e, ERR_NOMEM, "out of memory");
  for (size_t i = 0; i < l->n_fields; i++) fields[i] = l->fields[i].name;
  /* the first id greater than id - 1 is id itself when it exists */
  store_query q = {.layer = l, .fields = fields, .n_fields = l->n_fields, .with_geometry = true,
                   .limit = 1, .after_id = id - 1};
  store_iter *it = NULL;
  err_code rc = store_query_start(rd, &q, &it, e);
  if (rc != ERR_OK) return rc;
  store_feature feat;
  int k = store_iter_next(it, &feat, e);
  if (k == 1 && feat.id == id) {
    geom g;
    features_decode(&feat, a, &g);
    features_cols cols = {l, fields, l->n_fields, false, NULL};
    if (f == FEATURES_HTML) {
      item_html(out, &cols, &feat, &g, base_url);
    } else {
      features_geojson_feature_open(out, &cols, &feat, &g);
      item_links(out, l, id, base_url);
      buf_puts(out, "}\n");
    }
  }
  rc = store_iter_error(it, e);
  store_iter_close(it);
  if (rc != ERR_OK) return rc;
  if (k == 0 || feat.id != id)
    return err_set(e, ERR_NOT_FOUND, "%s has no feature %lld", l->id, (long long)id);
  return out->failed ? err_set(e, ERR_LIMIT, "the answer is too large") : ERR_OK;
}
