/* review.c — the reviewer's pages at /admin/revision, in plain Spanish: the versions waiting for
 * review, and one review with everything a decision rests on: the quality report in words, the
 * privacy policy, the fields dropped or kept and why, what the detector and the policy found, a
 * map of exactly what approval would publish, and the approve / refuse form.
 *
 * The map is drawn by review.js (MapLibre, as the public viewer) from the review's preview tiles,
 * which hold only what the policy publishes (generalised points or aggregated cells), never the
 * source's points. The same facts are written as text beside it, with a link to the preview's
 * elements as a table, for people who cannot see the map. The form is a plain HTML form with
 * the session's CSRF token; the reason is required (the browser says so, the server checks). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "www/www_int.h"

const char WWW_REVIEW_CSS[] =
    "<style>.review-map{height:22rem;max-width:100%;border:1px solid #6b6f66}"
    ".admin textarea{width:100%;box-sizing:border-box;min-height:6rem;padding:.4rem;"
    "border:2px solid #6b6f66;border-radius:4px;font:inherit}"
    ".admin .buttons{display:flex;flex-wrap:wrap;gap:.75rem}"
    ".admin dd{margin:0 0 .5rem 0}.admin dt{font-weight:600}"
    ".admin li,.admin dd,.admin dt{overflow-wrap:anywhere}</style>\n";

static void put_int(buf *b, int64_t n) {
  char num[32];
  www_fmt_count(n, num);
  buf_puts(b, num);
}

err_code www_admin_review_list(const www_admin_ctx *c, const www_admin_review *r, size_t n,
                               buf *out, err *e) {
  www_admin_begin(out, "Revisiones pendientes", NULL, c->account, c->csrf, NULL);
  buf_puts(out, "<p><a href=\"/admin\">← Tus capas</a></p>\n<h1>Revisiones pendientes</h1>\n"
                "<p>Versiones de capas con datos personales o con una política de privacidad. "
                "Cada una espera que alguien de la unidad de transparencia, que no la haya "
                "subido, la apruebe o la rechace con sus razones.</p>\n");
  if (n == 0) {
    buf_puts(out, "<p id=\"ninguna\">No hay versiones pendientes de revisión.</p>\n");
    return www_admin_end(out, e);
  }
  buf_puts(out, "<div class=\"table\"><table>\n<caption>Pendientes de revisión</caption>\n"
                "<thead><tr><th scope=\"col\">Revisión</th><th scope=\"col\">Capa</th>"
                "<th scope=\"col\">Subida por</th><th scope=\"col\">Fecha</th>"
                "<th scope=\"col\">Elementos</th></tr></thead>\n<tbody>\n");
  for (size_t i = 0; i < n; i++) {
    buf_printf(out, "<tr><th scope=\"row\"><a href=\"/admin/revision/%lld\">Revisión %lld</a>"
                    "</th><td>", (long long)r[i].n, (long long)r[i].n);
    www_html_put(out, *r[i].title ? r[i].title : r[i].layer_id);
    buf_printf(out, " (versión %lld)</td><td>", (long long)r[i].version);
    www_html_put(out, r[i].submitted_by);
    buf_puts(out, "</td><td>");
    www_fmt_date(out, WWW_LANG_ES, r[i].submitted_at);
    buf_puts(out, "</td><td>");
    put_int(out, r[i].feature_count);
    buf_puts(out, "</td></tr>\n");
  }
  buf_puts(out, "</tbody>\n</table></div>\n");
  return www_admin_end(out, e);
}

/* The fields the policy drops, keeps on purpose (with the reason given), and exact locations. */
static void fields_words(buf *b, json_t *policy) {
  json_t *dropped = json_object_get(policy, "dropped_fields");
  json_t *kept = json_object_get(policy, "kept_fields");
  const char *exact = json_string_value(json_object_get(policy, "exact_reason"));
  buf_puts(b, "<h2>Campos</h2>\n");
  if (json_array_size(dropped) == 0 && json_array_size(kept) == 0 && !exact) {
    buf_puts(b, "<p>No se omite ni se conserva a conciencia ningún campo: se publican todos los "
                "campos del archivo que el detector no señaló.</p>\n");
    return;
  }
  buf_puts(b, "<dl id=\"campos\">\n");
  size_t i;
  json_t *v;
  json_array_foreach(dropped, i, v) {
    buf_puts(b, "<dt>");
    www_html_put(b, json_string_value(v) ? json_string_value(v) : "");
    buf_puts(b, "</dt><dd>No se publica: parece un dato personal o quien subió el archivo lo "
                "pidió.</dd>\n");
  }
  json_array_foreach(kept, i, v) {
    const char *f = json_string_value(json_object_get(v, "field"));
    const char *why = json_string_value(json_object_get(v, "reason"));
    buf_puts(b, "<dt>");
    www_html_put(b, f ? f : "");
    buf_puts(b, "</dt><dd>Se publica aunque parece personal. Razón dada: ");
    www_html_put(b, why && *why ? why : "(ninguna)");
    buf_puts(b, "</dd>\n");
  }
  if (exact) {
    buf_puts(b, "<dt>Ubicaciones exactas</dt><dd>Se publican sin generalizar. Razón dada: ");
    www_html_put(b, *exact ? exact : "(ninguna)");
    buf_puts(b, "</dd>\n");
  }
  buf_puts(b, "</dl>\n");
}

/* A value of the findings for people: a number grouped, an object as "name n, name n" (the
 * levels of the counts in words), anything else as its JSON text. */
static void put_value(buf *b, json_t *v) {
  static const struct {
    const char *key, *words;
  } LEVELS[] = {{"cell", "celda"}, {"cell_category", "celda y categoría"},
                {"cell_month", "celda y mes"}, {"cell_category_month", "celda, categoría y mes"}};
  if (json_is_integer(v)) {
    put_int(b, (int64_t)json_integer_value(v));
    return;
  }
  if (json_is_object(v)) {
    const char *k;
    json_t *x;
    bool first = true;
    json_object_foreach(v, k, x) {
      const char *words = k;
      for (size_t i = 0; i < sizeof LEVELS / sizeof *LEVELS; i++)
        if (strcmp(LEVELS[i].key, k) == 0) words = LEVELS[i].words;
      buf_puts(b, first ? "" : ", ");
      www_html_put(b, words);
      buf_putc(b, ' ');
      put_value(b, x);
      first = false;
    }
    return;
  }
  char *t = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
  www_html_put(b, t ? t : "");
  free(t);
}

/* What the policy did on import (the report's "privacy" object): points withheld, cells, dates
 * unread; a key this build does not know is listed by its name. */
static void findings_words(buf *b, json_t *found) {
  buf_puts(b, "<h2>Lo que encontró la revisión automática</h2>\n");
  if (!json_is_object(found)) {
    buf_puts(b, "<p>El informe de la importación no dice nada de privacidad.</p>\n");
    return;
  }
  static const struct {
    const char *key, *words;
  } KNOWN[] = {{"withheld_points", "Puntos que no se publican (en celdas con muy pocos casos)"},
               {"cells", "Celdas publicadas"},
               {"bad_dates", "Fechas ilegibles (contadas como mes desconocido)"},
               {"records", "Registros contados"},
               {"suppressed_records", "Registros en celdas que no se publican (menos casos que "
                                      "el mínimo)"},
               {"tiers", "Niveles de conteo"},
               {"unassigned", "Registros fuera de todo polígono"},
               {"published", "Conteos publicados por nivel"},
               {"suppressed", "Conteos omitidos por nivel"}};
  buf_puts(b, "<ul id=\"hallazgos\">\n");
  /* its "description" is the policy's, said above */
  if (json_is_true(json_object_get(found, "inherited")))
    buf_puts(b, "<li>La política es la de la versión anterior: quien subió el archivo no indicó "
                "otra.</li>\n");
  const char *key;
  json_t *v;
  json_object_foreach(found, key, v) {
    if (!strcmp(key, "description") || !strcmp(key, "inherited") || !strcmp(key, "mode") ||
        json_is_null(v))
      continue;
    const char *words = NULL;
    for (size_t i = 0; i < sizeof KNOWN / sizeof *KNOWN; i++)
      if (strcmp(KNOWN[i].key, key) == 0) words = KNOWN[i].words;
    buf_puts(b, "<li>");
    www_html_put(b, words ? words : key);
    buf_puts(b, ": ");
    put_value(b, v);
    buf_puts(b, "</li>\n");
  }
  buf_puts(b, "</ul>\n");
}

/* JSON inside <script type="application/json">: '<' written as \u003c cannot end the element. */
static void put_json_in_html(buf *b, const char *json) {
  for (const char *p = json; *p; p++) {
    if (*p == '<') buf_puts(b, "\\u003c");
    else buf_putc(b, *p);
  }
}

/* The map of what approval would publish, its configuration for review.js, and its text. */
static void preview_map(buf *b, const www_admin_review *r, const layer_info *l) {
  buf_puts(b, "<h2 id=\"mapa-titulo\">Mapa de lo que se publicaría</h2>\n");
  buf_puts(b, "<p id=\"mapa-texto\">El mapa muestra los ");
  put_int(b, l->feature_count);
  buf_puts(b, " elementos (");
  www_html_put(b, www_fmt_geometry(WWW_LANG_ES, l->geometry_type));
  buf_puts(b, ") que verían todas las personas al aprobar, tal como los deja la política de "
              "privacidad; nunca los puntos del archivo original. ");
  buf_printf(b, "Ocupan de la longitud %.3f a %.3f y de la latitud %.3f a %.3f. ", l->bounds[0],
             l->bounds[2], l->bounds[1], l->bounds[3]);
  buf_printf(b, "<a href=\"/api/reviews/%lld/preview/items?f=html\">Ver los mismos elementos "
                "como tabla</a>.</p>\n", (long long)r->n);
  buf_puts(b, "<div id=\"review-map\" class=\"review-map\" role=\"region\" "
              "aria-labelledby=\"mapa-titulo\" aria-describedby=\"mapa-texto\"></div>\n");
  char tiles[96];
  snprintf(tiles, sizeof tiles, "/api/reviews/%lld/preview/tiles/{z}/{x}/{y}.mvt",
           (long long)r->n);
  json_t *p = json_loads(l->privacy, 0, NULL);
  const char *mode = json_string_value(json_object_get(p, "mode"));
  json_t *cfg = json_pack("{s:s, s:s, s:s, s:[f,f,f,f], s:i, s:i, s:s}", "tiles", tiles,
                          "layer", l->id, "geometry", l->geometry_type, "bounds", l->bounds[0],
                          l->bounds[1], l->bounds[2], l->bounds[3], "minzoom", l->minzoom,
                          "maxzoom", l->maxzoom, "privacy_mode", mode ? mode : "none");
  json_decref(p);
  char *text = cfg ? json_dumps(cfg, JSON_COMPACT) : NULL;
  json_decref(cfg);
  buf_puts(b, "<script type=\"application/json\" id=\"review-config\">");
  put_json_in_html(b, text ? text : "{}");
  free(text);
  buf_puts(b, "</script>\n<script type=\"module\" src=\"");
  www_asset_url(b, "review.js");
  buf_puts(b, "\"></script>\n");
}

void www_admin_geojson_map(buf *b, json_t *fc) {
  size_t n = json_array_size(json_object_get(fc, "features"));
  buf_puts(b, "<h2 id=\"mapa-titulo\">Mapa de lo que se publicaría</h2>\n<p id=\"mapa-texto\">"
              "El mapa muestra ");
  put_int(b, (int64_t)n);
  buf_puts(b, " elementos (5,000 como mucho) que verían todas las personas si la versión se aprueba, tal como los "
              "deja la política de privacidad; nunca los puntos del archivo original.</p>\n"
              "<div id=\"review-map\" class=\"review-map\" role=\"region\" "
              "aria-labelledby=\"mapa-titulo\" aria-describedby=\"mapa-texto\"></div>\n");
  json_t *cfg = json_pack("{s:O}", "geojson", fc);
  char *text = cfg ? json_dumps(cfg, JSON_COMPACT) : NULL;
  json_decref(cfg);
  buf_puts(b, "<script type=\"application/json\" id=\"review-config\">");
  put_json_in_html(b, text ? text : "{}");
  free(text);
  buf_puts(b, "</script>\n<script type=\"module\" src=\"");
  www_asset_url(b, "review.js");
  buf_puts(b, "\"></script>\n");
}

/* The decision already taken, or the form to take it. */
static void decision(buf *b, const www_admin_ctx *c, const www_admin_review *r, bool own) {
  buf_puts(b, "<h2 id=\"decision\">Decisión</h2>\n");
  if (*r->decided_by) {
    buf_printf(b, "<p>%s por ", strcmp(r->state, "approved") == 0 ? "Aprobada" : "Rechazada");
    www_html_put(b, r->decided_by);
    buf_puts(b, " el ");
    www_fmt_date(b, WWW_LANG_ES, r->decided_at);
    buf_puts(b, ". Razón: ");
    www_html_put(b, r->reason);
    buf_puts(b, "</p>\n");
    return;
  }
  if (own) {
    buf_puts(b, "<p id=\"propia\">Tú subiste esta versión: la aprueba o la rechaza otra persona "
                "de la unidad de transparencia.</p>\n");
    return;
  }
  buf_printf(b, "<form method=\"post\" action=\"/admin/revision/%lld/decision\">\n",
             (long long)r->n);
  www_admin_csrf(b, c->csrf);
  buf_puts(b, "<label for=\"razon\">Razón de la decisión (queda en el historial de la capa y en "
              "el registro de auditoría)</label>\n<textarea id=\"razon\" name=\"reason\" required "
              "maxlength=\"1000\"></textarea>\n<div class=\"buttons\">"
              "<button class=\"button primary\" type=\"submit\" name=\"decision\" "
              "value=\"approve\">Aprobar y publicar</button>"
              "<button class=\"button\" type=\"submit\" name=\"decision\" value=\"reject\">"
              "Rechazar</button></div>\n</form>\n");
}

err_code www_admin_review_page(const www_admin_ctx *c, const www_admin_review *r,
                          const layer_info *preview, bool own, buf *out, err *e) {
  char title[64];
  snprintf(title, sizeof title, "Revisión %lld", (long long)r->n);
  www_admin_begin(out, title, NULL, c->account, c->csrf, preview ? "maplibre-gl.css" : NULL);
  buf_puts(out, WWW_REVIEW_CSS);
  buf_puts(out, "<p><a href=\"/admin/revision\">← Revisiones pendientes</a></p>\n<h1>");
  www_html_put(out, title);
  buf_puts(out, ": ");
  www_html_put(out, *r->title ? r->title : r->layer_id);
  buf_printf(out, "</h1>\n<p>Versión %lld de la capa <code>", (long long)r->version);
  www_html_put(out, r->layer_id);
  buf_puts(out, "</code>, subida por ");
  www_html_put(out, r->submitted_by);
  buf_puts(out, " el ");
  www_fmt_date(out, WWW_LANG_ES, r->submitted_at);
  buf_puts(out, ". Estado: <strong>");
  buf_puts(out, strcmp(r->state, "pending") == 0    ? "pendiente de revisión"
                : strcmp(r->state, "approved") == 0 ? "aprobada"
                                                    : "rechazada");
  buf_puts(out, "</strong>. ");
  if (r->base_version > 0)
    buf_printf(out, "Al aprobarla reemplaza a la versión %lld, publicada ahora.</p>\n",
               (long long)r->base_version);
  else
    buf_puts(out, "Es la primera versión: al aprobarla la capa se publica por primera vez.</p>\n");

  /* read only: the summaries take a layer_info, whose strings are not const */
  layer_info l = {.report = (char *)r->report, .privacy = (char *)r->privacy,
                  .feature_count = r->feature_count};
  buf_puts(out, "<h2>Política de privacidad</h2>\n<p id=\"politica\">");
  size_t before = out->len;
  www_privacy_summary(out, WWW_LANG_ES, &l);
  if (out->len == before) buf_puts(out, "Sin política: se publican las ubicaciones exactas.");
  buf_puts(out, "</p>\n");
  json_t *policy = json_loads(r->privacy, 0, NULL);
  fields_words(out, policy);
  json_decref(policy);
  json_t *report = json_loads(r->report, 0, NULL);
  findings_words(out, json_object_get(report, "privacy"));
  json_decref(report);
  buf_puts(out, "<h2>Informe de calidad</h2>\n<p id=\"informe\">");
  www_quality_summary(out, WWW_LANG_ES, &l);
  buf_puts(out, "</p>\n");
  if (preview) preview_map(out, r, preview);
  decision(out, c, r, own);
  return www_admin_end(out, e);
}
