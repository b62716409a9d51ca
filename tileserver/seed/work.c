/* work.c — worker threads producing tiles, and the bounded window that puts them back in order.
 *
 * Each worker owns a read-only store connection (as the server's workers do) and takes the next
 * address from the shared walk; it may run ahead of the writer by at most n_slots tiles, so
 * memory holds at most n_slots tiles (4 per worker: a slow tile stalls the others by a few tiles
 * at most) whatever the size of the seed. Tiles are made by the server's own functions:
 * tiles_serve (with no cache, gzip asked: the bytes a client asking for gzip gets) and
 * render_serve_image for PNG, so an archive holds what the server answers. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "archive/pmtiles.h"
#include "core/arena.h"
#include "render/render.h"
#include "seed/seed_int.h"

typedef struct worker {
  seed_work *w;
  store_reader *reader;
  const catalog *cat;
  bool borrowed;                 /* reader and cat are the plan's (seed_work.lent): not closed */
  tile_params params;            /* layers resolved in this worker's catalog */
  arena *style_arena, *arena;    /* the style (automatic ones are built), each tile's drawing */
  const render_style *style;
  gzip_deflater *deflater;       /* vector tiles' gzip, this worker's alone */
  buf out;
} worker;

enum { IMAGE_ARENA_BYTES = 256 << 20, IMAGE_BYTE_LIMIT = 16 << 20 };
/* A worker reads this many tiles in one read transaction (store_reader_snapshot), not one per
 * query: each query's lock, unlock and file checks were 45,768 fstat and 44,790 fcntl calls and
 * most of 218,125 futex calls (two workers waiting on SQLite's VFS mutex) for the 11,749 tiles of
 * bench/seed/like.sh (strace -c). Ended after so many tiles or milliseconds, and before a worker
 * waits for room: a held read transaction keeps a TRUNCATE checkpoint (a layer's removal, a
 * privacy purge) from completing, and a PNG tile can take a tenth of a second. */
enum { SNAPSHOT_TILES = 256, SNAPSHOT_MS = 100 };

static long elapsed_ms(const struct timespec *since) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (long)(now.tv_sec - since->tv_sec) * 1000 + (now.tv_nsec - since->tv_nsec) / 1000000;
}

static void stop_with(seed_work *w, err_code rc, const err *e) {
  pthread_mutex_lock(&w->mu);
  if (!w->stop) {
    w->stop = true;
    w->rc = rc;
    if (e) w->e = *e;
  }
  pthread_cond_broadcast(&w->cv_ready);
  pthread_cond_broadcast(&w->cv_space);
  pthread_mutex_unlock(&w->mu);
}

/* Opens the worker's connection (or takes the plan's: a connection costs SQLite a parse of the
 * whole schema, SpatiaLite's 66 metadata triggers on the demo among it, ~6.4 M instructions) and
 * finds its layers (at the versions the seed started with) or its style. */
static err_code worker_open(worker *k, err *e) {
  seed_work *w = k->w;
  err_code rc = ERR_OK;
  if (k->borrowed) {
    k->reader = w->lent;
    k->cat = w->lent_cat;
  }
  if (!k->borrowed) rc = store_reader_open(w->o->db_path, &k->reader, e);
  if (rc == ERR_OK && !k->borrowed) store_reader_unmapped(k->reader, SEED_READER_CACHE_KIB);
  if (rc == ERR_OK && !k->borrowed) rc = store_reader_catalog(k->reader, &k->cat, e);
  if (rc != ERR_OK) return rc;
  if (!w->raw && !w->o->style && !(k->deflater = gzip_deflater_create(GZIP_LEVEL_ANSWER)))
    return err_set(e, ERR_NOMEM, "out of memory");
  k->params.extent = TILES_EXTENT;
  k->params.buffer = TILES_BUFFER;
  k->params.pyramids = w->pyramids;
  for (size_t i = 0; i < w->n_layers; i++) {
    const layer_info *l = catalog_find(k->cat, w->layer_ids[i], strlen(w->layer_ids[i]));
    if (!l || l->version != w->versions[i])
      return err_set(e, ERR_INVALID, "layer %s changed while seeding: run the seed again",
                     w->layer_ids[i]);
    k->params.layers[k->params.n_layers++] = l;
  }
  if (w->o->style) {
    k->style_arena = arena_create(64 << 20);
    k->arena = arena_create(IMAGE_ARENA_BYTES);
    if (!k->style_arena || !k->arena) return err_set(e, ERR_NOMEM, "out of memory");
    rc = render_style_resolve(w->styles, k->cat, w->o->style, strlen(w->o->style), k->style_arena,
                              &k->style, e);
  }
  return rc;
}

static err_code produce(worker *k, unsigned z, uint32_t x, uint32_t y, err *e) {
  buf_reset(&k->out);
  geom_tile_id t = {z, x, y};
  if (!k->style) {
    k->params.tile = t;
    tile_served s = {.bytes = &k->out, .deflater = k->deflater};
    return tiles_serve(k->reader, NULL, &k->params, !k->w->raw, &s, e);
  }
  double ratio = k->w->o->format == SEED_PNG2X ? 2 : 1;
  render_request rq = {.reader = k->reader, .catalog = k->cat, .pyramids = k->w->pyramids,
                       .archives = k->w->archives,
                       .styles = k->w->styles, .style = k->style,
                       .view = render_view_tile(t, ratio)};
  char address[64], etag[128];
  snprintf(address, sizeof address, "%u/%u/%u%s", z, x, y, ratio == 2 ? "@2x" : "");
  render_etag(k->style, k->cat, address, etag, sizeof etag);
  arena_reset(k->arena);
  struct cache_entry *pin = NULL;
  return render_serve_image(&rq, NULL, etag, address, k->arena, &k->out, &pin, e);
}

static void *worker_main(void *arg) {
  worker *k = arg;
  seed_work *w = k->w;
  err e;
  err_clear(&e);
  buf_init(&k->out, w->o->style ? IMAGE_BYTE_LIMIT : 0);
  err_code rc = worker_open(k, &e);
  unsigned in_snapshot = 0;
  struct timespec snapshot_start = {0, 0};
  while (rc == ERR_OK) {
    pthread_mutex_lock(&w->mu);
    if (in_snapshot && !w->stop && w->next_seq < w->total &&
        w->next_seq >= w->written + w->n_slots) {
      /* no snapshot is held while waiting: a checkpoint must not wait on an idle worker */
      pthread_mutex_unlock(&w->mu);
      rc = store_reader_snapshot(k->reader, false, &e);
      in_snapshot = 0;
      if (rc != ERR_OK) break;
      pthread_mutex_lock(&w->mu);
    }
    while (!w->stop && w->next_seq < w->total && w->next_seq >= w->written + w->n_slots)
      pthread_cond_wait(&w->cv_space, &w->mu);
    if (w->stop || w->next_seq >= w->total) {
      pthread_mutex_unlock(&w->mu);
      break;
    }
    uint64_t seq = w->next_seq++;
    seed_slot *s = &w->slots[seq % w->n_slots];
    /* an incremental seed makes only the addresses a change reaches, without walking the others */
    if (w->only) {
      s->tile_id = w->only[seq];
      pmtiles_id_to_zxy(s->tile_id, &s->z, &s->x, &s->y);
    } else {
      seed_iter_next(&w->it, &s->z, &s->x, &s->y, &s->tile_id);
    }
    unsigned z = s->z;
    uint32_t x = s->x, y = s->y;
    pthread_mutex_unlock(&w->mu);
    if (in_snapshot == SNAPSHOT_TILES || (in_snapshot && elapsed_ms(&snapshot_start) >= SNAPSHOT_MS)) {
      rc = store_reader_snapshot(k->reader, false, &e);
      in_snapshot = 0;
    }
    if (rc == ERR_OK && in_snapshot++ == 0) {
      rc = store_reader_snapshot(k->reader, true, &e);
      clock_gettime(CLOCK_MONOTONIC, &snapshot_start);
    }
    if (rc == ERR_OK) rc = produce(k, z, x, y, &e);
    if (rc != ERR_OK) {
      err inner = e;
      err_set(&e, rc, "tile %u/%u/%u: %.400s", z, x, y, inner.msg);
      break;
    }
    pthread_mutex_lock(&w->mu);
    buf tmp = s->bytes; /* the slot's empty buffer comes back to the worker: no copy */
    s->bytes = k->out;
    k->out = tmp;
    s->ready = true;
    pthread_cond_broadcast(&w->cv_ready);
    pthread_mutex_unlock(&w->mu);
  }
  if (k->reader) { /* the plan's reader goes back to its owner outside any transaction */
    err_code ended = store_reader_snapshot(k->reader, false, rc == ERR_OK ? &e : NULL);
    if (rc == ERR_OK) rc = ended;
  }
  if (rc != ERR_OK) stop_with(w, rc, &e);
  buf_free(&k->out);
  arena_destroy(k->arena);
  arena_destroy(k->style_arena);
  if (!k->borrowed) store_reader_close(k->reader);
  gzip_deflater_destroy(k->deflater);
  free(k);
  return NULL;
}

err_code seed_workers_start(seed_work *w, int n, pthread_t *threads, int *n_started, err *e) {
  *n_started = 0;
  for (int i = 0; i < n; i++) {
    worker *k = calloc(1, sizeof *k);
    if (!k) return err_set(e, ERR_NOMEM, "out of memory");
    k->w = w;
    k->borrowed = i == 0 && w->lent && w->lent_cat;
    if (pthread_create(&threads[i], NULL, worker_main, k) != 0) {
      free(k);
      return err_set(e, ERR_INTERNAL, "cannot start a worker thread");
    }
    (*n_started)++;
  }
  return ERR_OK;
}

void seed_workers_stop(seed_work *w, pthread_t *threads, int n) {
  pthread_mutex_lock(&w->mu);
  w->stop = true;
  pthread_cond_broadcast(&w->cv_space);
  pthread_cond_broadcast(&w->cv_ready);
  pthread_mutex_unlock(&w->mu);
  for (int i = 0; i < n; i++) pthread_join(threads[i], NULL);
}

bool seed_next_tile(seed_work *w, seed_slot *out) {
  pthread_mutex_lock(&w->mu);
  seed_slot *s = &w->slots[w->written % w->n_slots];
  for (;;) {
    if (!w->stop && w->o->cancel && *w->o->cancel) {
      w->stop = true;
      w->rc = err_set(&w->e, ERR_LIMIT, "seed interrupted");
    }
    if (s->ready || w->stop) break;
    /* wakes now and then to see a cancel (a signal handler cannot signal a condition) */
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += 200 * 1000000L;
    if (ts.tv_nsec >= 1000000000L) ts.tv_sec++, ts.tv_nsec -= 1000000000L;
    pthread_cond_timedwait(&w->cv_ready, &w->mu, &ts);
  }
  bool ok = s->ready && !w->stop;
  if (ok) {
    buf tmp = out->bytes;
    buf_reset(&tmp);
    *out = *s;
    s->bytes = tmp;
    s->ready = false;
    w->written++;
    pthread_cond_broadcast(&w->cv_space);
  } else {
    pthread_cond_broadcast(&w->cv_space);
  }
  pthread_mutex_unlock(&w->mu);
  return ok;
}
