/* usage.c — `teselas usage --db DB`: views and downloads of each layer by day, week or month,
 * from the counts a running server keeps in the database (store/usage.c), as text, CSV or JSON.
 * The same report as GET /admin/uso; catalog/usage.c writes it, this parses the flags. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "catalog/catalog.h"
#include "cli/cli.h"
#include "store/store.h"

static const char USAGE[] =
    "usage: teselas usage --db DB [--since DATE] [--by day|week|month] [--format text|csv|json]\n"
    "\n"
    "Lists, for each period and layer, the requests a server answered: map pages, vector tiles,\n"
    "images, feature queries and downloads, and the bytes sent. A server adds its counts to the\n"
    "database every minute and when it stops, by hour (UTC). No request log is kept: no address,\n"
    "browser or query string is stored.\n"
    "\n"
    "  --since DATE   from this day on (YYYY-MM-DD, UTC)\n"
    "  --by P         day (default), week (from Monday) or month\n"
    "  --format F     text (default), csv or json\n";

static int bad_usage(const char *why) {
  fprintf(stderr, "teselas: usage: %s\n\n%s", why, USAGE);
  return 2;
}

static bool parse_by(const char *s, store_usage_period *out) {
  static const char *const NAMES[] = {"day", "week", "month"};
  for (int i = 0; i < 3; i++)
    if (strcmp(s, NAMES[i]) == 0) {
      *out = (store_usage_period)i;
      return true;
    }
  return false;
}

static bool parse_format(const char *s, catalog_usage_format *out) {
  static const char *const NAMES[] = {"text", "csv", "json"};
  for (int i = 0; i < 3; i++)
    if (strcmp(s, NAMES[i]) == 0) {
      *out = (catalog_usage_format)i;
      return true;
    }
  return false;
}

static err_code write_usage(store_reader *r, const catalog *cat, void *ctx, buf *out, err *e) {
  return catalog_usage_write(r, cat, ctx, out, e);
}

int cli_usage(int argc, char **argv) {
  static const struct option OPTS[] = {{"db", 1, 0, 'd'},     {"since", 1, 0, 's'},
                                       {"by", 1, 0, 'b'},     {"format", 1, 0, 'f'},
                                       {"help", 0, 0, 'h'},   {"version", 0, 0, 'V'},
                                       {0, 0, 0, 0}};
  const char *db = NULL;
  catalog_usage_req q = {.by = STORE_USAGE_DAY, .format = CATALOG_USAGE_TEXT};
  int c;
  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, ":", OPTS, NULL)) != -1) {
    switch (c) {
      case 'd': db = optarg; break;
      case 's':
        if (!catalog_usage_since_valid(optarg)) return bad_usage("--since is a date, YYYY-MM-DD");
        q.since = optarg;
        break;
      case 'b':
        if (!parse_by(optarg, &q.by)) return bad_usage("--by is day, week or month");
        break;
      case 'f':
        if (!parse_format(optarg, &q.format)) return bad_usage("--format is text, csv or json");
        break;
      default: return cli_common_option(c, argv, USAGE);
    }
  }
  if (!db || optind < argc) return bad_usage("usage needs --db DB and nothing else");
  return cli_print_catalog_doc(db, "usage", write_usage, &q);
}
