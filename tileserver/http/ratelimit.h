/* ratelimit.h — requests per client address (--per-ip-rate, --per-ip-burst): a token bucket per
 * address in a table of fixed size owned by the server, checked once per request before any
 * work, so a flood from one address is answered 429 for the price of a lookup.
 *
 * Monitoring (/health, /metrics) draws from a second bucket of its own per address, so a load
 * balancer's or Prometheus's checks keep being answered while the same address floods the rest
 * (and the rest while it floods /health).
 *
 * Written as if attacked: the table never grows (n_slots fixed at creation), an address is
 * placed by a hash keyed with a random seed (a client cannot aim at another's slot), an IPv6
 * address counts by its /64 (what one subscriber gets: a client changing its low 64 bits is one
 * client), and a full neighbourhood gives up the slot left alone longest, an eviction counted in
 * /metrics: an evicted address starts again with a full burst, never more.
 *
 * Thread-safe: one mutex around a lookup of at most HTTP_RATE_PROBE slots. */
#ifndef TESELAS_HTTP_RATELIMIT_H
#define TESELAS_HTTP_RATELIMIT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http/addr.h"

typedef struct http_rate http_rate;

typedef enum http_rate_class {
  HTTP_RATE_REQUESTS,   /* everything but monitoring: --per-ip-rate, --per-ip-burst */
  HTTP_RATE_MONITORING, /* /health and /metrics: a bucket as large as the requests' one, and at
                           least HTTP_RATE_MONITORING_PER_S and _BURST */
  HTTP_RATE_CLASSES
} http_rate_class;

enum {
  HTTP_RATE_SLOTS = 16384, /* addresses remembered at once: 16384 x 48 bytes = 768 KiB */
  HTTP_RATE_PROBE = 8,     /* slots looked at per address */
  /* monitoring per address: a load balancer's checks every second, Prometheus every 15 s, with
   * room for a few checkers behind one address */
  HTTP_RATE_MONITORING_PER_S = 10,
  HTTP_RATE_MONITORING_BURST = 40
};

/* per_s > 0 requests a second from one address, bursts of up to burst (>= 1), n_slots rounded up
 * to a power of two; each eviction adds one to *evictions (NULL: not counted). NULL when out of
 * memory or per_s <= 0. Caller owns; http_rate_destroy. */
http_rate *http_rate_create(double per_s, double burst, size_t n_slots,
                            atomic_uint_fast64_t *evictions);
void http_rate_destroy(http_rate *r);

/* Takes one request from addr's bucket of class cls at now_us (a monotonic clock): true when it
 * may be served; false when over the rate, with *out_retry_s the whole seconds (>= 1) until the
 * bucket holds a request again. */
bool http_rate_take(http_rate *r, const http_addr *addr, http_rate_class cls, int64_t now_us,
                    int *out_retry_s);

#endif
