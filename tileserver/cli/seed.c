/* seed.c — `teselas seed`: the server's tiles written to a PMTiles or MBTiles archive. The work
 * is the seed module's; this file parses flags and turns SIGINT/SIGTERM into a cancel (the
 * partial file is then removed). */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "archives/archives.h"
#include "cli/cli.h"
#include "seed/seed.h"

static const char USAGE[] =
    "usage: teselas seed --db DB (--layers a,b | --style S --format png|png@2x) --zoom MIN-MAX\n"
    "                    --out FILE.pmtiles|FILE.mbtiles [--bbox W,S,E,N] [--jobs N] [--name T]\n"
    "                    [--styles DIR] [--archive NAME=FILE ...] [--quiet]\n"
    "       teselas seed --db DB --since ARCHIVE|VERSION --out FILE [--changes URLS.txt]\n"
    "                    [--layers a,b | --style S] [--zoom MIN-MAX] [--bbox W,S,E,N] [--jobs N]\n"
    "\n"
    "Writes every tile of the zooms within the box (default: the layers' bounds) to a PMTiles v3\n"
    "or MBTiles 1.3 archive: vector tiles of the layers (empty ones left out), or PNG tiles drawn\n"
    "by a style, the same bytes the server answers for the same layer versions. The file appears\n"
    "under its name only when complete (it is written as FILE.partial-PID, removed on error or\n"
    "Ctrl-C). --jobs defaults to the number of cores. --archive NAME=FILE (repeatable) gives a PNG\n"
    "seed the PMTiles or MBTiles archives its style's basemap sources name, as serve takes them.\n"
    "\n"
    "With --since, an archive an earlier seed wrote (or, with --out that archive, the versions it\n"
    "was made from: 3, or parques=3,rios=5): only the tiles the features added, removed or changed\n"
    "since those versions reach are made again; the others are copied. Layers, zooms and box are\n"
    "the archive's. --changes writes the URL paths of the tiles that changed (and of the PNG tiles\n"
    "of the styles that draw a changed layer), one a line, for a CDN purge.\n";

/* Set by SIGINT/SIGTERM, read by the seed's writer loop: the one write a handler may do. */
static volatile sig_atomic_t cancelled;

static void on_signal(int sig) {
  (void)sig;
  cancelled = 1;
}

static bool parse_zoom(const char *s, int *lo, int *hi) {
  char *end;
  long a = strtol(s, &end, 10), b = a;
  if (end == s) return false;
  if (*end == '-') {
    const char *t = end + 1;
    b = strtol(t, &end, 10);
    if (end == t) return false;
  }
  if (*end || a < 0 || b < 0 || a > 99 || b > 99) return false;
  *lo = (int)a;
  *hi = (int)b;
  return true;
}

static bool parse_bbox(const char *s, double b[4]) {
  char *end;
  for (int i = 0; i < 4; i++) {
    b[i] = strtod(s, &end);
    if (end == s || (i < 3 && *end != ',') || (i == 3 && *end)) return false;
    s = end + 1;
  }
  return true;
}

static int usage_error(const char *msg) {
  fprintf(stderr, "teselas: %s\n\n%s", msg, USAGE);
  return 2;
}

int cli_seed(int argc, char **argv) {
  static const struct option OPTS[] = {
      {"db", required_argument, 0, 'd'},     {"layers", required_argument, 0, 'l'},
      {"style", required_argument, 0, 's'},  {"zoom", required_argument, 0, 'z'},
      {"bbox", required_argument, 0, 'b'},   {"out", required_argument, 0, 'o'},
      {"format", required_argument, 0, 'f'}, {"jobs", required_argument, 0, 'j'},
      {"name", required_argument, 0, 'n'},   {"styles", required_argument, 0, 'S'},
      {"since", required_argument, 0, 'i'},  {"changes", required_argument, 0, 'c'},
      {"archive", required_argument, 0, 'a'},
      {"quiet", no_argument, 0, 'q'},        {"help", no_argument, 0, 'h'},
      {"version", no_argument, 0, 'V'},      {0, 0, 0, 0}};
  seed_options o = {.minzoom = -1, .log = stderr, .progress = isatty(2) ? 1 : 0,
                    .cancel = &cancelled};
  const char *zoom = NULL;
  archive_source archives[ARCHIVES_MAX];
  o.archives = archives;
  int c;
  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, ":", OPTS, NULL)) != -1) {
    switch (c) {
      case 'd': o.db_path = optarg; break;
      case 'l': o.layers = optarg; break;
      case 's': o.style = optarg; break;
      case 'z': zoom = optarg; break;
      case 'b':
        if (!parse_bbox(optarg, o.bbox)) return usage_error("--bbox: four numbers W,S,E,N");
        o.has_bbox = true;
        break;
      case 'o': o.out_path = optarg; break;
      case 'f':
        if (strcmp(optarg, "pbf") == 0) o.format = SEED_PBF;
        else if (strcmp(optarg, "png") == 0) o.format = SEED_PNG;
        else if (strcmp(optarg, "png@2x") == 0) o.format = SEED_PNG2X;
        else return usage_error("--format: pbf, png or png@2x");
        break;
      case 'j': o.jobs = atoi(optarg); if (o.jobs < 1 || o.jobs > 64) return usage_error("--jobs: 1 to 64"); break;
      case 'n': o.name = optarg; break;
      case 'S': o.styles_dir = optarg; break;
      case 'i': o.since = optarg; break;
      case 'c': o.changes_path = optarg; break;
      case 'a': {
        char *eq = strchr(optarg, '=');
        if (!eq || eq == optarg || !eq[1] || o.n_archives == ARCHIVES_MAX)
          return usage_error("--archive: NAME=FILE.pmtiles|FILE.mbtiles, at most 32");
        *eq = '\0';
        archives[o.n_archives++] = (archive_source){optarg, eq + 1};
        break;
      }
      case 'q': o.progress = -1; break;
      case 'h': fputs(USAGE, stdout); return 0;
      case 'V': return cli_version();
      default:
        fprintf(stderr, "teselas: bad option %s\n\n%s", argv[optind - 1], USAGE);
        return 2;
    }
  }
  if (!o.db_path || !o.out_path || (!zoom && !o.since) || optind < argc)
    return usage_error("seed needs --db, --zoom and --out");
  if (o.changes_path && !o.since) return usage_error("--changes needs --since");
  if (zoom && (!parse_zoom(zoom, &o.minzoom, &o.maxzoom) || o.minzoom > o.maxzoom))
    return usage_error("--zoom: MIN-MAX (or one zoom), 0 <= MIN <= MAX");
  struct sigaction sa = {.sa_handler = on_signal};
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  seed_result r;
  err e;
  err_clear(&e);
  if (seed_run(&o, &r, &e) != ERR_OK) {
    fprintf(stderr, "teselas: %s\n", e.msg);
    return 1;
  }
  if (o.progress >= 0 && o.since)
    fprintf(stderr, "seed: %s: %llu tiles made again (%llu changed), %llu copied, %llu URLs listed, "
            "%.1f s\n", o.out_path, (unsigned long long)r.n_remade,
            (unsigned long long)r.n_changed, (unsigned long long)r.n_copied,
            (unsigned long long)r.n_urls, r.seconds);
  else if (o.progress >= 0)
    fprintf(stderr, "seed: %s: %llu tiles (%llu distinct) of %llu addresses, %llu bytes, %.1f s\n",
            o.out_path, (unsigned long long)r.n_tiles, (unsigned long long)r.n_contents,
            (unsigned long long)r.n_addresses, (unsigned long long)r.archive_bytes, r.seconds);
  return 0;
}
