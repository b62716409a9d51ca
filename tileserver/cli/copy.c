/* copy.c — `teselas copy --from A --to B`: a whole catalog from a SpatiaLite file into a
 * PostgreSQL/PostGIS database (store_copy), so `teselas serve --db postgresql://...` serves it,
 * and back from PostgreSQL into a new SpatiaLite file (store_copy_to_file). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "store/store.h"

static const char USAGE[] =
    "usage: teselas copy --from FILE --to postgresql://USER@HOST:PORT/NAME [--db-schema NAME]\n"
    "       teselas copy --from postgresql://... --to FILE [--db-schema NAME] [--replace]\n"
    "\n"
    "Copies every layer (every version kept), the history, quality reports, styles and\n"
    "aggregate counts of a SpatiaLite database into one schema of a PostgreSQL database with\n"
    "PostGIS, in one transaction: on any error nothing is written.\n"
    "\n"
    "  --from FILE        the SpatiaLite database (made by `teselas import` or `teselas demo`)\n"
    "  --to URI           a libpq URI; the schema must not hold a teselas catalog yet\n"
    "  --db-schema NAME   the schema (default teselas); serve it with the URI option\n"
    "                     ?options=-csearch_path%3DNAME\n"
    "\n"
    "Back to a file: everything the schema holds, read from one snapshot, into a new\n"
    "SpatiaLite file that answers as the file copied into PostgreSQL did. The file is\n"
    "written under a temporary name and appears whole or not at all.\n"
    "  --db-schema NAME   the schema read (default: the URI's search_path, else teselas)\n"
    "  --replace          overwrite FILE when it exists (refused otherwise); stop a server\n"
    "                     that has it open first\n"
    "\n"
    CLI_BUSY_USAGE
    "                       (of FILE: the one read, or the one --replace overwrites)\n";

/* A schema name teselas writes unquoted in a URI: [a-z_][a-z0-9_]*, up to 63 characters. */
static bool schema_valid(const char *s) {
  size_t n = strlen(s);
  if (n == 0 || n > 63 || !((s[0] >= 'a' && s[0] <= 'z') || s[0] == '_')) return false;
  for (size_t i = 0; i < n; i++)
    if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
      return false;
  return true;
}

int cli_copy(int argc, char **argv) {
  static const struct option OPTS[] = {{"from", required_argument, NULL, 'f'},
                                       {"to", required_argument, NULL, 't'},
                                       {"db-schema", required_argument, NULL, 's'},
                                       {"replace", no_argument, NULL, 'r'},
                                       {"help", no_argument, NULL, 'h'},
                                       {"version", no_argument, NULL, 'V'},
                                       {"busy-timeout-ms", required_argument, NULL, 'B'},
                                       {NULL, 0, NULL, 0}};
  const char *from = NULL, *to = NULL, *schema = NULL;
  bool replace = false;
  int busy_ms = 0, c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "hV", OPTS, NULL)) != -1) {
    switch (c) {
      case 'f': from = optarg; break;
      case 't': to = optarg; break;
      case 's': schema = optarg; break;
      case 'r': replace = true; break;
      case 'B': {
        int rc = cli_parse_busy(optarg, USAGE, &busy_ms);
        if (rc) return rc;
        break;
      }
      default: return cli_common_option(c, argv, USAGE);
    }
  }
  if (!from || !to || optind != argc) {
    fprintf(stderr, "teselas: copy needs --from and --to\n\n%s", USAGE);
    return 2;
  }
  if (schema && !schema_valid(schema)) {
    fprintf(stderr, "teselas: --db-schema: lower-case letters, digits and _ only\n");
    return 2;
  }
  err e = {0};
  int64_t n = 0;
  if (store_db_is_pg(from) && !store_db_is_pg(to)) {
    store_file_target target = {.path = to, .replace = replace, .busy_ms = busy_ms};
    if (store_copy_to_file_target(from, schema, &target, &n, &e) != ERR_OK) {
      fprintf(stderr, "teselas: %s\n", e.msg);
      return 1;
    }
    printf("copied %lld layer version tables into %s\n", (long long)n, to);
    return 0;
  }
  if (replace) {
    fprintf(stderr, "teselas: --replace is for a copy into a file\n");
    return 2;
  }
  if (!schema) schema = "teselas";
  if (store_copy_wait(from, to, schema, busy_ms, &n, &e) != ERR_OK) {
    fprintf(stderr, "teselas: %s\n", e.msg);
    return 1;
  }
  printf("copied %lld layer version tables into schema %s\n", (long long)n, schema);
  return 0;
}
