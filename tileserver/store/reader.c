/* reader.c — the read side: one read-only connection per worker thread, a catalog snapshot that
 * reloads when the file changed (PRAGMA data_version), and bbox queries over SpatiaLite's R*Tree.
 *
 * The R*Tree is queried directly (SELECT pkid FROM idx_<table>_geom ...), so reading needs no
 * SpatiaLite extension loaded: less start-up work per thread and no SQL functions on the hot path.
 * Statements are prepared once per SQL text and cached on the connection. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store_int.h"

enum { STMT_CACHE = 48 };

typedef struct stmt_slot {
  char *sql;
  sqlite3_stmt *st;
  uint64_t used;  /* clock of last use, for eviction */
} stmt_slot;

struct store_reader {
  sqlite3 *db;
  catalog *cat;
  stmt_slot stmts[STMT_CACHE];
  uint64_t clock;
  bool iter_live;
};

struct store_iter {
  store_reader *r;
  sqlite3_stmt *st;
  const layer_info *layer;
  field_type *types;
  value *values;
  size_t n_values;
  bool with_geometry;
};

err_code store_reader_open(const char *path, store_reader **out, err *e) {
  *out = NULL;
  if (access(path, R_OK) != 0)
    return err_set(e, ERR_IO, "cannot read database %s: %s", path,
                   access(path, F_OK) != 0 ? "no such file" : "permission denied");
  store_reader *r = calloc(1, sizeof *r);
  if (!r) return err_set(e, ERR_NOMEM, "out of memory");
  int rc = sqlite3_open_v2(path, &r->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
  sqlite3_stmt *st = NULL;
  if (rc != SQLITE_OK) {
    err_set(e, ERR_IO, "cannot open database %s: %s", path, sqlite3_errmsg(r->db));
    goto fail;
  }
  sqlite3_busy_timeout(r->db, 5000);
  rc = sqlite3_prepare_v2(r->db,
                          "SELECT count(*) FROM sqlite_master WHERE type='table' AND name IN "
                          "('teselas_layers','teselas_history','geometry_columns')",
                          -1, &st, NULL);
  if (rc != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW) {
    err_set(e, ERR_INVALID, "%s is not a SQLite database (%s)", path, sqlite3_errmsg(r->db));
    goto fail;
  }
  if (sqlite3_column_int(st, 0) != 3) {
    err_set(e, ERR_INVALID,
            "%s is not a teselas database (no SpatiaLite catalog; create one with `teselas "
            "import` or `teselas demo`)",
            path);
    goto fail;
  }
  sqlite3_finalize(st);
  *out = r;
  return ERR_OK;
fail:
  sqlite3_finalize(st);
  sqlite3_close(r->db);
  free(r);
  return e ? e->code : ERR_IO;
}

void store_reader_close(store_reader *r) {
  if (!r) return;
  for (int i = 0; i < STMT_CACHE; i++) {
    sqlite3_finalize(r->stmts[i].st);
    free(r->stmts[i].sql);
  }
  catalog_destroy(r->cat);
  sqlite3_close(r->db);
  free(r);
}

static sqlite3_stmt *stmt_get(store_reader *r, const char *sql, err *e) {
  stmt_slot *victim = &r->stmts[0];
  r->clock++;
  for (int i = 0; i < STMT_CACHE; i++) {
    stmt_slot *s = &r->stmts[i];
    if (s->sql && strcmp(s->sql, sql) == 0) {
      s->used = r->clock;
      sqlite3_reset(s->st);
      sqlite3_clear_bindings(s->st);
      return s->st;
    }
    if (s->used < victim->used) victim = s;
  }
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v3(r->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
    err_set(e, ERR_DB, "query: %s", sqlite3_errmsg(r->db));
    return NULL;
  }
  sqlite3_finalize(victim->st);
  free(victim->sql);
  victim->sql = strdup(sql);
  victim->st = victim->sql ? st : NULL;
  victim->used = r->clock;
  if (!victim->sql) sqlite3_finalize(st);
  return victim->st;
}

static err_code data_version(store_reader *r, int64_t *out, err *e) {
  sqlite3_stmt *st = stmt_get(r, "PRAGMA data_version", e);
  if (!st) return ERR_DB;
  if (sqlite3_step(st) != SQLITE_ROW) return err_set(e, ERR_DB, "%s", sqlite3_errmsg(r->db));
  *out = sqlite3_column_int64(st, 0);
  sqlite3_reset(st);
  return ERR_OK;
}

err_code store_reader_catalog(store_reader *r, const catalog **out, err *e) {
  int64_t dv = 0;
  err_code rc = data_version(r, &dv, e);
  if (rc != ERR_OK) return rc;
  if (!r->cat || r->cat->data_version != dv) {
    catalog *c = NULL;
    if ((rc = store_catalog_load(r->db, &c, e)) != ERR_OK) return rc;
    c->data_version = dv;
    catalog_destroy(r->cat);
    r->cat = c;
  }
  *out = r->cat;
  return ERR_OK;
}

/* Builds "SELECT <cols> FROM t WHERE <bbox> AND <where> ORDER BY .. LIMIT .. OFFSET .." and
 * binds its parameters. count_only selects count(*). */
static sqlite3_stmt *query_prepare(store_reader *r, const store_query *q, bool count_only,
                                   err *e) {
  buf sql;
  buf_init(&sql, 64 * 1024);
  if (count_only) {
    buf_puts(&sql, "SELECT count(*)");
  } else {
    buf_puts(&sql, "SELECT fid, ");
    buf_puts(&sql, q->with_geometry ? "geom" : "NULL");
    for (size_t i = 0; i < q->n_fields; i++) {
      buf_puts(&sql, ", ");
      store_quote_ident(&sql, q->fields[i]);
    }
  }
  buf_puts(&sql, " FROM ");
  store_quote_ident(&sql, q->layer->table_name);
  buf_puts(&sql, " WHERE 1");
  if (q->bbox) {
    buf_puts(&sql, " AND fid IN (SELECT pkid FROM ");
    store_index_name(&sql, q->layer->table_name);
    buf_puts(&sql, " WHERE xmin <= ?1 AND xmax >= ?2 AND ymin <= ?3 AND ymax >= ?4)");
  }
  if (q->after_id > INT64_MIN) buf_puts(&sql, " AND fid > ?5");
  if (q->where_sql) buf_printf(&sql, " AND (%s)", q->where_sql);
  if (!count_only) {
    buf_printf(&sql, " ORDER BY %s", q->order_sql ? q->order_sql : "fid");
    buf_puts(&sql, " LIMIT ?6 OFFSET ?7");
  }
  if (sql.failed) {
    buf_free(&sql);
    err_set(e, ERR_LIMIT, "query too long");
    return NULL;
  }
  sqlite3_stmt *st = stmt_get(r, buf_cstr(&sql), e);
  buf_free(&sql);
  if (!st) return NULL;
  if (q->bbox) {
    sqlite3_bind_double(st, 1, q->bbox[2]);
    sqlite3_bind_double(st, 2, q->bbox[0]);
    sqlite3_bind_double(st, 3, q->bbox[3]);
    sqlite3_bind_double(st, 4, q->bbox[1]);
  }
  if (q->after_id > INT64_MIN) sqlite3_bind_int64(st, 5, q->after_id);
  if (!count_only) {
    sqlite3_bind_int64(st, 6, q->limit < 0 ? -1 : q->limit);
    sqlite3_bind_int64(st, 7, q->offset > 0 ? q->offset : 0);
  }
  /* Parameters of where_sql are numbered from 8 (features/ writes ?8, ?9, ...). */
  for (size_t i = 0; i < q->n_where_args; i++) {
    const value *v = &q->where_args[i];
    int idx = 8 + (int)i;
    switch (v->kind) {
      case VALUE_NULL: sqlite3_bind_null(st, idx); break;
      case VALUE_INT:
      case VALUE_BOOL: sqlite3_bind_int64(st, idx, v->i); break;
      case VALUE_REAL: sqlite3_bind_double(st, idx, v->d); break;
      case VALUE_TEXT: sqlite3_bind_text(st, idx, v->s, (int)v->len, SQLITE_TRANSIENT); break;
    }
  }
  return st;
}

err_code store_query_count(store_reader *r, const store_query *q, int64_t *out, err *e) {
  sqlite3_stmt *st = query_prepare(r, q, true, e);
  if (!st) return e ? e->code : ERR_DB;
  int rc = sqlite3_step(st);
  if (rc != SQLITE_ROW) {
    err_set(e, ERR_DB, "count: %s", sqlite3_errmsg(r->db));
    sqlite3_reset(st);
    return ERR_DB;
  }
  *out = sqlite3_column_int64(st, 0);
  sqlite3_reset(st);
  return ERR_OK;
}

err_code store_query_start(store_reader *r, const store_query *q, store_iter **out, err *e) {
  *out = NULL;
  if (r->iter_live) return err_set(e, ERR_INTERNAL, "a query is already running on this reader");
  store_iter *it = calloc(1, sizeof *it);
  if (!it) return err_set(e, ERR_NOMEM, "out of memory");
  it->values = calloc(q->n_fields + 1, sizeof *it->values);
  it->types = calloc(q->n_fields + 1, sizeof *it->types);
  if (!it->values || !it->types) {
    store_iter_close(it);
    return err_set(e, ERR_NOMEM, "out of memory");
  }
  for (size_t i = 0; i < q->n_fields; i++) {
    const layer_field *f = layer_find_field(q->layer, q->fields[i]);
    it->types[i] = f ? f->type : FIELD_TEXT;
  }
  it->st = query_prepare(r, q, false, e);
  if (!it->st) {
    store_iter_close(it);
    return e ? e->code : ERR_DB;
  }
  it->r = r;
  it->layer = q->layer;
  it->n_values = q->n_fields;
  it->with_geometry = q->with_geometry;
  r->iter_live = true;
  *out = it;
  return ERR_OK;
}

static void column_value(sqlite3_stmt *st, int col, field_type type, value *v) {
  memset(v, 0, sizeof *v);
  switch (sqlite3_column_type(st, col)) {
    case SQLITE_NULL: v->kind = VALUE_NULL; break;
    case SQLITE_INTEGER:
      v->kind = type == FIELD_BOOLEAN ? VALUE_BOOL : VALUE_INT;
      v->i = sqlite3_column_int64(st, col);
      if (type == FIELD_REAL) {
        v->kind = VALUE_REAL;
        v->d = (double)v->i;
      }
      break;
    case SQLITE_FLOAT:
      v->kind = VALUE_REAL;
      v->d = sqlite3_column_double(st, col);
      break;
    default:
      v->kind = VALUE_TEXT;
      v->s = (const char *)sqlite3_column_text(st, col);
      v->len = (size_t)sqlite3_column_bytes(st, col);
      if (!v->s) v->kind = VALUE_NULL;
  }
}

int store_iter_next(store_iter *it, store_feature *out, err *e) {
  int rc = sqlite3_step(it->st);
  if (rc == SQLITE_DONE) return 0;
  if (rc != SQLITE_ROW) {
    err_set(e, ERR_DB, "query: %s", sqlite3_errmsg(it->r->db));
    return -1;
  }
  out->id = sqlite3_column_int64(it->st, 0);
  out->blob = it->with_geometry ? sqlite3_column_blob(it->st, 1) : NULL;
  out->blob_len = it->with_geometry ? (size_t)sqlite3_column_bytes(it->st, 1) : 0;
  for (size_t i = 0; i < it->n_values; i++)
    column_value(it->st, 2 + (int)i, it->types[i], &it->values[i]);
  out->values = it->values;
  out->n_values = it->n_values;
  return 1;
}

void store_iter_close(store_iter *it) {
  if (!it) return;
  if (it->st) sqlite3_reset(it->st);
  if (it->r) it->r->iter_live = false;
  free(it->values);
  free(it->types);
  free(it);
}
