/* html.h — the shell every HTML page of teselas opens with: doctype, language, charset, viewport
 * and title, then the page's own head, then <body>. The API's plain pages (features/) and the
 * pages people see (www/) fill the rest differently; this is the part they share. */
#ifndef TESELAS_CORE_HTML_H
#define TESELAS_CORE_HTML_H

#include <stdbool.h>

#include "core/buf.h"

typedef struct html_page {
  const char *lang;         /* BCP 47: "es", "en" */
  const char *title;        /* text: escaped here */
  const char *title_suffix; /* markup after the title, as is (" · teselas"); NULL: none */
  const char *meta;         /* markup before <title>, as is; NULL: none */
  /* The API pages have always opened with "<!DOCTYPE html>", the people's pages with
   * "<!doctype html>": the same to HTML (the doctype is case-insensitive), and kept apart so
   * every page stays byte for byte what it was. */
  bool upper_doctype;
} html_page;

/* Writes from the doctype to </title>; the caller adds the rest of its head (styles, icons). */
void html_page_head(buf *b, const html_page *p);
/* Closes the head and opens <body> (with class="body_class" unless NULL). */
void html_page_body(buf *b, const char *body_class);

#endif
