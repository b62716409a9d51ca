/* metrics.h — request counters for GET /metrics (Prometheus text format 0.0.4).
 * Updated by every worker with relaxed atomic adds: no lock on the request path. */
#ifndef TESELAS_HTTP_METRICS_H
#define TESELAS_HTTP_METRICS_H

#include <stdatomic.h>
#include <stdint.h>

#include "core/buf.h"

enum { METRICS_CLASSES = 6 }; /* status classes 1xx..5xx, and "aborted" */

/* Why a connection was closed at accept (http/conns.h). */
typedef enum metrics_refusal {
  METRICS_REFUSED_MAX_CONNECTIONS, /* --max-connections open already */
  METRICS_REFUSED_PER_IP,          /* --per-ip-connections open from that address */
  METRICS_REFUSED_DRAINING,        /* the server is stopping */
  METRICS_REFUSED_RATE_PENALTY,    /* an address that ignored its 429s (--per-ip-penalty) */
  METRICS_REFUSALS
} metrics_refusal;

typedef struct http_metrics {
  atomic_uint_fast64_t requests[METRICS_CLASSES];
  atomic_uint_fast64_t duration_us_sum;
  atomic_uint_fast64_t bytes_sent;
  atomic_uint_fast64_t refused[METRICS_REFUSALS];
  atomic_uint_fast64_t timed_out;   /* closed after --request-timeout without a byte */
  atomic_int_fast64_t open_connections;
  atomic_int_fast64_t in_flight;    /* requests whose headers are in and not yet completed */
  atomic_uint_fast64_t rate_limited[2]; /* 429 over --per-ip-rate: requests, monitoring */
  atomic_uint_fast64_t rate_evictions;  /* addresses whose bucket gave way (http/ratelimit.h) */
} http_metrics;

/* Counts one finished request. status 0 means the client went away before the answer. */
void metrics_count(http_metrics *m, int status, uint64_t duration_us, uint64_t bytes);
/* Counts one connection closed at accept. */
void metrics_refuse(http_metrics *m, metrics_refusal why);
/* Appends the counters in Prometheus text format. */
void metrics_write(http_metrics *m, buf *out);

#endif
