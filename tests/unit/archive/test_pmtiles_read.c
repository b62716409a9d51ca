/* Unit tests of the PMTiles file reader: archives written here with the format's encoders (and
 * gzip) read back tile for tile through the root, one and two levels of leaves, with more
 * leaves than the cache keeps; hostile files (truncated, wrong magic, sections and entries past
 * the end, a leaf that points at itself, zip bombs in the metadata and in a leaf) fail with a
 * message naming the file and the fault; several threads read at once. */
#include <pthread.h>

#include "check.h"
#include "archive/pmtiles_read.h"
#include "core/gzip.h"

/* Sections of an archive to write: the directories are encoded (and gzipped when gz) here. */
typedef struct spec {
  const pmtiles_entry *root;
  size_t n_root;
  const uint8_t *leaves; /* already encoded leaf directories */
  size_t leaves_len;
  const uint8_t *data;
  size_t data_len;
  const char *metadata;
  bool gz;
  uint8_t min_zoom, max_zoom;
} spec;

static void put_section(buf *file, const uint8_t *p, size_t n, bool gz, uint64_t *off, uint64_t *len) {
  *off = file->len;
  if (gz) assert_int_equal(gzip_compress(p, n, 6, file, NULL), ERR_OK);
  else buf_append(file, p, n);
  *len = file->len - *off;
}

static void write_archive(const spec *s, const char *path, size_t cut) {
  buf file, dir;
  buf_init(&file, 0);
  buf_init(&dir, 0);
  pmtiles_header h = {.internal_compression = s->gz ? PMTILES_COMPRESSION_GZIP : PMTILES_COMPRESSION_NONE,
                      .tile_compression = PMTILES_COMPRESSION_NONE, .tile_type = PMTILES_TYPE_MVT,
                      .min_zoom = s->min_zoom, .max_zoom = s->max_zoom, .clustered = true};
  uint8_t zero[PMTILES_HEADER_LEN] = {0};
  buf_append(&file, zero, sizeof zero);
  assert_true(pmtiles_dir_encode(s->root, s->n_root, &dir));
  put_section(&file, dir.data, dir.len, s->gz, &h.root_offset, &h.root_length);
  put_section(&file, (const uint8_t *)s->metadata, strlen(s->metadata), s->gz, &h.metadata_offset,
              &h.metadata_length);
  put_section(&file, s->leaves, s->leaves_len, false, &h.leaf_offset, &h.leaf_length);
  put_section(&file, s->data, s->data_len, false, &h.data_offset, &h.data_length);
  pmtiles_header_write(&h, file.data);
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  fwrite(file.data, 1, cut && cut < file.len ? cut : file.len, f);
  fclose(f);
  buf_free(&file);
  buf_free(&dir);
}

/* Appends one encoded (gzipped when gz) leaf directory to leaves, returning its entry. */
static pmtiles_entry add_leaf(buf *leaves, const pmtiles_entry *d, size_t n, bool gz) {
  buf b;
  buf_init(&b, 0);
  assert_true(pmtiles_dir_encode(d, n, &b));
  pmtiles_entry leaf = {.tile_id = d[0].tile_id, .offset = leaves->len, .run_length = 0};
  if (gz) assert_int_equal(gzip_compress(b.data, b.len, 6, leaves, NULL), ERR_OK);
  else buf_append(leaves, b.data, b.len);
  leaf.length = (uint32_t)(leaves->len - leaf.offset);
  buf_free(&b);
  return leaf;
}

static uint64_t id_of(unsigned z, uint32_t x, uint32_t y) {
  uint64_t id;
  assert_true(pmtiles_zxy_to_id(z, x, y, &id));
  return id;
}

/* ids of (9, i, 7) do not grow with i, and a directory is ordered by id */
static int by_id(const void *a, const void *b) {
  uint64_t x = ((const pmtiles_entry *)a)->tile_id, y = ((const pmtiles_entry *)b)->tile_id;
  return x < y ? -1 : x > y;
}
static void sort_entries(pmtiles_entry *d, size_t n) { qsort(d, n, sizeof *d, by_id); }

static void expect_tile(pmtiles_archive *a, unsigned z, uint32_t x, uint32_t y, const char *bytes) {
  pmtiles_tile_ref ref;
  err e;
  assert_int_equal(pmtiles_archive_find(a, z, x, y, &ref, &e), ERR_OK);
  if (!bytes) {
    assert_false(ref.found);
    return;
  }
  assert_true(ref.found);
  buf b;
  buf_init(&b, 0);
  assert_int_equal(pmtiles_archive_read(a, &ref, &b, &e), ERR_OK);
  assert_int_equal(b.len, strlen(bytes));
  assert_memory_equal(b.data, bytes, b.len);
  buf_free(&b);
}

/* data "AAAABBBCC": tile 0/0/0 = AAAA (id 0), 1/0/0 and 1/0/1 = BBB (ids 1-2, a run of 2),
 * 1/1/0 = CC (id 4); 1/1/1 (id 3) absent */
static const char DATA[] = "AAAABBBCC";
static const pmtiles_entry ROOT[] = {{0, 0, 4, 1}, {1, 4, 3, 2}, {4, 7, 2, 1}};

static void reads_root_tiles(void **state) {
  char path[256];
  check_tmp_path("a.pmtiles", path, sizeof path);
  for (int gz = 0; gz <= 1; gz++) {
    spec s = {ROOT, 3, NULL, 0, (const uint8_t *)DATA, 9, "{\"name\":\"prueba\"}", gz, 0, 1};
    write_archive(&s, path, 0);
    pmtiles_archive *a;
    err e;
    assert_int_equal(pmtiles_archive_open(path, &a, &e), ERR_OK);
    size_t n;
    assert_string_equal(pmtiles_archive_metadata(a, &n), "{\"name\":\"prueba\"}");
    assert_int_equal(n, 17);
    assert_int_equal(pmtiles_archive_header(a)->max_zoom, 1);
    expect_tile(a, 0, 0, 0, "AAAA");
    expect_tile(a, 1, 0, 0, "BBB");
    expect_tile(a, 1, 0, 1, "BBB");
    expect_tile(a, 1, 1, 1, NULL);
    expect_tile(a, 1, 1, 0, "CC");
    expect_tile(a, 2, 0, 0, NULL);  /* past max zoom */
    pmtiles_archive_close(a);
  }
}

/* Two levels of leaves over 300 zoom-9 tiles, one leaf per tile at the bottom: more leaves
 * than the cache keeps, read twice over so evicted leaves are read again. */
static void reads_through_leaves(void **state) {
  enum { N = 300 };
  buf leaves, data;
  buf_init(&leaves, 0);
  buf_init(&data, 0);
  pmtiles_entry mid[N], top[2];
  for (uint32_t i = 0; i < N; i++) {
    char t[16];
    snprintf(t, sizeof t, "tile%u", i);
    pmtiles_entry tile = {id_of(9, i, 7), data.len, (uint32_t)strlen(t), 1};
    buf_puts(&data, t);
    mid[i] = add_leaf(&leaves, &tile, 1, true);
  }
  sort_entries(mid, N);
  top[0] = add_leaf(&leaves, mid, N / 2, true);
  top[1] = add_leaf(&leaves, mid + N / 2, N - N / 2, true);
  char path[256];
  check_tmp_path("leaves.pmtiles", path, sizeof path);
  spec s = {top, 2, leaves.data, leaves.len, data.data, data.len, "{}", true, 0, 9};
  write_archive(&s, path, 0);
  pmtiles_archive *a;
  err e;
  assert_int_equal(pmtiles_archive_open(path, &a, &e), ERR_OK);
  for (int round = 0; round < 2; round++)
    for (uint32_t i = 0; i < N; i++) {
      char t[16];
      snprintf(t, sizeof t, "tile%u", i);
      expect_tile(a, 9, i, 7, t);
    }
  expect_tile(a, 9, 0, 8, NULL);
  expect_tile(a, 8, 0, 7, NULL);
  pmtiles_archive_close(a);
  buf_free(&leaves);
  buf_free(&data);
}

static void expect_open_fails(const char *path, const char *fault) {
  pmtiles_archive *a = (void *)1;
  err e;
  err_code rc = pmtiles_archive_open(path, &a, &e);
  assert_true(rc == ERR_INVALID || rc == ERR_IO);
  assert_null(a);
  if (!strstr(e.msg, path) || !strstr(e.msg, fault)) fail_msg("message '%s' lacks '%s'", e.msg, fault);
}

static void hostile_files_refused(void **state) {
  char path[256];
  check_tmp_path("bad.pmtiles", path, sizeof path);
  spec s = {ROOT, 3, NULL, 0, (const uint8_t *)DATA, 9, "{\"name\":\"x\"}", true, 0, 1};
  write_archive(&s, path, 100);
  expect_open_fails(path, "header shorter");
  write_archive(&s, path, 140); /* root cut */
  expect_open_fails(path, "past the end");
  write_archive(&s, path, 0);
  FILE *f = fopen(path, "r+b");
  fwrite("PNTiles", 1, 7, f);
  fclose(f);
  expect_open_fails(path, "not a PMTiles");
  /* a tile entry past the data section */
  const pmtiles_entry far[] = {{0, 5, 100, 1}};
  spec s2 = {far, 1, NULL, 0, (const uint8_t *)DATA, 9, "{}", false, 0, 0};
  write_archive(&s2, path, 0);
  expect_open_fails(path, "points past the end of the tile data");
  /* a zip bomb as metadata: 64 MiB of spaces */
  char *big = malloc(64u << 20 | 1);
  memset(big, ' ', 64u << 20);
  big[64u << 20] = '\0';
  spec s3 = {ROOT, 3, NULL, 0, (const uint8_t *)DATA, 9, big, true, 0, 1};
  write_archive(&s3, path, 0);
  free(big);
  expect_open_fails(path, "metadata");
  expect_open_fails("/nonexistent/x.pmtiles", "cannot open");
}

static void hostile_leaves_found_late(void **state) {
  buf leaves;
  buf_init(&leaves, 0);
  /* a leaf whose only entry is itself: the reader must stop at the depth bound */
  pmtiles_entry self = {.tile_id = 0, .offset = 0, .run_length = 0};
  buf b;
  buf_init(&b, 0);
  self.length = 0;
  for (int i = 0; i < 3; i++) { /* the encoding's length depends on the length: iterate */
    b.len = 0;
    pmtiles_dir_encode(&self, 1, &b);
    self.length = (uint32_t)b.len;
  }
  buf_append(&leaves, b.data, b.len);
  /* a zip bomb as the second leaf */
  char *zeros = calloc(1, 16u << 20);
  pmtiles_entry bomb = {.tile_id = 5, .offset = leaves.len, .run_length = 0};
  gzip_compress(zeros, 16u << 20, 9, &leaves, NULL);
  free(zeros);
  bomb.length = (uint32_t)(leaves.len - bomb.offset);
  const pmtiles_entry root[] = {self, bomb};
  char path[256];
  check_tmp_path("loop.pmtiles", path, sizeof path);
  spec s = {root, 2, leaves.data, leaves.len, (const uint8_t *)DATA, 9, "{}", false, 0, 3};
  write_archive(&s, path, 0);
  pmtiles_archive *a;
  err e;
  assert_int_equal(pmtiles_archive_open(path, &a, &e), ERR_OK);
  pmtiles_tile_ref ref;
  assert_int_equal(pmtiles_archive_find(a, 0, 0, 0, &ref, &e), ERR_INVALID);
  assert_non_null(strstr(e.msg, "nested deeper"));
  assert_non_null(strstr(e.msg, path));
  assert_int_equal(pmtiles_archive_find(a, 2, 0, 0, &ref, &e), ERR_INVALID);
  assert_non_null(strstr(e.msg, "leaf directory"));
  assert_false(ref.found);
  pmtiles_archive_close(a);
  buf_free(&leaves);
  buf_free(&b);
}

static void *reader_thread(void *arg) {
  pmtiles_archive *a = arg;
  for (int i = 0; i < 2000; i++) {
    pmtiles_tile_ref ref;
    uint32_t x = (uint32_t)(i * 7919 % 300);
    if (pmtiles_archive_find(a, 9, x, 7, &ref, NULL) != ERR_OK || !ref.found) return (void *)1;
  }
  return NULL;
}

static void threads_read_at_once(void **state) {
  enum { N = 300 };
  buf leaves, data;
  buf_init(&leaves, 0);
  buf_init(&data, 0);
  pmtiles_entry tiles[N];
  for (uint32_t i = 0; i < N; i++) tiles[i] = (pmtiles_entry){id_of(9, i, 7), 0, 1, 1};
  sort_entries(tiles, N);
  pmtiles_entry root[N / 10];
  for (size_t i = 0; i < N / 10; i++) root[i] = add_leaf(&leaves, tiles + 10 * i, 10, false);
  buf_putc(&data, 'x');
  char path[256];
  check_tmp_path("threads.pmtiles", path, sizeof path);
  spec s = {root, N / 10, leaves.data, leaves.len, data.data, data.len, "{}", false, 9, 9};
  write_archive(&s, path, 0);
  pmtiles_archive *a;
  assert_int_equal(pmtiles_archive_open(path, &a, NULL), ERR_OK);
  pthread_t t[4];
  for (int i = 0; i < 4; i++) pthread_create(&t[i], NULL, reader_thread, a);
  for (int i = 0; i < 4; i++) {
    void *r;
    pthread_join(t[i], &r);
    assert_null(r);
  }
  pmtiles_archive_close(a);
  buf_free(&leaves);
  buf_free(&data);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(reads_root_tiles), cmocka_unit_test(reads_through_leaves),
      cmocka_unit_test(hostile_files_refused), cmocka_unit_test(hostile_leaves_found_late),
      cmocka_unit_test(threads_read_at_once)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
