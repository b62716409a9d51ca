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
int cli_seed(int argc, char **argv);

/* Shared by subcommands: prints "teselas VERSION" and returns 0. */
int cli_version(void);

#endif
