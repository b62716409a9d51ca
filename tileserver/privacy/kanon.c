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
uint32_t kanon_strtab_intern(strtab *t, arena *a, const char *s) {
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
  free(kn->parent);
  free(kn->tier);
  free(kn->units);
  free(kn->nodes);
  free(kn->node_index);
  arena_destroy(kn->strings);
  free(kn);
}

void privacy_kanon_set_parent(privacy_kanon *kn, privacy_parent_fn parent, void *ctx) {
  kn->opt.parent = parent;
  kn->opt.parent_ctx = ctx;
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
  if (!cell || !*cell) { /* PRIVACY_OUTSIDE_KEY: a withheld child of the root */
    kn->stats.n_unassigned++;
    cell = "";
  }
  if (!kn->opt.has_category) category = NULL;
  if (!kn->opt.has_month) month = NULL;
  kanon_rec r = {kanon_strtab_intern(&kn->tab[0], kn->strings, cell),
                 kanon_strtab_intern(&kn->tab[1], kn->strings, category ? category : ""),
                 kanon_strtab_intern(&kn->tab[2], kn->strings, month ? month : "")};
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

err_code privacy_kanon_finish(privacy_kanon *kn, err *e) {
  if (kn->rc != ERR_OK) return err_set(e, kn->rc, "%s", kn->msg);
  if (kn->finished) return sticky(kn, e, ERR_INTERNAL, "k-anonimato: finish llamado dos veces");
  kn->finished = true;
  if (!kanon_build(kn)) return sticky(kn, e, ERR_NOMEM, "sin memoria para los conteos de privacidad");
  free(kn->recs); /* the units hold everything from here on */
  kn->recs = NULL;
  kn->n_recs = kn->cap_recs = 0;
  return ERR_OK;
}

void privacy_kanon_get_stats(const privacy_kanon *kn, privacy_kanon_stats *out) { *out = kn->stats; }

const privacy_node *privacy_kanon_nodes(const privacy_kanon *kn, size_t *out_n) {
  *out_n = kn->finished && kn->rc == ERR_OK ? kn->n_nodes : 0;
  return *out_n ? kn->nodes : NULL;
}

void privacy_kanon_unit(const privacy_kanon *kn, size_t i, privacy_unit *out) {
  const kanon_unit *u = &kn->units[i];
  int level = (u->cat != KANON_NONE) | (u->month != KANON_NONE) << 1;
  *out = (privacy_unit){(privacy_level)level, kn->tier[u->node], kn->tab[0].s[u->node],
                        u->cat != KANON_NONE ? kn->tab[1].s[u->cat] : "",
                        u->month != KANON_NONE ? kn->tab[2].s[u->month] : "", u->count,
                        u->published};
}

const privacy_node *privacy_kanon_node(const privacy_kanon *kn, const char *key) {
  if (!kn->finished || kn->rc != ERR_OK || !key) return NULL;
  uint32_t id = kanon_strtab_find(&kn->tab[0], key);
  if (id == KANON_NONE || kn->node_index[id] < 0) return NULL;
  return &kn->nodes[kn->node_index[id]];
}

bool privacy_kanon_cell_published(const privacy_kanon *kn, const char *cell) {
  const privacy_node *n = privacy_kanon_node(kn, cell);
  return n && n->tier == 0 && n->published;
}
