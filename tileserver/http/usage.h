/* usage.h — requests and bytes per layer and kind (tile, image, items, download, page), for
 * /metrics and for the counts the server keeps in the database (store/usage.c).
 *
 * Cardinality is bounded: a label is a layer id of the catalog (looked up in the request's
 * snapshot; a path naming anything else is never a label) and at most USAGE_LAYERS_MAX of them,
 * so at most (USAGE_LAYERS_MAX + 1) × 5 series per metric; the rest, and requests of a kind that
 * name a style of several layers (/styles/todas/..., /maps/leon), count under USAGE_OTHER.
 * A request counts when it was answered whole with a status below 400 (304 included, with its
 * 0 bytes); a tile of several layers counts once for each, with the whole tile's bytes.
 *
 * Request threads only add with relaxed atomics; a layer's first request takes a mutex once to
 * claim its slot. Nothing is ever freed before usage_table_destroy. */
#ifndef TESELAS_HTTP_USAGE_H
#define TESELAS_HTTP_USAGE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "store/store.h"

enum {
  USAGE_LAYERS_MAX = 256,          /* labels besides USAGE_OTHER */
  USAGE_SLOTS = 2 * USAGE_LAYERS_MAX, /* open addressing, at most half full */
  USAGE_OTHER = USAGE_SLOTS,       /* the slot of everything else */
  USAGE_MARK_MAX = 16              /* layers one request counts for (a tile of a,b,c...) */
};
#define USAGE_OTHER_LABEL "_other" /* no layer id starts with '_' */

typedef struct usage_slot {
  atomic_int ready;                /* 1 once id is written (release), never reset */
  char id[64];
  atomic_uint_fast64_t requests[STORE_USAGE_KINDS];
  atomic_uint_fast64_t bytes[STORE_USAGE_KINDS];
} usage_slot;

typedef struct usage_table usage_table;

/* What one request counts for, decided when it is routed and counted when it completes. */
typedef struct usage_mark {
  int kind;                        /* store_usage_kind, or -1: not counted */
  uint16_t n;
  uint16_t slot[USAGE_MARK_MAX];
} usage_mark;

/* The usage kind a route counts for (routes.c): 0 none, else 1 + store_usage_kind. The layer is
 * the route's first capture: a layer id, a comma list of them (vector tiles), or a style name
 * (a layer's automatic style is named like the layer). */
enum {
  USAGE_ROUTE_NONE = 0,
  USAGE_ROUTE_TILE = 1 + STORE_USAGE_TILE,
  USAGE_ROUTE_IMAGE = 1 + STORE_USAGE_IMAGE,
  USAGE_ROUTE_ITEMS = 1 + STORE_USAGE_ITEMS,
  USAGE_ROUTE_DOWNLOAD = 1 + STORE_USAGE_DOWNLOAD,
  USAGE_ROUTE_PAGE = 1 + STORE_USAGE_PAGE
};

usage_table *usage_table_create(void);
void usage_table_destroy(usage_table *t);

/* The slot of layer id (registered now when new and there is room), or USAGE_OTHER. */
uint16_t usage_slot_of(usage_table *t, const char *id, size_t id_len);
/* What a request routed with route_usage and first capture [name, name+len) counts for, the
 * layers looked up in c (NULL: the request was not routed, m->kind = -1). */
void usage_mark_request(usage_table *t, int route_usage, const catalog *c, const char *name,
                        size_t len, usage_mark *m);
/* Counts a finished request: status 0 (aborted) or >= 400 does not count. */
void usage_count(usage_table *t, const usage_mark *m, int status, uint64_t bytes);
/* The slot i (0..USAGE_SLOTS, USAGE_OTHER included): NULL when empty. For the flusher. */
usage_slot *usage_slot_at(usage_table *t, size_t i);
/* Appends teselas_layer_requests_total and teselas_layer_response_bytes_total for the layers of
 * c (every kind, zeros included) and USAGE_OTHER. */
void usage_write_metrics(usage_table *t, const catalog *c, buf *out);

#endif
