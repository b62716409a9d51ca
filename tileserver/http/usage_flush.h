/* usage_flush.h — the background thread that writes the usage counts (usage.h) into the
 * database every minute and at stop (usage_flush.c says when and what is never lost). */
#ifndef TESELAS_HTTP_USAGE_FLUSH_H
#define TESELAS_HTTP_USAGE_FLUSH_H

#include "core/err.h"
#include "http/usage.h"

typedef struct usage_flusher usage_flusher;

/* Opens the write connection to db_path (creating the usage table) and starts the thread, which
 * reads t until usage_flusher_stop. ERR_IO / ERR_DB when the database cannot be written. */
err_code usage_flusher_start(usage_table *t, const char *db_path, usage_flusher **out, err *e);
/* Stops the thread and writes what was counted since the last write (call it once no request is
 * in flight). Frees f; NULL is a no-op. */
void usage_flusher_stop(usage_flusher *f);

#endif
