/* log.h — one line per event on stderr, with an ISO 8601 UTC timestamp and a level.
 * Thread-safe (a single fprintf per line); no global state besides the stream itself. */
#ifndef TESELAS_CORE_LOG_H
#define TESELAS_CORE_LOG_H

void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
