/* h_quality.c — GET /collections/{id}/quality: the full quality report of a layer's last import,
 * JSON or HTML negotiated like the other OGC documents (f=json|html, else Accept). What the
 * layer's privacy policy withholds is left out by www/quality_doc.c. */
#include "http/h_ogc_int.h"
#include "www/www.h"

void h_quality(http_request *req, http_response *resp) {
  features_format f;
  const layer_info *l = h_ogc_layer(req, resp);
  if (!l || !h_ogc_doc_format(req, resp, &f)) return;
  err e = {0};
  err_code rc;
  if (f == FEATURES_HTML) {
    www_site s = {.base_url = req->base_url, .style = WWW_DEFAULT_STYLE,
                  .lang = www_lang_parse(http_arg(req, "lang"))};
    rc = www_quality_page(&s, l, &resp->body, &e);
  } else {
    rc = www_quality_json(req->base_url, l, &resp->body, &e);
  }
  if (rc != ERR_OK) {
    h_ogc_fail(resp, &e);
    return;
  }
  h_ogc_ok(req, resp, f == FEATURES_HTML ? "text/html; charset=utf-8" : "application/json");
}
