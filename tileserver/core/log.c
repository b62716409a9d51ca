/* log.c — timestamped lines on stderr, as text or JSON. The line is formatted first and written
 * with one call so lines from worker threads never interleave. */
#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

/* Start-up configuration, written once by log_use_json before any other thread exists and only
 * read afterwards. */
static bool use_json = false;

void log_use_json(bool json) { use_json = json; }

enum { LINE_MAX_BYTES = 2048 };

/* "YYYY-MM-DDTHH:MM:SS.mmmZ" (JSON) or without milliseconds (text) into out (32 bytes). */
static void timestamp(char out[32], bool ms) {
  struct timespec ts;
  struct tm tm;
  clock_gettime(CLOCK_REALTIME, &ts);
  gmtime_r(&ts.tv_sec, &tm);
  size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
  if (ms) snprintf(out + n, 32 - n, ".%03ldZ", ts.tv_nsec / 1000000);
  else snprintf(out + n, 32 - n, "Z");
}

/* s as the inside of a JSON string (RFC 8259 §7) into out (cap bytes, NUL-terminated, cut at a
 * whole escape when it does not fit). Bytes >= 0x80 pass as they are: messages are UTF-8. */
static void json_escape(const char *s, char *out, size_t cap) {
  size_t n = 0;
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    char esc[8];
    int k;
    if (*p == '"' || *p == '\\') k = snprintf(esc, sizeof esc, "\\%c", *p);
    else if (*p == '\n') k = snprintf(esc, sizeof esc, "\\n");
    else if (*p < 0x20) k = snprintf(esc, sizeof esc, "\\u%04x", *p);
    else { esc[0] = (char)*p; esc[1] = '\0'; k = 1; }
    if (n + (size_t)k >= cap) break;
    for (int i = 0; i < k; i++) out[n++] = esc[i];
  }
  out[n] = '\0';
}

static void log_line(const char *level, const char *fmt, va_list ap) {
  char msg[LINE_MAX_BYTES], ts[32];
  vsnprintf(msg, sizeof msg, fmt, ap);
  timestamp(ts, use_json);
  if (!use_json) {
    fprintf(stderr, "%s %s %s\n", ts, level, msg);
    return;
  }
  char esc[LINE_MAX_BYTES * 2];
  json_escape(msg, esc, sizeof esc);
  fprintf(stderr, "{\"ts\":\"%s\",\"level\":\"%s\",\"msg\":\"%s\"}\n", ts, level, esc);
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
  if (!use_json) {
    fprintf(stderr, "access %s %s %d %zu %lldus%s\n", method, path, status, bytes, micros,
            aborted ? " aborted" : "");
    return;
  }
  char ts[32], m[64], p[1024];
  timestamp(ts, true);
  json_escape(method, m, sizeof m);
  json_escape(path, p, sizeof p);
  fprintf(stderr,
          "{\"ts\":\"%s\",\"level\":\"info\",\"msg\":\"access\",\"method\":\"%s\",\"path\":\"%s\","
          "\"status\":%d,\"bytes\":%zu,\"duration_us\":%lld,\"aborted\":%s}\n",
          ts, m, p, status, bytes, micros, aborted ? "true" : "false");
}
