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
  store_reader *r = NULL;
  const catalog *cat = NULL;
  calendar_report rep;
  buf out;
  buf_init(&out, 0);
  err e;
  err_clear(&e);
  err_code rc = store_reader_open(db, &r, &e);
  if (rc == ERR_OK) rc = store_reader_catalog(r, &cat, &e);
  if (rc == ERR_OK) rc = calendar_report_build(r, cat, now, grace, &rep, &e);
  if (rc == ERR_OK) {
    rc = calendar_report_write(&rep, fmt, &out, &e);
    calendar_report_free(&rep);
  }
  if (rc == ERR_OK) fwrite(out.data, 1, out.len, stdout);
  else fprintf(stderr, "teselas: report: %s\n", e.msg);
  buf_free(&out);
  store_reader_close(r);
  return rc == ERR_OK ? 0 : 1;
}
