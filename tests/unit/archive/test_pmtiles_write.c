/* Unit tests of the streaming PMTiles writer: archives written here are read back with the
 * format functions and zlib alone (header, root, leaves, every tile), checking run-length entries
 * for repeated consecutive tiles, one stored copy of repeated contents, leaf directories when the
 * root would pass 16 KiB, tiles larger than the write buffer, refusal of ids out of order, and
 * runs added at once (pmtiles_writer_add_run) writing the same bytes as their tiles one by one,
 * and runs copied from an earlier archive (pmtiles_writer_add_run_at) as if given as bytes.
 * The npm `pmtiles` reader checks archives of real seeds (tests/http/test_seed_*.sh). */
#include "check.h"

#include <zlib.h>

#include "archive/pmtiles_read.h"
#include "archive/pmtiles_write.h"

typedef struct archive {
  uint8_t *bytes;
  size_t len;
  pmtiles_header h;
} archive;

static void load(const char *path, archive *a) {
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  fseek(f, 0, SEEK_END);
  a->len = (size_t)ftell(f);
  fseek(f, 0, SEEK_SET);
  a->bytes = malloc(a->len);
  assert_int_equal(fread(a->bytes, 1, a->len, f), a->len);
  fclose(f);
  err e;
  assert_int_equal(pmtiles_header_read(a->bytes, a->len, a->len, &a->h, &e), ERR_OK);
}

/* gunzip with zlib (the project's reader has its own bounded one). */
static uint8_t *gunzip(const uint8_t *in, size_t n, size_t *out_len) {
  size_t cap = 1 << 22; /* directories here stay under 4 MiB */
  uint8_t *out = malloc(cap);
  z_stream z = {0};
  assert_int_equal(inflateInit2(&z, 15 + 16), Z_OK);
  z.next_in = (Bytef *)in;
  z.avail_in = (uInt)n;
  z.next_out = out;
  z.avail_out = (uInt)cap;
  assert_int_equal(inflate(&z, Z_FINISH), Z_STREAM_END);
  *out_len = z.total_out;
  inflateEnd(&z);
  return out;
}

static pmtiles_entry *dir_at(const archive *a, uint64_t off, uint64_t len, size_t *n) {
  size_t raw_len;
  uint8_t *raw = gunzip(a->bytes + off, (size_t)len, &raw_len);
  pmtiles_entry *d;
  err e;
  assert_int_equal(pmtiles_dir_decode(raw, raw_len, SIZE_MAX, &d, n, &e), ERR_OK);
  free(raw);
  return d;
}

/* The entry of tile_id through the root and at most one leaf level; NULL when absent. */
static bool lookup(const archive *a, uint64_t tile_id, pmtiles_entry *out) {
  size_t n;
  pmtiles_entry *d = dir_at(a, a->h.root_offset, a->h.root_length, &n);
  for (int depth = 0; depth < 3; depth++) {
    const pmtiles_entry *c = pmtiles_dir_find(d, n, tile_id);
    if (!c) break;
    if (c->run_length) {
      *out = *c;
      free(d);
      return true;
    }
    pmtiles_entry leaf = *c;
    free(d);
    d = dir_at(a, a->h.leaf_offset + leaf.offset, leaf.length, &n);
  }
  free(d);
  return false;
}

static pmtiles_header descr(void) {
  return (pmtiles_header){.tile_compression = PMTILES_COMPRESSION_NONE,
                          .tile_type = PMTILES_TYPE_PNG, .min_zoom = 0, .max_zoom = 3,
                          .min_lon_e7 = -1017500000, .min_lat_e7 = 210500000,
                          .max_lon_e7 = -1015000000, .max_lat_e7 = 212000000, .center_zoom = 2};
}

static void small_archive_runs_and_dedup(void **state) {
  char path[256];
  check_tmp_path("small.pmtiles", path, sizeof path);
  pmtiles_writer *w;
  err e;
  assert_int_equal(pmtiles_writer_open(path, &w, &e), ERR_OK);
  /* ids 0..2 distinct, 3..6 one content (one run), 8 that content again (a new entry, same
   * bytes), 9 a tile larger than the write buffer */
  const char *sea = "sea-sea-sea";
  size_t big_len = (1 << 20) + 5000;
  uint8_t *big = malloc(big_len);
  for (size_t i = 0; i < big_len; i++) big[i] = (uint8_t)(i * 7 + i / 251);
  assert_int_equal(pmtiles_writer_add(w, 0, "a", 1, &e), ERR_OK);
  assert_int_equal(pmtiles_writer_add(w, 1, "bb", 2, &e), ERR_OK);
  assert_int_equal(pmtiles_writer_add(w, 2, "ccc", 3, &e), ERR_OK);
  for (uint64_t id = 3; id <= 6; id++)
    assert_int_equal(pmtiles_writer_add(w, id, sea, strlen(sea), &e), ERR_OK);
  assert_int_equal(pmtiles_writer_add(w, 8, sea, strlen(sea), &e), ERR_OK);
  assert_int_equal(pmtiles_writer_add(w, 9, big, big_len, &e), ERR_OK);
  const char *meta = "{\"name\":\"t\"}";
  pmtiles_header h = descr();
  assert_int_equal(pmtiles_writer_finish(w, &h, meta, strlen(meta), &e), ERR_OK);
  pmtiles_write_stats st = pmtiles_writer_stats(w);
  pmtiles_writer_free(w);

  archive a;
  load(path, &a);
  assert_int_equal(st.file_bytes, a.len);
  assert_int_equal(a.h.n_addressed_tiles, 9);
  assert_int_equal(a.h.n_tile_entries, 6); /* 0, 1, 2, 3-6, 8, 9 */
  assert_int_equal(a.h.n_tile_contents, 5);
  assert_true(a.h.clustered);
  assert_int_equal(a.h.internal_compression, PMTILES_COMPRESSION_GZIP);
  assert_int_equal(a.h.tile_type, PMTILES_TYPE_PNG);
  assert_int_equal(a.h.max_zoom, 3);
  assert_int_equal(a.h.min_lon_e7, -1017500000);
  assert_int_equal(a.h.leaf_length, 0);
  assert_int_equal(a.h.root_offset, PMTILES_HEADER_LEN);
  assert_int_equal(a.h.data_offset + a.h.data_length, a.len);
  size_t ml;
  uint8_t *m = gunzip(a.bytes + a.h.metadata_offset, a.h.metadata_length, &ml);
  assert_int_equal(ml, strlen(meta));
  assert_memory_equal(m, meta, ml);
  free(m);
  pmtiles_entry en;
  assert_true(lookup(&a, 5, &en));
  assert_int_equal(en.tile_id, 3);
  assert_int_equal(en.run_length, 4);
  assert_memory_equal(a.bytes + a.h.data_offset + en.offset, sea, strlen(sea));
  pmtiles_entry en8;
  assert_true(lookup(&a, 8, &en8));
  assert_int_equal(en8.offset, en.offset); /* stored once */
  assert_false(lookup(&a, 7, &en));
  assert_true(lookup(&a, 9, &en));
  assert_int_equal(en.length, big_len);
  assert_memory_equal(a.bytes + a.h.data_offset + en.offset, big, big_len);
  assert_true(lookup(&a, 1, &en));
  assert_memory_equal(a.bytes + a.h.data_offset + en.offset, "bb", 2);
  free(a.bytes);
  free(big);
}

/* 200,000 distinct tiles of varying lengths: their root cannot fit 16 KiB, so leaves. */
static void many_tiles_need_leaves(void **state) {
  char path[256];
  check_tmp_path("many.pmtiles", path, sizeof path);
  pmtiles_writer *w;
  err e;
  assert_int_equal(pmtiles_writer_open(path, &w, &e), ERR_OK);
  enum { N = 200000 };
  char tile[64];
  uint64_t id = 100;
  for (unsigned i = 0; i < N; i++) {
    id += 1 + (i * 2654435761u >> 29); /* gaps, so ids do not compress to nothing */
    int len = snprintf(tile, sizeof tile, "tile-%u-%.*s", i, (int)(i * 40503u % 37), "..........................................");
    assert_int_equal(pmtiles_writer_add(w, id, tile, (size_t)len, &e), ERR_OK);
  }
  /* out of order is refused, and the error sticks */
  assert_int_equal(pmtiles_writer_add(w, 5, "x", 1, &e), ERR_INTERNAL);
  pmtiles_header h = descr();
  assert_int_equal(pmtiles_writer_finish(w, &h, "{}", 2, &e), ERR_INTERNAL);
  pmtiles_writer_free(w);

  check_tmp_path("many.pmtiles", path, sizeof path);
  assert_int_equal(pmtiles_writer_open(path, &w, &e), ERR_OK);
  id = 100;
  for (unsigned i = 0; i < N; i++) {
    id += 1 + (i * 2654435761u >> 29);
    int len = snprintf(tile, sizeof tile, "tile-%u-%.*s", i, (int)(i * 40503u % 37), "..........................................");
    assert_int_equal(pmtiles_writer_add(w, id, tile, (size_t)len, &e), ERR_OK);
  }
  assert_int_equal(pmtiles_writer_finish(w, &h, "{}", 2, &e), ERR_OK);
  assert_true(pmtiles_writer_stats(w).n_leaves > 1);
  pmtiles_writer_free(w);

  archive a;
  load(path, &a);
  assert_true(a.h.root_length <= PMTILES_ROOT_MAX);
  assert_true(a.h.leaf_length > 0);
  assert_int_equal(a.h.n_tile_entries, N);
  id = 100;
  for (unsigned i = 0; i < N; i++) {
    uint64_t prev = id;
    id += 1 + (i * 2654435761u >> 29);
    if (i % 997) continue; /* a sample, each looked up through the root and a leaf */
    pmtiles_entry en;
    assert_true(lookup(&a, id, &en));
    int len = snprintf(tile, sizeof tile, "tile-%u-%.*s", i, (int)(i * 40503u % 37), "..........................................");
    assert_int_equal(en.tile_id, id);
    assert_int_equal(en.length, len);
    assert_memory_equal(a.bytes + a.h.data_offset + en.offset, tile, (size_t)len);
    if (id - prev > 1) assert_false(lookup(&a, id - 1, &en)); /* a gap stays a gap */
  }
  free(a.bytes);
}

/* The tiles of run i of runs_equal_single_adds: its content and how many ids it covers. */
static size_t run_of(unsigned i, char *tile, size_t cap, uint64_t *n) {
  *n = 1 + i % 4;
  if (i % 5 == 0) return (size_t)snprintf(tile, cap, "the empty sea"); /* repeated everywhere */
  if (i % 97 == 1) { /* past the dedup bound: stored again for each address */
    memset(tile, 'L', 3000);
    return 3000;
  }
  *n = 1 + i % 2;
  return (size_t)snprintf(tile, cap, "tile-%u", i);
}

/* The same tiles written one by one and as runs (pmtiles_writer_add_run) are the same file, byte
 * for byte: runs of a repeated small tile, of a tile too large to deduplicate, and 300,000 runs
 * whose distinct contents pass the bound of the dedup table (so it grows to its largest size and
 * stops remembering). The walk over the written archive's entries (pmtiles_read.h) gives every
 * run back in order, through its leaves. */
static void runs_equal_single_adds(void **state) {
  enum { RUNS = 300000 };
  char path[2][256], tile[4096];
  check_tmp_path("runs-one.pmtiles", path[0], sizeof path[0]);
  check_tmp_path("runs-many.pmtiles", path[1], sizeof path[1]);
  err e;
  pmtiles_header h = descr();
  uint64_t addressed = 0;
  for (int way = 0; way < 2; way++) {
    pmtiles_writer *w;
    assert_int_equal(pmtiles_writer_open(path[way], &w, &e), ERR_OK);
    uint64_t id = 7;
    addressed = 0;
    for (unsigned i = 0; i < RUNS; i++) {
      uint64_t n;
      size_t len = run_of(i, tile, sizeof tile, &n);
      if (way == 1) assert_int_equal(pmtiles_writer_add_run(w, id, tile, len, n, &e), ERR_OK);
      for (uint64_t k = 0; way == 0 && k < n; k++)
        assert_int_equal(pmtiles_writer_add(w, id + k, tile, len, &e), ERR_OK);
      id += n + (i % 3 == 0); /* some gaps */
      addressed += n;
    }
    assert_int_equal(pmtiles_writer_finish(w, &h, "{}", 2, &e), ERR_OK);
    assert_int_equal(pmtiles_writer_stats(w).n_addressed_tiles, addressed);
    pmtiles_writer_free(w);
  }
  archive a, b;
  load(path[0], &a);
  load(path[1], &b);
  assert_int_equal(a.len, b.len);
  assert_memory_equal(a.bytes, b.bytes, a.len);
  assert_true(a.h.leaf_length > 0);

  pmtiles_archive *r;
  assert_int_equal(pmtiles_archive_open(path[1], &r, &e), ERR_OK);
  pmtiles_walk walk;
  pmtiles_walk_init(&walk, r);
  pmtiles_entry en;
  bool done = false;
  uint64_t seen = 0, next = 0, n_entries = 0;
  while (pmtiles_walk_next(&walk, &en, &done, &e) == ERR_OK && !done) {
    assert_true(en.run_length > 0 && en.tile_id >= next);
    assert_true(en.offset >= a.h.data_offset && en.offset + en.length <= a.len);
    next = en.tile_id + en.run_length;
    seen += en.run_length;
    n_entries++;
  }
  assert_true(done);
  assert_int_equal(seen, addressed);
  assert_int_equal(n_entries, a.h.n_tile_entries);
  pmtiles_walk_free(&walk);
  pmtiles_archive_close(r);
  free(a.bytes);
  free(b.bytes);
}

/* An archive made from an earlier one, its runs copied from that file (pmtiles_writer_add_run_at)
 * with some replaced by new contents, is the file the same runs given as bytes make: the earlier
 * archive's stretches split around the new tiles, more of them in the second half than the
 * writer remembers (PIECES_MAX), past which it keeps the bytes itself, and new contents enough
 * to pass its buffer (8 MiB when copying) into its data file. */
static void copied_runs_equal_added_runs(void **state) {
  enum { RUNS = 200000 };
  char src[256], path[2][256], tile[4096];
  check_tmp_path("copy-src.pmtiles", src, sizeof src);
  check_tmp_path("copy-bytes.pmtiles", path[0], sizeof path[0]);
  check_tmp_path("copy-from.pmtiles", path[1], sizeof path[1]);
  err e;
  pmtiles_header h = descr();
  pmtiles_writer *w;
  assert_int_equal(pmtiles_writer_open(src, &w, &e), ERR_OK);
  uint64_t id = 3;
  for (unsigned i = 0; i < RUNS; i++) {
    uint64_t n;
    size_t len = run_of(i, tile, sizeof tile, &n);
    assert_int_equal(pmtiles_writer_add_run(w, id, tile, len, n, &e), ERR_OK);
    id += n + (i % 3 == 0);
  }
  assert_int_equal(pmtiles_writer_finish(w, &h, "{}", 2, &e), ERR_OK);
  pmtiles_writer_free(w);
  archive was;
  load(src, &was);
  pmtiles_archive *r;
  assert_int_equal(pmtiles_archive_open(src, &r, &e), ERR_OK);
  for (int way = 0; way < 2; way++) {
    assert_int_equal(pmtiles_writer_open(path[way], &w, &e), ERR_OK);
    if (way == 1) pmtiles_writer_copy_from(w, pmtiles_archive_fd(r));
    pmtiles_walk walk;
    pmtiles_walk_init(&walk, r);
    pmtiles_entry en;
    bool done = false;
    for (uint64_t k = 0; pmtiles_walk_next(&walk, &en, &done, &e) == ERR_OK && !done; k++) {
      const uint8_t *bytes = was.bytes + en.offset;
      if (k % 50 == 3 || (k > RUNS / 2 && k % 3 == 1)) { /* a new content */
        /* unique (never deduplicated), some large: the writer's own bytes pass its buffer and
           spill to its data file between copied stretches */
        size_t len = k % 2 ? 2500 : 200;
        memset(tile, (int)(k % 251), len);
        snprintf(tile, sizeof tile, "new-%llu", (unsigned long long)k);
        assert_int_equal(pmtiles_writer_add_run(w, en.tile_id, tile, len, en.run_length, &e),
                         ERR_OK);
      } else if (way == 0) {
        assert_int_equal(pmtiles_writer_add_run(w, en.tile_id, bytes, en.length, en.run_length, &e),
                         ERR_OK);
      } else {
        assert_int_equal(pmtiles_writer_add_run_at(w, en.tile_id, bytes, en.length, en.run_length,
                                                   en.offset, &e),
                         ERR_OK);
      }
    }
    assert_true(done);
    pmtiles_walk_free(&walk);
    assert_int_equal(pmtiles_writer_finish(w, &h, "{}", 2, &e), ERR_OK);
    pmtiles_writer_free(w);
  }
  pmtiles_archive_close(r);
  archive a, b;
  load(path[0], &a);
  load(path[1], &b);
  assert_int_equal(a.len, b.len);
  assert_memory_equal(a.bytes, b.bytes, a.len);
  free(a.bytes);
  free(b.bytes);
  free(was.bytes);
}

/* Runs said to lie in a source file, without one, are a programmer's error the writer reports. */
static void copy_without_source_fails(void **state) {
  char path[256];
  check_tmp_path("copy-none.pmtiles", path, sizeof path);
  pmtiles_writer *w;
  err e;
  assert_int_equal(pmtiles_writer_open(path, &w, &e), ERR_OK);
  assert_int_equal(pmtiles_writer_add_run_at(w, 0, "x", 1, 1, 0, &e), ERR_INTERNAL);
  pmtiles_writer_free(w);
}

static void unwritable_path_fails(void **state) {
  pmtiles_writer *w;
  err e;
  assert_int_equal(pmtiles_writer_open("/nonexistent-dir/x.pmtiles", &w, &e), ERR_IO);
  assert_null(w);
  assert_non_null(strstr(e.msg, "/nonexistent-dir/x.pmtiles"));
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(small_archive_runs_and_dedup),
                                     cmocka_unit_test(many_tiles_need_leaves),
                                     cmocka_unit_test(runs_equal_single_adds),
                                     cmocka_unit_test(copied_runs_equal_added_runs),
                                     cmocka_unit_test(copy_without_source_fails),
                                     cmocka_unit_test(unwritable_path_fails)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
