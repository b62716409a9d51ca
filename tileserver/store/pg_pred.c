/* pg_pred.c — a predicate tree (query/query.h) compiled to a PostgreSQL condition, as
 * sql_pred.c compiles it for SpatiaLite: identifiers from the tree's field names (checked by the
 * parser) quoted, every literal a parameter, so no value reaches the SQL text.
 *
 * Where the two SQL dialects differ, the form here gives SpatiaLite's answer:
 *   literals  SQLite compares a column with a literal after giving the literal the column's
 *             affinity; PostgreSQL refuses to compare text with a number. So a literal is cast
 *             to its column's kind: a number against a text field is its text (as SQLite
 *             writes it), a numeric text against a number field is a number. A non-numeric text
 *             against a number field (SQLite: never equal) becomes NULL, which matches nothing.
 *   LIKE      PostgreSQL's LIKE is case-sensitive and takes '\' as its escape, as CQL2 does, so
 *             the pattern goes as it is (SpatiaLite needs it as a GLOB).
 *   SPATIAL   ST_<op>(geom, ST_GeomFromText($n, 4326)), PostGIS's functions of the same names;
 *             PostGIS uses the GiST index for the operators that imply the boxes meet.
 *   TIME      dates are ISO 8601 text in both: a date-only bound compares as text, a bound with
 *             a time through teselas_jd() (created with the catalog: pg_copy.c), which is
 *             SQLite's julianday(): NULL for text that is no date.
 *   FID_IN    fid = ANY($n::int8[]): one text for every list, one prepared statement. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/pg_int.h"

static const char *const CMP_SQL[] = {"=", "<>", "<", "<=", ">", ">="};
static const char *const SPATIAL_SQL[] = {"ST_Intersects", "ST_Disjoint", "ST_Within",
                                          "ST_Contains",   "ST_Equals",   "ST_Touches",
                                          "ST_Crosses",    "ST_Overlaps"};

typedef struct pg_pred {
  buf *sql;
  store_pg_args *args;
  const layer_info *l;
} pg_pred;

static bool numeric_field(const layer_info *l, const char *field) {
  const layer_field *f = field ? layer_find_field(l, field) : NULL;
  return f && (f->type == FIELD_INTEGER || f->type == FIELD_REAL || f->type == FIELD_BOOLEAN);
}

/* A real as SQLite writes it as text ("%!.15g": always with a decimal point). */
static void sqlite_real_text(double d, char out[40]) {
  snprintf(out, 40, "%.15g", d);
  if (!strpbrk(out, ".eEn")) strcat(out, ".0");
}

static bool numeric_text(const char *s, double *out) {
  char *end = NULL;
  while (isspace((unsigned char)*s)) s++;
  if (!*s) return false;
  *out = strtod(s, &end);
  while (end && isspace((unsigned char)*end)) end++;
  return end && !*end;
}

/* A literal as the parameter of a comparison with field `against` (NULL: none). */
static void literal(pg_pred *c, const value *v, const char *against) {
  store_pg_args *a = c->args;
  char tmp[40];
  bool num_field = numeric_field(c->l, against), text_field = against && !num_field;
  double d;
  int n;
  switch (v->kind) {
    case VALUE_NULL: buf_puts(c->sql, "NULL"); return;
    case VALUE_INT:
    case VALUE_BOOL:
      n = store_pg_argf(a, "%lld", (long long)v->i);
      buf_printf(c->sql, text_field ? "$%d::text" : "$%d::int8", n);
      return;
    case VALUE_REAL:
      if (text_field) sqlite_real_text(v->d, tmp);
      else snprintf(tmp, sizeof tmp, "%.17g", v->d);
      buf_printf(c->sql, text_field ? "$%d::text" : "$%d::float8", store_pg_arg(a, tmp));
      return;
    case VALUE_TEXT:
      if (!num_field) {
        buf_printf(c->sql, "$%d::text", store_pg_arg(a, v->s ? v->s : ""));
      } else if (v->s && numeric_text(v->s, &d)) {
        snprintf(tmp, sizeof tmp, "%.17g", d);
        buf_printf(c->sql, "$%d::float8", store_pg_arg(a, tmp));
      } else {
        buf_puts(c->sql, "NULL::float8");
      }
      return;
  }
}

static void operand(pg_pred *c, const query_operand *o, const char *against) {
  if (o->field) store_quote_ident(c->sql, o->field);
  else literal(c, &o->lit, against);
}

static void comparison(pg_pred *c, const query_pred *p) {
  buf *sql = c->sql;
  const char *f = p->ops[0].field;
  buf_putc(sql, '(');
  operand(c, &p->ops[0], p->ops[1].field);
  switch (p->kind) {
    case QUERY_CMP:
      buf_printf(sql, " %s ", CMP_SQL[p->cmp]);
      operand(c, &p->ops[1], f);
      break;
    case QUERY_BETWEEN:
      buf_puts(sql, p->neg ? " NOT BETWEEN " : " BETWEEN ");
      operand(c, &p->ops[1], f);
      buf_puts(sql, " AND ");
      operand(c, &p->ops[2], f);
      break;
    case QUERY_IN:
      buf_puts(sql, p->neg ? " NOT IN (" : " IN (");
      for (size_t i = 1; i < p->n_ops; i++) {
        if (i > 1) buf_puts(sql, ", ");
        operand(c, &p->ops[i], f);
      }
      buf_putc(sql, ')');
      break;
    default: buf_puts(sql, p->neg ? " IS NOT NULL" : " IS NULL"); break;
  }
  buf_putc(sql, ')');
}

static void like(pg_pred *c, const query_pred *p) {
  buf_puts(c->sql, p->neg ? "NOT (" : "(");
  if (p->ops[0].field) {
    store_quote_ident(c->sql, p->ops[0].field);
    buf_puts(c->sql, "::text");
  } else {
    literal(c, &p->ops[0].lit, NULL);
    buf_puts(c->sql, "::text");
  }
  int n = store_pg_arg(c->args, p->ops[1].lit.s ? p->ops[1].lit.s : "");
  buf_printf(c->sql, " LIKE $%d::text)", n);
}

static void spatial(pg_pred *c, const query_pred *p) {
  const query_geom *a = &p->geoms[0], *b = &p->geoms[1];
  const char *op = SPATIAL_SQL[p->sop];
  buf_printf(c->sql, "%s(", op);
  for (int i = 0; i < 2; i++) {
    const query_geom *g = i ? b : a;
    if (i) buf_puts(c->sql, ", ");
    if (g->wkt)
      buf_printf(c->sql, "ST_GeomFromText($%d::text, 4326)", store_pg_arg(c->args, g->wkt));
    else
      buf_puts(c->sql, "t.geom");
  }
  buf_putc(c->sql, ')');
}

static void time_bound(pg_pred *c, const char *field, const char *op, const char *t, bool julian) {
  char date[16];
  snprintf(date, sizeof date, "%.10s", t);
  int n = store_pg_arg(c->args, julian ? t : date);
  buf_puts(c->sql, julian ? " AND teselas_jd(" : " AND ");
  store_quote_ident(c->sql, field);
  if (julian) buf_printf(c->sql, "::text) %s teselas_jd($%d::text)", op, n);
  else buf_printf(c->sql, "::text %s $%d::text", op, n);
}

static void time_interval(pg_pred *c, const query_pred *p) {
  buf_putc(c->sql, '(');
  store_quote_ident(c->sql, p->time_field);
  buf_puts(c->sql, " IS NOT NULL");
  if (p->has_lo)
    time_bound(c, p->time_field, ">=", p->lo.text, !p->time_is_date && p->lo.has_time);
  if (p->has_hi) {
    if (p->time_is_date) {
      time_bound(c, p->time_field, "<=", p->hi.text, false);
    } else if (!p->hi.has_time) {
      char next[32];
      store_next_day(p->hi.text, next);
      time_bound(c, p->time_field, "<", next, false);
    } else {
      time_bound(c, p->time_field, "<=", p->hi.text, true);
    }
  }
  buf_putc(c->sql, ')');
}

static void fid_in(pg_pred *c, const query_pred *p) {
  buf ids;
  buf_init(&ids, 0);
  buf_putc(&ids, '{');
  for (size_t i = 0; i < p->n_ids; i++)
    buf_printf(&ids, "%s%lld", i ? "," : "", (long long)p->ids[i]);
  buf_putc(&ids, '}');
  int n = ids.failed ? 0 : store_pg_arg(c->args, buf_cstr(&ids));
  if (ids.failed) c->args->nomem = true;
  buf_free(&ids);
  buf_printf(c->sql, "(t.fid = ANY($%d::int8[]))", n);
}

static void node(pg_pred *c, const query_pred *p, bool top) {
  switch (p->kind) {
    case QUERY_TRUE: buf_puts(c->sql, "true"); return;
    case QUERY_FALSE: buf_puts(c->sql, "false"); return;
    case QUERY_AND:
    case QUERY_OR:
      if (!top) buf_putc(c->sql, '(');
      for (size_t i = 0; i < p->n_kids; i++) {
        if (i) buf_puts(c->sql, p->kind == QUERY_AND ? " AND " : " OR ");
        node(c, p->kids[i], false);
      }
      if (!top) buf_putc(c->sql, ')');
      return;
    case QUERY_NOT:
      buf_puts(c->sql, "NOT (");
      node(c, p->kids[0], true);
      buf_putc(c->sql, ')');
      return;
    case QUERY_LIKE: like(c, p); return;
    case QUERY_CMP:
    case QUERY_BETWEEN:
    case QUERY_IN:
    case QUERY_IS_NULL: comparison(c, p); return;
    case QUERY_SPATIAL: spatial(c, p); return;
    case QUERY_TIME: time_interval(c, p); return;
    case QUERY_FID_IN: fid_in(c, p); return;
  }
}

void store_pg_pred(buf *sql, store_pg_args *args, const layer_info *l, const query_pred *p) {
  pg_pred c = {.sql = sql, .args = args, .l = l};
  if (p) node(&c, p, p->kind == QUERY_AND);
}

/* SQLite puts NULLs first in ascending order and last in descending order; PostgreSQL the
 * other way round, unless told. */
void store_pg_order(buf *sql, const query_sort *keys, size_t n) {
  store_order_keys(sql, keys, n, "t.fid", " ASC NULLS FIRST", " DESC NULLS LAST");
}
