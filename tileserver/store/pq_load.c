/* pq_load.c — libpq opened on the first PostgreSQL connection and its functions looked up (see
 * pq_int.h for why). The table is filled once (pthread_once) and never changes after, as
 * start-up configuration; the library is never closed, since its connections live on. */
#define STORE_PQ_LOADER
#include <dlfcn.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>

#include "store/pq_int.h"

#ifndef TESELAS_PQ_SONAME
#define TESELAS_PQ_SONAME "libpq.so.5"
#endif

static struct {
  store_pq_api api;
  bool ok;
  char error[256];
} pq;
static pthread_once_t pq_once = PTHREAD_ONCE_INIT;

/* What the table holds when libpq cannot be loaded: store_pg_connect fails first with the reason,
 * but the paths that clean up after a failed connection (PQclear(NULL), PQfinish(NULL)) or read
 * its status still call through the table, and must find a harmless answer, never NULL. */
static void none_clear(PGresult *r) { (void)r; }
static void none_finish(PGconn *c) { (void)c; }
static void none_freemem(void *p) { (void)p; }
static ConnStatusType none_status(const PGconn *c) {
  (void)c;
  return CONNECTION_BAD;
}
static ExecStatusType none_result_status(const PGresult *r) {
  (void)r;
  return PGRES_FATAL_ERROR;
}
static char *none_error_message(const PGconn *c) {
  (void)c;
  return pq.error;
}
static char *none_result_error_message(const PGresult *r) {
  (void)r;
  return pq.error;
}
static char *none_result_error_field(const PGresult *r, int field) {
  (void)r;
  (void)field;
  return NULL;
}
static int none_ntuples(const PGresult *r) {
  (void)r;
  return 0;
}
static PGconn *none_connectdb(const char *conninfo) {
  (void)conninfo;
  return NULL;
}
static PGresult *none_exec(PGconn *c, const char *q) {
  (void)c;
  (void)q;
  return NULL;
}
static PGTransactionStatusType none_transaction_status(const PGconn *c) {
  (void)c;
  return PQTRANS_UNKNOWN;
}

static void pq_none(void) {
  pq.api = (store_pq_api){0};
  pq.api.PQclear = none_clear;
  pq.api.PQfinish = none_finish;
  pq.api.PQfreemem = none_freemem;
  pq.api.PQstatus = none_status;
  pq.api.PQresultStatus = none_result_status;
  pq.api.PQerrorMessage = none_error_message;
  pq.api.PQresultErrorMessage = none_result_error_message;
  pq.api.PQresultErrorField = none_result_error_field;
  pq.api.PQntuples = none_ntuples;
  pq.api.PQconnectdb = none_connectdb;
  pq.api.PQexec = none_exec;
  pq.api.PQtransactionStatus = none_transaction_status;
}

static void pq_open(void) {
  void *h = dlopen(TESELAS_PQ_SONAME, RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    snprintf(pq.error, sizeof pq.error, "%s", dlerror());
    pq_none();
    return;
  }
  const char *missing = NULL;
  /* POSIX's way to turn dlsym's object pointer into a function pointer */
#define STORE_PQ_LOOKUP(f)                                   \
  if (!(*(void **)&pq.api.f = dlsym(h, #f)) && !missing) missing = #f;
  STORE_PQ_FUNCTIONS(STORE_PQ_LOOKUP)
#undef STORE_PQ_LOOKUP
  if (missing) {
    snprintf(pq.error, sizeof pq.error, "it has no %s", missing);
    pq_none();
  } else {
    pq.ok = true;
  }
}

err_code store_pq_load(err *e) {
  pthread_once(&pq_once, pq_open);
  return pq.ok ? ERR_OK
               : err_set(e, ERR_INTERNAL, "cannot load libpq (%s): %s", TESELAS_PQ_SONAME,
                         pq.error);
}

const store_pq_api *store_pq(void) {
  pthread_once(&pq_once, pq_open);
  return &pq.api;
}
