/* metrics.c — the counters behind /metrics. */
#include "http/metrics.h"

void metrics_count(http_metrics *m, int status, uint64_t duration_us, uint64_t bytes) {
  int cls = status >= 100 && status < 600 ? status / 100 - 1 : METRICS_CLASSES - 1;
  atomic_fetch_add_explicit(&m->requests[cls], 1, memory_order_relaxed);
  atomic_fetch_add_explicit(&m->duration_us_sum, duration_us, memory_order_relaxed);
  atomic_fetch_add_explicit(&m->bytes_sent, bytes, memory_order_relaxed);
}

void metrics_refuse(http_metrics *m, metrics_refusal why) {
  atomic_fetch_add_explicit(&m->refused[why], 1, memory_order_relaxed);
}

/* The connection counters: refusals by reason, timeouts, and the open and in-flight gauges. */
static void write_connections(http_metrics *m, buf *out) {
  static const char *const WHY[METRICS_REFUSALS] = {"max_connections", "per_ip", "draining",
                                                     "rate_penalty"};
  buf_puts(out, "# HELP teselas_connections_refused_total Connections closed at accept, by reason.\n"
                "# TYPE teselas_connections_refused_total counter\n");
  for (int i = 0; i < METRICS_REFUSALS; i++)
    buf_printf(out, "teselas_connections_refused_total{reason=\"%s\"} %llu\n", WHY[i],
               (unsigned long long)atomic_load_explicit(&m->refused[i], memory_order_relaxed));
  buf_printf(out,
             "# HELP teselas_connections_timed_out_total Connections closed after the request "
             "timeout without a byte from the client.\n"
             "# TYPE teselas_connections_timed_out_total counter\n"
             "teselas_connections_timed_out_total %llu\n"
             "# HELP teselas_connections_open Client connections open now.\n"
             "# TYPE teselas_connections_open gauge\n"
             "teselas_connections_open %lld\n"
             "# HELP teselas_http_requests_in_flight Requests received and not yet answered.\n"
             "# TYPE teselas_http_requests_in_flight gauge\n"
             "teselas_http_requests_in_flight %lld\n",
             (unsigned long long)atomic_load_explicit(&m->timed_out, memory_order_relaxed),
             (long long)atomic_load_explicit(&m->open_connections, memory_order_relaxed),
             (long long)atomic_load_explicit(&m->in_flight, memory_order_relaxed));
  buf_printf(out,
             "# HELP teselas_requests_rate_limited_total Requests answered 429 for their "
             "address's rate (--per-ip-rate; monitoring: /health and /metrics).\n"
             "# TYPE teselas_requests_rate_limited_total counter\n"
             "teselas_requests_rate_limited_total{class=\"requests\"} %llu\n"
             "teselas_requests_rate_limited_total{class=\"monitoring\"} %llu\n"
             "# HELP teselas_rate_limit_evictions_total Addresses whose request bucket gave way "
             "to another's in the bounded table.\n"
             "# TYPE teselas_rate_limit_evictions_total counter\n"
             "teselas_rate_limit_evictions_total %llu\n",
             (unsigned long long)atomic_load_explicit(&m->rate_limited[0], memory_order_relaxed),
             (unsigned long long)atomic_load_explicit(&m->rate_limited[1], memory_order_relaxed),
             (unsigned long long)atomic_load_explicit(&m->rate_evictions, memory_order_relaxed));
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
  write_connections(m, out);
}
