/* kanon_tree.c — from the records of an aggregate layer to its units at every tier, and their
 * suppression (the rules and why they suffice are in kanon.h).
 *
 * Steps: the tiers (the caller's parent function, tier by tier, then the root); the units (each
 * record counted once in every level of every node on its way to the root: records × tiers ×
 * levels hash updates, 0.3 s for the 131,141 records of the CDMX file on a 500 m grid with 8
 * tiers); the units sorted by tier, node, category and month so each node's units are one run;
 * the relations as parent → children lists; then the suppression rules over every relation, from
 * the root down, repeated until a pass changes nothing (3 to 5 passes on real data).
 *
 * What it does not do: decide which nodes a box covers or add units up (kanon_answer.c). */
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "privacy/kanon_int.h"

/* ---- tiers ------------------------------------------------------------------------------- */

#define ROOT_PENDING (KANON_NONE - 1)

/* The tiers stop at the first with at most this many nodes: the root's children. Not 1 or 4:
 * when the root (the whole area, published) has few children, secondary suppression at the root
 * must withhold a child as large as the city to hide a small one (the CDMX file has 2 records
 * geocoded 30 km out, in the State of Mexico: with 4 top nodes the 32 km block holding the city
 * was withheld with all it holds). With up to 64 (8 km blocks on a 500 m grid for CDMX), the
 * child withheld beside them is an outlying block. */
#define KANON_TOP_NODES 64

static bool node_arrays(privacy_kanon *kn, size_t *cap) {
  if (kn->tab[0].n <= *cap) return true;
  size_t c = *cap ? *cap : 256;
  while (c < kn->tab[0].n) c *= 2;
  uint32_t *p = realloc(kn->parent, c * sizeof *p);
  if (p) kn->parent = p;
  int *t = realloc(kn->tier, c * sizeof *t);
  if (t) kn->tier = t;
  if (!p || !t) return false;
  *cap = c;
  return true;
}

/* The parents of the nodes [lo, hi) of tier t: interned after hi, at tier t + 1. */
static bool tier_parents(privacy_kanon *kn, uint32_t lo, uint32_t hi, int t, size_t *cap) {
  char key[PRIVACY_NODE_KEY_MAX];
  uint32_t outside = kanon_strtab_find(&kn->tab[0], PRIVACY_OUTSIDE_KEY);
  for (uint32_t id = lo; id < hi; id++) {
    kn->parent[id] = ROOT_PENDING;
    key[0] = '\0';
    if (id == outside) continue;
    if (!kn->opt.parent(kn->opt.parent_ctx, kn->tab[0].s[id], t, key) || !key[0] ||
        strcmp(key, PRIVACY_ROOT_KEY) == 0)
      continue;
    key[PRIVACY_NODE_KEY_MAX - 1] = '\0';
    uint32_t p = kanon_strtab_intern(&kn->tab[0], kn->strings, key);
    if (p == KANON_NONE || !node_arrays(kn, cap)) return false;
    if (p < hi) continue; /* a key of an earlier tier: a parent function error; the root then */
    kn->tier[p] = t + 1;
    kn->parent[id] = p;
  }
  return true;
}

static bool build_tiers(privacy_kanon *kn) {
  size_t cap = 0;
  if (!node_arrays(kn, &cap)) return false;
  uint32_t lo = 0, hi = kn->tab[0].n;
  for (uint32_t id = 0; id < hi; id++) kn->tier[id] = 0;
  int t = 0;
  while (hi > lo) {
    uint32_t top = kn->opt.top_nodes > 0 ? (uint32_t)kn->opt.top_nodes : KANON_TOP_NODES;
    bool last = !kn->opt.parent || hi - lo <= top || t >= PRIVACY_MAX_TIERS - 1;
    if (last)
      for (uint32_t id = lo; id < hi; id++) kn->parent[id] = ROOT_PENDING;
    else if (!tier_parents(kn, lo, hi, t, &cap))
      return false;
    lo = hi;
    hi = kn->tab[0].n;
    t++;
  }
  kn->root = kanon_strtab_intern(&kn->tab[0], kn->strings, PRIVACY_ROOT_KEY);
  if (kn->root == KANON_NONE || !node_arrays(kn, &cap)) return false;
  kn->tier[kn->root] = t;
  kn->parent[kn->root] = KANON_NONE;
  kn->stats.n_tiers = t;
  for (uint32_t id = 0; id < kn->root; id++)
    if (kn->parent[id] == ROOT_PENDING) kn->parent[id] = kn->root;
  return true;
}

/* ---- units ------------------------------------------------------------------------------- */

typedef struct unit_map {
  uint32_t *slots;
  size_t n_slots; /* a power of two, more than twice the units */
} unit_map;

static size_t unit_slot(const unit_map *m, uint32_t node, uint32_t cat, uint32_t month) {
  uint64_t h = hash_mix64(((uint64_t)node << 32 | cat) ^ hash_mix64((uint64_t)month + 1));
  return (size_t)(h & (m->n_slots - 1));
}

static bool map_rebuild(unit_map *m, const privacy_kanon *kn, size_t min_units) {
  size_t n = 1024;
  while (n < 2 * min_units + 2) n *= 2;
  uint32_t *s = malloc(n * sizeof *s);
  if (!s) return false;
  memset(s, 0xff, n * sizeof *s);
  free(m->slots);
  m->slots = s;
  m->n_slots = n;
  for (size_t i = 0; i < kn->n_units; i++) {
    const kanon_unit *u = &kn->units[i];
    size_t k = unit_slot(m, u->node, u->cat, u->month);
    while (m->slots[k] != KANON_NONE) k = (k + 1) & (n - 1);
    m->slots[k] = (uint32_t)i;
  }
  return true;
}

static uint32_t map_find(const unit_map *m, const privacy_kanon *kn, uint32_t node, uint32_t cat,
                         uint32_t month) {
  for (size_t k = unit_slot(m, node, cat, month);; k = (k + 1) & (m->n_slots - 1)) {
    uint32_t i = m->slots[k];
    if (i == KANON_NONE) return KANON_NONE;
    const kanon_unit *u = &kn->units[i];
    if (u->node == node && u->cat == cat && u->month == month) return i;
  }
}

static bool unit_count(privacy_kanon *kn, unit_map *m, size_t *cap, uint32_t node, uint32_t cat,
                       uint32_t month) {
  uint32_t i = map_find(m, kn, node, cat, month);
  if (i != KANON_NONE) {
    kn->units[i].count++;
    return true;
  }
  if (kn->n_units >= KANON_NONE - 2) return false;
  if (kn->n_units == *cap) {
    size_t c = *cap ? *cap * 2 : 4096;
    kanon_unit *v = realloc(kn->units, c * sizeof *v);
    if (!v) return false;
    kn->units = v;
    *cap = c;
  }
  kn->units[kn->n_units++] = (kanon_unit){node, cat, month, 1, false};
  if (2 * kn->n_units + 2 > m->n_slots) return map_rebuild(m, kn, kn->n_units);
  size_t k = unit_slot(m, node, cat, month);
  while (m->slots[k] != KANON_NONE) k = (k + 1) & (m->n_slots - 1);
  m->slots[k] = (uint32_t)(kn->n_units - 1);
  return true;
}

static bool count_units(privacy_kanon *kn, unit_map *m) {
  size_t cap = 0;
  bool cats = kn->opt.has_category, months = kn->opt.has_month;
  for (size_t i = 0; i < kn->n_recs; i++) {
    const kanon_rec *r = &kn->recs[i];
    for (uint32_t n = r->cell; n != KANON_NONE; n = kn->parent[n]) {
      bool ok = unit_count(kn, m, &cap, n, KANON_NONE, KANON_NONE);
      if (ok && cats) ok = unit_count(kn, m, &cap, n, r->cat, KANON_NONE);
      if (ok && months) ok = unit_count(kn, m, &cap, n, KANON_NONE, r->month);
      if (ok && cats && months) ok = unit_count(kn, m, &cap, n, r->cat, r->month);
      if (!ok) return false;
    }
  }
  return true;
}

/* ---- order: tier, node, category, month (by text; "no such dimension" first) ------------- */

static int cmp_str_ptr(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* rank[id] + 1 is the place of string id in byte order (0 stays for KANON_NONE). */
static uint32_t *ranks(const strtab *t) {
  uint32_t *rank = malloc((t->n ? t->n : 1) * sizeof *rank);
  char **sorted = malloc((t->n ? t->n : 1) * sizeof *sorted);
  if (rank && sorted && t->n) {
    memcpy(sorted, t->s, t->n * sizeof *sorted);
    qsort(sorted, t->n, sizeof *sorted, cmp_str_ptr);
    for (uint32_t id = 0; id < t->n; id++) /* interned strings are distinct */
      rank[id] = (uint32_t)((char **)bsearch(&t->s[id], sorted, t->n, sizeof *sorted,
                                             cmp_str_ptr) - sorted) + 1;
  }
  free(sorted);
  if (!sorted) {
    free(rank);
    return NULL;
  }
  return rank;
}

typedef struct sort_key {
  int tier;
  uint32_t node, cat, month, idx;
} sort_key;

static int cmp_key(const void *pa, const void *pb) {
  const sort_key *a = pa, *b = pb;
  if (a->tier != b->tier) return a->tier < b->tier ? -1 : 1;
  if (a->node != b->node) return a->node < b->node ? -1 : 1;
  if (a->cat != b->cat) return a->cat < b->cat ? -1 : 1;
  return a->month < b->month ? -1 : a->month > b->month;
}

static bool sort_units(privacy_kanon *kn) {
  uint32_t *r[3] = {ranks(&kn->tab[0]), ranks(&kn->tab[1]), ranks(&kn->tab[2])};
  sort_key *k = malloc((kn->n_units ? kn->n_units : 1) * sizeof *k);
  kanon_unit *v = malloc((kn->n_units ? kn->n_units : 1) * sizeof *v);
  bool ok = r[0] && r[1] && r[2] && k && v;
  if (ok) {
    for (size_t i = 0; i < kn->n_units; i++) {
      const kanon_unit *u = &kn->units[i];
      k[i] = (sort_key){kn->tier[u->node], r[0][u->node], u->cat == KANON_NONE ? 0 : r[1][u->cat],
                        u->month == KANON_NONE ? 0 : r[2][u->month], (uint32_t)i};
    }
    qsort(k, kn->n_units, sizeof *k, cmp_key);
    for (size_t i = 0; i < kn->n_units; i++) v[i] = kn->units[k[i].idx];
    free(kn->units);
    kn->units = v;
    v = NULL;
  }
  for (int t = 0; t < 3; t++) free(r[t]);
  free(k);
  free(v);
  return ok;
}

/* One node per run of units of the same node. */
static bool make_nodes(privacy_kanon *kn) {
  kn->node_index = malloc((kn->tab[0].n + 1) * sizeof *kn->node_index);
  kn->nodes = malloc((kn->n_units ? kn->n_units : 1) * sizeof *kn->nodes);
  if (!kn->node_index || !kn->nodes) return false;
  for (uint32_t id = 0; id < kn->tab[0].n; id++) kn->node_index[id] = -1;
  for (size_t i = 0; i < kn->n_units; i++) {
    const kanon_unit *u = &kn->units[i];
    if (i && u->node == kn->units[i - 1].node) {
      kn->nodes[kn->n_nodes - 1].n_units++;
      continue;
    }
    kn->node_index[u->node] = (long)kn->n_nodes;
    kn->nodes[kn->n_nodes++] = (privacy_node){kn->tab[0].s[u->node], kn->tier[u->node], -1,
                                              u->count, false, i, 1};
  }
  for (size_t i = 0; i < kn->n_nodes; i++) {
    uint32_t id = kanon_strtab_find(&kn->tab[0], kn->nodes[i].key);
    if (kn->parent[id] != KANON_NONE) kn->nodes[i].parent = kn->node_index[kn->parent[id]];
  }
  return true;
}

/* ---- relations and suppression ----------------------------------------------------------- */

/* Relation (p, kind) = children[first[3p + kind] .. first[3p + kind + 1]); kinds: spatial,
 * category, month. */
typedef struct relations {
  size_t *first;
  uint32_t *children;
} relations;

static void parents_of(const privacy_kanon *kn, const unit_map *m, const kanon_unit *u,
                       uint32_t out[3]) {
  out[0] = kn->parent[u->node] == KANON_NONE
               ? KANON_NONE
               : map_find(m, kn, kn->parent[u->node], u->cat, u->month);
  out[1] = u->cat == KANON_NONE ? KANON_NONE : map_find(m, kn, u->node, KANON_NONE, u->month);
  out[2] = u->month == KANON_NONE ? KANON_NONE : map_find(m, kn, u->node, u->cat, KANON_NONE);
}

static bool build_relations(const privacy_kanon *kn, const unit_map *m, relations *r) {
  size_t n = 3 * kn->n_units;
  r->first = calloc(n + 1, sizeof *r->first);
  r->children = malloc((n ? n : 1) * sizeof *r->children);
  if (!r->first || !r->children) return false;
  uint32_t p[3];
  for (size_t i = 0; i < kn->n_units; i++) {
    parents_of(kn, m, &kn->units[i], p);
    for (int k = 0; k < 3; k++)
      if (p[k] != KANON_NONE) r->first[3 * (size_t)p[k] + k + 1]++;
  }
  for (size_t i = 0; i < n; i++) r->first[i + 1] += r->first[i];
  size_t *fill = malloc((n ? n : 1) * sizeof *fill);
  if (!fill) return false;
  memcpy(fill, r->first, n * sizeof *fill);
  for (size_t i = 0; i < kn->n_units; i++) {
    parents_of(kn, m, &kn->units[i], p);
    for (int k = 0; k < 3; k++)
      if (p[k] != KANON_NONE) r->children[fill[3 * (size_t)p[k] + k]++] = (uint32_t)i;
  }
  free(fill);
  return true;
}

/* Rules 2 and 3 for one relation; true when it withheld something. */
static bool suppress_relation(kanon_unit *u, const kanon_unit *parent, const uint32_t *ch,
                              size_t n, int64_t k) {
  bool changed = false;
  if (!parent->published) {
    for (size_t i = 0; i < n; i++)
      if (u[ch[i]].published) u[ch[i]].published = false, changed = true;
    return changed;
  }
  int64_t withheld = 0;
  for (size_t i = 0; i < n; i++) withheld += u[ch[i]].published ? 0 : u[ch[i]].count;
  while (withheld > 0 && withheld < k) {
    size_t pick = n;
    for (size_t i = 0; i < n; i++) /* the smallest published child; the last one on a tie */
      if (u[ch[i]].published && (pick == n || u[ch[i]].count <= u[ch[pick]].count)) pick = i;
    if (pick == n) break; /* cannot happen: the parent holds >= k and is their sum */
    u[ch[pick]].published = false;
    withheld += u[ch[pick]].count;
    changed = true;
  }
  return changed;
}

static void suppress(privacy_kanon *kn, const relations *r) {
  int64_t k = kn->opt.k;
  uint32_t outside = kanon_strtab_find(&kn->tab[0], PRIVACY_OUTSIDE_KEY);
  for (size_t i = 0; i < kn->n_units; i++)
    kn->units[i].published = kn->units[i].count >= k && kn->units[i].node != outside;
  bool changed = true;
  while (changed) {
    changed = false;
    for (size_t i = kn->n_units; i-- > 0;) /* root first: units are sorted by tier */
      for (int kind = 0; kind < 3; kind++) {
        size_t a = r->first[3 * i + kind], b = r->first[3 * i + kind + 1];
        if (b > a && suppress_relation(kn->units, &kn->units[i], r->children + a, b - a, k))
          changed = true;
      }
  }
}

static void count_stats(privacy_kanon *kn) {
  privacy_kanon_stats *st = &kn->stats;
  uint32_t outside = kanon_strtab_find(&kn->tab[0], PRIVACY_OUTSIDE_KEY);
  st->n_suppressed_records = st->n_unassigned;
  for (size_t i = 0; i < kn->n_units; i++) {
    const kanon_unit *u = &kn->units[i];
    int level = (u->cat != KANON_NONE) | (u->month != KANON_NONE) << 1;
    if (u->published) st->n_units_published++;
    else st->n_units_suppressed++;
    if (kn->tier[u->node] != 0 || u->node == outside) continue;
    if (u->published) st->n_published[level]++;
    else st->n_suppressed[level]++;
    if (level == 0 && !u->published) st->n_suppressed_records += u->count;
  }
  for (size_t i = 0; i < kn->n_nodes; i++)
    kn->nodes[i].published = kn->units[kn->nodes[i].first_unit].published;
}

bool kanon_build(privacy_kanon *kn) {
  unit_map m = {0};
  relations r = {0};
  bool ok = build_tiers(kn) && map_rebuild(&m, kn, 0) && count_units(kn, &m) && sort_units(kn) &&
            map_rebuild(&m, kn, kn->n_units) && make_nodes(kn) && build_relations(kn, &m, &r);
  if (ok) {
    suppress(kn, &r);
    count_stats(kn);
  }
  free(m.slots);
  free(r.first);
  free(r.children);
  return ok;
}
