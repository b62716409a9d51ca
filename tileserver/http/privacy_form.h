/* privacy_form.h — the privacy choice of the layer page's upload form (privacy_form.c). */
#ifndef TESELAS_HTTP_PRIVACY_FORM_H
#define TESELAS_HTTP_PRIVACY_FORM_H

#include <stdbool.h>

#include "core/arena.h"
#include "http/http.h"

/* True for a form field this module reads (privacy_mode, privacy_grid, privacy_k, privacy_month,
 * privacy_by, privacy_reason): the upload does not pass them on as import options. */
bool http_privacy_field(const char *key);

/* The choice in the form of up as the spec of the `privacy` import option, in a's memory:
 * *out_spec NULL when the form chose nothing (the layer's policy then stands). A choice of exact
 * locations ("none") needs a stated reason, in *out_reason (else NULL). false with *out_error (a
 * sentence for people, static) when the choice does not read. */
bool http_privacy_form(const http_upload_file *up, arena *a, const char **out_spec,
                       const char **out_reason, const char **out_error);

#endif
