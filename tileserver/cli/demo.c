/* demo.c — `teselas demo`: write the León sample's source files, publish them with the León
 * catalog's definitions (layers/leon, built into the binary), then serve the database. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/serve_int.h"
#include "importers/demo/demo.h"

static const char USAGE[] =
    "usage: teselas demo [--db DB] [options]\n"
    "\n"
    "Builds a sample database of León, Guanajuato (generated data, marked as sample in the\n"
    "catalog: municipal boundary, colonias, parks, rivers and canals, water bodies and 50,000\n"
    "security incidents) and serves it. The generated source files (GeoJSON, and a CSV for the\n"
    "incidents) are written next to the database, in DB's name with -sources (leon.db:\n"
    "leon-sources/), then published like `teselas publish` does with the definitions of\n"
    "layers/leon (built into teselas): a rebuild skips the layers that did not change.\n"
    "\n"
    "  --db DB           where to build it (default: a temporary file removed at exit)\n"
    "  --build-only      build the database and exit without serving\n"
    "  --incidents N     number of incidents (default 50000)\n"
    "  and every option of `teselas serve` (--port, --bind, --public-url, ...)\n";

/* DB's folder and name without .db, plus "-sources": leon.db -> leon-sources. */
static void sources_dir_for(const char *db, char *out, size_t out_len) {
  size_t n = strlen(db);
  if (n > 3 && strcmp(db + n - 3, ".db") == 0) n -= 3;
  snprintf(out, out_len, "%.*s-sources", (int)n, db);
}

int cli_demo(int argc, char **argv) {
  /* Demo-only flags are taken out before the serve flags are parsed. */
  bool build_only = false;
  long incidents = 50000;
  int n = 0;
  char **rest = calloc((size_t)argc + 1, sizeof *rest);
  if (!rest) return 1;
  for (int i = 0; i < argc; i++) {
    if (strcmp(argv[i], "--build-only") == 0) {
      build_only = true;
    } else if (strcmp(argv[i], "--incidents") == 0) {
      char *end = NULL;
      incidents = i + 1 < argc ? strtol(argv[i + 1], &end, 10) : -1;
      if (!end || *end || incidents < 1 || incidents > 100000000) {
        fprintf(stderr, "teselas: --incidents needs a number from 1 to 100000000\n\n%s", USAGE);
        free(rest);
        return 2;
      }
      i++;
    } else {
      rest[n++] = argv[i];
    }
  }
  server_config cfg;
  serve_config_defaults(&cfg);
  int rc = serve_parse_flags(n, rest, &cfg, USAGE);
  if (rc == 0 && optind < n) {
    fprintf(stderr, "teselas: unexpected argument '%s'\n\n%s", rest[optind], USAGE);
    rc = 2;
  }
  free(rest);
  if (rc) return rc < 0 ? 0 : rc;

  char tmpdir[] = "/tmp/teselas-demo-XXXXXX";
  char tmpdb[64] = "", sources[4096] = "";
  if (cfg.db_path) {
    sources_dir_for(cfg.db_path, sources, sizeof sources);
  } else {
    if (!mkdtemp(tmpdir)) {
      perror("teselas: cannot create a temporary directory");
      return 1;
    }
    snprintf(tmpdb, sizeof tmpdb, "%s/leon.db", tmpdir);
    cfg.db_path = tmpdb;
  }
  fprintf(stderr, "teselas: building the León sample database in %s ...\n", cfg.db_path);
  if (sources[0]) fprintf(stderr, "teselas: its source files go to %s/\n", sources);
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  err e;
  err_clear(&e);
  demo_options opt = {.n_incidents = incidents, .sources_dir = sources[0] ? sources : NULL,
                      .log = stderr};
  if (demo_build(cfg.db_path, &opt, &e) != ERR_OK) {
    fprintf(stderr, "teselas: demo: %s\n", e.msg);
    return 1;
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  fprintf(stderr, "teselas: sample database ready in %.1f s\n",
          (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
  if (build_only) return 0;
  fprintf(stderr, "teselas: open http://%s:%d/ in your browser (Ctrl-C stops)\n", cfg.bind,
          cfg.port);
  rc = serve_run(&cfg);
  if (tmpdb[0]) {
    const char *suffix[] = {"", "-wal", "-shm"};
    char path[96];
    for (int i = 0; i < 3; i++) {
      snprintf(path, sizeof path, "%s%s", tmpdb, suffix[i]);
      unlink(path);
    }
    rmdir(tmpdir);
  }
  return rc;
}
