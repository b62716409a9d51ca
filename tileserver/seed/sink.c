/* sink.c — the archive a seed writes: PMTiles (archive/) or MBTiles (store/), one interface. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "archive/pmtiles_write.h"
#include "seed/sink_int.h"
#include "store/mbtiles.h"

static bool ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), k = strlen(suffix);
  return n >= k && strcmp(s + n - k, suffix) == 0;
}

err_code seed_sink_kind(const char *out_path, seed_sink_type *out, err *e) {
  if (ends_with(out_path, ".pmtiles")) *out = SEED_SINK_PMTILES;
  else if (ends_with(out_path, ".mbtiles")) *out = SEED_SINK_MBTILES;
  else
    return err_set(e, ERR_INVALID, "--out: %s must end in .pmtiles or .mbtiles", out_path);
  return ERR_OK;
}

err_code seed_sink_open(seed_sink *s, seed_sink_type type, const char *path, err *e) {
  memset(s, 0, sizeof *s);
  s->type = type;
  return type == SEED_SINK_PMTILES ? pmtiles_writer_open(path, &s->pm, e)
                                   : store_mbtiles_create(path, &s->mb, e);
}

err_code seed_sink_add(seed_sink *s, const seed_slot *t, err *e) {
  return s->type == SEED_SINK_PMTILES
             ? pmtiles_writer_add(s->pm, t->tile_id, t->bytes.data, t->bytes.len, e)
             : store_mbtiles_add(s->mb, t->z, t->x, t->y, t->bytes.data, t->bytes.len, e);
}

err_code seed_sink_add_run(seed_sink *s, uint64_t tile_id, const buf *bytes, uint64_t n, err *e) {
  if (s->type == SEED_SINK_PMTILES)
    return pmtiles_writer_add_run(s->pm, tile_id, bytes->data, bytes->len, n, e);
  err_code rc = ERR_OK;
  for (uint64_t i = 0; i < n && rc == ERR_OK; i++) {
    seed_slot t = {.tile_id = tile_id + i, .bytes = *bytes};
    if (!pmtiles_id_to_zxy(t.tile_id, &t.z, &t.x, &t.y))
      return err_set(e, ERR_INVALID, "tile id %llu past the last zoom", (unsigned long long)t.tile_id);
    rc = seed_sink_add(s, &t, e);
  }
  return rc;
}

void seed_sink_copy_from(seed_sink *s, int fd) {
  if (s->type == SEED_SINK_PMTILES && fd >= 0) pmtiles_writer_copy_from(s->pm, fd);
}

err_code seed_sink_add_run_at(seed_sink *s, uint64_t tile_id, const buf *bytes, uint64_t n,
                              int64_t src_off, err *e) {
  if (s->type == SEED_SINK_PMTILES && src_off >= 0)
    return pmtiles_writer_add_run_at(s->pm, tile_id, bytes->data, bytes->len, n, (uint64_t)src_off,
                                     e);
  return seed_sink_add_run(s, tile_id, bytes, n, e);
}

err_code seed_sink_copy(seed_sink *s, const char *old_path, const seed_range *range,
                        const uint64_t *skip, size_t n_skip, uint64_t *n_copied, bool *done,
                        err *e) {
  *n_copied = 0;
  *done = false;
  if (s->type != SEED_SINK_MBTILES) return ERR_OK;
  mbtiles_span spans[32];
  size_t n_spans = 0;
  for (int z = range->minzoom; z <= range->maxzoom && z < 32; z++)
    spans[n_spans++] = (mbtiles_span){(unsigned)z, range->x0[z], range->x1[z], range->y0[z],
                                      range->y1[z]};
  mbtiles_xyz *xyz = malloc((n_skip ? n_skip : 1) * sizeof *xyz);
  if (!xyz) return err_set(e, ERR_NOMEM, "out of memory");
  for (size_t i = 0; i < n_skip; i++)
    if (!pmtiles_id_to_zxy(skip[i], &xyz[i].z, &xyz[i].x, &xyz[i].y)) xyz[i].z = 99; /* none */
  err_code rc = store_mbtiles_copy(s->mb, old_path, spans, n_spans, xyz, n_skip, n_copied, done,
                                   e);
  free(xyz);
  return rc;
}

static int32_t e7(double deg) { return (int32_t)lround(deg * 1e7); }

static err_code mbtiles_meta(seed_sink *s, json_t *meta, err *e) {
  static const char *const TEXT[] = {"name", "description", "attribution", "version", "format",
                                     "type"};
  char tmp[256];
  err_code rc = ERR_OK;
  for (size_t i = 0; i < sizeof TEXT / sizeof *TEXT && rc == ERR_OK; i++) {
    const char *v = json_string_value(json_object_get(meta, TEXT[i]));
    if (v) rc = store_mbtiles_meta_put(s->mb, TEXT[i], v, e);
  }
  json_t *b = json_object_get(meta, "bounds"), *c = json_object_get(meta, "center");
  snprintf(tmp, sizeof tmp, "%.7f,%.7f,%.7f,%.7f", json_real_value(json_array_get(b, 0)),
           json_real_value(json_array_get(b, 1)), json_real_value(json_array_get(b, 2)),
           json_real_value(json_array_get(b, 3)));
  if (rc == ERR_OK) rc = store_mbtiles_meta_put(s->mb, "bounds", tmp, e);
  snprintf(tmp, sizeof tmp, "%.7f,%.7f,%lld", json_real_value(json_array_get(c, 0)),
           json_real_value(json_array_get(c, 1)),
           (long long)json_integer_value(json_array_get(c, 2)));
  if (rc == ERR_OK) rc = store_mbtiles_meta_put(s->mb, "center", tmp, e);
  const char *zk[] = {"minzoom", "maxzoom"};
  for (int i = 0; i < 2 && rc == ERR_OK; i++) {
    snprintf(tmp, sizeof tmp, "%lld", (long long)json_integer_value(json_object_get(meta, zk[i])));
    rc = store_mbtiles_meta_put(s->mb, zk[i], tmp, e);
  }
  json_t *rec = json_object_get(meta, "teselas:seed");
  if (rec && rc == ERR_OK) { /* what an incremental seed reads back (seed_old_open) */
    char *text = json_dumps(rec, JSON_COMPACT);
    rc = text ? store_mbtiles_meta_put(s->mb, "teselas:seed", text, e)
              : err_set(e, ERR_NOMEM, "out of memory");
    free(text);
  }
  json_t *vl = json_object_get(meta, "vector_layers");
  if (vl && rc == ERR_OK) { /* MBTiles 1.3: vector_layers in the `json` row */
    json_t *j = json_pack("{s:O}", "vector_layers", vl);
    char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
    rc = text ? store_mbtiles_meta_put(s->mb, "json", text, e) : err_set(e, ERR_NOMEM, "out of memory");
    free(text);
    json_decref(j);
  }
  return rc;
}

err_code seed_sink_finish(seed_sink *s, json_t *meta, seed_format format, err *e) {
  if (s->type == SEED_SINK_MBTILES) {
    err_code rc = mbtiles_meta(s, meta, e);
    return rc == ERR_OK ? store_mbtiles_finish(s->mb, e) : rc;
  }
  json_t *b = json_object_get(meta, "bounds"), *c = json_object_get(meta, "center");
  pmtiles_header h = {
      .tile_compression = format == SEED_PBF ? PMTILES_COMPRESSION_GZIP : PMTILES_COMPRESSION_NONE,
      .tile_type = format == SEED_PBF ? PMTILES_TYPE_MVT : PMTILES_TYPE_PNG,
      .min_zoom = (uint8_t)json_integer_value(json_object_get(meta, "minzoom")),
      .max_zoom = (uint8_t)json_integer_value(json_object_get(meta, "maxzoom")),
      .min_lon_e7 = e7(json_real_value(json_array_get(b, 0))),
      .min_lat_e7 = e7(json_real_value(json_array_get(b, 1))),
      .max_lon_e7 = e7(json_real_value(json_array_get(b, 2))),
      .max_lat_e7 = e7(json_real_value(json_array_get(b, 3))),
      .center_zoom = (uint8_t)json_integer_value(json_array_get(c, 2)),
      .center_lon_e7 = e7(json_real_value(json_array_get(c, 0))),
      .center_lat_e7 = e7(json_real_value(json_array_get(c, 1)))};
  char *text = json_dumps(meta, JSON_COMPACT);
  if (!text) return err_set(e, ERR_NOMEM, "out of memory");
  err_code rc = pmtiles_writer_finish(s->pm, &h, text, strlen(text), e);
  free(text);
  return rc;
}

void seed_sink_counts(const seed_sink *s, uint64_t *n_contents) {
  *n_contents = s->type == SEED_SINK_PMTILES ? pmtiles_writer_stats(s->pm).n_tile_contents
                                             : store_mbtiles_n_contents(s->mb);
}

void seed_sink_close(seed_sink *s) {
  pmtiles_writer_free(s->pm);
  store_mbtiles_close(s->mb);
  s->pm = NULL;
  s->mb = NULL;
}
