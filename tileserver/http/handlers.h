/* handlers.h — every HTTP handler, listed by the route table in routes.c. */
#ifndef TESELAS_HTTP_HANDLERS_H
#define TESELAS_HTTP_HANDLERS_H

#include "features/api_doc.h"
#include "http/http.h"

/* The route table as /api describes it, in its order (in a's memory; NULL when a failed). */
const features_api_route *http_route_docs(arena *a, size_t *out_n);

void h_health(http_request *req, http_response *resp);
void h_landing(http_request *req, http_response *resp);
void h_metrics(http_request *req, http_response *resp);

/* h_tiles.c */
void h_tile(http_request *req, http_response *resp);
void h_tilejson(http_request *req, http_response *resp);
void h_ogc_tile(http_request *req, http_response *resp);
void h_ogc_tilesets(http_request *req, http_response *resp);
void h_ogc_tileset(http_request *req, http_response *resp);

/* h_pages.c: the pages people see (h_landing calls h_catalog_page for browsers) */
void h_catalog_page(http_request *req, http_response *resp);
void h_map_page(http_request *req, http_response *resp);
void h_embed_page(http_request *req, http_response *resp);
void h_asset(http_request *req, http_response *resp);
void h_favicon(http_request *req, http_response *resp);

/* h_styles.c: MapLibre styles, raster tiles, static images, glyphs */
void h_styles(http_request *req, http_response *resp);
void h_style_json(http_request *req, http_response *resp);
void h_style_tile(http_request *req, http_response *resp);
void h_style_static(http_request *req, http_response *resp);
void h_fonts(http_request *req, http_response *resp);

/* h_ogc.c, h_features.c: OGC API - Features */
void h_ogc_landing(http_request *req, http_response *resp);
void h_conformance(http_request *req, http_response *resp);
void h_api(http_request *req, http_response *resp);
void h_collections(http_request *req, http_response *resp);
void h_collection(http_request *req, http_response *resp);
void h_queryables(http_request *req, http_response *resp);
void h_items(http_request *req, http_response *resp);
void h_item(http_request *req, http_response *resp);
void h_aggregate(http_request *req, http_response *resp);
void h_download(http_request *req, http_response *resp);

/* h_archives.c: tile archives (serve --archive): the file with ranges; an archive's tiles and
 * TileJSON, which h_tile and h_tilejson hand over (false: params[0] names no archive) */
void h_archive_file(http_request *req, http_response *resp);
bool h_archive_tile(http_request *req, http_response *resp);
bool h_archive_tilejson(http_request *req, http_response *resp);
void h_archive_png(http_request *req, http_response *resp);

/* h_quality.c: the full quality report of a layer's last import */
void h_quality(http_request *req, http_response *resp);

/* h_versions.c: a layer's history and the diff of two versions */
void h_layer_versions(http_request *req, http_response *resp);
void h_layer_diff(http_request *req, http_response *resp);
/* h_upload.c: the write API (Authorization: Bearer): uploads as import jobs, their progress and
 * report, rollback and removal of a layer */
void h_upload(http_request *req, http_response *resp);
/* h_upload, with the job's number in *out_job once accepted (202) */
void h_upload_job(http_request *req, http_response *resp, int64_t *out_job);
void h_job(http_request *req, http_response *resp);
void h_rollback(http_request *req, http_response *resp);
void h_remove(http_request *req, http_response *resp);
/* h_review.c: versions waiting for review (reviewers and admins): the list, one review with its
 * reports, approval and rejection with a reason, and the preview through the public handlers */
void h_reviews(http_request *req, http_response *resp);
void h_review(http_request *req, http_response *resp);
void h_review_approve(http_request *req, http_response *resp);
void h_review_reject(http_request *req, http_response *resp);
void h_review_preview_tile(http_request *req, http_response *resp);
void h_review_preview_items(http_request *req, http_response *resp);
/* h_admin_audit.c: the audit log for admins (HTML table or CSV) */
void h_audit_log(http_request *req, http_response *resp);
/* h_upload.c: the principal of the request's bearer token when it may do `action` to layer_id;
 * false after answering 401 or 403 and writing the refusal to the audit log. */
struct auth_principal;
bool h_authorize(http_request *req, http_response *resp, int action, const char *layer_id,
                 struct auth_principal *out);
/* h_changes.c: the tiles (and PNG tiles) an update of a layer changed, as a purge list */
void h_tile_changes(http_request *req, http_response *resp);
/* h_report.c: the deliveries of every layer by publisher (the update calendar) */
void h_report(http_request *req, http_response *resp);
/* h_catalog.c: DCAT-AP 3 (JSON-LD, Turtle), data dictionaries, CKAN's read API */
void h_catalog_jsonld(http_request *req, http_response *resp);
void h_catalog_ttl(http_request *req, http_response *resp);
void h_dictionary(http_request *req, http_response *resp);
void h_ckan_action(http_request *req, http_response *resp);
/* Answers with the DCAT-AP catalogue (only == NULL) or one layer's dataset when Accept prefers
 * application/ld+json or text/turtle and there is no f; false (nothing done) otherwise. */
bool h_catalog_negotiated(http_request *req, http_response *resp, const layer_info *only);
/* h_admin.c: the pages for publishers (a session from /admin/entrar) */
#define HTTP_SESSION_COOKIE "teselas_sesion"
void h_admin_home(http_request *req, http_response *resp);
void h_admin_signin_page(http_request *req, http_response *resp);
void h_admin_signin(http_request *req, http_response *resp);
void h_admin_signout(http_request *req, http_response *resp);
void h_admin_layer(http_request *req, http_response *resp);
void h_admin_upload(http_request *req, http_response *resp);
void h_admin_rollback(http_request *req, http_response *resp);
void h_admin_job(http_request *req, http_response *resp);
/* h_admin_review.c: the reviewer's pages (reviewers and admins) */
void h_admin_reviews(http_request *req, http_response *resp);
void h_admin_review(http_request *req, http_response *resp);
void h_admin_review_decide(http_request *req, http_response *resp);
/* h_usage.c: views and downloads per layer over time (/admin/uso) */
void h_usage(http_request *req, http_response *resp);

#endif
