/* pg_review.c — versions waiting for review when the catalogue is in PostgreSQL.
 *
 * Reading is one query on the tables review.c keeps (moved into PostgreSQL by the write that
 * parked the version: pg_write.c carries `teselas_reviews` and `teselas_review_layers` with the
 * layer's other rows). Deciding is a write like any other: review.c's decision runs on the
 * private SpatiaLite copy of the catalogue inside one PostgreSQL transaction (store_pg_write_*),
 * so an approval repoints the catalogue, a rejection drops the version's table, and the NOTIFY
 * tells every server, in that one transaction. */
#include <stdio.h>
#include <string.h>

#include "store/pg_int.h"

static const char SCAN_SQL[] =
    "SELECT r.n, r.layer_id, r.version, r.base_version, r.state, r.submitted_by, r.submitted_at,"
    " r.decided_by, r.decided_at, r.reason, r.title, r.privacy, h.report, h.feature_count"
    " FROM teselas_reviews r LEFT JOIN teselas_history h ON h.layer_id = r.layer_id AND"
    " h.version = r.version WHERE ($1::bigint < 0 OR r.n = $1::bigint) AND"
    " ($2::text IS NULL OR r.state = $2) ORDER BY r.n";

/* The database has the reviews table (no version ever waited: none). */
static bool has_reviews(PGconn *pg) {
  PGresult *r = PQexec(pg, "SELECT to_regclass('teselas_reviews') IS NOT NULL");
  bool has = PQresultStatus(r) == PGRES_TUPLES_OK && strcmp(PQgetvalue(r, 0, 0), "t") == 0;
  PQclear(r);
  return has;
}

err_code store_pg_reviews_scan(const char *uri, int64_t only, const char *state,
                               store_review_fn fn, void *ctx, err *e) {
  PGconn *pg = NULL;
  PGresult *r = NULL;
  err_code rc = store_pg_conn_take(uri, &pg, e);
  int n = 0;
  if (rc == ERR_OK && has_reviews(pg)) {
    char num[24];
    snprintf(num, sizeof num, "%lld", (long long)only);
    const char *v[2] = {num, state};
    r = PQexecParams(pg, SCAN_SQL, 2, NULL, v, NULL, NULL, 1);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) rc = store_pg_result_error(r, "reviews", e);
    for (int i = 0; rc == ERR_OK && i < PQntuples(r); i++) {
      store_review x = {.n = store_pg_i64(r, i, 0), .layer_id = store_pg_text(r, i, 1, ""),
                        .version = store_pg_i64(r, i, 2), .base_version = store_pg_i64(r, i, 3),
                        .state = store_pg_text(r, i, 4, ""),
                        .submitted_by = store_pg_text(r, i, 5, ""),
                        .submitted_at = store_pg_text(r, i, 6, ""),
                        .decided_by = store_pg_text(r, i, 7, ""),
                        .decided_at = store_pg_text(r, i, 8, ""),
                        .reason = store_pg_text(r, i, 9, ""), .title = store_pg_text(r, i, 10, ""),
                        .privacy = store_pg_text(r, i, 11, "{}"),
                        .report = store_pg_text(r, i, 12, "{}"),
                        .feature_count = PQgetisnull(r, i, 13) ? 0 : store_pg_i64(r, i, 13)};
      n++;
      if (fn(ctx, &x)) break;
    }
  }
  PQclear(r);
  store_pg_conn_give(uri, pg);
  if (rc == ERR_OK && only >= 0 && n == 0) rc = err_set(e, ERR_NOT_FOUND, "no such review");
  return rc;
}

static int layer_of(void *ctx, const store_review *r) {
  snprintf(ctx, STORE_NAME_MAX, "%s", r->layer_id);
  return 1;
}

err_code store_pg_review_decide(const char *uri, const store_review_decision *d,
                                store_review_verdict *out, err *e) {
  *out = STORE_REVIEW_FAILED;
  char layer[STORE_NAME_MAX] = "";
  err_code rc = store_pg_reviews_scan(uri, d->n, NULL, layer_of, layer, e);
  store_pg_write *w = NULL;
  /* the layer's writes wait for each other (the lock); the review is read again inside */
  if (rc == ERR_OK) rc = store_pg_write_begin(uri, layer, &w, e);
  if (rc == ERR_OK) rc = store_review_decide(store_pg_write_path(w), d, out, e);
  if (rc != ERR_OK) {
    store_pg_write_abort(w);
    return rc;
  }
  rc = store_pg_write_commit(w, e);
  if (rc != ERR_OK) *out = STORE_REVIEW_FAILED;
  return rc;
}
