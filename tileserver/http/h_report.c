/* h_report.c — GET /api/report: the deliveries of every layer grouped by publisher (the update
 * calendar: last and next delivery, days late, the last quality figures and their trend), as
 * JSON, CSV or HTML by f= or Accept. calendar/ builds and writes it; this parses the request. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "calendar/calendar.h"
#include "http/handlers.h"

/* f=, else Accept (a browser's text/html first), else JSON. False with a 400 set for a bad f. */
static bool report_format(http_request *req, http_response *resp, calendar_format *out) {
  const char *f = http_arg(req, "f");
  if (f) {
    if (!calendar_format_parse(f, out) || *out == CALENDAR_TEXT) {
      http_error(resp, ERR_INVALID, "f: unknown format (json, csv, html)");
      return false;
    }
    return true;
  }
  static const char *const TYPES[] = {"json", "text/csv", "text/html"};
  static const calendar_format FORMATS[] = {CALENDAR_JSON, CALENDAR_CSV, CALENDAR_HTML};
  size_t i = http_accept_first(req, TYPES, 3);
  *out = i < 3 ? FORMATS[i] : CALENDAR_JSON;
  return true;
}

/* grace_days=N (0..365): one grace for every frequency; absent: each frequency's default. */
static bool report_grace(http_request *req, http_response *resp, int *out) {
  *out = -1;
  const char *g = http_arg(req, "grace_days");
  if (!g) return true;
  char *end = NULL;
  long v = strtol(g, &end, 10);
  if (!*g || *end || v < 0 || v > 365 || (g[0] < '0' || g[0] > '9')) {
    http_error(resp, ERR_INVALID, "grace_days: a whole number of days from 0 to 365");
    return false;
  }
  *out = (int)v;
  return true;
}

void h_report(http_request *req, http_response *resp) {
  for (size_t i = 0; i < req->n_args; i++) {
    const char *k = req->args[i].key ? req->args[i].key : "";
    if (strcmp(k, "f") != 0 && strcmp(k, "grace_days") != 0) {
      http_error(resp, ERR_INVALID, "unknown parameter (this endpoint takes f and grace_days)");
      return;
    }
  }
  calendar_format f;
  int grace;
  if (!report_format(req, resp, &f) || !report_grace(req, resp, &grace)) return;
  calendar_report rep;
  err e = {0};
  err_code rc = calendar_report_build(req->reader, req->catalog, (int64_t)time(NULL), grace, &rep,
                                      &e);
  if (rc == ERR_OK) {
    rc = calendar_report_write(&rep, f, &resp->body, &e);
    calendar_report_free(&rep);
  }
  if (rc != ERR_OK) {
    buf_reset(&resp->body);
    http_error(resp, rc, "%s", e.msg[0] ? e.msg : err_code_name(rc));
    return;
  }
  static const char *const TYPES[] = {"text/plain; charset=utf-8", "application/json",
                                      "text/csv; charset=utf-8", "text/html; charset=utf-8"};
  resp->status = 200;
  resp->content_type = TYPES[f];
  resp->compressible = true;
  http_header_add(resp, "Cache-Control", "no-store");
  /* the HTML page has no script, style or image of its own: nothing else may load, as on the
     other pages, and only this site may frame it */
  if (f == CALENDAR_HTML) {
    http_header_add(resp, "Content-Security-Policy",
                    "default-src 'none'; base-uri 'none'; form-action 'self'; "
                    "frame-ancestors 'self'");
    http_header_add(resp, "X-Content-Type-Options", "nosniff");
  }
}
