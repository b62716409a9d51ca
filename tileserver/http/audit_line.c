/* audit_line.c — a write's audit line as a store_gate, and the refusal when it cannot be
 * written (see audit_line.h). */
#include <stdio.h>

#include "auth/auth.h"
#include "http/audit_line.h"

static err_code gate_fn(void *ctx, int64_t version, err *e) {
  http_audit_line *l = ctx;
  char detail[64] = "";
  if (l->rollback_of > 0)
    snprintf(detail, sizeof detail, "version %lld from %lld", (long long)version,
             (long long)l->rollback_of);
  err_code rc = auth_audit(l->db_path, l->who, l->action, l->target, l->result,
                           l->rollback_of > 0 ? detail : l->detail, e);
  l->written = rc == ERR_OK;
  l->failed = rc != ERR_OK;
  return rc;
}

store_gate http_audit_gate(http_audit_line *l) { return (store_gate){gate_fn, l, 0}; }

err_code http_audit_write(http_audit_line *l, err *e) { return gate_fn(l, 0, e); }

void http_audit_refuse(http_response *resp, const err *e) {
  http_refuse(resp, HTTP_REFUSE_BUSY, "the audit log cannot be written (%s): nothing was done; "
              "try again later", e->msg);
}
