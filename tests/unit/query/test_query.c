/* Unit tests of the predicate tree (query/), end to end: the canonical text (spellings of one
 * filter share it, different filters do not), and the store's SQL for every node kind, run on a
 * real SpatiaLite table made from a third-party file (SSP-CDMX crime points, tests/data/cdmx-ssp)
 * and checked against the rows a plain C reference picks from the same file. The reference reads
 * the CSV itself and evaluates each condition without SQL, so a wrong compilation (a lost NOT, a
 * LIKE that ignores case, an off-by-one date bound) shows as a different set of ids. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "features/features.h"
#include "geom/wkb.h"
#include "features/kv_args.h"
#include "store/store.h"

/* ---- the source file, as the reference sees it ---------------------------------------------- */

enum { MAX_ROWS = 2100 };

typedef struct row {
  int64_t id;
  char cuadrante[32], crime[64], fecha[16], hora[8];
  double lon, lat;
} row;

typedef struct fixture {
  row rows[MAX_ROWS];
  size_t n;
  char db[256];
  store_reader *r;
  const layer_info *l;
} fixture;

static fixture *F;

/* "a","b",c,... without embedded commas or quotes (true of this file, checked by the count). */
static int split_csv(char *line, char **out, int max) {
  int n = 0;
  for (char *p = line; n < max;) {
    if (*p == '"') p++;
    out[n++] = p;
    char *end = strchr(p, ',');
    if (end) *end = '\0';
    size_t len = strlen(p);
    while (len && (p[len - 1] == '"' || p[len - 1] == '\n' || p[len - 1] == '\r')) p[--len] = 0;
    if (!end) break;
    p = end + 1;
  }
  return n;
}

/* Reads the CSV; rows whose lat/long are NA (44 of them) have no location and are left out, as
 * the importer refuses them. */
static void read_source(fixture *f) {
  const char *dir = getenv("TESELAS_TEST_DATA");
  char path[512];
  snprintf(path, sizeof path, "%s/cdmx-ssp/crime-lat-long-2000.csv", dir ? dir : "tests/data");
  FILE *fp = fopen(path, "r");
  if (!fp) fail_msg("cannot read %s", path);
  char line[512];
  assert_non_null(fgets(line, sizeof line, fp)); /* header */
  while (fgets(line, sizeof line, fp) && f->n < MAX_ROWS) {
    char *c[9];
    if (split_csv(line, c, 9) != 9) fail_msg("bad record %zu", f->n + 2);
    if (strcmp(c[6], "NA") == 0) continue;
    row *r = &f->rows[f->n++];
    snprintf(r->cuadrante, sizeof r->cuadrante, "%s", c[0]);
    snprintf(r->crime, sizeof r->crime, "%s", c[1]);
    snprintf(r->fecha, sizeof r->fecha, "%s", c[2]);
    snprintf(r->hora, sizeof r->hora, "%s", c[3]);
    r->lat = atof(c[6]);
    r->lon = atof(c[7]);
    r->id = atoll(c[8]);
  }
  fclose(fp);
  assert_int_equal(f->n, 2000 - 44);
}

static const layer_field FIELDS[] = {{"cuadrante", "Cuadrante", FIELD_TEXT},
                                     {"crime", "Delito", FIELD_TEXT},
                                     {"fecha", "Fecha", FIELD_DATE},
                                     {"hora", "Hora", FIELD_TEXT},
                                     {"n", "Número", FIELD_INTEGER}};

static void write_layer(fixture *f) {
  layer_meta meta = {.id = "delitos", .title = "Delitos", .minzoom = -1, .maxzoom = -1,
                     .keep_versions = 1, .date_field = "fecha"};
  store_writer *w = NULL;
  err e;
  assert_int_equal(store_writer_begin(f->db, &meta, FIELDS, 5, &w, &e), ERR_OK);
  buf g;
  buf_init(&g, 0);
  for (size_t i = 0; i < f->n; i++) {
    const row *r = &f->rows[i];
    buf_reset(&g);
    geom_wkb_point(&g, r->lon, r->lat);
    value v[] = {{.kind = VALUE_TEXT, .s = r->cuadrante, .len = strlen(r->cuadrante)},
                 {.kind = VALUE_TEXT, .s = r->crime, .len = strlen(r->crime)},
                 {.kind = VALUE_TEXT, .s = r->fecha, .len = strlen(r->fecha)},
                 {.kind = VALUE_TEXT, .s = r->hora, .len = strlen(r->hora)},
                 {.kind = VALUE_INT, .i = r->id}};
    assert_int_equal(store_writer_add(w, r->id, g.data, g.len, v, &e), ERR_OK);
  }
  buf_free(&g);
  int64_t version;
  if (store_writer_commit(w, "{}", &version, &e) != ERR_OK) fail_msg("%s", e.msg);
}

static int setup(void **state) {
  F = calloc(1, sizeof *F);
  read_source(F);
  check_tmp_path("query.db", F->db, sizeof F->db);
  write_layer(F);
  err e;
  assert_int_equal(store_reader_open(F->db, &F->r, &e), ERR_OK);
  const catalog *c;
  assert_int_equal(store_reader_catalog(F->r, &c, &e), ERR_OK);
  F->l = catalog_find(c, "delitos", 7);
  assert_non_null(F->l);
  return 0;
}

static int teardown(void **state) {
  store_reader_close(F->r);
  free(F);
  return 0;
}

/* ---- running a filter ------------------------------------------------------------------------ */

/* Parses "k=v&k2=v2" (values already decoded) for a tile's filter into a. */
static const query_pred *parse_filter(arena *a, const char *query, err *e, err_code *rc) {
  features_kv kv[8];
  size_t n = kv_args_split(arena_strdup(a, query), kv, 8);
  features_request r;
  *rc = features_request_parse(F->l, FEATURES_USE_TILE, kv, n, FEATURES_GEOJSON, a, &r, e);
  return r.where;
}

/* The ids the store returns for p, in id order, as a 0/1 map over the fixture's rows. */
static void store_ids(const query_pred *p, bool *out) {
  memset(out, 0, F->n * sizeof *out);
  store_query q = {.layer = F->l, .where = p, .limit = -1, .after_id = INT64_MIN};
  store_iter *it = NULL;
  err e;
  if (store_query_start(F->r, &q, &it, &e) != ERR_OK) fail_msg("%s", e.msg);
  store_feature f;
  int64_t last = INT64_MIN;
  while (store_iter_next(it, &f, &e) == 1) {
    assert_true(f.id > last); /* id order */
    last = f.id;
    size_t i = 0;
    while (i < F->n && F->rows[i].id != f.id) i++;
    if (i == F->n) fail_msg("id %lld is not in the source", (long long)f.id);
    out[i] = true;
  }
  assert_int_equal(store_iter_error(it, &e), ERR_OK);
  store_iter_close(it);
}

typedef bool (*ref_fn)(const row *r);

/* Runs query (a tile filter) and compares the store's rows with the reference's. Returns how
 * many matched, so a case that selects nothing (or everything) is noticed. */
static size_t check_filter(const char *query, ref_fn ref) {
  arena *a = arena_create(1 << 20);
  err e;
  err_code rc;
  const query_pred *p = parse_filter(a, query, &e, &rc);
  if (rc != ERR_OK) fail_msg("%s: %s", query, e.msg);
  bool *got = calloc(F->n, sizeof *got);
  store_ids(p, got);
  size_t n = 0;
  for (size_t i = 0; i < F->n; i++) {
    if (got[i] != ref(&F->rows[i]))
      fail_msg("%s: id %lld %s by the store", query, (long long)F->rows[i].id,
               got[i] ? "wrongly selected" : "missed");
    n += got[i];
  }
  free(got);
  arena_destroy(a);
  return n;
}

/* CQL2 LIKE: '%' any run, '_' one character, '\' escapes; case-sensitive. */
static bool like(const char *s, const char *p) {
  if (!*p) return !*s;
  if (*p == '%') return like(s, p + 1) || (*s && like(s + 1, p));
  if (*p == '\\' && p[1]) p++;
  else if (*p == '_') return *s && like(s + 1, p + 1);
  return *s == *p && like(s + 1, p + 1);
}

static bool in_box(const row *r, double x0, double y0, double x1, double y1) {
  return r->lon >= x0 && r->lon <= x1 && r->lat >= y0 && r->lat <= y1;
}

static bool r_lt100(const row *r) { return r->id < 100; }
static bool r_ge1950(const row *r) { return r->id >= 1950; }
static bool r_ne5(const row *r) { return r->id != 5; }
static bool r_negocio(const row *r) { return strcmp(r->crime, "ROBO A NEGOCIO C.V.") == 0; }
static bool r_late(const row *r) { return strcmp(r->hora, "20:00") > 0; }
static bool r_like(const row *r) { return like(r->crime, "ROBO A %"); }
static bool r_like_us(const row *r) { return like(r->cuadrante, "N-1._.%"); }
static bool r_not_like(const row *r) { return !like(r->crime, "%C.V."); }
static bool r_like_case(const row *r) { return like(r->crime, "robo%"); }
static bool r_between(const row *r) { return r->id >= 10 && r->id <= 20; }
static bool r_not_between(const row *r) { return !(r->id >= 10 && r->id <= 1990); }
static bool r_in(const row *r) {
  return strcmp(r->cuadrante, "N-1.1.18") == 0 || strcmp(r->cuadrante, "O-3.1.3") == 0;
}
static bool r_not_in(const row *r) { return r->id != 1 && r->id != 2 && r->id != 3; }
static bool r_all(const row *r) { return r != NULL; }
static bool r_none(const row *r) { return r == NULL; }
static bool r_logic(const row *r) {
  return !(r->id < 1000) && (like(r->crime, "ROBO%") || strcmp(r->hora, "06:00") < 0);
}
static bool r_or_and(const row *r) {
  return r->id < 50 || (r_negocio(r) && strcmp(r->fecha, "2013-01-10") >= 0);
}
static bool r_box(const row *r) { return in_box(r, -99.2, 19.35, -99.1, 19.45); }
static bool r_not_box(const row *r) { return !r_box(r); }
static bool r_within(const row *r) { return in_box(r, -99.15, 19.3, -99.05, 19.4); }
static bool r_interval(const row *r) {
  return strcmp(r->fecha, "2013-01-05") >= 0 && strcmp(r->fecha, "2013-01-09") <= 0;
}
static bool r_instant(const row *r) { return strcmp(r->fecha, "2013-01-10") == 0; }
static bool r_until(const row *r) { return strcmp(r->fecha, "2013-01-03") <= 0; }
static bool r_from_time(const row *r) { return strcmp(r->fecha, "2013-01-16") >= 0; }
static bool r_prop_and_time(const row *r) { return r_negocio(r) && r_interval(r); }

static void every_node_kind_selects_what_the_reference_does(void **state) {
  static const struct {
    const char *query;
    ref_fn ref;
  } CASES[] = {
      {"filter=n < 100", r_lt100},
      {"filter=n >= 1950", r_ge1950},
      {"filter=n <> 5", r_ne5},
      {"filter=crime = 'ROBO A NEGOCIO C.V.'", r_negocio},
      {"crime=ROBO A NEGOCIO C.V.", r_negocio},
      {"filter=hora > '20:00'", r_late},
      {"filter=crime LIKE 'ROBO A %'", r_like},
      {"filter=cuadrante LIKE 'N-1._.%'", r_like_us},
      {"filter=crime NOT LIKE '%C.V.'", r_not_like},
      {"filter=crime LIKE 'robo%'", r_like_case},
      {"filter=n BETWEEN 10 AND 20", r_between},
      {"filter=n NOT BETWEEN 10 AND 1990", r_not_between},
      {"filter=cuadrante IN ('N-1.1.18', 'O-3.1.3')", r_in},
      {"filter=n NOT IN (1, 2, 3)", r_not_in},
      {"filter=crime IS NOT NULL", r_all},
      {"filter=crime IS NULL", r_none},
      {"filter=TRUE", r_all},
      {"filter=FALSE", r_none},
      {"filter=NOT (n < 1000) AND (crime LIKE 'ROBO%' OR hora < '06:00')", r_logic},
      {"filter=n < 50 OR crime = 'ROBO A NEGOCIO C.V.' AND fecha >= DATE('2013-01-10')",
       r_or_and},
      {"filter=S_INTERSECTS(geometry, BBOX(-99.2, 19.35, -99.1, 19.45))", r_box},
      {"filter=S_DISJOINT(geometry, BBOX(-99.2, 19.35, -99.1, 19.45))", r_not_box},
      {"filter=S_WITHIN(geometry, POLYGON((-99.15 19.3, -99.05 19.3, -99.05 19.4, -99.15 19.4, "
       "-99.15 19.3)))",
       r_within},
      {"datetime=2013-01-05/2013-01-09", r_interval},
      {"datetime=2013-01-10", r_instant},
      {"datetime=../2013-01-03", r_until},
      {"datetime=2013-01-15T23:00:00-06:00/..", r_from_time},
      {"crime=ROBO A NEGOCIO C.V.&datetime=2013-01-05/2013-01-09", r_prop_and_time},
  };
  for (size_t i = 0; i < sizeof CASES / sizeof *CASES; i++) {
    size_t n = check_filter(CASES[i].query, CASES[i].ref);
    /* every case selects some rows and leaves some out, but those meant to select all or none
     * (LIKE 'robo%' is one: CQL2's LIKE is case-sensitive and the file's values are upper case) */
    if (CASES[i].ref != r_none && CASES[i].ref != r_all && CASES[i].ref != r_like_case &&
        (n == 0 || n == F->n))
      fail_msg("%s: selects %zu of %zu rows: not a test", CASES[i].query, n, F->n);
  }
}

/* "fid in list", alone and AND-ed with a filter, as the clustered tiles use it. */
static void fid_lists_select_those_ids(void **state) {
  int64_t ids[] = {1, 2, 7, 1500, 999999};
  query_with_ids s;
  bool *got = calloc(F->n, sizeof *got);
  store_ids(query_pred_with_ids(&s, NULL, ids, 5), got);
  size_t n = 0;
  for (size_t i = 0; i < F->n; i++) {
    bool want = false;
    for (int k = 0; k < 5; k++) want |= F->rows[i].id == ids[k];
    assert_int_equal(got[i], want);
    n += got[i];
  }
  assert_int_equal(n, 4);
  arena *a = arena_create(1 << 20);
  err e;
  err_code rc;
  const query_pred *p = parse_filter(a, "filter=n > 5", &e, &rc);
  assert_int_equal(rc, ERR_OK);
  store_ids(query_pred_with_ids(&s, p, ids, 5), got);
  for (size_t i = 0; i < F->n; i++)
    assert_int_equal(got[i], F->rows[i].id == 7 || F->rows[i].id == 1500);
  arena_destroy(a);
  free(got);
}

/* ---- the canonical text ---------------------------------------------------------------------- */

static char *canon_of(arena *a, const char *query) {
  err e;
  err_code rc;
  const query_pred *p = parse_filter(a, query, &e, &rc);
  if (rc != ERR_OK) fail_msg("%s: %s", query, e.msg);
  buf b;
  buf_init(&b, 0);
  query_pred_canon(&b, p);
  char *s = arena_strdup(a, buf_cstr(&b));
  buf_free(&b);
  return s;
}

static void spellings_of_one_filter_share_a_text(void **state) {
  static const char *const SAME[][2] = {
      {"filter=n>=20", "filter=\"n\" >= 20.0"},
      {"filter=n = 1 and crime = 'x'", "filter=n=1 AND crime='x'"},
      {"filter=n = 1 AND (crime = 'x' AND hora = 'y')",
       "filter=(n = 1 AND crime = 'x') AND hora = 'y'"},
      {"filter=n = 1 OR (crime = 'x' OR hora = 'y')",
       "filter=((n = 1) OR crime = 'x') OR hora = 'y'"},
      {"crime=ROBO", "filter=crime = 'ROBO'"},
      {"filter=fecha = DATE('2013-01-05')", "fecha=2013-01-05"},
      {"fecha=2013-01-05", "filter=fecha = '2013-01-05'"},
      {"datetime=2013-01-05", "datetime=2013-01-05/2013-01-05"},
      {"datetime=2013-01-05T23:00:00-06:00/..", "datetime=2013-01-06T05:00:00Z/.."},
      {"datetime=2013-01-05/..", "datetime=2013-01-05/"},
      {"filter=S_INTERSECTS(geometry,BBOX(1,2,3,4))",
       "filter=s_intersects(\"geometry\", polygon((1 2, 3 2, 3 4, 1 4, 1 2)))"},
      {"filter=S_WITHIN(geom, POINT(1 2))", "filter=S_WITHIN(geometry,POINT(1.0 2.00))"},
      {"filter=crime LIKE 'R%' AND n IN (1,2)", "filter=crime like 'R%' and n in ( 1 , 2 )"},
  };
  arena *a = arena_create(1 << 20);
  for (size_t i = 0; i < sizeof SAME / sizeof *SAME; i++) {
    const char *x = canon_of(a, SAME[i][0]), *y = canon_of(a, SAME[i][1]);
    if (strcmp(x, y) != 0) fail_msg("%s / %s:\n %s\n %s", SAME[i][0], SAME[i][1], x, y);
  }
  /* the form itself: names and text quoted, typed literals, flattened AND */
  assert_string_equal(canon_of(a, "filter=n >= 20 AND (crime LIKE 'R%' AND NOT hora IS NULL)"),
                      "and(ge(f\"n\",i20),like(f\"crime\",t\"R%\"),not(null(f\"hora\")))");
  assert_string_equal(canon_of(a, "datetime=../2013-01-05&crime=a\"b"),
                      "and(eq(f\"crime\",t\"a\\\"b\"),time(\"fecha\",date,..,\"2013-01-05\"))");
  arena_destroy(a);
}

/* AND, OR and IN lists are sets: any order of their operands is one text, one hash (one cache
 * entry and ETag), and the order within the text is that of the operands' own texts. */
static void commutative_operands_share_a_text(void **state) {
  static const char *const SAME[][2] = {
      {"filter=n = 1 AND crime = 'x'", "filter=crime = 'x' AND n = 1"},
      {"filter=n = 1 OR crime = 'x' OR hora = 'y'", "filter=hora = 'y' OR (crime = 'x' OR n = 1)"},
      {"filter=n IN (3, 1, 2)", "filter=n IN (1, 2, 3)"},
      {"filter=crime NOT IN ('b', 'a')", "filter=crime NOT IN ('a', 'b')"},
      {"filter=(n = 1 OR n = 2) AND crime IN ('y', 'x')",
       "filter=crime IN ('x', 'y') AND (n = 2 OR n = 1)"},
      {"fecha=2013-01-05&crime=ROBO", "crime=ROBO&fecha=2013-01-05"},
  };
  arena *a = arena_create(1 << 20);
  for (size_t i = 0; i < sizeof SAME / sizeof *SAME; i++) {
    err e;
    err_code rc;
    const query_pred *x = parse_filter(a, SAME[i][0], &e, &rc), *y;
    assert_int_equal(rc, ERR_OK);
    y = parse_filter(a, SAME[i][1], &e, &rc);
    assert_int_equal(rc, ERR_OK);
    const char *tx = canon_of(a, SAME[i][0]), *ty = canon_of(a, SAME[i][1]);
    if (strcmp(tx, ty) != 0) fail_msg("%s / %s:\n %s\n %s", SAME[i][0], SAME[i][1], tx, ty);
    assert_true(query_pred_hash(x) == query_pred_hash(y));
  }
  assert_string_equal(canon_of(a, "filter=n IN (10, 9, 2) AND crime = 'x'"),
                      "and(eq(f\"crime\",t\"x\"),in(f\"n\",i10,i2,i9))");
  /* the tested operand of IN stays first: 1 IN (n, m) is not n IN (1, m) */
  assert_string_equal(canon_of(a, "filter=1 IN (n, 2)"), "in(i1,f\"n\",i2)");
  /* a failed allocation fails the text, as a failed append does */
  buf b;
  buf_init(&b, 8);
  err e;
  err_code rc;
  query_pred_canon(&b, parse_filter(a, "filter=crime IN ('aaaaaaaa', 'bbbbbbbb')", &e, &rc));
  assert_true(b.failed);
  buf_free(&b);
  arena_destroy(a);
}

static void different_filters_have_different_texts_and_hashes(void **state) {
  static const char *const DIFFERENT[] = {
      "filter=n >= 20",
      "filter=n > 20",
      "filter=n >= 21",
      "filter=n >= 20.5",
      "filter=hora >= '20'",
      "filter=NOT n >= 20",
      "filter=crime = 'ROBO'",
      "filter=crime = 'robo'",
      "filter=crime LIKE 'ROBO'",
      "filter=crime NOT LIKE 'ROBO'",
      "filter=n BETWEEN 1 AND 2",
      "filter=n NOT BETWEEN 1 AND 2",
      "filter=n IN (1, 2)",
      "filter=n NOT IN (1, 2)",
      "filter=crime IS NULL",
      "filter=crime IS NOT NULL",
      "filter=n = 1 AND crime = 'x'",
      "filter=n = 1 OR crime = 'x'",
      "filter=TRUE",
      "filter=FALSE",
      "filter=S_INTERSECTS(geometry, BBOX(1, 2, 3, 4))",
      "filter=S_DISJOINT(geometry, BBOX(1, 2, 3, 4))",
      "filter=S_INTERSECTS(BBOX(1, 2, 3, 4), geometry)",
      "filter=S_INTERSECTS(geometry, BBOX(170, 2, -170, 4))",
      "filter=S_INTERSECTS(geometry, MULTIPOLYGON(((170 2, 180 2, 180 4, 170 4, 170 2)), "
      "((-180 2, -170 2, -170 4, -180 4, -180 2))))",
      "datetime=2013-01-05",
      "datetime=2013-01-05/..",
      "datetime=../2013-01-05",
      "datetime=2013-01-05T00:00:00Z/..",
      "fecha=2013-01-05",
      "fecha=2013-01-06",
  };
  size_t n = sizeof DIFFERENT / sizeof *DIFFERENT;
  arena *a = arena_create(1 << 20);
  char *texts[64];
  uint64_t hashes[64];
  for (size_t i = 0; i < n; i++) {
    err e;
    err_code rc;
    const query_pred *p = parse_filter(a, DIFFERENT[i], &e, &rc);
    if (rc != ERR_OK) fail_msg("%s: %s", DIFFERENT[i], e.msg);
    texts[i] = canon_of(a, DIFFERENT[i]);
    hashes[i] = query_pred_hash(p);
    for (size_t j = 0; j < i; j++) {
      if (strcmp(texts[i], texts[j]) == 0)
        fail_msg("%s and %s share %s", DIFFERENT[i], DIFFERENT[j], texts[i]);
      assert_true(hashes[i] != hashes[j]);
    }
  }
  assert_true(query_pred_hash(NULL) == 0);
  arena_destroy(a);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(every_node_kind_selects_what_the_reference_does),
      cmocka_unit_test(fid_lists_select_those_ids),
      cmocka_unit_test(spellings_of_one_filter_share_a_text),
      cmocka_unit_test(commutative_operands_share_a_text),
      cmocka_unit_test(different_filters_have_different_texts_and_hashes),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
