/* quality.c — one plain sentence on a layer's quality (from the JSON report of its last import,
 * written by importers/report.c) and on its privacy policy, for the catalog.
 * A report it does not understand yields "no report" rather than an error: the catalog must
 * render whatever an older or newer importer stored. Percentages are rounded down (99.96 % of
 * fields filled reads "99.9", never "100") and every warning kind the report counts is listed. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "www/www_int.h"

static int64_t get_int(json_t *o, const char *key) {
  json_t *v = json_object_get(o, key);
  return json_is_integer(v) ? (int64_t)json_integer_value(v) : -1;
}

/* A percentage for people: one decimal rounded down, "100" only when part == whole, never above
 * it (a report from an older importer could count more filled values than records). */
void www_fmt_pct(int64_t part, int64_t whole, char out[32]) {
  if (whole <= 0 || part <= 0) {
    snprintf(out, 32, "0");
    return;
  }
  if (part >= whole) {
    snprintf(out, 32, "100");
    return;
  }
  int64_t tenths = part * 1000 / whole;
  if (tenths < 1) tenths = 1;
  snprintf(out, 32, "%lld.%lld", (long long)(tenths / 10), (long long)(tenths % 10));
}

/* Share of filled values over every field of every published record (from the integer counts,
 * not an average of rounded percentages); false when the report lists no fields. */
static bool fill_counts(json_t *doc, int64_t imported, int64_t *out_filled, int64_t *out_cells) {
  json_t *fields = json_object_get(doc, "fields"), *f;
  size_t i;
  *out_filled = *out_cells = 0;
  json_array_foreach(fields, i, f) {
    int64_t filled = get_int(f, "filled");
    json_t *pct = json_object_get(f, "filled_pct");
    if (filled < 0 && json_is_number(pct)) /* an older report: its rounded percentage */
      filled = (int64_t)(json_number_value(pct) / 100 * (double)imported);
    if (filled < 0) continue;
    *out_filled += filled < imported ? filled : imported;
    *out_cells += imported;
  }
  return *out_cells > 0;
}

/* Every warning kind of the report, each with its count: the issues that do not reject, the
 * coordinates fixed, the repeated ids, the changes of fields. A kind this build does not know
 * (a newer importer) is shown by its code rather than left out. */
typedef struct warn_label {
  const char *code;
  www_text_id text;
} warn_label;

static const warn_label WARNINGS[] = {
    {"outside_area", T_W_OUTSIDE},       {"shifted", T_W_SHIFTED},
    {"swapped_lat_lon", T_W_SWAPPED},    {"positive_longitude", T_W_POSITIVE_LON},
    {"bad_value", T_W_BAD_VALUE},        {"damaged_text", T_W_DAMAGED_TEXT},
};

static const char *const REJECTING[] = {"no_geometry", "empty_geometry", "bad_coordinates",
                                        "bad_wkt", "nan", "out_of_range", "transform_failed",
                                        "invalid_geometry", "repaired"};

static bool is_rejecting(const char *code) {
  for (size_t i = 0; i < sizeof REJECTING / sizeof *REJECTING; i++)
    if (strcmp(code, REJECTING[i]) == 0) return true;
  return false;
}

static void warn(buf *b, www_lang lang, bool *first, int64_t n, www_text_id id, const char *code) {
  char num[32];
  www_fmt_count(n, num);
  buf_printf(b, "%s%s ", *first ? "" : "; ", num);
  www_html_put(b, code ? code : www_text(lang, id));
  *first = false;
}

/* The box "outside the expected area" was checked against (W,S,E,N), when the report says it:
 * without it, a city outside Mexico reads every feature as misplaced with no reason why. */
static void area(buf *b, json_t *expected) {
  json_t *box = json_object_get(expected, "bbox");
  if (json_array_size(box) != 4) return;
  buf_puts(b, " (");
  for (size_t i = 0; i < 4; i++)
    buf_printf(b, "%s%g", i ? "," : "", json_number_value(json_array_get(box, i)));
  buf_putc(b, ')');
}

static void warnings(buf *b, www_lang lang, json_t *doc, json_t *counts) {
  bool first = true;
  size_t mark = b->len;
  buf_printf(b, " %s: ", www_text(lang, T_W_HEAD));
  json_t *issues = json_object_get(doc, "issues"), *v;
  const char *code;
  json_object_foreach(issues, code, v) {
    if (!json_is_integer(v) || json_integer_value(v) <= 0 || is_rejecting(code)) continue;
    const warn_label *w = NULL;
    for (size_t i = 0; i < sizeof WARNINGS / sizeof *WARNINGS && !w; i++)
      if (strcmp(WARNINGS[i].code, code) == 0) w = &WARNINGS[i];
    warn(b, lang, &first, json_integer_value(v), w ? w->text : T_N_TEXTS, w ? NULL : code);
    if (strcmp(code, "outside_area") == 0) area(b, json_object_get(doc, "expected_area"));
  }
  int64_t fixed = 0;
  if (get_int(counts, "swapped_fixed") > 0) fixed += get_int(counts, "swapped_fixed");
  if (get_int(counts, "longitude_sign_fixed") > 0) fixed += get_int(counts, "longitude_sign_fixed");
  if (fixed > 0) warn(b, lang, &first, fixed, T_W_FIXED, NULL);
  int64_t dups = get_int(json_object_get(doc, "duplicate_ids"), "count");
  if (dups > 0) warn(b, lang, &first, dups, T_W_DUPLICATES, NULL);
  int64_t changes = get_int(json_object_get(doc, "schema_changes"), "count");
  if (changes > 0) warn(b, lang, &first, changes, T_W_SCHEMA, NULL);
  if (first) b->len = mark; /* no warning: no list */
  else buf_putc(b, '.');
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
    int64_t filled, cells;
    if (imported > 0 && fill_counts(doc, imported, &filled, &cells)) {
      char pct[32];
      www_fmt_pct(filled, cells, pct);
      buf_printf(b, "; %s %% %s", pct, www_text(lang, T_Q_FILLED));
    }
    buf_putc(b, '.');
    warnings(b, lang, doc, counts);
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
