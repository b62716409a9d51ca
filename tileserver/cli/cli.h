/* cli.h — the subcommands of the teselas binary. Each returns the process exit status:
 * 0 success, 1 failure (with a one-line message on stderr), 2 bad usage (usage on stderr). */
#ifndef TESELAS_CLI_H
#define TESELAS_CLI_H

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
int cli_check(int argc, char **argv);

/* Shared by subcommands: prints "teselas VERSION" and returns 0. */
int cli_version(void);
/* The options every subcommand answers alike, for the last cases of its getopt_long switch:
 * 'h' prints usage and returns 0, 'V' the version; anything else is a bad option (exit 2). */
int cli_common_option(int c, char **argv, const char *usage);

#endif
