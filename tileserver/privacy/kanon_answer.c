/* kanon_answer.c — answers to aggregation queries: which nodes the cover of a box takes, and the
 * sum of their published units (the argument is in kanon.h).
 *
 * The answer code is shared with the features API: the API streams stored units through
 * privacy_answer_add exactly as privacy_kanon_query does here, so the rule "which level answers
 * which query" lives in one place. */
#include <stdlib.h>
#include <string.h>

#include "privacy/kanon_int.h"

/* ---- answers ----------------------------------------------------------------------------- */

privacy_level privacy_query_level(privacy_group_by by, bool filtered) {
  switch (by) {
    case PRIVACY_BY_CATEGORY: return PRIVACY_LEVEL_CELL_CATEGORY;
    case PRIVACY_BY_MONTH:
      return filtered ? PRIVACY_LEVEL_CELL_CATEGORY_MONTH : PRIVACY_LEVEL_CELL_MONTH;
    default: return filtered ? PRIVACY_LEVEL_CELL_CATEGORY : PRIVACY_LEVEL_CELL;
  }
}

privacy_level privacy_query_base_level(bool filtered) {
  return filtered ? PRIVACY_LEVEL_CELL_CATEGORY : PRIVACY_LEVEL_CELL;
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

static bool add_group(privacy_answer *a, const char *key, int64_t count) {
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
  a->groups[at].count += count;
  return true;
}

bool privacy_answer_add(privacy_answer *a, const privacy_query *q, const privacy_unit *u) {
  if (a->failed) return false;
  bool filtered = q->category != NULL;
  privacy_level level = privacy_query_level(q->by, filtered);
  privacy_level base = privacy_query_base_level(filtered);
  if (u->level != level && u->level != base) return true;
  if (filtered && strcmp(u->category, q->category) != 0) return true;
  if (u->level == base) { /* the node's own count (of the category): what the groups add up to */
    if (u->published) a->base += u->count;
    else a->hidden_nodes++;
  }
  if (u->level != level) return true;
  if (!u->published) {
    a->suppressed_groups++;
    return true;
  }
  a->total += u->count;
  if (q->by == PRIVACY_BY_NONE) return true;
  return add_group(a, q->by == PRIVACY_BY_CATEGORY ? u->category : u->month, u->count);
}

/* Does the box hold [lo, hi] in x? (minx > maxx: it crosses the antimeridian.) */
static bool holds_x(const double *b, double lo, double hi) {
  if (b[0] <= b[2]) return lo >= b[0] && hi <= b[2];
  return (lo >= b[0] && hi <= 180.0) || (lo >= -180.0 && hi <= b[2]);
}

static bool meets_x(const double *b, double lo, double hi) {
  if (b[0] <= b[2]) return hi >= b[0] && lo <= b[2];
  return hi >= b[0] || lo <= b[2];
}

static bool holds(const double *b, const double *n) {
  return n[1] >= b[1] && n[3] <= b[3] && holds_x(b, n[0], n[2]);
}

bool privacy_cover_takes(const double *bbox, const double node_bbox[4], const double *parent_bbox,
                         int tier) {
  if (!bbox) return parent_bbox == NULL;
  if (holds(bbox, node_bbox)) return !parent_bbox || !holds(bbox, parent_bbox);
  return tier == 0 && node_bbox[3] >= bbox[1] && node_bbox[1] <= bbox[3] &&
         meets_x(bbox, node_bbox[0], node_bbox[2]);
}

static int cmp_long(const void *pa, const void *pb) {
  long a = *(const long *)pa, b = *(const long *)pb;
  return a < b ? -1 : a > b;
}

err_code privacy_kanon_query(const privacy_kanon *kn, const privacy_query *q,
                             const char *const *nodes, size_t n_nodes, privacy_answer *out,
                             err *e) {
  privacy_answer_init(out);
  if (kn->rc != ERR_OK) return err_set(e, kn->rc, "%s", kn->msg);
  if (!kn->finished) return err_set(e, ERR_INTERNAL, "k-anonimato: consulta antes de finish");
  long *ix = malloc((n_nodes ? n_nodes : 1) * sizeof *ix);
  if (!ix) return err_set(e, ERR_NOMEM, "sin memoria para la consulta");
  size_t n = 0;
  for (size_t i = 0; i < n_nodes; i++) {
    const privacy_node *nd = privacy_kanon_node(kn, nodes[i]);
    if (nd) ix[n++] = (long)(nd - kn->nodes);
  }
  qsort(ix, n, sizeof *ix, cmp_long);
  for (size_t i = 0; i < n; i++) {
    if (i && ix[i] == ix[i - 1]) continue; /* a node listed twice counts once */
    const privacy_node *nd = &kn->nodes[ix[i]];
    for (size_t j = nd->first_unit; j < nd->first_unit + nd->n_units; j++) {
      privacy_unit u;
      privacy_kanon_unit(kn, j, &u);
      privacy_answer_add(out, q, &u);
    }
  }
  free(ix);
  return out->failed ? err_set(e, ERR_NOMEM, "sin memoria para la consulta") : ERR_OK;
}
