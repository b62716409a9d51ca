/* sources.h — the databases a server reads (http/sources.c): the store readers of the worker
 * threads, and over PostgreSQL the catalog watch that drops a layer's cached tiles when the
 * database announces a new version of it. */
#ifndef TESELAS_HTTP_SOURCES_H
#define TESELAS_HTTP_SOURCES_H

#include "http/services.h"
#include "store/store.h"

typedef struct http_sources http_sources;

/* Starts the watch when cfg->db_path is PostgreSQL (it keeps trying a database that cannot be
 * reached). cfg and sv must outlive the result. Caller owns; http_sources_stop. */
err_code http_sources_start(const server_config *cfg, http_services *sv, http_sources **out,
                            err *e);
/* Stops the watch; after every worker is gone (no reader is used afterwards). NULL ignored. */
void http_sources_stop(http_sources *s);
/* A new worker's reader: its standby in turn (round robin over the workers), then the others,
 * then the primary. Caller owns; store_reader_close. */
err_code http_sources_reader(http_sources *s, store_reader **out, err *e);

#endif
