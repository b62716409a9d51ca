/* kanon_int.h — the insides of privacy_kanon, shared by kanon.c (building) and kanon_answer.c
 * (laying out the units and answering). */
#ifndef TESELAS_PRIVACY_KANON_INT_H
#define TESELAS_PRIVACY_KANON_INT_H

#include <stdint.h>

#include "core/arena.h"
#include "privacy/kanon.h"

#define KANON_NONE UINT32_MAX

/* Interned strings: s[id], an open-addressing hash of ids (KANON_NONE = empty slot). After
 * finish, ids are ranks: s is sorted. */
typedef struct strtab {
  char **s;
  uint32_t n, cap;
  uint32_t *slots;
  uint32_t n_slots; /* a power of two, at least twice n */
} strtab;

typedef struct kanon_rec {
  uint32_t cell, cat, month;
} kanon_rec;

/* A unit of the tree: a cell, a (cell, category), or a (cell, category, month) leaf. */
typedef struct kanon_node {
  uint32_t cell, cat, month;
  int64_t count;
  bool published;
  uint32_t first;      /* first child in the next level's array */
  uint32_t n_children;
} kanon_node;

/* Where a cell's published units are, per level: units[level][begin .. end). */
typedef struct kanon_range {
  size_t begin[PRIVACY_N_LEVELS], end[PRIVACY_N_LEVELS];
} kanon_range;

struct privacy_kanon {
  privacy_kanon_options opt;
  arena *strings;
  strtab tab[3];             /* cells, categories, months */
  kanon_rec *recs;           /* until finish */
  size_t n_recs, cap_recs;
  kanon_node *cells, *cats, *leaves; /* after finish; cells[rank of the cell's text] */
  size_t n_cells, n_cats, n_leaves;
  privacy_unit *units[PRIVACY_N_LEVELS];
  size_t n_units[PRIVACY_N_LEVELS];
  kanon_range *ranges;       /* one per cell */
  privacy_kanon_stats stats;
  bool finished;
  err_code rc;               /* sticky error */
  char msg[160];
};

uint32_t kanon_strtab_find(const strtab *t, const char *s);
/* Fills units, n_units, ranges and the per-level stats from the suppressed tree. */
bool kanon_layout_units(privacy_kanon *kn);

#endif
