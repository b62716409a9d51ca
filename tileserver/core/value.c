/* value.c — names of field types, used in the catalog's JSON and in API schemas. */
#include "core/value.h"

#include <string.h>

static const char *const FIELD_TYPE_NAMES[] = {"integer", "real", "text", "date", "datetime",
                                               "boolean"};

const char *field_type_name(field_type t) {
  if ((unsigned)t >= sizeof FIELD_TYPE_NAMES / sizeof *FIELD_TYPE_NAMES) return "text";
  return FIELD_TYPE_NAMES[t];
}

bool field_type_parse(const char *name, field_type *out) {
  for (unsigned i = 0; i < sizeof FIELD_TYPE_NAMES / sizeof *FIELD_TYPE_NAMES; i++) {
    if (strcmp(name, FIELD_TYPE_NAMES[i]) == 0) {
      *out = (field_type)i;
      return true;
    }
  }
  return false;
}
