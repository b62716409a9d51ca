/* report.c — the quality report of one import: counters and a bounded number of examples per
 * kind of problem (so memory does not grow with the file), printed for people in Spanish and
 * stored as JSON in the catalog and the history (and --report FILE.json).
 *
 * The text follows the portal's quality model: integrity (records rejected, duplicate ids),
 * accuracy (repairs, swapped or unsigned coordinates, features outside the expected area),
 * completeness (how full each field is) and consistency (values that do not fit their type). */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "importers/schema_int.h"

typedef struct issue_info {
  const char *code;      /* stable key in the JSON report */
  const char *label;     /* Spanish, for people */
} issue_info;

static const issue_info ISSUES[ISSUE_N] = {
    [ISSUE_NO_GEOMETRY] = {"no_geometry", "sin geometría"},
    [ISSUE_EMPTY] = {"empty_geometry", "geometría vacía"},
    [ISSUE_BAD_COORDS] = {"bad_coordinates", "coordenadas vacías o no numéricas"},
    [ISSUE_BAD_WKT] = {"bad_wkt", "texto WKT que no es una geometría"},
    [ISSUE_NAN] = {"nan", "coordenadas que no son números (NaN o infinito)"},
    [ISSUE_OUT_OF_RANGE] = {"out_of_range", "coordenadas fuera de rango"},
    [ISSUE_TRANSFORM] = {"transform_failed", "no se pudo transformar a EPSG:4326"},
    [ISSUE_INVALID] = {"invalid_geometry", "geometría inválida que no se pudo reparar"},
    [ISSUE_REPAIRED] = {"repaired", "geometrías inválidas reparadas"},
    [ISSUE_SWAPPED] = {"swapped_lat_lon", "latitud y longitud parecen invertidas"},
    [ISSUE_POSITIVE_LON] = {"positive_longitude",
                            "longitud positiva (el área está al oeste de Greenwich)"},
    [ISSUE_OUTSIDE] = {"outside_area", "fuera del área esperada"},
    [ISSUE_SHIFTED] = {"shifted", "lejos del resto de la capa (¿coordenada desplazada?)"},
    [ISSUE_BAD_VALUE] = {"bad_value", "valores que no corresponden al tipo del campo"},
    [ISSUE_TEXT_DAMAGE] = {"damaged_text",
                           "textos con caracteres perdidos en una conversión ('?' o '\xEF\xBF\xBD')"},
};

bool issue_rejects(issue_kind k) { return k < ISSUE_N_REJECT; }

void report_issue(import_report *r, issue_kind k, int64_t record, const char *fmt, ...) {
  r->counts[k]++;
  if (r->n_examples[k] >= REPORT_EXAMPLES) return;
  report_example *x = &r->examples[k][r->n_examples[k]++];
  x->record = record;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(x->detail, sizeof x->detail, fmt, ap);
  va_end(ap);
  utf8_sanitize(x->detail);
}

void report_note(import_report *r, const char *fmt, ...) {
  if (r->n_notes >= sizeof r->notes / sizeof *r->notes) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(r->notes[r->n_notes], REPORT_DETAIL_MAX, fmt, ap);
  va_end(ap);
  utf8_sanitize(r->notes[r->n_notes++]);
}

void report_free_fields(import_report *r) {
  for (size_t i = 0; i < r->n_fields; i++) {
    free(r->fields[i].name);
    free(r->fields[i].source_name);
  }
  free(r->fields);
  r->fields = NULL;
  r->n_fields = 0;
}

double report_pct(int64_t part, int64_t whole) {
  if (whole <= 0 || part <= 0) return 0.0;
  if (part >= whole) return 100.0;
  /* tenths rounded down, in integers: 99.96 % is 99.9, not "100" */
  int64_t tenths = part * 1000 / whole; /* counts stay far below 2^63 / 1000 */
  if (tenths < 1) tenths = 1;
  return (double)tenths / 10.0;
}

void report_schema_change(import_report *r, const char *name, const char *from, const char *to) {
  r->n_changes_total++;
  if (r->n_changes >= sizeof r->changes / sizeof *r->changes) return;
  schema_change *c = &r->changes[r->n_changes++];
  snprintf(c->name, sizeof c->name, "%s", name);
  snprintf(c->from, sizeof c->from, "%s", from ? from : "");
  snprintf(c->to, sizeof c->to, "%s", to ? to : "");
  utf8_sanitize(c->name);
}

/* {"added": [{name, type}], "removed": [...], "retyped": [{name, from, to}]}, or NULL when no
 * version was published before. */
/* Refused before its records were read (its fields, the privacy policy, the box): "0 read" would
 * read as an empty file. An unchanged source is not read either, and says so in its result. */
static bool stopped_before_records(const import_report *r) {
  return !r->reading && !r->n_read && (!r->status || strcmp(r->status, "rejected") == 0);
}

static json_t *changes_json(const import_report *r) {
  if (!r->has_previous) return NULL;
  json_t *added = json_array(), *removed = json_array(), *retyped = json_array();
  for (size_t i = 0; i < r->n_changes; i++) {
    const schema_change *c = &r->changes[i];
    if (!c->from[0])
      json_array_append_new(added, json_pack("{s:s, s:s}", "name", c->name, "type", c->to));
    else if (!c->to[0])
      json_array_append_new(removed, json_pack("{s:s, s:s}", "name", c->name, "type", c->from));
    else
      json_array_append_new(retyped,
                            json_pack("{s:s, s:s, s:s}", "name", c->name, "from", c->from, "to", c->to));
  }
  return json_pack("{s:o, s:o, s:o, s:I}", "added", added, "removed", removed, "retyped", retyped,
                   "count", (json_int_t)r->n_changes_total);
}

static json_t *issues_json(const import_report *r, json_t **out_list) {
  json_t *counts = json_object();
  json_t *list = json_array();
  for (int k = 0; k < ISSUE_N; k++) {
    if (!r->counts[k]) continue;
    json_object_set_new(counts, ISSUES[k].code, json_integer(r->counts[k]));
    for (size_t i = 0; i < r->n_examples[k]; i++)
      json_array_append_new(list, json_pack("{s:I, s:s, s:b, s:s}", "record",
                                            (json_int_t)r->examples[k][i].record, "code",
                                            ISSUES[k].code, "rejected", issue_rejects(k),
                                            "detail", r->examples[k][i].detail));
  }
  *out_list = list;
  return counts;
}

/* Names of codes (schema_code_name: the rule by which a CSV keeps them text) and of ids. An id
 * a source wrote as text is left as it came; a CSV's id is a number when its values are: a row
 * number has no width to keep, and filters such as id=5 compare it as one. */
static bool key_like_name(const char *name) {
  size_t n = strlen(name);
  return schema_code_name(name) || strcasecmp(name, "id") == 0 ||
         strncasecmp(name, "id_", 3) == 0 || (n > 3 && strcasecmp(name + n - 3, "_id") == 0);
}

const char *report_numeric_text(const report_field *f) {
  if (f->type != FIELD_TEXT || f->code_like || !(f->n_whole + f->n_decimal) ||
      f->n_whole + f->n_decimal + f->n_marker != f->n_filled || key_like_name(f->source_name))
    return NULL;
  return f->n_decimal ? "real" : "integer";
}

bool report_geometry_text(const report_field *f) {
  return f->type == FIELD_TEXT && f->n_geometry > 0 && f->n_geometry * 2 >= f->n_filled;
}

static json_t *fields_json(const import_report *r) {
  json_t *arr = json_array();
  for (size_t i = 0; i < r->n_fields; i++) {
    const report_field *f = &r->fields[i];
    int64_t filled = f->n_filled < r->n_imported ? f->n_filled : r->n_imported;
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:I, s:f, s:I}", "name", f->name, "source_name",
                          f->source_name, "type", field_type_name(f->type), "source_type",
                          field_type_name(f->source_type), "filled",
                          (json_int_t)filled, "filled_pct", report_pct(filled, r->n_imported),
                          "bad_values", (json_int_t)f->n_bad);
    if (f->n_damaged) {
      /* record numbers only: the values may be personal */
      json_t *recs = json_array();
      for (int64_t k = 0; k < f->n_damaged && k < REPORT_FIELD_RECORDS; k++)
        json_array_append_new(recs, json_integer(f->damaged_records[k]));
      json_object_set_new(o, "damaged_text",
                          json_pack("{s:I, s:o}", "count", (json_int_t)f->n_damaged, "records", recs));
    }
    const char *numeric = report_numeric_text(f);
    if (numeric) json_object_set_new(o, "numbers_stored_as_text", json_string(numeric));
    if (report_geometry_text(f))
      json_object_set_new(o, "geometry_as_text", json_integer((json_int_t)f->n_geometry));
    if (f->n_bad) {
      json_object_set_new(o, "bad_example", json_string(f->bad_example));
      json_object_set_new(o, "bad_record", json_integer(f->bad_record));
    }
    json_array_append_new(arr, o);
  }
  return arr;
}

char *report_to_json(const import_report *r) {
  json_t *list = NULL;
  json_t *counts = issues_json(r, &list);
  json_t *notes = json_array();
  for (size_t i = 0; i < r->n_notes; i++) json_array_append_new(notes, json_string(r->notes[i]));
  json_t *src = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "name", r->source_name, "sha256",
                          r->sha256, "driver", r->driver, "layer", r->source_layer, "crs", r->crs,
                          "encoding", r->encoding);
  if (r->csv_separator[0]) {
    json_object_set_new(src, "separator", json_string(r->csv_separator));
    json_object_set_new(src, "decimal_comma", json_boolean(r->decimal_comma));
  }
  json_t *doc = json_pack(
      "{s:s, s:s, s:s, s:I, s:o, s:{s:I, s:I, s:I, s:I, s:I, s:I}, s:o, s:o, s:{s:s, s:I}, s:o, "
      "s:o, s:s, s:f}",
      "layer", r->layer_id, "status", r->status ? r->status : "rejected", "message", r->message,
      "version",
      (json_int_t)r->version, "source", src, "counts", "read", (json_int_t)r->n_read, "imported",
      (json_int_t)r->n_imported, "rejected", (json_int_t)r->n_rejected, "repaired",
      (json_int_t)r->counts[ISSUE_REPAIRED], "swapped_fixed", (json_int_t)r->n_swapped_fixed,
      "longitude_sign_fixed", (json_int_t)r->n_lon_fixed, "issues", counts, "examples", list,
      "duplicate_ids", "field", r->id_field, "count", (json_int_t)r->n_duplicate_ids, "fields",
      fields_json(r), "notes", notes, "options_sha256", r->options_sha256, "elapsed_s",
      r->elapsed_s);
  if (!doc) return NULL;
  /* counts.read 0 of an import stopped before its records is not an empty file */
  if (stopped_before_records(r)) json_object_set_new(doc, "stopped_before_records", json_true());
  if (r->n_duplicate_ids)
    json_object_set_new(json_object_get(doc, "duplicate_ids"), "example",
                        json_string(r->duplicate_example));
  if (r->privacy_json) json_object_set_new(doc, "privacy", json_loads(r->privacy_json, 0, NULL));
  json_t *changes = changes_json(r);
  if (changes) json_object_set_new(doc, "schema_changes", changes);
  if (r->n_shifted_records) {
    json_t *recs = json_array();
    for (size_t i = 0; i < r->n_shifted_records; i++)
      json_array_append_new(recs, json_integer(r->shifted_records[i]));
    json_object_set_new(doc, "shifted_records", recs);
  }
  if (r->area_from)
    json_object_set_new(doc, "expected_area",
                        json_pack("{s:[f,f,f,f], s:s}", "bbox", r->area[0], r->area[1], r->area[2],
                                  r->area[3], "from", r->area_from));
  if (r->fields_declared[0])
    json_object_set_new(doc, "fields_declared", json_string(r->fields_declared));
  char *s = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
  json_decref(doc);
  return s;
}

/* Which area "outside the expected area" means, and the option that sets another: a publisher
 * whose city is not in Mexico (the default area) reads why every feature is outside. */
static void text_area(buf *b, const import_report *r) {
  static const struct { const char *code, *words; } FROM[] = {
      {"expect_bbox", "--expect-bbox, o expect_bbox de la definición"},
      {"area", "--area"},
      {"catalog", "el área de interés del catálogo"},
      {"default", "México, por omisión"}};
  const char *words = r->area_from;
  for (size_t i = 0; i < sizeof FROM / sizeof *FROM; i++)
    if (r->area_from && strcmp(r->area_from, FROM[i].code) == 0) words = FROM[i].words;
  buf_printf(b, "    área esperada: %g,%g,%g,%g (oeste,sur,este,norte; %s); otra: --area O,S,E,N "
             "(con --save-area queda como el área de interés del catálogo)\n",
             r->area[0], r->area[1], r->area[2], r->area[3], words ? words : "?");
}

static void text_issues(buf *b, const import_report *r, int from, int to) {
  for (int k = from; k < to; k++) {
    if (!r->counts[k]) continue;
    buf_printf(b, "  %s: %lld\n", ISSUES[k].label, (long long)r->counts[k]);
    if (k == ISSUE_OUTSIDE) text_area(b, r);
    for (size_t i = 0; i < r->n_examples[k]; i++) {
      if (r->examples[k][i].record > 0)
        buf_printf(b, "    registro %lld: %s\n", (long long)r->examples[k][i].record,
                   r->examples[k][i].detail);
      else
        buf_printf(b, "    %s\n", r->examples[k][i].detail);
    }
    if (r->counts[k] > (int64_t)r->n_examples[k])
      buf_printf(b, "    … y %lld más\n", (long long)(r->counts[k] - (int64_t)r->n_examples[k]));
  }
}

static void text_header(buf *b, const import_report *r) {
  buf_printf(b, "Informe de calidad de la capa «%s»\n", r->layer_id);
  buf_printf(b, "Archivo: %s (%s", r->source_name, r->driver[0] ? r->driver : "?");
  if (r->source_layer[0]) buf_printf(b, ", capa «%s»", r->source_layer);
  if (r->csv_separator[0])
    buf_printf(b, ", separador «%s»%s", strcmp(r->csv_separator, "\t") ? r->csv_separator : "TAB",
               r->decimal_comma ? ", coma decimal" : "");
  if (r->encoding[0]) buf_printf(b, ", codificación %s", r->encoding);
  buf_printf(b, ")\n");
  if (r->sha256[0]) buf_printf(b, "  SHA-256 %s\n", r->sha256);
  if (r->crs[0]) buf_printf(b, "  Sistema de coordenadas de origen: %s\n", r->crs);
  if (stopped_before_records(r)) /* an empty file is read, and says "0" */
    buf_printf(b, "Registros: no se leyeron; la importación se detuvo antes (véase el resultado)\n");
  else
    buf_printf(b, "Registros leídos: %lld · importados: %lld · rechazados: %lld · reparados: %lld\n",
               (long long)r->n_read, (long long)r->n_imported, (long long)r->n_rejected,
               (long long)r->counts[ISSUE_REPAIRED]);
}

/* Fields of numbers the source wrote as text (a GeoJSON with "pob": "1069"): say so and give
 * the --types that stores them as numbers, so charts and graduated styles can use them. */
static void text_numeric_fields(buf *b, const import_report *r) {
  size_t n = 0;
  for (size_t i = 0; i < r->n_fields; i++) {
    const char *t = report_numeric_text(&r->fields[i]);
    if (!t) continue;
    buf_printf(b, "%s%s=%s", n++ ? "," : "  Campos de números guardados como texto (el archivo "
               "los trae entre comillas); para guardarlos como números:\n    --types ",
               r->fields[i].source_name, t);
  }
  if (n) buf_putc(b, '\n');
}

/* Fields holding the geometry again as text: say so and give the --drop that leaves them out
 * (they made CentroGeo's cuadrantes' tiles 3.3 times as big, 164 kB against 49 kB at z10). */
static void text_geometry_fields(buf *b, const import_report *r) {
  size_t n = 0;
  for (size_t i = 0; i < r->n_fields; i++) {
    if (!report_geometry_text(&r->fields[i])) continue;
    buf_printf(b, "%s--drop %s", n++ ? " " : "  Campos con la geometría escrita otra vez como texto "
               "(GeoJSON o WKT): la repiten en cada tesela, página y descarga y el mapa no los "
               "usa; para no publicarlos:\n    ", r->fields[i].source_name);
  }
  if (n) buf_putc(b, '\n');
}

static void text_fields(buf *b, const import_report *r) {
  if (!r->n_fields || !r->n_imported) return;
  buf_printf(b, "Completitud y consistencia, por campo:\n");
  buf_printf(b, "  %-24s %-9s %8s  %s\n", "campo", "tipo", "lleno", "valores que no encajan");
  for (size_t i = 0; i < r->n_fields; i++) {
    const report_field *f = &r->fields[i];
    /* pad by characters, not bytes: "Población" is 10 bytes wide in UTF-8 */
    int chars = 0;
    for (const char *p = f->name; *p; p++) chars += ((unsigned char)*p & 0xC0) != 0x80;
    int64_t filled = f->n_filled < r->n_imported ? f->n_filled : r->n_imported;
    buf_printf(b, "  %s%*s %-9s %7.1f%%  %lld", f->name, chars < 24 ? 24 - chars : 0, "",
               field_type_name(f->type), report_pct(filled, r->n_imported), (long long)f->n_bad);
    if (f->n_bad)
      buf_printf(b, " (p. ej. «%s» en el registro %lld)", f->bad_example,
                 (long long)f->bad_record);
    if (f->n_damaged) {
      buf_printf(b, "; %lld con caracteres perdidos (registros", (long long)f->n_damaged);
      for (int64_t k = 0; k < f->n_damaged && k < REPORT_FIELD_RECORDS; k++)
        buf_printf(b, "%s %lld", k ? "," : "", (long long)f->damaged_records[k]);
      buf_puts(b, f->n_damaged > REPORT_FIELD_RECORDS ? "…)" : ")");
    }
    buf_putc(b, '\n');
  }
  text_numeric_fields(b, r);
  text_geometry_fields(b, r);
}

static void text_changes(buf *b, const import_report *r) {
  if (!r->n_changes) return;
  buf_printf(b, "Cambios de campos respecto de la versión publicada: %lld\n",
             (long long)r->n_changes_total);
  for (size_t i = 0; i < r->n_changes; i++) {
    const schema_change *c = &r->changes[i];
    if (!c->from[0]) buf_printf(b, "  nuevo: %s (%s)\n", c->name, c->to);
    else if (!c->to[0]) buf_printf(b, "  quitado: %s (%s)\n", c->name, c->from);
    else buf_printf(b, "  cambió de tipo: %s (%s → %s)\n", c->name, c->from, c->to);
  }
}

char *report_to_text(const import_report *r) {
  buf b;
  buf_init(&b, 0);
  text_header(&b, r);
  text_changes(&b, r);
  bool integrity = r->n_rejected || r->n_duplicate_ids;
  if (integrity) {
    buf_printf(&b, "Integridad:\n");
    text_issues(&b, r, 0, ISSUE_N_REJECT);
    if (r->n_duplicate_ids)
      buf_printf(&b, "  identificadores repetidos en «%s»: %lld (p. ej. «%s»)\n", r->id_field,
                 (long long)r->n_duplicate_ids, r->duplicate_example);
  }
  bool accuracy = false;
  for (int k = ISSUE_REPAIRED; k < ISSUE_BAD_VALUE; k++) accuracy |= r->counts[k] > 0;
  if (accuracy) {
    buf_printf(&b, "Exactitud:\n");
    text_issues(&b, r, ISSUE_REPAIRED, ISSUE_BAD_VALUE);
    if (r->n_swapped_fixed || r->n_lon_fixed)
      buf_printf(&b, "  corregidos con --fix-swapped: %lld invertidos, %lld sin signo\n",
                 (long long)r->n_swapped_fixed, (long long)r->n_lon_fixed);
  }
  text_fields(&b, r);
  text_issues(&b, r, ISSUE_BAD_VALUE, ISSUE_N);
  if (r->privacy_text) buf_puts(&b, r->privacy_text);
  for (size_t i = 0; i < r->n_notes; i++)
    buf_printf(&b, "%s %s\n", i ? "     " : "Notas:", r->notes[i]);
  if (r->status && strcmp(r->status, "published") == 0)
    buf_printf(&b, "Resultado: publicada la versión %lld%s.\n", (long long)r->version,
               r->n_rejected || accuracy ? " con advertencias" : "");
  else if (r->status && strcmp(r->status, "unchanged") == 0)
    buf_printf(&b, "Resultado: sin cambios (%s).\n", r->message);
  else
    buf_printf(&b, "Resultado: RECHAZADA, la capa publicada no cambió: %s\n", r->message);
  if (b.failed) {
    buf_free(&b);
    return NULL;
  }
  buf_cstr(&b);
  return (char *)buf_steal(&b, NULL);
}

/* GDAL's messages quote what they read, a value of any field included (a dropped one too): the
 * notes keep how many warnings GDAL gave, never their text. */
void report_scrub_gdal(import_report *r) {
  static const char PREFIX[] = "GDAL dio ";
  for (size_t i = 0; i < r->n_notes; i++) {
    char *note = r->notes[i];
    if (strncmp(note, PREFIX, sizeof PREFIX - 1) != 0) continue;
    char *cut = strstr(note, " avisos");
    if (cut) cut[sizeof " avisos" - 1] = '\0';
  }
}

void report_scrub(import_report *r) {
  static const char HIDDEN[] = "(detalle omitido: la capa tiene una política de privacidad)";
  report_scrub_gdal(r);
  for (int k = 0; k < ISSUE_N; k++)
    for (size_t i = 0; i < r->n_examples[k]; i++)
      snprintf(r->examples[k][i].detail, sizeof r->examples[k][i].detail, "%s", HIDDEN);
  for (size_t i = 0; i < r->n_fields; i++)
    if (r->fields[i].n_bad) snprintf(r->fields[i].bad_example, sizeof r->fields[i].bad_example, "…");
  if (r->n_duplicate_ids) snprintf(r->duplicate_example, sizeof r->duplicate_example, "…");
}
