/* serve_int.h — `serve` and `demo` share the server flags and the run loop. */
#ifndef TESELAS_CLI_SERVE_INT_H
#define TESELAS_CLI_SERVE_INT_H

#include "http/http.h"

void serve_config_defaults(server_config *cfg);
int serve_parse_flags(int argc, char **argv, server_config *cfg, const char *usage);
int serve_run(const server_config *cfg);

#endif
