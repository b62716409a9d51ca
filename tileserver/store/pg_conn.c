/* pg_conn.c — one libpq connection of the PostgreSQL backend: opening it (schema search path,
 * UTC), prepared statements cached per SQL text, text parameters and binary results.
 *
 * Why text parameters and binary results: a parameter sent as text with no declared type takes
 * the type PostgreSQL infers from where it stands (a bbox bound is a double, a filter literal
 * the type of its column), so one code path binds every kind; a box query's four bounds alone go
 * in binary (store_pg_arg_f64), as every tile sends them; results come back in binary
 * (resultFormat 1), which spares parsing numbers and geometries from text on every row.
 * Statements are prepared once per connection (PQprepare) and named teselas_s<N>; the cache is
 * the reader's (reader.c) in size and eviction.
 *
 * A request's time bound (store_reader_deadline) is kept here on the client side: a statement
 * is sent, its results awaited with poll() no later than the deadline, and past it cancelled
 * (PQcancel), so the wait for a lock, a long sort or a slow stream all end at the same instant
 * for one clock read per row, without a SET statement_timeout round trip before each statement.
 * PostgreSQL then answers the statement with its "canceling statement" error and the connection
 * is ready for the next one. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/pg_int.h"


/* OIDs of the built-in types read here (catalog/pg_type.dat; stable across versions). */
enum { OID_BOOL = 16, OID_BYTEA = 17, OID_INT8 = 20, OID_INT2 = 21, OID_INT4 = 23,
       OID_FLOAT4 = 700, OID_FLOAT8 = 701 };

/* Room for one more parameter in a (and in its lengths and formats once it has them). */
static bool args_room(store_pg_args *a) {
  if (a->nomem) return false;
  if (a->n < a->cap) return true;
  size_t cap = a->cap ? a->cap * 2 : 16;
  char **v = realloc(a->v, cap * sizeof *v);
  if (v) a->v = v;
  int *lens = v && a->lens ? realloc(a->lens, cap * sizeof *lens) : NULL;
  if (lens) a->lens = lens;
  int *formats = lens ? realloc(a->formats, cap * sizeof *formats) : NULL;
  if (formats) a->formats = formats;
  if (!v || (a->lens && !formats)) {
    a->nomem = true;
    return false;
  }
  a->cap = cap;
  return true;
}

int store_pg_arg(store_pg_args *a, const char *text) {
  if (!args_room(a)) return 0;
  char *copy = NULL;
  if (text && !(copy = strdup(text))) {
    a->nomem = true;
    return 0;
  }
  if (a->lens) a->lens[a->n] = a->formats[a->n] = 0;
  a->v[a->n++] = copy;
  return (int)a->n;
}

int store_pg_arg_f64(store_pg_args *a, double d) {
  if (!args_room(a)) return 0;
  if (!a->lens) { /* the first binary one: every parameter before it is text */
    a->lens = calloc(a->cap, sizeof *a->lens);
    a->formats = calloc(a->cap, sizeof *a->formats);
    if (!a->lens || !a->formats) {
      a->nomem = true;
      return 0;
    }
  }
  char *b = malloc(8);
  if (!b) {
    a->nomem = true;
    return 0;
  }
  uint64_t u;
  memcpy(&u, &d, sizeof u);
  for (int i = 7; i >= 0; i--, u >>= 8) b[i] = (char)(u & 0xff);
  a->lens[a->n] = 8;
  a->formats[a->n] = 1;
  a->v[a->n++] = b;
  return (int)a->n;
}

int store_pg_argf(store_pg_args *a, const char *fmt, ...) {
  char tmp[64];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  return store_pg_arg(a, tmp);
}

void store_pg_args_free(store_pg_args *a) {
  for (size_t i = 0; i < a->n; i++) free(a->v[i]);
  free(a->v);
  free(a->lens);
  free(a->formats);
  memset(a, 0, sizeof *a);
}

err_code store_pg_result_error(const PGresult *res, const char *what, err *e) {
  const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
  const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
  /* 57014 query_canceled: the request's deadline (or an operator) stopped it; try again later */
  if (state && strcmp(state, "57014") == 0)
    return err_set(e, ERR_UNAVAILABLE, "%s", STORE_DEADLINE_MSG);
  /* class 22 (data exception): a literal PostgreSQL could not take as its column's type */
  err_code code = state && strncmp(state, "22", 2) == 0 ? ERR_INVALID : ERR_DB;
  return err_set(e, code, "%s: %s", what, msg ? msg : "no answer from PostgreSQL");
}

/* The session every connection runs in: the catalog's schema first (unless the URI chose one
 * with options=-csearch_path=...), then public for PostGIS; times in UTC, as SQLite's. */
static err_code session_setup(PGconn *c, bool own_path, err *e) {
  const char *sql = own_path ? "SET TimeZone TO 'UTC'"
                                                : "SET search_path TO teselas, public;"
                                                  " SET TimeZone TO 'UTC'";
  PGresult *res = PQexec(c, sql);
  err_code rc = PQresultStatus(res) == PGRES_COMMAND_OK
                    ? ERR_OK
                    : store_pg_result_error(res, "PostgreSQL session", e);
  PQclear(res);
  return rc;
}

err_code store_pg_connect(const char *uri, PGconn **out, err *e) {
  *out = NULL;
  err_code lrc = store_pq_load(e);
  if (lrc != ERR_OK) return lrc;
  PGconn *c = PQconnectdb(uri);
  if (!c) return err_set(e, ERR_NOMEM, "out of memory connecting to PostgreSQL");
  if (PQstatus(c) != CONNECTION_OK) {
    /* libpq's message names host and port, never the password */
    const char *m = PQerrorMessage(c);
    size_t n = strcspn(m, "\n");
    err_code rc = err_set(e, ERR_IO, "cannot connect to PostgreSQL: %.*s", (int)n, m);
    PQfinish(c);
    return rc;
  }
  err_code rc = session_setup(c, strstr(uri, "search_path") != NULL, e);
  if (rc != ERR_OK) {
    PQfinish(c);
    return rc;
  }
  *out = c;
  return ERR_OK;
}

err_code store_pg_open(const char *uri, store_pg **out, err *e) {
  *out = NULL;
  store_pg *p = calloc(1, sizeof *p);
  if (!p) return err_set(e, ERR_NOMEM, "out of memory");
  err_code rc = store_pg_connect(uri, &p->conn, e);
  p->own_path = strstr(uri, "search_path") != NULL;
  PGresult *res = NULL;
  if (rc == ERR_OK) {
    res = PQexec(p->conn, "SELECT to_regclass('teselas_layers') IS NOT NULL AND"
                          " to_regclass('teselas_history') IS NOT NULL,"
                          " split_part(current_setting('search_path'), ',', 1)");
    if (PQresultStatus(res) != PGRES_TUPLES_OK)
      rc = store_pg_result_error(res, "PostgreSQL catalog", e);
    else if (strcmp(PQgetvalue(res, 0, 0), "t") != 0)
      rc = err_set(e, ERR_INVALID,
                   "database %s has no teselas catalog in schema %s (copy one with `teselas "
                   "copy --from FILE --to URI`)",
                   PQdb(p->conn), PQgetvalue(res, 0, 1));
  }
  PQclear(res);
  if (rc != ERR_OK) {
    store_pg_close(p);
    return rc;
  }
  *out = p;
  return ERR_OK;
}

err_code store_pg_open_lazy(const char *uri, store_pg **out, err *e) {
  *out = NULL;
  store_pg *p = calloc(1, sizeof *p);
  if (!p || !(p->uri = strdup(uri))) {
    free(p);
    return err_set(e, ERR_NOMEM, "out of memory");
  }
  p->own_path = strstr(uri, "search_path") != NULL;
  err ce = {0};
  err_code rc = store_pg_connect(uri, &p->conn, &ce);
  if (rc == ERR_IO) { /* unreachable now: the first call tries again */
    p->backoff = 0.1;
    p->retry_at = store_pg_now() + p->backoff;
  } else if (rc != ERR_OK) {
    if (e) *e = ce;
    store_pg_close(p);
    return rc;
  }
  *out = p;
  return ERR_OK;
}

bool store_pg_may_answer(const store_pg *p) {
  return (p->conn && PQstatus(p->conn) == CONNECTION_OK) || store_pg_now() >= p->retry_at;
}

void store_pg_close(store_pg *p) {
  if (!p) return;
  for (int i = 0; i < STORE_PG_STMTS; i++) free(p->stmts[i].sql);
  for (int i = 0; i < STORE_PG_TIMES; i++) free(p->times[i].key);
  catalog_destroy(p->cat);
  free(p->cat_sig);
  sqlite3_finalize(p->dist_st);
  sqlite3_close(p->dist_db);
  if (p->dist_spl) store_spl_detach(p->dist_spl);
  buf_free(&p->held);
  if (p->conn) PQfinish(p->conn);
  free(p->uri);
  free(p);
}

void store_pg_deadline(store_pg *p, double at) {
  if (p) p->deadline = at;
}

/* Asks PostgreSQL to cancel the statement running on p (once per statement). */
static void cancel_running(store_pg *p) {
  if (p->cancelled) return;
  p->cancelled = true;
  PGcancel *c = PQgetCancel(p->conn);
  char msg[256];
  if (c) PQcancel(c, msg, sizeof msg);
  PQfreeCancel(c);
}

PGresult *store_pg_next_result(store_pg *p) {
  while (p->deadline > 0 && !p->cancelled) {
    double left = p->deadline - store_pg_now();
    if (left <= 0) {
      cancel_running(p);
      break;
    }
    /* a row already in libpq's buffer is taken without reading the socket: each
     * PQconsumeInput moves the unparsed rest of the buffer to its start, so calling it before
     * every row of a streamed result copied a tile's ~260 kB of lines once per row (a third of
     * the server's CPU at z16, perf) */
    if (!PQisBusy(p->conn)) break;
    /* a result (or a row) read now, or a broken connection: PQgetResult says which; right
     * after a statement is sent its answer cannot be in yet, so the wait comes first (a read
     * then found nothing: one system call a request) */
    if (!p->sent && (!PQconsumeInput(p->conn) || !PQisBusy(p->conn))) break;
    p->sent = false;
    struct pollfd pfd = {.fd = PQsocket(p->conn), .events = POLLIN};
    if (poll(&pfd, 1, (int)(left * 1000) + 1) < 0 && errno != EINTR) break;
  }
  return PQgetResult(p->conn);
}

/* The answer of what was just sent, as PQexec gives it (the last result, or the first error),
 * awaited within p's deadline. */
static PGresult *last_result(store_pg *p) {
  PGresult *res = NULL, *next;
  while ((next = store_pg_next_result(p)) != NULL) {
    if (res && PQresultStatus(res) == PGRES_FATAL_ERROR) {
      PQclear(next);
      continue;
    }
    PQclear(res);
    res = next;
  }
  return res;
}

/* Sends a's values to prepared statement `name`, binary results asked; p->sent the answer
 * unread. */
static int send_prepared(store_pg *p, const char *name, const store_pg_args *a) {
  int ok = PQsendQueryPrepared(p->conn, name, a ? (int)a->n : 0,
                               a ? (const char *const *)a->v : NULL, a ? a->lens : NULL,
                               a ? a->formats : NULL, 1);
  p->sent = ok != 0;
  return ok;
}

static PGresult *exec_prepared(store_pg *p, const char *name, const store_pg_args *a) {
  return send_prepared(p, name, a) ? last_result(p) : NULL;
}

/* The name of sql's prepared statement on p's connection, preparing it (and evicting the least
 * recently used one) the first time. */
static err_code stmt_name(store_pg *p, const char *sql, const char **out, err *e) {
  store_pg_stmt *victim = &p->stmts[0];
  p->clock++;
  for (int i = 0; i < STORE_PG_STMTS; i++) {
    store_pg_stmt *s = &p->stmts[i];
    if (s->sql && strcmp(s->sql, sql) == 0) {
      s->used = p->clock;
      *out = s->name;
      return ERR_OK;
    }
    if (s->used < victim->used) victim = s;
  }
  if (victim->sql) {
    char dealloc[48];
    snprintf(dealloc, sizeof dealloc, "DEALLOCATE %s", victim->name);
    PQclear(PQexec(p->conn, dealloc));
    free(victim->sql);
    victim->sql = NULL;
  }
  char name[24];
  snprintf(name, sizeof name, "teselas_s%llu", (unsigned long long)++p->n_prepared);
  /* preparing takes the locks of the tables it names: awaited within the deadline too */
  PGresult *res = NULL;
  if (PQsendPrepare(p->conn, name, sql, 0, NULL)) {
    p->sent = true;
    res = last_result(p);
  }
  err_code rc = PQresultStatus(res) == PGRES_COMMAND_OK ? ERR_OK
                                                         : store_pg_result_error(res, "query", e);
  PQclear(res);
  if (rc != ERR_OK) return rc;
  if (!(victim->sql = strdup(sql))) return err_set(e, ERR_NOMEM, "out of memory");
  memcpy(victim->name, name, sizeof name);
  victim->used = p->clock;
  *out = victim->name;
  return ERR_OK;
}

double store_pg_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A connection lost (the server restarted, the network broke) is opened again on the next
 * call, with the session set up again and the prepared statements forgotten; while that fails,
 * attempts are spaced by a backoff doubling from 0.1 s to 2 s, so a worker answers at once
 * (ERR_IO) instead of waiting on a dead server at every request. */
static err_code conn_check(store_pg *p, err *e) {
  if (p->conn && PQstatus(p->conn) == CONNECTION_OK) return ERR_OK;
  double now = store_pg_now();
  if (now < p->retry_at) return err_set(e, ERR_IO, "PostgreSQL is unreachable");
  bool up = false;
  if (p->conn) {
    PQreset(p->conn);
    up = PQstatus(p->conn) == CONNECTION_OK && session_setup(p->conn, p->own_path, e) == ERR_OK;
  } else if (p->uri) { /* a lazy reader that never connected: session set by store_pg_connect */
    err ce = {0};
    up = store_pg_connect(p->uri, &p->conn, &ce) == ERR_OK;
  }
  if (up) {
    for (int i = 0; i < STORE_PG_STMTS; i++) {
      free(p->stmts[i].sql);
      p->stmts[i].sql = NULL;
      p->stmts[i].used = 0;
    }
    p->backoff = 0;
    p->busy = false;
    return ERR_OK;
  }
  p->backoff = p->backoff < 0.1 ? 0.1 : p->backoff * 2 > 2.0 ? 2.0 : p->backoff * 2;
  p->retry_at = now + p->backoff;
  return err_set(e, ERR_IO, "PostgreSQL is unreachable");
}

/* Before a statement runs: its parameters built, no query running, the connection up, the
 * statement prepared (its name in *out_name). */
static err_code exec_ready(store_pg *p, const char *sql, const store_pg_args *a,
                           const char **out_name, err *e) {
  if (a && a->nomem) return err_set(e, ERR_NOMEM, "out of memory building the query");
  if (p->busy) return err_set(e, ERR_INTERNAL, "a query is already running");
  if (p->deadline > 0 && store_pg_now() >= p->deadline)
    return err_set(e, ERR_UNAVAILABLE, "%s", STORE_DEADLINE_MSG);
  p->cancelled = false;
  err_code rc = conn_check(p, e);
  return rc == ERR_OK ? stmt_name(p, sql, out_name, e) : rc;
}

err_code store_pg_exec(store_pg *p, const char *sql, const store_pg_args *a, PGresult **out,
                       err *e) {
  *out = NULL;
  const char *name = NULL;
  err_code rc = exec_ready(p, sql, a, &name, e);
  if (rc != ERR_OK) return rc;
  PGresult *res = exec_prepared(p, name, a);
  ExecStatusType st = PQresultStatus(res);
  if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
    rc = PQstatus(p->conn) == CONNECTION_BAD ? err_set(e, ERR_IO, "PostgreSQL is unreachable")
                                              : store_pg_result_error(res, "query", e);
    PQclear(res);
    return rc;
  }
  *out = res;
  return ERR_OK;
}

bool store_pg_has_table(store_pg *p, const char *name, err_code *rc, err *e) {
  store_pg_args a = {0};
  store_pg_arg(&a, name);
  PGresult *res = NULL;
  *rc = store_pg_exec(p, "SELECT to_regclass($1::text) IS NOT NULL", &a, &res, e);
  bool yes = *rc == ERR_OK && store_pg_i64(res, 0, 0) != 0;
  PQclear(res);
  store_pg_args_free(&a);
  return yes;
}

err_code store_pg_send(store_pg *p, const char *sql, const store_pg_args *a, err *e) {
  const char *name = NULL;
  err_code rc = exec_ready(p, sql, a, &name, e);
  if (rc != ERR_OK) return rc;
  if (!send_prepared(p, name, a) || !PQsetSingleRowMode(p->conn)) {
    const char *m = PQerrorMessage(p->conn);
    rc = PQstatus(p->conn) == CONNECTION_BAD
             ? err_set(e, ERR_IO, "PostgreSQL is unreachable")
             : err_set(e, ERR_DB, "query: %.*s", (int)strcspn(m, "\n"), m);
    store_pg_drain(p, false);
    return rc;
  }
  p->busy = true;
  return ERR_OK;
}

void store_pg_drain(store_pg *p, bool cancel) {
  if (cancel) cancel_running(p);
  PGresult *res;
  while ((res = PQgetResult(p->conn)) != NULL) PQclear(res);
  p->busy = false;
}

/* ---- the connection a thread keeps for short calls (store_pg_conn_take) ----------------------
 * Accounts, sessions, the audit log, reviews and settings are read and written by short calls
 * that name the database by its URI. Each thread keeps one connection between them: a server's
 * threads are a bounded set, so are these connections, where one per call made PostgreSQL start
 * a process for each (three per sign-in). One that broke (the database restarted: seen before
 * use, quiet() below) or was given back inside a transaction is dropped, and the call connects
 * again. */

/* The connection a thread keeps for the next call (to uri). */
typedef struct store_pg_kept {
  PGconn *conn;
  char *uri;
} store_pg_kept;

static pthread_key_t kept_key;
static pthread_once_t kept_once = PTHREAD_ONCE_INIT;

/* At the thread's end (a server's worker when the server stops). */
static void kept_free(void *p) {
  store_pg_kept *k = p;
  if (k->conn) PQfinish(k->conn);
  free(k->uri);
  free(k);
}

static void kept_key_make(void) { (void)pthread_key_create(&kept_key, kept_free); }

/* An idle connection has nothing to say: anything readable on it is its end (the database
 * stopped, or an operator terminated it), found without a round trip. */
static bool quiet(PGconn *c) {
  struct pollfd p = {.fd = PQsocket(c), .events = POLLIN};
  return PQstatus(c) == CONNECTION_OK && poll(&p, 1, 0) == 0;
}

err_code store_pg_conn_take(const char *uri, PGconn **out, err *e) {
  pthread_once(&kept_once, kept_key_make);
  store_pg_kept *k = pthread_getspecific(kept_key);
  if (k && k->conn && (strcmp(k->uri, uri) != 0 || !quiet(k->conn))) {
    PQfinish(k->conn);
    k->conn = NULL;
  }
  if (k && k->conn) {
    *out = k->conn;
    k->conn = NULL;
    return ERR_OK;
  }
  return store_pg_connect(uri, out, e);
}

void store_pg_conn_give(const char *uri, PGconn *pg) {
  if (!pg) return;
  pthread_once(&kept_once, kept_key_make);
  store_pg_kept *k = pthread_getspecific(kept_key);
  if (!k && (k = calloc(1, sizeof *k)) != NULL && pthread_setspecific(kept_key, k) != 0) {
    free(k);
    k = NULL;
  }
  bool keep = k && !k->conn && PQstatus(pg) == CONNECTION_OK &&
              PQtransactionStatus(pg) == PQTRANS_IDLE;
  if (keep && (!k->uri || strcmp(k->uri, uri) != 0)) {
    free(k->uri);
    keep = (k->uri = strdup(uri)) != NULL;
  }
  if (keep) k->conn = pg;
  else PQfinish(pg);
}

/* Big-endian integer of n bytes at s. */
static uint64_t be(const char *s, int n) {
  uint64_t v = 0;
  for (int i = 0; i < n; i++) v = v << 8 | (uint8_t)s[i];
  return v;
}

static double be_f64(const char *s) {
  uint64_t u = be(s, 8);
  double d;
  memcpy(&d, &u, sizeof d);
  return d;
}

store_pg_cell store_pg_cell_at(const PGresult *r, int row, int col) {
  if (PQgetisnull(r, row, col)) return (store_pg_cell){NULL, 0, PQftype(r, col)};
  return (store_pg_cell){PQgetvalue(r, row, col), PQgetlength(r, row, col), PQftype(r, col)};
}

int64_t store_pg_cell_i64(store_pg_cell c) {
  if (!c.s) return 0;
  int len = c.len; /* a binary value shorter than its type: read as 0 */
  switch (c.oid) {
    case OID_INT8: return len < 8 ? 0 : (int64_t)be(c.s, 8);
    case OID_INT4: return len < 4 ? 0 : (int32_t)be(c.s, 4);
    case OID_INT2: return len < 2 ? 0 : (int16_t)be(c.s, 2);
    case OID_BOOL: return len < 1 ? 0 : c.s[0] != 0;
    case OID_FLOAT8: return len < 8 ? 0 : (int64_t)be_f64(c.s);
    default: return strtoll(c.s, NULL, 10);
  }
}

double store_pg_cell_f64(store_pg_cell c) {
  if (!c.s) return 0;
  switch (c.oid) {
    case OID_FLOAT8: return c.len < 8 ? 0 : be_f64(c.s);
    case OID_FLOAT4: {
      if (c.len < 4) return 0;
      uint32_t u = (uint32_t)be(c.s, 4);
      float f;
      memcpy(&f, &u, sizeof f);
      return f;
    }
    case OID_INT8:
    case OID_INT4:
    case OID_INT2:
    case OID_BOOL: return (double)store_pg_cell_i64(c);
    default: return strtod(c.s, NULL);
  }
}

int64_t store_pg_i64(const PGresult *r, int row, int col) {
  return store_pg_cell_i64(store_pg_cell_at(r, row, col));
}

double store_pg_f64(const PGresult *r, int row, int col) {
  return store_pg_cell_f64(store_pg_cell_at(r, row, col));
}

const char *store_pg_text(const PGresult *r, int row, int col, const char *dflt) {
  return PQgetisnull(r, row, col) ? dflt : PQgetvalue(r, row, col);
}

void store_pg_cell_value(store_pg_cell c, field_type type, value *v) {
  memset(v, 0, sizeof *v);
  if (!c.s) {
    v->kind = VALUE_NULL;
    return;
  }
  switch (c.oid) {
    case OID_INT8:
    case OID_INT4:
    case OID_INT2:
    case OID_BOOL:
      v->kind = type == FIELD_BOOLEAN ? VALUE_BOOL : VALUE_INT;
      v->i = store_pg_cell_i64(c);
      if (type == FIELD_REAL) {
        v->kind = VALUE_REAL;
        v->d = (double)v->i;
      }
      return;
    case OID_FLOAT8:
    case OID_FLOAT4:
      v->kind = VALUE_REAL;
      v->d = store_pg_cell_f64(c);
      return;
    default:
      v->kind = VALUE_TEXT;
      v->s = c.s;
      v->len = (size_t)c.len;
  }
}

void store_pg_value(const PGresult *r, int row, int col, field_type type, value *v) {
  store_pg_cell_value(store_pg_cell_at(r, row, col), type, v);
}
