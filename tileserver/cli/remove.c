/* remove.c — `teselas remove ID --db DB`: unpublishes a layer. Every version, its side tables and
 * its catalog entry go (a version waiting for review too, and its review row), the freed pages
 * are zeroed and the WAL truncated (store_layer_remove); the history says when and why, and the
 * audit log who ("cli:<OS user>") and with what result, as it does for the API's removal. */
#include <stdio.h>

#include "auth/auth.h"
#include "cli/cli.h"
#include "store/store.h"

static const char USAGE[] =
    "usage: teselas remove ID --db DB [--reason TEXT] [--busy-timeout-ms N]\n"
    "\n"
    "Unpublishes layer ID: every version of its data, its spatial indexes, side tables and catalog\n"
    "entry are deleted and the freed space is overwritten with zeros, so no row is left in the\n"
    "database file. The history keeps one line per version (date, source, count) and records the\n"
    "removal with its reason. A version waiting for review goes too, with its review, also when the\n"
    "layer was never published. The audit log records the removal (who: cli:USER) in the same\n"
    "transaction: a removal whose line cannot be written does not happen.\n"
    "\n"
    CLI_BUSY_USAGE;

int cli_remove(int argc, char **argv) {
  const char *db = NULL, *reason = "retirada con teselas remove", *id = NULL;
  int busy_ms = 0;
  const cli_opt opts[] = {{"reason", NULL, &reason}};
  int status = cli_parse_db_command(
      argc, argv,
      &(cli_db_command){USAGE, "remove needs one layer ID and --db DB", opts, 1, 1, &busy_ms},
      &db, &id);
  if (status >= 0) return status;
  err e;
  err_clear(&e);
  cli_audit_line line;
  cli_audit_init(&line, db, "remove", id, reason);
  store_gate gate = cli_audit_gate(&line, busy_ms);
  err_code rc = store_layer_remove_gated(db, id, reason, &gate, &e);
  if (rc != ERR_OK) return cli_audit_finish(&line, rc, &e, "remove");
  printf("capa %s retirada: sus versiones y su entrada del catálogo se borraron de %s\n", id, db);
  return 0;
}
