/* value.h — a typed attribute value, the currency between store, importers and encoders.
 * A value never owns its string: the producer (a SQLite row, an arena) keeps it alive. */
#ifndef TESELAS_CORE_VALUE_H
#define TESELAS_CORE_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum value_kind {
  VALUE_NULL = 0,
  VALUE_INT,
  VALUE_REAL,
  VALUE_TEXT,
  VALUE_BOOL
} value_kind;

typedef struct value {
  value_kind kind;
  int64_t i;       /* VALUE_INT, VALUE_BOOL (0/1) */
  double d;        /* VALUE_REAL */
  const char *s;   /* VALUE_TEXT: not necessarily NUL-terminated; len bytes */
  size_t len;
} value;

/* The attribute types a layer field can have (issue: integer, real, text, date, datetime, boolean).
 * Dates are stored as ISO 8601 text; booleans as 0/1 integers. */
typedef enum field_type {
  FIELD_INTEGER = 0,
  FIELD_REAL,
  FIELD_TEXT,
  FIELD_DATE,
  FIELD_DATETIME,
  FIELD_BOOLEAN
} field_type;

const char *field_type_name(field_type t);
/* Parses the names above; false when unknown. */
bool field_type_parse(const char *name, field_type *out);

#endif
