/* quality.c — one plain sentence on a layer's quality (from the JSON report of its last import,
 * written by importers/report.c) and on its privacy policy, for the catalog.
 * A report it does not understand yields "no report" rather than an error: the catalog must
 * render whatever an older or newer importer stored. */
#include <jansson.h>
#include <string.h>

#include "www/www_int.h"

static int64_t get_int(json_t *o, const char *key) {
  json_t *v = json_object_get(o, key);
  return json_is_integer(v) ? (int64_t)json_integer_value(v) : -1;
}

/* Mean of fields[].filled_pct, or -1 when the report lists none. */
static double mean_filled(json_t *doc) {
  json_t *fields = json_object_get(doc, "fields"), *f;
  size_t i, n = 0;
  double sum = 0;
  json_array_foreach(fields, i, f) {
    json_t *pct = json_object_get(f, "filled_pct");
    if (!json_is_number(pct)) continue;
    sum += json_number_value(pct);
    n++;
  }
  return n ? sum / (double)n : -1;
}

void www_quality_summary(buf *b, www_lang lang, const layer_info *l) {
  json_t *doc = json_loads(l->report, 0, NULL);
  json_t *counts = json_object_get(doc, "counts");
  if (json_is_true(json_object_get(doc, "sample")) && !counts) {
    www_html_put(b, www_text(lang, T_Q_SAMPLE));
  } else if (!json_is_object(counts) || get_int(counts, "read") < 0) {
    www_html_put(b, www_text(lang, T_Q_NONE));
  } else {
    char n1[32], n2[32];
    int64_t imported = get_int(counts, "imported");
    www_fmt_count(imported < 0 ? l->feature_count : imported, n1);
    www_fmt_count(get_int(counts, "read"), n2);
    buf_printf(b, "%s %s %s", n1, www_text(lang, T_Q_PUBLISHED), n2);
    int64_t rejected = get_int(counts, "rejected"), repaired = get_int(counts, "repaired");
    if (rejected > 0) {
      www_fmt_count(rejected, n1);
      buf_printf(b, "; %s %s", n1, www_text(lang, T_Q_REJECTED));
    }
    if (repaired > 0) {
      www_fmt_count(repaired, n1);
      buf_printf(b, "; %s %s", n1, www_text(lang, T_Q_REPAIRED));
    }
    double filled = mean_filled(doc);
    if (filled >= 0) buf_printf(b, "; %.0f %% %s", filled, www_text(lang, T_Q_FILLED));
    buf_putc(b, '.');
  }
  json_decref(doc);
}

/* The privacy policy is JSON set at import (issue "publishing sensitive layers"). It says for
 * people what it does when it carries a text ("description" in Spanish, "description_en");
 * otherwise its mode is named. An empty policy says nothing. */
void www_privacy_text(www_lang lang, const layer_info *l, buf *out) {
  json_t *doc = json_loads(l->privacy, 0, NULL);
  if (!json_is_object(doc) || json_object_size(doc) == 0) {
    json_decref(doc);
    return;
  }
  const char *keys_es[] = {"description", "description_es", "summary", "mode"};
  const char *keys_en[] = {"description_en", "summary_en", "description", "mode"};
  const char **keys = lang == WWW_LANG_EN ? keys_en : keys_es;
  for (size_t i = 0; i < 4; i++) {
    const char *t = json_string_value(json_object_get(doc, keys[i]));
    if (t && *t) {
      buf_puts(out, t);
      break;
    }
  }
  json_decref(doc);
}

void www_privacy_summary(buf *b, www_lang lang, const layer_info *l) {
  buf text;
  buf_init(&text, 0);
  www_privacy_text(lang, l, &text);
  if (text.len) buf_html_escape(b, (const char *)text.data, text.len);
  buf_free(&text);
}
