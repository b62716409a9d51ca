/* incremental.c — `teselas seed --since`: a new archive from an earlier one, making again only the
 * tiles a change reaches.
 *
 * The earlier archive says which layer versions its tiles were made from (teselas:seed in its
 * metadata, seed_meta_record). The diff of each of those versions with the current one gives the
 * candidate addresses (changes.h); the workers make those, in tile-id order, while the writer
 * reads the earlier archive: a candidate takes the new tile (and is listed as changed when its
 * bytes differ from the earlier archive's), any other address copies the earlier tile as stored —
 * a PMTiles archive run by run (merge_runs), an MBTiles one into MBTiles in SQL (merge_copy),
 * into PMTiles run by run from its tile map read once (seed_old_index), anything else address
 * by address (merge_walk). So the new archive equals a full seed of the
 * current versions, and the list names
 * exactly the tiles whose bytes changed. Written as FILE.partial-<pid> and renamed, as a full seed;
 * the changes file too. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/output_id.h"
#include "render/render.h"
#include "seed/changes.h"
#include "seed/sink_int.h"
#include "seed/splice_int.h"

typedef struct incr {
  seed_options o;          /* the options, completed from the archive */
  seed_old old;
  const char *old_path;    /* the earlier archive's file */
  json_t *versions;        /* layer id -> version of the earlier tiles (borrowed or owned) */
  json_t *given;           /* versions given with --since (owned), or NULL */
  seed_plan p;
  double box[4];
  seed_range range;
  seed_changes ch;
  const char *changed_ids[TILES_MAX_LAYERS];
  size_t n_changed_ids;
  seed_tileset *changed;   /* addresses whose tile changed */
  uint32_t changed_mask;   /* bit i: p.layers[i] has another version than the archive's */
} incr;

static bool ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), k = strlen(suffix);
  return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* --since N or a=N,b=M into {"": N} or {"a": N, "b": M}; NULL (and no error) for an archive. */
static err_code parse_since(const char *s, json_t **out, err *e) {
  *out = NULL;
  if (ends_with(s, ".pmtiles") || ends_with(s, ".mbtiles")) return ERR_OK;
  json_t *v = json_object();
  if (!v) return err_set(e, ERR_NOMEM, "out of memory");
  for (const char *p = s; *p;) {
    size_t n = strcspn(p, ","), k = strcspn(p, "=");
    char id[256] = "";
    const char *num = p;
    if (k < n) {
      snprintf(id, sizeof id, "%.*s", (int)(k < 255 ? k : 255), p);
      num = p + k + 1;
    }
    char *end;
    long long ver = strtoll(num, &end, 10);
    if (end != p + n || end == num || ver < 1 || (!id[0] && p != s)) {
      json_decref(v);
      return err_set(e, ERR_INVALID, "--since: an archive (.pmtiles, .mbtiles), a version (3) or "
                     "versions by layer (parques=3,rios=5)");
    }
    json_object_set_new(v, id, json_integer(ver));
    p += n + (p[n] == ',');
  }
  *out = v;
  return ERR_OK;
}

static bool same_text(const char *a, const char *b) {
  return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static err_code complete_options(incr *c, err *e) {
  seed_options *o = &c->o;
  json_t *m = c->old.meta, *rec = json_object_get(m, "teselas:seed");
  static const char *const FORMAT[] = {"pbf", "png", "png@2x"};
  const char *fmt = json_string_value(json_object_get(rec, "format"));
  const char *rl = json_string_value(json_object_get(rec, "layers"));
  const char *rs = json_string_value(json_object_get(rec, "style"));
  /* The copied tiles must be what this build would make: an archive of another build (or of one
   * from before builds were recorded) may encode the same versions otherwise. An archive without
   * teselas:seed comes from elsewhere, and --since says what it holds. */
  const char *made_by = json_string_value(json_object_get(rec, "output"));
  if (rec && !same_text(made_by, TESELAS_OUTPUT_ID))
    return err_set(e, ERR_INVALID, "the archive was made by another build of teselas (%s; this "
                   "one is %s), whose tiles may differ from this build's: seed it in full, and "
                   "purge all its tiles", made_by ? made_by : "an older one", TESELAS_OUTPUT_ID);
  bool explicit_source = o->layers || o->style;
  if (!explicit_source) o->layers = rl, o->style = rs;
  else if ((rl || rs) && !(same_text(o->layers, rl) && same_text(o->style, rs)))
    return err_set(e, ERR_INVALID, "--layers or --style differs from the archive's (%s %s): seed "
                   "it in full", rl ? "layers" : "style", rl ? rl : rs);
  if (!o->layers && !o->style)
    return err_set(e, ERR_INVALID, "the archive does not say its layers: give --layers or --style");
  if (fmt && o->format == SEED_PBF) { /* the default: the archive's */
    for (int f = 0; f < 3; f++)
      if (strcmp(fmt, FORMAT[f]) == 0) o->format = (seed_format)f;
  } else if (fmt && strcmp(fmt, FORMAT[o->format]) != 0)
    return err_set(e, ERR_INVALID, "--format %s differs from the archive's (%s)",
                   FORMAT[o->format], fmt);
  int zmin = (int)json_integer_value(json_object_get(m, "minzoom"));
  int zmax = (int)json_integer_value(json_object_get(m, "maxzoom"));
  if (o->minzoom < 0) o->minzoom = zmin, o->maxzoom = zmax;
  else if (o->minzoom != zmin || o->maxzoom != zmax)
    return err_set(e, ERR_INVALID, "--zoom %d-%d differs from the archive's %d-%d: seed it in full",
                   o->minzoom, o->maxzoom, zmin, zmax);
  json_t *b = json_object_get(m, "bounds");
  if (!o->has_bbox && json_array_size(b) == 4) { /* the archive keeps its box */
    o->has_bbox = true;
    for (int i = 0; i < 4; i++) o->bbox[i] = json_number_value(json_array_get(b, (size_t)i));
  }
  c->versions = c->given ? c->given : json_object_get(rec, "versions");
  if (!json_is_object(c->versions))
    return err_set(e, ERR_INVALID, "the archive does not record the layer versions it was made "
                   "from: give them with --since (a version, or parques=3,rios=5)");
  return ERR_OK;
}

/* The version of layer l the earlier tiles were made from. */
static err_code recorded_version(const incr *c, const layer_info *l, int64_t *out, err *e) {
  json_t *v = json_object_get(c->versions, l->id);
  if (!v && c->p.n_layers == 1) v = json_object_get(c->versions, "");
  if (!json_is_integer(v))
    return err_set(e, ERR_INVALID, "--since: no version of layer %s for the archive", l->id);
  json_t *rec = json_object_get(json_object_get(c->old.meta, "teselas:seed"), "versions");
  json_t *was = json_object_get(rec, l->id);
  if (c->given && json_is_integer(was) && json_integer_value(was) != json_integer_value(v))
    return err_set(e, ERR_INVALID, "--since: the archive was made from version %lld of %s, not "
                   "%lld", (long long)json_integer_value(was), l->id,
                   (long long)json_integer_value(v));
  *out = json_integer_value(v);
  if (*out > l->version)
    return err_set(e, ERR_INVALID, "--since: version %lld of %s is newer than its current one "
                   "(%lld)", (long long)*out, l->id, (long long)l->version);
  return ERR_OK;
}

static err_code find_changes(incr *c, err *e) {
  arena *a = arena_create(4 << 20);
  if (!a) return err_set(e, ERR_NOMEM, "out of memory");
  err_code rc = ERR_OK;
  for (size_t i = 0; i < c->p.n_layers && rc == ERR_OK; i++) {
    const layer_info *l = c->p.layers[i];
    int64_t was = 0;
    layer_info from;
    if ((rc = recorded_version(c, l, &was, e)) != ERR_OK) break;
    arena_reset(a);
    if ((rc = seed_layer_at(c->p.reader, l, was, a, &from, e)) != ERR_OK) break;
    rc = seed_changes_find(c->p.reader, &from, l, &c->range, &c->ch, e);
    if (rc == ERR_OK && was != l->version) {
      c->changed_ids[c->n_changed_ids++] = l->id;
      c->changed_mask |= 1u << i;
    }
  }
  arena_destroy(a);
  return rc;
}

/* Compares a remade tile with the earlier one; notes it when they differ. */
static err_code compare(incr *c, const seed_slot *t, const buf *was, bool found, seed_result *res,
                        err *e) {
  bool same = found ? was->len == t->bytes.len &&
                          (!was->len || memcmp(was->data, t->bytes.data, was->len) == 0)
                    : t->bytes.len == 0;
  res->n_remade++;
  if (same) return ERR_OK;
  res->n_changed++;
  return seed_tileset_add(c->changed, t->tile_id)
             ? ERR_OK
             : err_set(e, ERR_LIMIT, "more than %d tiles changed: seed the archive in full",
                       SEED_CHANGES_MAX_TILES);
}

/* Whether candidates of a vector archive re-encode only the changed layers, the others taken
 * from the earlier tile (splice.c): when some layers did not change. */
static bool splicing(const incr *c) {
  uint32_t every = c->p.n_layers >= 32 ? UINT32_MAX : (1u << c->p.n_layers) - 1;
  return !c->o.style && c->changed_mask && c->changed_mask != every;
}

/* The writer's side of a merge: the workers making the candidates, and the sink. */
typedef struct merger {
  incr *c;
  seed_sink *sink;
  seed_result *res;
  seed_work w;
  bool splice, stopped;   /* stopped: the workers stopped (an error of theirs, or a cancel) */
  seed_splice sp;
  seed_slot t, made;
  seed_progress prog;
} merger;

/* The workers' tile for candidate id (the earlier tile `was` as stored, found false when there
 * was none), spliced when only some layers changed, compared and written. */
static err_code take_candidate(merger *m, uint64_t id, const buf *was, bool found, err *e) {
  if (!seed_next_tile(&m->w, &m->t)) {
    m->stopped = true;
    return ERR_OK;
  }
  if (m->t.tile_id != id) return err_set(e, ERR_INTERNAL, "incremental seed: tiles out of order");
  const seed_slot *out = &m->t;
  if (m->splice) {
    seed_slot *t = &m->t, *made = &m->made;
    made->z = t->z, made->x = t->x, made->y = t->y, made->tile_id = t->tile_id;
    err_code rc = seed_splice_tile(&m->sp, was, &t->bytes, &made->bytes, e);
    if (rc != ERR_OK) {
      err inner = *e;
      return err_set(e, rc, "%s: tile %u/%u/%u: %.400s", m->c->old_path, t->z, t->x, t->y,
                     inner.msg);
    }
    out = made;
  }
  err_code rc = compare(m->c, out, was, found, m->res, e);
  if (rc != ERR_OK || !out->bytes.len) return rc;
  m->res->n_tiles++;
  return seed_sink_add(m->sink, out, e);
}

/* Walks every address of the range: candidates from the workers, the others from the archive. */
static err_code merge_walk(merger *m, err *e) {
  incr *c = m->c;
  seed_slot copy = {0};
  buf_init(&copy.bytes, 0);
  seed_iter it;
  seed_iter_init(&it, &c->range);
  uint64_t done = 0;
  err_code rc = ERR_OK;
  while (rc == ERR_OK && !m->stopped &&
         seed_iter_next(&it, &copy.z, &copy.x, &copy.y, &copy.tile_id)) {
    bool found;
    if ((rc = seed_old_tile(&c->old, copy.z, copy.x, copy.y, &copy.bytes, &found, e)) != ERR_OK)
      break;
    if (c->ch.all || seed_tileset_has(c->ch.tiles, copy.tile_id)) {
      rc = take_candidate(m, copy.tile_id, &copy.bytes, found, e);
    } else if (found) {
      m->res->n_copied++;
      m->res->n_tiles++;
      rc = seed_sink_add(m->sink, &copy, e);
    }
    seed_progress_step(&m->prog, ++done);
  }
  if (rc == ERR_OK && !m->stopped && done < m->res->n_addresses)
    rc = err_set(e, ERR_LIMIT, "seed interrupted");
  buf_free(&copy.bytes);
  return rc;
}

/* Copies n tiles of one content from id on (a piece of an earlier run, whose bytes lie at
 * src_off of the earlier archive: the sink copies them from there). */
static err_code copy_run(merger *m, uint64_t id, uint64_t n, const buf *bytes, int64_t src_off,
                         err *e) {
  m->res->n_copied += n;
  m->res->n_tiles += n;
  return seed_sink_add_run_at(m->sink, id, bytes, n, src_off, e);
}

/* Reads the earlier archive run by run (PMTiles entries: one per distinct stretch of tiles,
 * never one per address) against the sorted candidates: the runs no candidate falls in are
 * copied whole, the others split around their candidates. At z0-18 over León, visiting every
 * address (120,023) was most of an incremental seed's time, for 71,850 tiles in 36,340 runs. */
static err_code merge_runs(merger *m, const uint64_t *cand, size_t n_cand, err *e) {
  incr *c = m->c;
  buf none;
  buf_init(&none, 0);
  size_t ci = 0;
  err_code rc = ERR_OK;
  while (rc == ERR_OK && !m->stopped) {
    uint64_t id, n;
    int64_t src;
    bool done;
    seed_old_bytes v;
    if ((rc = seed_old_next_run(&c->old, &id, &n, &v, &src, &done, e)) != ERR_OK || done) break;
    /* the earlier archive's bytes, read only (never grown or freed through was) */
    const buf was = {.data = (uint8_t *)v.data, .len = v.len};
    if (c->o.cancel && *c->o.cancel) {
      rc = err_set(e, ERR_LIMIT, "seed interrupted");
      break;
    }
    for (; rc == ERR_OK && !m->stopped && ci < n_cand && cand[ci] < id; ci++)
      rc = take_candidate(m, cand[ci], &none, false, e);
    uint64_t pos = id, end = id + n;
    for (; rc == ERR_OK && !m->stopped && ci < n_cand && cand[ci] < end; ci++) {
      if (cand[ci] > pos) rc = copy_run(m, pos, cand[ci] - pos, &was, src, e);
      if (rc == ERR_OK) rc = take_candidate(m, cand[ci], &was, true, e);
      pos = cand[ci] + 1;
    }
    if (rc == ERR_OK && !m->stopped && pos < end) rc = copy_run(m, pos, end - pos, &was, src, e);
    seed_progress_step(&m->prog, m->res->n_copied + m->res->n_remade); /* addresses done */
  }
  for (; rc == ERR_OK && !m->stopped && ci < n_cand; ci++)
    rc = take_candidate(m, cand[ci], &none, false, e);
  buf_free(&none);
  return rc;
}

/* An MBTiles archive from an MBTiles one: every address but the candidates copied in SQL
 * (seed_sink_copy), then the candidates made again, compared with the earlier tile at their
 * address. The walk read and wrote every address one by one: at z0-16 over León, 7,709
 * addresses for 19 candidates. */
static err_code merge_copy(merger *m, const uint64_t *cand, size_t n_cand, err *e) {
  incr *c = m->c;
  uint64_t n = 0;
  bool done = false;
  err_code rc = seed_sink_copy(m->sink, c->old_path, &c->range, cand, n_cand, &n, &done, e);
  if (rc != ERR_OK) return rc;
  if (!done) return merge_walk(m, e);
  m->res->n_copied += n;
  m->res->n_tiles += n;
  buf was;
  buf_init(&was, 0);
  for (size_t i = 0; rc == ERR_OK && !m->stopped && i < n_cand; i++) {
    unsigned z;
    uint32_t x, y;
    bool found = false;
    if (!pmtiles_id_to_zxy(cand[i], &z, &x, &y))
      rc = err_set(e, ERR_INTERNAL, "incremental seed: tile id past the last zoom");
    if (rc == ERR_OK) rc = seed_old_tile(&c->old, z, x, y, &was, &found, e);
    if (rc == ERR_OK) rc = take_candidate(m, cand[i], &was, found, e);
    seed_progress_step(&m->prog, m->res->n_copied + m->res->n_remade);
  }
  buf_free(&was);
  return rc;
}

/* Whether the earlier archive covers exactly this seed's addresses (its zooms and box are the
 * options' unless --bbox gave another), so that its runs can be copied without checking each
 * address against the range. */
static bool same_range(const incr *c) {
  json_t *b = json_object_get(c->old.meta, "bounds");
  if (json_array_size(b) != 4) return false;
  double box[4];
  for (int i = 0; i < 4; i++) box[i] = json_number_value(json_array_get(b, (size_t)i));
  seed_range was;
  seed_range_init(&was, c->range.minzoom, c->range.maxzoom, box);
  for (int z = was.minzoom; z <= was.maxzoom; z++)
    if (was.x0[z] != c->range.x0[z] || was.x1[z] != c->range.x1[z] ||
        was.y0[z] != c->range.y0[z] || was.y1[z] != c->range.y1[z])
      return false;
  return true;
}

/* Every address of the range: the candidates made again, the others copied from the archive. */
static err_code merge(incr *c, seed_sink *sink, seed_result *res, err *e) {
  merger m = {.c = c, .sink = sink, .res = res, .splice = splicing(c)};
  size_t n_cand = 0;
  uint64_t *cand = c->ch.all ? NULL : seed_tileset_sorted(c->ch.tiles, &n_cand);
  if (!c->ch.all && !cand) return err_set(e, ERR_NOMEM, "out of memory");
  bool whole = !c->ch.all && same_range(c);
  /* MBTiles into MBTiles is copied in SQL; anything else from its runs: an MBTiles archive's
   * from its tile map read once (seed_old_index), when it has this writer's layout */
  bool copy = whole && c->old.mb && sink->type == SEED_SINK_MBTILES, runs = false;
  err_code rc = ERR_OK;
  if (whole && !copy && c->old.mb) rc = seed_old_index(&c->old, &c->range, &runs, e);
  else if (whole && !copy) runs = seed_old_has_runs(&c->old);
  if (rc != ERR_OK) {
    free(cand);
    return rc;
  }
  seed_work_spec spec = {.range = &c->range,
                         .total = c->ch.all ? res->n_addresses : n_cand, .only = cand,
                         .layers_mask = m.splice ? c->changed_mask : 0, .raw = m.splice};
  rc = seed_work_begin(&m.w, &c->o, &c->p, &spec, e);
  buf_init(&m.t.bytes, 0);
  buf_init(&m.made.bytes, 0);
  seed_splice_init(&m.sp, c->p.layers, c->p.n_layers, c->changed_mask);
  seed_progress_start(&m.prog, c->o.log, c->o.progress, res->n_addresses);
  if (runs) seed_sink_copy_from(sink, seed_old_fd(&c->old));
  if (rc == ERR_OK)
    rc = runs ? merge_runs(&m, cand, n_cand, e)
              : copy ? merge_copy(&m, cand, n_cand, e) : merge_walk(&m, e);
  rc = seed_work_end(&m.w, rc, e);
  if (rc == ERR_OK && m.stopped) rc = err_set(e, ERR_LIMIT, "seed interrupted");
  if (rc == ERR_OK) seed_progress_end(&m.prog);
  else if (m.prog.mode == 1) fputc('\n', c->o.log);
  buf_free(&m.t.bytes);
  buf_free(&m.made.bytes);
  seed_splice_free(&m.sp);
  free(cand);
  return rc;
}

static int write_line(void *ctx, const char *url) {
  void **f = ctx;
  ((seed_result *)f[1])->n_urls++;
  return fprintf((FILE *)f[0], "%s\n", url) < 0;
}

/* The purge list into FILE.partial-<pid>, renamed over FILE once written. */
static err_code write_changes(incr *c, seed_result *res, err *e) {
  const char *path = c->o.changes_path;
  render_styles *reg = NULL;
  arena *a = arena_create(64 << 20);
  char partial[4096];
  err_code rc = a ? seed_partial_name(path, partial, sizeof partial, e)
                  : err_set(e, ERR_NOMEM, "out of memory");
  if (rc == ERR_OK && !c->o.style)
    rc = render_styles_create_unfonted(TESELAS_SOURCE_DIR "/styles", c->o.styles_dir, &reg, e);
  FILE *f = rc == ERR_OK ? fopen(partial, "w") : NULL;
  if (rc == ERR_OK && !f) rc = err_set(e, ERR_IO, "--changes: cannot write %s: %s", partial,
                                       strerror(errno));
  if (rc == ERR_OK) {
    static const char *const SUFFIXES[] = {".png", "@2x.png"};
    const char *ids[TILES_MAX_LAYERS + 1], *styles[64];
    size_t n_ids = 0;
    seed_urls u = {.range = &c->range, .tiles = c->changed, .tile_ids = ids};
    if (c->o.style) { /* a PNG archive: its own tiles that changed */
      styles[0] = c->o.style;
      u = (seed_urls){.range = &c->range, .styles = styles, .n_styles = 1,
                      .suffixes = &SUFFIXES[c->o.format == SEED_PNG2X], .n_suffixes = 1,
                      .images = c->changed};
    } else {
      if (c->p.n_layers > 1) ids[n_ids++] = c->o.layers;
      for (size_t i = 0; i < c->n_changed_ids; i++) ids[n_ids++] = c->changed_ids[i];
      u.n_tile_ids = n_ids;
      u.styles = styles;
      u.n_styles = c->n_changed_ids ? seed_styles_drawing(reg, c->p.cat, c->changed_ids,
                                                          c->n_changed_ids, a, styles, 64)
                                    : 0;
      u.suffixes = SUFFIXES;
      u.n_suffixes = 2;
      u.images = c->ch.images;
      u.images_all = c->ch.images_all;
    }
    void *ctx[2] = {f, res};
    seed_urls_each(&u, write_line, ctx);
    bool bad = ferror(f) != 0;
    if (fclose(f) != 0 || bad) rc = err_set(e, ERR_IO, "--changes: cannot write %s", path);
    if (rc == ERR_OK && rename(partial, path) != 0)
      rc = err_set(e, ERR_IO, "cannot rename %s to %s: %s", partial, path, strerror(errno));
    if (rc != ERR_OK) unlink(partial);
  }
  render_styles_destroy(reg);
  arena_destroy(a);
  return rc;
}

err_code seed_incremental_run(const seed_options *given, seed_result *res, err *e) {
  memset(res, 0, sizeof *res);
  double t0 = seed_now();
  incr c = {.o = *given};
  seed_sink sink = {0};
  seed_sink_type kind;
  char partial[4096];
  partial[0] = '\0';
  if (given->changes_path && strcmp(given->changes_path, given->out_path) == 0)
    return err_set(e, ERR_INVALID, "--changes and --out must be two files");
  err_code rc = parse_since(given->since, &c.given, e);
  c.old_path = c.given ? given->out_path : given->since;
  if (rc == ERR_OK) rc = seed_old_open(&c.old, c.old_path, e);
  if (rc == ERR_OK) rc = complete_options(&c, e);
  if (rc == ERR_OK) rc = seed_check_options(&c.o, &kind, e);
  if (rc == ERR_OK) rc = seed_plan_open(&c.o, &c.p, c.box, e);
  if (rc == ERR_OK) rc = seed_check_out_dir(c.o.out_path, e);
  if (rc != ERR_OK) goto done;
  seed_range_init(&c.range, c.o.minzoom, c.o.maxzoom, c.box);
  res->n_addresses = seed_range_count(&c.range);
  if ((rc = find_changes(&c, e)) != ERR_OK) goto done;
  c.changed = seed_tileset_create(SEED_CHANGES_MAX_TILES);
  if (!c.changed) {
    rc = err_set(e, ERR_NOMEM, "out of memory");
    goto done;
  }
  if ((rc = seed_partial_name(c.o.out_path, partial, sizeof partial, e)) != ERR_OK ||
      (rc = seed_sink_open(&sink, kind, partial, e)) != ERR_OK ||
      (rc = merge(&c, &sink, res, e)) != ERR_OK)
    goto done;
  /* the earlier archive may be the one replaced: its descriptor stays valid past the rename */
  rc = seed_sink_complete(&sink, &c.o, &c.p, c.box, partial, res, e);
  if (rc == ERR_OK && c.o.changes_path) rc = write_changes(&c, res, e);
done:
  seed_sink_close(&sink);
  if (rc != ERR_OK && partial[0]) unlink(partial);
  seed_tileset_destroy(c.changed);
  seed_changes_free(&c.ch);
  seed_plan_close(&c.p);
  seed_old_close(&c.old);
  json_decref(c.given);
  res->seconds = seed_now() - t0;
  return rc;
}
