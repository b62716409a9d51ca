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
 * An address that ignores its 429s (http_rate_set_penalty, --per-ip-penalty): a 429 says when to
 * come back (Retry-After); an address that keeps asking over its rate anyway is refused at accept
 * for the penalty window, where a refusal costs the server a ninth of a 429 on a new connection
 * (9.4-10.3 against 84-85 µs in one sitting, measured with libmicrohttpd, which mapped and zeroed
 * a 128 KiB pool for each connection it accepted; bench/RESULTS.md). "Keeps asking": its 429s have come one within the Retry-After of
 * the one before for HTTP_RATE_GRACE_MS, HTTP_RATE_STRIKES of them at least. The grace lets the
 * requests a browser had queued or in flight when the first 429 went out arrive without penalty;
 * a flood from one address reaches both bounds within a second. An address whose window ended
 * less than a window ago starts where it stopped: its first 429 refuses it again. Only an
 * address that is a connection's peer can be refused (the client a trusted proxy names shares
 * the proxy's connections: it keeps getting 429s).
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
  HTTP_RATE_SLOTS = 16384, /* addresses remembered at once: 16384 x 88 bytes = 1.4 MiB */
  HTTP_RATE_PROBE = 8,     /* slots looked at per address */
  /* monitoring per address: a load balancer's checks every second, Prometheus every 15 s, with
   * room for a few checkers behind one address */
  HTTP_RATE_MONITORING_PER_S = 10,
  HTTP_RATE_MONITORING_BURST = 40,
  /* what makes an address one that ignores its 429s (above) */
  HTTP_RATE_GRACE_MS = 1000,
  HTTP_RATE_STRIKES = 32
};

/* What a request gets from http_rate_check. */
typedef enum http_rate_verdict {
  HTTP_RATE_SERVE, /* within its rate */
  HTTP_RATE_LIMIT, /* over it: 429 with Retry-After */
  HTTP_RATE_CLOSE  /* over it and refused at accept for the penalty window: 429 with Retry-After
                      (the window's end), its connection closed after the answer */
} http_rate_verdict;

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

/* The penalty window of an address that ignores its 429s, in seconds (> 0), or 0: none (the
 * default). Set once at start-up, before the table is shared. */
void http_rate_set_penalty(http_rate *r, double seconds);

/* http_rate_take, and the penalty: refusable says that addr is the peer of the connection the
 * request came on (not a client named by a trusted proxy), so that its connections can be
 * refused. A request from an address in its penalty window (on a connection it opened before)
 * takes no token and gets HTTP_RATE_CLOSE. *out_retry_s is set unless HTTP_RATE_SERVE. */
http_rate_verdict http_rate_check(http_rate *r, const http_addr *addr, http_rate_class cls,
                                  bool refusable, int64_t now_us, int *out_retry_s);

/* True when the peer addr is in its penalty window at now_us: its new connection is refused.
 * Looks only: an address the table does not hold is never refused and gets no slot. */
bool http_rate_refuses(http_rate *r, const http_addr *addr, int64_t now_us);

#endif
