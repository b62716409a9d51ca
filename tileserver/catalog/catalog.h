/* catalog.h — the portal's catalogue of the layers, in the forms other catalogues read:
 *  - DCAT-AP 3.0 (dcat.c) as JSON-LD or Turtle: one dcat:Dataset per layer with its downloads
 *    (dcat:Distribution) and services (dcat:DataService), paged with Hydra, which a CKAN portal
 *    harvests from one URL (ckanext-dcat, profile euro_dcat_ap_3);
 *  - the data dictionary of a layer (dictionary.c): each published field's label, description,
 *    type, unit, observed values or range and fill rate, and the fields the privacy policy
 *    generalised or dropped, as JSON, CSV or HTML;
 *  - CKAN's read API (ckan.c): package_list, package_show, package_search, organization_list,
 *    for tools that read CKAN but not DCAT.
 * No HTTP: handlers pass the request's base URL and arguments; everything is written to a buf.
 * Only what the catalog publishes appears: the current version and its published fields. */
#ifndef TESELAS_CATALOG_CATALOG_H
#define TESELAS_CATALOG_CATALOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "store/store.h"

typedef struct catalog_site {
  const char *base_url;    /* "http://host:port" or the public URL, no trailing '/' */
  const char *title;       /* of the whole catalogue */
  const char *description;
} catalog_site;

typedef enum catalog_syntax { CATALOG_JSONLD, CATALOG_TURTLE } catalog_syntax;

enum { CATALOG_PAGE_SIZE = 100, CATALOG_PAGE_SIZE_MAX = 1000 };

/* What a catalogue request asks for: one page of every layer, or one layer's dataset. */
typedef struct catalog_dcat_req {
  catalog_syntax syntax;
  const layer_info *only;  /* NULL: the catalogue; else this layer's dataset alone */
  int64_t page;            /* 1-based page of the catalogue */
  int64_t page_size;       /* datasets per page, 1..CATALOG_PAGE_SIZE_MAX */
} catalog_dcat_req;

/* Writes the DCAT-AP 3.0 graph to out. Request memory from a (freed with it). ERR_NOT_FOUND for
 * a page past the last (page 1 always exists), ERR_NOMEM / ERR_LIMIT when it does not fit,
 * ERR_DB from the store (the time extent of a layer). */
err_code catalog_dcat_write(const catalog_site *s, store_reader *r, const catalog *c,
                            const catalog_dcat_req *q, arena *a, buf *out, err *e);

/* ---- the data dictionary (dictionary.c) ---- */

typedef enum catalog_dict_format { CATALOG_DICT_JSON, CATALOG_DICT_CSV, CATALOG_DICT_HTML } catalog_dict_format;

/* Writes layer l's dictionary to out. It reads every value of every published field (one
 * grouped scan per field) for the observed values, range and fill rate. ERR_DB, ERR_NOMEM. */
err_code catalog_dictionary_write(const catalog_site *s, store_reader *r, const layer_info *l,
                                  catalog_dict_format f, buf *out, err *e);

/* ---- CKAN's action API, read side (ckan.c) ---- */

/* The CKAN actions teselas answers. */
typedef enum catalog_ckan_action {
  CATALOG_CKAN_PACKAGE_LIST,
  CATALOG_CKAN_PACKAGE_SHOW,
  CATALOG_CKAN_PACKAGE_SEARCH,
  CATALOG_CKAN_ORGANIZATION_LIST,
} catalog_ckan_action;

/* The parameters of an action, already parsed and checked (the handler refuses malformed ones
 * with CKAN's error shape, catalog_ckan_error). */
typedef struct catalog_ckan_req {
  catalog_ckan_action action;
  const char *id;          /* package_show: the layer id ("" none) */
  const char *q;           /* package_search: words all found in title, description, keywords,
                              id or publisher (case folded); "" every layer */
  int64_t rows, start;     /* package_search: page size (0..1000) and offset */
} catalog_ckan_req;

/* Writes CKAN's {"help", "success": true, "result"} answer. ERR_NOT_FOUND for an unknown id
 * (the caller answers with catalog_ckan_error), ERR_NOMEM. */
err_code catalog_ckan_write(const catalog_site *s, const catalog *c, const catalog_ckan_req *q,
                            buf *out, err *e);
/* CKAN's error body {"help", "success": false, "error": {"__type", "message"}}; type is CKAN's
 * ("Validation Error", "Not Found Error"). */
void catalog_ckan_error(const catalog_site *s, const char *action, const char *type,
                        const char *message, buf *out);

/* ---- usage per layer (usage.c) ---- */

typedef enum catalog_usage_format {
  CATALOG_USAGE_TEXT, CATALOG_USAGE_CSV, CATALOG_USAGE_JSON, CATALOG_USAGE_HTML
} catalog_usage_format;

typedef struct catalog_usage_req {
  const char *since;         /* "YYYY-MM-DD" (UTC) or NULL / "": every count kept */
  store_usage_period by;
  catalog_usage_format format;
} catalog_usage_req;

/* True for a real date written YYYY-MM-DD, from 1970. */
bool catalog_usage_since_valid(const char *s);
/* Writes the requests of each layer by period and kind (pages, vector tiles, images, feature
 * queries, downloads) and their bytes, from the counts the server keeps, and what is not kept.
 * c (may be NULL) gives the HTML page the layers' titles. ERR_DB, ERR_NOMEM. */
err_code catalog_usage_write(store_reader *r, const catalog *c, const catalog_usage_req *q,
                             buf *out, err *e);

#endif
