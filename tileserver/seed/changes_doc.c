/* changes_doc.c — GET /tiles/{id}/changes as JSON: the tiles an update changed, found as an
 * incremental seed finds them (candidates from the diff and the feature ids, then both versions'
 * tiles compared byte for byte), and the purge list of URLs, paged. Each page computes the whole
 * list again (it is bounded by SEED_CHANGES_HTTP_MAX_TILES candidates), so counts are complete and
 * pages consistent without state on the server. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "geom/geom.h"
#include "seed/changes.h"

typedef struct page {
  const seed_changes_query *q;
  json_t *urls;
  int64_t n, n_tiles;
} page;

static int take_url(void *ctx, const char *url) {
  page *p = ctx;
  if (p->n >= p->q->offset && p->n < p->q->offset + p->q->limit)
    json_array_append_new(p->urls, json_string(url));
  if (strncmp(url, "/tiles/", 7) == 0) p->n_tiles++;
  p->n++;
  return 0;
}

static err_code check_query(const seed_changes_query *q, int *zmin, int *zmax, err *e) {
  if (q->from < 1 || q->from >= q->to)
    return err_set(e, ERR_INVALID, "from and to must be versions with from < to");
  if (q->to > q->layer->version)
    return err_set(e, ERR_NOT_FOUND, "the layer has no version of that number");
  if (q->offset < 0 || q->limit < 1 || q->limit > SEED_CHANGES_PAGE_MAX)
    return err_set(e, ERR_INVALID, "offset must be >= 0 and limit 1..%d", SEED_CHANGES_PAGE_MAX);
  *zmin = q->minzoom, *zmax = q->maxzoom;
  if (*zmin < 0) *zmin = 0, *zmax = q->layer->maxzoom;
  if (*zmin > *zmax || *zmax > GEOM_ZOOM_MAX)
    return err_set(e, ERR_INVALID, "zoom must be MIN-MAX with 0 <= MIN <= MAX <= %d",
                   GEOM_ZOOM_MAX);
  return ERR_OK;
}

static json_t *links(const seed_changes_query *q, int zmin, int zmax, int64_t total) {
  json_t *l = json_array();
  const char *fmt = "%s/tiles/%s/changes?from=%lld&to=%lld&zoom=%d-%d&offset=%lld&limit=%lld";
  char href[1024];
  snprintf(href, sizeof href, fmt, q->base_url, q->layer->id, (long long)q->from,
           (long long)q->to, zmin, zmax, (long long)q->offset, (long long)q->limit);
  json_array_append_new(l, json_pack("{s:s, s:s}", "rel", "self", "href", href));
  if (q->offset + q->limit < total) {
    snprintf(href, sizeof href, fmt, q->base_url, q->layer->id, (long long)q->from,
             (long long)q->to, zmin, zmax, (long long)(q->offset + q->limit), (long long)q->limit);
    json_array_append_new(l, json_pack("{s:s, s:s}", "rel", "next", "href", href));
  }
  return l;
}

/* Both versions of the layer; errors said without the versions asked. */
static err_code versions_of(store_reader *r, const seed_changes_query *q, arena *a,
                            layer_info *from, layer_info *to, err *e) {
  err_code rc = seed_layer_at(r, q->layer, q->from, a, from, e);
  if (rc == ERR_OK) rc = seed_layer_at(r, q->layer, q->to, a, to, e);
  if (rc == ERR_NOT_FOUND)
    return err_set(e, rc, "the layer has no kept version of that number (its versions list "
                   "them)");
  if (rc == ERR_INVALID)
    return err_set(e, rc, "a version asked was published before versions recorded their "
                   "catalog entry: it cannot be compared");
  return rc;
}

static char *document(const seed_changes_query *q, int zmin, int zmax, const seed_changes *ch,
                      const page *p, const char *const *styles, size_t n_styles) {
  json_t *st = json_array();
  for (size_t i = 0; i < n_styles; i++) json_array_append_new(st, json_string(styles[i]));
  json_t *doc = json_pack("{s:s, s:I, s:I, s:[i,i], s:I, s:{s:I, s:I, s:I}, s:o, s:I, s:I, s:O}",
                          "layer", q->layer->id, "from", (json_int_t)q->from, "to",
                          (json_int_t)q->to, "zoom", zmin, zmax, "features_changed",
                          (json_int_t)ch->n_features, "counts", "tiles", (json_int_t)p->n_tiles,
                          "images", (json_int_t)(p->n - p->n_tiles), "urls", (json_int_t)p->n,
                          "styles", st, "offset", (json_int_t)q->offset, "limit",
                          (json_int_t)q->limit, "urls", p->urls);
  if (!doc) return NULL;
  json_object_set_new(doc, "next_offset", q->offset + q->limit < p->n
                                              ? json_integer(q->offset + q->limit)
                                              : json_null());
  if (q->base_url) json_object_set_new(doc, "links", links(q, zmin, zmax, p->n));
  char *text = json_dumps(doc, JSON_COMPACT);
  json_decref(doc);
  return text;
}

err_code seed_changes_doc(store_reader *r, const catalog *cat, const struct render_styles *reg,
                          const seed_changes_query *q, char **out, err *e) {
  *out = NULL;
  int zmin = 0, zmax = 0;
  err_code rc = check_query(q, &zmin, &zmax, e);
  if (rc != ERR_OK) return rc;
  arena *a = arena_create(16 << 20);
  if (!a) return err_set(e, ERR_NOMEM, "out of memory");
  layer_info from, to;
  seed_changes ch = {.count_features = true};
  seed_tileset *changed = NULL;
  page p = {q, json_array(), 0, 0};
  if ((rc = versions_of(r, q, a, &from, &to, e)) != ERR_OK) goto done;
  double box[4] = {from.bounds[0] < to.bounds[0] ? from.bounds[0] : to.bounds[0],
                   from.bounds[1] < to.bounds[1] ? from.bounds[1] : to.bounds[1],
                   from.bounds[2] > to.bounds[2] ? from.bounds[2] : to.bounds[2],
                   from.bounds[3] > to.bounds[3] ? from.bounds[3] : to.bounds[3]};
  seed_range range;
  seed_range_init(&range, zmin, zmax, box);
  if ((rc = seed_changes_find(r, &from, &to, &range, &ch, e)) != ERR_OK) goto done;
  uint64_t n = seed_changes_n_candidates(&ch, &range);
  if (n > SEED_CHANGES_HTTP_MAX_TILES) {
    rc = err_set(e, ERR_LIMIT, "the update reaches more than %d tiles at these zooms: ask for "
                 "fewer (zoom=MIN-MAX)", SEED_CHANGES_HTTP_MAX_TILES);
    goto done;
  }
  if (ch.images_all && seed_range_count(&range) > SEED_CHANGES_HTTP_MAX_IMAGES) {
    rc = err_set(e, ERR_LIMIT, "the update reaches every PNG tile at these zooms: ask for fewer "
                 "(zoom=MIN-MAX)");
    goto done;
  }
  changed = seed_tileset_create((size_t)n + 1);
  if (!changed || !p.urls) {
    rc = err_set(e, ERR_NOMEM, "out of memory");
    goto done;
  }
  if ((rc = seed_changes_check(r, &from, &to, &range, &ch, changed, e)) != ERR_OK) goto done;
  const char *styles[64], *ids[1] = {q->layer->id};
  size_t n_styles = reg ? seed_styles_drawing(reg, cat, ids, 1, a, styles, 64) : 0;
  static const char *const SUFFIXES[] = {".png", "@2x.png"};
  seed_urls u = {.range = &range, .tile_ids = ids, .n_tile_ids = 1, .tiles = changed,
                 .styles = styles, .n_styles = n_styles, .suffixes = SUFFIXES, .n_suffixes = 2,
                 .images = ch.images, .images_all = ch.images_all};
  seed_urls_each(&u, take_url, &p);
  *out = document(q, zmin, zmax, &ch, &p, styles, n_styles);
  if (!*out) rc = err_set(e, ERR_NOMEM, "out of memory");
done:
  json_decref(p.urls);
  seed_tileset_destroy(changed);
  seed_changes_free(&ch);
  arena_destroy(a);
  return rc;
}
