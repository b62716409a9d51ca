/* h_meta.c — /health and the JSON landing page: what a monitor or a first-time user asks first. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http/handlers.h"
#include "http/services.h"
#include "core/output_id.h"

/* status "ok", or "degraded" with the layers whose published version is damaged (their requests
 * get 503; the others are served): health.h says how often each is probed. */
void h_health(http_request *req, http_response *resp) {
  json_t *damaged = json_array();
  const catalog *c = req->catalog;
  for (size_t i = 0; damaged && i < c->n_layers; i++) {
    bool sound = true;
    char why[200];
    err e;
    err_clear(&e);
    if (health_layer_sound(req->services->health, req->reader, &c->layers[i], &sound, why,
                           sizeof why, &e) != ERR_OK) {
      snprintf(why, sizeof why, "%.190s", e.msg); /* a lock: not damage, but say it */
      sound = e.code != ERR_UNAVAILABLE;
    }
    if (!sound)
      json_array_append_new(damaged, json_pack("{s:s, s:I, s:s}", "layer", c->layers[i].id,
                                               "version", (json_int_t)c->layers[i].version,
                                               "description", why));
  }
  bool degraded = damaged && json_array_size(damaged) > 0;
  /* output: the build in tiles' ETags and ?v= (servers behind one balancer should agree) */
  json_t *doc = json_pack("{s:s, s:I, s:I, s:s, s:s}", "status", degraded ? "degraded" : "ok",
                          "layers", (json_int_t)c->n_layers, "uptime_s",
                          (json_int_t)(time(NULL) - req->started_unix), "version",
                          TESELAS_VERSION, "output", TESELAS_OUTPUT_ID);
  if (doc && degraded) json_object_set(doc, "damaged", damaged);
  json_decref(damaged);
  http_header_add(resp, "Cache-Control", "no-store");
  http_send_json(resp, doc);
}

void h_landing(http_request *req, http_response *resp) {
  if (h_catalog_negotiated(req, resp, NULL)) return; /* DCAT-AP for harvesters (h_catalog.c) */
  if (!http_wants_json(req)) { /* browsers get the catalog page (h_pages.c) */
    h_catalog_page(req, resp);
    return;
  }
  h_ogc_landing(req, resp); /* the OGC API landing page, with the layer list (h_ogc.c) */
}

void http_unavailable(const http_request *req, http_response *resp, const char *why) {
  http_header_add(resp, "Retry-After", "2");
  http_header_add(resp, "Cache-Control", "no-store");
  if (strcmp(req->path, "/health") != 0) {
    http_error(resp, ERR_IO, "the database cannot be reached now; try again in a few seconds");
    return;
  }
  json_t *doc = json_pack("{s:s, s:s, s:s, s:I, s:s}", "status", "degraded", "database",
                          "unreachable", "reason", why, "uptime_s",
                          (json_int_t)(time(NULL) - req->started_unix), "version",
                          TESELAS_VERSION);
  http_send_json(resp, doc);
  if (resp->status == 200) resp->status = 503;
}
