/* remove.c — `teselas remove ID --db DB`: unpublishes a layer. Every version, its side tables and
 * its catalog entry go (a version waiting for review too, and its review row), the freed pages
 * are zeroed and the WAL truncated (store_layer_remove); the history says when and why, and the
 * audit log who ("cli") and with what result, as it does for the API's removal. */
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

int cli_remove(int argc, char **argv) {
  const char *db = NULL, *reason = "retirada con teselas remove", *id = NULL;
  const cli_opt opts[] = {{"reason", NULL, &reason}};
  int status = cli_parse_db_command(
      argc, argv, &(cli_db_command){USAGE, "remove needs one layer ID and --db DB", opts, 1, 1},
      &db, &id);
  if (status >= 0) return status;
  err e;
  err_clear(&e);
  err_code rc = store_layer_remove(db, id, reason, &e);
  err ae = {0}; /* the audit log is a file beside a SpatiaLite database; PostgreSQL has none */
  if (!store_db_is_pg(db) &&
      auth_audit(db, "cli", "remove", id, rc == ERR_OK ? "ok" : "failed",
                 rc == ERR_OK ? reason : e.msg, &ae) != ERR_OK)
    fprintf(stderr, "teselas: audit log: %s\n", ae.msg);
  if (rc != ERR_OK) {
    fprintf(stderr, "teselas: %s\n", e.msg);
    return 1;
  }
  printf("capa %s retirada: sus versiones y su entrada del catálogo se borraron de %s\n", id, db);
  return 0;
}
