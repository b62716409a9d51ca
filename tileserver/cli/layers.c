/* layers.c — `teselas layers --db DB`: the catalog as a table a person can read. */
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
  const char *db = NULL;
  bool json = false;
  const cli_opt opts[] = {{"json", &json, NULL}};
  int status = cli_parse_db_command(
      argc, argv, &(cli_db_command){USAGE, "layers needs --db DB and nothing else", opts, 1, 0, NULL},
      &db, NULL);
  if (status >= 0) return status;
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
