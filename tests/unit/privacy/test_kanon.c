/* k-anonymous counts: a worked example checked by hand, then a property test over many random
 * layers and many overlapping cell sets: every published number, every answer and every
 * difference of two answers that isolates a unit is 0 or at least k, and what a parent holds
 * beyond its published children is 0 or at least k, so no count below k can be recovered. */
#include "check.h"
#include "privacy/kanon.h"

static privacy_kanon *make(int64_t k, bool cats, bool months) {
  privacy_kanon *kn;
  err e = {0};
  privacy_kanon_options o = {k, cats, months};
  if (privacy_kanon_create(&o, &kn, &e) != ERR_OK) fail_msg("%s", e.msg);
  return kn;
}

static void add_n(privacy_kanon *kn, int n, const char *cell, const char *cat, const char *month) {
  err e = {0};
  for (int i = 0; i < n; i++)
    if (privacy_kanon_add(kn, cell, cat, month, &e) != ERR_OK) fail_msg("%s", e.msg);
}

static void unit_is(const privacy_unit *u, const char *cell, const char *cat, const char *month,
                    int64_t count) {
  if (strcmp(u->cell, cell) || strcmp(u->category, cat) || strcmp(u->month, month) || u->count != count)
    fail_msg("unit (%s, %s, %s) = %lld, want (%s, %s, %s) = %lld", u->cell, u->category, u->month,
             (long long)u->count, cell, cat, month, (long long)count);
}

/* k = 5. Cell B loses its categories to secondary suppression (lesiones 2 would be B minus robo),
 * D its months (2025-03: 2 would be riña minus 2025-02), and the layer loses cell B because C (3)
 * and the record outside every cell (1) hold 4 < 5 together. */
static void worked_example(void **state) {
  privacy_kanon *kn = make(5, true, true);
  add_n(kn, 6, "A", "robo", "2025-01");
  add_n(kn, 5, "A", "robo", "2025-02");
  add_n(kn, 6, "A", "riña", "2025-01");
  add_n(kn, 4, "B", "robo", "2025-01");
  add_n(kn, 4, "B", "robo", "2025-02");
  add_n(kn, 2, "B", "lesiones", "2025-03");
  add_n(kn, 3, "C", "robo", "2025-01");
  add_n(kn, 9, "D", "riña", "2025-02");
  add_n(kn, 2, "D", "riña", "2025-03");
  add_n(kn, 1, NULL, "robo", "2025-01");
  err e = {0};
  assert_int_equal(privacy_kanon_finish(kn, &e), ERR_OK);
  size_t n;
  const privacy_unit *u = privacy_kanon_units(kn, PRIVACY_LEVEL_CELL, &n);
  assert_int_equal(n, 2);
  unit_is(&u[0], "A", "", "", 17);
  unit_is(&u[1], "D", "", "", 11);
  u = privacy_kanon_units(kn, PRIVACY_LEVEL_CELL_CATEGORY, &n);
  assert_int_equal(n, 3);
  unit_is(&u[0], "A", "riña", "", 6);
  unit_is(&u[1], "A", "robo", "", 11);
  unit_is(&u[2], "D", "riña", "", 11);
  u = privacy_kanon_units(kn, PRIVACY_LEVEL_CELL_CATEGORY_MONTH, &n);
  assert_int_equal(n, 3);
  unit_is(&u[0], "A", "riña", "2025-01", 6);
  unit_is(&u[1], "A", "robo", "2025-01", 6);
  unit_is(&u[2], "A", "robo", "2025-02", 5);
  u = privacy_kanon_units(kn, PRIVACY_LEVEL_CELL_MONTH, &n);
  assert_int_equal(n, 2);
  unit_is(&u[0], "A", "", "2025-01", 12);
  unit_is(&u[1], "A", "", "2025-02", 5);

  privacy_kanon_stats st;
  privacy_kanon_get_stats(kn, &st);
  assert_int_equal(st.n_records, 42);
  assert_int_equal(st.n_unassigned, 1);
  assert_int_equal(st.n_suppressed_records, 14); /* B, C and the unassigned record */
  const int64_t pub[] = {2, 3, 2, 3}, sup[] = {2, 3, 6, 6};
  for (int l = 0; l < PRIVACY_N_LEVELS; l++) {
    assert_int_equal(st.n_published[l], pub[l]);
    assert_int_equal(st.n_suppressed[l], sup[l]);
  }
  assert_true(privacy_kanon_cell_published(kn, "A"));
  assert_false(privacy_kanon_cell_published(kn, "B"));
  assert_false(privacy_kanon_cell_published(kn, "nowhere"));

  const char *all[] = {"A", "B", "C", "D", "A", "zzz"}; /* A twice, an unknown cell */
  privacy_query q = {all, 6, PRIVACY_BY_NONE, NULL};
  privacy_answer a;
  assert_int_equal(privacy_kanon_query(kn, &q, &a, &e), ERR_OK);
  assert_int_equal(a.total, 28);
  assert_int_equal(a.n_groups, 0);
  privacy_answer_free(&a);
  q.by = PRIVACY_BY_CATEGORY;
  assert_int_equal(privacy_kanon_query(kn, &q, &a, &e), ERR_OK);
  assert_int_equal(a.n_groups, 2);
  assert_string_equal(a.groups[0].key, "riña");
  assert_int_equal(a.groups[0].count, 17);
  assert_string_equal(a.groups[1].key, "robo");
  assert_int_equal(a.groups[1].count, 11);
  assert_int_equal(a.total, 28);
  privacy_answer_free(&a);
  q.by = PRIVACY_BY_MONTH;
  assert_int_equal(privacy_kanon_query(kn, &q, &a, &e), ERR_OK);
  assert_int_equal(a.n_groups, 2);
  assert_int_equal(a.groups[0].count, 12);
  assert_int_equal(a.groups[1].count, 5);
  privacy_answer_free(&a);
  q.category = "robo";
  assert_int_equal(privacy_kanon_query(kn, &q, &a, &e), ERR_OK);
  assert_int_equal(a.n_groups, 2);
  assert_string_equal(a.groups[1].key, "2025-02");
  assert_int_equal(a.total, 11);
  privacy_answer_free(&a);
  q.by = PRIVACY_BY_NONE;
  q.category = "riña";
  assert_int_equal(privacy_kanon_query(kn, &q, &a, &e), ERR_OK);
  assert_int_equal(a.total, 17);
  privacy_answer_free(&a);
  q.category = "lesiones"; /* withheld everywhere */
  assert_int_equal(privacy_kanon_query(kn, &q, &a, &e), ERR_OK);
  assert_int_equal(a.total, 0);
  privacy_answer_free(&a);
  privacy_kanon_destroy(kn);
}

static void misuse_and_edges(void **state) {
  privacy_kanon *kn;
  err e = {0};
  privacy_kanon_options o = {1, true, true};
  assert_int_equal(privacy_kanon_create(&o, &kn, &e), ERR_INVALID);
  o.k = 1001;
  assert_int_equal(privacy_kanon_create(&o, &kn, &e), ERR_INVALID);
  assert_int_equal(privacy_kanon_create(NULL, &kn, &e), ERR_INVALID);
  kn = make(3, true, true);
  assert_int_equal(privacy_kanon_add(kn, "A", "x", "2025-13", &e), ERR_INVALID);
  assert_int_equal(privacy_kanon_add(kn, "A", "x", "2025-1", &e), ERR_INVALID);
  assert_int_equal(privacy_kanon_add(kn, "A", "x", "2025-01-05", &e), ERR_INVALID);
  assert_int_equal(privacy_kanon_add(kn, "A", NULL, NULL, &e), ERR_OK); /* missing: "" */
  privacy_answer a;
  privacy_query q = {(const char *[]){"A"}, 1, PRIVACY_BY_NONE, NULL};
  assert_int_equal(privacy_kanon_query(kn, &q, &a, &e), ERR_INTERNAL); /* before finish */
  privacy_answer_free(&a);
  add_n(kn, 2, "A", "", "");
  assert_int_equal(privacy_kanon_finish(kn, &e), ERR_OK);
  assert_int_equal(privacy_kanon_add(kn, "A", "x", NULL, &e), ERR_INTERNAL); /* after finish */
  assert_int_equal(privacy_kanon_finish(kn, &e), ERR_INTERNAL);
  privacy_kanon_destroy(kn);

  /* fewer than k records in the whole layer: nothing at all is published */
  kn = make(5, true, true);
  add_n(kn, 4, "A", "robo", "2025-01");
  assert_int_equal(privacy_kanon_finish(kn, &e), ERR_OK);
  privacy_kanon_stats st;
  privacy_kanon_get_stats(kn, &st);
  for (int l = 0; l < PRIVACY_N_LEVELS; l++) assert_int_equal(st.n_published[l], 0);
  privacy_kanon_destroy(kn);

  /* empty */
  kn = make(5, true, true);
  assert_int_equal(privacy_kanon_finish(kn, &e), ERR_OK);
  size_t n;
  assert_null(privacy_kanon_units(kn, PRIVACY_LEVEL_CELL, &n));
  assert_int_equal(n, 0);
  q.n_cells = 0;
  assert_int_equal(privacy_kanon_query(kn, &q, &a, &e), ERR_OK);
  assert_int_equal(a.total, 0);
  privacy_answer_free(&a);
  privacy_kanon_destroy(kn);
}

/* generalize with k: only cells are counted; a layer without categories or months. */
static void cells_only(void **state) {
  privacy_kanon *kn = make(5, false, false);
  add_n(kn, 7, "14:1:1", "ignored", "2025-01");
  add_n(kn, 3, "14:1:2", NULL, NULL);
  add_n(kn, 2, "14:1:3", NULL, NULL);
  err e = {0};
  assert_int_equal(privacy_kanon_finish(kn, &e), ERR_OK);
  assert_true(privacy_kanon_cell_published(kn, "14:1:1"));
  assert_false(privacy_kanon_cell_published(kn, "14:1:2"));
  size_t n;
  privacy_kanon_units(kn, PRIVACY_LEVEL_CELL_CATEGORY, &n);
  assert_int_equal(n, 0);
  privacy_kanon_units(kn, PRIVACY_LEVEL_CELL_MONTH, &n);
  assert_int_equal(n, 0);
  privacy_kanon_stats st;
  privacy_kanon_get_stats(kn, &st);
  assert_int_equal(st.n_suppressed_records, 5);
  privacy_kanon_destroy(kn);

  /* months without categories: months hang directly under the cell, with their own remainder */
  kn = make(3, false, true);
  add_n(kn, 5, "c", NULL, "2025-01");
  add_n(kn, 4, "c", NULL, "2025-02");
  add_n(kn, 1, "c", NULL, "2025-03");
  assert_int_equal(privacy_kanon_finish(kn, &e), ERR_OK);
  const privacy_unit *u = privacy_kanon_units(kn, PRIVACY_LEVEL_CELL_MONTH, &n);
  assert_int_equal(n, 1); /* 2025-03 (1) withholds 2025-02 (4) too: 5 withheld together */
  unit_is(&u[0], "c", "", "2025-01", 5);
  privacy_kanon_destroy(kn);
}

/* Thousands of distinct cells, categories and months: the interned tables grow and are rehashed
 * after sorting, and every cell is still found. */
static void many_cells(void **state) {
  privacy_kanon *kn = make(2, true, true);
  char cell[32], cat[32], month[8];
  for (int i = 0; i < 30000; i++) {
    snprintf(cell, sizeof cell, "14:%d:%d", i % 3001, i % 7);
    snprintf(cat, sizeof cat, "categoría %d", i % 97);
    snprintf(month, sizeof month, "%04d-%02d", 1990 + i % 37, 1 + i % 12);
    add_n(kn, 1, cell, cat, month);
  }
  err e = {0};
  assert_int_equal(privacy_kanon_finish(kn, &e), ERR_OK);
  privacy_kanon_stats st;
  privacy_kanon_get_stats(kn, &st);
  size_t n;
  const privacy_unit *u = privacy_kanon_units(kn, PRIVACY_LEVEL_CELL, &n);
  int64_t published = 0;
  const char **cells = malloc(n * sizeof *cells);
  for (size_t i = 0; i < n; i++) {
    published += u[i].count;
    cells[i] = u[i].cell;
    assert_true(privacy_kanon_cell_published(kn, u[i].cell));
    if (i) assert_true(strcmp(u[i - 1].cell, u[i].cell) < 0);
  }
  assert_int_equal(published + st.n_suppressed_records, 30000);
  assert_true(n > 3000);
  privacy_query q = {cells, n, PRIVACY_BY_NONE, NULL};
  privacy_answer a;
  assert_int_equal(privacy_kanon_query(kn, &q, &a, &e), ERR_OK);
  assert_int_equal(a.total, published);
  privacy_answer_free(&a);
  free(cells);
  privacy_kanon_destroy(kn);
}

/* ---- the property test ------------------------------------------------------------------------ */

enum { W = 8, H = 8, N_CATS = 4, N_MONTHS = 6 };

static uint64_t rng_next(uint64_t *s) {
  *s ^= *s << 13;
  *s ^= *s >> 7;
  *s ^= *s << 17;
  return *s;
}
static int rng_int(uint64_t *s, int n) { return (int)(rng_next(s) % (uint64_t)n); }

static const char *const CATS[N_CATS] = {"robo", "riña", "lesiones", "daño"};
static const char *const MONTHS[N_MONTHS] = {"2025-01", "2025-02", "2025-03",
                                             "2025-04", "2025-05", "2025-06"};
static char cell_names[W * H][8];

/* Raw counts of one random layer, kept by the test to check the published units against. */
typedef struct layer {
  int64_t raw[W * H][N_CATS][N_MONTHS];
  int64_t unassigned, k;
} layer;

static int cat_index(const char *c) {
  for (int i = 0; i < N_CATS; i++)
    if (strcmp(CATS[i], c) == 0) return i;
  return -1;
}
static int month_index(const char *m) {
  for (int i = 0; i < N_MONTHS; i++)
    if (strcmp(MONTHS[i], m) == 0) return i;
  return -1;
}
static int cell_index(const char *c) { return atoi(c + 1); }

static bool ok_count(int64_t v, int64_t k) { return v == 0 || v >= k; }

/* Published values indexed like the raw ones; 0 when withheld. */
typedef struct published {
  int64_t cell[W * H], cat[W * H][N_CATS], leaf[W * H][N_CATS][N_MONTHS], month[W * H][N_MONTHS];
} published;

static void read_published(const privacy_kanon *kn, published *p, int64_t k) {
  memset(p, 0, sizeof *p);
  for (int l = 0; l < PRIVACY_N_LEVELS; l++) {
    size_t n;
    const privacy_unit *u = privacy_kanon_units(kn, (privacy_level)l, &n);
    for (size_t i = 0; i < n; i++) {
      if (u[i].count < k) fail_msg("published unit below k: %lld < %lld", (long long)u[i].count, (long long)k);
      int c = cell_index(u[i].cell);
      if (l == PRIVACY_LEVEL_CELL) p->cell[c] = u[i].count;
      if (l == PRIVACY_LEVEL_CELL_CATEGORY) p->cat[c][cat_index(u[i].category)] = u[i].count;
      if (l == PRIVACY_LEVEL_CELL_MONTH) p->month[c][month_index(u[i].month)] = u[i].count;
      if (l == PRIVACY_LEVEL_CELL_CATEGORY_MONTH)
        p->leaf[c][cat_index(u[i].category)][month_index(u[i].month)] = u[i].count;
    }
  }
}

/* What a parent holds beyond its published children is 0 or >= k, a published value is the raw
 * one, and a withheld parent has no published child. */
static void check_tree(const layer *L, const published *p) {
  int64_t k = L->k, total = L->unassigned, cells = 0;
  for (int c = 0; c < W * H; c++) {
    int64_t raw_c = 0, cats = 0, months = 0;
    for (int a = 0; a < N_CATS; a++) {
      int64_t raw_a = 0, leaves = 0;
      for (int m = 0; m < N_MONTHS; m++) {
        raw_a += L->raw[c][a][m];
        leaves += p->leaf[c][a][m];
        assert_true(p->leaf[c][a][m] == 0 || p->leaf[c][a][m] == L->raw[c][a][m]);
        if (p->leaf[c][a][m]) assert_true(p->cat[c][a] > 0);
      }
      raw_c += raw_a;
      cats += p->cat[c][a];
      assert_true(p->cat[c][a] == 0 || p->cat[c][a] == raw_a);
      if (p->cat[c][a]) {
        assert_true(p->cell[c] > 0);
        assert_true(ok_count(p->cat[c][a] - leaves, k));
      }
    }
    for (int m = 0; m < N_MONTHS; m++) {
      int64_t sum = 0;
      for (int a = 0; a < N_CATS; a++) sum += p->leaf[c][a][m];
      assert_int_equal(p->month[c][m], sum); /* derived from published leaves only */
      months += p->month[c][m];
    }
    total += raw_c;
    cells += p->cell[c];
    assert_true(p->cell[c] == 0 || p->cell[c] == raw_c);
    if (p->cell[c]) {
      assert_true(ok_count(p->cell[c] - cats, k));
      assert_true(ok_count(p->cell[c] - months, k));
    }
  }
  if (total >= k) assert_true(ok_count(total - cells, k));
}

static void random_layer(uint64_t *rng, layer *L, privacy_kanon **out) {
  static const int64_t KS[] = {2, 3, 5, 10};
  memset(L, 0, sizeof *L);
  L->k = KS[rng_int(rng, 4)];
  *out = make(L->k, true, true);
  int n = 50 + rng_int(rng, 1500);
  /* skewed: hot cells near one corner, categories and months unevenly */
  for (int i = 0; i < n; i++) {
    int x = rng_int(rng, W), y = rng_int(rng, H);
    if (rng_int(rng, 3)) x /= 2, y /= 2;
    int c = y * W + x, a = rng_int(rng, 2) ? 0 : rng_int(rng, N_CATS), m = rng_int(rng, N_MONTHS);
    if (rng_int(rng, 100) == 0) {
      add_n(*out, 1, NULL, CATS[a], MONTHS[m]);
      L->unassigned++;
      continue;
    }
    add_n(*out, 1, cell_names[c], CATS[a], MONTHS[m]);
    L->raw[c][a][m]++;
  }
  err e = {0};
  assert_int_equal(privacy_kanon_finish(*out, &e), ERR_OK);
}

/* Cells of the rectangle [x0, x1) × [y0, y1). */
static size_t rect(int x0, int y0, int x1, int y1, const char **out) {
  size_t n = 0;
  for (int y = y0; y < y1; y++)
    for (int x = x0; x < x1; x++) out[n++] = cell_names[y * W + x];
  return n;
}

/* One query's answer as a flat vector: [0] total, then one slot per category or month. */
static void answer_vec(const privacy_kanon *kn, const char **cells, size_t n, privacy_group_by by,
                       const char *cat, int64_t out[1 + N_MONTHS]) {
  privacy_query q = {cells, n, by, cat};
  privacy_answer a;
  err e = {0};
  assert_int_equal(privacy_kanon_query(kn, &q, &a, &e), ERR_OK);
  memset(out, 0, sizeof(int64_t) * (1 + N_MONTHS));
  out[0] = a.total;
  int64_t sum = 0;
  for (size_t g = 0; g < a.n_groups; g++) {
    int i = by == PRIVACY_BY_CATEGORY ? cat_index(a.groups[g].key) : month_index(a.groups[g].key);
    assert_true(i >= 0);
    out[1 + i] = a.groups[g].count;
    sum += a.groups[g].count;
  }
  if (by != PRIVACY_BY_NONE) assert_int_equal(sum, a.total);
  privacy_answer_free(&a);
}

/* Every query shape the API offers: by none/category/month, with no filter or each category. */
enum { N_SHAPES = 3 * (1 + N_CATS) };
static void all_answers(const privacy_kanon *kn, const char **cells, size_t n,
                        int64_t out[N_SHAPES][1 + N_MONTHS]) {
  for (int by = 0; by < 3; by++)
    for (int f = 0; f <= N_CATS; f++)
      answer_vec(kn, cells, n, (privacy_group_by)by, f ? CATS[f - 1] : NULL, out[by * (1 + N_CATS) + f]);
}

static void check_answers(const int64_t v[N_SHAPES][1 + N_MONTHS], int64_t k) {
  for (int s = 0; s < N_SHAPES; s++)
    for (int i = 0; i < 1 + N_MONTHS; i++)
      if (!ok_count(v[s][i], k)) fail_msg("answer %lld below k %lld", (long long)v[s][i], (long long)k);
  /* the same cells through different levels: totals minus group sums are remainders */
  const int64_t *none = v[0], *by_cat = v[1 + N_CATS], *by_month = v[2 * (1 + N_CATS)];
  int64_t cats = 0, months = 0;
  for (int i = 1; i <= N_MONTHS; i++) cats += by_cat[i], months += by_month[i];
  assert_true(ok_count(none[0] - cats, k));
  assert_true(ok_count(none[0] - months, k));
  for (int a = 0; a < N_CATS; a++) {
    const int64_t *cat_total = v[1 + a], *cat_months = v[2 * (1 + N_CATS) + 1 + a];
    assert_int_equal(cat_total[0], by_cat[1 + a]); /* filter and group agree */
    int64_t sum = 0;
    for (int i = 1; i <= N_MONTHS; i++) sum += cat_months[i];
    assert_true(ok_count(cat_total[0] - sum, k));
  }
}

/* Two answers over nested cell sets: every difference is a sum of published units, 0 or >= k. */
static void check_nested(const int64_t big[N_SHAPES][1 + N_MONTHS],
                         const int64_t small[N_SHAPES][1 + N_MONTHS], int64_t k) {
  for (int s = 0; s < N_SHAPES; s++)
    for (int i = 0; i < 1 + N_MONTHS; i++) {
      int64_t d = big[s][i] - small[s][i];
      if (d < 0 || !ok_count(d, k)) fail_msg("difference %lld (k %lld)", (long long)d, (long long)k);
    }
}

static void no_count_below_k_from_any_answer_or_difference(void **state) {
  uint64_t rng = 0xC0FFEEu;
  for (int c = 0; c < W * H; c++) snprintf(cell_names[c], sizeof cell_names[c], "c%d", c);
  static layer L;
  static published P;
  int64_t pub_levels[PRIVACY_N_LEVELS] = {0}, withheld_small = 0;
  for (int trial = 0; trial < 60; trial++) {
    privacy_kanon *kn;
    random_layer(&rng, &L, &kn);
    read_published(kn, &P, L.k);
    check_tree(&L, &P);
    privacy_kanon_stats st;
    privacy_kanon_get_stats(kn, &st);
    for (int l = 0; l < PRIVACY_N_LEVELS; l++) pub_levels[l] += st.n_published[l];
    for (int c = 0; c < W * H; c++)
      for (int a = 0; a < N_CATS; a++)
        for (int m = 0; m < N_MONTHS; m++)
          withheld_small += L.raw[c][a][m] > 0 && L.raw[c][a][m] < L.k;
    static int64_t va[N_SHAPES][1 + N_MONTHS], vb[N_SHAPES][1 + N_MONTHS], vu[N_SHAPES][1 + N_MONTHS];
    const char *ca[W * H + 1], *cb[W * H + 1];
    for (int pair = 0; pair < 40; pair++) {
      /* two random overlapping rectangles (bboxes) */
      int x0 = rng_int(&rng, W), y0 = rng_int(&rng, H);
      int x1 = x0 + 1 + rng_int(&rng, W - x0), y1 = y0 + 1 + rng_int(&rng, H - y0);
      int u0 = rng_int(&rng, x1), v0 = rng_int(&rng, y1);
      int u1 = (u0 > x0 ? u0 : x0) + 1 + rng_int(&rng, W - (u0 > x0 ? u0 : x0));
      int v1 = (v0 > y0 ? v0 : y0) + 1 + rng_int(&rng, H - (v0 > y0 ? v0 : y0));
      size_t na = rect(x0, y0, x1, y1, ca), nb = rect(u0, v0, u1, v1, cb);
      all_answers(kn, ca, na, va);
      all_answers(kn, cb, nb, vb);
      check_answers(va, L.k);
      check_answers(vb, L.k);
      /* A ∪ B against each, and A ∩ B against each: nested pairs over overlapping bboxes */
      const char *cu[2 * W * H], *ci[W * H];
      size_t nu = 0, ni = 0;
      for (size_t i = 0; i < na; i++) cu[nu++] = ca[i];
      for (size_t i = 0; i < nb; i++) cu[nu++] = cb[i]; /* duplicates count once */
      for (size_t i = 0; i < na; i++)
        for (size_t j = 0; j < nb; j++)
          if (ca[i] == cb[j]) ci[ni++] = ca[i];
      static int64_t vi[N_SHAPES][1 + N_MONTHS];
      all_answers(kn, cu, nu, vu);
      all_answers(kn, ci, ni, vi);
      check_answers(vu, L.k);
      check_answers(vi, L.k);
      check_nested(vu, va, L.k);
      check_nested(vu, vb, L.k);
      check_nested(va, vi, L.k);
      check_nested(vb, vi, L.k);
      /* A plus one more cell: the difference is exactly that cell's published unit */
      int extra = rng_int(&rng, W * H);
      ca[na] = cell_names[extra];
      all_answers(kn, ca, na + 1, vu);
      check_nested(vu, va, L.k);
      for (size_t i = 0; i < na; i++)
        if (ca[i] == ca[na]) assert_int_equal(vu[0][0], va[0][0]);
    }
    privacy_kanon_destroy(kn);
  }
  /* not vacuous: many small counts were there to hide, and every level still publishes */
  assert_true(withheld_small > 1000);
  for (int l = 0; l < PRIVACY_N_LEVELS; l++) assert_true(pub_levels[l] > 50);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(worked_example),
      cmocka_unit_test(misuse_and_edges),
      cmocka_unit_test(cells_only),
      cmocka_unit_test(many_cells),
      cmocka_unit_test(no_count_below_k_from_any_answer_or_difference),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
