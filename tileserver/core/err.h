/* err.h — the one error type of teselas.
 *
 * Errors are classified by kind, not by subsystem (STYLE.md). A fallible function returns an
 * err_code and, when given a non-NULL `err *`, fills it with a bounded, human-readable message.
 * Messages from SQLite, GEOS, GDAL and PROJ are copied in by the call that produced them.
 * The mapping from kind to HTTP status lives in http/ (one place). */
#ifndef TESELAS_CORE_ERR_H
#define TESELAS_CORE_ERR_H

#include <stdarg.h>

typedef enum err_code {
  ERR_OK = 0,
  ERR_NOMEM,      /* an allocation failed */
  ERR_INVALID,    /* bad input: a request parameter, a file, a flag */
  ERR_NOT_FOUND,  /* unknown layer, feature, style, route */
  ERR_LIMIT,      /* a configured bound was reached (bytes, features, time) */
  ERR_IO,         /* a file or socket could not be read or written */
  ERR_DB,         /* SQLite / SpatiaLite said no */
  ERR_GEOS,       /* GEOS could not process a geometry */
  ERR_INTERNAL,   /* a bug: should not happen */
  ERR_UNAVAILABLE /* the data cannot be read now: a damaged table, a lock held past the wait */
} err_code;

enum { ERR_MSG_MAX = 512 };

typedef struct err {
  err_code code;
  char msg[ERR_MSG_MAX];
} err;

/* Sets *e (when e is not NULL) and returns code, so callers can `return err_set(...)`. */
err_code err_set(err *e, err_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
err_code err_setv(err *e, err_code code, const char *fmt, va_list ap);

/* Clears *e to ERR_OK with an empty message. */
void err_clear(err *e);

/* A stable lower-case name for the kind ("invalid", "not_found", ...): the `code` of JSON errors. */
const char *err_code_name(err_code code);

#endif
