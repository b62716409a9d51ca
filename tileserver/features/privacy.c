/* privacy.c — the features API under a layer's privacy policy: reading the policy, and the
 * counts of an aggregate layer answered only from its published units.
 *
 * An aggregate layer's records never reached the database; what did is, per node of its
 * hierarchy (cells, blocks of cells, the root), the counts that passed k-anonymity
 * (privacy/kanon.h). An answer takes the cover of the box (the coarsest nodes it holds wholly,
 * then the cells it meets) and sums their published units of one level (privacy_answer_add), so
 * a box holding the whole city reads the city's own counts, not the sum of what its small cells
 * could publish. The answer says what it withheld: the units (suppressed_groups), the records
 * the grouping left out of the nodes it counts (withheld_records: each node's own count minus
 * its published groups, a sum of remainders that are 0 or >= k), and the cover's nodes whose
 * own count is withheld (withheld_cells; their records are in no figure). The group-by-SQL path
 * of aggregate.c serves the other layers, whose records are published one by one anyway.
 *
 * Error messages name parameters, never echo their values. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "features/features_int.h"
#include "privacy/kanon.h"
#include "privacy/policy.h"

err_code features_layer_policy(const layer_info *l, privacy_policy *out, err *e) {
  err local;
  if (privacy_policy_from_json(l->privacy, out, &local) == ERR_OK) return ERR_OK;
  return err_set(e, ERR_NOT_FOUND, "collection %s is not available", l->id);
}

bool features_layer_is_aggregate(const layer_info *l) {
  privacy_policy p;
  return features_layer_policy(l, &p, NULL) == ERR_OK && p.mode == PRIVACY_MODE_AGGREGATE;
}

/* A parsed /aggregate request on an aggregate layer. */
typedef struct units_request {
  privacy_policy policy;
  bool has_bbox;
  double bbox[4];
  privacy_group_by by;
  const char *by_name;      /* as asked */
  const char *filter[PRIVACY_MAX_BY];
  size_t n_filter;
  buf category;             /* the filter's category key: values joined with U+001F */
} units_request;

static int by_index(const privacy_policy *p, const char *name) {
  for (size_t i = 0; i < p->n_by; i++)
    if (strcmp(p->by[i], name) == 0) return (int)i;
  return -1;
}

static err_code parse_by(units_request *u, const char *v, err *e) {
  const privacy_policy *p = &u->policy;
  u->by_name = v;
  if (strcmp(v, "month") == 0 && p->date_field[0]) u->by = PRIVACY_BY_MONTH;
  else if ((strcmp(v, "category") == 0 && p->n_by) || (p->n_by == 1 && by_index(p, v) == 0))
    u->by = PRIVACY_BY_CATEGORY;
  else if (!p->n_by && !p->date_field[0])
    return err_set(e, ERR_INVALID,
                   "by: this layer publishes totals only: its privacy policy keeps no counts by "
                   "field or month (a policy with by=FIELD or date=FIELD does)");
  else
    return err_set(e, ERR_INVALID, "by: this layer publishes counts by %s%s%s",
                   p->n_by == 1 ? p->by[0] : p->n_by ? "category" : "",
                   p->n_by && p->date_field[0] ? " or " : "", p->date_field[0] ? "month" : "");
  return ERR_OK;
}

/* bbox=minx,miny,maxx,maxy (CRS84; minx > maxx crosses the antimeridian), as for the items. */
static err_code parse_bbox(const char *v, double b[4], err *e) {
  const char *p = v;
  for (int i = 0; i < 4; i++) {
    char *end = NULL;
    b[i] = strtod(p, &end);
    if (end == p || !isfinite(b[i]) || fabs(b[i]) > (i % 2 ? 90.0 : 180.0) ||
        (i < 3 && *end != ',') || (i == 3 && *end))
      return err_set(e, ERR_INVALID, "bbox: needs 4 numbers minx,miny,maxx,maxy (lon/lat, CRS84)");
    p = end + 1;
  }
  if (b[1] > b[3]) return err_set(e, ERR_INVALID, "bbox: miny is greater than maxy");
  return ERR_OK;
}

static err_code parse_arg(units_request *u, const features_kv *a, err *e) {
  if (strcmp(a->key, "f") == 0) {
    if (strcmp(a->value, "json") != 0) return err_set(e, ERR_INVALID, "f: only json here");
    return ERR_OK;
  }
  if (strcmp(a->key, "bbox") == 0) {
    u->has_bbox = true;
    return parse_bbox(a->value, u->bbox, e);
  }
  if (strcmp(a->key, "by") == 0) return parse_by(u, a->value, e);
  int i = by_index(&u->policy, a->key);
  if (i < 0)
    return err_set(e, ERR_INVALID, "%.64s: counts of this layer are filtered only by bbox%s",
                   a->key, u->policy.n_by ? " and its category fields" : "");
  u->filter[i] = a->value;
  u->n_filter++;
  return ERR_OK;
}

static err_code parse_units(const layer_info *l, const features_kv *args, size_t n_args,
                            units_request *u, err *e) {
  err_code rc = features_layer_policy(l, &u->policy, e);
  for (size_t i = 0; i < n_args && rc == ERR_OK; i++) {
    for (size_t j = 0; j < i; j++)
      if (strcmp(args[i].key, args[j].key) == 0)
        return err_set(e, ERR_INVALID, "%.64s: repeated", args[i].key);
    rc = parse_arg(u, &args[i], e);
  }
  if (rc != ERR_OK || !u->n_filter) return rc;
  if (u->n_filter != u->policy.n_by)
    return err_set(e, ERR_INVALID, "%s: a category filter names every category field",
                   u->policy.by[0]);
  for (size_t i = 0; i < u->policy.n_by; i++) {
    if (i) buf_puts(&u->category, "\x1f");
    buf_puts(&u->category, u->filter[i]);
  }
  return u->category.failed ? err_set(e, ERR_NOMEM, "out of memory") : ERR_OK;
}

/* The cover of the box: node keys, owned (malloc'd) by the list. */
typedef struct cover {
  char **keys;
  size_t n, cap;
  const double *bbox;
  bool failed;
} cover;

static int on_node(void *ctx, const store_agg_node_row *n) {
  cover *c = ctx;
  if (!privacy_cover_takes(c->bbox, n->bbox, n->has_parent ? n->parent_bbox : NULL, n->tier))
    return 0;
  if (c->n == c->cap) {
    size_t cap = c->cap ? c->cap * 2 : 64;
    char **k = realloc(c->keys, cap * sizeof *k);
    if (!k) return c->failed = true, 1;
    c->keys = k;
    c->cap = cap;
  }
  if (!(c->keys[c->n] = strdup(n->node))) return c->failed = true, 1;
  c->n++;
  return 0;
}

static void cover_free(cover *c) {
  for (size_t i = 0; i < c->n; i++) free(c->keys[i]);
  free(c->keys);
}

typedef struct units_ctx {
  privacy_answer answer;
  privacy_query q;
} units_ctx;

static int on_unit(void *ctx, const store_agg_unit *su) {
  units_ctx *c = ctx;
  privacy_unit u = {(privacy_level)su->level, 0, su->node, su->category, su->month, su->count,
                    su->published};
  return privacy_answer_add(&c->answer, &c->q, &u) ? 0 : 1;
}

static void write_answer(const layer_info *l, const units_request *u, const units_ctx *c,
                         buf *out) {
  buf_puts(out, "{\"collection\":");
  buf_json_str(out, l->id);
  if (u->by_name) {
    buf_puts(out, ",\"by\":");
    buf_json_str(out, u->by_name);
  }
  buf_puts(out, ",\"groups\":[");
  for (size_t i = 0; i < c->answer.n_groups; i++) {
    buf_puts(out, i ? ",{\"key\":" : "{\"key\":");
    buf_json_str(out, c->answer.groups[i].key);
    buf_puts(out, ",\"count\":");
    features_put_int(out, c->answer.groups[i].count);
    buf_putc(out, '}');
  }
  const privacy_answer *a = &c->answer;
  buf_printf(out, "],\"total\":%lld,\"suppressed_groups\":%lld,\"withheld_records\":%lld,"
             "\"withheld_cells\":%lld,\"min_count\":%lld,\"k\":%lld,"
             "\"source\":\"published_units\"}\n", (long long)a->total,
             (long long)a->suppressed_groups, (long long)(a->base - a->total),
             (long long)a->hidden_nodes, (long long)u->policy.k, (long long)u->policy.k);
}

/* The answer: the cover of the box (privacy_cover_takes), then the units of the query's level
 * and base level of each node of it. */
static err_code answer_units(store_reader *rd, const layer_info *l, const units_request *u,
                             units_ctx *c, err *e) {
  cover cv = {.bbox = u->has_bbox ? u->bbox : NULL};
  err_code rc = store_agg_nodes_scan(rd, l, cv.bbox, on_node, &cv, e);
  if (rc == ERR_OK && cv.failed) rc = err_set(e, ERR_NOMEM, "out of memory");
  bool filtered = c->q.category != NULL;
  int level = (int)privacy_query_level(c->q.by, filtered);
  int base = (int)privacy_query_base_level(filtered);
  for (size_t i = 0; i < cv.n && rc == ERR_OK; i++) {
    rc = store_agg_units_scan(rd, l, cv.keys[i], base, level, c->q.category, on_unit, c, e);
    if (rc == ERR_OK && c->answer.failed) rc = err_set(e, ERR_NOMEM, "out of memory");
  }
  cover_free(&cv);
  return rc;
}

err_code features_units_write(store_reader *rd, const layer_info *l, const features_kv *args,
                              size_t n_args, buf *out, err *e) {
  units_request u = {0};
  buf_init(&u.category, 4096);
  err_code rc = parse_units(l, args, n_args, &u, e);
  units_ctx c = {0};
  privacy_answer_init(&c.answer);
  c.q = (privacy_query){.by = u.by, .category = u.n_filter ? buf_cstr(&u.category) : NULL};
  if (rc == ERR_OK) rc = answer_units(rd, l, &u, &c, e);
  if (rc == ERR_OK) write_answer(l, &u, &c, out);
  if (rc == ERR_OK && out->failed) rc = err_set(e, ERR_LIMIT, "the answer is too large");
  privacy_answer_free(&c.answer);
  buf_free(&u.category);
  return rc;
}
