/* err.c — filling and naming errors. Messages are truncated, never overflowed. */
#include "core/err.h"

#include <stdio.h>

err_code err_setv(err *e, err_code code, const char *fmt, va_list ap) {
  if (e) {
    e->code = code;
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
  }
  return code;
}

err_code err_set(err *e, err_code code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  err_setv(e, code, fmt, ap);
  va_end(ap);
  return code;
}

void err_clear(err *e) {
  if (e) {
    e->code = ERR_OK;
    e->msg[0] = '\0';
  }
}

const char *err_code_name(err_code code) {
  switch (code) {
    case ERR_OK: return "ok";
    case ERR_NOMEM: return "out_of_memory";
    case ERR_INVALID: return "invalid_parameter";
    case ERR_NOT_FOUND: return "not_found";
    case ERR_LIMIT: return "limit_exceeded";
    case ERR_IO: return "io_error";
    case ERR_DB: return "database_error";
    case ERR_GEOS: return "geometry_error";
    case ERR_INTERNAL: return "internal_error";
    case ERR_UNAVAILABLE: return "unavailable";
  }
  return "internal_error";
}
