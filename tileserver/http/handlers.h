/* handlers.h — every HTTP handler, listed by the route table in routes.c. */
#ifndef TESELAS_HTTP_HANDLERS_H
#define TESELAS_HTTP_HANDLERS_H

#include "http/http.h"

void h_health(http_request *req, http_response *resp);
void h_landing(http_request *req, http_response *resp);

/* h_tiles.c */
void h_tile(http_request *req, http_response *resp);
void h_tilejson(http_request *req, http_response *resp);
void h_ogc_tile(http_request *req, http_response *resp);
void h_ogc_tilesets(http_request *req, http_response *resp);
void h_ogc_tileset(http_request *req, http_response *resp);

#endif
