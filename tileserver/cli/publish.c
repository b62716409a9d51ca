/* publish.c — `teselas publish DIR --db DB`: imports every layer described by a *.json file in
 * DIR (the catalog as code, layers/README.md), in name order, after applying the folder's
 * catalog file (_catalog.json). The work is importers/publish.c; this file parses the flags. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "importers/publish/publish.h"

static const char USAGE[] =
    "usage: teselas publish DIR --db DB [--sources SRCDIR] [--force] [--quiet]\n"
    "                       [--fetch [--fetch-max-mb N] [--fetch-timeout S]]\n"
    "\n"
    "Imports every layer described by a .json file in DIR (see layers/README.md), skipping the\n"
    "ones whose source and definition did not change. Prints each layer's quality report.\n"
    "DIR/_catalog.json, when present, sets the catalog's area of interest first.\n"
    "\n"
    "  --sources SRCDIR  resolve relative \"source\" paths against SRCDIR instead of DIR (the\n"
    "                    data drop of the month, e.g. entregas/2025-06)\n"
    "  --force           import every layer even when nothing changed\n"
    "  --quiet           print one line per layer instead of the reports\n"
    "  --fetch           download the sources named by URL (\"source\": \"https://…/datos.csv\"),\n"
    "                    asking the server whether they changed since the last download; a\n"
    "                    failed download or import leaves that layer's published version as it was\n"
    "  --fetch-max-mb N  the largest download accepted, in MiB (default 512)\n"
    "  --fetch-timeout S the longest a download may take, in seconds (default 600)\n"
    CLI_BUSY_USAGE
    "\n"
    "Each layer published is written to the audit log (who: cli:USER) in its import's\n"
    "transaction: a layer whose line cannot be written is not published.\n"
    "\n"
    "Exit status: 0 when every layer is published or unchanged, 1 when any failed.\n";

/* One audit line serves every layer: what the gate wrote for this layer (cli_audit_layer) is
 * undone when its COMMIT failed, then forgotten before the next layer. */
static void publish_layer_done(void *ctx, const char *layer_id, err_code rc, const err *e) {
  cli_audit_line *l = ctx;
  l->target = layer_id;
  if (rc != ERR_OK) cli_audit_undone(l, e);
  l->target = "";
  l->made = 0;
  l->failed = false;
}

int cli_publish(int argc, char **argv) {
  static const struct option OPTS[] = {{"db", 1, 0, 'd'},      {"force", 0, 0, 'f'},
                                       {"quiet", 0, 0, 'q'},   {"sources", 1, 0, 's'},
                                       {"help", 0, 0, 'h'},    {"version", 0, 0, 'V'},
                                       {"fetch", 0, 0, 'F'},   {"fetch-max-mb", 1, 0, 'M'},
                                       {"fetch-timeout", 1, 0, 'T'},
                                       {"busy-timeout-ms", 1, 0, 'B'}, {0, 0, 0, 0}};
  publish_options o = {.out = stdout, .errors = stderr};
  int c;
  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, ":", OPTS, NULL)) != -1) {
    switch (c) {
      case 'd': o.db_path = optarg; break;
      case 'f': o.force = true; break;
      case 'q': o.quiet = true; break;
      case 's': o.sources_dir = optarg; break;
      case 'F': o.fetch = true; break;
      case 'M':
      case 'T': {
        char *end = NULL;
        long v = strtol(optarg, &end, 10);
        if (!*optarg || *end || v < 1 || v > (c == 'M' ? 1048576L : 86400L)) {
          fprintf(stderr, "teselas: %s takes a whole number (MiB: 1..1048576; seconds: "
                  "1..86400)\n\n%s", c == 'M' ? "--fetch-max-mb" : "--fetch-timeout", USAGE);
          return 2;
        }
        if (c == 'M') o.fetch_max_bytes = (int64_t)v * 1024 * 1024;
        else o.fetch_timeout_s = v;
        break;
      }
      case 'B': {
        int rc = cli_parse_busy(optarg, USAGE, &o.busy_timeout_ms);
        if (rc) return rc;
        break;
      }
      case 'h': fputs(USAGE, stdout); return 0;
      case 'V': return cli_version();
      default:
        fprintf(stderr, "teselas: bad option %s\n\n%s", argv[optind - 1], USAGE);
        return 2;
    }
  }
  if (!o.db_path || optind + 1 != argc) {
    fprintf(stderr, "teselas: publish needs one DIR and --db DB\n\n%s", USAGE);
    return 2;
  }
  const char *dir = argv[optind];
  if (o.sources_dir && access(o.sources_dir, R_OK | X_OK) != 0) {
    fprintf(stderr, "teselas: publish: cannot read the sources folder %s\n", o.sources_dir);
    return 1;
  }
  if (isatty(2)) o.progress = stderr;
  cli_audit_line line;
  cli_audit_init(&line, o.db_path, "publish", "", NULL);
  o.audit = cli_audit_layer;
  o.audit_done = publish_layer_done;
  o.audit_ctx = &line;
  publish_file *files = NULL;
  size_t n = 0;
  err e;
  err_clear(&e);
  if (publish_read_dir(dir, &files, &n, &e) != ERR_OK) {
    fprintf(stderr, "teselas: publish: cannot read the folder %s\n", dir);
    return 1;
  }
  publish_summary sum;
  err_code rc = publish_run(files, n, &o, &sum, &e);
  publish_files_free(files, n);
  if (sum.n_layers == 0 && rc == ERR_OK) {
    fprintf(stderr, "teselas: publish: no .json layer definitions in %s\n", dir);
    return 1;
  }
  if (sum.n_failed)
    fprintf(stderr, "teselas: publish: %zu of %zu layers failed\n", sum.n_failed, sum.n_layers);
  return rc == ERR_OK ? 0 : 1;
}
