/* arena.h — a region allocator with a byte cap, one per request (the h2o habit).
 *
 * Everything a request parses or builds lives in its arena and is freed at once by
 * arena_destroy. When the cap is reached or memory runs out, the arena fails for good (sticky):
 * every later allocation returns NULL and arena_failed() tells why, so an oversized request ends
 * in a clean 413/503 instead of eating the machine.
 * For fault-injection tests, arena_fail_after(a, n) makes the n-th next allocation fail. */
#ifndef TESELAS_CORE_ARENA_H
#define TESELAS_CORE_ARENA_H

#include <stdbool.h>
#include <stddef.h>

typedef struct arena arena;

/* cap_bytes 0 means no cap. Returns NULL when memory is exhausted. Caller owns; arena_destroy. */
arena *arena_create(size_t cap_bytes);
void arena_destroy(arena *a);

/* Memory aligned for any type, owned by the arena. NULL on failure (sticky). */
void *arena_alloc(arena *a, size_t n);
void *arena_calloc(arena *a, size_t count, size_t size);
/* Grows a block previously returned by arena_alloc (old contents copied; old block abandoned). */
void *arena_realloc(arena *a, void *old, size_t old_n, size_t new_n);
char *arena_strdup(arena *a, const char *s);
char *arena_strndup(arena *a, const char *s, size_t n);
char *arena_sprintf(arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Frees everything allocated so far (keeping one chunk for reuse) and clears a cap failure, so a
 * loop can use one arena as scratch space per item: memory stays bounded by the largest item. */
void arena_reset(arena *a);

bool arena_failed(const arena *a);
/* True when the failure was the cap rather than the system allocator. */
bool arena_over_cap(const arena *a);
size_t arena_used(const arena *a);
void arena_fail_after(arena *a, size_t n_allocs);

#endif
