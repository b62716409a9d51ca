/* ogc_int.h — pieces of the API documents shared by ogc.c, ogc_html.c and openapi.c. */
#ifndef TESELAS_FEATURES_OGC_INT_H
#define TESELAS_FEATURES_OGC_INT_H

#include <jansson.h>

#include "features/features_int.h"

extern const char FEATURES_CRS84[];

/* {"rel","type","title","href"}; the f variant formats href. New references (jansson). */
json_t *features_link(const char *rel, const char *type, const char *title, const char *href);
json_t *features_linkf(const char *rel, const char *type, const char *title, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Writes doc (consumed) as indented JSON to out. */
err_code features_json_dump(json_t *doc, buf *out, err *e);

json_t *features_landing_json(const features_site *s, const catalog *c);
json_t *features_conformance_json(void);
json_t *features_collection_json(const features_site *s, store_reader *rd, const layer_info *l);
json_t *features_queryables_json(const features_site *s, const layer_info *l);
/* Sets "type" (and "format") of a JSON Schema property for a field type. */
void features_field_schema(json_t *prop, field_type t);

/* HTML pages (ogc_html.c). */
err_code features_html_landing(const features_site *s, buf *out, err *e);
err_code features_html_collections(const features_site *s, const catalog *c, buf *out, err *e);
err_code features_html_collection(const features_site *s, store_reader *rd, const layer_info *l,
                                  buf *out, err *e);
err_code features_html_queryables(const features_site *s, const layer_info *l, buf *out, err *e);

#endif
