/* log.h — one line per event on stderr, with an ISO 8601 UTC timestamp and a level, as text or
 * as one JSON object per line (log_use_json). Thread-safe (a single write per line); no global
 * state besides the stream and the format chosen at start-up. */
#ifndef TESELAS_CORE_LOG_H
#define TESELAS_CORE_LOG_H

#include <stdbool.h>
#include <stddef.h>

/* Chooses JSON lines: {"ts":"...","level":"info","msg":"..."}, and for access lines also method,
 * path, status, bytes, duration_us and aborted. Call once at start-up, before any thread logs. */
void log_use_json(bool json);

void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* One served request: "access METHOD PATH STATUS BYTES <µs>us[ aborted]", without a timestamp
 * or level (the line starts with "access" so it can be told from the events and filtered). The
 * caller leaves the query string out of path: filters may carry personal values. */
void log_access(const char *method, const char *path, int status, size_t bytes,
                long long micros, bool aborted);

#endif
