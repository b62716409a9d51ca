/* schema_int.h — the published fields of a layer and the conversion of values into them (schema.c),
 * and the comparison with the layer's previous version (schema_diff.c). Private to importers/. */
#ifndef TESELAS_IMPORTERS_SCHEMA_INT_H
#define TESELAS_IMPORTERS_SCHEMA_INT_H

#include "importers/source_int.h"

typedef struct schema_field {
  char *src_name;        /* the field's name in the source; NULL: the KML folder name */
  int src_idx;           /* its index in the current layer's definition; -1: absent */
  OGRFieldType src_type;
  OGRFieldSubType src_subtype;
  field_type natural;    /* the type the source gives it (CSV: inferred from the first rows) */
  bool convert;          /* convert text to `type` */
  bool decimal_comma;
  buf scratch;           /* holds the converted text value of the current feature */
} schema_field;

typedef struct import_schema {
  layer_field *fields;   /* what the store publishes (names and labels owned here) */
  schema_field *src;     /* how to get each one from a feature */
  size_t n;
  value *values;         /* one per field, refilled for each feature */
  int id_idx;            /* index in fields of the id checked for duplicates, -1 none */
} import_schema;

err_code schema_build(const import_options *opt, import_source *src, import_schema *out,
                      import_report *rep, err *e);
/* Looks up each field's index in the definition of the layer about to be read. */
void schema_bind_layer(import_schema *s, OGRFeatureDefnH defn);
/* Fills s->values from feature f (record numbers the report). */
void schema_values(import_schema *s, OGRFeatureH f, const char *folder, int64_t record,
                   import_report *rep);
/* True when text shows characters lost in an earlier conversion ('?' standing for a letter,
 * U+FFFD). */
bool schema_text_damaged(const char *text, size_t len);
/* Counts the filled fields of the values just written (fill rates are over published records). */
void schema_count_published(const import_schema *s, import_report *rep);
/* Compares the schema with the published version's (its report) and with what the options
 * expect (--expect-schema, a layer definition's typed fields): every change goes to the report;
 * ERR_INVALID naming each unexpected change. */
err_code schema_compare(const import_options *opt, const import_schema *s, import_report *rep,
                        err *e);
void schema_free(import_schema *s);
/* Text to a typed value; false when it does not fit. The result may point into scratch. */
bool schema_convert_text(const char *s, field_type t, bool decimal_comma, buf *scratch,
                         value *out);
/* "-", "NA", "N/D", "S/D", "null", "sin dato"...: how publishers write "no value" in a column
 * that is otherwise numeric or a date. Stored as null, not counted as a bad value. */
bool schema_null_marker(const char *s);
/* True when a field's name is a code's (cve_*, clave, cod_post, cp, otros_cp...): its digits
 * are text. The one rule for CSV inference and for the report's numbers-as-text advice. */
bool schema_code_name(const char *name);
/* Guesses the type of a CSV column from sample values (NULL entries are empty); a column whose
 * name is a code's (schema_code_name; NULL: no name) is text where its values read as numbers. */
field_type schema_infer_type(const char *name, const char *const *samples, size_t n,
                             bool *out_decimal_comma);

#endif
