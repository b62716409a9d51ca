/* main.c — the teselas binary: picks a subcommand and hands it the rest of the arguments. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static const char USAGE[] =
    "teselas — vector tiles, maps and open data for a municipality\n"
    "\n"
    "usage: teselas <command> [options]\n"
    "\n"
    "commands:\n"
    "  import FILE --db DB --layer ID   load a CSV, GeoJSON, Shapefile, KML, GeoPackage or GPX file\n"
    "  publish DIR --db DB              import every layer described in DIR (layers as code)\n"
    "  serve --db DB                    serve tiles, features, styles and maps over HTTP\n"
    "  layers --db DB                   list the layers of a database\n"
    "  remove ID --db DB                unpublish a layer: every version, wiped from the file\n"
    "  versions ID --db DB              the history of a layer's versions\n"
    "  diff ID --db DB --from V --to W  what changed between two versions\n"
    "  rollback ID --db DB --to V       publish an earlier version's data again\n"
    "  report --db DB                   deliveries by publisher: late layers, quality trend\n"
    "  seed --db DB --zoom Z0-Z1 --out FILE  write tiles to a PMTiles or MBTiles archive\n"
    "  usage --db DB                    views and downloads of each layer by day, week or month\n"
    "  users add|remove|list --db DB    accounts that publish over HTTP (publisher, reviewer, admin)\n"
    "  tokens add|revoke|list --db DB   API tokens of those accounts\n"
    "  review list|show|approve|reject  versions uploaded over HTTP that wait for review\n"
    "  demo [--db DB]                   build the León sample database and serve it\n"
    "  copy --from FILE --to URI        copy a whole catalog into PostgreSQL/PostGIS\n"
    "  check --db DB                    is the database sound? names each damaged layer version\n"
    "\n"
    "Run `teselas <command> --help` for the options of a command.\n";

int main(int argc, char **argv) {
  if (argc < 2) {
    fputs(USAGE, stderr);
    return 2;
  }
  const char *cmd = argv[1];
  if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
    fputs(USAGE, stdout);
    return 0;
  }
  if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) return cli_version();
  static const struct {
    const char *name;
    int (*fn)(int, char **);
  } COMMANDS[] = {{"serve", cli_serve},   {"demo", cli_demo},       {"layers", cli_layers},
                  {"import", cli_import}, {"publish", cli_publish}, {"remove", cli_remove},
                  {"versions", cli_versions}, {"diff", cli_diff},       {"rollback", cli_rollback},
                  {"report", cli_report},
                  {"seed", cli_seed},     {"usage", cli_usage},   {"copy", cli_copy},
                  {"users", cli_users},   {"tokens", cli_tokens}, {"review", cli_review},
                  {"check", cli_check}};
  for (size_t i = 0; i < sizeof COMMANDS / sizeof *COMMANDS; i++)
    if (strcmp(cmd, COMMANDS[i].name) == 0) return COMMANDS[i].fn(argc - 1, argv + 1);
  fprintf(stderr, "teselas: unknown command '%s'\n\n%s", cmd, USAGE);
  return 2;
}
