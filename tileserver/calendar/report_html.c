/* report_html.c — the report of deliveries as one plain HTML page: a table per publisher, the
 * state of each layer in words ("atrasada 12 días" in <strong>), readable by a screen reader and
 * on a phone without styles or scripts. */
#include <stdio.h>
#include <string.h>

#include "calendar/calendar_int.h"
#include "core/html.h"

static void esc(buf *b, const char *s) { buf_html_escape(b, s, strlen(s)); }

static void cell_time(buf *b, int64_t t, bool has) {
  char iso[32];
  buf_puts(b, "<td>");
  if (has) {
    calendar_format_iso(t, iso);
    buf_printf(b, "<time datetime=\"%s\">%.10s</time>", iso, iso);
  } else {
    buf_puts(b, "—");
  }
  buf_puts(b, "</td>");
}

static void row(buf *b, const calendar_layer_report *lr) {
  const calendar_status *s = &lr->status;
  char words[128];
  calendar_status_text(s, lr->layer->frequency, false, words, sizeof words);
  buf_puts(b, "<tr><th scope=\"row\">");
  esc(b, *lr->layer->title ? lr->layer->title : lr->layer->id);
  buf_puts(b, " <code>");
  esc(b, lr->layer->id);
  buf_puts(b, "</code></th><td>");
  esc(b, *lr->layer->frequency ? lr->layer->frequency : "—");
  buf_puts(b, "</td>");
  cell_time(b, s->last, s->last >= 0);
  cell_time(b, s->due, s->scheduled);
  buf_puts(b, s->overdue ? "<td><strong>" : "<td>");
  esc(b, words);
  buf_puts(b, s->overdue ? "</strong></td><td>" : "</td><td>");
  const calendar_quality *q = lr->n_recent ? &lr->recent[0] : NULL;
  if (q && q->has_figures)
    buf_printf(b, "versión %lld: %lld leídos, %lld publicados, %lld rechazados, %lld avisos",
               (long long)q->version, (long long)q->read, (long long)q->imported,
               (long long)q->rejected, (long long)q->warnings);
  else
    buf_puts(b, "—");
  buf_puts(b, "</td><td>");
  esc(b, *lr->trend ? lr->trend : "—");
  buf_puts(b, "</td></tr>\n");
}

static void table_open(buf *b, const char *publisher) {
  buf_puts(b, "<section><h2>");
  esc(b, publisher);
  buf_puts(b, "</h2>\n<table><thead><tr><th scope=\"col\">Capa</th><th scope=\"col\">Frecuencia"
              "</th><th scope=\"col\">Última entrega</th><th scope=\"col\">Próxima entrega</th>"
              "<th scope=\"col\">Estado</th><th scope=\"col\">Calidad de la última versión</th>"
              "<th scope=\"col\">Tendencia</th></tr></thead><tbody>\n");
}

void calendar_report_html(const calendar_report *rep, buf *b) {
  html_page_head(b, &(html_page){.lang = "es", .title = "Entregas de datos por dependencia",
                                 .title_suffix = " · teselas"});
  html_page_body(b, NULL);
  char now[32];
  calendar_format_iso(rep->now, now);
  buf_printf(b, "<main><h1>Entregas de datos por dependencia</h1>\n<p>Al <time datetime=\"%s\">"
             "%.10s</time>: %zu de %zu capas atrasadas.", now, now, rep->n_overdue,
             rep->n_layers);
  if (rep->grace_days >= 0)
    buf_printf(b, " Una capa está atrasada %d días después de su fecha de entrega.",
               rep->grace_days);
  else
    buf_puts(b, " Una capa está atrasada 7 días después de su fecha de entrega (1 día si es "
                "semanal, ninguno si es diaria).");
  buf_puts(b, "</p>\n");
  const char *cur = NULL;
  for (size_t i = 0; i < rep->n_layers; i++) {
    const calendar_layer_report *lr = &rep->layers[i];
    if (!cur || strcmp(cur, calendar_publisher(lr)) != 0) {
      if (cur) buf_puts(b, "</tbody></table></section>\n");
      table_open(b, cur = calendar_publisher(lr));
    }
    row(b, lr);
  }
  if (cur) buf_puts(b, "</tbody></table></section>\n");
  buf_puts(b, "<p><a href=\"?f=json\">JSON</a> · <a href=\"?f=csv\">CSV</a></p></main>\n"
              "</body></html>\n");
}
