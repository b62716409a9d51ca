/* import.c — `teselas import` and `teselas publish`: placeholders until the importer lands.
 * They already answer --help, --version and bad flags like every other subcommand. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static int placeholder(int argc, char **argv, const char *usage) {
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--help") == 0) {
      fputs(usage, stdout);
      return 0;
    }
    if (strcmp(argv[i], "--version") == 0) return cli_version();
    if (strncmp(argv[i], "--", 2) == 0) {
      fprintf(stderr, "teselas: unknown option %s\n\n%s", argv[i], usage);
      return 2;
    }
  }
  fprintf(stderr, "teselas: %s is not available in this build yet\n", argv[0]);
  return 1;
}

int cli_import(int argc, char **argv) {
  return placeholder(argc, argv, "usage: teselas import FILE --db DB --layer ID [options]\n");
}

int cli_publish(int argc, char **argv) {
  return placeholder(argc, argv, "usage: teselas publish DIR --db DB\n");
}
