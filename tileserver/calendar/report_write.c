/* report_write.c — the report of deliveries (report.c) as text for a terminal, JSON, CSV (one row
 * per layer, for a spreadsheet) or an HTML page grouped by publisher. Every format says the same
 * things; being late is always said in words ("atrasada 12 días"), never by colour alone. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar/calendar_int.h"

bool calendar_format_parse(const char *s, calendar_format *out) {
  static const char *const NAMES[] = {"text", "json", "csv", "html"};
  for (int i = 0; i < 4; i++)
    if (s && strcmp(s, NAMES[i]) == 0) return (*out = (calendar_format)i), true;
  return false;
}

static void status_words(const calendar_layer_report *lr, char *out, size_t cap) {
  calendar_status_text(&lr->status, lr->layer->frequency, false, out, cap);
}

const char *calendar_publisher(const calendar_layer_report *lr) {
  return lr->layer->publisher && *lr->layer->publisher ? lr->layer->publisher : "(sin publicador)";
}

static void iso_or_empty(int64_t t, bool has, char out[32]) {
  if (has) calendar_format_iso(t, out);
  else out[0] = '\0';
}

static const calendar_quality *last_figures(const calendar_layer_report *lr) {
  return lr->n_recent && lr->recent[0].has_figures ? &lr->recent[0] : NULL;
}

static json_t *quality_json(const calendar_quality *q) {
  if (!q->has_figures)
    return json_pack("{s:I, s:s, s:n}", "version", (json_int_t)q->version, "imported_at",
                     q->imported_at, "figures");
  return json_pack("{s:I, s:s, s:I, s:I, s:I, s:I, s:I}", "version", (json_int_t)q->version,
                   "imported_at", q->imported_at, "read", (json_int_t)q->read, "imported",
                   (json_int_t)q->imported, "rejected", (json_int_t)q->rejected, "repaired",
                   (json_int_t)q->repaired, "warnings", (json_int_t)q->warnings);
}

static json_t *layer_json(const calendar_layer_report *lr) {
  const calendar_status *s = &lr->status;
  char last[32], due[32], words[128];
  iso_or_empty(s->last, s->last >= 0, last);
  iso_or_empty(s->due, s->scheduled, due);
  status_words(lr, words, sizeof words);
  const char *schedule = s->freq == CALENDAR_UNKNOWN ? "unknown"
                         : s->freq == CALENDAR_NONE  ? "none"
                                                     : calendar_freq_name(s->freq);
  json_t *versions = json_array();
  for (size_t i = 0; i < lr->n_recent; i++)
    json_array_append_new(versions, quality_json(&lr->recent[i]));
  const calendar_quality *q = last_figures(lr);
  return json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:b, s:I, s:I, s:s, s:o, s:{s:s, "
                   "s:o}}",
                   "id", lr->layer->id, "title", lr->layer->title, "publisher", calendar_publisher(lr),
                   "frequency", lr->layer->frequency, "schedule", schedule, "last_delivery",
                   *last ? json_string(last) : json_null(), "next_delivery",
                   *due ? json_string(due) : json_null(), "grace_days",
                   s->scheduled ? json_integer(s->grace_days) : json_null(), "overdue",
                   s->overdue, "days_late", (json_int_t)s->days_late, "overdue_seconds",
                   (json_int_t)s->overdue_s, "status", words, "quality",
                   q ? quality_json(q) : json_null(), "trend", "direction", lr->trend, "versions",
                   versions);
}

static err_code write_json(const calendar_report *rep, buf *out, err *e) {
  char now[32];
  calendar_format_iso(rep->now, now);
  json_t *pubs = json_array(), *cur = NULL, *overdue = json_array();
  for (size_t i = 0; i < rep->n_layers; i++) {
    const calendar_layer_report *lr = &rep->layers[i];
    if (!cur || strcmp(json_string_value(json_object_get(cur, "publisher")), calendar_publisher(lr)) != 0) {
      cur = json_pack("{s:s, s:I, s:[]}", "publisher", calendar_publisher(lr), "overdue", (json_int_t)0,
                      "layers");
      json_array_append_new(pubs, cur);
    }
    json_array_append_new(json_object_get(cur, "layers"), layer_json(lr));
    if (lr->status.overdue) {
      json_object_set_new(cur, "overdue",
                          json_integer(json_integer_value(json_object_get(cur, "overdue")) + 1));
      json_array_append_new(overdue, json_string(lr->layer->id));
    }
  }
  json_t *doc = json_pack("{s:s, s:o, s:I, s:I, s:o, s:o}", "generated_at", now, "grace_days",
                          rep->grace_days >= 0 ? json_integer(rep->grace_days) : json_null(),
                          "layers", (json_int_t)rep->n_layers, "n_overdue",
                          (json_int_t)rep->n_overdue, "overdue", overdue, "publishers", pubs);
  char *text = doc ? json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
  json_decref(doc);
  bool ok = text && buf_puts(out, text) && buf_putc(out, '\n');
  free(text);
  return ok ? ERR_OK : err_set(e, ERR_NOMEM, "out of memory");
}

/* One CSV cell (RFC 4180): quoted when it holds a comma, a quote or a line break. */
static void csv_cell(buf *b, const char *s, bool last) {
  if (strpbrk(s, ",\"\r\n")) {
    buf_putc(b, '"');
    for (const char *p = s; *p; p++) {
      if (*p == '"') buf_putc(b, '"');
      buf_putc(b, *p);
    }
    buf_putc(b, '"');
  } else {
    buf_puts(b, s);
  }
  buf_puts(b, last ? "\r\n" : ",");
}

static void write_csv(const calendar_report *rep, buf *b) {
  buf_puts(b, "publisher,layer,title,frequency,last_delivery,next_delivery,overdue,days_late,"
              "status,version,read,imported,rejected,repaired,warnings,trend\r\n");
  for (size_t i = 0; i < rep->n_layers; i++) {
    const calendar_layer_report *lr = &rep->layers[i];
    const calendar_status *s = &lr->status;
    char last[32], due[32], words[128], n[6][24];
    iso_or_empty(s->last, s->last >= 0, last);
    iso_or_empty(s->due, s->scheduled, due);
    status_words(lr, words, sizeof words);
    const calendar_quality *q = last_figures(lr);
    int64_t v[6] = {q ? q->version : 0, q ? q->read : 0, q ? q->imported : 0,
                    q ? q->rejected : 0, q ? q->repaired : 0, q ? q->warnings : 0};
    for (int k = 0; k < 6; k++) snprintf(n[k], sizeof n[k], q ? "%lld" : "", (long long)v[k]);
    char late[24];
    snprintf(late, sizeof late, "%lld", (long long)s->days_late);
    const char *cells[] = {calendar_publisher(lr), lr->layer->id, lr->layer->title, lr->layer->frequency,
                           last, due, s->overdue ? "true" : "false", late, words,
                           n[0], n[1], n[2], n[3], n[4], n[5], lr->trend};
    size_t nc = sizeof cells / sizeof *cells;
    for (size_t k = 0; k < nc; k++) csv_cell(b, cells[k], k + 1 == nc);
  }
}

static void write_text(const calendar_report *rep, buf *b) {
  char now[32];
  calendar_format_iso(rep->now, now);
  buf_printf(b, "Entregas al %s: %zu de %zu capas atrasadas\n", now, rep->n_overdue,
             rep->n_layers);
  const char *cur = NULL;
  for (size_t i = 0; i < rep->n_layers; i++) {
    const calendar_layer_report *lr = &rep->layers[i];
    if (!cur || strcmp(cur, calendar_publisher(lr)) != 0) buf_printf(b, "\n%s\n", cur = calendar_publisher(lr));
    char last[32], due[32], words[128];
    iso_or_empty(lr->status.last, lr->status.last >= 0, last);
    iso_or_empty(lr->status.due, lr->status.scheduled, due);
    status_words(lr, words, sizeof words);
    buf_printf(b, "  %s (%s): %s; última entrega %s, próxima %s\n", lr->layer->id,
               *lr->layer->frequency ? lr->layer->frequency : "sin frecuencia", words,
               *last ? last : "—", *due ? due : "—");
    const calendar_quality *q = last_figures(lr);
    if (q)
      buf_printf(b, "    calidad (versión %lld): %lld leídos, %lld publicados, %lld rechazados, "
                 "%lld avisos%s%s\n", (long long)q->version, (long long)q->read,
                 (long long)q->imported, (long long)q->rejected, (long long)q->warnings,
                 *lr->trend ? "; tendencia: " : "", lr->trend);
  }
}

err_code calendar_report_write(const calendar_report *rep, calendar_format f, buf *out, err *e) {
  switch (f) {
    case CALENDAR_JSON: return write_json(rep, out, e);
    case CALENDAR_CSV: write_csv(rep, out); break;
    case CALENDAR_HTML: calendar_report_html(rep, out); break;
    case CALENDAR_TEXT: write_text(rep, out); break;
  }
  return out->failed ? err_set(e, ERR_NOMEM, "out of memory") : ERR_OK;
}
