/* Fields named like the store's own columns (fid, geom, the levels of detail, the teselas_
 * prefix of the row number and of the tile side table) are published under other names, so the
 * version table can be made and a line tile's query, which joins the version table and its
 * ranked lines, finds every name once. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "geom/geom.h"
#include "importers/import.h"
#include "store/store.h"

static void write_file(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
}

static void reserved_field_names_are_renamed(void **state) {
  (void)state;
  char db[256], src[256];
  check_tmp_path("reserved.db", db, sizeof db);
  check_tmp_path("reserved.geojson", src, sizeof src);
  write_file(src,
             "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":"
             "{\"id\":7,\"geom\":\"a\",\"geom_z10\":1,\"teselas_row\":2,\"teselas_g\":3,\"g\":4},"
             "\"geometry\":{\"type\":\"LineString\",\"coordinates\":[[-101.70,21.10],"
             "[-101.69,21.11],[-101.68,21.10],[-101.67,21.12]]}}]}");
  import_options o = {.path = src, .db_path = db, .layer_id = "nombres"};
  import_result r;
  err e;
  if (import_run(&o, &r, &e) != ERR_OK) fail_msg("%s", e.msg);
  import_result_free(&r);

  store_reader *rd = NULL;
  const catalog *cat = NULL;
  assert_int_equal(store_reader_open(db, &rd, &e), ERR_OK);
  assert_int_equal(store_reader_catalog(rd, &cat, &e), ERR_OK);
  const layer_info *l = catalog_find(cat, "nombres", 7);
  assert_non_null(l);
  assert_true(l->has_tile_lines);
  const char *want[] = {"id", "geom_2", "geom_z10_2", "campo_teselas_row", "campo_teselas_g", "g"};
  assert_int_equal(l->n_fields, 6);
  for (size_t i = 0; i < 6; i++) assert_string_equal(l->fields[i].name, want[i]);

  /* a tile's query: the box through the index, the line from the side table, every field */
  const char *names[6];
  for (size_t i = 0; i < 6; i++) names[i] = l->fields[i].name;
  double bbox[4] = {-101.8, 21.0, -101.6, 21.2};
  store_query q = {.layer = l, .bbox = bbox, .fields = names, .n_fields = 6,
                   .with_geometry = true, .limit = -1, .after_id = INT64_MIN, .any_order = true,
                   .lod_zoom = 12};
  store_iter *it = NULL;
  if (store_query_start(rd, &q, &it, &e) != ERR_OK) fail_msg("%s", e.msg);
  store_feature f;
  assert_int_equal(store_iter_next(it, &f, &e), 1);
  assert_int_equal(f.id, 1);
  assert_true(geom_is_ranked(f.blob, f.blob_len));
  assert_int_equal(f.values[5].i, 4);
  assert_int_equal(store_iter_next(it, &f, &e), 0);
  store_iter_close(it);
  store_reader_close(rd);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(reserved_field_names_are_renamed)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
