/* health.c — the damage board behind GET /health (health.h): answers of the layer probe, kept
 * per layer version for a minute. It does not repair anything, nor stop requests to a damaged
 * layer: those get 503 from the read that meets the damage. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http/health.h"

typedef struct health_entry {
  char id[64];
  int64_t version;
  time_t at;
  bool sound;
  char why[200];
} health_entry;

struct health_board {
  pthread_mutex_t lock;
  health_entry entries[HEALTH_LAYERS_MAX];
  size_t n;
};

health_board *health_board_create(void) {
  health_board *b = calloc(1, sizeof *b);
  if (b) pthread_mutex_init(&b->lock, NULL);
  return b;
}

void health_board_destroy(health_board *b) {
  if (!b) return;
  pthread_mutex_destroy(&b->lock);
  free(b);
}

static health_entry *find(health_board *b, const char *id) {
  for (size_t i = 0; i < b->n; i++)
    if (strcmp(b->entries[i].id, id) == 0) return &b->entries[i];
  return NULL;
}

err_code health_layer_sound(health_board *b, store_reader *r, const layer_info *l, bool *out_sound,
                            char *why, size_t why_len, err *e) {
  time_t now = time(NULL);
  pthread_mutex_lock(&b->lock);
  health_entry *h = find(b, l->id);
  bool fresh = h && h->version == l->version && now - h->at < HEALTH_PROBE_TTL_S;
  if (fresh) {
    *out_sound = h->sound;
    snprintf(why, why_len, "%s", h->why);
  }
  pthread_mutex_unlock(&b->lock);
  if (fresh) return ERR_OK;
  char found[200];
  err_code rc = store_layer_probe(r, l->table_name, out_sound, found, sizeof found, e);
  if (rc != ERR_OK) return rc;
  snprintf(why, why_len, "%s", found);
  pthread_mutex_lock(&b->lock);
  if (!(h = find(b, l->id)) && b->n < HEALTH_LAYERS_MAX) h = &b->entries[b->n++];
  if (h) {
    snprintf(h->id, sizeof h->id, "%s", l->id);
    h->version = l->version;
    h->at = now;
    h->sound = *out_sound;
    snprintf(h->why, sizeof h->why, "%s", found);
  }
  pthread_mutex_unlock(&b->lock);
  return ERR_OK;
}
