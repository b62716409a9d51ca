/* common.c — pieces shared by the subcommands. */
#include <getopt.h>
#include <stdio.h>

#include "cli/cli.h"

int cli_version(void) {
  printf("teselas %s\n", TESELAS_VERSION);
  return 0;
}

int cli_common_option(int c, char **argv, const char *usage) {
  if (c == 'h') return fputs(usage, stdout), 0;
  if (c == 'V') return cli_version();
  fprintf(stderr, "teselas: bad option %s\n\n%s", argv[optind - 1], usage);
  return 2;
}
