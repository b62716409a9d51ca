/* common.c — pieces shared by the subcommands. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "core/output_id.h"
#include "store/store.h"

int cli_version(void) {
  /* the output id names the build in tiles' ETags and ?v= URLs (core/output_id.h) */
  printf("teselas %s (output %s)\n", TESELAS_VERSION, TESELAS_OUTPUT_ID);
  return 0;
}

int cli_common_option(int c, char **argv, const char *usage) {
  if (c == 'h') return fputs(usage, stdout), 0;
  if (c == 'V') return cli_version();
  fprintf(stderr, "teselas: bad option %s\n\n%s", argv[optind - 1], usage);
  return 2;
}

int cli_parse_db_command(int argc, char **argv, const cli_db_command *cmd, const char **out_db,
                         const char **args) {
  struct option opts[CLI_OPTS_MAX + 5] = {{"db", required_argument, 0, 'd'},
                                          {"help", no_argument, 0, 'h'},
                                          {"version", no_argument, 0, 'V'}};
  size_t n = cmd->n_opts < CLI_OPTS_MAX ? cmd->n_opts : CLI_OPTS_MAX;
  for (size_t i = 0; i < n; i++) /* the i-th of cmd->opts answers 0x100 + i */
    opts[3 + i] = (struct option){cmd->opts[i].name,
                                  cmd->opts[i].value ? required_argument : no_argument, 0,
                                  0x100 + (int)i};
  if (cmd->busy_ms)
    opts[3 + n] = (struct option){"busy-timeout-ms", required_argument, 0, 'B'};
  *out_db = NULL;
  int c;
  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
    if (c == 'd') {
      *out_db = optarg;
    } else if (c == 'B' && cmd->busy_ms) {
      int rc = cli_parse_busy(optarg, cmd->usage, cmd->busy_ms);
      if (rc) return rc;
    } else if (c >= 0x100 && c < 0x100 + (int)n) {
      const cli_opt *o = &cmd->opts[c - 0x100];
      if (o->value) *o->value = optarg;
      else *o->flag = true;
    } else {
      return cli_common_option(c, argv, cmd->usage);
    }
  }
  if (!*out_db || cmd->n_args > CLI_ARGS_MAX || argc - optind != cmd->n_args) {
    fprintf(stderr, "teselas: %s\n\n%s", cmd->needs, cmd->usage);
    return 2;
  }
  for (int i = 0; i < cmd->n_args; i++) args[i] = argv[optind + i];
  return -1;
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

int cli_parse_busy(const char *arg, const char *usage, int *out_ms) {
  char *end = NULL;
  long v = strtol(arg, &end, 10);
  /* at most a day: a wait past that is a mistake, not a policy */
  if (!*arg || *end || v < 1 || v > 86400000) {
    fprintf(stderr, "teselas: invalid value '%s' for --busy-timeout-ms (1 to 86400000)\n\n%s",
            arg, usage);
    return 2;
  }
  *out_ms = (int)v;
  return 0;
}
