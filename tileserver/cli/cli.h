/* cli.h — the subcommands of the teselas binary. Each returns the process exit status:
 * 0 success, 1 failure (with a one-line message on stderr), 2 bad usage (usage on stderr). */
#ifndef TESELAS_CLI_H
#define TESELAS_CLI_H

#include <stdbool.h>
#include <stdint.h>

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
  int *busy_ms;       /* non-NULL: a writing command, which takes --busy-timeout-ms N */
} cli_db_command;
enum { CLI_OPTS_MAX = 8, CLI_ARGS_MAX = 2 };
/* Parses argv into *out_db, the options' targets and args. Returns -1 when the command should
 * run, else the exit status to return at once (0 after --help/--version, 2 on bad usage, with
 * the usage on stderr). */
int cli_parse_db_command(int argc, char **argv, const cli_db_command *cmd, const char **out_db,
                         const char **args);

/* --busy-timeout-ms N of the commands that write: how long a write waits for another writer's
 * lock on a SpatiaLite file before it fails busy (naming the database and the wait), nothing
 * written. N in 1..86400000 into *out_ms: 0, else 2 after printing the problem and usage. */
#define CLI_BUSY_USAGE \
  "  --busy-timeout-ms N  wait for another writer's lock on DB (30000), then fail: busy\n"
int cli_parse_busy(const char *arg, const char *usage, int *out_ms);

/* The audit line of a command-line write, written inside the write's transaction before its
 * COMMIT (store_gate), so a write whose line cannot be written does not happen. who is
 * "cli:<OS user name>" (cli_audit_init). */
typedef struct cli_audit_line {
  const char *db, *action, *target, *detail;
  const char *result;  /* NULL: "ok" */
  char who[80];
  int64_t rollback_of; /* > 0 with detail NULL: the detail is "version V from rollback_of" */
  int64_t made;        /* set by the gate: what the write made (a version, a token's number) */
  bool failed;        /* the line could not be written: the write was rolled back */
} cli_audit_line;
void cli_audit_init(cli_audit_line *l, const char *db, const char *action, const char *target,
                    const char *detail);
/* l's who: "cli:" and the OS user's name (its number without a passwd entry), looked up once. */
const char *cli_audit_who(cli_audit_line *l);
/* The gate that writes l's line ("ok" and its detail, else the number of what the write made),
 * waiting wait_ms for the write lock (0: the default). l outlives the write. */
struct store_gate cli_audit_gate(cli_audit_line *l, int wait_ms);
/* An import's line (publish_options.audit, and import's gate): l's action and who, the layer as
 * target, "ok" (or "pending") and the version. */
err_code cli_audit_layer(void *ctx, const char *layer_id, int64_t version, int64_t review,
                         err *e);
/* After a write: a line saying it failed (result: l->result, else "failed"; not when its own
 * line was the cause), and the message;
 * returns the exit status (0 when rc is ERR_OK). */
int cli_audit_finish(cli_audit_line *l, err_code rc, const err *e, const char *cmd);
/* After a write whose line the gate wrote ("ok") but which failed after it (its COMMIT): a
 * second line saying it failed, with e's reason, so the log never keeps only the "ok". */
void cli_audit_undone(cli_audit_line *l, const err *e);

/* For the subcommands that print a document about a database's catalogue (report, usage): opens
 * DB read-only, reads its catalogue, lets WRITE fill OUT and prints it on stdout, or prints
 * "teselas: NAME: reason" on stderr. Returns the exit status (0 or 1). */
struct store_reader;
struct catalog;
typedef err_code (*cli_catalog_writer)(struct store_reader *r, const struct catalog *cat,
                                       void *ctx, buf *out, err *e);
int cli_print_catalog_doc(const char *db, const char *name, cli_catalog_writer write, void *ctx);

#endif
