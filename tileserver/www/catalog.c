/* catalog.c — the catalog page (GET / for browsers): every layer with its metadata, a quality
 * summary, a thumbnail and the links a person can use (map, downloads, API).
 * It works without JavaScript; catalog.js only adds the "Copiar" buttons. */
#include <math.h>
#include <string.h>
#include <time.h>

#include "calendar/calendar.h"
#include "www/www_int.h"

enum { THUMB_W = 320, THUMB_H = 180 };

/* Center and zoom that fit bounds b into the thumbnail with a margin, in the static image
 * endpoint's zooms (MapLibre's: the world is 512 CSS pixels wide at zoom 0). The zoom is taken
 * down to a quarter, not to a whole zoom: a whole one left the layer up to half the size the
 * thumbnail has room for (CDMX's colonias filled 100 of its 180 pixels), and quarters keep the
 * addresses few, so that caches keep them. */
static void thumb_view(const double b[4], double *lon, double *lat, double *zoom) {
  *lon = (b[0] + b[2]) / 2;
  *lat = (b[1] + b[3]) / 2;
  double dlon = b[2] - b[0];
  double y1 = log(tan(M_PI / 4 + b[1] * M_PI / 360)), y2 = log(tan(M_PI / 4 + b[3] * M_PI / 360));
  double fy = fabs(y2 - y1) / (2 * M_PI);
  double zx = dlon > 1e-9 ? log2(THUMB_W * 0.9 * 360 / (512 * dlon)) : 15;
  double zy = fy > 1e-12 ? log2(THUMB_H * 0.9 / (512 * fy)) : 15;
  double z = floor(4 * fmin(zx, zy)) / 4;
  *zoom = z < 0 ? 0 : z > 15 ? 15 : z;
}

/* The style of a layer's thumbnail and map link, and the zoom it draws the layer from. A named
 * style draws only that layer (layers=); a layer's own automatic style draws it with its
 * context. */
static const char *card_style(const www_site *s, const layer_info *l, double *from) {
  if (s->layer_style) return s->layer_style(s->layer_style_ctx, l->id, from);
  *from = s->layer_min_zoom ? s->layer_min_zoom(s->layer_min_zoom_ctx, l->id) : -1;
  return s->style;
}

static void thumbnail(buf *b, const www_site *s, const layer_info *l) {
  if (!s->ep.static_img) {
    buf_puts(b, "<div class=\"thumb none\"><span>");
    www_html_text(b, s, T_NO_THUMB);
    buf_puts(b, "</span></div>\n");
    return;
  }
  double lon, lat, zoom;
  thumb_view(l->bounds, &lon, &lat, &zoom);
  /* a layer the style draws only from zoom 11 (colonias) would show an empty thumbnail at the
   * zoom that fits the whole layer: show its centre where the map starts drawing it (to the
   * quarter above, as thumb_view's zooms: a style starting at 10.5 is drawn at 10.5, not 11) */
  double from = -1;
  const char *style = card_style(s, l, &from);
  if (from > zoom) zoom = fmin(ceil(4 * from) / 4, 15);
  buf_printf(b, "<img class=\"thumb\" width=\"%d\" height=\"%d\" loading=\"lazy\" src=\"/styles/",
             THUMB_W, THUMB_H);
  www_html_put(b, style);
  buf_printf(b, "/static/%.5f,%.5f,%g/%dx%d.png", lon, lat, zoom, THUMB_W, THUMB_H);
  if (strcmp(style, l->id) != 0) {
    buf_puts(b, "?layers=");
    www_html_put(b, l->id);
  }
  buf_puts(b, "\" alt=\"");
  www_html_text(b, s, T_THUMB_ALT);
  buf_puts(b, ": ");
  www_html_put(b, l->title);
  buf_puts(b, "\">\n");
}

static void dt(buf *b, const www_site *s, www_text_id term) {
  buf_puts(b, "<div><dt>");
  www_html_text(b, s, term);
  buf_puts(b, "</dt><dd>");
}

/* A late delivery said in words beside the frequency ("atrasada 12 días"), strong for a screen
 * reader's emphasis and for the eye, never a colour alone (calendar/calendar.h decides). */
static void overdue_note(buf *b, const www_site *s, const layer_info *l) {
  calendar_status st;
  calendar_layer_status(l, (int64_t)time(NULL), -1, &st);
  if (!st.overdue) return;
  char words[128];
  calendar_status_text(&st, l->frequency, s->lang == WWW_LANG_EN, words, sizeof words);
  buf_puts(b, " — <strong class=\"overdue\">");
  www_html_put(b, words);
  buf_puts(b, "</strong>");
}

static void metadata(buf *b, const www_site *s, const layer_info *l) {
  char n[32];
  buf_puts(b, "<dl class=\"meta\">\n");
  if (*l->publisher) {
    dt(b, s, T_PUBLISHER);
    www_html_put(b, l->publisher);
    buf_puts(b, "</dd></div>\n");
  }
  if (*l->license) {
    dt(b, s, T_LICENSE);
    www_html_put(b, l->license);
    buf_puts(b, "</dd></div>\n");
  }
  if (*l->frequency) {
    dt(b, s, T_FREQUENCY);
    www_html_put(b, www_fmt_frequency(s->lang, l->frequency));
    overdue_note(b, s, l);
    buf_puts(b, "</dd></div>\n");
  }
  if (*l->updated_at) {
    dt(b, s, T_UPDATED);
    buf_puts(b, "<time datetime=\"");
    www_html_put(b, l->updated_at);
    buf_puts(b, "\">");
    www_fmt_date(b, s->lang, l->updated_at);
    buf_puts(b, "</time></dd></div>\n");
  }
  dt(b, s, T_COUNT);
  www_fmt_count(l->feature_count, n);
  buf_printf(b, "%s (", n);
  www_html_put(b, www_fmt_geometry(s->lang, l->geometry_type));
  buf_puts(b, ")</dd></div>\n");
  dt(b, s, T_QUALITY);
  www_quality_summary(b, s->lang, l);
  if (s->ep.quality) {
    buf_puts(b, " <a href=\"/collections/");
    www_html_put(b, l->id);
    buf_puts(b, s->lang == WWW_LANG_EN ? "/quality?f=html&amp;lang=en\">" : "/quality?f=html\">");
    www_html_text(b, s, T_Q_FULL_REPORT);
    buf_puts(b, "</a>");
  }
  buf_puts(b, "</dd></div>\n");
  size_t mark = b->len;
  dt(b, s, T_PRIVACY);
  size_t before = b->len;
  www_privacy_summary(b, s->lang, l);
  if (b->len == before)
    b->len = mark; /* no policy: no row */
  else
    buf_puts(b, "</dd></div>\n");
  buf_puts(b, "</dl>\n");
}

/* "/collections/{id}/download?f={f}" with {id} and {f} replaced. */
static void download_href(buf *b, const char *tmpl, const char *id, const char *f) {
  for (const char *p = tmpl; *p; p++) {
    if (strncmp(p, "{id}", 4) == 0) {
      www_html_put(b, id);
      p += 3;
    } else if (strncmp(p, "{f}", 3) == 0) {
      buf_puts(b, f);
      p += 2;
    } else {
      buf_putc(b, *p);
    }
  }
}

static void link_item(buf *b, const char *href_prefix, const char *id, const char *href_suffix,
                      const char *label) {
  buf_puts(b, "<li><a href=\"");
  buf_puts(b, href_prefix);
  www_html_put(b, id);
  buf_puts(b, href_suffix);
  buf_puts(b, "\">");
  www_html_put(b, label);
  buf_puts(b, "</a></li>\n");
}

static void downloads(buf *b, const www_site *s, const layer_info *l) {
  static const char *const FORMATS[][2] = {{"geojson", "GeoJSON"}, {"csv", "CSV"},
                                           {"gpkg", "GeoPackage"}};
  if (s->ep.download) {
    buf_puts(b, "<h4>");
    www_html_text(b, s, T_DOWNLOADS);
    buf_puts(b, "</h4>\n<ul class=\"links\">\n");
    for (size_t i = 0; i < 3; i++) {
      buf_puts(b, "<li><a download href=\"");
      download_href(b, s->ep.download, l->id, FORMATS[i][0]);
      buf_printf(b, "\">%s</a></li>\n", FORMATS[i][1]);
    }
    buf_puts(b, "</ul>\n");
  } else if (s->ep.items) {
    buf_puts(b, "<h4>");
    www_html_text(b, s, T_DOWNLOAD_FIRST);
    buf_puts(b, "</h4>\n<ul class=\"links\">\n");
    link_item(b, "/collections/", l->id, "/items?f=json&amp;limit=10000", "GeoJSON");
    link_item(b, "/collections/", l->id, "/items?f=csv&amp;limit=10000", "CSV");
    buf_puts(b, "</ul>\n");
  }
}

static void developers(buf *b, const www_site *s, const layer_info *l) {
  buf_puts(b, "<h4>");
  www_html_text(b, s, T_DEVELOPERS);
  buf_puts(b, "</h4>\n<ul class=\"links\">\n");
  if (s->ep.collections) {
    link_item(b, "/collections/", l->id, "", www_text(s->lang, T_OGC_COLLECTION));
    link_item(b, "/collections/", l->id, "/items", www_text(s->lang, T_OGC_ITEMS));
  } else if (s->ep.items) {
    link_item(b, "/collections/", l->id, "/items", www_text(s->lang, T_OGC_ITEMS));
  }
  link_item(b, "/tiles/", l->id, ".json", www_text(s->lang, T_TILEJSON));
  buf_puts(b, "</ul>\n<p class=\"copyline\"><label for=\"tt-");
  www_html_put(b, l->id);
  buf_puts(b, "\">");
  www_html_text(b, s, T_TILE_TEMPLATE);
  buf_puts(b, "</label> <span class=\"copyrow\"><input type=\"text\" readonly id=\"tt-");
  www_html_put(b, l->id);
  buf_puts(b, "\" value=\"");
  www_html_put(b, s->base_url);
  buf_puts(b, "/tiles/");
  www_html_put(b, l->id);
  buf_puts(b, "/{z}/{x}/{y}.pbf\"> <button type=\"button\" class=\"copy\" hidden data-copy=\"tt-");
  www_html_put(b, l->id);
  buf_puts(b, "\">");
  www_html_text(b, s, T_COPY);
  buf_puts(b, "</button></span></p>\n");
}

static void layer_card(buf *b, const www_site *s, const layer_info *l) {
  buf_puts(b, "<li class=\"card\"><article aria-labelledby=\"h-");
  www_html_put(b, l->id);
  buf_puts(b, "\">\n");
  thumbnail(b, s, l);
  buf_puts(b, "<div class=\"body\">\n<h3 id=\"h-");
  www_html_put(b, l->id);
  buf_puts(b, "\">");
  www_html_put(b, l->title);
  buf_puts(b, "</h3>\n");
  if (l->sample) {
    buf_puts(b, "<p class=\"sample\">");
    www_html_text(b, s, T_SAMPLE);
    buf_puts(b, "</p>\n");
  }
  if (*l->description) {
    buf_puts(b, "<p>");
    www_html_put(b, l->description);
    buf_puts(b, "</p>\n");
  }
  metadata(b, s, l);
  double from;
  buf_puts(b, "<p><a class=\"button\" href=\"/maps/");
  www_html_put(b, card_style(s, l, &from));
  buf_puts(b, "?layers=");
  www_html_put(b, l->id);
  if (s->lang == WWW_LANG_EN) buf_puts(b, "&amp;lang=en");
  buf_puts(b, "\">");
  www_html_text(b, s, T_VIEW_MAP);
  buf_puts(b, "<span class=\"sr-only\">: ");
  www_html_put(b, l->title);
  buf_puts(b, "</span></a></p>\n<details>\n<summary>");
  www_html_text(b, s, T_DATA_USE);
  buf_puts(b, "<span class=\"sr-only\">: ");
  www_html_put(b, l->title);
  buf_puts(b, "</span></summary>\n");
  downloads(b, s, l);
  developers(b, s, l);
  buf_puts(b, "</details>\n</div>\n</article></li>\n");
}

err_code www_catalog_write(const www_site *s, const catalog *c, buf *out, err *e) {
  static const char *const styles[] = {"teselas.css"};
  www_page_begin(out, s, www_text(s->lang, T_SITE_TITLE), "catalog", "/", styles, 1);
  buf_puts(out, "<h1>");
  www_html_text(out, s, T_SITE_TITLE);
  buf_puts(out, "</h1>\n<p class=\"lead\">");
  www_html_text(out, s, T_LEAD);
  buf_puts(out, "</p>\n<p><a class=\"button primary\" href=\"/maps/");
  www_html_put(out, s->style);
  if (s->lang == WWW_LANG_EN) buf_puts(out, "?lang=en");
  buf_puts(out, "\">");
  www_html_text(out, s, T_OPEN_MAP);
  buf_printf(out, "</a></p>\n<h2>%s (%zu)</h2>\n<ul class=\"cards\">\n",
             www_text(s->lang, T_LAYERS_H), c->n_layers);
  for (size_t i = 0; i < c->n_layers; i++) layer_card(out, s, &c->layers[i]);
  buf_puts(out, "</ul>\n</main>\n<footer class=\"site\">\n<p>");
  www_html_text(out, s, T_FOOTER);
  buf_puts(out, "</p>\n<ul class=\"links\">\n");
  if (s->ep.collections) {
    buf_puts(out, "<li><a href=\"/collections\">");
    www_html_text(out, s, T_API_LINK);
    buf_puts(out, "</a></li>\n");
  }
  buf_puts(out, "<li><a href=\"/?f=json\" type=\"application/json\">");
  www_html_text(out, s, T_JSON_LINK);
  buf_puts(out, "</a></li>\n</ul>\n</footer>\n<script type=\"module\" src=\"");
  www_asset_url(out, "catalog.js");
  buf_puts(out, "\"></script>\n</body>\n</html>\n");
  if (out->failed)
    return err_set(e, out->over_limit ? ERR_LIMIT : ERR_NOMEM, "the catalog page did not fit");
  return ERR_OK;
}
