/* audit_line.h — the audit line of a write, written before the write takes effect.
 *
 * A write the API makes (an upload taken, a rollback, a removal, a review's decision, a sign-in)
 * happens only once its line is in the audit log: the line is written inside the write's
 * transaction, before its COMMIT (store_gate), or before the job is let run; a line that cannot
 * be written (a full disk, a log that cannot be opened) refuses the write with 503 JSON naming
 * the reason, and nothing changed. Refusals are written as before: a refusal changes nothing,
 * so one whose line fails is still refused (with a warning on stderr). */
#ifndef TESELAS_HTTP_AUDIT_LINE_H
#define TESELAS_HTTP_AUDIT_LINE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "http/http.h"
#include "store/store.h"

typedef struct http_audit_line {
  const char *db_path;
  const char *who, *action, *target, *result;
  const char *detail;   /* "" when none; ignored when rollback_of > 0 */
  int64_t rollback_of;  /* > 0: the detail is "version V from rollback_of", V the new version */
  bool written;         /* set once the line is in the log */
  bool failed;          /* set when the line could not be written (the write was refused) */
} http_audit_line;

/* The gate that writes l's line (l outlives the write). */
store_gate http_audit_gate(http_audit_line *l);
/* Writes the line now (a write that is no store transaction: a job let run); ERR_OK and
 * l->written, or the log's error in e. */
err_code http_audit_write(http_audit_line *l, err *e);
/* 503 JSON (with Retry-After): the write was refused because its line could not be written. */
void http_audit_refuse(http_response *resp, const err *e);

#endif
