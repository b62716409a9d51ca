/* h_meta.c — /health and the JSON landing page: what a monitor or a first-time user asks first. */
#include <jansson.h>
#include <stdlib.h>
#include <time.h>

#include "http/handlers.h"

static void send_json(http_response *resp, json_t *doc) {
  char *text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
  json_decref(doc);
  if (!text) {
    http_error(resp, ERR_NOMEM, "out of memory");
    return;
  }
  resp->status = 200;
  resp->content_type = "application/json";
  resp->compressible = true;
  buf_puts(&resp->body, text);
  buf_putc(&resp->body, '\n');
  free(text);
}

void h_health(http_request *req, http_response *resp) {
  json_t *doc = json_pack("{s:s, s:I, s:I, s:s}", "status", "ok", "layers",
                          (json_int_t)req->catalog->n_layers, "uptime_s",
                          (json_int_t)(time(NULL) - req->started_unix), "version",
                          TESELAS_VERSION);
  http_header_add(resp, "Cache-Control", "no-store");
  send_json(resp, doc);
}

void h_landing(http_request *req, http_response *resp) {
  json_t *layers = json_array();
  for (size_t i = 0; i < req->catalog->n_layers; i++) {
    const layer_info *l = &req->catalog->layers[i];
    json_array_append_new(
        layers, json_pack("{s:s, s:s, s:s, s:I, s:I, s:b, s:[f,f,f,f], s:s, s:s, s:s}", "id",
                          l->id, "title", l->title, "geometry_type", l->geometry_type,
                          "feature_count", (json_int_t)l->feature_count, "version",
                          (json_int_t)l->version, "sample", l->sample, "bounds", l->bounds[0],
                          l->bounds[1], l->bounds[2], l->bounds[3], "publisher", l->publisher,
                          "license", l->license, "updated_at", l->updated_at));
  }
  json_t *doc = json_pack("{s:s, s:s, s:o}", "title", "teselas", "description",
                          "Mapas, teselas y datos abiertos del municipio", "layers", layers);
  send_json(resp, doc);
}
