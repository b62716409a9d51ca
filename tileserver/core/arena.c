/* arena.c — bump allocation over a chain of malloc'd chunks. Not thread-safe: one arena belongs
 * to one request on one thread. */
#include "core/arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { ARENA_CHUNK = 64 * 1024, ARENA_ALIGN = 16 };

typedef struct chunk {
  struct chunk *next;
  size_t size;
  size_t used;
  _Alignas(ARENA_ALIGN) unsigned char mem[];
} chunk;

struct arena {
  chunk *head;
  size_t cap;       /* 0 = none */
  size_t used;      /* bytes handed out, including alignment */
  size_t fail_in;   /* fault injection: 0 = off, otherwise fail when it reaches 1 */
  bool failed;
  bool over_cap;
};

arena *arena_create(size_t cap_bytes) {
  arena *a = calloc(1, sizeof *a);
  if (a) a->cap = cap_bytes;
  return a;
}

void arena_destroy(arena *a) {
  if (!a) return;
  chunk *c = a->head;
  while (c) {
    chunk *next = c->next;
    free(c);
    c = next;
  }
  free(a);
}

void *arena_alloc(arena *a, size_t n) {
  if (a->failed) return NULL;
  if (a->fail_in && --a->fail_in == 0) {
    a->failed = true;
    return NULL;
  }
  size_t need = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
  if (need < n || (a->cap && (need > a->cap || a->used > a->cap - need))) {
    a->failed = a->over_cap = true;
    return NULL;
  }
  chunk *c = a->head;
  if (!c || c->size - c->used < need) {
    size_t size = need > ARENA_CHUNK ? need : ARENA_CHUNK;
    c = malloc(sizeof *c + size);
    if (!c) {
      a->failed = true;
      return NULL;
    }
    c->size = size;
    c->used = 0;
    /* A big one-off block goes behind the current chunk so its free space is not wasted. */
    if (a->head && need > ARENA_CHUNK) {
      c->next = a->head->next;
      a->head->next = c;
    } else {
      c->next = a->head;
      a->head = c;
    }
  }
  void *p = c->mem + c->used;
  c->used += need;
  a->used += need;
  return p;
}

void *arena_calloc(arena *a, size_t count, size_t size) {
  if (size && count > SIZE_MAX / size) {
    a->failed = a->over_cap = true;
    return NULL;
  }
  void *p = arena_alloc(a, count * size);
  if (p) memset(p, 0, count * size);
  return p;
}

void *arena_realloc(arena *a, void *old, size_t old_n, size_t new_n) {
  if (new_n <= old_n && old) return old;
  void *p = arena_alloc(a, new_n);
  if (p && old && old_n) memcpy(p, old, old_n);
  return p;
}

char *arena_strndup(arena *a, const char *s, size_t n) {
  char *p = arena_alloc(a, n + 1);
  if (!p) return NULL;
  memcpy(p, s, n);
  p[n] = '\0';
  return p;
}

char *arena_strdup(arena *a, const char *s) { return arena_strndup(a, s, strlen(s)); }

char *arena_sprintf(arena *a, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0) return NULL;
  char *p = arena_alloc(a, (size_t)n + 1);
  if (!p) return NULL;
  va_start(ap, fmt);
  vsnprintf(p, (size_t)n + 1, fmt, ap);
  va_end(ap);
  return p;
}

void arena_reset(arena *a) {
  chunk *keep = NULL, *c = a->head;
  while (c) {
    chunk *next = c->next;
    if (!keep && c->size == ARENA_CHUNK) keep = c;
    else free(c);
    c = next;
  }
  if (keep) {
    keep->next = NULL;
    keep->used = 0;
  }
  a->head = keep;
  a->used = 0;
  a->failed = a->over_cap = false;
}

bool arena_failed(const arena *a) { return a->failed; }
bool arena_over_cap(const arena *a) { return a->over_cap; }
size_t arena_used(const arena *a) { return a->used; }
void arena_fail_after(arena *a, size_t n_allocs) { a->fail_in = n_allocs; }
