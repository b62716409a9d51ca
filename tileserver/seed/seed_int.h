/* seed_int.h — the seed module's own pieces: archive metadata and progress lines. */
#ifndef TESELAS_SEED_INT_H
#define TESELAS_SEED_INT_H

#include <jansson.h>
#include <pthread.h>

#include "core/buf.h"
#include "seed/seed.h"
#include "store/store.h"
#include "tiles/tiles.h"

struct pyramid_registry;
struct archive_set;
struct render_styles;
struct seed_tileset;
struct arena;

/* A seed reads each table about once, in tile order: its connections read through a page cache
 * of this size rather than mapping the file, whose pages, one mapping per connection, made most
 * of a seed's resident memory (bench/seed/like.sh). 512 KiB: with 2 MiB the three connections'
 * caches were 6 of a seed's 11.6 MB of heap (heaptrack), and the smaller cache cost no CPU. */
enum { SEED_MAX_JOBS = 64, SEED_READER_CACHE_KIB = 512 };

/* What the seed draws, resolved once in the first connection's catalog. */
typedef struct seed_plan {
  store_reader *reader;
  const catalog *cat;
  const layer_info *layers[TILES_MAX_LAYERS];
  size_t n_layers;
  struct render_styles *styles;
  struct arena *style_arena;
  struct archive_set *archives;   /* o->archives opened (PNG seeds with a basemap), or NULL */
} seed_plan;

/* Opens the database, resolves o's layers or style and chooses the box (--bbox or the layers'
 * bounds). seed_plan_close frees what it holds, also after an error. */
err_code seed_plan_open(const seed_options *o, seed_plan *p, double box[4], err *e);
void seed_plan_close(seed_plan *p);
/* The output's directory must take a new file: said before any tile is made. */
err_code seed_check_out_dir(const char *out, err *e);
/* FILE.partial-<pid> into partial (removed first if there). */
err_code seed_partial_name(const char *out_path, char *partial, size_t n, err *e);

/* One tile between a worker and the writer: slot seq % n_slots of the window. */
typedef struct seed_slot {
  bool ready;
  unsigned z;
  uint32_t x, y;
  uint64_t tile_id;
  buf bytes;              /* the tile as stored (empty: an empty vector tile, not written) */
} seed_slot;

/* What workers share with the writer. Everything below `mu` is guarded by it. */
typedef struct seed_work {
  const seed_options *o;
  const char *layer_ids[TILES_MAX_LAYERS];  /* the layers of the tiles (vector seeds) */
  int64_t versions[TILES_MAX_LAYERS];       /* as the seed started: a worker seeing others stops */
  size_t n_layers;
  struct pyramid_registry *pyramids;
  struct render_styles *styles;             /* PNG seeds */
  const struct archive_set *archives;       /* their basemaps, or NULL */
  uint64_t total;
  pthread_mutex_t mu;
  pthread_cond_t cv_ready, cv_space;
  seed_iter it;
  uint64_t next_seq, written;
  const uint64_t *only;                     /* NULL: every address; else the ids made, increasing */
  bool raw;                                 /* vector tiles as encoded, not gzip'd */
  store_reader *lent;                       /* the plan's reader and catalog, for the first */
  const catalog *lent_cat;                  /* worker: the writer leaves them alone meanwhile */
  pthread_t threads[SEED_MAX_JOBS];
  int n_started;
  seed_slot *slots;
  size_t n_slots;
  bool stop;
  err_code rc;
  err e;
} seed_work;

/* What the workers make: `total` tiles of range (or the `total` ids of only), in tile-id order.
 * An incremental seed asks for some layers only (layers_mask bit i: p->layers[i]; 0: every one),
 * raw, to splice them into the earlier tiles (splice.c). */
typedef struct seed_work_spec {
  const seed_range *range;
  uint64_t total;
  const uint64_t *only;
  uint32_t layers_mask;
  bool raw;
} seed_work_spec;

/* Sets w up and starts o->jobs workers making what s asks. seed_work_end stops and frees them
 * (also after an error) and returns rc or the workers' error. */
err_code seed_work_begin(seed_work *w, const seed_options *o, const seed_plan *p,
                         const seed_work_spec *s, err *e);
err_code seed_work_end(seed_work *w, err_code rc, err *e);

/* Starts n worker threads over w (work.c); the first uses w->lent (when set), each other opens
 * its own reader. */
err_code seed_workers_start(seed_work *w, int n, pthread_t *threads, int *n_started, err *e);
/* Stops the workers (after their current tile) and joins them. */
void seed_workers_stop(seed_work *w, pthread_t *threads, int n);
/* The writer's side: waits for tile `written` and swaps its bytes into out (reset first).
 * false when the work stopped (an error in w->rc, or a cancel). */
bool seed_next_tile(seed_work *w, seed_slot *out);

/* The archive's metadata as TileJSON fields: name, description, attribution, version, format,
 * type, bounds, center, minzoom, maxzoom, and for vector archives vector_layers (ids, fields
 * with their types, zooms) as the server's TileJSON has them. layers are the catalog layers the
 * archive holds (for a style, the ones it draws). New reference; caller json_decref. */
json_t *seed_metadata(const layer_info *const *layers, size_t n_layers, const char *name,
                      seed_format format, const double bounds[4], int minzoom, int maxzoom);

/* Adds to meta what an incremental seed needs to find the archive's changes: "teselas:seed" with
 * the layers (or style), the format and the version of each layer the tiles were made from. */
err_code seed_meta_record(json_t *meta, const seed_options *o, const layer_info *const *layers,
                          size_t n_layers, err *e);

/* Progress on o->log: one line redrawn in place (mode 1), a line at each tenth (0), or none. */
typedef struct seed_progress {
  FILE *log;
  int mode;
  uint64_t total, done;
  double t0, last_draw;
  int decile;
} seed_progress;

double seed_now(void);
void seed_progress_start(seed_progress *p, FILE *log, int mode, uint64_t total);
void seed_progress_step(seed_progress *p, uint64_t done);
void seed_progress_end(seed_progress *p);

#endif
