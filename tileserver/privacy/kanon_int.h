/* kanon_int.h — the insides of privacy_kanon, shared by kanon.c (records, strings), kanon_tree.c
 * (tiers, units, suppression) and kanon_answer.c (answers). */
#ifndef TESELAS_PRIVACY_KANON_INT_H
#define TESELAS_PRIVACY_KANON_INT_H

#include <stdint.h>

#include "core/arena.h"
#include "privacy/kanon.h"

#define KANON_NONE UINT32_MAX

/* Interned strings: s[id], an open-addressing hash of ids (KANON_NONE = empty slot). */
typedef struct strtab {
  char **s;
  uint32_t n, cap;
  uint32_t *slots;
  uint32_t n_slots; /* a power of two, at least twice n */
} strtab;

typedef struct kanon_rec {
  uint32_t cell, cat, month;
} kanon_rec;

/* A unit while building: ids of its node, category and month (KANON_NONE: the level has not
 * that dimension). */
typedef struct kanon_unit {
  uint32_t node, cat, month;
  int64_t count;
  bool published;
} kanon_unit;

struct privacy_kanon {
  privacy_kanon_options opt;
  arena *strings;
  strtab tab[3];             /* nodes (cells, then coarser nodes as the tiers are built),
                                categories, months */
  kanon_rec *recs;           /* until finish */
  size_t n_recs, cap_recs;
  /* after finish */
  uint32_t *parent;          /* per node id: its parent's id, KANON_NONE for the root */
  int *tier;                 /* per node id */
  uint32_t root;             /* the root's node id */
  kanon_unit *units;         /* grouped by node, in the order of `nodes` */
  size_t n_units;
  privacy_node *nodes;       /* by tier */
  size_t n_nodes;
  long *node_index;          /* per node id: its index in nodes, -1 without records */
  privacy_kanon_stats stats;
  bool finished;
  err_code rc;               /* sticky error */
  char msg[160];
};

uint32_t kanon_strtab_find(const strtab *t, const char *s);
uint32_t kanon_strtab_intern(strtab *t, arena *a, const char *s);
/* Builds tiers, units and their suppression from the records (kanon_tree.c). false: no memory. */
bool kanon_build(privacy_kanon *kn);

#endif
