/* admin.c — the pages for publishers at /admin, in plain Spanish: sign in, "tus capas", a
 * layer's page (state, last version, upload form, history with a rollback button each) and an
 * upload's job page (refreshes itself until the import ends, then the quality report in words).
 *
 * Every form is a plain HTML form (no script needed: keyboard and screen readers use what the
 * browser gives), every control has a <label>, and every POST carries the session's CSRF token
 * in a hidden field. Layout: the catalog's stylesheet and header; one column that fits 360 px.
 * What a reviewer decides (a layer "pendiente de revisión") is shown by www_admin_state: the one
 * place that says a layer's state in words. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "core/html.h"
#include "www/www_int.h"

static const char ADMIN_CSS[] =
    "<style>.admin form{display:grid;gap:.75rem;max-width:32rem}"
    ".admin label{font-weight:600}.admin input[type=password],.admin input[type=text],"
    ".admin input[type=file]{width:100%;box-sizing:border-box;min-height:44px;padding:.4rem;"
    "border:2px solid #6b6f66;border-radius:4px;font:inherit}"
    ".admin button{min-height:44px;justify-self:start}"
    ".admin .error{border-left:6px solid #a4000f;padding:.5rem 1rem;background:#fdecee}"
    ".admin .okay{border-left:6px solid #0b5d3b;padding:.5rem 1rem;background:#e6f0ea}"
    ".admin table{border-collapse:collapse;width:100%}.admin td,.admin th{text-align:left;"
    "padding:.3rem;border-bottom:1px solid #ccc;vertical-align:top}"
    ".admin .table{overflow-x:auto}.admin form.inline{display:inline}"
    ".admin fieldset{display:grid;gap:.5rem;border:1px solid #6b6f66;min-width:0}"
    ".admin fieldset p{margin:0}.admin textarea{width:100%;box-sizing:border-box;font:inherit}"
    "</style>\n";

void www_admin_begin(buf *b, const char *title, const char *refresh_s, const char *account,
                     const char *csrf, const char *css_asset) {
  char meta[200] = "<meta name=\"color-scheme\" content=\"light\">\n";
  if (refresh_s)
    snprintf(meta + strlen(meta), sizeof meta - strlen(meta),
             "<meta http-equiv=\"refresh\" content=\"%s\">\n", refresh_s);
  html_page_head(b, &(html_page){.lang = "es", .title = title, .title_suffix = " · teselas",
                                 .meta = meta});
  buf_puts(b, "<link rel=\"stylesheet\" href=\"");
  www_asset_url(b, "teselas.css");
  buf_puts(b, "\">\n");
  buf_puts(b, "<link rel=\"icon\" href=\"");
  www_asset_url(b, "favicon.svg");
  buf_puts(b, "\" type=\"image/svg+xml\">\n");
  if (css_asset) {
    buf_puts(b, "<link rel=\"stylesheet\" href=\"");
    www_asset_url(b, css_asset);
    buf_puts(b, "\">\n");
  }
  buf_puts(b, ADMIN_CSS);
  html_page_body(b, "catalog admin");
  buf_puts(b, "<a class=\"skip\" href=\"#main\">Saltar al contenido</a>\n<header class=\"site\">\n"
              "<p class=\"brand\"><a href=\"/admin\">teselas</a> <span>Publicar datos</span>"
              "</p>\n");
  if (account && csrf) {
    buf_puts(b, "<form class=\"inline\" method=\"post\" action=\"/admin/salir\">"
                "<input type=\"hidden\" name=\"csrf\" value=\"");
    www_html_put(b, csrf);
    buf_puts(b, "\"><span>");
    www_html_put(b, account);
    buf_puts(b, "</span> <button class=\"button\" type=\"submit\">Salir</button></form>\n");
  }
  buf_puts(b, "</header>\n<main id=\"main\">\n");
}

err_code www_admin_end(buf *b, err *e) {
  buf_puts(b, "</main>\n</body>\n</html>\n");
  return b->failed ? err_set(e, ERR_LIMIT, "the page does not fit") : ERR_OK;
}

void www_admin_csrf(buf *b, const char *csrf) {
  buf_puts(b, "<input type=\"hidden\" name=\"csrf\" value=\"");
  www_html_put(b, csrf);
  buf_puts(b, "\">\n");
}

err_code www_admin_signin(const char *error, const char *name, buf *out, err *e) {
  www_admin_begin(out, "Entrar", NULL, NULL, NULL, NULL);
  buf_puts(out, "<h1>Entrar para publicar</h1>\n");
  if (error) {
    buf_puts(out, "<p class=\"error\" role=\"alert\" id=\"error\">");
    www_html_put(out, error);
    buf_puts(out, "</p>\n");
  }
  buf_puts(out, "<form method=\"post\" action=\"/admin/entrar\">\n"
                "<label for=\"usuario\">Usuario</label>\n"
                "<input type=\"text\" id=\"usuario\" name=\"usuario\" autocomplete=\"username\" "
                "autocapitalize=\"none\" spellcheck=\"false\" required value=\"");
  www_html_put(out, name ? name : "");
  buf_printf(out, "\"%s>\n<label for=\"contrasena\">Contraseña</label>\n"
                  "<input type=\"password\" id=\"contrasena\" name=\"contraseña\" "
                  "autocomplete=\"current-password\" required%s>\n"
                  "<button class=\"button primary\" type=\"submit\">Entrar</button>\n</form>\n"
                  "<p>¿Sin cuenta? Pídela a quien administra los datos abiertos de tu "
                  "ciudad.</p>\n",
             error ? " aria-describedby=\"error\"" : "", error ? " aria-describedby=\"error\"" : "");
  return www_admin_end(out, e);
}

void www_admin_state(buf *b, const layer_info *l, const www_admin_review *r) {
  bool pending = r && strcmp(r->state, "pending") == 0;
  /* a refusal matters until a later version is published */
  bool refused = r && strcmp(r->state, "rejected") == 0 && (!l || l->version < r->version);
  if (pending) {
    buf_printf(b, "versión %lld pendiente de revisión", (long long)r->version);
    buf_puts(b, l ? "; se sigue publicando la anterior" : "");
    return;
  }
  buf_puts(b, l ? "publicada" : "sin publicar todavía");
  if (refused) {
    buf_printf(b, "; la versión %lld fue rechazada: ", (long long)r->version);
    www_html_put(b, r->reason);
  }
}

err_code www_admin_home(const www_admin_ctx *c, const char *const *layer_ids,
                        const www_admin_review *const *reviews, size_t n_layers,
                        const catalog *cat, buf *out, err *e) {
  www_admin_begin(out, "Tus capas", NULL, c->account, c->csrf, NULL);
  buf_puts(out, "<h1>Tus capas</h1>\n");
  if (c->department && *c->department) {
    buf_puts(out, "<p>Dependencia: ");
    www_html_put(out, c->department);
    buf_puts(out, "</p>\n");
  }
  if (c->reviewer)
    buf_puts(out, "<p><a href=\"/admin/revision\">Revisiones pendientes</a>: las versiones que "
                  "esperan tu decisión.</p>\n");
  if (n_layers == 0) {
    buf_puts(out, "<p>Tu cuenta no tiene capas asignadas. Pide a quien administra los datos que "
                  "te asigne las de tu dependencia.</p>\n");
    return www_admin_end(out, e);
  }
  buf_puts(out, "<div class=\"table\"><table>\n<caption>Capas que puedes publicar</caption>\n"
                "<thead><tr><th scope=\"col\">Capa</th><th scope=\"col\">Estado</th>"
                "<th scope=\"col\">Última versión</th></tr></thead>\n<tbody>\n");
  for (size_t i = 0; i < n_layers; i++) {
    const layer_info *l = NULL;
    for (size_t j = 0; cat && j < cat->n_layers; j++)
      if (strcmp(cat->layers[j].id, layer_ids[i]) == 0) l = &cat->layers[j];
    buf_puts(out, "<tr><th scope=\"row\"><a href=\"/admin/capas/");
    www_html_put(out, layer_ids[i]);
    buf_puts(out, "\">");
    www_html_put(out, l && *l->title ? l->title : layer_ids[i]);
    buf_puts(out, "</a></th><td>");
    www_admin_state(out, l, reviews[i]);
    buf_puts(out, "</td><td>");
    if (l) {
      buf_printf(out, "versión %lld, ", (long long)l->version);
      www_fmt_date(out, WWW_LANG_ES, l->delivered_at && *l->delivered_at ? l->delivered_at
                                                                        : l->updated_at);
    } else {
      buf_puts(out, "—");
    }
    buf_puts(out, "</td></tr>\n");
  }
  buf_puts(out, "</tbody>\n</table></div>\n");
  return www_admin_end(out, e);
}

/* The privacy choice of the upload form (http/privacy_form.c reads it): plain radio buttons and
 * numbers, every control labelled; no script decides what is required, the server does. */
static void privacy_choice(buf *b) {
  static const struct {
    const char *value, *label;
  } MODES[] = {
      {"keep", "La política que ya tiene la capa (ninguna si es nueva)"},
      {"generalize", "Generalizar: cada punto se mueve al centro de su celda de la cuadrícula"},
      {"aggregate", "Agregar: solo se publica cuántos casos hay en cada celda"},
      {"none", "Ninguna: publicar las ubicaciones exactas (escribe por qué)"}};
  buf_puts(b, "<fieldset id=\"privacidad\"><legend>Privacidad de las ubicaciones</legend>\n");
  for (size_t i = 0; i < sizeof MODES / sizeof *MODES; i++)
    buf_printf(b, "<p><input type=\"radio\" id=\"privacy_%s\" name=\"privacy_mode\" "
                  "value=\"%s\"%s> <label for=\"privacy_%s\">%s</label></p>\n",
               MODES[i].value, MODES[i].value, i == 0 ? " checked" : "", MODES[i].value,
               MODES[i].label);
  buf_puts(b, "<label for=\"privacy_grid\">Tamaño de la celda, en metros (50 a 100000)</label>\n"
              "<input type=\"text\" inputmode=\"numeric\" id=\"privacy_grid\" "
              "name=\"privacy_grid\" value=\"250\">\n<label for=\"privacy_k\">Mínimo de casos por "
              "celda: las que tienen menos no se publican (2 a 1000)</label>\n<input type=\"text\" "
              "inputmode=\"numeric\" id=\"privacy_k\" name=\"privacy_k\" value=\"5\">\n"
              "<p><input type=\"checkbox\" id=\"privacy_month\" name=\"privacy_month\" "
              "value=\"true\"> <label for=\"privacy_month\">Generalizar: fechas solo con el mes"
              "</label></p>\n<label for=\"privacy_by\">Agregar: contar también por este campo "
              "(opcional)</label>\n<input type=\"text\" id=\"privacy_by\" name=\"privacy_by\" "
              "autocapitalize=\"none\" spellcheck=\"false\">\n<label for=\"privacy_reason\">"
              "Ninguna: por qué se publican las ubicaciones exactas</label>\n"
              "<textarea id=\"privacy_reason\" name=\"privacy_reason\" maxlength=\"400\">"
              "</textarea>\n</fieldset>\n");
}

err_code www_admin_layer(const www_admin_ctx *c, const char *id, const layer_info *l,
                         const www_admin_review *review,
                         const www_admin_version *v, size_t n_versions, buf *out, err *e) {
  const char *title = l && *l->title ? l->title : id;
  www_admin_begin(out, title, NULL, c->account, c->csrf, NULL);
  buf_puts(out, "<p><a href=\"/admin\">← Tus capas</a></p>\n<h1>");
  www_html_put(out, title);
  buf_puts(out, "</h1>\n<p>Estado: <strong>");
  www_admin_state(out, l, review);
  buf_puts(out, "</strong>");
  if (l) {
    char num[32];
    www_fmt_count(l->feature_count, num);
    buf_printf(out, ". Versión %lld, del ", (long long)l->version);
    www_fmt_date(out, WWW_LANG_ES, l->delivered_at && *l->delivered_at ? l->delivered_at
                                                                      : l->updated_at);
    buf_printf(out, ", con %s elementos. ", num);
    www_quality_summary(out, WWW_LANG_ES, l);
    buf_puts(out, " <a href=\"/collections/");
    www_html_put(out, id);
    buf_puts(out, "?f=html\">Ver la capa publicada</a>");
  }
  buf_puts(out, "</p>\n<h2 id=\"subir\">Subir una nueva versión</h2>\n"
                "<form method=\"post\" enctype=\"multipart/form-data\" action=\"/admin/capas/");
  www_html_put(out, id);
  buf_puts(out, "/versiones\">\n");
  www_admin_csrf(out, c->csrf);
  buf_puts(out, "<label for=\"archivo\">Archivo (CSV, GeoJSON, KML, KMZ, Shapefile en .zip, "
                "GeoPackage o GPX)</label>\n<input type=\"file\" id=\"archivo\" name=\"archivo\" "
                "required accept=\".csv,.txt,.tsv,.geojson,.json,.ndjson,.zip,.kml,.kmz,.gpkg,"
                ".gpx\">\n<label for=\"drop\">Campos que no se publican (sus nombres, separados por "
                "comas; opcional)</label>\n<input type=\"text\" id=\"drop\" name=\"drop\" "
                "autocapitalize=\"none\" spellcheck=\"false\">\n<label for=\"keep\">Campos que "
                "parecen personales y sí se publican, a conciencia (opcional)</label>\n"
                "<input type=\"text\" id=\"keep\" name=\"keep-field\" autocapitalize=\"none\" "
                "spellcheck=\"false\">\n");
  privacy_choice(out);
  buf_puts(out, "<p><input type=\"checkbox\" id=\"dry_run\" name=\"dry_run\" "
                "value=\"true\"> <label for=\"dry_run\">Solo revisar el archivo, sin publicar"
                "</label></p>\n<button class=\"button primary\" type=\"submit\">Subir</button>\n"
                "</form>\n<h2>Historial</h2>\n");
  if (n_versions == 0) {
    buf_puts(out, "<p>Esta capa no tiene versiones todavía.</p>\n");
    return www_admin_end(out, e);
  }
  buf_puts(out, "<div class=\"table\"><table>\n<thead><tr><th scope=\"col\">Versión</th>"
                "<th scope=\"col\">Fecha</th><th scope=\"col\">Archivo</th><th scope=\"col\">"
                "Elementos</th><th scope=\"col\">Acción</th></tr></thead>\n<tbody>\n");
  for (size_t i = n_versions; i-- > 0;) {
    const www_admin_version *r = &v[i];
    char num[32];
    www_fmt_count(r->feature_count, num);
    buf_printf(out, "<tr><th scope=\"row\">%lld</th><td>", (long long)r->version);
    www_fmt_date(out, WWW_LANG_ES, r->imported_at);
    buf_puts(out, "</td><td>");
    www_html_put(out, r->source_name);
    if (r->rollback_of > 0)
      buf_printf(out, " (vuelta a la versión %lld)", (long long)r->rollback_of);
    buf_printf(out, "</td><td>%s</td><td>", r->removal ? "—" : num);
    if (l && r->version == l->version) {
      buf_puts(out, "publicada ahora");
    } else if (r->kept && l) {
      buf_puts(out, "<form class=\"inline\" method=\"post\" action=\"/admin/capas/");
      www_html_put(out, id);
      buf_puts(out, "/rollback\">");
      www_admin_csrf(out, c->csrf);
      buf_printf(out, "<input type=\"hidden\" name=\"to\" value=\"%lld\"><button class=\"button\" "
                      "type=\"submit\">Volver a publicar la versión %lld</button></form>",
                 (long long)r->version, (long long)r->version);
    } else {
      buf_puts(out, "datos no guardados");
    }
    buf_puts(out, "</td></tr>\n");
  }
  buf_puts(out, "</tbody>\n</table></div>\n");
  return www_admin_end(out, e);
}

/* The job's outcome in words. */
static void job_words(buf *b, json_t *d, const char *layer) {
  const char *state = json_string_value(json_object_get(d, "state"));
  const char *result = json_string_value(json_object_get(d, "result"));
  const char *msg = json_string_value(json_object_get(d, "message"));
  json_int_t version = json_integer_value(json_object_get(d, "version"));
  bool failed = state && strcmp(state, "failed") == 0;
  bool rejected = failed || (result && strcmp(result, "rejected") == 0);
  buf_puts(b, rejected ? "<div class=\"error\" role=\"alert\">" : "<div class=\"okay\" "
                                                                 "role=\"status\">");
  if (rejected) {
    buf_puts(b, "<p><strong>El archivo no se publicó.</strong> ");
    if (msg) www_html_put(b, msg);
    buf_puts(b, "</p>\n<p>Corrige el archivo y vuelve a subirlo: <a href=\"/admin/capas/");
    www_html_put(b, layer);
    buf_puts(b, "#subir\">subir de nuevo</a>. La versión publicada no cambió.</p>\n");
    if (msg && strstr(msg, "personales"))
      buf_puts(b, "<p>Si el mensaje nombra campos personales, escribe sus nombres en «Campos que "
                  "no se publican» al subir de nuevo (o, si deben publicarse, en «sí se "
                  "publican»).</p>\n");
  } else if (result && strcmp(result, "published") == 0) {
    buf_printf(b, "<p><strong>Publicada la versión %lld.</strong> ", (long long)version);
    if (msg) www_html_put(b, msg);
    buf_puts(b, "</p>\n");
  } else if (result && strcmp(result, "pending") == 0) {
    buf_printf(b, "<p><strong>Versión %lld pendiente de revisión.</strong> La capa tiene datos "
               "personales o una política de privacidad: la unidad de transparencia revisa lo que "
               "se publicaría y la aprueba o la rechaza con sus razones. Hasta entonces se sigue "
               "publicando la versión anterior (o nada, si es la primera).</p>\n",
               (long long)version);
  } else if (result && strcmp(result, "would_await_review") == 0) {
    buf_puts(b, "<p><strong>Revisión terminada:</strong> el archivo se publicaría después de la "
                "revisión de la unidad de transparencia. No se publicó nada.</p>\n");
  } else if (result && strcmp(result, "unchanged") == 0) {
    buf_puts(b, "<p><strong>Sin cambios:</strong> el archivo es el mismo que la versión "
                "publicada; no se creó una versión nueva.</p>\n");
  } else if (result && strcmp(result, "would_publish") == 0) {
    buf_puts(b, "<p><strong>Revisión terminada:</strong> el archivo se publicaría así. No se "
                "publicó nada.</p>\n");
  } else {
    buf_puts(b, "<p>");
    www_html_put(b, result ? result : state);
    buf_puts(b, "</p>\n");
  }
  buf_puts(b, "</div>\n");
}

err_code www_admin_job(const www_admin_ctx *c, const char *job_json, buf *out, err *e) {
  json_t *d = json_loads(job_json, 0, NULL);
  if (!d) return err_set(e, ERR_INTERNAL, "a job document that does not parse");
  const char *state = json_string_value(json_object_get(d, "state"));
  const char *layer = json_string_value(json_object_get(d, "layer"));
  const char *progress = json_string_value(json_object_get(d, "progress"));
  json_int_t n = json_integer_value(json_object_get(d, "job"));
  bool ended = state && (strcmp(state, "done") == 0 || strcmp(state, "failed") == 0);
  char title[64];
  snprintf(title, sizeof title, "Subida %lld", (long long)n);
  json_t *preview = json_object_get(d, "preview");
  www_admin_begin(out, title, ended ? NULL : "2", c->account, c->csrf,
                  preview ? "maplibre-gl.css" : NULL);
  if (preview) buf_puts(out, WWW_REVIEW_CSS);
  buf_puts(out, "<p><a href=\"/admin/capas/");
  www_html_put(out, layer ? layer : "");
  buf_puts(out, "\">← La capa</a></p>\n<h1>");
  www_html_put(out, title);
  buf_puts(out, ": ");
  www_html_put(out, layer ? layer : "");
  buf_puts(out, "</h1>\n");
  if (!ended) {
    buf_printf(out, "<p role=\"status\">%s. Esta página se actualiza sola cada 2 segundos.",
               state && strcmp(state, "queued") == 0 ? "En espera de turno"
                                                     : "Importando el archivo");
    if (progress && *progress) {
      buf_puts(out, " ");
      www_html_put(out, progress);
    }
    buf_puts(out, "</p>\n");
  } else {
    job_words(out, d, layer ? layer : "");
    json_t *rep = json_object_get(d, "report");
    if (json_is_object(rep)) {
      char *text = json_dumps(rep, JSON_COMPACT);
      layer_info l = {.report = text, .privacy = "{}", .feature_count = -1};
      json_t *imported = json_object_get(json_object_get(rep, "counts"), "imported");
      if (json_is_integer(imported)) l.feature_count = json_integer_value(imported);
      buf_puts(out, "<h2>Informe de calidad</h2>\n<p id=\"informe\">");
      www_quality_summary(out, WWW_LANG_ES, &l);
      buf_puts(out, "</p>\n");
      free(text);
      if (json_is_object(preview)) www_admin_geojson_map(out, preview);
    }
  }
  json_decref(d);
  return www_admin_end(out, e);
}

err_code www_admin_message(const www_admin_ctx *c, const char *title, const char *text,
                           const char *back_href, buf *out, err *e) {
  www_admin_begin(out, title, NULL, c ? c->account : NULL, c ? c->csrf : NULL, NULL);
  buf_puts(out, "<h1>");
  www_html_put(out, title);
  buf_puts(out, "</h1>\n<p class=\"error\" role=\"alert\">");
  www_html_put(out, text);
  buf_puts(out, "</p>\n<p>Corrige y vuelve a intentarlo: <a href=\"");
  www_html_put(out, back_href ? back_href : "/admin");
  buf_puts(out, "\">volver</a>.</p>\n");
  return www_admin_end(out, e);
}
