/* cli.h — the subcommands of the teselas binary. Each returns the process exit status:
 * 0 success, 1 failure (with a one-line message on stderr), 2 bad usage (usage on stderr). */
#ifndef TESELAS_CLI_H
#define TESELAS_CLI_H

#include "core/buf.h"
#include "core/err.h"

int cli_serve(int argc, char **argv);
int cli_demo(int argc, char **argv);
int cli_layers(int argc, char **argv);
int cli_import(int argc, char **argv);
int cli_publish(int argc, char **argv);
int cli_remove(int argc, char **argv);
int cli_versions(int argc, char **argv);
int cli_diff(int argc, char **argv);
int cli_rollback(int argc, char **argv);
int cli_report(int argc, char **argv);
int cli_seed(int argc, char **argv);
int cli_usage(int argc, char **argv);
int cli_copy(int argc, char **argv);
int cli_users(int argc, char **argv);
int cli_tokens(int argc, char **argv);
int cli_review(int argc, char **argv);
int cli_check(int argc, char **argv);

/* Shared by subcommands: prints "teselas VERSION" and returns 0. */
int cli_version(void);
/* The options every subcommand answers alike, for the last cases of its getopt_long switch:
 * 'h' prints usage and returns 0, 'V' the version; anything else is a bad option (exit 2). */
int cli_common_option(int c, char **argv, const char *usage);

/* The command line of a subcommand of one database: `--db DB`, the switches and valued options
 * of `opts`, --help and --version, and exactly n_args arguments. */
typedef struct cli_opt {
  const char *name;   /* long option, without the dashes */
  bool *flag;         /* a switch: set true when given; NULL for a valued option */
  const char **value; /* a valued option: set to its argument (argv's); NULL for a switch */
} cli_opt;
typedef struct cli_db_command {
  const char *usage;
  const char *needs;  /* the bad-usage line: "check needs --db DB and nothing else" */
  const cli_opt *opts;
  size_t n_opts;      /* at most CLI_OPTS_MAX */
  int n_args;         /* positional arguments, put in args[] (argv's) */
} cli_db_command;
enum { CLI_OPTS_MAX = 8, CLI_ARGS_MAX = 2 };
/* Parses argv into *out_db, the options' targets and args. Returns -1 when the command should
 * run, else the exit status to return at once (0 after --help/--version, 2 on bad usage, with
 * the usage on stderr). */
int cli_parse_db_command(int argc, char **argv, const cli_db_command *cmd, const char **out_db,
                         const char **args);

/* For the subcommands that print a document about a database's catalogue (report, usage): opens
 * DB read-only, reads its catalogue, lets WRITE fill OUT and prints it on stdout, or prints
 * "teselas: NAME: reason" on stderr. Returns the exit status (0 or 1). */
struct store_reader;
struct catalog;
typedef err_code (*cli_catalog_writer)(struct store_reader *r, const struct catalog *cat,
                                       void *ctx, buf *out, err *e);
int cli_print_catalog_doc(const char *db, const char *name, cli_catalog_writer write, void *ctx);

#endif
