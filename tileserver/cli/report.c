/* report.c — `teselas report --db DB`: the update calendar per publisher (last and next delivery,
 * days late, the last quality figures and their trend), as text, JSON, CSV or HTML. The same
 * report as GET /api/report; calendar/ builds and writes it, this parses the flags. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "calendar/calendar.h"
#include "cli/cli.h"
#include "store/store.h"

static const char USAGE[] =
    "usage: teselas report --db DB [--now ISO] [--grace-days N] [--format text|json|csv|html]\n"
    "\n"
    "Lists every layer by publisher: its frequency, last and next delivery, how many days it is\n"
    "late, the quality figures of its last version and their trend over the last versions.\n"
    "A layer is late once its due date (its last version's time plus its frequency) and a grace\n"
    "period have passed: 7 days (1 for weekly layers, none for daily ones) unless --grace-days.\n"
    "\n"
    "  --now ISO         the report as at this time (2026-03-01 or 2026-03-01T12:00:00Z)\n"
    "  --grace-days N    days of grace after the due date for every frequency (0..365)\n"
    "  --format F        text (default), json, csv or html\n"
    "\n"
    "Exit status: 0, also when layers are late (the report says which); 1 on failure.\n";

static int bad_usage(const char *why) {
  fprintf(stderr, "teselas: report: %s\n\n%s", why, USAGE);
  return 2;
}

typedef struct report_opts {
  int64_t now;
  int grace;
  calendar_format fmt;
} report_opts;

static err_code write_report(store_reader *r, const catalog *cat, void *ctx, buf *out, err *e) {
  const report_opts *o = ctx;
  calendar_report rep;
  err_code rc = calendar_report_build(r, cat, o->now, o->grace, &rep, e);
  if (rc != ERR_OK) return rc;
  rc = calendar_report_write(&rep, o->fmt, out, e);
  calendar_report_free(&rep);
  return rc;
}

int cli_report(int argc, char **argv) {
  static const struct option OPTS[] = {{"db", 1, 0, 'd'},         {"now", 1, 0, 'n'},
                                       {"grace-days", 1, 0, 'g'}, {"format", 1, 0, 'f'},
                                       {"help", 0, 0, 'h'},       {"version", 0, 0, 'V'},
                                       {0, 0, 0, 0}};
  const char *db = NULL;
  int64_t now = (int64_t)time(NULL);
  int grace = -1;
  calendar_format fmt = CALENDAR_TEXT;
  int c;
  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, ":", OPTS, NULL)) != -1) {
    char *end = NULL;
    switch (c) {
      case 'd': db = optarg; break;
      case 'n':
        if (!calendar_parse_iso(optarg, &now))
          return bad_usage("--now is YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ");
        break;
      case 'g':
        grace = (int)strtol(optarg, &end, 10);
        if (!*optarg || *end || grace < 0 || grace > 365)
          return bad_usage("--grace-days is a whole number from 0 to 365");
        break;
      case 'f':
        if (!calendar_format_parse(optarg, &fmt))
          return bad_usage("--format is text, json, csv or html");
        break;
      default: return cli_common_option(c, argv, USAGE);
    }
  }
  if (!db || optind < argc) return bad_usage("report needs --db DB and nothing else");
  report_opts o = {now, grace, fmt};
  return cli_print_catalog_doc(db, "report", write_report, &o);
}
