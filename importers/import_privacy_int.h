/* import_privacy_int.h — the privacy policy applied while importing: fields (privacy_fields.c),
 * points moved or grouped (privacy_points.c, privacy_cells.c, privacy_polygons.c). Private to
 * importers/. */
#ifndef TESELAS_IMPORTERS_IMPORT_PRIVACY_INT_H
#define TESELAS_IMPORTERS_IMPORT_PRIVACY_INT_H

#include "importers/schema_int.h"
#include "privacy/grid.h"
#include "privacy/kanon.h"
#include "privacy/policy.h"

/* The polygons of another layer for aggregate:layer=ID (privacy_polygons.c). */
typedef struct polygon_index polygon_index;

err_code polygon_index_load(const char *db_path, const char *layer_id, polygon_index **out,
                            err *e);
void polygon_index_free(polygon_index *ix);
/* The polygon holding (lon, lat): its id as text in out_id (PRIVACY_CELL_ID_MAX bytes); false
 * when no polygon holds the point. */
bool polygon_index_find(polygon_index *ix, double lon, double lat, char *out_id);
/* A polygon's geometry (OGC WKB, EPSG:4326), its feature id and bbox; false for an unknown id. */
bool polygon_index_get(polygon_index *ix, const char *id, const uint8_t **out_wkb,
                       size_t *out_len, int64_t *out_fid, double out_bbox[4]);

/* What the privacy policy of an import needs while it runs. */
typedef struct import_privacy {
  privacy_policy policy;     /* parsed from the options; field decisions added by the check */
  privacy_grid *grid;        /* generalize, aggregate by grid */
  polygon_index *polygons;   /* aggregate by the polygons of another layer */
  privacy_kanon *kn;         /* aggregate, and generalize with k */
  bool counting;             /* generalize with k: the first pass, which only feeds kn */
  bool inherited;            /* no --privacy: the published version's policy is kept */
  bool explicit_none;        /* --privacy none (or a JSON form naming mode none): exact on purpose */
  int *band;                 /* generalize with month: per schema field, 1 = time of day banded */
  char (*band_text)[16];     /* the band of the current record, for text fields ("06:00-12:00") */
  int by_idx[PRIVACY_MAX_BY];/* schema index of each category field (aggregate) */
  int date_idx;              /* schema index of the date field (aggregate), -1 none */
  layer_field out_fields[2]; /* aggregate: what the layer publishes (celda, casos) */
  buf wkb;                   /* the snapped point */
  buf text;                  /* scratch: a category */
  char (*months)[11];        /* generalize with month: one truncated date per schema field */
  int64_t n_withheld;        /* generalize with k: points of cells below k, not written */
  int64_t n_not_point;       /* records that are not points (refused) */
  int64_t n_bad_date;        /* aggregate: dates that are not dates (counted as unknown month) */
  int64_t n_cells;           /* aggregate: features written (published cells) */
} import_privacy;

/* Parses opt->privacy (a spec, or the JSON form) and makes the grid. ERR_INVALID naming the
 * problem. import_privacy_free also after a failure. */
err_code import_privacy_init(import_privacy *p, const import_options *opt, err *e);
void import_privacy_free(import_privacy *p);
/* The checks on the first rows (detect.h): ERR_INVALID listing every personal field neither
 * dropped nor kept (why each looks personal goes to rep's text); ERR_INVALID when a point layer
 * that looks like incidents against people would publish exact locations without --privacy none
 * (recorded in the policy when it was given); under generalize, the source's identifiers leave the
 * schema and (with month) times of day are marked for 6-hour bands, unless kept. Records the
 * decisions in p->policy; resolves the fields the policy names. Reads the source and rewinds it. */
err_code import_privacy_check(import_privacy *p, const import_options *opt, import_source *src,
                              import_schema *schema, import_report *rep, err *e);
/* The fields the writer creates: the schema's, or the aggregate's own. */
const layer_field *import_privacy_fields(const import_privacy *p, const import_schema *s,
                                         size_t *out_n);
/* One checked feature (values already in s->values): 1 with the geometry to write in *wkb and *len
 * (the snapped point), 0 when nothing is written (counted, withheld), -1 with e filled. */
int import_privacy_feature(import_privacy *p, import_schema *s, int64_t record,
                           const uint8_t **wkb, size_t *len, err *e);
/* generalize with k, after the first pass: computes which cells are published. */
err_code import_privacy_end_count(import_privacy *p, err *e);
/* aggregate, after the last feature: k-anonymity, one feature per published cell and the units. */
err_code import_privacy_publish(import_privacy *p, store_writer *w, err *e);
/* The k-anonymity part of the privacy report (privacy_cells.c): JSON members appended to j, lines
 * for people to t. Figures that together would single out fewer than k records are left out. */
void import_privacy_kanon_report(const import_privacy *p, buf *j, buf *t);
/* The policy as catalog JSON (caller frees), and what it did into the report. */
char *import_privacy_catalog_json(const import_privacy *p);
void import_privacy_report(const import_privacy *p, import_report *rep);
/* Why this import's policy publishes less than the layer's published one (a mode that publishes
 * less, a coarser grid, month, a larger k, a field no longer published), a static Spanish phrase,
 * or NULL in *out when it does not (or the layer is new): the earlier versions are then purged. */
err_code import_privacy_purge_reason(const import_privacy *p, const import_options *opt,
                                     const char **out, err *e);
/* layer_meta.bounds_step for this policy (0 when none). */
void import_privacy_bounds_step(const import_privacy *p, double out[2]);

#endif
