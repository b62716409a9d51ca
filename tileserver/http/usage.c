/* usage.c — the per-layer counters behind /metrics and the persisted usage (usage.h says what
 * counts and the bounds). A fixed open-addressing table of USAGE_SLOTS slots: lookups probe
 * without a lock (a slot's id is written before its ready flag is released, and never changes);
 * a layer's first request claims a slot under the mutex. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "http/usage.h"

struct usage_table {
  usage_slot slots[USAGE_SLOTS + 1];  /* the last one is USAGE_OTHER */
  pthread_mutex_t lock;               /* claims of new slots */
  size_t n_used;                      /* under lock */
};

usage_table *usage_table_create(void) {
  usage_table *t = calloc(1, sizeof *t);
  if (!t) return NULL;
  pthread_mutex_init(&t->lock, NULL);
  memcpy(t->slots[USAGE_OTHER].id, USAGE_OTHER_LABEL, sizeof USAGE_OTHER_LABEL);
  atomic_store(&t->slots[USAGE_OTHER].ready, 1);
  return t;
}

void usage_table_destroy(usage_table *t) {
  if (!t) return;
  pthread_mutex_destroy(&t->lock);
  free(t);
}

/* FNV-1a: ids are short and few; any spread will do. */
static size_t hash(const char *s, size_t n) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; i++) h = (h ^ (uint8_t)s[i]) * 16777619u;
  return h;
}

static bool slot_is(const usage_slot *s, const char *id, size_t n) {
  return strncmp(s->id, id, n) == 0 && s->id[n] == '\0';
}

/* Probes for id: its slot, or the first empty slot on its path (*out_found false), or
 * USAGE_SLOTS when the path is full. */
static size_t probe(usage_table *t, const char *id, size_t n, bool *out_found) {
  size_t h = hash(id, n);
  for (size_t i = 0; i < USAGE_SLOTS; i++) {
    size_t k = (h + i) % USAGE_SLOTS;
    usage_slot *s = &t->slots[k];
    if (!atomic_load_explicit(&s->ready, memory_order_acquire)) {
      *out_found = false;
      return k;
    }
    if (slot_is(s, id, n)) {
      *out_found = true;
      return k;
    }
  }
  *out_found = false;
  return USAGE_SLOTS;
}

uint16_t usage_slot_of(usage_table *t, const char *id, size_t n) {
  if (n == 0 || n >= sizeof t->slots[0].id) return USAGE_OTHER;
  bool found;
  size_t k = probe(t, id, n, &found);
  if (found) return (uint16_t)k;
  pthread_mutex_lock(&t->lock);
  k = probe(t, id, n, &found); /* another thread may have claimed it meanwhile */
  if (!found && k < USAGE_SLOTS && t->n_used < USAGE_LAYERS_MAX) {
    memcpy(t->slots[k].id, id, n);
    t->slots[k].id[n] = '\0';
    atomic_store_explicit(&t->slots[k].ready, 1, memory_order_release);
    t->n_used++;
    found = true;
  }
  pthread_mutex_unlock(&t->lock);
  return found ? (uint16_t)k : USAGE_OTHER;
}

static void mark_add(usage_mark *m, uint16_t slot) {
  for (uint16_t i = 0; i < m->n; i++)
    if (m->slot[i] == slot) return; /* /tiles/a,a/... counts a once */
  if (m->n < USAGE_MARK_MAX) m->slot[m->n++] = slot;
}

void usage_mark_request(usage_table *t, int route_usage, const catalog *c, const char *name,
                        size_t len, usage_mark *m) {
  m->kind = -1;
  m->n = 0;
  if (!t || !c || route_usage <= USAGE_ROUTE_NONE || route_usage > STORE_USAGE_KINDS) return;
  m->kind = route_usage - 1;
  /* a comma list only where the route takes one (vector tiles); elsewhere a comma is not an id */
  bool list = m->kind == STORE_USAGE_TILE;
  for (size_t at = 0; at <= len;) {
    size_t n = 0;
    while (at + n < len && !(list && name[at + n] == ',')) n++;
    const layer_info *l = n ? catalog_find(c, name + at, n) : NULL;
    mark_add(m, l ? usage_slot_of(t, l->id, strlen(l->id)) : USAGE_OTHER);
    at += n + 1;
  }
}

void usage_count(usage_table *t, const usage_mark *m, int status, uint64_t bytes) {
  if (!t || m->kind < 0 || m->kind >= STORE_USAGE_KINDS || status <= 0 || status >= 400) return;
  if (status == 304 && m->kind == STORE_USAGE_DOWNLOAD) return; /* revalidated: nothing sent */
  for (uint16_t i = 0; i < m->n; i++) {
    usage_slot *s = &t->slots[m->slot[i]];
    atomic_fetch_add_explicit(&s->requests[m->kind], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&s->bytes[m->kind], bytes, memory_order_relaxed);
  }
}

usage_slot *usage_slot_at(usage_table *t, size_t i) {
  if (i > USAGE_OTHER || !atomic_load_explicit(&t->slots[i].ready, memory_order_acquire))
    return NULL;
  return &t->slots[i];
}

static void write_series(buf *out, const char *metric, const char *label,
                         const atomic_uint_fast64_t *v) {
  for (int k = 0; k < STORE_USAGE_KINDS; k++)
    buf_printf(out, "%s{layer=\"%s\",kind=\"%s\"} %llu\n", metric, label,
               store_usage_kind_name((store_usage_kind)k),
               v ? (unsigned long long)atomic_load_explicit(&v[k], memory_order_relaxed) : 0ULL);
}

void usage_write_metrics(usage_table *t, const catalog *c, buf *out) {
  static const char *const NAME[2] = {"teselas_layer_requests_total",
                                      "teselas_layer_response_bytes_total"};
  static const char *const HELP[2] = {
      "Requests answered with a status below 400, by layer and kind (the first "
      "256 layers seen; the rest and styles of several layers under " USAGE_OTHER_LABEL ").",
      "Body bytes of those answers, by layer and kind."};
  for (int m = 0; m < 2; m++) {
    buf_printf(out, "# HELP %s %s\n# TYPE %s counter\n", NAME[m], HELP[m], NAME[m]);
    for (size_t i = 0; c && i < c->n_layers; i++) {
      const char *id = c->layers[i].id;
      bool found;
      size_t k = probe(t, id, strlen(id), &found);
      const usage_slot *s = found ? &t->slots[k] : NULL;
      write_series(out, NAME[m], id, s ? (m ? s->bytes : s->requests) : NULL);
    }
    const usage_slot *o = &t->slots[USAGE_OTHER];
    write_series(out, NAME[m], USAGE_OTHER_LABEL, m ? o->bytes : o->requests);
  }
}
