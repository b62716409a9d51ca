/* api_doc.h — how an endpoint describes itself, so the OpenAPI document (/req/oas30) is derived
 * from the route table instead of being a second list of every URL.
 *
 * Each route of http/routes.c carries a features_api_op: its operation id, summary, the media
 * types of its 200, and its parameters. Path parameters come from the pattern's {captures} (a
 * descriptor only gives a capture a type or a description); query parameters are either shared
 * components (FEATURES_API_REF, defined once in openapi.c: the parsers' parameters) or written
 * in place. A pattern that starts with /collections/{id} is described once per collection, with
 * the collection's fields as its PROP=VALUE parameters (/req/core/fc-filters). Everything here is
 * static data: the document is built from it per request and owns nothing of it. */
#ifndef TESELAS_FEATURES_API_DOC_H
#define TESELAS_FEATURES_API_DOC_H

#include <stdbool.h>

#include "features/features.h"

/* A JSON Schema, written in this key order: type, enum, minItems, maxItems, items, minimum,
 * maximum, default (absent members are left out). */
typedef struct features_api_schema {
  const char *type;           /* "string", "integer", "number", "boolean", "array" */
  const char *const *enums;   /* allowed values, NULL-terminated; NULL: any */
  int min_items, max_items;   /* arrays; 0: unbounded */
  const char *items;          /* type of an array's elements */
  bool has_minimum, has_maximum, has_default;
  long long minimum, maximum, dflt;
} features_api_schema;

typedef enum features_api_in {
  FEATURES_API_END = 0,     /* ends a parameter list */
  FEATURES_API_PATH,        /* describes the {name} capture of the pattern */
  FEATURES_API_QUERY,       /* a query parameter written in place */
  FEATURES_API_REF,         /* the shared component `name` (openapi.c) */
  FEATURES_API_FIELDS,      /* the collection's fields, one PROP=VALUE parameter each */
  FEATURES_API_ALL_FIELDS,  /* every field any collection publishes (several layers at once) */
} features_api_in;

typedef struct features_api_param {
  features_api_in in;
  const char *name;
  const char *description;
  features_api_schema schema;
} features_api_param;

/* A capture expanded into one path per value ("download.{fmt}" → download.geojson, ...). */
typedef struct features_api_variant {
  const char *value;  /* NULL ends the list */
  const char *mime;
} features_api_variant;

/* One media type a request body may have, with its JSON Schema as JSON text (static data, parsed
 * when the document is built). A list of them ends with mime NULL. */
typedef struct features_api_body {
  const char *mime;   /* "multipart/form-data", "application/octet-stream", ... */
  const char *schema; /* '{"type":"string","format":"binary"}' */
} features_api_body;

typedef struct features_api_op {
  const char *op_id;                    /* per collection: op_id + "_" + the collection's id */
  const char *summary;                  /* NULL: the collection's title */
  const char *response;                 /* description of the 200; NULL: the summary */
  const char *const *mimes;             /* media types of the 200, NULL-terminated */
  const features_api_param *params;     /* ended by FEATURES_API_END; NULL: none */
  const features_api_variant *variants; /* the last capture expanded, with one media type each */
  bool no_404;                          /* the path has no resource that can be missing */
  bool empty_204;                       /* may answer 204 (an MVT tile with no feature) */
  const char *method;                   /* "post", "delete"; NULL: "get" */
  const char *status;                   /* the success status; NULL: "200" */
  bool authorized;                      /* needs Authorization: Bearer (401, 403, 409, 503) */
  bool request_body;                    /* takes a body: the file of an upload */
  const features_api_body *body;        /* the body's media types (requestBody); NULL: none */
  const char *body_doc;                 /* its description */
} features_api_op;

typedef struct features_api_route {
  const char *pattern;       /* as in the route table: "/collections/{id}/items/{featureId}" */
  const features_api_op *op;
} features_api_route;

/* The OpenAPI 3.0 document (JSON, or its HTML page) of routes [0, n_routes), in their order,
 * those under /collections/{id} once per collection of c, after the others. */
err_code features_doc_openapi(const features_site *s, const catalog *c,
                              const features_api_route *routes, size_t n_routes,
                              features_format f, buf *out, err *e);

#endif
