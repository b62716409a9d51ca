/* query.h — a filter as data: the typed, canonical predicate tree of a feature query.
 *
 * features/ parses CQL2 text, PROP=VALUE and datetime into it; store/ alone compiles it to its
 * backend's SQL (store/sql_pred.c) and numbers the parameters; tiles/ hashes its canonical text
 * into cache keys and ETags. So the filter crossing those modules is a value of this header, never
 * a fragment of SQL, and a second backend compiles the same tree.
 *
 * Nodes (OGC CQL2, 21-065, with the basic, advanced-comparison and spatial classes):
 *   TRUE, FALSE, AND (n-ary), OR (n-ary), NOT
 *   CMP      operand op operand            (=, <>, <, <=, >, >=)
 *   LIKE     operand [NOT] LIKE pattern    (CQL2 pattern: '%', '_', '\' escapes; case-sensitive)
 *   BETWEEN  operand [NOT] BETWEEN a AND b
 *   IN       operand [NOT] IN (list)
 *   IS_NULL  operand IS [NOT] NULL
 *   SPATIAL  S_op(a, b): each side the layer's geometry or a literal (WKT in CRS84 + its box)
 *   TIME     the date field intersects an interval (OGC API - Features datetime)
 *   FID_IN   the feature id is one of a list (the single points of a clustered tile)
 * An operand is a field name or a typed literal (value.h: INT, REAL, TEXT, BOOL; DATE('..') and
 * TIMESTAMP('..') are TEXT in ISO 8601 UTC: they compare as the same text would).
 *
 * Canonical: the parser already folds what is spelling (keyword case, blanks, quoting of names,
 * 1 and 1.0, offsets folded to UTC, an instant and the interval [t, t]); the builders flatten
 * nested AND and OR. query_pred_canon writes the tree as one text that differs exactly when the
 * trees differ, and query_pred_hash hashes that text.
 *
 * Memory: every node and string lives in the arena given to the builders; nothing is freed
 * alone. Builders return NULL when the arena fails (its failure sticks, see core/arena.h). */
#ifndef TESELAS_QUERY_H
#define TESELAS_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/value.h"

typedef enum query_kind {
  QUERY_TRUE = 0,
  QUERY_FALSE,
  QUERY_AND,
  QUERY_OR,
  QUERY_NOT,
  QUERY_CMP,
  QUERY_LIKE,
  QUERY_BETWEEN,
  QUERY_IN,
  QUERY_IS_NULL,
  QUERY_SPATIAL,
  QUERY_TIME,
  QUERY_FID_IN
} query_kind;

typedef enum query_cmp { QUERY_EQ = 0, QUERY_NE, QUERY_LT, QUERY_LE, QUERY_GT, QUERY_GE } query_cmp;

typedef enum query_spatial_op {
  QUERY_S_INTERSECTS = 0,
  QUERY_S_DISJOINT,
  QUERY_S_WITHIN,
  QUERY_S_CONTAINS,
  QUERY_S_EQUALS,
  QUERY_S_TOUCHES,
  QUERY_S_CROSSES,
  QUERY_S_OVERLAPS
} query_spatial_op;

typedef struct query_operand {
  const char *field;       /* a field of the layer, or NULL for the literal */
  value lit;               /* text is NUL-terminated, in the arena */
} query_operand;

/* A geometry argument of a spatial predicate: the layer's geometry (wkt NULL) or a literal. */
typedef struct query_geom {
  const char *wkt;         /* OGC WKT in CRS84 (lon lat), NUL-terminated; NULL: the property */
  double box[4];           /* the literal's minx, miny, maxx, maxy */
  bool crosses_antimeridian; /* a BBOX with minx > maxx */
} query_geom;

/* One end of a time interval: "YYYY-MM-DD" (a whole day) or "YYYY-MM-DDTHH:MM:SS[.f]Z" (UTC). */
typedef struct query_time {
  char text[40];
  bool has_time;
} query_time;

typedef struct query_pred query_pred;
struct query_pred {
  query_kind kind;
  bool neg;                    /* NOT LIKE, NOT BETWEEN, NOT IN, IS NOT NULL */
  query_cmp cmp;               /* CMP */
  query_spatial_op sop;        /* SPATIAL */
  query_operand *ops;          /* CMP 2, LIKE 2 (the pattern second), BETWEEN 3, IN 1 + list,
                                  IS_NULL 1 */
  size_t n_ops;
  query_pred **kids;           /* AND, OR (2 or more), NOT (1) */
  size_t n_kids;
  query_geom geoms[2];         /* SPATIAL */
  const char *time_field;      /* TIME: the layer's date field */
  bool time_is_date;           /* TIME: a date field (else a date-time field) */
  bool has_lo, has_hi;         /* TIME: the closed ends (an instant has both, equal) */
  query_time lo, hi;
  const int64_t *ids;          /* FID_IN */
  size_t n_ids;
};

/* A sort key of a query: a field, or the feature id (field NULL). */
typedef struct query_sort {
  const char *field;
  bool desc;
} query_sort;

/* ---- building (query.c) ------------------------------------------------------------------ */

/* A node of kind k with nothing else set, zeroed. */
query_pred *query_pred_new(arena *a, query_kind k);
/* AND or OR of a and b; a nested node of the same kind is flattened into the result (so
 * "a AND (b AND c)" and "(a AND b) AND c" are the same tree). Either may be NULL: the other is
 * returned. NULL when the arena fails. */
query_pred *query_pred_join(arena *a, query_kind k, query_pred *x, query_pred *y);
/* NOT p. */
query_pred *query_pred_not(arena *a, query_pred *p);
/* A node with n operands (zeroed) of kind k (CMP, LIKE, BETWEEN, IN, IS_NULL). */
query_pred *query_pred_ops(arena *a, query_kind k, size_t n);
/* "fid IN ids": the ids are copied into the arena. */
query_pred *query_pred_fid_in(arena *a, const int64_t *ids, size_t n);
/* "p AND fid IN ids" built in the caller's storage, without allocating (p may be NULL: the ids
 * alone): the single points of a clustered tile, a list made per tile. The ids are borrowed. */
typedef struct query_with_ids {
  query_pred ids, both;
  query_pred *kids[2];
} query_with_ids;
const query_pred *query_pred_with_ids(query_with_ids *s, const query_pred *p, const int64_t *ids,
                                      size_t n);
/* The number of values the tree holds, as a backend binds them: each literal, each closed end of
 * an interval and each id list counts 1; a spatial literal 1, plus its box's 4 numbers when the
 * other side is the geometry and the operator implies that the boxes meet (every one but
 * S_DISJOINT), since the box is tested first. Bounds the size of a filter. */
size_t query_pred_n_values(const query_pred *p);
/* True for the spatial operators that imply the bounding boxes meet (all but S_DISJOINT). */
bool query_spatial_boxes_meet(query_spatial_op op);

/* ---- the canonical text and its hash (canon.c) ---------------------------------------------- */

/* Appends the canonical text of p ("" for NULL): a prefix notation in which names and text are
 * JSON strings and reals are written to round-trip, so it parses back one way only. */
void query_pred_canon(buf *out, const query_pred *p);
/* 64-bit FNV-1a of the canonical text, mixed (core/hash.h); 0 for NULL. */
uint64_t query_pred_hash(const query_pred *p);
/* The canonical name of a spatial operator ("S_INTERSECTS", ...). */
const char *query_spatial_name(query_spatial_op op);

#endif
