/* audit.c — the audit line of a command-line write (cli.h): who is the OS user, and the line is
 * written by the write's gate, before its COMMIT, as the HTTP API's are (http/audit_line.c). */
#include <pwd.h>
#include <stdio.h>
#include <unistd.h>

#include "auth/auth.h"
#include "cli/cli.h"
#include "store/store.h"

void cli_audit_init(cli_audit_line *l, const char *db, const char *action, const char *target,
                    const char *detail) {
  *l = (cli_audit_line){.db = db, .action = action, .target = target, .detail = detail};
}

/* Who is looked up when a line is written, not before: an import that refuses a file reads no
 * file but the one it was given (the user database included; tests trace every open). */
const char *cli_audit_who(cli_audit_line *l) {
  if (l->who[0]) return l->who;
  char pw_buf[4096];
  struct passwd pw, *found = NULL;
  if (getpwuid_r(geteuid(), &pw, pw_buf, sizeof pw_buf, &found) == 0 && found)
    snprintf(l->who, sizeof l->who, "cli:%.60s", found->pw_name);
  else /* no passwd entry (a container's bare uid): the number says who */
    snprintf(l->who, sizeof l->who, "cli:%lld", (long long)geteuid());
  return l->who;
}

static err_code audit_gate_fn(void *ctx, int64_t version, err *e) {
  cli_audit_line *l = ctx;
  char detail[64];
  if (!l->detail && l->rollback_of > 0)
    snprintf(detail, sizeof detail, "version %lld from %lld", (long long)version,
             (long long)l->rollback_of);
  else if (!l->detail)
    snprintf(detail, sizeof detail, "%lld", (long long)version);
  l->made = version;
  err_code rc = auth_audit(l->db, cli_audit_who(l), l->action, l->target,
                           l->result ? l->result : "ok", l->detail ? l->detail : detail, e);
  l->failed = rc != ERR_OK;
  return rc;
}

store_gate cli_audit_gate(cli_audit_line *l, int wait_ms) {
  return (store_gate){audit_gate_fn, l, wait_ms};
}

int cli_audit_finish(cli_audit_line *l, err_code rc, const err *e, const char *cmd) {
  if (rc == ERR_OK) return 0;
  if (l->failed) {
    fprintf(stderr, "teselas: %s: the audit log cannot be written (%s): nothing was done\n", cmd,
            e->msg);
    return 1;
  }
  err ae = {0};
  char detail[300];
  snprintf(detail, sizeof detail, "%.290s", e->msg);
  if (auth_audit(l->db, cli_audit_who(l), l->action, l->target,
                 l->result ? l->result : "failed", detail, &ae) != ERR_OK)
    fprintf(stderr, "teselas: audit log: %s\n", ae.msg);
  fprintf(stderr, "teselas: %s: %s\n", cmd, e->msg);
  return 1;
}

err_code cli_audit_layer(void *ctx, const char *layer_id, int64_t version, int64_t review,
                         err *e) {
  cli_audit_line *l = ctx;
  char detail[64];
  if (review)
    snprintf(detail, sizeof detail, "version %lld, review %lld", (long long)version,
             (long long)review);
  else
    snprintf(detail, sizeof detail, "version %lld", (long long)version);
  err_code rc = auth_audit(l->db, cli_audit_who(l), l->action, layer_id,
                           review ? "pending" : "ok", detail, e);
  l->failed = rc != ERR_OK;
  l->made = version;
  return rc;
}

void cli_audit_undone(cli_audit_line *l, const err *e) {
  if (l->made <= 0 || l->failed) return; /* no line written, or its refusal was the failure */
  err ae = {0};
  char detail[300];
  snprintf(detail, sizeof detail, "version %lld not published: %.240s", (long long)l->made,
           e->msg);
  if (auth_audit(l->db, cli_audit_who(l), l->action, l->target, "failed", detail, &ae) != ERR_OK)
    fprintf(stderr, "teselas: audit log: %s\n", ae.msg);
}
