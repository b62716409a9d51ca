/* gate.h — the layers a server may serve: those whose privacy policy it can read.
 *
 * A layer's policy (the catalog's `privacy` JSON, privacy/policy.h) says what every output must
 * honour. A policy this build cannot read (hand-edited, written by a newer version) must not turn
 * into "no policy": such a layer is left out of the catalog every handler sees, so it answers
 * 404 on every path (tiles, items, downloads, styles, pages) instead of being served unprotected.
 * The check runs once per catalog snapshot, not per request. */
#ifndef TESELAS_HTTP_GATE_H
#define TESELAS_HTTP_GATE_H

#include "core/err.h"
#include "store/store.h"

typedef struct http_gate http_gate;

/* Per worker thread (it caches the last filtered snapshot). Caller owns: http_gate_destroy. */
http_gate *http_gate_create(void);
void http_gate_destroy(http_gate *g);

/* The servable view of `all` (the reader's snapshot): the same layers minus those whose policy
 * does not parse, each logged once as an error. The view borrows all's strings and is valid
 * while `all` is, i.e. until the next store_reader_catalog call. ERR_NOMEM only. */
err_code http_gate_catalog(http_gate *g, const catalog *all, const catalog **out, err *e);

#endif
