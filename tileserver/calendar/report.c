/* report.c — the report of deliveries per publisher: for each layer of the catalog, where it
 * stands on the calendar, the quality figures of its last versions (from the reports the history
 * keeps) and which way they move. report_write.c writes it as text, JSON, CSV or HTML.
 *
 * The model borrows the catalog's layer_info: the report lives no longer than the catalog
 * snapshot it was built from (one request, or one command). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar/calendar.h"

typedef struct build_ctx {
  calendar_report *rep;
  size_t at;  /* the layer the last row matched */
} build_ctx;

static int64_t num(json_t *o, const char *key) {
  return (int64_t)json_integer_value(json_object_get(o, key));
}

/* The figures of one report. Warnings are the records published with a warning plus repeated
 * ids: the report counts every issue kind, rejecting ones included, so those are taken off. */
static void figures(const char *report, calendar_quality *q) {
  json_t *doc = json_loads(report, 0, NULL);
  json_t *counts = json_object_get(doc, "counts");
  q->has_figures = json_is_object(counts);
  if (q->has_figures) {
    q->read = num(counts, "read");
    q->imported = num(counts, "imported");
    q->rejected = num(counts, "rejected");
    q->repaired = num(counts, "repaired");
    int64_t issues = 0;
    const char *key;
    json_t *v;
    json_object_foreach(json_object_get(counts, "issues"), key, v) issues += json_integer_value(v);
    q->warnings = issues - q->rejected + num(json_object_get(doc, "duplicate_ids"), "count");
    if (q->warnings < 0) q->warnings = 0;
  }
  json_decref(doc);
}

static int on_delivery(void *ctx, const store_delivery *d) {
  build_ctx *b = ctx;
  calendar_report *rep = b->rep;
  /* rows come by layer id; the report's layers are in publisher order, so look it up */
  if (b->at >= rep->n_layers || strcmp(rep->layers[b->at].layer->id, d->layer_id) != 0) {
    b->at = rep->n_layers;
    for (size_t i = 0; i < rep->n_layers; i++)
      if (strcmp(rep->layers[i].layer->id, d->layer_id) == 0) b->at = i;
    if (b->at == rep->n_layers) return 0; /* published after the catalog snapshot was taken */
  }
  calendar_layer_report *lr = &rep->layers[b->at];
  if (lr->n_recent == CALENDAR_TREND_VERSIONS) return 0;
  calendar_quality *q = &lr->recent[lr->n_recent++];
  q->version = d->version;
  snprintf(q->imported_at, sizeof q->imported_at, "%s", d->imported_at);
  figures(d->report, q);
  return 0;
}

/* The share of records read that were rejected or warned about, in parts per million. */
static int64_t problem_ppm(const calendar_quality *q) {
  return q->read > 0 ? (q->rejected + q->warnings) * 1000000 / q->read : 0;
}

/* The latest version's figures against the version before it. */
static const char *trend_of(const calendar_layer_report *lr) {
  const calendar_quality *now = NULL, *before = NULL;
  for (size_t i = 0; i < lr->n_recent; i++) {
    if (!lr->recent[i].has_figures) continue;
    if (!now) now = &lr->recent[i];
    else if (!before) before = &lr->recent[i];
  }
  if (!now || !before) return "";
  int64_t a = problem_ppm(now), b = problem_ppm(before);
  return a < b ? "mejora" : a > b ? "empeora" : "estable";
}

static int by_publisher(const void *pa, const void *pb) {
  const calendar_layer_report *a = pa, *b = pb;
  int c = strcmp(a->layer->publisher ? a->layer->publisher : "",
                 b->layer->publisher ? b->layer->publisher : "");
  return c ? c : strcmp(a->layer->id, b->layer->id);
}

err_code calendar_report_build(store_reader *r, const catalog *c, int64_t now, int grace_days,
                               calendar_report *out, err *e) {
  memset(out, 0, sizeof *out);
  out->now = now;
  out->grace_days = grace_days;
  out->layers = calloc(c->n_layers ? c->n_layers : 1, sizeof *out->layers);
  if (!out->layers) return err_set(e, ERR_NOMEM, "out of memory");
  out->n_layers = c->n_layers;
  for (size_t i = 0; i < c->n_layers; i++) {
    calendar_layer_report *lr = &out->layers[i];
    lr->layer = &c->layers[i];
    calendar_layer_status(lr->layer, now, grace_days, &lr->status);
    out->n_overdue += lr->status.overdue;
  }
  qsort(out->layers, out->n_layers, sizeof *out->layers, by_publisher);
  build_ctx b = {.rep = out, .at = out->n_layers};
  err_code rc = store_deliveries_scan(r, CALENDAR_TREND_VERSIONS, on_delivery, &b, e);
  if (rc != ERR_OK) {
    calendar_report_free(out);
    return rc;
  }
  for (size_t i = 0; i < out->n_layers; i++) out->layers[i].trend = trend_of(&out->layers[i]);
  return ERR_OK;
}

void calendar_report_free(calendar_report *rep) {
  free(rep->layers);
  memset(rep, 0, sizeof *rep);
}
