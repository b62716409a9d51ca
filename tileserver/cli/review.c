/* review.c — `teselas review list|show N|approve N|reject N`: the transparency unit's review of
 * versions that uploads left waiting (store/review.c), from a shell. The same decision as
 * POST /api/reviews/{n}/approve or /reject: a reason is required, --user names the reviewer
 * (an account with role reviewer or admin, never the one that uploaded the version), and the
 * decision goes to the history and the audit log. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"
#include "cli/cli.h"

static const char USAGE[] =
    "usage: teselas review list --db DB [--all]\n"
    "       teselas review show N --db DB\n"
    "       teselas review approve N --reason TEXT --db DB --user NAME\n"
    "       teselas review reject N --reason TEXT --db DB --user NAME\n"
    "\n"
    "Versions uploaded over HTTP with a privacy policy, or with a decision about personal data,\n"
    "wait for review before they are published. list shows those waiting (--all: every review);\n"
    "show N the quality report and the privacy decision of review N; approve publishes the\n"
    "version at once, reject discards it. NAME is a reviewer or admin account, not the one that\n"
    "uploaded the version. Imports with `teselas import` are published directly. A decision is\n"
    "written to the audit log (who: NAME, from cli:USER) in its transaction: one whose line\n"
    "cannot be written does not happen.\n"
    "\n"
    CLI_BUSY_USAGE;

static const char *state_text(const char *s) {
  return strcmp(s, "pending") == 0    ? "pendiente de revisión"
         : strcmp(s, "approved") == 0 ? "aprobada"
                                      : "rechazada";
}

static int print_row(void *ctx, const store_review *r) {
  int *n = ctx;
  if ((*n)++ == 0)
    printf("%-6s %-20s %-8s %-22s %-16s %s\n", "número", "capa", "versión", "estado", "subida por",
           "fecha");
  printf("%-6lld %-20s %-8lld %-22s %-16s %s\n", (long long)r->n, r->layer_id,
         (long long)r->version, state_text(r->state), r->submitted_by, r->submitted_at);
  return 0;
}

static int print_full(void *ctx, const store_review *r) {
  (void)ctx;
  printf("revisión %lld: capa %s (%s), versión %lld, %s\n", (long long)r->n, r->layer_id,
         r->title, (long long)r->version, state_text(r->state));
  printf("subida por %s el %s; %lld elementos; versión publicada al subirla: %lld\n",
         r->submitted_by, r->submitted_at, (long long)r->feature_count,
         (long long)r->base_version);
  if (*r->decided_by)
    printf("decidida por %s el %s: %s\n", r->decided_by, r->decided_at, r->reason);
  printf("privacidad: %s\ninforme: %s\n", r->privacy, r->report);
  return 1;
}

typedef struct who_ctx {
  const char *name;
  bool found, may;
} who_ctx;

static int find_account(void *ctx, const store_account *a) {
  who_ctx *w = ctx;
  if (strcmp(a->name, w->name) != 0) return 0;
  w->found = true;
  auth_role r = auth_role_parse(a->role);
  w->may = r == AUTH_ROLE_REVIEWER || r == AUTH_ROLE_ADMIN;
  return 1;
}

static int copy_submitter(void *ctx, const store_review *r) {
  snprintf(ctx, STORE_NAME_MAX, "%s", r->submitted_by);
  return 1;
}

static int decide(const char *db, long long n, bool approve, const char *user,
                  const char *reason, int busy_ms) {
  const char *verb = approve ? "approve" : "reject";
  err e = {0};
  who_ctx w = {user, false, false};
  char submitter[STORE_NAME_MAX] = "";
  if (store_accounts_scan(db, find_account, &w, &e) != ERR_OK ||
      store_reviews_scan(db, n, NULL, copy_submitter, submitter, &e) != ERR_OK) {
    fprintf(stderr, "teselas: review %s: %s\n", verb, e.msg);
    return 1;
  }
  const char *refusal = !w.found ? "no such account"
                        : !w.may ? "the account is not a reviewer or an admin"
                        : strcmp(submitter, user) == 0 ? "nobody decides on a version they uploaded"
                                                       : NULL;
  char detail[1200], target[STORE_NAME_MAX] = "";
  cli_audit_line line;
  cli_audit_init(&line, db, "review", target, detail);
  if (refusal) {
    snprintf(detail, sizeof detail, "review %lld (%s): %s", n, cli_audit_who(&line), refusal);
    auth_audit(db, user, "review", "", "refused", detail, &e);
    fprintf(stderr, "teselas: review %s: %s: %s\n", verb, user, refusal);
    return 1;
  }
  int64_t version = 0;
  /* the line is the reviewer's (who decides), written before the decision's COMMIT; the target
   * (the layer) is filled by the decision before its gate runs */
  snprintf(detail, sizeof detail, "review %lld (%s): %.1000s", n, cli_audit_who(&line), reason);
  snprintf(line.who, sizeof line.who, "%s", user);
  line.result = approve ? "approved" : "rejected";
  store_gate gate = cli_audit_gate(&line, busy_ms);
  store_review_decision d = {.n = n, .approve = approve, .who = user, .reason = reason,
                             .out_layer = target, .out_version = &version, .gate = &gate};
  store_review_verdict v;
  err_code rc = store_review_decide(db, &d, &v, &e);
  if (rc != ERR_OK) {
    line.result = "refused"; /* the line of a decision not taken */
    char cmd[32];
    snprintf(cmd, sizeof cmd, "review %s", verb);
    return cli_audit_finish(&line, rc, &e, cmd);
  }
  printf("revisión %lld: versión %lld de %s %s\n", n, (long long)version, target,
         approve ? "aprobada y publicada" : "rechazada y descartada");
  return 0;
}

int cli_review(int argc, char **argv) {
  static const struct option OPTS[] = {{"db", 1, 0, 'd'},       {"user", 1, 0, 'u'},
                                       {"reason", 1, 0, 'r'},   {"all", 0, 0, 'a'},
                                       {"help", 0, 0, 'h'},     {"version", 0, 0, 'V'},
                                       {"busy-timeout-ms", 1, 0, 'B'}, {0, 0, 0, 0}};
  const char *sub = argc > 1 ? argv[1] : "", *db = NULL, *user = NULL, *reason = NULL;
  bool all = false;
  int busy_ms = 0;
  if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0) return fputs(USAGE, stdout), 0;
  int c;
  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc - 1, argv + 1, ":", OPTS, NULL)) != -1) {
    if (c == 'd') db = optarg;
    else if (c == 'u') user = optarg;
    else if (c == 'r') reason = optarg;
    else if (c == 'a') all = true;
    else if (c == 'B') {
      int rc = cli_parse_busy(optarg, USAGE, &busy_ms);
      if (rc) return rc;
    } else return cli_common_option(c, argv + 1, USAGE);
  }
  const char *arg = optind == argc - 2 ? argv[1 + optind] : NULL;
  if (!db) {
    fprintf(stderr, "teselas: review needs --db DB\n\n%s", USAGE);
    return 2;
  }
  err e = {0};
  if (strcmp(sub, "list") == 0 && !arg) {
    int n = 0;
    if (store_reviews_scan(db, -1, all ? NULL : "pending", print_row, &n, &e) != ERR_OK) {
      fprintf(stderr, "teselas: review list: %s\n", e.msg);
      return 1;
    }
    if (n == 0) puts(all ? "sin revisiones" : "nada pendiente de revisión");
    return 0;
  }
  char *end = NULL;
  long long n = arg ? strtoll(arg, &end, 10) : 0;
  bool num = arg && *end == '\0' && n > 0;
  if (strcmp(sub, "show") == 0 && num) {
    if (store_reviews_scan(db, n, NULL, print_full, NULL, &e) != ERR_OK) {
      fprintf(stderr, "teselas: review show: %s\n", e.msg);
      return 1;
    }
    return 0;
  }
  bool approve = strcmp(sub, "approve") == 0;
  if ((approve || strcmp(sub, "reject") == 0) && num) {
    while (reason && (*reason == ' ' || *reason == '\t')) reason++;
    if (!user || !reason || !*reason || strlen(reason) > 1000) {
      fprintf(stderr, "teselas: review %s needs --user NAME and --reason TEXT (1 to 1000 "
              "bytes)\n\n%s", sub, USAGE);
      return 2;
    }
    return decide(db, n, approve, user, reason, busy_ms);
  }
  fprintf(stderr, "teselas: review list, show N, approve N or reject N\n\n%s", USAGE);
  return 2;
}
