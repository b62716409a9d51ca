/* aggregate.c — counts by group for charts and choropleths: /collections/{id}/aggregate?by=tipo
 * or by=month (of the layer's date field), with the same bbox, datetime, filter and PROP=VALUE
 * conditions as the items.
 *
 * This path serves the layers whose records are published one by one (privacy none, and
 * generalize, whose points were moved to their cell's centre and whose cells under k were left
 * out at import). It counts exactly the records /items lists for the same conditions: withholding
 * a small group here would protect nothing the items do not show, and made the two endpoints
 * disagree on the same cell (a cell of 9 listed records answered "total 0, 4 groups withheld").
 * So no group is withheld and min_count is 1. Aggregate layers, whose records never reached the
 * database, are answered from their published units instead (privacy.c). */
#include <string.h>

#include "features/features_int.h"

int64_t features_privacy_min_count(const layer_info *l) {
  (void)l; /* every record counted here is published by /items: see above */
  return 1;
}

typedef struct agg_ctx {
  buf *out;
  int64_t min_count;
  int64_t total;
  int64_t n_groups, suppressed;
} agg_ctx;

static int on_group(void *ctx, const value *key, int64_t count) {
  agg_ctx *c = ctx;
  if (count < c->min_count) {
    c->suppressed++;
    return 0;
  }
  buf_puts(c->out, c->n_groups++ ? ",{\"key\":" : "{\"key\":");
  features_json_value(c->out, key);
  buf_puts(c->out, ",\"count\":");
  features_put_int(c->out, count);
  buf_putc(c->out, '}');
  c->total += count;
  return c->out->failed ? 1 : 0;
}

err_code features_aggregate_write(store_reader *rd, const features_request *r, buf *out, err *e) {
  bool by_month = strcmp(r->by, "month") == 0;
  const char *field = by_month ? r->layer->date_field : r->by;
  store_query q;
  features_request_query(r, &q);
  agg_ctx c = {.out = out, .min_count = features_privacy_min_count(r->layer)};
  buf_puts(out, "{\"collection\":");
  buf_json_str(out, r->layer->id);
  buf_puts(out, ",\"by\":");
  buf_json_str(out, r->by);
  if (by_month) {
    buf_puts(out, ",\"field\":");
    buf_json_str(out, field);
  }
  buf_puts(out, ",\"groups\":[");
  err_code rc = store_query_groups(rd, &q, field, by_month, on_group, &c, e);
  if (rc != ERR_OK) return rc;
  buf_printf(out, "],\"total\":%lld,\"suppressed_groups\":%lld,\"min_count\":%lld}\n",
             (long long)c.total, (long long)c.suppressed, (long long)c.min_count);
  return out->failed ? err_set(e, ERR_LIMIT, "the answer is too large") : ERR_OK;
}
