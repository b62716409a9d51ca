/* html.c — the opening of every HTML page (see html.h). Markup only: no text of its own, so the
 * language of a page is its caller's. */
#include "core/html.h"

#include <string.h>

void html_page_head(buf *b, const html_page *p) {
  buf_puts(b, p->upper_doctype ? "<!DOCTYPE html>\n" : "<!doctype html>\n");
  buf_printf(b, "<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n"
                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n",
             p->lang);
  if (p->meta) buf_puts(b, p->meta);
  buf_puts(b, "<title>");
  buf_html_escape(b, p->title, strlen(p->title));
  if (p->title_suffix) buf_puts(b, p->title_suffix);
  buf_puts(b, "</title>\n");
}

void html_page_body(buf *b, const char *body_class) {
  if (body_class) buf_printf(b, "</head>\n<body class=\"%s\">\n", body_class);
  else buf_puts(b, "</head>\n<body>\n");
}
