/* form_int.h — a urlencoded form body into fields (form.c), for server.c. */
#ifndef TESELAS_HTTP_FORM_INT_H
#define TESELAS_HTTP_FORM_INT_H

#include <stdlib.h>

#include "http/http.h"

/* The fields of body [body, body+len) into out[0..max), copied into a; returns how many. */
size_t http_form_parse(arena *a, const char *body, size_t len, query_arg *out, size_t max);

#endif
