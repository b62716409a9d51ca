/* pq_int.h — libpq's functions as the PostgreSQL backend calls them: through a table that
 * pq_load.c fills from the library, opened (dlopen, by its SONAME) by the first connection,
 * instead of linked.
 *
 * Why: linked, libpq brings OpenSSL, GnuTLS, Kerberos, LDAP and SASL into every process that
 * includes the store, 23 libraries and about 5 MB resident before any work (/proc smaps of
 * `teselas-seed`), while a seed or a server over a SpatiaLite file never connects.
 *
 * Each name below stays the libpq name the code has always called; the macros send it through
 * the table, whose members have the types of libpq-fe.h's own declarations (__typeof__), so a
 * call is checked as before. Only store_pg_connect may make the first call (store_pq_load before
 * PQconnectdb): every other call needs the connection it returned. */
#ifndef TESELAS_STORE_PQ_INT_H
#define TESELAS_STORE_PQ_INT_H

#include <libpq-fe.h>

#include "core/err.h"

#define STORE_PQ_FUNCTIONS(X) \
  X(PQcancel) \
  X(PQclear) \
  X(PQcmdTuples) \
  X(PQconnectdb) \
  X(PQconsumeInput) \
  X(PQdb) \
  X(PQerrorMessage) \
  X(PQescapeIdentifier) \
  X(PQexec) \
  X(PQexecParams) \
  X(PQfinish) \
  X(PQfreeCancel) \
  X(PQfreemem) \
  X(PQftype) \
  X(PQgetCancel) \
  X(PQgetResult) \
  X(PQgetisnull) \
  X(PQgetlength) \
  X(PQgetvalue) \
  X(PQisBusy) \
  X(PQnfields) \
  X(PQnotifies) \
  X(PQntuples) \
  X(PQputCopyData) \
  X(PQputCopyEnd) \
  X(PQreset) \
  X(PQresultErrorField) \
  X(PQresultErrorMessage) \
  X(PQresultStatus) \
  X(PQsendPrepare) \
  X(PQsendQueryPrepared) \
  X(PQsetSingleRowMode) \
  X(PQsetnonblocking) \
  X(PQsocket) \
  X(PQstatus) \
  X(PQtransactionStatus)

typedef struct store_pq_api {
#define STORE_PQ_MEMBER(f) __typeof__(f) *f;
  STORE_PQ_FUNCTIONS(STORE_PQ_MEMBER)
#undef STORE_PQ_MEMBER
} store_pq_api;

/* Opens libpq the first time (once for the process); ERR_INTERNAL naming the library when it
 * cannot be loaded or lacks a function. */
err_code store_pq_load(err *e);
/* The table: its functions may be called once store_pq_load succeeded. */
const store_pq_api *store_pq(void);

#ifndef STORE_PQ_LOADER
#define PQcancel (store_pq()->PQcancel)
#define PQclear (store_pq()->PQclear)
#define PQcmdTuples (store_pq()->PQcmdTuples)
#define PQconnectdb (store_pq()->PQconnectdb)
#define PQconsumeInput (store_pq()->PQconsumeInput)
#define PQdb (store_pq()->PQdb)
#define PQerrorMessage (store_pq()->PQerrorMessage)
#define PQescapeIdentifier (store_pq()->PQescapeIdentifier)
#define PQexec (store_pq()->PQexec)
#define PQexecParams (store_pq()->PQexecParams)
#define PQfinish (store_pq()->PQfinish)
#define PQfreeCancel (store_pq()->PQfreeCancel)
#define PQfreemem (store_pq()->PQfreemem)
#define PQftype (store_pq()->PQftype)
#define PQgetCancel (store_pq()->PQgetCancel)
#define PQgetResult (store_pq()->PQgetResult)
#define PQgetisnull (store_pq()->PQgetisnull)
#define PQgetlength (store_pq()->PQgetlength)
#define PQgetvalue (store_pq()->PQgetvalue)
#define PQisBusy (store_pq()->PQisBusy)
#define PQnfields (store_pq()->PQnfields)
#define PQnotifies (store_pq()->PQnotifies)
#define PQntuples (store_pq()->PQntuples)
#define PQputCopyData (store_pq()->PQputCopyData)
#define PQputCopyEnd (store_pq()->PQputCopyEnd)
#define PQreset (store_pq()->PQreset)
#define PQresultErrorField (store_pq()->PQresultErrorField)
#define PQresultErrorMessage (store_pq()->PQresultErrorMessage)
#define PQresultStatus (store_pq()->PQresultStatus)
#define PQsendPrepare (store_pq()->PQsendPrepare)
#define PQsendQueryPrepared (store_pq()->PQsendQueryPrepared)
#define PQsetSingleRowMode (store_pq()->PQsetSingleRowMode)
#define PQsetnonblocking (store_pq()->PQsetnonblocking)
#define PQsocket (store_pq()->PQsocket)
#define PQstatus (store_pq()->PQstatus)
#define PQtransactionStatus (store_pq()->PQtransactionStatus)
#endif

#endif
