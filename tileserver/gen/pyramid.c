/* pyramid.c — building and sharing point-cluster pyramids (see pyramid.h).
 *
 * Build: one scan of the layer into (finest cell key, id, world x, world y) records, a sort, a
 * run-length merge into the finest level; each coarser level merges its children (the parent of
 * cell (cx, cy) is (cx/2, cy/2): the grids nest). Memory during the build: 32 bytes per point. */
#include "gen/pyramid.h"
#include "geom/geom.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

enum { PYRAMID_MAX_ZOOM = 24 };

typedef struct pyramid_level {
  pyramid_cell *cells;
  size_t n;
} pyramid_level;

struct point_pyramid {
  char *layer_id;
  int64_t version;
  int minz, maxz;
  pyramid_level levels[PYRAMID_MAX_ZOOM + 1];
  int refs;          /* users + 1 while it is the registry's current version */
  bool ready, failed;
  struct point_pyramid *next;
};

struct pyramid_registry {
  pthread_mutex_t lock;
  pthread_cond_t built;
  point_pyramid *head;
};

pyramid_registry *pyramid_registry_create(void) {
  pyramid_registry *reg = calloc(1, sizeof *reg);
  if (!reg) return NULL;
  pthread_mutex_init(&reg->lock, NULL);
  pthread_cond_init(&reg->built, NULL);
  return reg;
}

static void pyramid_free(point_pyramid *p) {
  for (int z = 0; z <= PYRAMID_MAX_ZOOM; z++) free(p->levels[z].cells);
  free(p->layer_id);
  free(p);
}

void pyramid_registry_destroy(pyramid_registry *reg) {
  if (!reg) return;
  for (point_pyramid *p = reg->head, *next; p; p = next) {
    next = p->next;
    pyramid_free(p);
  }
  pthread_cond_destroy(&reg->built);
  pthread_mutex_destroy(&reg->lock);
  free(reg);
}

typedef struct rec {
  uint64_t key;
  int64_t id;
  double wx, wy;
} rec;

static int cmp_rec(const void *a, const void *b) {
  const rec *x = a, *y = b;
  if (x->key != y->key) return x->key < y->key ? -1 : 1;
  return (x->id > y->id) - (x->id < y->id);
}

static int cmp_cell(const void *a, const void *b) {
  const pyramid_cell *x = a, *y = b;
  return (x->key > y->key) - (x->key < y->key);
}

static uint64_t cell_key(double wx, double wy, double cells) {
  double fx = floor(wx * cells), fy = floor(wy * cells);
  if (fx < 0) fx = 0;
  if (fy < 0) fy = 0;
  if (fx >= cells) fx = cells - 1;
  if (fy >= cells) fy = cells - 1;
  return ((uint64_t)fy << 32) | (uint64_t)fx;
}

/* cells cut to its n used entries: merging leaves most of a level's array unused at low zoom, and
 * keeping every level at its child's size took 299 MB for 1,000,000 points (z0-17) */
static pyramid_cell *shrink(pyramid_cell *cells, size_t n) {
  pyramid_cell *p = realloc(cells, (n ? n : 1) * sizeof *cells);
  return p ? p : cells;
}

/* Run-length merge of sorted records into cells. */
static pyramid_cell *merge_records(const rec *r, size_t n, size_t *out_n) {
  pyramid_cell *cells = malloc((n ? n : 1) * sizeof *cells);
  size_t k = 0;
  if (!cells) return NULL;
  for (size_t i = 0; i < n; i++) {
    if (k == 0 || cells[k - 1].key != r[i].key)
      cells[k++] = (pyramid_cell){.key = r[i].key, .first_id = r[i].id};
    pyramid_cell *c = &cells[k - 1];
    c->count++;
    c->sx += r[i].wx;
    c->sy += r[i].wy;
  }
  *out_n = k;
  return shrink(cells, k);
}

/* The parent level: children keyed by their parent, sorted, merged. */
static pyramid_cell *merge_parents(const pyramid_level *child, size_t *out_n) {
  pyramid_cell *cells = malloc((child->n ? child->n : 1) * sizeof *cells);
  if (!cells) return NULL;
  for (size_t i = 0; i < child->n; i++) {
    cells[i] = child->cells[i];
    uint64_t cx = (cells[i].key & 0xFFFFFFFFu) >> 1, cy = (cells[i].key >> 32) >> 1;
    cells[i].key = (cy << 32) | cx;
  }
  qsort(cells, child->n, sizeof *cells, cmp_cell);
  size_t k = 0;
  for (size_t i = 0; i < child->n; i++) {
    if (k > 0 && cells[k - 1].key == cells[i].key) {
      pyramid_cell *c = &cells[k - 1];
      c->count += cells[i].count;
      c->sx += cells[i].sx;
      c->sy += cells[i].sy;
      if (cells[i].first_id < c->first_id) c->first_id = cells[i].first_id;
    } else {
      cells[k++] = cells[i];
    }
  }
  *out_n = k;
  return shrink(cells, k);
}

static void world_xy(double lon, double lat, double *wx, double *wy) {
  if (lat > 85.0511287798) lat = 85.0511287798;
  if (lat < -85.0511287798) lat = -85.0511287798;
  *wx = (lon + 180.0) / 360.0;
  double s = sin(lat * M_PI / 180.0);
  *wy = 0.5 - log((1 + s) / (1 - s)) / (4 * M_PI);
}

/* Reads every point of the layer (no fields), in the table's order (the sort below decides). */
static err_code scan_points(store_reader *r, const layer_info *l, double cells, rec **out,
                            size_t *out_n, err *e) {
  store_query q = {.layer = l, .with_geometry = true, .limit = -1, .after_id = INT64_MIN,
                   .any_order = true};
  store_iter *it = NULL;
  err_code rc = store_query_start(r, &q, &it, e);
  if (rc != ERR_OK) return rc;
  size_t cap = l->feature_count > 0 ? (size_t)l->feature_count : 1024, n = 0;
  rec *recs = malloc(cap * sizeof *recs);
  store_feature f;
  int step;
  while (recs && (step = store_iter_next(it, &f, e)) == 1) {
    /* little-endian XY POINT blobs only; others are skipped here and the layer falls back to
     * clustering per tile */
    map_pt ll;
    if (!geom_blob_point(f.blob, f.blob_len, &ll)) continue;
    if (n == cap) {
      rec *p = realloc(recs, 2 * cap * sizeof *recs);
      if (!p) break;
      recs = p;
      cap *= 2;
    }
    rec *rc0 = &recs[n++];
    world_xy(ll.x, ll.y, &rc0->wx, &rc0->wy);
    rc0->id = f.id;
    rc0->key = cell_key(rc0->wx, rc0->wy, cells);
  }
  err_code failed = store_iter_error(it, e);
  store_iter_close(it);
  if (!recs || step == 1) {
    free(recs);
    return err_set(e, ERR_NOMEM, "out of memory building clusters of %s", l->id);
  }
  if (failed != ERR_OK) {
    free(recs);
    return failed;
  }
  *out = recs;
  *out_n = n;
  return ERR_OK;
}

static err_code build(point_pyramid *p, store_reader *r, const layer_info *l,
                      uint32_t cells_per_tile, err *e) {
  double cells = ldexp((double)cells_per_tile, p->maxz);
  rec *recs = NULL;
  size_t n = 0;
  err_code rc = scan_points(r, l, cells, &recs, &n, e);
  if (rc != ERR_OK) return rc;
  qsort(recs, n, sizeof *recs, cmp_rec);
  pyramid_level *top = &p->levels[p->maxz];
  top->cells = merge_records(recs, n, &top->n);
  free(recs);
  if (!top->cells) return err_set(e, ERR_NOMEM, "out of memory building clusters");
  for (int z = p->maxz - 1; z >= p->minz; z--) {
    p->levels[z].cells = merge_parents(&p->levels[z + 1], &p->levels[z].n);
    if (!p->levels[z].cells) return err_set(e, ERR_NOMEM, "out of memory building clusters");
  }
  return ERR_OK;
}

/* Finds the entry of (id, version) or makes a new one that this caller must build. */
static point_pyramid *find_or_add(pyramid_registry *reg, const layer_info *l, bool *out_build) {
  *out_build = false;
  for (point_pyramid **pp = &reg->head; *pp;) {
    point_pyramid *p = *pp;
    if (strcmp(p->layer_id, l->id) == 0) {
      if (p->version == l->version && !p->failed) {
        p->refs++;
        return p;
      }
      if (p->version < l->version || p->failed) { /* superseded: drop the registry's reference */
        *pp = p->next;
        if (--p->refs == 0) pyramid_free(p);
        continue;
      }
    }
    pp = &p->next;
  }
  point_pyramid *p = calloc(1, sizeof *p);
  if (!p || !(p->layer_id = strdup(l->id))) {
    free(p);
    return NULL;
  }
  p->version = l->version;
  p->refs = 2; /* the registry's and the caller's */
  p->next = reg->head;
  reg->head = p;
  *out_build = true;
  return p;
}

err_code pyramid_acquire(pyramid_registry *reg, store_reader *r, const layer_info *l, int minz,
                         int maxz, uint32_t cells_per_tile, point_pyramid **out, err *e) {
  *out = NULL;
  if (minz < 0 || maxz > PYRAMID_MAX_ZOOM || minz > maxz)
    return err_set(e, ERR_INVALID, "no clustered zoom");
  pthread_mutex_lock(&reg->lock);
  bool must_build;
  point_pyramid *p = find_or_add(reg, l, &must_build);
  if (p && must_build) {
    p->minz = minz;
    p->maxz = maxz;
    pthread_mutex_unlock(&reg->lock);
    err_code rc = build(p, r, l, cells_per_tile, e);
    pthread_mutex_lock(&reg->lock);
    p->ready = rc == ERR_OK;
    p->failed = rc != ERR_OK;
    pthread_cond_broadcast(&reg->built);
  }
  while (p && !p->ready && !p->failed) pthread_cond_wait(&reg->built, &reg->lock);
  bool ok = p && p->ready;
  pthread_mutex_unlock(&reg->lock);
  if (!ok) {
    if (p) pyramid_release(reg, p);
    return e && e->code != ERR_OK ? e->code : err_set(e, ERR_NOMEM, "clusters unavailable");
  }
  *out = p;
  return ERR_OK;
}

void pyramid_release(pyramid_registry *reg, point_pyramid *p) {
  if (!p) return;
  pthread_mutex_lock(&reg->lock);
  bool last = --p->refs == 0;
  pthread_mutex_unlock(&reg->lock);
  if (last) pyramid_free(p);
}

size_t pyramid_forget(pyramid_registry *reg, const char *layer_id) {
  size_t n = 0;
  pthread_mutex_lock(&reg->lock);
  for (point_pyramid **pp = &reg->head; *pp;) {
    point_pyramid *p = *pp;
    /* one being built stays: its builder and waiters hold it, and it is of the version they read */
    if ((*layer_id && strcmp(p->layer_id, layer_id) != 0) || !(p->ready || p->failed)) {
      pp = &p->next;
      continue;
    }
    *pp = p->next;
    n++;
    if (--p->refs == 0) pyramid_free(p);
  }
  pthread_mutex_unlock(&reg->lock);
  return n;
}

static size_t lower_bound(const pyramid_level *lv, uint64_t key) {
  size_t lo = 0, hi = lv->n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (lv->cells[mid].key < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

bool pyramid_cells(const point_pyramid *p, uint32_t z, uint32_t cx0, uint32_t cx1, uint32_t cy0,
                   uint32_t cy1, pyramid_cell_fn fn, void *ctx) {
  if ((int)z < p->minz || (int)z > p->maxz) return false;
  const pyramid_level *lv = &p->levels[z];
  for (uint64_t cy = cy0; cy <= cy1; cy++) {
    uint64_t end = (cy << 32) | cx1;
    for (size_t i = lower_bound(lv, (cy << 32) | cx0); i < lv->n && lv->cells[i].key <= end; i++)
      fn(ctx, &lv->cells[i]);
  }
  return true;
}
