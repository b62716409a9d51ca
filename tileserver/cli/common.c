/* common.c — pieces shared by the subcommands. */
#include <stdio.h>

#include "cli/cli.h"

int cli_version(void) {
  printf("teselas %s\n", TESELAS_VERSION);
  return 0;
}
