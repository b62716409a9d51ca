/* kanon.c — building the published units of an aggregate layer (rules and argument in kanon.h).
 *
 * Records are stored as three interned ids (12 bytes each: a million incidents take 12 MB), the
 * strings once in an arena. finish() sorts the strings, renumbers the ids by rank so sorting the
 * records sorts them by (cell, category, month) text, builds the tree in one pass, applies the
 * suppression rules top-down, then lays out the published units of each level in cell order with
 * per-cell ranges, so a query touches only the cells it names. */
#include "core/hash.h"
#include "privacy/kanon_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "privacy/policy.h"

/* ---- interned strings -------------------------------------------------------------------- */

static uint64_t hash_str(const char *s) { return hash_mix64(hash_fnv64_str(HASH_FNV64_SEED, s)); }

/* Rehashes into at least twice as many slots as ids (+1), so probing always meets an empty slot. */
static bool strtab_grow(strtab *t) {
  uint64_t n_slots = t->n_slots ? (uint64_t)t->n_slots * 2 : 64;
  while (n_slots < 2 * ((uint64_t)t->n + 1)) n_slots *= 2;
  if (n_slots > UINT32_MAX / 2 + 1) return false;
  uint32_t *slots = malloc(n_slots * sizeof *slots);
  if (!slots) return false;
  memset(slots, 0xff, n_slots * sizeof *slots);
  for (uint32_t id = 0; id < t->n; id++) {
    uint32_t s = (uint32_t)(hash_str(t->s[id]) & (n_slots - 1));
    while (slots[s] != KANON_NONE) s = (uint32_t)((s + 1) & (n_slots - 1));
    slots[s] = id;
  }
  free(t->slots);
  t->slots = slots;
  t->n_slots = (uint32_t)n_slots;
  return true;
}

uint32_t kanon_strtab_find(const strtab *t, const char *s) {
  if (!t->n_slots) return KANON_NONE;
  for (uint32_t k = (uint32_t)hash_str(s) & (t->n_slots - 1);; k = (k + 1) & (t->n_slots - 1)) {
    uint32_t id = t->slots[k];
    if (id == KANON_NONE || strcmp(t->s[id], s) == 0) return id;
  }
}

/* The id of s, added when new; KANON_NONE when memory runs out. */
static uint32_t strtab_intern(strtab *t, arena *a, const char *s) {
  uint32_t id = kanon_strtab_find(t, s);
  if (id != KANON_NONE) return id;
  if (t->n >= KANON_NONE - 1) return KANON_NONE;
  if (2 * ((uint64_t)t->n + 1) > t->n_slots && !strtab_grow(t)) return KANON_NONE;
  if (t->n == t->cap) {
    uint32_t cap = t->cap ? t->cap * 2 : 64;
    char **v = realloc(t->s, cap * sizeof *v);
    if (!v) return KANON_NONE;
    t->s = v;
    t->cap = cap;
  }
  char *copy = arena_strdup(a, s);
  if (!copy) return KANON_NONE;
  id = t->n++;
  t->s[id] = copy;
  uint32_t k = (uint32_t)hash_str(s) & (t->n_slots - 1);
  while (t->slots[k] != KANON_NONE) k = (k + 1) & (t->n_slots - 1);
  t->slots[k] = id;
  return id;
}

static int cmp_str_ptr(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorts the strings; out_rank[id] is the new position of old id. The hash is rebuilt. */
static bool strtab_sort(strtab *t, uint32_t **out_rank) {
  uint32_t *rank = malloc((t->n ? t->n : 1) * sizeof *rank);
  char **old = malloc((t->n ? t->n : 1) * sizeof *old);
  if (!rank || !old) {
    free(rank);
    free(old);
    return false;
  }
  if (t->n) { /* t->s is NULL for a table that stayed empty */
    memcpy(old, t->s, t->n * sizeof *old);
    qsort(t->s, t->n, sizeof *t->s, cmp_str_ptr);
  }
  /* the arena copies are distinct strings: find each old pointer's new place by its text */
  for (uint32_t id = 0; id < t->n; id++) {
    char **hit = bsearch(&old[id], t->s, t->n, sizeof *t->s, cmp_str_ptr);
    rank[id] = (uint32_t)(hit - t->s);
  }
  free(old);
  t->n_slots = 0;
  free(t->slots);
  t->slots = NULL;
  if (!strtab_grow(t)) { /* the ids changed: hash them again */
    free(rank);
    return false;
  }
  *out_rank = rank;
  return true;
}

static void strtab_free(strtab *t) {
  free(t->s);
  free(t->slots);
  memset(t, 0, sizeof *t);
}

/* ---- building ---------------------------------------------------------------------------- */

static err_code sticky(privacy_kanon *kn, err *e, err_code code, const char *msg) {
  if (kn->rc == ERR_OK) {
    kn->rc = code;
    snprintf(kn->msg, sizeof kn->msg, "%s", msg);
  }
  return err_set(e, kn->rc, "%s", kn->msg);
}

err_code privacy_kanon_create(const privacy_kanon_options *opt, privacy_kanon **out, err *e) {
  *out = NULL;
  if (!opt || opt->k < PRIVACY_K_MIN || opt->k > PRIVACY_K_MAX)
    return err_set(e, ERR_INVALID, "k-anonimato: k debe ser un entero de 2 a 1000");
  privacy_kanon *kn = calloc(1, sizeof *kn);
  if (!kn || !(kn->strings = arena_create(0))) {
    free(kn);
    return err_set(e, ERR_NOMEM, "sin memoria para los conteos de privacidad");
  }
  kn->opt = *opt;
  *out = kn;
  return ERR_OK;
}

void privacy_kanon_destroy(privacy_kanon *kn) {
  if (!kn) return;
  for (int t = 0; t < 3; t++) strtab_free(&kn->tab[t]);
  free(kn->recs);
  free(kn->cells);
  free(kn->cats);
  free(kn->leaves);
  for (int l = 0; l < PRIVACY_N_LEVELS; l++) free(kn->units[l]);
  free(kn->ranges);
  arena_destroy(kn->strings);
  free(kn);
}

static bool month_ok(const char *m) {
  if (!m || !*m) return true;
  if (strlen(m) != 7 || m[4] != '-') return false;
  for (int i = 0; i < 7; i++)
    if (i != 4 && (m[i] < '0' || m[i] > '9')) return false;
  int mo = (m[5] - '0') * 10 + (m[6] - '0');
  return mo >= 1 && mo <= 12;
}

err_code privacy_kanon_add(privacy_kanon *kn, const char *cell, const char *category,
                           const char *month, err *e) {
  if (kn->rc != ERR_OK) return err_set(e, kn->rc, "%s", kn->msg);
  if (kn->finished) return sticky(kn, e, ERR_INTERNAL, "k-anonimato: registro añadido después de finish");
  if (!month_ok(month)) return err_set(e, ERR_INVALID, "k-anonimato: mes \"%.20s\" no es AAAA-MM", month);
  kn->stats.n_records++;
  if (!cell || !*cell) {
    kn->stats.n_unassigned++;
    return ERR_OK;
  }
  if (!kn->opt.has_category) category = NULL;
  if (!kn->opt.has_month) month = NULL;
  kanon_rec r = {strtab_intern(&kn->tab[0], kn->strings, cell),
                 strtab_intern(&kn->tab[1], kn->strings, category ? category : ""),
                 strtab_intern(&kn->tab[2], kn->strings, month ? month : "")};
  if (r.cell == KANON_NONE || r.cat == KANON_NONE || r.month == KANON_NONE)
    return sticky(kn, e, ERR_NOMEM, "sin memoria para los conteos de privacidad");
  if (kn->n_recs == kn->cap_recs) {
    size_t cap = kn->cap_recs ? kn->cap_recs * 2 : 1024;
    kanon_rec *v = cap <= SIZE_MAX / sizeof *v ? realloc(kn->recs, cap * sizeof *v) : NULL;
    if (!v) return sticky(kn, e, ERR_NOMEM, "sin memoria para los conteos de privacidad");
    kn->recs = v;
    kn->cap_recs = cap;
  }
  kn->recs[kn->n_recs++] = r;
  return ERR_OK;
}

static int cmp_rec(const void *pa, const void *pb) {
  const kanon_rec *a = pa, *b = pb;
  if (a->cell != b->cell) return a->cell < b->cell ? -1 : 1;
  if (a->cat != b->cat) return a->cat < b->cat ? -1 : 1;
  return a->month < b->month ? -1 : a->month > b->month;
}

/* Renumbers every record's ids by rank and sorts the records. */
static bool sort_records(privacy_kanon *kn) {
  uint32_t *rank[3] = {NULL, NULL, NULL};
  bool ok = true;
  for (int t = 0; t < 3 && ok; t++) ok = strtab_sort(&kn->tab[t], &rank[t]);
  if (ok) {
    for (size_t i = 0; i < kn->n_recs; i++) {
      kanon_rec *r = &kn->recs[i];
      r->cell = rank[0][r->cell];
      r->cat = rank[1][r->cat];
      r->month = rank[2][r->month];
    }
    if (kn->n_recs) qsort(kn->recs, kn->n_recs, sizeof *kn->recs, cmp_rec);
  }
  for (int t = 0; t < 3; t++) free(rank[t]);
  return ok;
}

static bool push_node(kanon_node **v, size_t *n, size_t *cap, kanon_node x) {
  if (*n == *cap) {
    size_t c = *cap ? *cap * 2 : 256;
    kanon_node *p = c <= SIZE_MAX / sizeof *p ? realloc(*v, c * sizeof *p) : NULL;
    if (!p) return false;
    *v = p;
    *cap = c;
  }
  (*v)[(*n)++] = x;
  return true;
}

/* One pass over the sorted records: cells, their categories, their (category, month) leaves. */
static bool build_tree(privacy_kanon *kn) {
  size_t cap_c = 0, cap_a = 0, cap_l = 0;
  for (size_t i = 0; i < kn->n_recs; i++) {
    const kanon_rec *r = &kn->recs[i], *p = i ? &kn->recs[i - 1] : NULL;
    bool new_cell = !p || p->cell != r->cell;
    bool new_cat = new_cell || p->cat != r->cat;
    bool new_leaf = new_cat || p->month != r->month;
    if (new_cell && !push_node(&kn->cells, &kn->n_cells, &cap_c,
                               (kanon_node){r->cell, 0, 0, 0, false, (uint32_t)kn->n_cats, 0}))
      return false;
    if (new_cat) {
      if (!push_node(&kn->cats, &kn->n_cats, &cap_a,
                     (kanon_node){r->cell, r->cat, 0, 0, false, (uint32_t)kn->n_leaves, 0}))
        return false;
      kn->cells[kn->n_cells - 1].n_children++;
    }
    if (new_leaf) {
      if (!push_node(&kn->leaves, &kn->n_leaves, &cap_l,
                     (kanon_node){r->cell, r->cat, r->month, 0, false, 0, 0}))
        return false;
      kn->cats[kn->n_cats - 1].n_children++;
    }
    kn->cells[kn->n_cells - 1].count++;
    kn->cats[kn->n_cats - 1].count++;
    kn->leaves[kn->n_leaves - 1].count++;
  }
  return true;
}

/* Rules 1 to 3 of kanon.h for the children of one parent. `withheld` is what the parent already
 * withholds outside these children (records with no cell, at the root). */
static void suppress_children(kanon_node *ch, size_t n, bool parent_published, int64_t withheld,
                              int64_t k) {
  for (size_t i = 0; i < n; i++) ch[i].published = parent_published && ch[i].count >= k;
  if (!parent_published) return;
  int64_t sum = withheld;
  for (size_t i = 0; i < n; i++) sum += ch[i].published ? 0 : ch[i].count;
  while (sum > 0 && sum < k) {
    size_t pick = n;
    for (size_t i = 0; i < n; i++) /* the smallest published child; the last one on a tie */
      if (ch[i].published && (pick == n || ch[i].count <= ch[pick].count)) pick = i;
    if (pick == n) break; /* everything withheld: the whole layer has fewer than k records */
    ch[pick].published = false;
    sum += ch[pick].count;
  }
}

static void suppress(privacy_kanon *kn) {
  int64_t k = kn->opt.k;
  suppress_children(kn->cells, kn->n_cells, true, kn->stats.n_unassigned, k);
  for (size_t c = 0; c < kn->n_cells; c++) {
    const kanon_node *cell = &kn->cells[c];
    suppress_children(kn->cats + cell->first, cell->n_children, cell->published, 0, k);
  }
  for (size_t a = 0; a < kn->n_cats; a++) {
    const kanon_node *cat = &kn->cats[a];
    suppress_children(kn->leaves + cat->first, cat->n_children, cat->published, 0, k);
  }
  kn->stats.n_suppressed_records = kn->stats.n_unassigned;
  for (size_t c = 0; c < kn->n_cells; c++)
    if (!kn->cells[c].published) kn->stats.n_suppressed_records += kn->cells[c].count;
}

err_code privacy_kanon_finish(privacy_kanon *kn, err *e) {
  if (kn->rc != ERR_OK) return err_set(e, kn->rc, "%s", kn->msg);
  if (kn->finished) return sticky(kn, e, ERR_INTERNAL, "k-anonimato: finish llamado dos veces");
  kn->finished = true;
  if (!sort_records(kn) || !build_tree(kn))
    return sticky(kn, e, ERR_NOMEM, "sin memoria para los conteos de privacidad");
  free(kn->recs); /* the tree holds everything from here on */
  kn->recs = NULL;
  kn->n_recs = kn->cap_recs = 0;
  suppress(kn);
  if (!kanon_layout_units(kn)) return sticky(kn, e, ERR_NOMEM, "sin memoria para los conteos de privacidad");
  return ERR_OK;
}

void privacy_kanon_get_stats(const privacy_kanon *kn, privacy_kanon_stats *out) { *out = kn->stats; }

const privacy_unit *privacy_kanon_units(const privacy_kanon *kn, privacy_level level, size_t *out_n) {
  *out_n = level < PRIVACY_N_LEVELS ? kn->n_units[level] : 0;
  return *out_n ? kn->units[level] : NULL;
}

bool privacy_kanon_cell_published(const privacy_kanon *kn, const char *cell) {
  if (!kn->finished || kn->rc != ERR_OK || !cell) return false;
  uint32_t rank = kanon_strtab_find(&kn->tab[0], cell);
  return rank != KANON_NONE && rank < kn->n_cells && kn->cells[rank].published;
}
