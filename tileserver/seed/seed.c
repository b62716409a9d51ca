/* seed.c — seed_run: checks the request, resolves layers or style, then runs the workers and
 * writes their tiles in order to FILE.partial-<pid>, renamed over FILE once complete. */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "archives/archives.h"
#include "core/arena.h"
#include "gen/gen.h"
#include "gen/pyramid.h"
#include "render/render.h"
#include "seed/sink_int.h"

enum { SLOTS_PER_JOB = 4 };
/* A worker opens its own database connection, and SQLite parses the whole schema for it: ~13 M
 * instructions with the catalog and the close on the demo database (callgrind), about what a
 * dozen tiles cost. An incremental seed making 19 tiles spent a third of its CPU starting a second
 * worker, so a worker is started for each this many tiles to make, not more. */
enum { TILES_PER_JOB = 32 };

static err_code resolve_layers(seed_plan *p, const char *list, err *e) {
  for (const char *s = list; *s;) {
    size_t n = strcspn(s, ",");
    const layer_info *l = n ? catalog_find(p->cat, s, n) : NULL;
    if (!l) return err_set(e, ERR_NOT_FOUND, "--layers: no layer '%.*s' in the database (teselas layers lists them)", (int)(n > 100 ? 100 : n), s);
    if (p->n_layers == TILES_MAX_LAYERS)
      return err_set(e, ERR_INVALID, "--layers: at most %d layers", TILES_MAX_LAYERS);
    for (size_t i = 0; i < p->n_layers; i++)
      if (p->layers[i] == l) return err_set(e, ERR_INVALID, "--layers: '%s' listed twice", l->id);
    p->layers[p->n_layers++] = l;
    s += n + (s[n] == ',');
  }
  return p->n_layers ? ERR_OK : err_set(e, ERR_INVALID, "--layers: empty list");
}

static err_code resolve_style(seed_plan *p, const seed_options *o, err *e) {
  err_code rc = o->n_archives ? archives_open(o->archives, o->n_archives, &p->archives, e) : ERR_OK;
  if (rc != ERR_OK) return rc;
  rc = render_styles_create(TESELAS_SOURCE_DIR "/styles", o->styles_dir, &p->styles, e);
  if (rc != ERR_OK) return rc;
  p->style_arena = arena_create(64 << 20);
  if (!p->style_arena) return err_set(e, ERR_NOMEM, "out of memory");
  const render_style *s;
  rc = render_style_resolve(p->styles, p->cat, o->style, strlen(o->style), p->style_arena, &s, e);
  if (rc == ERR_NOT_FOUND)
    return err_set(e, ERR_NOT_FOUND, "--style: no style '%.100s' here (GET /styles lists them)", o->style);
  if (rc == ERR_OK) p->n_layers = render_style_layers(s, p->cat, p->layers, TILES_MAX_LAYERS);
  return rc;
}

/* The box: --bbox checked against the world and the data, or the union of the layers' bounds. */
static err_code choose_box(const seed_options *o, const seed_plan *p, double box[4], err *e) {
  double u[4] = {180, 90, -180, -90};
  for (size_t i = 0; i < p->n_layers; i++)
    for (int k = 0; k < 2; k++) {
      if (p->layers[i]->bounds[k] < u[k]) u[k] = p->layers[i]->bounds[k];
      if (p->layers[i]->bounds[k + 2] > u[k + 2]) u[k + 2] = p->layers[i]->bounds[k + 2];
    }
  if (!o->has_bbox) {
    if (u[0] > u[2] || u[1] > u[3]) return err_set(e, ERR_INVALID, "the layers have no features: give --bbox");
    memcpy(box, u, sizeof u);
    return ERR_OK;
  }
  const double *b = o->bbox;
  if (!(b[0] >= -180 && b[2] <= 180 && b[1] >= -90 && b[3] <= 90 && b[0] < b[2] && b[1] < b[3]))
    return err_set(e, ERR_INVALID, "--bbox: W,S,E,N in degrees with W < E and S < N");
  if (p->n_layers && (b[2] < u[0] || b[0] > u[2] || b[3] < u[1] || b[1] > u[3]))
    return err_set(e, ERR_INVALID, "--bbox: the box %g,%g,%g,%g is outside the layers' bounds %g,%g,%g,%g",
                   b[0], b[1], b[2], b[3], u[0], u[1], u[2], u[3]);
  memcpy(box, b, 4 * sizeof *b);
  return ERR_OK;
}

/* The output's directory must take a new file: said before any tile is made. */
err_code seed_check_out_dir(const char *out, err *e) {
  char tmp[4096];
  snprintf(tmp, sizeof tmp, "%s", out);
  const char *dir = dirname(tmp);
  if (access(dir, W_OK) != 0)
    return err_set(e, ERR_IO, "--out: cannot write in %s: %s", dir, strerror(errno));
  return ERR_OK;
}

err_code seed_work_begin(seed_work *w, const seed_options *o, const seed_plan *p,
                         const seed_work_spec *s, err *e) {
  int jobs = o->jobs > 0 ? o->jobs : (int)sysconf(_SC_NPROCESSORS_ONLN);
  if (jobs < 1) jobs = 1;
  if (jobs > SEED_MAX_JOBS) jobs = SEED_MAX_JOBS;
  if ((uint64_t)jobs > s->total / TILES_PER_JOB) jobs = (int)(s->total / TILES_PER_JOB) + 1;
  *w = (seed_work){.o = o, .total = s->total, .styles = p->styles, .archives = p->archives,
                   .only = s->only,
                   .raw = s->raw, .n_slots = (size_t)jobs * SLOTS_PER_JOB,
                   .lent = p->reader, .lent_cat = p->cat};
  if (!o->style)
    for (size_t i = 0; i < p->n_layers; i++) {
      if (s->layers_mask && !(s->layers_mask & (1u << i))) continue;
      w->layer_ids[w->n_layers] = p->layers[i]->id;
      w->versions[w->n_layers] = p->layers[i]->version;
      w->n_layers++;
    }
  pthread_mutex_init(&w->mu, NULL);
  pthread_cond_init(&w->cv_ready, NULL);
  pthread_cond_init(&w->cv_space, NULL);
  seed_iter_init(&w->it, s->range);
  /* A layer's cluster pyramid (every point binned at every zoom up to four past its last
   * clustered one) serves tiles that cluster; a vector seed of zooms where no layer clusters
   * only counts a tile's points against the budget, which tiles_build does without it: 85 MB
   * against 58 MB of peak memory for the SSP-CDMX crimes at z14-17 (bench/seed/like.sh). */
  bool clusters = o->style != NULL;
  for (size_t i = 0; i < p->n_layers && !clusters; i++)
    clusters = o->minzoom < gen_cluster_below(p->layers[i]);
  w->pyramids = clusters ? pyramid_registry_create() : NULL;
  w->slots = calloc(w->n_slots, sizeof *w->slots);
  err_code rc = (w->pyramids || !clusters) && w->slots ? ERR_OK
                                                       : err_set(e, ERR_NOMEM, "out of memory");
  for (size_t i = 0; w->slots && i < w->n_slots; i++) buf_init(&w->slots[i].bytes, 0);
  if (rc == ERR_OK) rc = seed_workers_start(w, jobs, w->threads, &w->n_started, e);
  return rc;
}

err_code seed_work_end(seed_work *w, err_code rc, err *e) {
  seed_workers_stop(w, w->threads, w->n_started);
  if (rc == ERR_OK && w->rc != ERR_OK) {
    rc = w->rc;
    if (e) *e = w->e;
  }
  for (size_t i = 0; w->slots && i < w->n_slots; i++) buf_free(&w->slots[i].bytes);
  free(w->slots);
  pyramid_registry_destroy(w->pyramids);
  pthread_cond_destroy(&w->cv_ready);
  pthread_cond_destroy(&w->cv_space);
  pthread_mutex_destroy(&w->mu);
  return rc;
}

/* Produces every tile and hands it to the sink in order. */
static err_code run_work(const seed_options *o, seed_plan *p, const seed_range *range,
                         seed_sink *sink, seed_result *res, err *e) {
  seed_work w;
  seed_work_spec s = {.range = range, .total = res->n_addresses};
  err_code rc = seed_work_begin(&w, o, p, &s, e);
  seed_slot t = {0};
  buf_init(&t.bytes, 0);
  seed_progress prog;
  seed_progress_start(&prog, o->log, o->progress, w.total);
  while (rc == ERR_OK && w.written < w.total) {
    if (!seed_next_tile(&w, &t)) break;
    if (t.bytes.len) {
      rc = seed_sink_add(sink, &t, e);
      res->n_tiles++;
    }
    seed_progress_step(&prog, w.written);
  }
  rc = seed_work_end(&w, rc, e);
  if (rc == ERR_OK) seed_progress_end(&prog);
  else if (prog.mode == 1) fputc('\n', o->log);
  buf_free(&t.bytes);
  return rc;
}

err_code seed_check_options(const seed_options *o, seed_sink_type *kind, err *e) {
  if (!o->layers == !o->style) return err_set(e, ERR_INVALID, "give either --layers or --style");
  if (o->minzoom < 0 || o->maxzoom > GEOM_ZOOM_MAX || o->minzoom > o->maxzoom)
    return err_set(e, ERR_INVALID, "--zoom: MIN-MAX with 0 <= MIN <= MAX <= %d", GEOM_ZOOM_MAX);
  if (o->layers && o->format != SEED_PBF)
    return err_set(e, ERR_INVALID, "--format png needs --style (PNG tiles are drawn by a style)");
  if (o->style && o->format == SEED_PBF)
    return err_set(e, ERR_INVALID, "--style draws PNG tiles: add --format png or png@2x");
  if (o->n_archives && !o->style)
    return err_set(e, ERR_INVALID, "--archive gives a style's basemaps: it goes with --style");
  return seed_sink_kind(o->out_path, kind, e);
}

err_code seed_plan_open(const seed_options *o, seed_plan *p, double box[4], err *e) {
  err_code rc = store_reader_open(o->db_path, &p->reader, e);
  if (rc == ERR_OK) store_reader_unmapped(p->reader, SEED_READER_CACHE_KIB);
  if (rc == ERR_OK) rc = store_reader_catalog(p->reader, &p->cat, e);
  if (rc == ERR_OK) rc = o->style ? resolve_style(p, o, e) : resolve_layers(p, o->layers, e);
  if (rc == ERR_OK) rc = choose_box(o, p, box, e);
  return rc;
}

void seed_plan_close(seed_plan *p) {
  archives_close(p->archives);
  arena_destroy(p->style_arena);
  render_styles_destroy(p->styles);
  store_reader_close(p->reader);
  memset(p, 0, sizeof *p);
}

err_code seed_partial_name(const char *out_path, char *partial, size_t n, err *e) {
  if (snprintf(partial, n, "%s.partial-%ld", out_path, (long)getpid()) >= (int)n) {
    partial[0] = '\0';
    return err_set(e, ERR_INVALID, "--out: path too long");
  }
  unlink(partial);
  return ERR_OK;
}

err_code seed_sink_complete(seed_sink *sink, const seed_options *o, const seed_plan *p,
                            const double box[4], const char *partial, seed_result *res, err *e) {
  json_t *meta = seed_metadata(p->layers, p->n_layers,
                               o->name ? o->name : (o->style ? o->style : o->layers), o->format,
                               box, o->minzoom, o->maxzoom);
  err_code rc = meta ? seed_meta_record(meta, o, p->layers, p->n_layers, e)
                     : err_set(e, ERR_NOMEM, "out of memory");
  if (rc == ERR_OK) rc = seed_sink_finish(sink, meta, o->format, e);
  if (rc == ERR_OK) seed_sink_counts(sink, &res->n_contents);
  seed_sink_close(sink);
  json_decref(meta);
  if (rc == ERR_OK && rename(partial, o->out_path) != 0)
    rc = err_set(e, ERR_IO, "cannot rename %s to %s: %s", partial, o->out_path, strerror(errno));
  if (rc == ERR_OK) {
    FILE *f = fopen(o->out_path, "rb");
    if (f && fseek(f, 0, SEEK_END) == 0) res->archive_bytes = (uint64_t)ftell(f);
    if (f) fclose(f);
  }
  return rc;
}

err_code seed_run(const seed_options *o, seed_result *res, err *e) {
  if (o->since) return seed_incremental_run(o, res, e);
  memset(res, 0, sizeof *res);
  double t0 = seed_now();
  seed_sink_type kind;
  err_code rc = seed_check_options(o, &kind, e);
  if (rc != ERR_OK) return rc;
  seed_plan p = {0};
  double box[4];
  seed_range range;
  seed_sink sink = {0};
  char partial[4096];
  partial[0] = '\0';
  if ((rc = seed_plan_open(o, &p, box, e)) != ERR_OK ||
      (rc = seed_check_out_dir(o->out_path, e)) != ERR_OK)
    goto done;
  seed_range_init(&range, o->minzoom, o->maxzoom, box);
  res->n_addresses = seed_range_count(&range);
  if ((rc = seed_partial_name(o->out_path, partial, sizeof partial, e)) != ERR_OK) goto done;
  if ((rc = seed_sink_open(&sink, kind, partial, e)) != ERR_OK) goto done;
  if ((rc = run_work(o, &p, &range, &sink, res, e)) != ERR_OK) goto done;
  rc = seed_sink_complete(&sink, o, &p, box, partial, res, e);
done:
  seed_sink_close(&sink);
  if (rc != ERR_OK && partial[0]) unlink(partial);
  seed_plan_close(&p);
  res->seconds = seed_now() - t0;
  return rc;
}
