/* usage_flush.c — the thread that keeps the usage counts (usage.c) in the database: at the turn of
 * every minute, and once more when the server stops, it adds what each slot counted since the
 * last write to its hour's bucket (store_usage_add). Request threads never wait for it: they only
 * add to atomics, and this thread reads them.
 *
 * Nothing is lost on a clean stop: the server stops the flusher after the HTTP engine has finished
 * every request (each counted in its completion callback), so the last write holds them all.
 * A write that fails (an import holding the write lock past the wait, a full disk) keeps its
 * counts for the next minute; only the last one at a stop gives up, after 10 s, and says how
 * many requests it could not write. A kill -9 loses at most the current minute.
 *
 * Between writes the same thread computes the digests of the downloads (digests.c), one at a
 * time, at a lower scheduling priority (nice 10, this thread only) so that it takes what the
 * request threads leave. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "http/digests.h"
#include "http/usage_flush.h"

enum {
  FLUSH_BUSY_MS = 2000,       /* a minute's write waits this long for an import, then retries */
  FINAL_BUSY_MS = 10000,
  DIGEST_LOOK_S = 5,          /* a digest-free check is one catalog lookup per layer and format */
  ROWS_MAX = (USAGE_OTHER + 1) * STORE_USAGE_KINDS
};

struct usage_flusher {
  usage_table *table;
  store_usage_writer *w;
  pthread_t thread;
  pthread_mutex_t lock;
  pthread_cond_t wake;
  bool stop;
  atomic_bool halt;      /* stop, for the digests' read loop (which holds no lock) */
  char *db_path;
  digests dg;
  /* what each slot had when last written: owned by the flusher thread */
  uint64_t done_requests[USAGE_OTHER + 1][STORE_USAGE_KINDS];
  uint64_t done_bytes[USAGE_OTHER + 1][STORE_USAGE_KINDS];
  store_usage_row rows[ROWS_MAX];
  uint64_t now_requests[ROWS_MAX], now_bytes[ROWS_MAX]; /* the totals each row was taken from */
  size_t row_slot[ROWS_MAX];
};

/* Writes the counts since the last write into the bucket of `hour`; on success they are done. */
static void flush(usage_flusher *f, int64_t hour, int busy_ms) {
  size_t n = 0;
  uint64_t pending = 0;
  for (size_t i = 0; i <= USAGE_OTHER; i++) {
    usage_slot *s = usage_slot_at(f->table, i);
    if (!s) continue;
    for (int k = 0; k < STORE_USAGE_KINDS; k++) {
      uint64_t r = atomic_load_explicit(&s->requests[k], memory_order_relaxed);
      uint64_t b = atomic_load_explicit(&s->bytes[k], memory_order_relaxed);
      if (r == f->done_requests[i][k] && b == f->done_bytes[i][k]) continue;
      f->rows[n] = (store_usage_row){s->id, (store_usage_kind)k, hour, r - f->done_requests[i][k],
                                     b - f->done_bytes[i][k]};
      f->now_requests[n] = r;
      f->now_bytes[n] = b;
      f->row_slot[n] = i;
      pending += r - f->done_requests[i][k];
      n++;
    }
  }
  if (!n) return;
  err e = {0};
  if (store_usage_add(f->w, f->rows, n, busy_ms, &e) != ERR_OK) {
    log_warn("usage: %llu requests not written yet: %s", (unsigned long long)pending, e.msg);
    return;
  }
  for (size_t j = 0; j < n; j++) {
    f->done_requests[f->row_slot[j]][f->rows[j].kind] = f->now_requests[j];
    f->done_bytes[f->row_slot[j]][f->rows[j].kind] = f->now_bytes[j];
  }
}

/* Requests counted but not yet written (after a failed final write). */
static uint64_t unwritten(usage_flusher *f) {
  uint64_t n = 0;
  for (size_t i = 0; i <= USAGE_OTHER; i++) {
    usage_slot *s = usage_slot_at(f->table, i);
    for (int k = 0; s && k < STORE_USAGE_KINDS; k++)
      n += atomic_load_explicit(&s->requests[k], memory_order_relaxed) - f->done_requests[i][k];
  }
  return n;
}

static int64_t hour_of(time_t t) { return (int64_t)t - (int64_t)t % 3600; }

/* Digests until none is missing or the minute has turned. */
static void background_work(usage_flusher *f, store_reader *r, time_t until) {
  while (r && !atomic_load(&f->halt) && time(NULL) < until &&
         digests_step(&f->dg, f->db_path, r, f->w, &f->halt)) {
  }
}

/* Waits on the condition until the time `until` or a stop; false on a stop. */
static bool sleep_until(usage_flusher *f, time_t until) {
  struct timespec at = {.tv_sec = until, .tv_nsec = 0};
  while (!f->stop && pthread_cond_timedwait(&f->wake, &f->lock, &at) == 0) {
  }
  return !f->stop;
}

static void *run(void *arg) {
  usage_flusher *f = arg;
  setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 10);
  store_reader *r = NULL;
  err e = {0};
  if (store_reader_open(f->db_path, &r, &e) != ERR_OK) log_warn("digests: %s", e.msg);
  pthread_mutex_lock(&f->lock);
  while (!f->stop) {
    /* write at the next turn of the minute (wall clock: the buckets are wall-clock hours);
       meanwhile look for digests to compute every DIGEST_LOOK_S (a new version's) */
    time_t now = time(NULL), minute = now - now % 60 + 60;
    bool go = true;
    while (go && now < minute) {
      pthread_mutex_unlock(&f->lock);
      background_work(f, r, minute);
      pthread_mutex_lock(&f->lock);
      now = time(NULL);
      go = sleep_until(f, now + DIGEST_LOOK_S < minute ? now + DIGEST_LOOK_S : minute);
      now = time(NULL);
    }
    if (!go) break;
    pthread_mutex_unlock(&f->lock);
    /* the minute that just ended belongs to the hour it was in */
    flush(f, hour_of(time(NULL) - 1), FLUSH_BUSY_MS);
    pthread_mutex_lock(&f->lock);
  }
  pthread_mutex_unlock(&f->lock);
  store_reader_close(r);
  return NULL;
}

err_code usage_flusher_start(usage_table *t, const char *db_path, usage_flusher **out, err *e) {
  *out = NULL;
  usage_flusher *f = calloc(1, sizeof *f);
  if (!f) return err_set(e, ERR_NOMEM, "out of memory");
  f->table = t;
  err_code rc = (f->db_path = strdup(db_path)) ? store_usage_open(db_path, &f->w, e)
                                               : err_set(e, ERR_NOMEM, "out of memory");
  if (rc != ERR_OK) {
    free(f->db_path);
    free(f);
    return rc;
  }
  pthread_mutex_init(&f->lock, NULL);
  pthread_cond_init(&f->wake, NULL);
  if (pthread_create(&f->thread, NULL, run, f) != 0) {
    store_usage_close(f->w);
    pthread_cond_destroy(&f->wake);
    pthread_mutex_destroy(&f->lock);
    free(f->db_path);
    free(f);
    return err_set(e, ERR_INTERNAL, "cannot start the usage thread");
  }
  *out = f;
  return ERR_OK;
}

void usage_flusher_stop(usage_flusher *f) {
  if (!f) return;
  pthread_mutex_lock(&f->lock);
  f->stop = true;
  atomic_store(&f->halt, true);
  pthread_cond_signal(&f->wake);
  pthread_mutex_unlock(&f->lock);
  pthread_join(f->thread, NULL);
  flush(f, hour_of(time(NULL)), FINAL_BUSY_MS);
  uint64_t lost = unwritten(f);
  if (lost) log_error("usage: %llu requests could not be written", (unsigned long long)lost);
  store_usage_close(f->w);
  pthread_cond_destroy(&f->wake);
  pthread_mutex_destroy(&f->lock);
  free(f->db_path);
  free(f);
}
