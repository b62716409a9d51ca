/* check.c — `teselas check`: SQLite's integrity check, then each kept layer version read end to
 * end and compared with its spatial index, the catalog and the history.
 *
 * SQLite's own check names b-trees by root page, not layers; a damaged page of one version's
 * table is attributed here to that layer and version (its table, indexes, R*Tree shadow tables
 * and ranked lines), so an operator knows what to roll back or re-import. The reads go through
 * a read-only connection without SpatiaLite: a corrupt page is then an error of one statement,
 * never of the checker. It does not repair anything. */
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/check.h"
#include "store/store_int.h"

/* A kept version: the table holding its rows and what the history and catalog say of them. */
typedef struct check_version {
  char layer[64];
  int64_t version;
  char table[128];
  int64_t history_count;
  bool has_snapshot;       /* the history's copy of the catalog entry (bounds) */
  double snapshot_bounds[4];
  double snapshot_grid_m;  /* its privacy policy's grid: its bounds are rounded to it (0: none) */
  bool current;            /* the catalog points at it */
  int64_t catalog_count;
  double catalog_bounds[4];
  double catalog_grid_m;
} check_version;

typedef struct check_ctx {
  sqlite3 *db;
  store_check_result *out;
  check_version *versions;
  size_t n_versions;
} check_ctx;

#define issue store_check_note

void store_check_note(store_check_result *r, const char *layer, int64_t version, const char *fmt,
                      ...) {
  if (r->n_issues == r->cap_issues) {
    size_t cap = r->cap_issues ? r->cap_issues * 2 : 16;
    store_check_issue *n = realloc(r->issues, cap * sizeof *n);
    if (!n) {
      r->nomem = true;
      return;
    }
    r->issues = n;
    r->cap_issues = cap;
  }
  store_check_issue *i = &r->issues[r->n_issues++];
  snprintf(i->layer, sizeof i->layer, "%s", layer ? layer : "");
  i->version = version;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(i->what, sizeof i->what, fmt, ap);
  va_end(ap);
}

void store_check_result_free(store_check_result *r) {
  if (!r) return;
  free(r->issues);
  memset(r, 0, sizeof *r);
}

/* The version owning schema object `name` (of table tbl): its table, the table's indexes, its
 * R*Tree and shadow tables, its ranked lines. NULL when none does. */
static const check_version *owner_of(const check_ctx *c, const char *name, const char *tbl) {
  const check_version *best = NULL;
  size_t best_len = 0;
  for (size_t i = 0; i < c->n_versions; i++) {
    const char *t = c->versions[i].table;
    size_t n = strlen(t);
    char rtree[160];
    snprintf(rtree, sizeof rtree, "idx_%s_geom", t);
    bool mine = strcmp(name, t) == 0 || (tbl && strcmp(tbl, t) == 0) ||
                strncmp(name, rtree, strlen(rtree)) == 0 ||
                (strncmp(name, t, n) == 0 && strncmp(name + n, "_tile_lines", 11) == 0) ||
                (tbl && strncmp(tbl, t, n) == 0 && strncmp(tbl + n, "_tile_lines", 11) == 0);
    if (mine && n > best_len) { /* lyr_a_v1 is a prefix of lyr_a_v10: the longest wins */
      best = &c->versions[i];
      best_len = n;
    }
  }
  return best;
}

/* Attributes a line of integrity_check ("Tree 12 page 34 ...", "... in index NAME") to a version
 * through the schema's root pages. */
static void integrity_line(check_ctx *c, const char *line) {
  const check_version *v = NULL;
  char obj[128] = "";
  int root = 0;
  const char *p;
  if (sscanf(line, "Tree %d ", &root) == 1 || ((p = strstr(line, " Tree ")) &&
                                              sscanf(p, " Tree %d ", &root) == 1)) {
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(c->db, "SELECT name, tbl_name FROM sqlite_master WHERE rootpage=?", -1,
                           &st, NULL) == SQLITE_OK) {
      sqlite3_bind_int(st, 1, root);
      if (sqlite3_step(st) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        const char *tbl = (const char *)sqlite3_column_text(st, 1);
        snprintf(obj, sizeof obj, "%s", name ? name : "");
        if (name) v = owner_of(c, name, tbl);
      }
    }
    sqlite3_finalize(st);
  } else if ((p = strstr(line, " index ")) != NULL) {
    snprintf(obj, sizeof obj, "%s", p + 7);
    v = owner_of(c, obj, NULL);
  }
  if (v)
    issue(c->out, v->layer, v->version, "integrity check (%s): %s", obj, line);
  else if (obj[0])
    issue(c->out, "", 0, "integrity check (%s): %s", obj, line);
  else
    issue(c->out, "", 0, "integrity check: %s", line);
}

static void run_integrity(check_ctx *c, bool quick) {
  sqlite3_stmt *st = NULL;
  /* 100 lines at most: past that they say the same thing about the same pages */
  const char *sql = quick ? "PRAGMA quick_check(100)" : "PRAGMA integrity_check(100)";
  if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK) {
    issue(c->out, "", 0, "%s: %s", quick ? "quick_check" : "integrity_check",
          sqlite3_errmsg(c->db));
    return;
  }
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    const char *line = (const char *)sqlite3_column_text(st, 0);
    if (!line) continue;
    if (strcmp(line, "ok") == 0) {
      c->out->integrity_ok = true;
      continue;
    }
    /* one row may hold several lines */
    char *copy = strdup(line);
    if (!copy) {
      c->out->nomem = true;
      break;
    }
    char *save = NULL;
    for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
      if (strncmp(l, "*** in database", 15) != 0) integrity_line(c, l);
    free(copy);
  }
  if (rc != SQLITE_DONE)
    issue(c->out, "", 0, "%s stopped: %s", quick ? "quick_check" : "integrity_check",
          sqlite3_errmsg(c->db));
  sqlite3_finalize(st);
}

static bool table_exists(sqlite3 *db, const char *name) {
  sqlite3_stmt *st = NULL;
  bool yes = false;
  if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", -1, &st,
                         NULL) == SQLITE_OK) {
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    yes = sqlite3_step(st) == SQLITE_ROW;
  }
  sqlite3_finalize(st);
  return yes;
}

static bool column_exists(sqlite3 *db, const char *table, const char *column) {
  char sql[160];
  snprintf(sql, sizeof sql, "SELECT 1 FROM pragma_table_info('%s') WHERE name=?", table);
  sqlite3_stmt *st = NULL;
  bool yes = false;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
    sqlite3_bind_text(st, 1, column, -1, SQLITE_STATIC);
    yes = sqlite3_step(st) == SQLITE_ROW;
  }
  sqlite3_finalize(st);
  return yes;
}

/* The kept versions (history rows with a table), with the catalog's entry for the current one. */
static err_code load_versions(check_ctx *c, err *e) {
  if (!table_exists(c->db, "teselas_history") || !table_exists(c->db, "teselas_layers")) {
    issue(c->out, "", 0, "not a teselas database: the catalog tables are missing");
    return ERR_OK;
  }
  bool snap = column_exists(c->db, "teselas_history", "catalog");
  char sql[1024];
  snprintf(sql, sizeof sql,
           "SELECT h.layer_id, h.version, h.table_name, h.feature_count, %s,"
           " l.version = h.version, l.feature_count, l.minx, l.miny, l.maxx, l.maxy,"
           " CASE WHEN json_valid(l.privacy) THEN json_extract(l.privacy, '$.grid_m') END, %s"
           " FROM teselas_history h LEFT JOIN teselas_layers l ON l.id = h.layer_id"
           " WHERE h.table_name <> '' ORDER BY h.layer_id, h.version",
           snap ? "h.catalog IS NOT NULL, json_extract(h.catalog, '$.minx'),"
                  " json_extract(h.catalog, '$.miny'), json_extract(h.catalog, '$.maxx'),"
                  " json_extract(h.catalog, '$.maxy')"
                : "0, 0, 0, 0, 0",
           snap ? "CASE WHEN json_valid(h.catalog) THEN json_extract(h.catalog,"
                  " '$.privacy.grid_m') END"
                : "0");
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK) {
    issue(c->out, "", 0, "the history cannot be read: %s", sqlite3_errmsg(c->db));
    return ERR_OK;
  }
  size_t cap = 0;
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    if (c->n_versions == cap) {
      cap = cap ? cap * 2 : 32;
      check_version *n = realloc(c->versions, cap * sizeof *n);
      if (!n) {
        sqlite3_finalize(st);
        return err_set(e, ERR_NOMEM, "out of memory");
      }
      c->versions = n;
    }
    check_version *v = &c->versions[c->n_versions++];
    memset(v, 0, sizeof *v);
    snprintf(v->layer, sizeof v->layer, "%s", (const char *)sqlite3_column_text(st, 0));
    v->version = sqlite3_column_int64(st, 1);
    snprintf(v->table, sizeof v->table, "%s", (const char *)sqlite3_column_text(st, 2));
    v->history_count = sqlite3_column_int64(st, 3);
    v->has_snapshot = sqlite3_column_int(st, 4) && sqlite3_column_type(st, 5) != SQLITE_NULL;
    for (int k = 0; k < 4; k++) v->snapshot_bounds[k] = sqlite3_column_double(st, 5 + k);
    v->current = sqlite3_column_int(st, 9) == 1;
    v->catalog_count = sqlite3_column_int64(st, 10);
    for (int k = 0; k < 4; k++) v->catalog_bounds[k] = sqlite3_column_double(st, 11 + k);
    v->catalog_grid_m = sqlite3_column_double(st, 15);
    v->snapshot_grid_m = sqlite3_column_double(st, 16);
  }
  if (rc != SQLITE_DONE) issue(c->out, "", 0, "the history cannot be read: %s",
                               sqlite3_errmsg(c->db));
  sqlite3_finalize(st);
  return ERR_OK;
}

/* What one read of a version table found. */
typedef struct table_scan {
  int64_t rows, indexable;  /* all rows; rows whose geometry has a 2D box (the R*Tree's) */
  double bounds[4];
} table_scan;

/* Reads every column of every row of table (overflow pages too). false, with the issue
 * recorded, when SQLite cannot. */
static bool scan_table(check_ctx *c, const check_version *v, const char *table, table_scan *out) {
  buf sql;
  buf_init(&sql, 0);
  buf_puts(&sql, "SELECT rowid, * FROM ");
  store_quote_ident(&sql, table);
  sqlite3_stmt *st = NULL;
  bool ok = !sql.failed &&
            sqlite3_prepare_v2(c->db, buf_cstr(&sql), -1, &st, NULL) == SQLITE_OK;
  buf_free(&sql);
  if (!ok) {
    issue(c->out, v->layer, v->version, "table %s cannot be read: %s", table,
          sqlite3_errmsg(c->db));
    sqlite3_finalize(st);
    return false;
  }
  int geom = -1, n_cols = sqlite3_column_count(st);
  for (int k = 1; k < n_cols; k++)
    if (strcmp(sqlite3_column_name(st, k), "geom") == 0) geom = k;
  memset(out, 0, sizeof *out);
  out->bounds[0] = out->bounds[1] = INFINITY;
  out->bounds[2] = out->bounds[3] = -INFINITY;
  int rc;
  int64_t last_rowid = 0;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    out->rows++;
    last_rowid = sqlite3_column_int64(st, 0);
    for (int k = 1; k < n_cols; k++) (void)sqlite3_column_bytes(st, k);
    if (geom < 0 || sqlite3_column_type(st, geom) != SQLITE_BLOB) continue;
    double m[4];
    if (!store_blob_mbr(sqlite3_column_blob(st, geom), sqlite3_column_bytes(st, geom), m))
      continue;
    out->indexable++;
    if (m[0] < out->bounds[0]) out->bounds[0] = m[0];
    if (m[1] < out->bounds[1]) out->bounds[1] = m[1];
    if (m[2] > out->bounds[2]) out->bounds[2] = m[2];
    if (m[3] > out->bounds[3]) out->bounds[3] = m[3];
  }
  if (rc != SQLITE_DONE) {
    issue(c->out, v->layer, v->version, "table %s unreadable after %lld rows (last rowid %lld): %s",
          table, (long long)out->rows, (long long)last_rowid, sqlite3_errmsg(c->db));
    ok = false;
  }
  sqlite3_finalize(st);
  return ok;
}

/* One integer from sql, whose %s are replaced by the quoted identifiers a, then b; -1 on
 * failure, with SQLite's message in errmsg. */
static int64_t count_sql(check_ctx *c, const char *fmt, const char *a, const char *b,
                         char *errmsg, size_t errmsg_len) {
  buf qa, qb, sql;
  buf_init(&qa, 0);
  buf_init(&qb, 0);
  buf_init(&sql, 0);
  store_quote_ident(&qa, a);
  store_quote_ident(&qb, b);
  const char *idents[2] = {buf_cstr(&qa), buf_cstr(&qb)};
  int next = 0;
  for (const char *p = fmt; *p; p++) {
    if (p[0] == '%' && p[1] == 's' && next < 2) {
      buf_puts(&sql, idents[next++]);
      p++;
    } else {
      buf_putc(&sql, *p);
    }
  }
  sqlite3_stmt *st = NULL;
  int64_t n = -1;
  if (!sql.failed && sqlite3_prepare_v2(c->db, buf_cstr(&sql), -1, &st, NULL) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW)
    n = sqlite3_column_int64(st, 0);
  else
    snprintf(errmsg, errmsg_len, "%s", sqlite3_errmsg(c->db));
  sqlite3_finalize(st);
  buf_free(&qa);
  buf_free(&qb);
  buf_free(&sql);
  return n;
}

/* The R*Tree against the rows: as many entries as rows with a box, none without a row. */
static void check_rtree(check_ctx *c, const check_version *v, const table_scan *s) {
  char rtree[160], msg[256] = "";
  snprintf(rtree, sizeof rtree, "idx_%s_geom", v->table);
  if (!table_exists(c->db, rtree)) {
    issue(c->out, v->layer, v->version, "spatial index %s is missing", rtree);
    return;
  }
  int64_t n = count_sql(c, "SELECT count(*) FROM %s", rtree, "", msg, sizeof msg);
  if (n < 0) {
    issue(c->out, v->layer, v->version, "spatial index %s cannot be read: %s", rtree, msg);
    return;
  }
  int64_t orphans = count_sql(c,
                              "SELECT count(*) FROM %s r WHERE NOT EXISTS"
                              " (SELECT 1 FROM %s t WHERE t.rowid = r.pkid)",
                              rtree, v->table, msg, sizeof msg);
  if (orphans < 0)
    issue(c->out, v->layer, v->version, "spatial index %s cannot be compared: %s", rtree, msg);
  else if (orphans > 0)
    issue(c->out, v->layer, v->version, "spatial index %s has %lld entries for rows %s lacks",
          rtree, (long long)orphans, v->table);
  if (n != s->indexable)
    issue(c->out, v->layer, v->version,
          "spatial index %s has %lld entries, table %s %lld rows with a geometry", rtree,
          (long long)n, v->table, (long long)s->indexable);
  /* SQLite's own check of the R*Tree's structure (3.24+; skipped when the build lacks it) */
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(c->db, "SELECT rtreecheck(?)", -1, &st, NULL) == SQLITE_OK) {
    sqlite3_bind_text(st, 1, rtree, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
      const char *r = (const char *)sqlite3_column_text(st, 0);
      if (r && strcmp(r, "ok") != 0)
        issue(c->out, v->layer, v->version, "spatial index %s: %.300s", rtree, r);
    } else {
      issue(c->out, v->layer, v->version, "spatial index %s cannot be checked: %s", rtree,
            sqlite3_errmsg(c->db));
    }
  }
  sqlite3_finalize(st);
}

/* The rows' box as the writer stored it: rounded outwards to the privacy grid of grid_m metres
 * (store_bounds_round; a generalised layer's box says no more than its grid), else exact. */
static void stored_box(const double rows[4], double grid_m, double out[4]) {
  double step[2];
  memcpy(out, rows, 4 * sizeof *out);
  store_bounds_step(grid_m, step);
  store_bounds_round(step, out);
}

/* Two boxes equal to 1e-9 of a degree (the catalog keeps them as REAL). */
static bool same_box(const double a[4], const double b[4]) {
  for (int k = 0; k < 4; k++)
    if (!(fabs(a[k] - b[k]) <= 1e-9)) return false;
  return true;
}

static void check_version_tables(check_ctx *c, const check_version *v) {
  if (!table_exists(c->db, v->table)) {
    issue(c->out, v->layer, v->version, "table %s is missing", v->table);
    return;
  }
  table_scan s;
  if (!scan_table(c, v, v->table, &s)) return;
  c->out->n_versions++;
  check_rtree(c, v, &s);
  if (s.rows != v->history_count)
    issue(c->out, v->layer, v->version, "table %s has %lld rows, the history says %lld", v->table,
          (long long)s.rows, (long long)v->history_count);
  if (v->current && s.rows != v->catalog_count)
    issue(c->out, v->layer, v->version, "table %s has %lld rows, the catalog says %lld", v->table,
          (long long)s.rows, (long long)v->catalog_count);
  if (s.indexable > 0) {
    double cat_box[4], snap_box[4];
    stored_box(s.bounds, v->catalog_grid_m, cat_box);
    stored_box(s.bounds, v->snapshot_grid_m, snap_box);
    if (v->current && !same_box(cat_box, v->catalog_bounds))
      issue(c->out, v->layer, v->version,
            "table %s spans %.9g,%.9g,%.9g,%.9g, the catalog says %.9g,%.9g,%.9g,%.9g", v->table,
            s.bounds[0], s.bounds[1], s.bounds[2], s.bounds[3], v->catalog_bounds[0],
            v->catalog_bounds[1], v->catalog_bounds[2], v->catalog_bounds[3]);
    if (v->has_snapshot && !same_box(snap_box, v->snapshot_bounds))
      issue(c->out, v->layer, v->version,
            "table %s spans %.9g,%.9g,%.9g,%.9g, the history says %.9g,%.9g,%.9g,%.9g", v->table,
            s.bounds[0], s.bounds[1], s.bounds[2], s.bounds[3], v->snapshot_bounds[0],
            v->snapshot_bounds[1], v->snapshot_bounds[2], v->snapshot_bounds[3]);
  }
  char lines[160];
  snprintf(lines, sizeof lines, "%s_tile_lines", v->table);
  table_scan ls;
  if (table_exists(c->db, lines)) (void)scan_table(c, v, lines, &ls);
}

/* The catalog's layers point at a kept version; side tables at versions the history has. */
static void check_references(check_ctx *c) {
  static const struct {
    const char *table, *layer_col;
  } SIDE[] = {{"teselas_styles", "layer_id"},
              {"teselas_agg_nodes", "layer_id"},
              {"teselas_agg_units", "layer_id"},
              {"teselas_download_digests", "layer"}};
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(c->db,
                         "SELECT l.id, l.version, l.table_name, h.table_name FROM teselas_layers l"
                         " LEFT JOIN teselas_history h ON h.layer_id = l.id AND h.version = l.version",
                         -1, &st, NULL) != SQLITE_OK) {
    issue(c->out, "", 0, "the catalog cannot be read: %s", sqlite3_errmsg(c->db));
    return;
  }
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    const char *id = (const char *)sqlite3_column_text(st, 0);
    int64_t ver = sqlite3_column_int64(st, 1);
    const char *tbl = (const char *)sqlite3_column_text(st, 2);
    const char *htbl = (const char *)sqlite3_column_text(st, 3);
    c->out->n_layers++;
    if (!htbl)
      issue(c->out, id, ver, "the catalog publishes version %lld, which the history lacks",
            (long long)ver);
    else if (strcmp(htbl, tbl ? tbl : "") != 0)
      issue(c->out, id, ver, "the catalog reads table %s, the history names %s",
            tbl ? tbl : "", htbl[0] ? htbl : "none (data not kept)");
  }
  if (rc != SQLITE_DONE)
    issue(c->out, "", 0, "the catalog cannot be read: %s", sqlite3_errmsg(c->db));
  sqlite3_finalize(st);
  for (size_t k = 0; k < sizeof SIDE / sizeof *SIDE; k++) {
    if (!table_exists(c->db, SIDE[k].table)) continue;
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT DISTINCT s.%s, s.version FROM %s s WHERE NOT EXISTS (SELECT 1 FROM"
             " teselas_history h WHERE h.layer_id = s.%s AND h.version = s.version)"
             " ORDER BY 1, 2 LIMIT 50",
             SIDE[k].layer_col, SIDE[k].table, SIDE[k].layer_col);
    if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK) {
      issue(c->out, "", 0, "%s cannot be read: %s", SIDE[k].table, sqlite3_errmsg(c->db));
      continue;
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
      issue(c->out, (const char *)sqlite3_column_text(st, 0), sqlite3_column_int64(st, 1),
            "%s refers to version %lld, which the history lacks", SIDE[k].table,
            (long long)sqlite3_column_int64(st, 1));
    if (rc != SQLITE_DONE)
      issue(c->out, "", 0, "%s cannot be read: %s", SIDE[k].table, sqlite3_errmsg(c->db));
    sqlite3_finalize(st);
  }
}

err_code store_check_db(const char *path, bool quick, store_check_result *out, err *e) {
  memset(out, 0, sizeof *out);
  if (store_db_is_pg(path)) return store_pg_check_db(path, out, e);
  check_ctx c = {.out = out};
  if (sqlite3_open_v2(path, &c.db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
    err_set(e, ERR_IO, "cannot open database %s: %s", path, sqlite3_errmsg(c.db));
    sqlite3_close(c.db);
    return ERR_IO;
  }
  sqlite3_busy_timeout(c.db, 5000);
  err_code rc = ERR_OK;
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(c.db, "SELECT count(*) FROM sqlite_master", -1, &st, NULL) != SQLITE_OK ||
      sqlite3_step(st) != SQLITE_ROW) {
    rc = err_set(e, sqlite3_errcode(c.db) == SQLITE_NOTADB ? ERR_INVALID : ERR_DB,
                 "%s: the schema cannot be read: %s", path, sqlite3_errmsg(c.db));
    sqlite3_finalize(st);
    goto done;
  }
  sqlite3_finalize(st);
  /* the versions first, so integrity_check's lines can be attributed to them */
  if ((rc = load_versions(&c, e)) != ERR_OK) goto done;
  run_integrity(&c, quick);
  for (size_t i = 0; i < c.n_versions; i++) check_version_tables(&c, &c.versions[i]);
  if (table_exists(c.db, "teselas_layers") && table_exists(c.db, "teselas_history"))
    check_references(&c);
  if (out->nomem) rc = err_set(e, ERR_NOMEM, "out of memory");
done:
  free(c.versions);
  sqlite3_close(c.db);
  return rc;
}

err_code store_layer_probe(store_reader *r, const char *table_name, bool *out_sound, char *why,
                           size_t why_len, err *e) {
  *out_sound = true;
  why[0] = '\0';
  sqlite3 *db = store_reader_db(r);
  if (!db) return ERR_OK;
  char node[160];
  snprintf(node, sizeof node, "idx_%s_geom_node", table_name);
  const char *tables[2] = {table_name, node};
  for (int k = 0; k < 2; k++) {
    buf sql;
    buf_init(&sql, 0);
    buf_puts(&sql, "PRAGMA quick_check(");
    store_quote_ident(&sql, tables[k]);
    buf_puts(&sql, ")");
    sqlite3_stmt *st = NULL;
    int rc = sql.failed ? SQLITE_NOMEM : sqlite3_prepare_v2(db, buf_cstr(&sql), -1, &st, NULL);
    buf_free(&sql);
    if (rc == SQLITE_OK) rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
      const char *line = (const char *)sqlite3_column_text(st, 0);
      if (line && strcmp(line, "ok") != 0) {
        const char *nl = strncmp(line, "*** in database", 15) == 0 ? strchr(line, '\n') : NULL;
        if (nl) line = nl + 1; /* the schema's name says nothing here */
        *out_sound = false;
        snprintf(why, why_len, "%s: %s", tables[k], line);
      }
    } else if ((sqlite3_errcode(db) & 0xff) == SQLITE_CORRUPT) {
      *out_sound = false;
      snprintf(why, why_len, "%s: %s", tables[k], sqlite3_errmsg(db));
    } else if (k == 0 || table_exists(db, node)) {
      err_code out = store_read_error(db, NULL, "quick_check", e);
      sqlite3_finalize(st);
      return out;
    }
    sqlite3_finalize(st);
    if (!*out_sound) break;
  }
  return ERR_OK;
}
