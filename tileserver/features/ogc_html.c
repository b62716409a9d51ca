/* ogc_html.c — HTML pages of the API documents (conformance class html, /req/html/content):
 * plain, accessible, in Spanish, with the same links as the JSON. */
#include <jansson.h>
#include <string.h>

#include "features/ogc_int.h"

static void esc(buf *b, const char *s) { buf_html_escape(b, s, strlen(s)); }

static err_code done(buf *out, err *e) {
  features_html_end(out);
  return out->failed ? err_set(e, ERR_LIMIT, "document too large") : ERR_OK;
}

err_code features_html_landing(const features_site *s, buf *out, err *e) {
  features_html_begin(out, s->title, s->base_url);
  buf_puts(out, "<p>");
  esc(out, s->description);
  buf_puts(out, "</p>\n<ul>\n");
  buf_printf(out, "<li><a href=\"%s/collections?f=html\">Colecciones de datos</a></li>\n",
             s->base_url);
  buf_printf(out, "<li><a href=\"%s/api\">Definición de la API (OpenAPI 3.0, JSON)</a></li>\n",
             s->base_url);
  buf_printf(out, "<li><a href=\"%s/conformance?f=html\">Clases de conformidad</a></li>\n",
             s->base_url);
  buf_puts(out, "</ul>\n");
  return done(out, e);
}

static void download_links(buf *out, const features_site *s, const layer_info *l) {
  static const char *const EXT[] = {"geojson", "csv", "gpkg"};
  static const char *const NAME[] = {"GeoJSON", "CSV", "GeoPackage"};
  buf_puts(out, "Descargar: ");
  for (int i = 0; i < 3; i++)
    buf_printf(out, "%s<a href=\"%s/collections/%s/download.%s\" download>%s</a>", i ? ", " : "",
               s->base_url, l->id, EXT[i], NAME[i]);
}

err_code features_html_collections(const features_site *s, const catalog *c, buf *out, err *e) {
  features_html_begin(out, "Colecciones", s->base_url);
  buf_puts(out, "<table>\n<caption>Colecciones de datos publicadas</caption>\n<thead><tr>"
                "<th scope=\"col\">Colección</th><th scope=\"col\">Descripción</th>"
                "<th scope=\"col\">Elementos</th><th scope=\"col\">Publica</th>"
                "<th scope=\"col\">Descargas</th></tr></thead>\n<tbody>\n");
  for (size_t i = 0; i < c->n_layers; i++) {
    const layer_info *l = &c->layers[i];
    buf_printf(out, "<tr><th scope=\"row\"><a href=\"%s/collections/%s?f=html\">", s->base_url,
               l->id);
    esc(out, l->title[0] ? l->title : l->id);
    buf_puts(out, "</a></th><td>");
    esc(out, l->description);
    buf_printf(out, "</td><td class=\"num\">%lld</td><td>", (long long)l->feature_count);
    esc(out, l->publisher);
    buf_puts(out, "</td><td>");
    download_links(out, s, l);
    buf_puts(out, "</td></tr>\n");
  }
  buf_puts(out, "</tbody>\n</table>\n");
  return done(out, e);
}

err_code features_html_collection(const features_site *s, store_reader *rd, const layer_info *l,
                                  buf *out, err *e) {
  features_html_begin(out, l->title[0] ? l->title : l->id, s->base_url);
  buf_puts(out, "<p>");
  esc(out, l->description);
  buf_puts(out, "</p>\n<dl>\n<dt>Publica</dt><dd>");
  esc(out, l->publisher);
  buf_puts(out, "</dd>\n<dt>Licencia</dt><dd>");
  const char *lic = features_license_url(l->license);
  if (lic) buf_printf(out, "<a href=\"%s\" rel=\"license\">", lic);
  esc(out, l->license);
  if (lic) buf_puts(out, "</a>");
  buf_printf(out, "</dd>\n<dt>Elementos</dt><dd>%lld</dd>\n<dt>Actualizado</dt><dd>",
             (long long)l->feature_count);
  esc(out, l->updated_at);
  buf_printf(out, "</dd>\n<dt>Extensión (lon/lat)</dt><dd>%.5f, %.5f — %.5f, %.5f</dd>\n",
             l->bounds[0], l->bounds[1], l->bounds[2], l->bounds[3]);
  char lo[40], hi[40];
  if (l->date_field[0] && store_layer_time_extent(rd, l, l->date_field, lo, hi, NULL) == ERR_OK &&
      lo[0]) {
    buf_puts(out, "<dt>Periodo</dt><dd>");
    esc(out, lo);
    buf_puts(out, " — ");
    esc(out, hi);
    buf_puts(out, "</dd>\n");
  }
  if (l->sample) buf_puts(out, "<dt>Aviso</dt><dd>Datos de muestra, no oficiales.</dd>\n");
  json_t *privacy = json_loads(l->privacy, 0, NULL); /* the policy, said for people (issue 8) */
  const char *ptext = json_string_value(json_object_get(privacy, "description"));
  if (ptext && *ptext) {
    buf_puts(out, "<dt>Privacidad</dt><dd>");
    esc(out, ptext);
    buf_puts(out, "</dd>\n");
  }
  json_decref(privacy);
  buf_printf(out, "</dl>\n<ul>\n<li><a href=\"%s/collections/%s/items?f=html\">Ver los "
                  "elementos</a></li>\n<li><a href=\"%s/collections/%s/queryables?f=html\">"
                  "Propiedades consultables</a></li>\n<li><a href=\"%s/collections/%s/quality?f=html\">"
                  "Informe de calidad</a></li>\n<li>",
             s->base_url, l->id, s->base_url, l->id, s->base_url, l->id);
  download_links(out, s, l);
  buf_puts(out, "</li>\n</ul>\n");
  return done(out, e);
}

err_code features_html_queryables(const features_site *s, const layer_info *l, buf *out, err *e) {
  static const char *const TYPE[] = {"entero", "número", "texto", "fecha", "fecha y hora",
                                     "sí/no"};
  features_html_begin(out, "Propiedades consultables", s->base_url);
  buf_puts(out, "<table>\n<caption>Propiedades de ");
  esc(out, l->title);
  buf_puts(out, " que admiten filtros</caption>\n<thead><tr><th scope=\"col\">Nombre</th>"
                "<th scope=\"col\">Descripción</th><th scope=\"col\">Tipo</th></tr></thead>\n"
                "<tbody>\n");
  for (size_t i = 0; i < l->n_fields; i++) {
    buf_puts(out, "<tr><th scope=\"row\"><code>");
    esc(out, l->fields[i].name);
    buf_puts(out, "</code></th><td>");
    esc(out, l->fields[i].label);
    buf_printf(out, "</td><td>%s</td></tr>\n",
               TYPE[l->fields[i].type <= FIELD_BOOLEAN ? l->fields[i].type : FIELD_TEXT]);
  }
  buf_puts(out, "</tbody>\n</table>\n");
  return done(out, e);
}
