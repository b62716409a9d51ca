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

static void pq_open(void) {
  void *h = dlopen(TESELAS_PQ_SONAME, RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    snprintf(pq.error, sizeof pq.error, "%s", dlerror());
    return;
  }
  const char *missing = NULL;
  /* POSIX's way to turn dlsym's object pointer into a function pointer */
#define STORE_PQ_LOOKUP(f)                                   \
  if (!(*(void **)&pq.api.f = dlsym(h, #f)) && !missing) missing = #f;
  STORE_PQ_FUNCTIONS(STORE_PQ_LOOKUP)
#undef STORE_PQ_LOOKUP
  if (missing) snprintf(pq.error, sizeof pq.error, "it has no %s", missing);
  else pq.ok = true;
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
