/* metrics.c — the counters behind /metrics. */
#include "http/metrics.h"

void metrics_count(http_metrics *m, int status, uint64_t duration_us, uint64_t bytes) {
  int cls = status >= 100 && status < 600 ? status / 100 - 1 : METRICS_CLASSES - 1;
  atomic_fetch_add_explicit(&m->requests[cls], 1, memory_order_relaxed);
  atomic_fetch_add_explicit(&m->duration_us_sum, duration_us, memory_order_relaxed);
  atomic_fetch_add_explicit(&m->bytes_sent, bytes, memory_order_relaxed);
}

void metrics_write(http_metrics *m, buf *out) {
  static const char *const CLASS[METRICS_CLASSES] = {"1xx", "2xx", "3xx", "4xx", "5xx", "aborted"};
  uint64_t total = 0;
  buf_puts(out, "# HELP teselas_http_requests_total HTTP requests answered, by status class.\n"
                "# TYPE teselas_http_requests_total counter\n");
  for (int i = 0; i < METRICS_CLASSES; i++) {
    uint64_t n = atomic_load_explicit(&m->requests[i], memory_order_relaxed);
    total += n;
    buf_printf(out, "teselas_http_requests_total{code=\"%s\"} %llu\n", CLASS[i],
               (unsigned long long)n);
  }
  buf_printf(out,
             "# HELP teselas_http_request_duration_seconds Time spent answering requests.\n"
             "# TYPE teselas_http_request_duration_seconds summary\n"
             "teselas_http_request_duration_seconds_sum %.6f\n"
             "teselas_http_request_duration_seconds_count %llu\n"
             "# HELP teselas_http_response_bytes_total Body bytes sent.\n"
             "# TYPE teselas_http_response_bytes_total counter\n"
             "teselas_http_response_bytes_total %llu\n",
             (double)atomic_load_explicit(&m->duration_us_sum, memory_order_relaxed) / 1e6,
             (unsigned long long)total,
             (unsigned long long)atomic_load_explicit(&m->bytes_sent, memory_order_relaxed));
}
