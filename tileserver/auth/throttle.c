/* throttle.c — failed sign-ins counted per key (an account, a client address) in a table of
 * fixed size owned by the server (auth.h, auth_throttle).
 *
 * A key that failed `max` times within `window_s` seconds of its first failure is refused until
 * that window ends; a success clears an account's count. The table never grows: a new key takes
 * a free slot, else the slot of a key whose window has ended, else the oldest key that is not
 * blocked. When every slot holds a blocked key, a new key is refused as if blocked (fail closed)
 * until the first window ends: a flood of addresses can then delay sign-ins for at most one
 * window, but never lets guesses through unthrottled nor takes the server's memory. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"

enum { KEY_MAX = 80 };

typedef struct slot {
  char key[KEY_MAX];  /* "" when free */
  int64_t first;      /* first failure of the window */
  int failures;
} slot;

struct auth_throttle {
  pthread_mutex_t lock;
  slot *slots;
  size_t n_slots;
  int max;
  int64_t window_s;
};

auth_throttle *auth_throttle_create(size_t n_slots, int max_failures, int64_t window_s) {
  auth_throttle *t = calloc(1, sizeof *t);
  if (!t) return NULL;
  t->slots = calloc(n_slots ? n_slots : 1, sizeof *t->slots);
  if (!t->slots || pthread_mutex_init(&t->lock, NULL) != 0) {
    free(t->slots);
    free(t);
    return NULL;
  }
  t->n_slots = n_slots ? n_slots : 1;
  t->max = max_failures > 0 ? max_failures : 1;
  t->window_s = window_s > 0 ? window_s : 1;
  return t;
}

void auth_throttle_destroy(auth_throttle *t) {
  if (!t) return;
  pthread_mutex_destroy(&t->lock);
  free(t->slots);
  free(t);
}

static bool expired(const auth_throttle *t, const slot *s, int64_t now) {
  return s->key[0] && now >= s->first + t->window_s;
}

static bool blocked(const auth_throttle *t, const slot *s, int64_t now) {
  return s->key[0] && !expired(t, s, now) && s->failures >= t->max;
}

static slot *find(auth_throttle *t, const char *key) {
  for (size_t i = 0; i < t->n_slots; i++)
    if (t->slots[i].key[0] && strcmp(t->slots[i].key, key) == 0) return &t->slots[i];
  return NULL;
}

/* A slot for a new key, or NULL when every slot holds a blocked key. */
static slot *take(auth_throttle *t, int64_t now) {
  slot *oldest = NULL;
  for (size_t i = 0; i < t->n_slots; i++) {
    slot *s = &t->slots[i];
    if (!s->key[0] || expired(t, s, now)) return s;
    if (!blocked(t, s, now) && (!oldest || s->first < oldest->first)) oldest = s;
  }
  return oldest;
}

int64_t auth_throttle_wait(auth_throttle *t, const char *key, int64_t now) {
  pthread_mutex_lock(&t->lock);
  int64_t wait = 0;
  slot *s = find(t, key);
  if (s && blocked(t, s, now)) wait = s->first + t->window_s - now;
  else if (!s && !take(t, now)) wait = t->window_s; /* full of blocked keys: fail closed */
  pthread_mutex_unlock(&t->lock);
  return wait;
}

void auth_throttle_fail(auth_throttle *t, const char *key, int64_t now) {
  pthread_mutex_lock(&t->lock);
  slot *s = find(t, key);
  if (s && expired(t, s, now)) s->failures = 0, s->first = now;
  if (!s && (s = take(t, now)) != NULL) {
    memset(s, 0, sizeof *s);
    strncpy(s->key, key, KEY_MAX - 1);
    s->first = now;
  }
  if (s) s->failures++;
  pthread_mutex_unlock(&t->lock);
}

void auth_throttle_clear(auth_throttle *t, const char *key) {
  pthread_mutex_lock(&t->lock);
  slot *s = find(t, key);
  if (s) memset(s, 0, sizeof *s);
  pthread_mutex_unlock(&t->lock);
}
