/* html.c — HTML escaping, the shell of the pages people see (on the opening every page shares,
 * core/html.h), and numbers and dates for people.
 * Every catalog string reaches HTML through www_html_put: the catalog is written by importers
 * from files that anyone may have produced, so a layer title is untrusted text. */
#include <stdio.h>
#include <string.h>

#include "core/html.h"
#include "www/www_int.h"

void www_html_put(buf *b, const char *s) { buf_html_escape(b, s ? s : "", s ? strlen(s) : 0); }

void www_html_text(buf *b, const www_site *s, www_text_id id) {
  www_html_put(b, www_text(s->lang, id));
}

void www_asset_url(buf *b, const char *name) {
  buf_printf(b, "/assets/%s/%s", WWW_BUILD_ID, name);
}

bool www_style_name_valid(const char *s, size_t len) {
  if (len == 0 || len > 63) return false;
  for (size_t i = 0; i < len; i++) {
    char c = s[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
          c == '_' || c == '-'))
      return false;
  }
  return true;
}

void www_page_begin(buf *b, const www_site *s, const char *title, const char *body_class,
                    const char *self_path, const char *const *styles, size_t n_styles) {
  html_page_head(b, &(html_page){.lang = www_lang_code(s->lang), .title = title ? title : "",
                                 .meta = "<meta name=\"color-scheme\" content=\"light\">\n"});
  for (size_t i = 0; i < n_styles; i++) {
    buf_puts(b, "<link rel=\"stylesheet\" href=\"");
    www_asset_url(b, styles[i]);
    buf_puts(b, "\">\n");
  }
  buf_puts(b, "<link rel=\"icon\" href=\"");
  www_asset_url(b, "favicon.svg");
  buf_puts(b, "\" type=\"image/svg+xml\">\n");
  html_page_body(b, body_class);
  buf_puts(b, "<a class=\"skip\" href=\"#main\">");
  www_html_text(b, s, T_SKIP);
  buf_puts(b, "</a>\n");
  if (strcmp(body_class, "embed") == 0) {
    buf_puts(b, "<main id=\"main\">\n");
    return;
  }
  buf_puts(b, "<header class=\"site\">\n<p class=\"brand\"><a href=\"/");
  if (s->lang == WWW_LANG_EN) buf_puts(b, "?lang=en");
  buf_puts(b, "\">teselas</a> <span>");
  www_html_text(b, s, T_SITE_TITLE);
  buf_puts(b, "</span></p>\n<nav class=\"lang\" aria-label=\"");
  www_html_text(b, s, T_LANG_NAV);
  www_lang other = s->lang == WWW_LANG_EN ? WWW_LANG_ES : WWW_LANG_EN;
  buf_puts(b, "\"><a id=\"lang-switch\" href=\"");
  www_html_put(b, self_path);
  buf_printf(b, "?lang=%s\" hreflang=\"%s\" lang=\"%s\">", www_lang_code(other),
             www_lang_code(other), www_lang_code(other));
  www_html_text(b, s, T_OTHER_LANG);
  buf_puts(b, "</a></nav>\n</header>\n<main id=\"main\">\n");
}

void www_fmt_count(int64_t n, char out[32]) {
  char digits[24];
  bool neg = n < 0;
  unsigned long long u = neg ? 0ULL - (unsigned long long)n : (unsigned long long)n;
  int len = snprintf(digits, sizeof digits, "%llu", u);
  size_t o = 0;
  if (neg) out[o++] = '-';
  for (int i = 0; i < len; i++) {
    if (i > 0 && (len - i) % 3 == 0) out[o++] = ',';
    out[o++] = digits[i];
  }
  out[o] = '\0';
}

static const char *const MONTHS_ES[12] = {"enero", "febrero", "marzo", "abril", "mayo", "junio",
                                          "julio", "agosto", "septiembre", "octubre",
                                          "noviembre", "diciembre"};
static const char *const MONTHS_EN[12] = {"January", "February", "March", "April",
                                          "May", "June", "July", "August",
                                          "September", "October", "November", "December"};

void www_fmt_date(buf *b, www_lang lang, const char *iso) {
  int y, m, d;
  if (!iso || sscanf(iso, "%4d-%2d-%2d", &y, &m, &d) != 3 || m < 1 || m > 12 || d < 1 ||
      d > 31) {
    www_html_put(b, iso);
    return;
  }
  if (lang == WWW_LANG_EN)
    buf_printf(b, "%d %s %d", d, MONTHS_EN[m - 1], y);
  else
    buf_printf(b, "%d de %s de %d", d, MONTHS_ES[m - 1], y);
}

const char *www_fmt_frequency(www_lang lang, const char *f) {
  static const struct {
    const char *key;
    www_text_id id;
  } FREQ[] = {{"daily", T_FREQ_DAILY},         {"weekly", T_FREQ_WEEKLY},
              {"monthly", T_FREQ_MONTHLY},     {"quarterly", T_FREQ_QUARTERLY},
              {"yearly", T_FREQ_YEARLY},       {"annual", T_FREQ_YEARLY},
              {"on event", T_FREQ_EVENT},      {"irregular", T_FREQ_EVENT},
              {"bimonthly", T_FREQ_BIMONTHLY}, {"four-monthly", T_FREQ_FOUR_MONTHLY},
              {"semiannual", T_FREQ_SEMIANNUAL}, {"biennial", T_FREQ_BIENNIAL}};
  for (size_t i = 0; i < sizeof FREQ / sizeof *FREQ; i++)
    if (strcmp(f, FREQ[i].key) == 0) return www_text(lang, FREQ[i].id);
  return f;
}

const char *www_fmt_geometry(www_lang lang, const char *g) {
  if (strstr(g, "Point")) return www_text(lang, T_GEOM_POINT);
  if (strstr(g, "LineString")) return www_text(lang, T_GEOM_LINE);
  if (strstr(g, "Polygon")) return www_text(lang, T_GEOM_POLYGON);
  return www_text(lang, T_GEOM_OTHER);
}
