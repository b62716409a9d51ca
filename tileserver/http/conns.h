/* conns.h — admission of client connections: the open-connection bound (--max-connections) and
 * the per-address bound (--per-ip-connections), checked at accept (http/engine.h's admit hook)
 * so that every refusal is counted. A connection admitted here is released when the engine
 * reports it closed.
 *
 * Thread-safe: one mutex around a flat table of the addresses with connections open (at most
 * max_connections of them: a linear scan of a few thousand 20-byte entries costs about a
 * microsecond per accept, far below the accept itself). */
#ifndef TESELAS_HTTP_CONNS_H
#define TESELAS_HTTP_CONNS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "http/addr.h"
#include "http/metrics.h"

typedef struct http_conns http_conns;

/* NULL when out of memory. per_ip 0: no per-address bound; the trusted proxies (copied) are never
 * bound by it, their connections carrying many clients. Caller owns; http_conns_destroy. */
http_conns *http_conns_create(size_t max_connections, size_t per_ip, const http_cidr *trusted,
                              size_t n_trusted);
void http_conns_destroy(http_conns *c);

/* Admits a connection from addr (true), or says why not in *out_why (false). An admitted
 * connection counts until http_conns_release with the same address. */
bool http_conns_admit(http_conns *c, const struct sockaddr *addr, socklen_t len,
                      metrics_refusal *out_why);
void http_conns_release(http_conns *c, const struct sockaddr *addr, socklen_t len);
/* From now on every connection is refused as METRICS_REFUSED_DRAINING. */
void http_conns_drain(http_conns *c);

#endif
