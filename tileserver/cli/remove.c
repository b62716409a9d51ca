/* remove.c — `teselas remove ID --db DB`: unpublishes a layer. Every version, its side tables and
 * its catalog entry go (a version waiting for review too, and its review row), the freed pages
 * are zeroed and the WAL truncated (store_layer_remove); the history says when and why, and the
 * audit log who ("cli") and with what result, as it does for the API's removal. */
#include <getopt.h>
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
  static const struct option OPTS[] = {{"db", required_argument, 0, 'd'},
                                       {"reason", required_argument, 0, 'r'},
                                       {"help", no_argument, 0, 'h'},
                                       {"version", no_argument, 0, 'V'},
                                       {0, 0, 0, 0}};
  const char *db = NULL, *reason = "retirada con teselas remove";
  int c;
  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, ":", OPTS, NULL)) != -1) {
    switch (c) {
      case 'd': db = optarg; break;
      case 'r': reason = optarg; break;
      case 'h': fputs(USAGE, stdout); return 0;
      case 'V': return cli_version();
      default:
        fprintf(stderr, "teselas: bad option %s\n\n%s", argv[optind - 1], USAGE);
        return 2;
    }
  }
  if (!db || optind != argc - 1) {
    fprintf(stderr, "teselas: remove needs one layer ID and --db DB\n\n%s", USAGE);
    return 2;
  }
  const char *id = argv[optind];
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
