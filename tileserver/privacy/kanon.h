/* kanon.h — k-anonymous counts for aggregate layers: from records (cell, category, month) to the
 * units that may be published at several spatial resolutions, and answers to aggregation
 * queries built only from those units.
 *
 * Nodes. The policy's cells (tier 0) are grouped into coarser nodes by a caller-given parent
 * function (a square grid: 2 × 2 blocks of cells, then 4 × 4 …; tier t holds 2^t × 2^t cells),
 * tier by tier, until a tier holds at most 64 nodes (top_nodes) or the function has no parent to give; the
 * nodes of that tier are the children of one root covering every record (those outside every
 * cell too, as a withheld child: PRIVACY_OUTSIDE_KEY). Aggregating by
 * polygons, the polygons are tier 0 and the root their union.
 *
 * Units. For every node N (root included) with records, the counts
 *   (N)            level 0, every record of N
 *   (N, c)         level 1, of one category          (when the layer has categories)
 *   (N, m)         level 2, of one month             (when the layer has dates)
 *   (N, c, m)      level 3, of both                  (when it has both)
 * related by additive relations, each "a parent unit = the sum of its children":
 *   spatial   (N, x) = Σ (C, x) over the child nodes C of N, for each of the four kinds of x;
 *   category  (N, m) = Σ_c (N, c, m), and (N) = Σ_c (N, c);
 *   month     (N, c) = Σ_m (N, c, m), and (N) = Σ_m (N, m).
 *
 * Suppression, applied over every relation until nothing changes (each step only withholds, so
 * it ends):
 *   1. primary: a unit with fewer than k records is withheld;
 *   2. secondary: in a relation whose parent is published, the withheld children hold 0 or >= k
 *      records together; while they hold 1..k-1, the smallest published child is withheld too;
 *   3. a withheld parent withholds all its children in every relation (so nothing under a
 *      withheld unit is ever published, and a withheld unit is never the sum of published ones).
 *
 * What this guarantees. Every published unit holds >= k records. In every relation, parent minus
 * its published children is 0 or >= k. An answer (privacy_answer_add) over a box is a sum of
 * published units of disjoint nodes (the cover: the coarsest nodes the box covers wholly, then
 * the cells it meets), so the difference of two nested answers is, node by node, a sum of
 * published units and of relation remainders, each 0 or >= k: no difference of nested or
 * overlapping boxes (each against their intersection) and no level minus its children reveals
 * fewer than k records. This is the per-relation protection of the "hypercube" method of
 * statistical offices; it is not a linear-programming audit of the whole table, which could
 * still narrow a withheld unit to an interval by combining several relations.
 *
 * The price: small units are withheld, more so at fine tiers; the coarse tiers keep the figures
 * a city publishes (the whole city's counts by month and by category are exact whenever each
 * holds >= k).
 *
 * Not thread-safe while building; after privacy_kanon_finish it is read-only. */
#ifndef TESELAS_PRIVACY_KANON_H
#define TESELAS_PRIVACY_KANON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

typedef struct privacy_kanon privacy_kanon;

typedef enum privacy_level {
  PRIVACY_LEVEL_CELL = 0,              /* (N) */
  PRIVACY_LEVEL_CELL_CATEGORY,         /* (N, c) */
  PRIVACY_LEVEL_CELL_MONTH,            /* (N, m) */
  PRIVACY_LEVEL_CELL_CATEGORY_MONTH,   /* (N, c, m) */
  PRIVACY_N_LEVELS
} privacy_level;

enum {
  PRIVACY_NODE_KEY_MAX = 64, /* a node key with its terminating NUL */
  PRIVACY_MAX_TIERS = 24     /* tiers under the root, at most */
};

/* The key of the root node. */
#define PRIVACY_ROOT_KEY "*"
/* The node of the records outside every cell (aggregating by polygons): a child of the root that
 * is never published, so the root counts every record and its secondary suppression covers
 * them (the report's "outside every polygon" cannot single out a small withheld polygon). */
#define PRIVACY_OUTSIDE_KEY ""

/* The parent of `node` (at `tier`, 0 for a cell): writes its key (unique across tiers, not
 * PRIVACY_ROOT_KEY) into out and returns true, or false when the node's parent is the root. */
typedef bool (*privacy_parent_fn)(void *ctx, const char *node, int tier,
                                  char out[PRIVACY_NODE_KEY_MAX]);

typedef struct privacy_kanon_options {
  int64_t k;                /* PRIVACY_K_MIN .. PRIVACY_K_MAX (2 .. 1000) */
  bool has_category;        /* records carry a category: levels 1 and 3 exist */
  bool has_month;           /* records carry a month: levels 2 and 3 exist */
  privacy_parent_fn parent; /* NULL: cells are children of the root */
  void *parent_ctx;
  int top_nodes;            /* the tiers stop at the first with at most this many nodes;
                               0: 64 (kanon_tree.c says why) */
} privacy_kanon_options;

/* A unit. Strings are "" for the dimensions its level does not have; parent is NULL for the
 * root's units. count is the true count: callers publish it only when `published`. */
typedef struct privacy_unit {
  privacy_level level;
  int tier;                 /* 0 for a cell; the root's is the highest */
  const char *node;
  const char *category;
  const char *month;        /* "YYYY-MM" */
  int64_t count;
  bool published;
} privacy_unit;

/* A node with records: its parent's index in the same array (-1 for the root), its units. */
typedef struct privacy_node {
  const char *key;
  int tier;
  long parent;
  int64_t count;
  bool published;           /* its level-0 unit */
  size_t first_unit, n_units; /* its units: privacy_kanon_unit(first_unit .. +n_units) */
} privacy_node;

typedef struct privacy_kanon_stats {
  int64_t n_records;                       /* every record added */
  int64_t n_unassigned;                    /* records with no cell */
  int64_t n_published[PRIVACY_N_LEVELS];   /* cells' (tier 0) units published per level */
  int64_t n_suppressed[PRIVACY_N_LEVELS];  /* cells' units with records but withheld */
  int64_t n_suppressed_records;            /* records in no published cell, unassigned included */
  int64_t n_units_published, n_units_suppressed; /* over every tier */
  int n_tiers;                             /* tiers under the root (the root's own tier) */
} privacy_kanon_stats;

/* ERR_INVALID for k out of range, ERR_NOMEM. Caller owns *out: privacy_kanon_destroy. */
err_code privacy_kanon_create(const privacy_kanon_options *opt, privacy_kanon **out, err *e);
void privacy_kanon_destroy(privacy_kanon *kn);

/* The spatial hierarchy, when not given at create (before finish). */
void privacy_kanon_set_parent(privacy_kanon *kn, privacy_parent_fn parent, void *ctx);

/* Adds one record. cell NULL or "": outside every cell (counted, never published). category NULL
 * is the empty category "" (a missing value is a category of its own). month: "YYYY-MM", or
 * NULL/"" for unknown (a month of its own, ""); any other text is ERR_INVALID and the record is
 * not added. The strings are copied. ERR_NOMEM is sticky. Not after finish. */
err_code privacy_kanon_add(privacy_kanon *kn, const char *cell, const char *category,
                           const char *month, err *e);

/* Builds the tiers, the units and their suppression. Call once, after the last add. */
err_code privacy_kanon_finish(privacy_kanon *kn, err *e);

void privacy_kanon_get_stats(const privacy_kanon *kn, privacy_kanon_stats *out);

/* The nodes with records, by tier (cells first, the root last); owned by kn. */
const privacy_node *privacy_kanon_nodes(const privacy_kanon *kn, size_t *out_n);
/* Unit i (0 .. n_units of the nodes); the strings are owned by kn. */
void privacy_kanon_unit(const privacy_kanon *kn, size_t i, privacy_unit *out);
/* The node of a key, or NULL. */
const privacy_node *privacy_kanon_node(const privacy_kanon *kn, const char *key);

/* True when the cell's own unit is published (generalize with k: keep the cell's points). */
bool privacy_kanon_cell_published(const privacy_kanon *kn, const char *cell);

/* ---- answers (privacy/kanon_answer.c) ---------------------------------------------------- */

typedef enum privacy_group_by {
  PRIVACY_BY_NONE = 0,
  PRIVACY_BY_CATEGORY,
  PRIVACY_BY_MONTH
} privacy_group_by;

/* An aggregation query: a grouping and an optional category filter. */
typedef struct privacy_query {
  privacy_group_by by;
  const char *category; /* NULL: every category */
} privacy_query;

typedef struct privacy_group {
  char *key; /* category or "YYYY-MM"; owned by the answer */
  int64_t count;
} privacy_group;

/* An answer, summed over the nodes of a cover. */
typedef struct privacy_answer {
  privacy_group *groups;     /* by key (byte order); empty for PRIVACY_BY_NONE */
  size_t n_groups, cap;
  int64_t total;             /* the sum of the groups (or of the units, by none) */
  int64_t base;              /* the published base units (level 0, or (N, c) with a filter) of
                                the cover's nodes: base - total is what the grouping withheld */
  int64_t suppressed_groups; /* withheld units the answer would have used */
  int64_t hidden_nodes;      /* cover nodes whose own count is withheld (their records are in no
                                figure of the answer) */
  bool failed;               /* sticky: an allocation failed */
} privacy_answer;

/* The level whose units answer a query: by none → 0 (with a filter: 1); by category → 1;
 * by month → 2 (with a filter: 3). The base level is 0, or 1 with a filter. */
privacy_level privacy_query_level(privacy_group_by by, bool filtered);
privacy_level privacy_query_base_level(bool filtered);

void privacy_answer_init(privacy_answer *a);
void privacy_answer_free(privacy_answer *a);

/* Adds one unit of a cover node (published or withheld) to an answer when it belongs to it (its
 * level is the query's or base level, and it passes the category filter). The caller streams
 * every unit of those two levels of every cover node, once. false when an allocation failed
 * (sticky). */
bool privacy_answer_add(privacy_answer *a, const privacy_query *q, const privacy_unit *u);

/* Does the cover of a box take a node? bbox (minx, miny, maxx, maxy; minx > maxx crosses the
 * antimeridian) NULL: only the root. Else a node is taken when the box holds its bounding box
 * wholly and not its parent's (parent_bbox NULL for the root), or when it is a cell (tier 0) the
 * box meets without holding it. Nodes' boxes nest (a parent's is the union of its children's). */
bool privacy_cover_takes(const double *bbox, const double node_bbox[4], const double *parent_bbox,
                         int tier);

/* Answers q over the cover nodes listed (keys; unknown keys are skipped, repeats count once)
 * from kn's units. ERR_NOMEM, ERR_INTERNAL before finish. Caller frees *out with
 * privacy_answer_free (also after an error). */
err_code privacy_kanon_query(const privacy_kanon *kn, const privacy_query *q,
                             const char *const *nodes, size_t n_nodes, privacy_answer *out,
                             err *e);

#endif
