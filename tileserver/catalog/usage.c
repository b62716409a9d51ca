/* usage.c — the usage report: views and downloads of each layer by day, week or month, from the
 * hourly counts the server keeps (store/usage.c), as text (teselas usage), CSV, JSON, or the
 * plain HTML page /admin/uso. One row per period and layer, one column per kind of request.
 * The counts are all there is: the server keeps no request log, no address, agent or query
 * string, and the page says so. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog.h"
#include "core/html.h"

/* One period and layer, its kinds gathered from consecutive totals (the scan's order). */
typedef struct usage_line {
  char period[16];
  char layer[64];
  int64_t requests[STORE_USAGE_KINDS], bytes[STORE_USAGE_KINDS];
} usage_line;

typedef struct usage_lines {
  usage_line *v;
  size_t n, cap;
  bool failed;
} usage_lines;

static int collect(void *ctx, const store_usage_total *t) {
  usage_lines *L = ctx;
  usage_line *last = L->n ? &L->v[L->n - 1] : NULL;
  if (!last || strcmp(last->period, t->period) != 0 || strcmp(last->layer, t->layer) != 0) {
    if (L->n == L->cap) {
      size_t cap = L->cap ? L->cap * 2 : 64;
      usage_line *p = realloc(L->v, cap * sizeof *p);
      if (!p) {
        L->failed = true;
        return 1;
      }
      L->v = p;
      L->cap = cap;
    }
    last = memset(&L->v[L->n++], 0, sizeof *last);
    snprintf(last->period, sizeof last->period, "%s", t->period);
    snprintf(last->layer, sizeof last->layer, "%s", t->layer);
  }
  for (int k = 0; k < STORE_USAGE_KINDS; k++)
    if (strcmp(t->kind, store_usage_kind_name((store_usage_kind)k)) == 0) {
      last->requests[k] += t->requests;
      last->bytes[k] += t->bytes;
    }
  return 0;
}

static int64_t total_bytes(const usage_line *u) {
  int64_t n = 0;
  for (int k = 0; k < STORE_USAGE_KINDS; k++) n += u->bytes[k];
  return n;
}

static const char *by_name(store_usage_period by) {
  return by == STORE_USAGE_WEEK ? "week" : by == STORE_USAGE_MONTH ? "month" : "day";
}

static const char *by_words(store_usage_period by) {
  return by == STORE_USAGE_WEEK ? "por semana (del lunes)" : by == STORE_USAGE_MONTH ? "por mes"
                                                                                        : "por día";
}

static const char PRIVACY_ES[] =
    "El servidor guarda solo cuántas peticiones y cuántos bytes tuvo cada capa en cada hora, por "
    "tipo de uso. No guarda un registro de las peticiones: ni direcciones IP, ni navegadores, ni "
    "las consultas (lo que va después de «?» en una dirección).";

/* The order of the columns everywhere: what people look at first. */
static const store_usage_kind COLS[STORE_USAGE_KINDS] = {
    STORE_USAGE_PAGE, STORE_USAGE_TILE, STORE_USAGE_IMAGE, STORE_USAGE_ITEMS, STORE_USAGE_DOWNLOAD};
static const char *const COL_ES[STORE_USAGE_KINDS] = {"Páginas de mapa", "Teselas vectoriales",
                                                      "Imágenes", "Consultas de elementos",
                                                      "Descargas"};

static void write_csv(const usage_lines *L, buf *out) {
  buf_puts(out, "period,layer");
  for (int i = 0; i < STORE_USAGE_KINDS; i++) buf_printf(out, ",%s", store_usage_kind_name(COLS[i]));
  buf_puts(out, ",bytes\r\n");
  for (size_t j = 0; j < L->n; j++) {
    const usage_line *u = &L->v[j];
    buf_printf(out, "%s,%s", u->period, u->layer);  /* ids and dates need no quoting */
    for (int i = 0; i < STORE_USAGE_KINDS; i++)
      buf_printf(out, ",%lld", (long long)u->requests[COLS[i]]);
    buf_printf(out, ",%lld\r\n", (long long)total_bytes(u));
  }
}

static void write_json(const usage_lines *L, const catalog_usage_req *q, buf *out) {
  buf_printf(out, "{\"by\":\"%s\",\"since\":", by_name(q->by));
  if (q->since && *q->since) buf_json_str(out, q->since);
  else buf_puts(out, "null");
  buf_puts(out, ",\"timezone\":\"UTC\",\"usage\":[");
  for (size_t j = 0; j < L->n; j++) {
    const usage_line *u = &L->v[j];
    buf_printf(out, "%s\n{\"period\":\"%s\",\"layer\":", j ? "," : "", u->period);
    buf_json_str(out, u->layer);
    for (int i = 0; i < STORE_USAGE_KINDS; i++)
      buf_printf(out, ",\"%s\":{\"requests\":%lld,\"bytes\":%lld}", store_usage_kind_name(COLS[i]),
                 (long long)u->requests[COLS[i]], (long long)u->bytes[COLS[i]]);
    buf_puts(out, "}");
  }
  buf_puts(out, "\n],\"privacy\":");
  buf_json_str(out, PRIVACY_ES);
  buf_puts(out, "}\n");
}

static void write_text(const usage_lines *L, const catalog_usage_req *q, buf *out) {
  buf_printf(out, "Uso de las capas %s (UTC)%s%s\n\n", by_words(q->by),
             q->since && *q->since ? ", desde " : "", q->since && *q->since ? q->since : "");
  if (!L->n) buf_puts(out, "Sin uso registrado.\n");
  /* the widths count bytes: "páginas" and "imágenes" take one more for their accent */
  else buf_printf(out, "%-10s  %-24s %9s %8s %9s %9s %9s %12s\n", "periodo", "capa", "páginas",
                  "teselas", "imágenes", "consultas", "descargas", "bytes");
  for (size_t j = 0; j < L->n; j++) {
    const usage_line *u = &L->v[j];
    buf_printf(out, "%-10s  %-24s", u->period, u->layer);
    for (int i = 0; i < STORE_USAGE_KINDS; i++)
      buf_printf(out, i < 3 ? " %8lld" : " %9lld", (long long)u->requests[COLS[i]]);
    buf_printf(out, " %12lld\n", (long long)total_bytes(u));
  }
  buf_printf(out, "\n%s\n", PRIVACY_ES);
}

static void esc(buf *b, const char *s) { buf_html_escape(b, s, strlen(s)); }

static void html_links(const catalog_usage_req *q, buf *out) {
  static const store_usage_period BY[3] = {STORE_USAGE_DAY, STORE_USAGE_WEEK, STORE_USAGE_MONTH};
  static const char *const WORDS[3] = {"Por día", "Por semana", "Por mes"};
  const char *since = q->since && *q->since ? q->since : NULL;
  buf_puts(out, "<nav aria-label=\"Periodo\"><ul>");
  for (int i = 0; i < 3; i++) {
    if (BY[i] == q->by) {
      buf_printf(out, "<li><strong aria-current=\"page\">%s</strong></li>", WORDS[i]);
      continue;
    }
    buf_printf(out, "<li><a href=\"?by=%s%s%s\">%s</a></li>", by_name(BY[i]),
               since ? "&amp;since=" : "", since ? since : "", WORDS[i]);
  }
  buf_printf(out, "<li><a href=\"?by=%s%s%s&amp;f=csv\">Descargar en CSV</a></li></ul></nav>\n",
             by_name(q->by), since ? "&amp;since=" : "", since ? since : "");
}

static void write_html(const usage_lines *L, const catalog_usage_req *q, const catalog *c,
                       buf *out) {
  html_page_head(out, &(html_page){.lang = "es", .title = "Uso de las capas",
                                   .title_suffix = " · teselas"});
  html_page_body(out, NULL);
  buf_printf(out, "<main><h1>Uso de las capas</h1>\n<p>Cuántas veces se vio o se descargó cada "
                  "capa, %s, en hora UTC%s%s.</p>\n<p>%s</p>\n", by_words(q->by),
             q->since && *q->since ? ", desde el " : "", q->since && *q->since ? q->since : "",
             PRIVACY_ES);
  html_links(q, out);
  if (!L->n) {
    buf_puts(out, "<p>Todavía no hay uso registrado.</p></main>\n</body></html>\n");
    return;
  }
  buf_puts(out, "<table><caption>Peticiones por periodo y capa</caption><thead><tr>"
                "<th scope=\"col\">Periodo</th><th scope=\"col\">Capa</th>");
  for (int i = 0; i < STORE_USAGE_KINDS; i++) buf_printf(out, "<th scope=\"col\">%s</th>", COL_ES[i]);
  buf_puts(out, "<th scope=\"col\">Bytes enviados</th></tr></thead><tbody>\n");
  for (size_t j = 0; j < L->n; j++) {
    const usage_line *u = &L->v[j];
    const layer_info *l = c ? catalog_find(c, u->layer, strlen(u->layer)) : NULL;
    buf_printf(out, "<tr><td>%s</td><th scope=\"row\">", u->period);
    if (strcmp(u->layer, "_other") == 0) buf_puts(out, "Otras (estilos de varias capas, archivos)");
    else esc(out, l && l->title[0] ? l->title : u->layer);
    if (l) {
      buf_puts(out, " <code>");
      esc(out, u->layer);
      buf_puts(out, "</code>");
    }
    buf_puts(out, "</th>");
    for (int i = 0; i < STORE_USAGE_KINDS; i++)
      buf_printf(out, "<td>%lld</td>", (long long)u->requests[COLS[i]]);
    buf_printf(out, "<td>%lld</td></tr>\n", (long long)total_bytes(u));
  }
  buf_puts(out, "</tbody></table></main>\n</body></html>\n");
}

bool catalog_usage_since_valid(const char *s) {
  static const int DAYS[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int y, m, d;
  char tail;
  if (strlen(s) != 10 || s[4] != '-' || s[7] != '-' ||
      strspn(s, "0123456789-") != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3)
    return false;
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return y >= 1970 && m >= 1 && m <= 12 && d >= 1 &&
         d <= (m == 2 && !leap ? 28 : DAYS[m - 1]);
}

err_code catalog_usage_write(store_reader *r, const catalog *c, const catalog_usage_req *q,
                             buf *out, err *e) {
  usage_lines L = {0};
  err_code rc = store_usage_scan(r, q->since, q->by, collect, &L, e);
  if (rc == ERR_OK && L.failed) rc = err_set(e, ERR_NOMEM, "out of memory for the usage report");
  if (rc == ERR_OK) {
    switch (q->format) {
      case CATALOG_USAGE_CSV: write_csv(&L, out); break;
      case CATALOG_USAGE_JSON: write_json(&L, q, out); break;
      case CATALOG_USAGE_HTML: write_html(&L, q, c, out); break;
      default: write_text(&L, q, out); break;
    }
  }
  free(L.v);
  return rc;
}
