/* common.c — pieces shared by the subcommands. */
#include <getopt.h>
#include <stdio.h>

#include "cli/cli.h"
#include "store/store.h"

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

int cli_print_catalog_doc(const char *db, const char *name, cli_catalog_writer write, void *ctx) {
  store_reader *r = NULL;
  const catalog *cat = NULL;
  buf out;
  buf_init(&out, 0);
  err e;
  err_clear(&e);
  err_code rc = store_reader_open(db, &r, &e);
  if (rc == ERR_OK) rc = store_reader_catalog(r, &cat, &e);
  if (rc == ERR_OK) rc = write(r, cat, ctx, &out, &e);
  if (rc == ERR_OK) fwrite(out.data, 1, out.len, stdout);
  else fprintf(stderr, "teselas: %s: %s\n", name, e.msg);
  buf_free(&out);
  store_reader_close(r);
  return rc == ERR_OK ? 0 : 1;
}
