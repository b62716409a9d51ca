/* metrics.h — request counters for GET /metrics (Prometheus text format 0.0.4).
 * Updated by every worker with relaxed atomic adds: no lock on the request path. */
#ifndef TESELAS_HTTP_METRICS_H
#define TESELAS_HTTP_METRICS_H

#include <stdatomic.h>
#include <stdint.h>

#include "core/buf.h"

enum { METRICS_CLASSES = 6 }; /* status classes 1xx..5xx, and "aborted" */

typedef struct http_metrics {
  atomic_uint_fast64_t requests[METRICS_CLASSES];
  atomic_uint_fast64_t duration_us_sum;
  atomic_uint_fast64_t bytes_sent;
} http_metrics;

/* Counts one finished request. status 0 means the client went away before the answer. */
void metrics_count(http_metrics *m, int status, uint64_t duration_us, uint64_t bytes);
/* Appends the counters in Prometheus text format. */
void metrics_write(http_metrics *m, buf *out);

#endif
