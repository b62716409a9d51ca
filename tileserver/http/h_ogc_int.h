/* h_ogc_int.h — what the OGC API handlers (h_ogc.c, h_features.c) share: turning a request into
 * what features/ takes (key/value pairs, the collection, the negotiated format, the site). */
#ifndef TESELAS_HTTP_H_OGC_INT_H
#define TESELAS_HTTP_H_OGC_INT_H

#include "features/features.h"
#include "http/handlers.h"

/* The collection named by the first path capture; NULL after answering 404. */
const layer_info *h_ogc_layer(http_request *req, http_response *resp);
/* The query arguments as features_kv (in the request's arena; NULL only when it failed). */
features_kv *h_ogc_args(http_request *req);
/* Content negotiation without f: HTML for browsers (text/html first in Accept), CSV when asked
 * (text/csv, items only), otherwise JSON/GeoJSON (/req/core/http, /rec/html/...). */
features_format h_ogc_negotiate(const http_request *req, bool items);
/* Parses f for a document (json or html only): false after answering 400. */
bool h_ogc_doc_format(http_request *req, http_response *resp, features_format *out);
features_site h_ogc_site(const http_request *req);
/* Answers with e's kind and message. */
void h_ogc_fail(http_response *resp, const err *e);
/* Sets status 200, content type, gzip and the data Cache-Control. */
void h_ogc_ok(http_request *req, http_response *resp, const char *content_type);
/* The ETag of a data answer of layer l in `format` (items, a feature, counts, a download): weak,
 * from the layer's version, the path, the arguments, the base URL and the build's output id.
 * NULL when the arena failed. */
const char *h_ogc_data_tag(http_request *req, const layer_info *l, int format);
/* When the client's If-None-Match names tag, answers 304 (with the tag) and returns true: the
 * caller then does no work. Otherwise the caller adds the tag to its 200 (h_ogc_ok_tagged) and
 * to nothing else: an error never carries the tag of an answer. */
bool h_ogc_not_modified(http_request *req, http_response *resp, const char *tag);
/* h_ogc_ok with the data answer's tag. */
void h_ogc_ok_tagged(http_request *req, http_response *resp, const char *content_type,
                     const char *tag);

#endif
