/* html.c — items as an accessible HTML table for people and screen readers: a caption, column
 * headers with scope, the field labels of the catalog in Spanish, a row header per feature that
 * links to it, and pagination as a labelled navigation landmark with rel=prev/next. No script. */
#include <string.h>

#include "features/features_int.h"

static const char *label_of(const features_cols *c, const char *name) {
  const layer_field *f = layer_find_field(c->layer, name);
  return f && f->label[0] ? f->label : name;
}

static void put_esc(buf *b, const char *s) { buf_html_escape(b, s, strlen(s)); }

static void pager(buf *b, const features_html_page *p) {
  if (!p->prev_href && !p->next_href) return;
  buf_puts(b, "<nav aria-label=\"Páginas de resultados\"><ul>");
  if (p->prev_href) {
    buf_puts(b, "<li><a rel=\"prev\" href=\"");
    put_esc(b, p->prev_href);
    buf_puts(b, "\">← Página anterior</a></li>");
  }
  if (p->next_href) {
    buf_puts(b, "<li><a rel=\"next\" href=\"");
    put_esc(b, p->next_href);
    buf_puts(b, "\">Página siguiente →</a></li>");
  }
  buf_puts(b, "</ul></nav>\n");
}

void features_html_items_begin(buf *b, const features_html_page *p) {
  const layer_info *l = p->cols->layer;
  int64_t first = p->matched ? p->offset + 1 : 0;
  int64_t last = p->offset + p->limit < p->matched ? p->offset + p->limit : p->matched;
  if (first > p->matched) first = last = 0;
  features_html_begin(b, l->title[0] ? l->title : l->id, p->base_url);
  if (l->description[0]) {
    buf_puts(b, "<p>");
    put_esc(b, l->description);
    buf_puts(b, "</p>\n");
  }
  buf_printf(b, "<p role=\"status\">Elementos %lld a %lld de %lld.</p>\n", (long long)first,
             (long long)last, (long long)p->matched);
  pager(b, p);
  buf_puts(b, "<table>\n<caption>");
  put_esc(b, l->title[0] ? l->title : l->id);
  buf_printf(b, ", elementos %lld a %lld</caption>\n<thead><tr><th scope=\"col\">fid</th>"
                "<th scope=\"col\">Ubicación</th>",
             (long long)first, (long long)last);
  for (size_t i = 0; i < p->cols->n_fields; i++) {
    buf_puts(b, "<th scope=\"col\">");
    put_esc(b, label_of(p->cols, p->cols->fields[i]));
    buf_puts(b, "</th>");
  }
  if (p->cols->distance) buf_puts(b, "<th scope=\"col\">Distancia (m)</th>");
  buf_puts(b, "</tr></thead>\n<tbody>\n");
}

/* A place a person can read: "lat, lon" for a point, the kind and size for other shapes. */
static void put_place(buf *b, const geom *g) {
  static const char *const KIND[] = {"", "Puntos", "Línea", "Polígono"};
  if (g->n_pts == 0) {
    buf_puts(b, "sin geometría");
  } else if (g->type == GEOM_POINT && g->n_pts == 1) {
    features_put_coord(b, g->pts[0].y);
    buf_puts(b, ", ");
    features_put_coord(b, g->pts[0].x);
  } else {
    buf_printf(b, "%s (%u vértices)", KIND[g->type <= GEOM_POLYGON ? g->type : 0], g->n_pts);
  }
}

static void put_cell(buf *b, const value *v) {
  bool num = v->kind == VALUE_INT || v->kind == VALUE_REAL;
  buf_puts(b, num ? "<td class=\"num\">" : "<td>");
  switch (v->kind) {
    case VALUE_NULL: buf_puts(b, "<span aria-label=\"sin dato\">—</span>"); break;
    case VALUE_BOOL: buf_puts(b, v->i ? "sí" : "no"); break;
    case VALUE_INT: features_put_int(b, v->i); break;
    case VALUE_REAL: features_put_real(b, v->d); break;
    case VALUE_TEXT: buf_html_escape(b, v->s, v->len); break;
  }
  buf_puts(b, "</td>");
}

void features_html_items_row(buf *b, const features_html_page *p, const store_feature *f,
                             const geom *g) {
  buf_puts(b, "<tr><th scope=\"row\"><a href=\"");
  put_esc(b, p->base_url);
  buf_puts(b, "/collections/");
  put_esc(b, p->cols->layer->id);
  buf_printf(b, "/items/%lld?f=html\">%lld</a></th><td>", (long long)f->id, (long long)f->id);
  put_place(b, g);
  buf_puts(b, "</td>");
  for (size_t i = 0; i < p->cols->n_fields; i++) put_cell(b, &f->values[i]);
  if (p->cols->distance) {
    value d = {.kind = VALUE_REAL, .d = (double)(int64_t)(f->distance_m + 0.5)};
    put_cell(b, &d);
  }
  buf_puts(b, "</tr>\n");
}

void features_html_items_end(buf *b, const features_html_page *p, int64_t returned) {
  buf_puts(b, "</tbody>\n</table>\n");
  if (returned == 0) buf_puts(b, "<p>Ningún elemento cumple la consulta.</p>\n");
  pager(b, p);
  buf_puts(b, "<p>Otros formatos: <a href=\"");
  put_esc(b, p->base_url);
  buf_puts(b, "/collections/");
  put_esc(b, p->cols->layer->id);
  buf_puts(b, "/items?f=json\">GeoJSON</a>, <a href=\"");
  put_esc(b, p->base_url);
  buf_puts(b, "/collections/");
  put_esc(b, p->cols->layer->id);
  buf_puts(b, "/items?f=csv\">CSV</a>.</p>\n");
  features_html_end(b);
}
