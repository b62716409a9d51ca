/* log.h — one line per event on stderr, with an ISO 8601 UTC timestamp and a level.
 * Thread-safe (a single fprintf per line); no global state besides the stream itself. */
#ifndef TESELAS_CORE_LOG_H
#define TESELAS_CORE_LOG_H

#include <stdbool.h>
#include <stddef.h>

void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* One served request: "access METHOD PATH STATUS BYTES <µs>us[ aborted]", without a timestamp
 * or level (the line starts with "access" so it can be told from the events and filtered). The
 * caller leaves the query string out of path: filters may carry personal values. */
void log_access(const char *method, const char *path, int status, size_t bytes,
                long long micros, bool aborted);

#endif
