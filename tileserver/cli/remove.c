/* remove.c — `teselas remove ID --db DB`: unpublishes a layer. Every version, its side tables and
 * its catalog entry go (a version waiting for review too, and its review row), the freed pages
 * are zeroed and the WAL truncated (store_layer_remove); the history says when and why, and the
 * audit log who ("cli") and with what result, as it does for the API's removal. */
#include <stdbool.h>
#include <stdio.h>

#include "auth/auth.h"
#include "cli/cli.h"
#include "store/store.h"

static const char USAGE[] =
    "usage: teselas remove ID --db DB [--reason TEXT]\n"
    "\n"
    "Unpublishes layer ID: every version of its data, its spatial indexes, side tables and catalog\n"
    "entry are deleted and the freed space is overwritten with zeros, so no row is left in the\n"
    "database file. The history keeps one line per version (date, source, count) and records the\n"
    "removal with its reason. A version waiting for review goes too, with its review, also when the\n"
    "layer was never published. The audit log records the removal (who: cli).\n";

/* The removal's audit line, written inside its transaction before its COMMIT (store_gate): a
 * removal whose line cannot be written does not happen. */
typedef struct remove_line {
  const char *db, *id, *reason;
  bool failed;
} remove_line;

static err_code write_line(void *ctx, int64_t version, err *e) {
  (void)version;
  remove_line *l = ctx;
  err_code rc = auth_audit(l->db, "cli", "remove", l->id, "ok", l->reason, e);
  l->failed = rc != ERR_OK;
  return rc;
}

int cli_remove(int argc, char **argv) {
  const char *db = NULL, *reason = "retirada con teselas remove", *id = NULL;
  const cli_opt opts[] = {{"reason", NULL, &reason}};
  int status = cli_parse_db_command(
      argc, argv, &(cli_db_command){USAGE, "remove needs one layer ID and --db DB", opts, 1, 1},
      &db, &id);
  if (status >= 0) return status;
  err e;
  err_clear(&e);
  /* the audit log is a file beside a SpatiaLite database; over PostgreSQL the CLI writes none */
  bool file = !store_db_is_pg(db);
  remove_line line = {db, id, reason, false};
  store_gate gate = {write_line, &line};
  err_code rc = store_layer_remove_gated(db, id, reason, file ? &gate : NULL, &e);
  if (rc != ERR_OK && line.failed) {
    fprintf(stderr, "teselas: the audit log cannot be written (%s): nothing was removed\n", e.msg);
    return 1;
  }
  err ae = {0};
  if (rc != ERR_OK && file && auth_audit(db, "cli", "remove", id, "failed", e.msg, &ae) != ERR_OK)
    fprintf(stderr, "teselas: audit log: %s\n", ae.msg);
  if (rc != ERR_OK) {
    fprintf(stderr, "teselas: %s\n", e.msg);
    return 1;
  }
  printf("capa %s retirada: sus versiones y su entrada del catálogo se borraron de %s\n", id, db);
  return 0;
}
