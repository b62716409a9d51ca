/* links.c — hrefs of next/prev/alternate links, which carry every query argument of the request
 * (bbox, filter, datetime, properties, ...): only limit, offset and f change. Losing the bbox in
 * `next` is a known bug of other servers; here the arguments are copied as received, so nothing
 * is lost. Also HTML escaping and the page frame shared by the HTML writers. */
#include <string.h>

#include "core/html.h"
#include "features/features_int.h"

/* Unreserved characters (RFC 3986 §2.3) and ",:/" stay; everything else is %XX, '+' included
 * (servers read '+' in a query as a space). */
static bool kept(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '-' || c == '.' || c == '_' || c == '~' || c == ',' || c == ':' || c == '/';
}

/* Runs of kept characters are appended whole. */
static void put_encoded(buf *b, const char *s) {
  static const char hex[] = "0123456789ABCDEF";
  const char *run = s;
  for (const char *p = s;; p++) {
    unsigned char c = (unsigned char)*p;
    if (c && kept(c)) continue;
    buf_append(b, run, (size_t)(p - run));
    if (!c) return;
    char e[3] = {'%', hex[c >> 4], hex[c & 15]};
    buf_append(b, e, 3);
    run = p + 1;
  }
}

static bool skipped(const char *key, const char *const *skip) {
  for (; skip && *skip; skip++)
    if (strcmp(key, *skip) == 0) return true;
  return false;
}

size_t features_put_query(buf *b, char sep, const features_kv *args, size_t n_args,
                          const char *const *skip) {
  size_t n = 0;
  for (size_t i = 0; i < n_args; i++) {
    if (skipped(args[i].key, skip)) continue;
    buf_putc(b, n++ ? '&' : sep);
    put_encoded(b, args[i].key);
    buf_putc(b, '=');
    put_encoded(b, args[i].value);
  }
  return n;
}

char features_put_href_base(buf *b, const features_href *h) {
  static const char *const PAGING[] = {"f", "limit", "offset", "after", NULL};
  buf_puts(b, h->base_url);
  buf_puts(b, h->path);
  return features_put_query(b, '?', h->args, h->n_args, PAGING) ? '&' : '?';
}

static void put_arg(buf *b, char sep, const char *key, int64_t v) {
  buf_putc(b, sep);
  buf_puts(b, key);
  features_put_int(b, v);
}

void features_put_href_paging(buf *b, const features_href *h, char sep) {
  if (h->limit > 0) {
    put_arg(b, sep, "limit=", h->limit);
    sep = '&';
  }
  if (h->offset > 0) {
    put_arg(b, sep, "offset=", h->offset);
    sep = '&';
  }
  if (h->has_after) {
    put_arg(b, sep, "after=", h->after);
    sep = '&';
  }
  if (h->f) {
    buf_putc(b, sep);
    buf_puts(b, "f=");
    buf_puts(b, h->f);
  }
}

void features_put_href(buf *b, const features_href *h) {
  features_put_href_paging(b, h, features_put_href_base(b, h));
}

static const char STYLE[] =
    "body{font:16px/1.5 system-ui,sans-serif;margin:0 auto;max-width:72rem;padding:1rem;"
    "color:#1a1a1a}a{color:#0b57d0}table{border-collapse:collapse;width:100%;margin:1rem 0}"
    "caption{text-align:left;font-weight:600;padding:.5rem 0}th,td{border:1px solid #bbb;"
    "padding:.35rem .5rem;text-align:left;vertical-align:top}th{background:#f0f0f0}"
    "tbody tr:nth-child(even){background:#fafafa}nav ul{list-style:none;padding:0;display:flex;"
    "gap:1rem;flex-wrap:wrap}.num{text-align:right;font-variant-numeric:tabular-nums}"
    "a:focus,button:focus{outline:3px solid #f9a825}";

void features_html_begin(buf *b, const char *title, const char *base_url) {
  html_page_head(b, &(html_page){.lang = "es", .title = title, .title_suffix = " · teselas",
                                 .upper_doctype = true});
  buf_printf(b, "<style>%s</style>\n", STYLE);
  html_page_body(b, NULL);
  buf_puts(b, "<header><nav aria-label=\"Ruta\"><a href=\"");
  buf_html_escape(b, base_url, strlen(base_url));
  buf_puts(b, "/\">Inicio</a> › <a href=\"");
  buf_html_escape(b, base_url, strlen(base_url));
  buf_puts(b, "/collections?f=html\">Colecciones</a></nav></header>\n<main>\n<h1>");
  buf_html_escape(b, title, strlen(title));
  buf_puts(b, "</h1>\n");
}

void features_html_end(buf *b) { buf_puts(b, "</main>\n</body>\n</html>\n"); }
