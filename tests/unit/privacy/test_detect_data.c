/* False positives of the personal-data detector on real layers: none is allowed.
 *
 * 1. The León demo database, built by the same code as `teselas demo --build-only`, read back
 *    with SQLite: every field name and every value of every layer (parks, colonias, rivers and
 *    water bodies named after saints, heroes and families; 50,000 incidents with dates and hours).
 * 2. Real third-party files from ../shared/data (skipped when absent): León's 962 colonias, the 46
 *    municipalities of Guanajuato, León's localities, and the first CDMX crime records. Their place
 *    names include people's names ("Adolfo López Mateos", "Benito Juárez"), which must not make a
 *    place column personal.
 * The detector runs as for a layer that keeps exact locations, its strictest setting. */
#include <jansson.h>
#include <sqlite3.h>

#include "check.h"
#include "importers/demo/demo.h"
#include "privacy/detect.h"

enum { MAX_FIELDS = 32, MAX_ROWS = 5000 };

/* Columns of text values collected from one layer. */
typedef struct table {
  char *names[MAX_FIELDS];
  char **values[MAX_FIELDS];
  size_t n_fields, n_rows;
} table;

static void table_free(table *t) {
  for (size_t f = 0; f < t->n_fields; f++) {
    for (size_t r = 0; r < t->n_rows; r++) free(t->values[f][r]);
    free(t->values[f]);
    free(t->names[f]);
  }
  memset(t, 0, sizeof *t);
}

static size_t table_field(table *t, const char *name) {
  for (size_t f = 0; f < t->n_fields; f++)
    if (strcmp(t->names[f], name) == 0) return f;
  assert_true(t->n_fields < MAX_FIELDS);
  t->names[t->n_fields] = strdup(name);
  t->values[t->n_fields] = calloc(MAX_ROWS, sizeof(char *));
  return t->n_fields++;
}

/* Runs the detector; fails listing every finding. A control column of people's names, added to
 * the same rows, must be the only finding: it proves the values were really read and examined.
 * Returns the number of fields examined. */
static size_t expect_nothing_personal(const char *what, table *t) {
  static const char *const PEOPLE[] = {"María Guadalupe Hernández López", "JUAN PEREZ GARCIA",
                                       "Rosa Elena Torres Ruiz"};
  const char **control = calloc(t->n_rows ? t->n_rows : 1, sizeof *control);
  for (size_t r = 0; r < t->n_rows; r++) control[r] = PEOPLE[r % 3];
  privacy_field_sample s[MAX_FIELDS + 1];
  for (size_t f = 0; f < t->n_fields; f++)
    s[f] = (privacy_field_sample){t->names[f], (const char *const *)t->values[f], t->n_rows};
  s[t->n_fields] = (privacy_field_sample){"control", control, t->n_rows};
  privacy_detection d;
  privacy_detect_options opt = {.exact_location = true};
  assert_int_equal(privacy_detect_fields(s, t->n_fields + 1, &opt, &d, NULL), ERR_OK);
  if (d.n_findings != 1 || strcmp(d.findings[0].field, "control") != 0) {
    buf b;
    buf_init(&b, 0);
    privacy_detection_message(&d, (const char *const[]){"control"}, 1, &b);
    fail_msg("%s: %zu findings: %s", what, d.n_findings, buf_cstr(&b));
  }
  assert_int_equal(d.findings[0].n_values, t->n_rows);
  privacy_detection_free(&d);
  free(control);
  return t->n_fields;
}

/* ---- the demo database ----------------------------------------------------------------------- */

static void read_layer(sqlite3 *db, const char *tbl, table *t) {
  char sql[256];
  snprintf(sql, sizeof sql, "SELECT * FROM \"%s\" LIMIT %d", tbl, MAX_ROWS);
  sqlite3_stmt *st;
  assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
  while (sqlite3_step(st) == SQLITE_ROW) {
    for (int c = 0; c < sqlite3_column_count(st); c++) {
      const char *name = sqlite3_column_name(st, c);
      if (strcmp(name, "geom") == 0 || strcmp(name, "fid") == 0) continue;
      size_t f = table_field(t, name);
      const unsigned char *v = sqlite3_column_text(st, c);
      t->values[f][t->n_rows] = v ? strdup((const char *)v) : NULL;
    }
    t->n_rows++;
  }
  sqlite3_finalize(st);
}

static void demo_layers_have_no_personal_data(void **state) {
  char path[256];
  check_tmp_path("demo.db", path, sizeof path);
  err e = {0};
  demo_options opt = {0};
  if (demo_build(path, &opt, &e) != ERR_OK) fail_msg("demo: %s", e.msg);
  sqlite3 *db;
  assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
  sqlite3_stmt *st;
  assert_int_equal(sqlite3_prepare_v2(db, "SELECT id, table_name FROM teselas_layers ORDER BY id",
                                      -1, &st, NULL), SQLITE_OK);
  size_t n_layers = 0, n_fields = 0;
  while (sqlite3_step(st) == SQLITE_ROW) {
    table t = {0};
    read_layer(db, (const char *)sqlite3_column_text(st, 1), &t);
    assert_true(t.n_rows > 0);
    n_fields += expect_nothing_personal((const char *)sqlite3_column_text(st, 0), &t);
    table_free(&t);
    n_layers++;
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  assert_int_equal(n_layers, 6);
  assert_true(n_fields >= 17);
}

/* ---- real files -------------------------------------------------------------------------------- */

static const char *shared(const char *rel, char *out, size_t len) {
  const char *d = getenv("TESELAS_SHARED_DATA");
  snprintf(out, len, "%s/%s", d ? d : TESELAS_SOURCE_DIR "/../shared/data", rel);
  return access(out, R_OK) == 0 ? out : NULL;
}

/* Every property of every feature, numbers as text the way an importer reads them. */
static bool read_geojson(const char *rel, table *t) {
  char path[1024];
  if (!shared(rel, path, sizeof path)) return false;
  json_t *doc = json_load_file(path, 0, NULL);
  assert_non_null(doc);
  size_t i;
  json_t *feat;
  json_array_foreach(json_object_get(doc, "features"), i, feat) {
    if (t->n_rows == MAX_ROWS) break;
    const char *key;
    json_t *v;
    json_object_foreach(json_object_get(feat, "properties"), key, v) {
      size_t f = table_field(t, key);
      char num[64];
      const char *s = json_string_value(v);
      if (json_is_integer(v)) snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
      else if (json_is_real(v)) snprintf(num, sizeof num, "%.17g", json_real_value(v));
      t->values[f][t->n_rows] = s ? strdup(s) : json_is_number(v) ? strdup(num) : NULL;
    }
    t->n_rows++;
  }
  json_decref(doc);
  return true;
}

/* A plain CSV (no comma inside quotes in these files): header, then up to MAX_ROWS records. */
static bool read_csv(const char *rel, table *t) {
  char path[1024], line[2048];
  if (!shared(rel, path, sizeof path)) return false;
  FILE *f = fopen(path, "r");
  assert_non_null(f);
  size_t cols[MAX_FIELDS], n_cols = 0;
  for (bool header = true; t->n_rows < MAX_ROWS && fgets(line, sizeof line, f); header = false) {
    line[strcspn(line, "\r\n")] = '\0';
    size_t c = 0;
    for (char *save = NULL, *cell = strtok_r(line, ",", &save); cell && c < MAX_FIELDS;
         cell = strtok_r(NULL, ",", &save), c++) {
      size_t n = strlen(cell);
      if (n >= 2 && cell[0] == '"' && cell[n - 1] == '"') cell[n - 1] = '\0', cell++;
      if (header) cols[n_cols++] = table_field(t, cell);
      else if (c < n_cols) t->values[cols[c]][t->n_rows] = strdup(cell);
    }
    if (!header) t->n_rows++;
  }
  fclose(f);
  return true;
}

static void real_place_layers_have_no_personal_data(void **state) {
  static const char *const GEOJSON[] = {"leon-colonias-areas-verdes/leon_colonias_msavi.geojson",
                                        "inegi-mg-guanajuato/AGEM_11.geojson"};
  static const char *const CSV[] = {"inegi-mg-guanajuato/derived/AGLOC_11020_localidades.csv",
                                    "cdmx-ssp-delitos/crime-lat-long.csv"};
  size_t n_files = 0;
  for (size_t i = 0; i < 2; i++) {
    table t = {0};
    if (read_geojson(GEOJSON[i], &t)) {
      assert_true(t.n_rows >= 46);
      expect_nothing_personal(GEOJSON[i], &t);
      n_files++;
    }
    table_free(&t);
    if (read_csv(CSV[i], &t)) {
      assert_true(t.n_rows >= 100);
      expect_nothing_personal(CSV[i], &t);
      n_files++;
    }
    table_free(&t);
  }
  if (n_files == 0) skip();
  assert_int_equal(n_files, 4);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(demo_layers_have_no_personal_data),
      cmocka_unit_test(real_place_layers_have_no_personal_data),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
