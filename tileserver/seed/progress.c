/* progress.c — tiles done of total, rate and time left: redrawn on one line at most 5 times a
 * second on a terminal, a plain line at each tenth when stderr is a file or a pipe (logs stay
 * readable and short). */
#include <time.h>

#include "seed/seed_int.h"

double seed_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void seed_progress_start(seed_progress *p, FILE *log, int mode, uint64_t total) {
  *p = (seed_progress){.log = log, .mode = log ? mode : -1, .total = total, .t0 = seed_now()};
}

static void fmt_eta(double s, char *out, size_t n) {
  if (s < 0 || s > 360000) snprintf(out, n, "--:--");
  else if (s >= 3600) snprintf(out, n, "%dh%02dm", (int)(s / 3600), (int)(s / 60) % 60);
  else snprintf(out, n, "%dm%02ds", (int)(s / 60), (int)s % 60);
}

static void line(seed_progress *p, const char *end) {
  double el = seed_now() - p->t0;
  double rate = el > 0 ? (double)p->done / el : 0;
  char eta[32];
  fmt_eta(rate > 0 ? (double)(p->total - p->done) / rate : -1, eta, sizeof eta);
  unsigned pct = p->total ? (unsigned)(100 * p->done / p->total) : 100;
  fprintf(p->log, "%sseed: %llu/%llu tiles (%u %%), %.0f tiles/s, %s left%s",
          p->mode == 1 ? "\r" : "", (unsigned long long)p->done, (unsigned long long)p->total,
          pct, rate, eta, end);
  fflush(p->log);
}

void seed_progress_step(seed_progress *p, uint64_t done) {
  p->done = done;
  if (p->mode == 1) {
    double now = seed_now();
    if (now - p->last_draw < 0.2) return;
    p->last_draw = now;
    line(p, "\033[K");
  } else if (p->mode == 0 && p->total) {
    int d = (int)(10 * done / p->total);
    if (d <= p->decile) return;
    p->decile = d;
    line(p, "\n");
  }
}

void seed_progress_end(seed_progress *p) {
  if (p->mode == 1) line(p, "\033[K\n");
}
