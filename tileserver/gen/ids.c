/* ids.c — reading features by id: the singles of a clustered layer (a cell with one point is
 * shown as that feature, with its attributes). The vector tiles and the renderer both read them
 * through this one condition. */
#include "gen/gen.h"

void gen_ids_where(const char *filter_sql, size_t first_param, buf *out) {
  if (filter_sql) buf_printf(out, "(%s) AND ", filter_sql);
  buf_printf(out, "fid IN (SELECT value FROM json_each(?%zu))", first_param);
}

void gen_ids_json(const int64_t *ids, size_t n, buf *out) {
  buf_putc(out, '[');
  for (size_t i = 0; i < n; i++) buf_printf(out, "%s%lld", i ? "," : "", (long long)ids[i]);
  buf_putc(out, ']');
}
