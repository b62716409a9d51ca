/* conns.c — the open connections by client address, for the accept policy (conns.h). IPv4 and
 * IPv6 addresses are kept as 16 bytes (IPv4 mapped), the port left out: the bound is per host. */
#include "http/conns.h"

#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct ip_slot {
  uint8_t addr[16];
  size_t n; /* connections open from addr; 0: the slot is free */
} ip_slot;

struct http_conns {
  pthread_mutex_t mu;
  size_t max_connections, per_ip;
  size_t open;
  bool draining;
  http_cidr trusted[HTTP_TRUSTED_PROXIES_MAX]; /* exempt from per_ip: every client behind them */
  size_t n_trusted;
  ip_slot *slots; /* max_connections of them: each open connection holds at most one */
};

http_conns *http_conns_create(size_t max_connections, size_t per_ip, const http_cidr *trusted,
                              size_t n_trusted) {
  http_conns *c = calloc(1, sizeof *c);
  if (!c) return NULL;
  c->slots = calloc(max_connections ? max_connections : 1, sizeof *c->slots);
  if (!c->slots || pthread_mutex_init(&c->mu, NULL) != 0) {
    free(c->slots);
    free(c);
    return NULL;
  }
  c->max_connections = max_connections;
  c->per_ip = per_ip;
  c->n_trusted = n_trusted < HTTP_TRUSTED_PROXIES_MAX ? n_trusted : HTTP_TRUSTED_PROXIES_MAX;
  if (c->n_trusted) memcpy(c->trusted, trusted, c->n_trusted * sizeof *trusted);
  return c;
}

void http_conns_destroy(http_conns *c) {
  if (!c) return;
  pthread_mutex_destroy(&c->mu);
  free(c->slots);
  free(c);
}

/* The slot of key, or else a free slot (*out_found false), or NULL when the table is full. */
static ip_slot *find_slot(http_conns *c, const uint8_t key[16], bool *out_found) {
  ip_slot *free_slot = NULL;
  *out_found = false;
  for (size_t i = 0; i < c->max_connections; i++) {
    ip_slot *s = &c->slots[i];
    if (s->n && memcmp(s->addr, key, 16) == 0) {
      *out_found = true;
      return s;
    }
    if (!s->n && !free_slot) free_slot = s;
  }
  return free_slot;
}

bool http_conns_admit(http_conns *c, const struct sockaddr *addr, socklen_t len,
                      metrics_refusal *out_why) {
  http_addr a;
  bool keyed = http_addr_from_sockaddr(addr, len, &a), found = false, ok = false;
  const uint8_t *key = a.b;
  bool bounded = keyed && !http_cidr_any_contains(c->trusted, c->n_trusted, &a);
  pthread_mutex_lock(&c->mu);
  ip_slot *s = keyed ? find_slot(c, key, &found) : NULL;
  if (c->draining) {
    *out_why = METRICS_REFUSED_DRAINING;
  } else if (c->open >= c->max_connections || (keyed && !s)) {
    *out_why = METRICS_REFUSED_MAX_CONNECTIONS;
  } else if (s && bounded && c->per_ip && s->n >= c->per_ip) {
    *out_why = METRICS_REFUSED_PER_IP;
  } else {
    if (s) {
      if (!found) memcpy(s->addr, key, 16);
      s->n++;
    }
    c->open++;
    ok = true;
  }
  pthread_mutex_unlock(&c->mu);
  return ok;
}

void http_conns_release(http_conns *c, const struct sockaddr *addr, socklen_t len) {
  http_addr a;
  bool keyed = http_addr_from_sockaddr(addr, len, &a), found = false;
  pthread_mutex_lock(&c->mu);
  ip_slot *s = keyed ? find_slot(c, a.b, &found) : NULL;
  if (found) s->n--;
  if (c->open) c->open--;
  pthread_mutex_unlock(&c->mu);
}

void http_conns_drain(http_conns *c) {
  pthread_mutex_lock(&c->mu);
  c->draining = true;
  pthread_mutex_unlock(&c->mu);
}
