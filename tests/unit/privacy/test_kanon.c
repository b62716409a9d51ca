/* k-anonymous counts at several resolutions: a worked example, the edges of the interface, then a
 * property test over many random small grids (2 × 2 blocks of cells up to a root): every
 * published unit holds >= k; in every relation (spatial, category, month) a published parent
 * minus its published children is 0 or >= k and a withheld parent has no published child; every
 * answer over a box is made of published units; answer + withheld records == the true count of
 * the cover's published nodes, for every grouping; and, exhaustively over pairs of nested boxes,
 * every per-group difference is 0 or >= k. */
#include <math.h>

#include "check.h"
#include "privacy/kanon.h"

static privacy_kanon *make_top(int64_t k, bool cats, bool months, privacy_parent_fn parent,
                               int top_nodes) {
  privacy_kanon *kn;
  err e = {0};
  privacy_kanon_options o = {k, cats, months, parent, NULL, top_nodes};
  if (privacy_kanon_create(&o, &kn, &e) != ERR_OK) fail_msg("%s", e.msg);
  return kn;
}

static privacy_kanon *make(int64_t k, bool cats, bool months, privacy_parent_fn parent) {
  return make_top(k, cats, months, parent, 0);
}

static void add_n(privacy_kanon *kn, int n, const char *cell, const char *cat, const char *month) {
  err e = {0};
  for (int i = 0; i < n; i++)
    if (privacy_kanon_add(kn, cell, cat, month, &e) != ERR_OK) fail_msg("%s", e.msg);
}

static privacy_answer ask(const privacy_kanon *kn, privacy_group_by by, const char *cat,
                          const char *const *nodes, size_t n) {
  privacy_query q = {by, cat};
  privacy_answer a;
  err e = {0};
  if (privacy_kanon_query(kn, &q, nodes, n, &a, &e) != ERR_OK) fail_msg("%s", e.msg);
  return a;
}

/* k = 5, cells directly under the root. C (3) and the record outside every cell (1) hold 4 < 5
 * together at the root, so the smallest published cell, B (10), is withheld with all it holds. */
static void worked_example(void **state) {
  (void)state;
  privacy_kanon *kn = make(5, true, true, NULL);
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
  assert_true(privacy_kanon_cell_published(kn, "A"));
  assert_false(privacy_kanon_cell_published(kn, "B"));
  assert_false(privacy_kanon_cell_published(kn, "C"));
  assert_true(privacy_kanon_cell_published(kn, "D"));
  assert_false(privacy_kanon_cell_published(kn, "nowhere"));
  privacy_kanon_stats st;
  privacy_kanon_get_stats(kn, &st);
  assert_int_equal(st.n_records, 42);
  assert_int_equal(st.n_unassigned, 1);
  assert_int_equal(st.n_suppressed_records, 14); /* B, C and the unassigned record */
  assert_int_equal(st.n_tiers, 1);

  /* the root counts every record, the record outside every cell too */
  const char *root[] = {PRIVACY_ROOT_KEY};
  privacy_answer a = ask(kn, PRIVACY_BY_NONE, NULL, root, 1);
  assert_int_equal(a.total, 42);
  privacy_answer_free(&a);
  a = ask(kn, PRIVACY_BY_CATEGORY, NULL, root, 1);
  /* lesiones (2) is withheld at the root too, and riña (17, the smaller) with it */
  assert_int_equal(a.n_groups, 1);
  assert_string_equal(a.groups[0].key, "robo");
  assert_int_equal(a.groups[0].count, 23);
  assert_int_equal(a.base - a.total, 19);
  assert_int_equal(a.suppressed_groups, 2);
  privacy_answer_free(&a);

  /* cells A, B, D (A twice, an unknown cell): B's records are in no figure */
  const char *cells[] = {"A", "B", "D", "A", "zzz"};
  a = ask(kn, PRIVACY_BY_NONE, NULL, cells, 5);
  assert_int_equal(a.total, 28);
  assert_int_equal(a.hidden_nodes, 1);
  privacy_answer_free(&a);
  a = ask(kn, PRIVACY_BY_MONTH, "robo", cells, 5);
  /* A's robo by month: 2025-01 (6) only; 2025-02 (5) hides B's (4) at the root */
  assert_int_equal(a.total, 6);
  assert_int_equal(a.n_groups, 1);
  assert_int_equal(a.base - a.total, 5);
  privacy_answer_free(&a);
  a = ask(kn, PRIVACY_BY_NONE, "lesiones", cells, 5); /* withheld everywhere */
  assert_int_equal(a.total, 0);
  privacy_answer_free(&a);
  privacy_kanon_destroy(kn);
}

static void misuse_and_edges(void **state) {
  (void)state;
  privacy_kanon *kn;
  err e = {0};
  privacy_kanon_options o = {1, true, true, NULL, NULL, 0};
  assert_int_equal(privacy_kanon_create(&o, &kn, &e), ERR_INVALID);
  o.k = 1001;
  assert_int_equal(privacy_kanon_create(&o, &kn, &e), ERR_INVALID);
  assert_int_equal(privacy_kanon_create(NULL, &kn, &e), ERR_INVALID);
  kn = make(3, true, true, NULL);
  assert_int_equal(privacy_kanon_add(kn, "A", "x", "2025-13", &e), ERR_INVALID);
  assert_int_equal(privacy_kanon_add(kn, "A", "x", "2025-1", &e), ERR_INVALID);
  assert_int_equal(privacy_kanon_add(kn, "A", NULL, NULL, &e), ERR_OK);
  privacy_answer a;
  privacy_query q = {PRIVACY_BY_NONE, NULL};
  const char *one[] = {"A"};
  assert_int_equal(privacy_kanon_query(kn, &q, one, 1, &a, &e), ERR_INTERNAL); /* before finish */
  privacy_answer_free(&a);
  add_n(kn, 2, "A", "", "");
  assert_int_equal(privacy_kanon_finish(kn, &e), ERR_OK);
  assert_int_equal(privacy_kanon_add(kn, "A", "x", NULL, &e), ERR_INTERNAL); /* after finish */
  assert_int_equal(privacy_kanon_finish(kn, &e), ERR_INTERNAL);
  privacy_kanon_destroy(kn);

  /* empty */
  kn = make(5, true, true, NULL);
  assert_int_equal(privacy_kanon_finish(kn, &e), ERR_OK);
  size_t n;
  assert_null(privacy_kanon_nodes(kn, &n));
  assert_int_equal(n, 0);
  assert_int_equal(privacy_kanon_query(kn, &q, one, 1, &a, &e), ERR_OK);
  assert_int_equal(a.total, 0);
  privacy_answer_free(&a);
  privacy_kanon_destroy(kn);

  /* generalize with k: cells only */
  kn = make(5, false, false, NULL);
  add_n(kn, 7, "14:1:1", "ignored", "2025-01");
  add_n(kn, 3, "14:1:2", NULL, NULL);
  add_n(kn, 2, "14:1:3", NULL, NULL);
  assert_int_equal(privacy_kanon_finish(kn, &e), ERR_OK);
  assert_true(privacy_kanon_cell_published(kn, "14:1:1"));
  assert_false(privacy_kanon_cell_published(kn, "14:1:2"));
  privacy_kanon_stats st;
  privacy_kanon_get_stats(kn, &st);
  assert_int_equal(st.n_suppressed_records, 5);
  assert_int_equal(st.n_published[1] + st.n_published[2] + st.n_published[3], 0);
  privacy_kanon_destroy(kn);
}

/* ---- the property test over random grids --------------------------------------------------- */

enum { W = 8, H = 8, N_CATS = 3, N_MONTHS = 4, MAX_NODES = 256 };

static const char *const CATS[N_CATS] = {"robo", "riña", "daño"};
static const char *const MONTHS[N_MONTHS] = {"2025-01", "2025-02", "2025-03", "2025-04"};

static uint64_t rng_next(uint64_t *s) {
  *s ^= *s << 13;
  *s ^= *s >> 7;
  *s ^= *s << 17;
  return *s;
}
static double rng_unit(uint64_t *s) { return (double)(rng_next(s) >> 11) / 9007199254740992.0; }

/* Cells "x:y"; a block of tier t "t/x:y" with x, y divided by 2^t. */
static bool block_parent(void *ctx, const char *node, int tier, char out[PRIVACY_NODE_KEY_MAX]) {
  (void)ctx;
  int t, x, y;
  if (tier == 0 ? sscanf(node, "%d:%d", &x, &y) != 2 : sscanf(node, "%d/%d:%d", &t, &x, &y) != 3)
    return false;
  snprintf(out, PRIVACY_NODE_KEY_MAX, "%d/%d:%d", tier + 1, x / 2, y / 2);
  return true;
}

typedef struct world {
  int64_t raw[W][H][N_CATS][N_MONTHS];
  int64_t k;
  privacy_kanon *kn;
  const privacy_node *nodes;
  size_t n_nodes;
  double box[MAX_NODES][4];
  int64_t truth[MAX_NODES][1 + N_CATS + N_MONTHS]; /* total, by category, by month */
} world;

static void cell_xy(const world *w, size_t i, int *x, int *y) {
  const privacy_node *n = &w->nodes[i];
  while (n->tier > 0) { /* any cell below: the first child found */
    size_t c = 0;
    while (w->nodes[c].parent != n - w->nodes) c++;
    n = &w->nodes[c];
  }
  if (sscanf(n->key, "%d:%d", x, y) != 2) fail_msg("cell %s", n->key);
}

/* Boxes (the union of the cells' unit squares) and true counts of every node. */
static void node_truth(world *w) {
  for (size_t i = 0; i < w->n_nodes; i++) {
    w->box[i][0] = w->box[i][1] = INFINITY;
    w->box[i][2] = w->box[i][3] = -INFINITY;
    memset(w->truth[i], 0, sizeof w->truth[i]);
  }
  for (size_t i = 0; i < w->n_nodes; i++) {
    const privacy_node *n = &w->nodes[i];
    if (n->tier == 0) {
      int x, y;
      cell_xy(w, i, &x, &y);
      double b[4] = {x, y, x + 1, y + 1};
      memcpy(w->box[i], b, sizeof b);
      for (int c = 0; c < N_CATS; c++)
        for (int m = 0; m < N_MONTHS; m++) {
          int64_t v = w->raw[x][y][c][m];
          w->truth[i][0] += v;
          w->truth[i][1 + c] += v;
          w->truth[i][1 + N_CATS + m] += v;
        }
    }
    if (n->parent < 0) continue;
    double *p = w->box[n->parent];
    p[0] = fmin(p[0], w->box[i][0]), p[1] = fmin(p[1], w->box[i][1]);
    p[2] = fmax(p[2], w->box[i][2]), p[3] = fmax(p[3], w->box[i][3]);
    for (int g = 0; g < 1 + N_CATS + N_MONTHS; g++) w->truth[n->parent][g] += w->truth[i][g];
  }
}

/* Every relation: a published parent minus its published children is 0 or >= k; a withheld
 * parent has no published child; a published unit is >= k and exact. */
static void check_relations(const world *w) {
  size_t n_units = w->nodes[w->n_nodes - 1].first_unit + w->nodes[w->n_nodes - 1].n_units;
  privacy_unit *u = malloc(n_units * sizeof *u);
  for (size_t i = 0; i < n_units; i++) privacy_kanon_unit(w->kn, i, &u[i]);
  for (size_t i = 0; i < n_units; i++) {
    if (u[i].published && u[i].count < w->k) fail_msg("published %lld < k", (long long)u[i].count);
    const privacy_node *pn = privacy_kanon_node(w->kn, u[i].node);
    for (int kind = 0; kind < 3; kind++) {
      int64_t withheld = 0;
      bool any_published = false, any = false;
      for (size_t j = 0; j < n_units; j++) {
        const privacy_node *cn = privacy_kanon_node(w->kn, u[j].node);
        bool child;
        if (kind == 0)
          child = cn->parent == pn - w->nodes && u[j].level == u[i].level &&
                  !strcmp(u[j].category, u[i].category) && !strcmp(u[j].month, u[i].month);
        else if (kind == 1)
          child = cn == pn && !u[i].category[0] && (u[j].level & 1) &&
                  (u[j].level & 2) == (u[i].level & 2) && !strcmp(u[j].month, u[i].month);
        else
          child = cn == pn && !u[i].month[0] && (u[j].level & 2) &&
                  (u[j].level & 1) == (u[i].level & 1) && !strcmp(u[j].category, u[i].category);
        if (!child) continue;
        any = true;
        if (u[j].published) any_published = true;
        else withheld += u[j].count;
      }
      if (!any) continue;
      if (!u[i].published && any_published) fail_msg("withheld parent with a published child");
      if (u[i].published && withheld > 0 && withheld < w->k)
        fail_msg("relation %d of %s remainder %lld < k", kind, u[i].node, (long long)withheld);
    }
  }
  free(u);
}

/* The answers to a box, per grouping: [0] total, [1..] by category, then by month. */
typedef struct box_answer {
  int64_t v[1 + N_CATS + N_MONTHS];
  int64_t withheld[3];    /* base - total: by none, by category, by month */
  int64_t truth_visible;  /* true records of the cover's published nodes */
} box_answer;

static void answer_box(const world *w, const double *b, box_answer *out) {
  const char *keys[MAX_NODES];
  size_t n = 0;
  memset(out, 0, sizeof *out);
  for (size_t i = 0; i < w->n_nodes; i++) {
    const privacy_node *nd = &w->nodes[i];
    if (!nd->key[0]) continue; /* outside every cell: in no box */
    const double *pb = nd->parent >= 0 ? w->box[nd->parent] : NULL;
    if (!privacy_cover_takes(b, w->box[i], pb, nd->tier)) continue;
    keys[n++] = nd->key;
    if (nd->published) out->truth_visible += w->truth[i][0];
  }
  const privacy_group_by by[3] = {PRIVACY_BY_NONE, PRIVACY_BY_CATEGORY, PRIVACY_BY_MONTH};
  for (int g = 0; g < 3; g++) {
    privacy_answer a = ask(w->kn, by[g], NULL, keys, n);
    if (g == 0) out->v[0] = a.total;
    for (size_t i = 0; i < a.n_groups; i++) {
      if (a.groups[i].count < w->k) fail_msg("group below k");
      for (int c = 0; g == 1 && c < N_CATS; c++)
        if (!strcmp(a.groups[i].key, CATS[c])) out->v[1 + c] = a.groups[i].count;
      for (int m = 0; g == 2 && m < N_MONTHS; m++)
        if (!strcmp(a.groups[i].key, MONTHS[m])) out->v[1 + N_CATS + m] = a.groups[i].count;
    }
    out->withheld[g] = a.base - a.total;
    if (a.base != out->truth_visible) fail_msg("base %lld != truth %lld", (long long)a.base,
                                               (long long)out->truth_visible);
    if (a.total + out->withheld[g] != out->truth_visible) fail_msg("answer + withheld != truth");
    privacy_answer_free(&a);
  }
}

static void random_box(uint64_t *s, double b[4]) {
  double x0 = rng_unit(s) * W, x1 = rng_unit(s) * W, y0 = rng_unit(s) * H, y1 = rng_unit(s) * H;
  b[0] = fmin(x0, x1), b[2] = fmax(x0, x1), b[1] = fmin(y0, y1), b[3] = fmax(y0, y1);
}

static void check_boxes(const world *w, uint64_t *s) {
  enum { N_BOXES = 60 };
  double boxes[N_BOXES][4];
  box_answer *ans = malloc(N_BOXES * sizeof *ans);
  for (int i = 0; i < N_BOXES; i++) {
    random_box(s, boxes[i]);
    if (i % 3 == 0) { /* boxes on the blocks' edges, where covers change */
      for (int j = 0; j < 4; j++) boxes[i][j] = round(boxes[i][j] / 2) * 2;
      if (boxes[i][0] >= boxes[i][2] || boxes[i][1] >= boxes[i][3]) random_box(s, boxes[i]);
    }
    answer_box(w, boxes[i], &ans[i]);
  }
  /* every pair of nested boxes: every per-group difference is 0 or >= k */
  for (int i = 0; i < N_BOXES; i++)
    for (int j = 0; j < N_BOXES; j++) {
      const double *a = boxes[i], *b = boxes[j];
      if (i == j || !(a[0] >= b[0] && a[1] >= b[1] && a[2] <= b[2] && a[3] <= b[3])) continue;
      for (int g = 0; g < 1 + N_CATS + N_MONTHS; g++) {
        int64_t d = ans[j].v[g] - ans[i].v[g];
        if (d != 0 && (d < w->k || d < 0))
          fail_msg("nested boxes differ by %lld in group %d", (long long)d, g);
      }
    }
  free(ans);
}

static void no_count_below_k_from_any_answer_or_difference(void **state) {
  (void)state;
  static world w;
  uint64_t s = 0x9e3779b97f4a7c15u;
  err e = {0};
  for (int round = 0; round < 40; round++) {
    memset(w.raw, 0, sizeof w.raw);
    w.k = 2 + (int64_t)(rng_next(&s) % 6);
    w.kn = make_top(w.k, true, true, block_parent, 1); /* 64 cells, 16 blocks, 4, 1, the root */
    int density = 1 + (int)(rng_next(&s) % 6), n_rec = 40 + (int)(rng_next(&s) % 400);
    char cell[16];
    for (int r = 0; r < n_rec; r++) {
      int x = (int)(rng_next(&s) % W), y = (int)(rng_next(&s) % (uint64_t)(H * density / 6 + 2));
      if (y >= H) y = H - 1;
      int c = (int)(rng_next(&s) % N_CATS), m = (int)(rng_next(&s) % N_MONTHS);
      snprintf(cell, sizeof cell, "%d:%d", x, y);
      add_n(w.kn, 1, cell, CATS[c], MONTHS[m]);
      w.raw[x][y][c][m]++;
    }
    assert_int_equal(privacy_kanon_finish(w.kn, &e), ERR_OK);
    w.nodes = privacy_kanon_nodes(w.kn, &w.n_nodes);
    assert_true(w.n_nodes > 0 && w.n_nodes <= MAX_NODES);
    assert_int_equal(w.nodes[w.n_nodes - 1].parent, -1); /* the root, last */
    assert_int_equal(w.nodes[w.n_nodes - 1].tier, 4);
    node_truth(&w);
    check_relations(&w);
    check_boxes(&w, &s);
    privacy_kanon_destroy(w.kn);
  }
}

/* A grid with more than 64 cells gets tiers: blocks of 2 × 2, 4 × 4 … up to at most 64 nodes. */
static void tiers_of_a_large_grid(void **state) {
  (void)state;
  privacy_kanon *kn = make(3, false, true, block_parent);
  char cell[32];
  for (int x = 0; x < 40; x++)
    for (int y = 0; y < 40; y++) {
      snprintf(cell, sizeof cell, "%d:%d", x, y);
      add_n(kn, 1 + (x * y) % 4, cell, NULL, (x + y) % 2 ? "2025-01" : "2025-02");
    }
  err e = {0};
  assert_int_equal(privacy_kanon_finish(kn, &e), ERR_OK);
  privacy_kanon_stats st;
  privacy_kanon_get_stats(kn, &st);
  assert_int_equal(st.n_tiers, 4); /* 1,600 cells, 400, 100, then 25 blocks of 8 × 8 */
  const privacy_node *top = privacy_kanon_node(kn, "3/0:0");
  assert_non_null(top);
  assert_int_equal(top->tier, 3);
  const privacy_node *root = privacy_kanon_node(kn, PRIVACY_ROOT_KEY);
  assert_true(root && root->tier == 4 && root->published);
  privacy_kanon_destroy(kn);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(worked_example),
      cmocka_unit_test(misuse_and_edges),
      cmocka_unit_test(tiers_of_a_large_grid),
      cmocka_unit_test(no_count_below_k_from_any_answer_or_difference),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
