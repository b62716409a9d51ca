/* publish.c — `teselas publish DIR --db DB`: imports every layer described by a *.json file in
 * DIR (the catalog as code, layers/README.md), in name order. Unchanged sources are skipped by
 * checksum, so a monthly or quarterly schedule can run it blindly. One failing layer does not
 * stop the others; the exit status is 1 when any failed. */
#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "importers/layerdef.h"

static const char USAGE[] =
    "usage: teselas publish DIR --db DB [--force] [--quiet]\n"
    "\n"
    "Imports every layer described by a .json file in DIR (see layers/README.md), skipping the\n"
    "ones whose source and definition did not change. Prints each layer's quality report.\n"
    "\n"
    "  --force     import every layer even when nothing changed\n"
    "  --quiet     print one line per layer instead of the reports\n";

static int by_name(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.json files of dir, sorted; NULL-terminated, caller frees each and the array. */
static char **list_definitions(const char *dir, size_t *out_n) {
  DIR *d = opendir(dir);
  if (!d) return NULL;
  size_t n = 0, cap = 16;
  char **names = calloc(cap + 1, sizeof *names);
  struct dirent *ent;
  while (names && (ent = readdir(d)) != NULL) {
    size_t len = strlen(ent->d_name);
    if (len < 6 || strcmp(ent->d_name + len - 5, ".json") != 0 || ent->d_name[0] == '.') continue;
    if (n == cap) {
      char **grown = realloc(names, (2 * cap + 1) * sizeof *names);
      if (!grown) break;
      names = grown;
      cap *= 2;
    }
    size_t plen = strlen(dir) + len + 2;
    if ((names[n] = malloc(plen))) snprintf(names[n++], plen, "%s/%s", dir, ent->d_name);
    names[n] = NULL;
  }
  closedir(d);
  if (names) qsort(names, n, sizeof *names, by_name);
  *out_n = n;
  return names;
}

/* Imports one definition; returns true when it is published or unchanged. */
static bool publish_one(const char *path, const char *db, bool force, bool quiet) {
  layer_def def;
  err e;
  err_clear(&e);
  bool ok = false;
  if (layerdef_load(path, &def, &e) != ERR_OK) {
    fprintf(stderr, "teselas: publish: %s\n", e.msg);
    layerdef_free(&def);
    return false;
  }
  def.opt.db_path = db;
  def.opt.force = force;
  if (isatty(2)) def.opt.progress = stderr;
  import_result res;
  err_code rc = import_run(&def.opt, &res, &e);
  const char *id = def.opt.layer_id;
  if (res.status == IMPORT_UNCHANGED) {
    printf("%s: sin cambios (versión %lld)\n", id, (long long)res.version);
  } else {
    if (!quiet && res.report_text) printf("== %s ==\n%s\n", id, res.report_text);
    else if (rc == ERR_OK) printf("%s: versión %lld publicada\n", id, (long long)res.version);
  }
  if (rc != ERR_OK) fprintf(stderr, "teselas: publish: %s: %s\n", id, e.msg);
  ok = rc == ERR_OK;
  fflush(stdout);
  import_result_free(&res);
  layerdef_free(&def);
  return ok;
}

int cli_publish(int argc, char **argv) {
  static const struct option OPTS[] = {{"db", 1, 0, 'd'},      {"force", 0, 0, 'f'},
                                       {"quiet", 0, 0, 'q'},   {"help", 0, 0, 'h'},
                                       {"version", 0, 0, 'V'}, {0, 0, 0, 0}};
  const char *db = NULL;
  bool force = false, quiet = false;
  int c;
  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, ":", OPTS, NULL)) != -1) {
    switch (c) {
      case 'd': db = optarg; break;
      case 'f': force = true; break;
      case 'q': quiet = true; break;
      case 'h': fputs(USAGE, stdout); return 0;
      case 'V': return cli_version();
      default:
        fprintf(stderr, "teselas: bad option %s\n\n%s", argv[optind - 1], USAGE);
        return 2;
    }
  }
  if (!db || optind + 1 != argc) {
    fprintf(stderr, "teselas: publish needs one DIR and --db DB\n\n%s", USAGE);
    return 2;
  }
  size_t n = 0;
  char **defs = list_definitions(argv[optind], &n);
  if (!defs) {
    fprintf(stderr, "teselas: publish: cannot read the folder %s\n", argv[optind]);
    return 1;
  }
  if (n == 0) fprintf(stderr, "teselas: publish: no .json layer definitions in %s\n", argv[optind]);
  size_t failed = 0;
  for (size_t i = 0; i < n; i++) {
    failed += !publish_one(defs[i], db, force, quiet);
    free(defs[i]);
  }
  free(defs);
  if (failed) fprintf(stderr, "teselas: publish: %zu of %zu layers failed\n", failed, n);
  return failed || n == 0 ? 1 : 0;
}
