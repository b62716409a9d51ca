/* kanon_answer.c — the published units laid out per level and per cell, and the answers to
 * aggregation queries, built from published units only (the argument is in kanon.h).
 *
 * The answer code is shared with the features API: the API streams stored units through
 * privacy_answer_add exactly as privacy_kanon_query does here, so the rule "which level answers
 * which query" lives in one place. */
#include <stdlib.h>
#include <string.h>

#include "privacy/kanon_int.h"

/* ---- layout ------------------------------------------------------------------------------ */

typedef struct month_part {
  uint32_t month;
  int64_t count;
  bool published;
} month_part;

static int cmp_month_part(const void *pa, const void *pb) {
  const month_part *a = pa, *b = pb;
  return a->month < b->month ? -1 : a->month > b->month;
}

static void push_unit(privacy_kanon *kn, privacy_level level, const kanon_node *n, uint32_t month,
                      int64_t count) {
  const char *const *cat = (const char *const *)kn->tab[1].s, *const *mon = (const char *const *)kn->tab[2].s;
  privacy_unit u = {level, kn->tab[0].s[n->cell], "", "", count};
  if (level == PRIVACY_LEVEL_CELL_CATEGORY || level == PRIVACY_LEVEL_CELL_CATEGORY_MONTH)
    u.category = cat[n->cat];
  if (level == PRIVACY_LEVEL_CELL_MONTH || level == PRIVACY_LEVEL_CELL_CATEGORY_MONTH)
    u.month = mon[month];
  kn->units[level][kn->n_units[level]++] = u;
  kn->stats.n_published[level]++;
}

/* (cell, month): the published leaves of the cell summed by month; withheld when none is. */
static void layout_months(privacy_kanon *kn, const kanon_node *cell, month_part *tmp) {
  size_t n = 0;
  for (uint32_t a = cell->first; a < cell->first + cell->n_children; a++) {
    const kanon_node *cat = &kn->cats[a];
    for (uint32_t l = cat->first; l < cat->first + cat->n_children; l++)
      tmp[n++] = (month_part){kn->leaves[l].month, kn->leaves[l].count, kn->leaves[l].published};
  }
  qsort(tmp, n, sizeof *tmp, cmp_month_part);
  for (size_t i = 0; i < n;) {
    size_t j = i;
    int64_t published = 0;
    for (; j < n && tmp[j].month == tmp[i].month; j++) published += tmp[j].published ? tmp[j].count : 0;
    if (published) push_unit(kn, PRIVACY_LEVEL_CELL_MONTH, cell, tmp[i].month, published);
    else kn->stats.n_suppressed[PRIVACY_LEVEL_CELL_MONTH]++;
    i = j;
  }
}

static void layout_cell(privacy_kanon *kn, const kanon_node *cell, month_part *tmp) {
  bool cats = kn->opt.has_category, months = kn->opt.has_month;
  if (cell->published) push_unit(kn, PRIVACY_LEVEL_CELL, cell, 0, cell->count);
  else kn->stats.n_suppressed[PRIVACY_LEVEL_CELL]++;
  for (uint32_t a = cell->first; cats && a < cell->first + cell->n_children; a++) {
    const kanon_node *cat = &kn->cats[a];
    if (cat->published) push_unit(kn, PRIVACY_LEVEL_CELL_CATEGORY, cat, 0, cat->count);
    else kn->stats.n_suppressed[PRIVACY_LEVEL_CELL_CATEGORY]++;
    for (uint32_t l = cat->first; months && l < cat->first + cat->n_children; l++) {
      const kanon_node *leaf = &kn->leaves[l];
      if (leaf->published)
        push_unit(kn, PRIVACY_LEVEL_CELL_CATEGORY_MONTH, leaf, leaf->month, leaf->count);
      else kn->stats.n_suppressed[PRIVACY_LEVEL_CELL_CATEGORY_MONTH]++;
    }
  }
  if (months) layout_months(kn, cell, tmp);
}

bool kanon_layout_units(privacy_kanon *kn) {
  const size_t cap[PRIVACY_N_LEVELS] = {kn->n_cells, kn->n_cats, kn->n_leaves, kn->n_leaves};
  for (int l = 0; l < PRIVACY_N_LEVELS; l++)
    if (!(kn->units[l] = malloc((cap[l] ? cap[l] : 1) * sizeof *kn->units[l]))) return false;
  kn->ranges = malloc((kn->n_cells ? kn->n_cells : 1) * sizeof *kn->ranges);
  month_part *tmp = malloc((kn->n_leaves ? kn->n_leaves : 1) * sizeof *tmp);
  if (!kn->ranges || !tmp) {
    free(tmp);
    return false;
  }
  for (size_t c = 0; c < kn->n_cells; c++) {
    for (int l = 0; l < PRIVACY_N_LEVELS; l++) kn->ranges[c].begin[l] = kn->n_units[l];
    layout_cell(kn, &kn->cells[c], tmp);
    for (int l = 0; l < PRIVACY_N_LEVELS; l++) kn->ranges[c].end[l] = kn->n_units[l];
  }
  free(tmp);
  return true;
}

/* ---- answers ----------------------------------------------------------------------------- */

privacy_level privacy_query_level(privacy_group_by by, bool filtered) {
  switch (by) {
    case PRIVACY_BY_CATEGORY: return PRIVACY_LEVEL_CELL_CATEGORY;
    case PRIVACY_BY_MONTH:
      return filtered ? PRIVACY_LEVEL_CELL_CATEGORY_MONTH : PRIVACY_LEVEL_CELL_MONTH;
    default: return filtered ? PRIVACY_LEVEL_CELL_CATEGORY : PRIVACY_LEVEL_CELL;
  }
}

void privacy_answer_init(privacy_answer *a) { memset(a, 0, sizeof *a); }

void privacy_answer_free(privacy_answer *a) {
  for (size_t i = 0; i < a->n_groups; i++) free(a->groups[i].key);
  free(a->groups);
  memset(a, 0, sizeof *a);
}

/* Index of key in the sorted groups, or where it would go (*found false). */
static size_t find_group(const privacy_answer *a, const char *key, bool *found) {
  size_t lo = 0, hi = a->n_groups;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = strcmp(a->groups[mid].key, key);
    if (c == 0) return *found = true, mid;
    if (c < 0) lo = mid + 1;
    else hi = mid;
  }
  *found = false;
  return lo;
}

bool privacy_answer_add(privacy_answer *a, const privacy_query *q, const privacy_unit *u) {
  if (a->failed) return false;
  if (u->level != privacy_query_level(q->by, q->category != NULL)) return true;
  if (q->category && strcmp(u->category, q->category) != 0) return true;
  if (q->by == PRIVACY_BY_NONE) {
    a->total += u->count;
    return true;
  }
  const char *key = q->by == PRIVACY_BY_CATEGORY ? u->category : u->month;
  bool found;
  size_t at = find_group(a, key, &found);
  if (!found) {
    if (a->n_groups == a->cap) {
      size_t cap = a->cap ? a->cap * 2 : 16;
      privacy_group *g = realloc(a->groups, cap * sizeof *g);
      if (!g) return !(a->failed = true);
      a->groups = g;
      a->cap = cap;
    }
    char *copy = strdup(key);
    if (!copy) return !(a->failed = true);
    memmove(a->groups + at + 1, a->groups + at, (a->n_groups - at) * sizeof *a->groups);
    a->groups[at] = (privacy_group){copy, 0};
    a->n_groups++;
  }
  a->groups[at].count += u->count;
  a->total += u->count;
  return true;
}

static int cmp_u32(const void *pa, const void *pb) {
  uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
  return a < b ? -1 : a > b;
}

err_code privacy_kanon_query(const privacy_kanon *kn, const privacy_query *q, privacy_answer *out,
                             err *e) {
  privacy_answer_init(out);
  if (kn->rc != ERR_OK) return err_set(e, kn->rc, "%s", kn->msg);
  if (!kn->finished) return err_set(e, ERR_INTERNAL, "k-anonimato: consulta antes de finish");
  uint32_t *ranks = malloc((q->n_cells ? q->n_cells : 1) * sizeof *ranks);
  if (!ranks) return err_set(e, ERR_NOMEM, "sin memoria para la consulta");
  size_t n = 0;
  for (size_t i = 0; i < q->n_cells; i++) {
    uint32_t r = q->cells[i] ? kanon_strtab_find(&kn->tab[0], q->cells[i]) : KANON_NONE;
    if (r != KANON_NONE) ranks[n++] = r;
  }
  qsort(ranks, n, sizeof *ranks, cmp_u32);
  privacy_level level = privacy_query_level(q->by, q->category != NULL);
  for (size_t i = 0; i < n; i++) {
    if (i && ranks[i] == ranks[i - 1]) continue; /* a cell listed twice counts once */
    const kanon_range *r = &kn->ranges[ranks[i]];
    for (size_t u = r->begin[level]; u < r->end[level]; u++)
      privacy_answer_add(out, q, &kn->units[level][u]);
  }
  free(ranks);
  return out->failed ? err_set(e, ERR_NOMEM, "sin memoria para la consulta") : ERR_OK;
}
