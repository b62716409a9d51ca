/* diff_scan.c — one version table read in the order a diff merges it: by the source's id (as
 * text, NULL ids first) and then by content, or by content alone when there is no id. Each row
 * comes with a hash of its geometry, a hash of its compared fields and its box, so two versions
 * are compared by walking both cursors side by side (versions/diff.c) in the memory of two rows,
 * whatever their size: SQLite's sorter spills to temporary files past its cache, where a hash
 * table of 131,141 rows would hold ~10 MB per request.
 *
 * The hashes are teselas_diff_hash(), an SQL function of the reader's connection: FNV-1a 64 over
 * each argument's type (NULL or not) and text, finished by hash_mix64. Text, not storage class,
 * so a value reads the same in both versions whether SQLite kept it as 5 or 5.0 only when its
 * text does: a field's values are compared as they are shown. */
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "store/store_int.h"

void store_sql_diff_hash(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  uint64_t h = HASH_FNV64_SEED;
  for (int i = 0; i < argc; i++) {
    int type = sqlite3_value_type(argv[i]);
    uint8_t tag = type == SQLITE_NULL ? 0 : 1;
    h = hash_fnv64(h, &tag, 1);
    if (type == SQLITE_BLOB) {
      h = hash_fnv64(h, sqlite3_value_blob(argv[i]), (size_t)sqlite3_value_bytes(argv[i]));
    } else if (type != SQLITE_NULL) {
      const unsigned char *t = sqlite3_value_text(argv[i]);
      h = hash_fnv64(h, t, (size_t)sqlite3_value_bytes(argv[i]));
    }
    uint8_t sep = 0xff; /* ("ab","c") and ("a","bc") differ */
    h = hash_fnv64(h, &sep, 1);
  }
  sqlite3_result_int64(ctx, (sqlite3_int64)hash_mix64(h));
}

struct store_diff_cursor {
  sqlite3_stmt *st;
  bool keyed;
  sqlite3 *own_db;  /* over PostgreSQL: the version's private copy (pg_diff.c) */
  void *own_spl;
};

/* teselas_diff_hash("f1", "f2", ...) over the compared fields (the geometry first when asked) */
static void hash_call(buf *sql, const store_diff_spec *s, bool with_geom) {
  buf_puts(sql, "teselas_diff_hash(");
  if (with_geom) buf_puts(sql, "geom");
  for (size_t i = 0; i < s->n_fields; i++) {
    if (with_geom || i) buf_puts(sql, ", ");
    store_quote_ident(sql, s->fields[i]);
  }
  if (!with_geom && !s->n_fields) buf_puts(sql, "NULL");
  buf_puts(sql, ")");
}

err_code store_diff_open(store_reader *r, const store_diff_spec *s, store_diff_cursor **out,
                         err *e) {
  *out = NULL;
  store_diff_cursor *c = calloc(1, sizeof *c);
  if (!c) return err_set(e, ERR_NOMEM, "out of memory");
  sqlite3 *db = store_reader_db(r);
  if (store_reader_pg(r)) {
    err_code prc = store_pg_diff_db(store_reader_pg(r), s->table, &c->own_db, &c->own_spl, e);
    if (prc != ERR_OK) {
      store_diff_close(c);
      return prc;
    }
    db = c->own_db;
  }
  c->keyed = s->key_field != NULL && !s->fid_order;
  buf sql;
  buf_init(&sql, 0);
  buf_puts(&sql, "SELECT fid, ");
  if (c->keyed) {
    buf_puts(&sql, "CAST(");
    store_quote_ident(&sql, s->key_field);
    buf_puts(&sql, " AS TEXT)");
  } else {
    buf_puts(&sql, "NULL");
  }
  if (s->content_only) {
    buf_puts(&sql, " AS k, NULL, NULL, geom, ");
  } else {
    buf_puts(&sql, " AS k, teselas_diff_hash(geom), ");
    hash_call(&sql, s, false);
    buf_puts(&sql, ", geom, ");
  }
  hash_call(&sql, s, true);
  buf_puts(&sql, " AS c FROM ");
  store_quote_ident(&sql, s->table);
  /* by fid, SQLite walks the fid index and reads each row where it is, instead of sorting whole
   * rows, geometries included, as a key's text needs: the seed's walk of the demo's two park
   * versions (640 rows) 5.5 M -> 4.2 M instructions (callgrind, bench/seed/incremental.sh) */
  buf_puts(&sql, s->fid_order ? " ORDER BY fid"
                 : c->keyed   ? " ORDER BY k, c, fid"
                              : " ORDER BY c, fid");
  err_code rc = ERR_OK;
  if (sql.failed) rc = err_set(e, ERR_NOMEM, "out of memory");
  else if (sqlite3_prepare_v2(db, buf_cstr(&sql), -1, &c->st, NULL) != SQLITE_OK)
    rc = err_set(e, ERR_DB, "version table %s: %s", s->table, sqlite3_errmsg(db));
  buf_free(&sql);
  if (rc != ERR_OK) {
    store_diff_close(c);
    return rc;
  }
  *out = c;
  return ERR_OK;
}

int store_diff_next(store_diff_cursor *c, store_diff_row *out, err *e) {
  int step = sqlite3_step(c->st);
  if (step == SQLITE_DONE) return 0;
  if (step != SQLITE_ROW) {
    /* past the request's deadline (or on a damaged or locked file) a 503 that says why, not a 500 */
    store_read_error(sqlite3_db_handle(c->st), NULL, "diff", e);
    return -1;
  }
  sqlite3_stmt *st = c->st;
  out->fid = sqlite3_column_int64(st, 0);
  out->has_key = sqlite3_column_type(st, 1) != SQLITE_NULL;
  out->key = out->has_key ? (const char *)sqlite3_column_text(st, 1) : NULL;
  out->key_len = out->has_key ? (size_t)sqlite3_column_bytes(st, 1) : 0;
  out->geom_hash = (uint64_t)sqlite3_column_int64(st, 2);
  out->attr_hash = (uint64_t)sqlite3_column_int64(st, 3);
  out->content_hash = (uint64_t)sqlite3_column_int64(st, 5);
  out->has_bbox = sqlite3_column_type(st, 4) == SQLITE_BLOB &&
                  store_blob_mbr(sqlite3_column_blob(st, 4), sqlite3_column_bytes(st, 4),
                                 out->bbox) != 0;
  return 1;
}

void store_diff_close(store_diff_cursor *c) {
  if (!c) return;
  sqlite3_finalize(c->st);
  store_pg_diff_db_close(c->own_db, c->own_spl);
  free(c);
}
