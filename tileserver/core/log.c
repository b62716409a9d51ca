/* log.c — timestamped lines on stderr. The line is formatted first and written with one call so
 * lines from worker threads never interleave. */
#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

static void log_line(const char *level, const char *fmt, va_list ap) {
  char line[2048];
  struct timespec ts;
  struct tm tm;
  clock_gettime(CLOCK_REALTIME, &ts);
  gmtime_r(&ts.tv_sec, &tm);
  int n = (int)strftime(line, sizeof line, "%Y-%m-%dT%H:%M:%SZ ", &tm);
  n += snprintf(line + n, sizeof line - (size_t)n, "%s ", level);
  if (n < (int)sizeof line) vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
  fprintf(stderr, "%s\n", line);
}

#define LOG_FN(name, level)              \
  void name(const char *fmt, ...) {      \
    va_list ap;                          \
    va_start(ap, fmt);                   \
    log_line(level, fmt, ap);            \
    va_end(ap);                          \
  }

LOG_FN(log_info, "info")
LOG_FN(log_warn, "warn")
LOG_FN(log_error, "error")

void log_access(const char *method, const char *path, int status, size_t bytes,
                long long micros, bool aborted) {
  fprintf(stderr, "access %s %s %d %zu %lldus%s\n", method, path, status, bytes, micros,
          aborted ? " aborted" : "");
}
