/* tokens.c — `teselas tokens add|revoke|list`: API tokens for the upload API. A new token is
 * printed once, on standard output, and never again: the database keeps only its hash. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"
#include "cli/cli.h"

static const char USAGE[] =
    "usage: teselas tokens add ACCOUNT --db DB [--label TEXT]\n"
    "       teselas tokens revoke N --db DB\n"
    "       teselas tokens list --db DB [--account ACCOUNT]\n"
    "\n"
    "API tokens for `Authorization: Bearer TOKEN`. add prints a new token of ACCOUNT once: keep\n"
    "it, it cannot be shown again. revoke N invalidates token number N at once. list shows\n"
    "numbers, accounts, labels and dates, never the tokens. add and revoke are written to the\n"
    "audit log (who: cli:USER) in their transaction: one whose line cannot be written does not\n"
    "happen.\n"
    "\n"
    CLI_BUSY_USAGE;

static int print_token(void *ctx, const store_token *t) {
  int *n = ctx;
  if ((*n)++ == 0) printf("%-6s %-20s %-20s %-20s %s\n", "número", "cuenta", "alta", "revocado",
                          "etiqueta");
  printf("%-6lld %-20s %-20s %-20s %s\n", (long long)t->id, t->account, t->created_at,
         *t->revoked_at ? t->revoked_at : "-", t->label);
  return 0;
}

int cli_tokens(int argc, char **argv) {
  static const struct option OPTS[] = {{"db", 1, 0, 'd'}, {"label", 1, 0, 'l'},
                                       {"account", 1, 0, 'a'}, {"help", 0, 0, 'h'},
                                       {"version", 0, 0, 'V'}, {"busy-timeout-ms", 1, 0, 'B'},
                                       {0, 0, 0, 0}};
  const char *sub = argc > 1 ? argv[1] : "", *db = NULL, *label = "", *account = NULL;
  int busy_ms = 0;
  if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0) return fputs(USAGE, stdout), 0;
  int c;
  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc - 1, argv + 1, ":", OPTS, NULL)) != -1) {
    if (c == 'd') db = optarg;
    else if (c == 'l') label = optarg;
    else if (c == 'a') account = optarg;
    else if (c == 'B') {
      int rc = cli_parse_busy(optarg, USAGE, &busy_ms);
      if (rc) return rc;
    } else return cli_common_option(c, argv + 1, USAGE);
  }
  const char *arg = optind == argc - 2 ? argv[1 + optind] : NULL;
  err e = {0};
  if (!db) {
    fprintf(stderr, "teselas: tokens needs --db DB\n\n%s", USAGE);
    return 2;
  }
  if (strcmp(sub, "list") == 0 && !arg) {
    int n = 0;
    if (store_tokens_scan(db, account, print_token, &n, &e) != ERR_OK) {
      fprintf(stderr, "teselas: tokens list: %s\n", e.msg);
      return 1;
    }
    if (n == 0) puts("sin tokens");
    return 0;
  }
  if (strcmp(sub, "add") == 0 && arg) {
    char token[AUTH_TOKEN_LEN];
    cli_audit_line line;
    cli_audit_init(&line, db, "tokens add", arg, NULL); /* detail: the token's number */
    store_gate gate = cli_audit_gate(&line, busy_ms);
    err_code rc = auth_init(&e);
    if (rc == ERR_OK) rc = auth_token_create_gated(db, arg, label, &gate, token, &e);
    if (rc != ERR_OK) return cli_audit_finish(&line, rc, &e, "tokens add");
    int64_t id = line.made;
    fprintf(stderr, "token número %lld de %s; guárdelo, no se volverá a mostrar:\n",
            (long long)id, arg);
    printf("%s\n", token);
    return 0;
  }
  char *end = NULL;
  long long id = arg ? strtoll(arg, &end, 10) : 0;
  if (strcmp(sub, "revoke") == 0 && arg && *end == '\0' && id > 0) {
    cli_audit_line line;
    cli_audit_init(&line, db, "tokens revoke", arg, "");
    store_gate gate = cli_audit_gate(&line, busy_ms);
    err_code rc = store_token_revoke_gated(db, id, &gate, &e);
    if (rc != ERR_OK) return cli_audit_finish(&line, rc, &e, "tokens revoke");
    printf("token número %lld revocado\n", id);
    return 0;
  }
  fprintf(stderr, "teselas: tokens add ACCOUNT, revoke N or list\n\n%s", USAGE);
  return 2;
}
