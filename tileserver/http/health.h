/* health.h — which published layer versions are damaged, for GET /health.
 *
 * A probe (store_layer_probe: SQLite's quick_check of the version's table and spatial index)
 * reads every page of a layer, so its answer is kept per layer version for HEALTH_PROBE_TTL_S
 * seconds: a monitor asking every second costs one probe per layer a minute, and a rollback or
 * re-import (a new version) is probed on the next /health. Shared by the workers, guarded by one
 * mutex taken only to read or store an answer (never while probing). */
#ifndef TESELAS_HTTP_HEALTH_H
#define TESELAS_HTTP_HEALTH_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "store/check.h"
#include "store/store.h"

enum { HEALTH_PROBE_TTL_S = 60, HEALTH_LAYERS_MAX = 512 };

typedef struct health_board health_board;

health_board *health_board_create(void);
void health_board_destroy(health_board *b);

/* Whether layer l (its published version) is sound: the kept answer when fresh, else a probe
 * through r. why (why_len bytes) says what is damaged. ERR_OK when known; an error of the probe
 * (the database locked) otherwise. */
err_code health_layer_sound(health_board *b, store_reader *r, const layer_info *l, bool *out_sound,
                            char *why, size_t why_len, err *e);

#endif
