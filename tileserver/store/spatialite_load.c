/* spatialite_load.c — SpatiaLite's SQL functions registered on a connection, the library opened
 * (dlopen, by its SONAME) the first time a connection asks for them rather than linked.
 *
 * Why: linked, libspatialite brings PROJ, GEOS, libstdc++, ICU, libxml2 and libcurl into every
 * process that includes the store — 26 libraries, about 8 of the 18.5 MB a `teselas-seed`
 * had resident before doing anything (its /proc smaps), and the dynamic linker's symbol lookups
 * were a fifth of an incremental seed's CPU — while a vector seed or a tile server that never
 * filters with a spatial operator never calls it. Importers, writers and spatial predicates
 * pay the load once, on their first connection.
 *
 * The library's three entry points are looked up once (pthread_once) and never change after:
 * process-wide configuration, as start-up options are, and the handle is never closed, since
 * connections keep its functions registered. */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

#include "store/store_int.h"

#ifndef TESELAS_SPATIALITE_SONAME
#define TESELAS_SPATIALITE_SONAME "libspatialite.so.7"
#endif

static struct {
  void *(*alloc_connection)(void);
  void (*init_ex)(sqlite3 *db, const void *cache, int verbose);
  void (*cleanup_ex)(const void *cache);
  char error[256];
} spl;
static pthread_once_t spl_once = PTHREAD_ONCE_INIT;

static void spl_load(void) {
  void *h = dlopen(TESELAS_SPATIALITE_SONAME, RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    snprintf(spl.error, sizeof spl.error, "%s", dlerror());
    return;
  }
  /* POSIX's way to turn dlsym's object pointer into a function pointer */
  *(void **)&spl.alloc_connection = dlsym(h, "spatialite_alloc_connection");
  *(void **)&spl.init_ex = dlsym(h, "spatialite_init_ex");
  *(void **)&spl.cleanup_ex = dlsym(h, "spatialite_cleanup_ex");
  if (!spl.alloc_connection || !spl.init_ex || !spl.cleanup_ex) {
    snprintf(spl.error, sizeof spl.error, "spatialite_init_ex and its pair are missing");
    spl.alloc_connection = NULL;
  }
}

err_code store_spl_attach(sqlite3 *db, void **out_cache, err *e) {
  *out_cache = NULL;
  pthread_once(&spl_once, spl_load);
  if (!spl.alloc_connection)
    return err_set(e, ERR_INTERNAL, "cannot load SpatiaLite (%s): %s", TESELAS_SPATIALITE_SONAME,
                   spl.error);
  void *cache = spl.alloc_connection();
  if (!cache) return err_set(e, ERR_NOMEM, "out of memory loading SpatiaLite");
  spl.init_ex(db, cache, 0);
  *out_cache = cache;
  return ERR_OK;
}

void store_spl_detach(void *cache) {
  if (cache && spl.cleanup_ex) spl.cleanup_ex(cache);
}
