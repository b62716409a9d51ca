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
  ip_slot *slots; /* max_connections of them: each open connection holds at most one */
};

http_conns *http_conns_create(size_t max_connections, size_t per_ip) {
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
  return c;
}

void http_conns_destroy(http_conns *c) {
  if (!c) return;
  pthread_mutex_destroy(&c->mu);
  free(c->slots);
  free(c);
}

/* The host part of addr as 16 bytes; false for a family without one (unix sockets). */
static bool host_key(const struct sockaddr *addr, socklen_t len, uint8_t out[16]) {
  memset(out, 0, 16);
  if (addr && addr->sa_family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in)) {
    out[10] = out[11] = 0xff;
    memcpy(out + 12, &((const struct sockaddr_in *)addr)->sin_addr, 4);
    return true;
  }
  if (addr && addr->sa_family == AF_INET6 && len >= (socklen_t)sizeof(struct sockaddr_in6)) {
    memcpy(out, &((const struct sockaddr_in6 *)addr)->sin6_addr, 16);
    return true;
  }
  return false;
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
  uint8_t key[16];
  bool keyed = host_key(addr, len, key), found = false, ok = false;
  pthread_mutex_lock(&c->mu);
  ip_slot *s = keyed ? find_slot(c, key, &found) : NULL;
  if (c->draining) {
    *out_why = METRICS_REFUSED_DRAINING;
  } else if (c->open >= c->max_connections || (keyed && !s)) {
    *out_why = METRICS_REFUSED_MAX_CONNECTIONS;
  } else if (s && c->per_ip && s->n >= c->per_ip) {
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
  uint8_t key[16];
  bool keyed = host_key(addr, len, key), found = false;
  pthread_mutex_lock(&c->mu);
  ip_slot *s = keyed ? find_slot(c, key, &found) : NULL;
  if (found) s->n--;
  if (c->open) c->open--;
  pthread_mutex_unlock(&c->mu);
}

void http_conns_drain(http_conns *c) {
  pthread_mutex_lock(&c->mu);
  c->draining = true;
  pthread_mutex_unlock(&c->mu);
}
