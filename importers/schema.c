/* schema.c — the fields a layer publishes and the value of each for every feature.
 *
 * Types come from the source (OGR's field types), from a declaration (--types, a layers/ file)
 * or, for CSV where everything is text, from the first rows. A value that does not fit its
 * field's type is stored as null and counted for the report, so one bad cell never rejects a
 * row. Text that is not valid UTF-8 (a DBF or KML that lied about its encoding) is read as
 * Windows-1252 and counted. */
#include <cpl_conv.h>
#include <cpl_string.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "importers/schema_int.h"

enum { SCHEMA_SAMPLE_ROWS = 1000 };

/* LIBKML adds these to every layer; they describe styling, not the data. */
static bool libkml_style_field(const char *name) {
  static const char *const NAMES[] = {"timestamp", "begin",      "end",       "altitudeMode",
                                      "tessellate", "extrude",   "visibility", "drawOrder",
                                      "icon",       NULL};
  for (const char *const *p = NAMES; *p; p++)
    if (strcmp(name, *p) == 0) return true;
  return false;
}

/* GPX gives every waypoint twenty-odd receiver fields (hdop, magvar, links...) that municipal
 * data never fills; the ones a person reads are kept. */
static bool gpx_receiver_field(const char *name) {
  static const char *const KEEP[] = {"name", "desc", "cmt", "ele", "time", "type", "sym", NULL};
  for (const char *const *p = KEEP; *p; p++)
    if (strcmp(name, *p) == 0) return false;
  return true;
}

static field_type ogr_natural_type(OGRFieldType t, OGRFieldSubType sub) {
  switch (t) {
    case OFTInteger: return sub == OFSTBoolean ? FIELD_BOOLEAN : FIELD_INTEGER;
    case OFTInteger64: return FIELD_INTEGER;
    case OFTReal: return FIELD_REAL;
    case OFTDate: return FIELD_DATE;
    case OFTDateTime: return FIELD_DATETIME;
    default: return FIELD_TEXT;
  }
}

typedef struct candidate {
  const char *name;  /* borrowed from the OGR definition; NULL: the folder */
  OGRFieldType type;
  OGRFieldSubType sub;
} candidate;

static bool is_csv_geometry_column(const import_source *src, int idx) {
  return src->csv.is_csv &&
         (idx == src->csv.lat_idx || idx == src->csv.lon_idx || idx == src->csv.wkt_idx);
}

/* Every field of every layer read, first-seen order, without duplicates. */
static candidate *collect(import_source *src, size_t *out_n) {
  size_t cap = 8, n = 0;
  candidate *c = malloc(cap * sizeof *c);
  for (size_t l = 0; c && l < src->n_layers; l++) {
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(src->layers[l]);
    for (int i = 0; c && i < OGR_FD_GetFieldCount(defn); i++) {
      OGRFieldDefnH fd = OGR_FD_GetFieldDefn(defn, i);
      const char *name = OGR_Fld_GetNameRef(fd);
      if ((strcmp(src->driver, "LIBKML") == 0 && libkml_style_field(name)) ||
          (strcmp(src->driver, "GPX") == 0 && gpx_receiver_field(name)) ||
          (l == 0 && is_csv_geometry_column(src, i)))
        continue;
      bool seen = false;
      for (size_t k = 0; k < n && !seen; k++) seen = c[k].name && strcmp(c[k].name, name) == 0;
      if (seen) continue;
      if (n + 2 > cap) {
        candidate *grown = realloc(c, (cap *= 2) * sizeof *c);
        if (!grown) free(c);
        c = grown;
        if (!c) break;
      }
      c[n++] = (candidate){name, OGR_Fld_GetType(fd), OGR_Fld_GetSubType(fd)};
    }
  }
  if (c && src->folder_field) c[n++] = (candidate){NULL, OFTString, OFSTNone};
  *out_n = n;
  return c;
}

/* --drop: the field gets no column and its values are never read. */
static bool is_dropped(const import_options *opt, const char *name) {
  for (size_t i = 0; i < opt->n_drop; i++)
    if (strcasecmp(opt->drop[i], name ? name : "carpeta") == 0) return true;
  return false;
}

static const import_field_spec *find_spec(const import_options *opt, const char *name) {
  for (size_t i = 0; name && i < opt->n_specs; i++)
    if (strcasecmp(opt->specs[i].name, name) == 0) return &opt->specs[i];
  return NULL;
}

static const candidate *find_candidate(const candidate *c, size_t n, const char *name) {
  for (size_t i = 0; i < n; i++)
    if (c[i].name && strcmp(c[i].name, name) == 0) return &c[i];
  for (size_t i = 0; i < n; i++)
    if (c[i].name && strcasecmp(c[i].name, name) == 0) return &c[i];
  if (strcasecmp(name, "carpeta") == 0)
    for (size_t i = 0; i < n; i++)
      if (!c[i].name) return &c[i];
  return NULL;
}

/* Names the store gives columns of its own (the feature id, the geometry and its levels of
 * detail) and the teselas_ prefix of its row number, side tables and query aliases: a field may
 * not take them (CREATE TABLE would fail, or a tile's query would find two columns of the name). */
static bool reserved(const char *name) {
  static const char *const OWN[] = {"fid", "geom", "geom_z10", "geom_z8", "geom_z6"};
  for (size_t i = 0; i < sizeof OWN / sizeof *OWN; i++)
    if (strcasecmp(name, OWN[i]) == 0) return true;
  return strncasecmp(name, "teselas_", 8) == 0;
}

/* A published name that is free (case-insensitively: SQLite's rule) and not reserved. */
static char *unique_name(const layer_field *done, size_t n_done, const char *want) {
  char base[160], name[180];
  snprintf(base, sizeof base, "%s%s", want && strncasecmp(want, "teselas_", 8) == 0 ? "campo_" : "",
           want && *want ? want : "campo");
  snprintf(name, sizeof name, "%s", base);
  for (int k = 2;; k++) {
    bool taken = reserved(name);
    for (size_t i = 0; i < n_done && !taken; i++) taken = strcasecmp(done[i].name, name) == 0;
    if (!taken) return strdup(name);
    snprintf(name, sizeof name, "%s_%d", base, k);
  }
}

/* Adds one published field for candidate c (spec may rename, label and type it). */
static err_code add_field(import_schema *s, const candidate *c, const import_field_spec *spec,
                          import_report *rep, err *e) {
  size_t i = s->n++;  /* counted at once so schema_free releases a half-made field */
  const char *want = spec && spec->rename_to ? spec->rename_to : c->name ? c->name : "carpeta";
  layer_field *f = &s->fields[i];
  schema_field *sf = &s->src[i];
  f->name = unique_name(s->fields, i, want);
  if (f->name && strcmp(f->name, want) != 0)
    report_note(rep, "el campo '%s' se publica como '%s' (nombre reservado o repetido)", want,
                f->name);
  f->label = strdup(spec && spec->label ? spec->label : f->name ? f->name : "");
  sf->src_name = c->name ? strdup(c->name) : NULL;
  if (!f->name || !f->label || (c->name && !sf->src_name))
    return err_set(e, ERR_NOMEM, "sin memoria");
  sf->src_type = c->type;
  sf->src_subtype = c->sub;
  sf->src_idx = -1;
  buf_init(&sf->scratch, 0);
  f->type = sf->natural = ogr_natural_type(c->type, c->sub);
  if (spec && spec->has_type && spec->type != f->type) {
    f->type = spec->type;
    sf->convert = true;
    sf->decimal_comma = true;  /* a declared number accepts "21,5" as well as "21.5" */
  }
  return ERR_OK;
}

/* CSV columns are all text to GDAL: their types come from the first rows and the column's name
 * (a code stays text, as a GeoJSON that quotes it keeps it). A declared type (--types) wins. */
static void infer_csv_types(import_schema *s, import_source *src, const import_options *opt) {
  OGRLayerH layer = src->layers[0];
  char **samples = calloc((size_t)SCHEMA_SAMPLE_ROWS * s->n, sizeof *samples);
  if (!samples) return;
  schema_bind_layer(s, OGR_L_GetLayerDefn(layer));
  size_t rows = 0;
  OGRFeatureH f;
  while (rows < SCHEMA_SAMPLE_ROWS && (f = OGR_L_GetNextFeature(layer)) != NULL) {
    for (size_t i = 0; i < s->n; i++)
      if (s->src[i].src_idx >= 0 && OGR_F_IsFieldSetAndNotNull(f, s->src[i].src_idx))
        samples[rows * s->n + i] = strdup(OGR_F_GetFieldAsString(f, s->src[i].src_idx));
    OGR_F_Destroy(f);
    rows++;
  }
  OGR_L_ResetReading(layer);
  const char **column = malloc(SCHEMA_SAMPLE_ROWS * sizeof *column);
  for (size_t i = 0; column && i < s->n; i++) {
    for (size_t r = 0; r < rows; r++) column[r] = samples[r * s->n + i];
    bool comma = false;
    s->src[i].natural = schema_infer_type(s->src[i].src_name, column, rows, &comma);
    const import_field_spec *spec = find_spec(opt, s->src[i].src_name);
    if (spec && spec->has_type) continue;
    s->fields[i].type = s->src[i].natural;
    s->src[i].convert = s->fields[i].type != FIELD_TEXT;
    s->src[i].decimal_comma = comma;
  }
  free(column);
  for (size_t k = 0; k < rows * s->n; k++) free(samples[k]);
  free(samples);
}

static int detect_id(const import_schema *s, const import_options *opt) {
  static const char *const IDS[] = {"id", "fid", "gid", "objectid", "ogcfid", "cvegeo", "folio",
                                    "clave", NULL};
  for (const char *const *want = IDS; *want; want++)
    for (size_t i = 0; i < s->n; i++) {
      char norm[128];
      csv_header_normalize(s->fields[i].name, norm, sizeof norm);
      if (strcmp(norm, *want) == 0) return (int)i;
    }
  return -1;
}

err_code schema_build(const import_options *opt, import_source *src, import_schema *out,
                      import_report *rep, err *e) {
  memset(out, 0, sizeof *out);
  out->id_idx = -1;
  size_t n_cand = 0;
  candidate *cand = collect(src, &n_cand);
  size_t cap = (opt->only_spec_fields ? opt->n_specs : n_cand) + 1;
  out->fields = calloc(cap, sizeof *out->fields);
  out->src = calloc(cap, sizeof *out->src);
  out->values = calloc(cap, sizeof *out->values);
  err_code rc = ERR_OK;
  if (!cand || !out->fields || !out->src || !out->values) {
    rc = err_set(e, ERR_NOMEM, "sin memoria");
    goto done;
  }
  for (size_t i = 0; i < opt->n_drop && rc == ERR_OK; i++)
    if (!find_candidate(cand, n_cand, opt->drop[i]))
      rc = err_set(e, ERR_INVALID, "--drop: el archivo no tiene el campo '%s'", opt->drop[i]);
  if (rc != ERR_OK) goto done;
  if (opt->only_spec_fields) {
    for (size_t i = 0; i < opt->n_specs && rc == ERR_OK; i++) {
      const candidate *c = find_candidate(cand, n_cand, opt->specs[i].name);
      if (c && is_dropped(opt, c->name)) continue;
      rc = c ? add_field(out, c, &opt->specs[i], rep, e)
             : err_set(e, ERR_INVALID, "el archivo no tiene el campo '%s'", opt->specs[i].name);
    }
  } else {
    for (size_t i = 0; i < opt->n_specs && rc == ERR_OK; i++)
      if (!find_candidate(cand, n_cand, opt->specs[i].name))
        rc = err_set(e, ERR_INVALID, "el archivo no tiene el campo '%s'", opt->specs[i].name);
    for (size_t i = 0; i < n_cand && rc == ERR_OK; i++)
      if (!is_dropped(opt, cand[i].name))
        rc = add_field(out, &cand[i], find_spec(opt, cand[i].name), rep, e);
  }
  if (rc != ERR_OK) goto done;
  if (src->csv.is_csv) infer_csv_types(out, src, opt);
  if (opt->id_field) {
    for (size_t i = 0; i < out->n && out->id_idx < 0; i++)
      if (strcasecmp(out->fields[i].name, opt->id_field) == 0 ||
          (out->src[i].src_name && strcasecmp(out->src[i].src_name, opt->id_field) == 0))
        out->id_idx = (int)i;
    if (out->id_idx < 0)
      rc = err_set(e, ERR_INVALID, "--id-field: no existe el campo '%s'", opt->id_field);
  } else {
    out->id_idx = detect_id(out, opt);
  }
  rep->fields = calloc(out->n + 1, sizeof *rep->fields);
  for (size_t i = 0; rc == ERR_OK && rep->fields && i < out->n; i++) {
    rep->fields[i].name = strdup(out->fields[i].name);
    rep->fields[i].source_name = strdup(out->src[i].src_name ? out->src[i].src_name : "(carpeta)");
    rep->fields[i].type = out->fields[i].type;
    rep->fields[i].source_type = out->src[i].natural;
    rep->n_fields++;
  }
  if (rc == ERR_OK && !rep->fields) rc = err_set(e, ERR_NOMEM, "sin memoria");
done:
  free(cand);
  return rc;
}

void schema_bind_layer(import_schema *s, OGRFeatureDefnH defn) {
  for (size_t i = 0; i < s->n; i++)
    s->src[i].src_idx = s->src[i].src_name ? OGR_FD_GetFieldIndex(defn, s->src[i].src_name) : -1;
}

void schema_free(import_schema *s) {
  for (size_t i = 0; i < s->n; i++) {
    free(s->fields[i].name);
    free(s->fields[i].label);
    free(s->src[i].src_name);
    buf_free(&s->src[i].scratch);
  }
  free(s->fields);
  free(s->src);
  free(s->values);
  memset(s, 0, sizeof *s);
}

/* Text as UTF-8: valid text is borrowed, anything else is read as Windows-1252 into scratch. */
static const char *utf8_text(const char *s, buf *scratch, import_report *rep) {
  if (utf8_valid(s, strlen(s), NULL)) return s;
  char *fixed = CPLRecode(s, "CP1252", CPL_ENC_UTF8);
  buf_reset(scratch);
  buf_puts(scratch, fixed ? fixed : "");
  CPLFree(fixed);
  if (rep->n_recoded++ == 0)
    report_note(rep, "hay textos que no son UTF-8 válido: se leyeron como Windows-1252");
  return buf_cstr(scratch);
}

static void date_value(OGRFeatureH f, int idx, bool with_time, buf *scratch, value *v) {
  int y, m, d, h, mi, tz;
  float sec;
  if (!OGR_F_GetFieldAsDateTimeEx(f, idx, &y, &m, &d, &h, &mi, &sec, &tz)) return;
  buf_reset(scratch);
  if (!with_time) {
    buf_printf(scratch, "%04d-%02d-%02d", y, m, d);
  } else {
    buf_printf(scratch, "%04d-%02d-%02dT%02d:%02d:%02d", y, m, d, h, mi, (int)sec);
    if (tz == 100) buf_putc(scratch, 'Z');
    else if (tz > 1) {
      int off = (tz - 100) * 15;
      buf_printf(scratch, "%c%02d:%02d", off < 0 ? '-' : '+', abs(off) / 60, abs(off) % 60);
    }
  }
  if (!scratch->failed)
    *v = (value){.kind = VALUE_TEXT, .s = (const char *)scratch->data, .len = scratch->len};
}

/* One value; returns false when the source value does not fit the field's type. */
static bool one_value(schema_field *sf, field_type type, OGRFeatureH f, import_report *rep,
                      value *v) {
  int idx = sf->src_idx;
  *v = (value){.kind = VALUE_NULL};
  if (idx < 0 || !OGR_F_IsFieldSetAndNotNull(f, idx)) return true;
  if (!sf->convert) {
    switch (sf->src_type) {
      case OFTInteger:
      case OFTInteger64:
        *v = (value){.kind = sf->src_subtype == OFSTBoolean ? VALUE_BOOL : VALUE_INT,
                     .i = OGR_F_GetFieldAsInteger64(f, idx)};
        return true;
      case OFTReal:
        *v = (value){.kind = VALUE_REAL, .d = OGR_F_GetFieldAsDouble(f, idx)};
        return true;
      case OFTDate:
      case OFTDateTime:
        date_value(f, idx, sf->src_type == OFTDateTime, &sf->scratch, v);
        return true;
      default: break;
    }
  }
  const char *s = utf8_text(OGR_F_GetFieldAsString(f, idx), &sf->scratch, rep);
  if (!*s) return true;  /* an empty cell is no value */
  if (!sf->convert) {
    *v = (value){.kind = VALUE_TEXT, .s = s, .len = strlen(s)};
    return true;
  }
  if (s == (const char *)sf->scratch.data) {
    /* convert writes into scratch: keep the recoded text apart first */
    char tmp[256];
    snprintf(tmp, sizeof tmp, "%s", s);
    if (schema_convert_text(tmp, type, sf->decimal_comma, &sf->scratch, v)) return true;
    *v = (value){.kind = VALUE_NULL};
    return schema_null_marker(tmp);
  }
  if (schema_convert_text(s, type, sf->decimal_comma, &sf->scratch, v)) return true;
  *v = (value){.kind = VALUE_NULL};
  return schema_null_marker(s);  /* checked only on failure: most cells convert */
}

/* Counts a text value that reads as a whole or a decimal number ("-12", "21.1219719") or as
 * no value ("-"), and marks the field a code when a number has a leading zero. */
static void count_number_shape(report_field *rf, const char *v, size_t len) {
  size_t i = len && v[0] == '-', digits = 0, dots = 0, first = i;
  for (; i < len && ((v[i] >= '0' && v[i] <= '9') || (v[i] == '.' && !dots++)); i++)
    digits += v[i] != '.';
  if (i < len || !digits || v[len - 1] == '.') {
    char tmp[16];
    if (len < sizeof tmp) {
      memcpy(tmp, v, len);
      tmp[len] = '\0';
      rf->n_marker += schema_null_marker(tmp);
    }
    return;
  }
  if (v[first] == '0' && first + 1 < len && v[first + 1] != '.') rf->code_like = true;
  if (digits > 15 && !dots) rf->code_like = true; /* beyond a double's exact integers: an id */
  if (dots) rf->n_decimal++;
  else rf->n_whole++;
}

/* A geometry written as text: a GeoJSON geometry object ({"type": "Polygon", "coordinates":
 * ...}: CentroGeo's cuadrantes carry one per row in `geo_shp`) or WKT ("MULTIPOLYGON (((...").
 * Judged from the first bytes and the GeoJSON member name alone: cheap on every value. */
static bool geometry_shape(const char *v, size_t len) {
  static const char *const WKT[] = {"POINT", "LINESTRING", "POLYGON", "MULTIPOINT",
                                    "MULTILINESTRING", "MULTIPOLYGON", "GEOMETRYCOLLECTION"};
  size_t i = 0;
  while (i < len && (v[i] == ' ' || v[i] == '\t' || v[i] == '\n' || v[i] == '\r')) i++;
  if (i < len && v[i] == '{') {
    size_t head = len - i < 256 ? len - i : 256;
    return memmem(v + i, head, "\"type\"", 6) && memmem(v + i, len - i, "\"coordinates\"", 13);
  }
  for (size_t k = 0; k < sizeof WKT / sizeof *WKT; k++) {
    size_t n = strlen(WKT[k]);
    if (len - i > n && strncasecmp(v + i, WKT[k], n) == 0) {
      size_t j = i + n;
      while (j < len && (v[j] == ' ' || v[j] == 'Z' || v[j] == 'M' || v[j] == 'z' || v[j] == 'm')) j++;
      return (j < len && v[j] == '(') || (len - j >= 5 && strncasecmp(v + j, "EMPTY", 5) == 0);
    }
  }
  return false;
}

void schema_count_published(const import_schema *s, import_report *rep) {
  for (size_t i = 0; i < s->n && i < rep->n_fields; i++) {
    const value *v = &s->values[i];
    if (v->kind == VALUE_NULL) continue;
    rep->fields[i].n_filled++;
    if (v->kind != VALUE_TEXT || s->fields[i].type != FIELD_TEXT) continue;
    if (!rep->fields[i].code_like) count_number_shape(&rep->fields[i], v->s, v->len);
    rep->fields[i].n_geometry += geometry_shape(v->s, v->len);
  }
}

static bool contains(const char *s, size_t len, const char *needle) {
  size_t n = strlen(needle);
  for (size_t i = 0; i + n <= len; i++)
    if (memcmp(s + i, needle, n) == 0) return true;
  return false;
}

static bool is_alnum_at(const unsigned char *p, const unsigned char *start, const unsigned char *end) {
  if (p < start || p >= end) return false;
  return (*p >= '0' && *p <= '9') || ((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z') || *p >= 0x80;
}

/* Characters lost in an earlier conversion: U+FFFD, or a '?' standing for a letter or a dash.
 * Spanish opens every question with '¿', so in a text without one every '?' is damage ("CH?1",
 * "MEXICO ? TACUBA", "Jos? Luis"); in a text with one, only a '?' inside a word is. Addresses
 * with a query string ("://") are left alone. On SACMEX's wells this finds exactly the values its
 * SOURCE.md lists (210 NUMERO, 70 NOMBRE) and the 14 CALLE and 2 COLONIA values with a '?'. */
bool schema_text_damaged(const char *text, size_t len) {
  const unsigned char *s = (const unsigned char *)text, *end = s + len;
  if (contains(text, len, "\xEF\xBF\xBD")) return true;
  if (!memchr(text, '?', len) || contains(text, len, "://")) return false;
  if (!contains(text, len, "\xC2\xBF")) return true;
  for (const unsigned char *p = s; p < end; p++)
    if (*p == '?' && is_alnum_at(p - 1, s, end) && is_alnum_at(p + 1, s, end)) return true;
  return false;
}

void schema_values(import_schema *s, OGRFeatureH f, const char *folder, int64_t record,
                   import_report *rep) {
  for (size_t i = 0; i < s->n; i++) {
    schema_field *sf = &s->src[i];
    value *v = &s->values[i];
    bool ok = true;
    if (!sf->src_name) *v = (value){.kind = VALUE_TEXT, .s = folder, .len = strlen(folder)};
    else ok = one_value(sf, s->fields[i].type, f, rep, v);
    report_field *rf = &rep->fields[i];
    if (v->kind == VALUE_TEXT && s->fields[i].type == FIELD_TEXT && schema_text_damaged(v->s, v->len)) {
      if (rf->n_damaged < REPORT_FIELD_RECORDS) rf->damaged_records[rf->n_damaged] = record;
      rf->n_damaged++;
      /* the field's name only: its values may be personal */
      report_issue(rep, ISSUE_TEXT_DAMAGE, record, "campo '%s'", rf->name);
    }
    if (ok) continue;
    if (rf->n_bad++ == 0) {
      snprintf(rf->bad_example, sizeof rf->bad_example, "%s", OGR_F_GetFieldAsString(f, sf->src_idx));
      utf8_sanitize(rf->bad_example);
      rf->bad_record = record;
    }
    report_issue(rep, ISSUE_BAD_VALUE, record, "campo '%s': '%s' no es %s", rf->name,
                 OGR_F_GetFieldAsString(f, sf->src_idx), field_type_name(s->fields[i].type));
  }
}
