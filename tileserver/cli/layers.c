/* layers.c — `teselas layers --db DB`: the catalog as a table a person can read. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "store/store.h"

static const char USAGE[] =
    "usage: teselas layers --db DB [--json]\n"
    "\n"
    "Lists the layers of a database: id, version, features, geometry type, title; then the\n"
    "catalog's area of interest, when one is set.\n";

int cli_layers(int argc, char **argv) {
  static const struct option OPTS[] = {{"db", required_argument, 0, 'd'},
                                       {"json", no_argument, 0, 'j'},
                                       {"help", no_argument, 0, 'h'},
                                       {"version", no_argument, 0, 'V'},
                                       {0, 0, 0, 0}};
  const char *db = NULL;
  bool json = false;
  int c;
  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, ":", OPTS, NULL)) != -1) {
    switch (c) {
      case 'd': db = optarg; break;
      case 'j': json = true; break;
      case 'h': fputs(USAGE, stdout); return 0;
      case 'V': return cli_version();
      default:
        fprintf(stderr, "teselas: bad option %s\n\n%s", argv[optind - 1], USAGE);
        return 2;
    }
  }
  if (!db || optind < argc) {
    fprintf(stderr, "teselas: layers needs --db DB and nothing else\n\n%s", USAGE);
    return 2;
  }
  store_reader *r = NULL;
  const catalog *cat = NULL;
  err e;
  err_clear(&e);
  if (store_reader_open(db, &r, &e) != ERR_OK || store_reader_catalog(r, &cat, &e) != ERR_OK) {
    fprintf(stderr, "teselas: %s\n", e.msg);
    store_reader_close(r);
    return 1;
  }
  if (json) fputs("[", stdout);
  else printf("%-24s %7s %10s  %-10s  %s\n", "ID", "VERSION", "FEATURES", "GEOMETRY", "TITLE");
  for (size_t i = 0; i < cat->n_layers; i++) {
    const layer_info *l = &cat->layers[i];
    if (json)
      printf("%s{\"id\":\"%s\",\"version\":%lld,\"features\":%lld,\"geometry\":\"%s\"}",
             i ? "," : "", l->id, (long long)l->version, (long long)l->feature_count,
             l->geometry_type);
    else
      printf("%-24s %7lld %10lld  %-10s  %s%s\n", l->id, (long long)l->version,
             (long long)l->feature_count, l->geometry_type, l->title,
             l->sample ? " (muestra)" : "");
  }
  if (json) puts("]");
  store_reader_close(r);
  double area[4];
  bool has_area = false;
  if (!json && store_area_get(db, area, &has_area, &e) == ERR_OK && has_area)
    printf("\nárea de interés del catálogo: %g,%g,%g,%g\n", area[0], area[1], area[2], area[3]);
  return 0;
}
