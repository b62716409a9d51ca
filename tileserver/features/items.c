/* items.c — the service behind /collections/{id}/items and /items/{fid}: run the query, write
 * GeoJSON (or CSV, or HTML) with the counts and links of OGC API - Features Part 1:
 * /req/core/fc-response (FeatureCollection), /req/core/fc-links (self, alternate),
 * /req/core/fc-next-1 (next while more remain), /req/core/fc-numberMatched,
 * /req/core/fc-numberReturned, /req/core/fc-timeStamp, /req/core/f-links (one feature).
 *
 * Order and paging. Each layer version is an immutable table, so any deterministic order pages
 * correctly: walking the next links returns every matched feature exactly once. Without a bbox
 * (or with sortby, near, or an after= cursor) the order is the feature id (or sortby then id) and
 * next links carry an id cursor. With a bbox alone the order is the spatial index's (rows are
 * stored and indexed along a Hilbert curve, so it is the same every time: the entries the index
 * puts wholly inside the box first, then those crossing its edge, each in the index's order, on
 * SpatiaLite and PostgreSQL alike, store/plan.c and pg_read.c), read lazily: a
 * page costs its offset plus its limit in rows, not every row in the box. Sorting by id instead
 * read and sorted every match of the box for each page: 36-49 ms of CPU for the 100 first of the
 * 133,750 incidents of a dense z14 tile (1,000,000-point demo, sqlite3 shell), against
 * 0.05-0.2 ms in index order.
 *
 * Counts. A page reads one row past its limit, so `next` is exact without counting. numberMatched
 * (optional in OGC API - Features) is the catalog's count when nothing filters, the page's end on
 * the last page, and otherwise a count that stops at FEATURES_COUNT_CAP matches: above it the
 * member is left out of the JSON rather than costing a read of every match on every page. A box
 * alone is counted from the index (the entries inside it) plus the rows crossing its edge. */
#include <stdio.h>
#include <string.h>

#include "features/features_int.h"

/* Counting stops here: 1,000 point rows cost about 0.2 ms to count (sqlite3 shell, same tile),
 * as much as the page itself; 10,000 cost 1-2 ms. HTML pages, for people, count exactly. */
#define FEATURES_COUNT_CAP 1000

/* The bbox-only order: the spatial index's (see above). */
static bool index_order(const features_request *r) {
  return r->has_bbox && !r->n_sort && !r->has_near && !r->has_after;
}

/* Matches of q up to cap (all with cap < 0), read in any order with neither geometry nor fields
 * (the conditions, exact bbox included, still apply); *out = -1 when there are cap or more. The
 * after= cursor pages and does not filter: it is left out. */
static err_code count_matches(store_reader *rd, const store_query *q, int64_t cap, int64_t *out,
                              err *e) {
  store_query c = *q;
  c.after_id = INT64_MIN;
  c.offset = 0;
  c.limit = cap;
  c.sort = NULL;
  c.n_sort = 0;
  c.near = NULL;
  c.any_order = true;
  c.with_geometry = false;
  c.n_fields = 0;
  store_iter *it = NULL;
  err_code rc = store_query_start(rd, &c, &it, e);
  if (rc != ERR_OK) return rc;
  store_feature f;
  int64_t n = 0;
  while (store_iter_next(it, &f, e) == 1) n++;
  rc = store_iter_error(it, e);
  store_iter_close(it);
  if (rc != ERR_OK) return rc;
  *out = cap >= 0 && n >= cap ? -1 : n;
  return ERR_OK;
}

/* numberMatched, or -1 when it is not worth counting (more than cap). A box alone first counts
 * the features the spatial index puts wholly inside it (store_count_inside): when cap of them
 * are, the answer is -1 without reading a row. The answers are the same byte for byte (313 boxes
 * of z8-z16 sizes compared); on the 1,000,000-point demo (RelWithDebInfo, one client, a shared
 * machine at load 12-18) a z12 page went from 1.03 to 0.52 ms of CPU, z14 from 0.67 to 0.32. */
static err_code matched_count(store_reader *rd, const features_request *r, const store_query *q,
                              int64_t cap, int64_t *out, err *e) {
  if (!r->has_bbox && !r->where) {
    *out = r->layer->feature_count;
    return ERR_OK;
  }
  if (cap > 0 && r->has_bbox && !r->where && q->bbox && q->bbox[0] <= q->bbox[2]) {
    /* From the index's nodes, the rows crossing the box's edge tested one by one by rowid: the
     * count below read every entry meeting the box through SQLite's R*Tree module to find them
     * (0.45 M of a z16 page's 1.69 M instructions, callgrind). */
    err_code rc = store_count_box(rd, q, cap, out, e);
    if (rc != ERR_OK || *out != STORE_COUNT_UNKNOWN) return rc;
    int64_t inside = 0;
    rc = store_count_inside(rd, r->layer, q->bbox, cap, &inside, e);
    if (rc != ERR_OK) return rc;
    if (inside >= cap) {
      *out = -1;
      return ERR_OK;
    }
    /* The rest are the features whose index box crosses the box's edge, the only ones whose
     * rows need reading (a z16 page of the benchmark read every one of its 100-1,000 matches). */
    store_query edge = *q;
    edge.edge_only = true;
    int64_t crossing = 0;
    if ((rc = count_matches(rd, &edge, cap - inside, &crossing, e)) != ERR_OK) return rc;
    *out = crossing < 0 ? -1 : inside + crossing;
    return ERR_OK;
  }
  return count_matches(rd, q, cap, out, e);
}

typedef struct page {
  const features_request *r;
  const char *base_url;
  char path[160];
  int64_t matched;  /* -1: unknown (more than FEATURES_COUNT_CAP) */
  int64_t returned;
  bool more;        /* a row past the page's limit exists */
  int64_t last_id;  /* id of the last feature written */
} page;

/* The href of this request at another offset; with a cursor (after=) when keyset paging
 * applies: id order and a known last id. */
static features_href page_href(const page *pg, int64_t offset, bool after, const char *f) {
  const features_request *r = pg->r;
  features_href h = {pg->base_url, pg->path, r->args, r->n_args, r->limit, offset,
                     after, pg->last_id, f};
  if (!after && r->has_after && offset == r->offset) h.has_after = true, h.after = r->after_id;
  return h;
}

static void put_page_href(buf *b, const page *pg, int64_t offset, bool after, const char *f) {
  features_href h = page_href(pg, offset, after, f);
  features_put_href(b, &h);
}

/* The links of a page share their href up to the paging arguments: it is written and escaped
 * once (four to five links a page, each encoding every argument, were 42,000 instructions of a
 * dense page's 1.15 M). The paging part (separator, limit=, offset=, after=, digits, f=json)
 * holds nothing JSON escapes, so it is appended as it is. */
typedef struct links_base {
  buf href; /* JSON-escaped */
  char sep;
} links_base;

static void link(buf *b, const page *pg, const links_base *base, bool first, const char *rel,
                 const char *type, const char *title, int64_t offset, bool after) {
  buf_puts(b, first ? "{\"rel\":\"" : ",{\"rel\":\"");
  buf_puts(b, rel);
  buf_puts(b, "\",\"type\":\"");
  buf_puts(b, type);
  buf_puts(b, "\",\"title\":\"");
  buf_puts(b, title);
  buf_puts(b, "\",\"href\":\"");
  buf_append(b, base->href.data, base->href.len);
  features_href h = page_href(pg, offset, after, strcmp(type, "text/html") == 0  ? "html"
                                                 : strcmp(type, "text/csv") == 0 ? "csv"
                                                                                 : "json");
  features_put_href_paging(b, &h, base->sep);
  buf_puts(b, "\"}");
}

static void collection_links(buf *b, const page *pg) {
  const features_request *r = pg->r;
  bool keyset = !r->n_sort && !r->has_near && !index_order(r);
  links_base base;
  buf_init(&base.href, 0);
  buf raw;
  buf_init(&raw, 0);
  features_href h = page_href(pg, r->offset, false, NULL);
  base.sep = features_put_href_base(&raw, &h);
  buf_json_escape(&base.href, (const char *)raw.data, raw.len);
  buf_free(&raw);
  if (base.href.failed) b->failed = true; /* sticky, as any append failing */
  buf_puts(b, "\"links\":[");
  link(b, pg, &base, true, "self", "application/geo+json", "Esta página", r->offset, false);
  link(b, pg, &base, false, "alternate", "text/html", "Esta página en HTML", r->offset, false);
  link(b, pg, &base, false, "alternate", "text/csv", "Esta página en CSV", r->offset, false);
  if (pg->more)
    link(b, pg, &base, false, "next", "application/geo+json", "Página siguiente",
         r->offset + r->limit, keyset);
  if (r->offset > 0)
    link(b, pg, &base, false, "prev", "application/geo+json", "Página anterior",
         r->offset > r->limit ? r->offset - r->limit : 0, false);
  buf_free(&base.href);
  buf_printf(b, ",{\"rel\":\"collection\",\"type\":\"application/json\",\"title\":\"La "
                "colección\",\"href\":\"%s/collections/%s\"}]",
             pg->base_url, r->layer->id);
}

/* Runs q and calls the writer for each feature; scratch holds one decoded geometry at a time.
 * q may ask for one row past the page (limit + 1): that row is not written, it sets pg->more. */
typedef void (*row_fn)(buf *out, const void *ctx, const store_feature *f, const geom *g,
                       int64_t i);

static err_code run(store_reader *rd, const store_query *q, buf *out, row_fn fn, const void *ctx,
                    page *pg, err *e) {
  store_iter *it = NULL;
  err_code rc = store_query_start(rd, q, &it, e);
  if (rc != ERR_OK) return rc;
  arena *scratch = arena_create(0);
  if (!scratch) {
    store_iter_close(it);
    return err_set(e, ERR_NOMEM, "out of memory");
  }
  store_feature f;
  geom g;
  int64_t n = 0;
  while (!out->failed && store_iter_next(it, &f, e) == 1) {
    if (pg->r->limit >= 0 && n == pg->r->limit) {
      pg->more = true;
      break;
    }
    arena_reset(scratch);
    features_decode(&f, scratch, &g);
    fn(out, ctx, &f, &g, n++);
    pg->last_id = f.id;
  }
  rc = store_iter_error(it, e);
  store_iter_close(it);
  arena_destroy(scratch);
  pg->returned = n;
  if (out->failed)
    return err_set(e, ERR_LIMIT, "the answer is larger than this server allows (--response-max-mb, "
                   "--request-memory-mb); ask fewer items (limit)");
  return rc;
}

static void geojson_row(buf *out, const void *ctx, const store_feature *f, const geom *g,
                        int64_t i) {
  if (i) buf_putc(out, ',');
  features_geojson_feature_open(out, ctx, f, g);
  buf_putc(out, '}');
}

static void csv_row(buf *out, const void *ctx, const store_feature *f, const geom *g, int64_t i) {
  features_csv_row(out, ctx, f, g);
}

static void html_row(buf *out, const void *ctx, const store_feature *f, const geom *g, int64_t i) {
  features_html_items_row(out, ctx, f, g);
}

static char *href(arena *a, const page *pg, int64_t offset, const char *f) {
  buf b;
  buf_init(&b, 0);
  put_page_href(&b, pg, offset, false, f);
  char *s = arena_strndup(a, (const char *)b.data, b.len);
  buf_free(&b);
  return s;
}

static err_code write_html(store_reader *rd, const store_query *q, page *pg,
                           const features_cols *cols, arena *a, buf *out, err *e) {
  const features_request *r = pg->r;
  features_html_page hp = {cols, pg->base_url, pg->matched, r->offset, r->limit, NULL, NULL};
  if (r->offset + r->limit < pg->matched) hp.next_href = href(a, pg, r->offset + r->limit, "html");
  store_query page_q = *q;
  page_q.limit = r->limit; /* the exact count says whether a next page exists */
  if (r->offset > 0) hp.prev_href = href(a, pg, r->offset > r->limit ? r->offset - r->limit : 0, "html");
  features_html_items_begin(out, &hp);
  err_code rc = run(rd, &page_q, out, html_row, &hp, pg, e);
  if (rc == ERR_OK) features_html_items_end(out, &hp, pg->returned);
  return rc;
}

err_code features_items_write(store_reader *rd, const features_request *r, const char *base_url,
                              arena *a, buf *out, err *e) {
  store_query q;
  features_request_query(r, &q);
  if (index_order(r)) q.any_order = true;
  if (r->limit >= 0) q.limit = r->limit + 1; /* one row more: is there a next page? */
  page pg = {.r = r, .base_url = base_url};
  snprintf(pg.path, sizeof pg.path, "/collections/%s/items", r->layer->id);
  features_cols cols = {r->layer, r->fields, r->n_fields, r->has_near, NULL};
  if (r->format == FEATURES_GEOJSON) features_cols_keys(&cols, a);
  if (r->format == FEATURES_CSV) { /* CSV has no counts */
    features_csv_header(out, &cols, r->csv_bom);
    q.limit = r->limit;
    return run(rd, &q, out, csv_row, &cols, &pg, e);
  }
  err_code rc;
  if (r->format == FEATURES_HTML) {
    rc = matched_count(rd, r, &q, -1, &pg.matched, e);
    return rc == ERR_OK ? write_html(rd, &q, &pg, &cols, a, out, e) : rc;
  }
  /* Room for a page of points at once: grown from 256 bytes by doubling, a 100-point page (18 KB)
   * was copied seven times, 21,000 instructions (callgrind). Only within the buffer's bound. */
  size_t room = (size_t)(r->limit > 0 && r->limit < 1000 ? r->limit : 1000) * 200 + 1024;
  if (out->len <= out->limit && room <= out->limit - out->len) buf_reserve(out, room);
  buf_puts(out, "{\"type\":\"FeatureCollection\",\"features\":[");
  rc = run(rd, &q, out, geojson_row, &cols, &pg, e);
  if (rc != ERR_OK) return rc;
  /* The last page, reached by offset, ends where the matches end: no count needed. */
  if (!r->has_after && !pg.more && (pg.returned > 0 || r->offset == 0))
    pg.matched = r->offset + pg.returned;
  else if ((rc = matched_count(rd, r, &q, FEATURES_COUNT_CAP, &pg.matched, e)) != ERR_OK)
    return rc;
  char now[32];
  features_now_iso(now);
  buf_puts(out, "]");
  if (pg.matched >= 0) buf_printf(out, ",\"numberMatched\":%lld", (long long)pg.matched);
  buf_printf(out, ",\"numberReturned\":%lld,\"timeStamp\":\"%s\",", (long long)pg.returned, now);
  collection_links(out, &pg);
  buf_puts(out, "}\n");
  return out->failed ? err_set(e, ERR_LIMIT, "the answer is too large") : ERR_OK;
}
