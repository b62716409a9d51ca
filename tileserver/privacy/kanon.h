/* kanon.h — k-anonymous counts for aggregate layers: from records (cell, category, month) to the
 * units that may be published, and answers to aggregation queries built only from those units.
 *
 * The units form a tree, per cell:
 *
 *   (cell)                           every record of the cell
 *     (cell, category)               the records of one category
 *       (cell, category, month)      ... of one month
 *   (cell, month)                    DERIVED: the sum over categories of the PUBLISHED
 *                                    (cell, category, month) units, never the raw count
 *
 * and above the cells, the layer's total. Suppression:
 *   1. primary: a unit with fewer than k records is withheld;
 *   2. secondary, per parent: the withheld children of a published parent must hold 0 or >= k
 *      records together; while they hold 1..k-1, the smallest published child is withheld too
 *      (this ends: withholding every child makes the sum the parent's count, >= k). The layer's
 *      total is the parent of the cells, and records outside every cell (aggregate by polygons)
 *      count as a withheld child of it;
 *   3. a withheld unit withholds all its descendants (else summing them would reveal it).
 *
 * Why no answer and no difference of answers reveals fewer than k records. Every answer
 * (privacy_kanon_query, privacy_answer_add) is a sum of published units of one level over a set
 * of cells, so everything a user can learn by asking many questions and subtracting is a linear
 * combination of published units: the user could have read them one by one, cell by cell, each
 * >= k. What is not published is only reachable through a parent: parent minus its published
 * children is the sum of its withheld children, which rule 2 makes 0 or >= k; it is shared by at
 * least two withheld children whenever one of them has fewer than k (a lone withheld child would
 * hold that remainder alone, and a remainder below k triggers rule 2), so no single small unit is
 * ever determined. Rule 3 closes the other way down (a withheld parent cannot be rebuilt from its
 * children). The hierarchy is a tree on purpose: publishing the raw (cell, month) counts as well
 * would give each cell a category × month table with both margins known, where withheld entries
 * can be solved for by linear programming (cell suppression in two-way tables needs an audit);
 * deriving (cell, month) from published leaves keeps every relation a parent-children sum.
 * Overlapping bboxes: two answers over cell sets A and B differ by the published units of the
 * cells in one and not the other, each >= k — a difference over sets that differ by one cell is
 * that cell's published unit (>= k) or 0.
 *
 * The price: with fine grids and many categories, (cell, category, month) units are mostly below
 * k, so counts by month are smaller than the raw ones (the metadata says how many units were
 * withheld). A coarser grid, fewer categories or polygons (colonias) raise them.
 *
 * Not thread-safe while building; after privacy_kanon_finish it is read-only and may be queried
 * from several threads. */
#ifndef TESELAS_PRIVACY_KANON_H
#define TESELAS_PRIVACY_KANON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

typedef struct privacy_kanon privacy_kanon;

typedef enum privacy_level {
  PRIVACY_LEVEL_CELL = 0,
  PRIVACY_LEVEL_CELL_CATEGORY,
  PRIVACY_LEVEL_CELL_MONTH,
  PRIVACY_LEVEL_CELL_CATEGORY_MONTH,
  PRIVACY_N_LEVELS
} privacy_level;

/* A published unit. Strings are "" for the dimensions its level does not have. */
typedef struct privacy_unit {
  privacy_level level;
  const char *cell;
  const char *category;
  const char *month; /* "YYYY-MM" */
  int64_t count;     /* >= k */
} privacy_unit;

typedef struct privacy_kanon_options {
  int64_t k;         /* PRIVACY_K_MIN .. PRIVACY_K_MAX (2 .. 1000) */
  bool has_category; /* records carry a category: the two category levels are published */
  bool has_month;    /* records carry a month: the two month levels are published */
} privacy_kanon_options;

typedef struct privacy_kanon_stats {
  int64_t n_records;                       /* every record added */
  int64_t n_unassigned;                    /* records with no cell */
  int64_t n_published[PRIVACY_N_LEVELS];   /* units published per level */
  int64_t n_suppressed[PRIVACY_N_LEVELS];  /* units with records but not published */
  int64_t n_suppressed_records;            /* records in no published cell: 0 or >= k, unless
                                              the whole layer has fewer than k records */
} privacy_kanon_stats;

/* ERR_INVALID for k out of range, ERR_NOMEM. Caller owns *out: privacy_kanon_destroy. */
err_code privacy_kanon_create(const privacy_kanon_options *opt, privacy_kanon **out, err *e);
void privacy_kanon_destroy(privacy_kanon *kn);

/* Adds one record. cell NULL or "": outside every cell (counted, never published). category NULL
 * is the empty category "" (a missing value is a category of its own). month: "YYYY-MM", or
 * NULL/"" for unknown (a month of its own, ""); any other text is ERR_INVALID and the record is
 * not added. The strings are copied. ERR_NOMEM is sticky: after it, every call fails the same
 * way (check once at finish). Not after finish. */
err_code privacy_kanon_add(privacy_kanon *kn, const char *cell, const char *category,
                           const char *month, err *e);

/* Computes the published units (the rules above). Call once, after the last add. */
err_code privacy_kanon_finish(privacy_kanon *kn, err *e);

void privacy_kanon_get_stats(const privacy_kanon *kn, privacy_kanon_stats *out);

/* The published units of a level, ordered by cell, category, month (byte order); owned by kn. */
const privacy_unit *privacy_kanon_units(const privacy_kanon *kn, privacy_level level, size_t *out_n);

/* True when the cell's own unit is published (generalize with k: keep the cell's points). */
bool privacy_kanon_cell_published(const privacy_kanon *kn, const char *cell);

/* ---- answers (privacy/kanon_answer.c) ---------------------------------------------------- */

typedef enum privacy_group_by {
  PRIVACY_BY_NONE = 0,
  PRIVACY_BY_CATEGORY,
  PRIVACY_BY_MONTH
} privacy_group_by;

/* An aggregation query: the cells (of a bbox, or polygons), a grouping, and an optional category
 * filter. Listing a cell twice counts it once. */
typedef struct privacy_query {
  const char *const *cells;
  size_t n_cells;
  privacy_group_by by;
  const char *category; /* NULL: every category */
} privacy_query;

typedef struct privacy_group {
  char *key; /* category or "YYYY-MM"; owned by the answer */
  int64_t count;
} privacy_group;

typedef struct privacy_answer {
  privacy_group *groups; /* by key (byte order); empty for PRIVACY_BY_NONE */
  size_t n_groups, cap;
  int64_t total;         /* the sum of the groups (or of the units, by none) */
  bool failed;           /* sticky: an allocation failed */
} privacy_answer;

/* The level whose units answer a query: by none → cell (with a filter: cell, category);
 * by category → cell, category; by month → cell, month (with a filter: cell, category, month). */
privacy_level privacy_query_level(privacy_group_by by, bool filtered);

void privacy_answer_init(privacy_answer *a);
void privacy_answer_free(privacy_answer *a);

/* Adds one published unit to an answer when it belongs to it (its level is the query's level and
 * it passes the category filter; the caller selects the cells). This is how the features API
 * answers from units stored in the database: it streams the units of privacy_query_level for the
 * cells of the bbox and adds each. false when an allocation failed (sticky). */
bool privacy_answer_add(privacy_answer *a, const privacy_query *q, const privacy_unit *u);

/* Answers q from kn's published units. ERR_NOMEM. Caller frees *out with privacy_answer_free
 * (also after an error). */
err_code privacy_kanon_query(const privacy_kanon *kn, const privacy_query *q, privacy_answer *out,
                             err *e);

#endif
