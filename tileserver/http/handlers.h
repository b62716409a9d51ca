/* handlers.h — every HTTP handler, listed by the route table in routes.c. */
#ifndef TESELAS_HTTP_HANDLERS_H
#define TESELAS_HTTP_HANDLERS_H

#include "http/http.h"

void h_health(http_request *req, http_response *resp);
void h_landing(http_request *req, http_response *resp);

#endif
