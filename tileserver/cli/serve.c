/* serve.c — `teselas serve`: parse the flags into a server_config, start, then wait for signals:
 * SIGHUP reloads the styles, SIGINT or SIGTERM drain the requests in flight and stop. Under
 * systemd (Type=notify) it reports readiness, reloads and stopping, and pings the watchdog.
 *
 * No signal handler runs at all: the signals are blocked in every thread and this thread takes
 * them with sigtimedwait, so whatever a signal triggers runs as ordinary code. */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/serve_int.h"
#include "core/log.h"
#include "importers/import.h"

static const char USAGE[] =
    "usage: teselas serve --db DB [options]\n"
    "\n"
    "  --db DB               the SpatiaLite database (made by `teselas import` or `teselas demo`),\n"
    "                        or a PostgreSQL URI postgresql://USER@HOST:PORT/NAME (the primary)\n"
    "  --db-read URI         a hot standby of the PostgreSQL primary to read from (repeatable:\n"
    "                        round robin, the primary when none answers); uploads go to --db\n"
    "  --db-schema S         the schema of the catalog in PostgreSQL (default teselas)\n"
    "  --port N              TCP port (default 8080; 0 picks a free one)\n"
    "  --bind ADDR           IPv4 address to listen on (default 127.0.0.1)\n"
    "  --threads N           worker threads (default: one per core)\n"
    "  --public-url URL      base of absolute URLs when behind a proxy\n"
    "  --styles DIR          add the MapLibre styles of DIR\n"
    "  --cache-control S     Cache-Control of data responses (default \"public, max-age=300\")\n"
    "  --tile-cache-mb N     in-memory tile cache size (default 256; 0 disables)\n"
    "  --archive NAME=FILE   serve a PMTiles or MBTiles archive as the read-only layer NAME, and\n"
    "                        the file itself at /archives/NAME.pmtiles or .mbtiles (repeatable)\n"
    "  --upload-max-mb N     largest upload to POST /api/layers/{id}/versions (default 200)\n"
    "  --job-queue N         uploads waiting to be imported, beyond them 503 (default 8)\n"
    "  --max-connections N   client connections open at once, beyond them refused (default 4096)\n"
    "  --per-ip-connections N  open from one client address (default 128; 0: no bound, behind\n"
    "                        a reverse proxy whose address every connection shares)\n"
    "  --request-timeout S   close a connection idle this long, or a client sending slower\n"
    "                        (default 30)\n"
    "  --drain-seconds S     on SIGTERM/SIGINT, wait this long for requests in flight (default 10)\n"
    "  --request-memory-mb N memory one request may use (default 256), beyond it 413 JSON\n"
    "  --response-max-mb N   largest response built in memory (default 512), beyond it 413 JSON\n"
    "  --busy-timeout-ms N   how long a read waits for a lock another program holds on the\n"
    "                        database file (default 5000), beyond it 503 JSON with Retry-After\n"
    "  --request-time-ms N   how long one request may read the database and draw its image\n"
    "                        (default 30000), beyond it 503 JSON with Retry-After; downloads\n"
    "                        are not bound\n"
    "  --log-format F        text (default) or json: one JSON object per line\n"
    "  --per-ip-rate N/s     requests a second from one client address, beyond them 429 with\n"
    "                        Retry-After (default: no bound; /health and /metrics have their own)\n"
    "  --per-ip-burst N      requests at once above the rate (default: 4 seconds' worth)\n"
    "  --per-ip-penalty S    an address that keeps asking past its rate after its 429s is\n"
    "                        refused at accept for S seconds (default 0: never; 10 is a start)\n"
    "  --trusted-proxy CIDR  a reverse proxy whose X-Forwarded-For names the client, for the\n"
    "                        per-address bounds and the sign-in throttle (repeatable)\n"
    "  --quiet               no access log\n"
    "  --help, --version\n";

void serve_config_defaults(server_config *cfg) {
  memset(cfg, 0, sizeof *cfg);
  cfg->bind = "127.0.0.1";
  cfg->port = 8080;
  cfg->cache_control = "public, max-age=300";
  cfg->tile_cache_bytes = 256u * 1024 * 1024;
  cfg->request_arena_bytes = 256u * 1024 * 1024;
  cfg->response_max_bytes = 512u * 1024 * 1024;
  cfg->tile_buffer = 64;
  /* 4096 connections: a descriptor each, and a 4 KiB read buffer that grows only for a larger
   * request head. 128 per address: a browser opens
   * 6 per host, so an office behind one NAT address gets about twenty people. 30 s: a phone on
   * a poor link still finishes its request. 10 s of drain: under systemd's and Kubernetes'
   * default stop grace (90 s and 30 s), longer than any tile or page takes. */
  cfg->max_connections = 4096;
  cfg->per_ip_connections = 128;
  cfg->request_timeout_s = 30;
  cfg->drain_seconds = 10;
  /* No request rate by default (per_ip_rate 0): behind a reverse proxy not named with
   * --trusted-proxy every client has the proxy's address, and a seeder or a benchmark on the
   * same host is one client; the rate that suits depends on the deployment (README). With a
   * rate, an address that ignores its 429s is refused at accept for 10 s: long enough that the
   * refusals (a ninth of a 429's cost) are most of a flood's attempts, short enough that a
   * client who misbehaved once is back within a page's reload. */
  cfg->per_ip_penalty_s = 0; /* opt-in: behind a proxy not named with --trusted-proxy, or a NAT,
                                 one client's flood would close the address of everyone, monitoring included */
  cfg->busy_timeout_ms = STORE_BUSY_TIMEOUT_MS;
  /* as long as --request-timeout lets a client wait; a 1,000-term filter over 131,000 points
   * took 8 s on a loaded 2-core machine */
  cfg->request_time_ms = 30000;
}

static bool parse_int(const char *s, long lo, long hi, long *out) {
  char *end = NULL;
  long v = strtol(s, &end, 10);
  if (!*s || *end || v < lo || v > hi) return false;
  *out = v;
  return true;
}

/* --per-ip-rate: "N/s" or N, requests a second (fractions allowed: "0.5/s"); "0" or "off": none. */
static bool parse_rate(const char *s, double *out) {
  if (strcmp(s, "off") == 0) {
    *out = 0;
    return true;
  }
  char *end = NULL;
  double v = strtod(s, &end);
  if (end == s || (*end && strcmp(end, "/s") != 0) || !(v >= 0) || v > 1e6) return false;
  *out = v;
  return true;
}

/* --archive NAME=FILE: the name is checked with the layers' rules at start-up. The strings are
 * argv's, which outlive the server. */
static bool add_archive(server_config *cfg, char *arg) {
  char *eq = strchr(arg, '=');
  if (!eq || eq == arg || !eq[1] || cfg->n_archives == ARCHIVES_MAX) return false;
  *eq = '\0';
  cfg->archives[cfg->n_archives++] = (archive_source){arg, eq + 1};
  return true;
}

/* Returns 0 when parsed, 2 on bad usage, -1 when --help/--version was answered. */
int serve_parse_flags(int argc, char **argv, server_config *cfg, const char *usage) {
  static const struct option OPTS[] = {
      {"db", required_argument, 0, 'd'},         {"port", required_argument, 0, 'p'},
      {"bind", required_argument, 0, 'b'},       {"threads", required_argument, 0, 't'},
      {"public-url", required_argument, 0, 'u'}, {"styles", required_argument, 0, 's'},
      {"cache-control", required_argument, 0, 'c'}, {"tile-cache-mb", required_argument, 0, 'm'},
      {"quiet", no_argument, 0, 'q'},            {"help", no_argument, 0, 'h'},
      {"archive", required_argument, 0, 'a'},
      {"upload-max-mb", required_argument, 0, 'U'}, {"job-queue", required_argument, 0, 'J'},
      {"max-connections", required_argument, 0, 'C'},
      {"per-ip-connections", required_argument, 0, 'I'},
      {"request-timeout", required_argument, 0, 'T'}, {"drain-seconds", required_argument, 0, 'D'},
      {"request-memory-mb", required_argument, 0, 'M'},
      {"response-max-mb", required_argument, 0, 'R'}, {"log-format", required_argument, 0, 'L'},
      {"db-read", required_argument, 0, 'B'},    {"db-schema", required_argument, 0, 'S'},
      {"version", no_argument, 0, 'V'},
      {"per-ip-rate", required_argument, 0, 'k'}, {"per-ip-burst", required_argument, 0, 'K'},
      {"trusted-proxy", required_argument, 0, 'X'},
      {"per-ip-penalty", required_argument, 0, 'Y'},
      {"busy-timeout-ms", required_argument, 0, 'W'},
      {"request-time-ms", required_argument, 0, 'E'}, {0, 0, 0, 0}};
  long v;
  int c, li = 0;
  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, ":", OPTS, &li)) != -1) {
    switch (c) {
      case 'd': cfg->db_path = optarg; break;
      case 'p':
        if (!parse_int(optarg, 0, 65535, &v)) goto bad_value;
        cfg->port = (int)v;
        break;
      case 'b': cfg->bind = optarg; break;
      case 't':
        if (!parse_int(optarg, 1, 256, &v)) goto bad_value;
        cfg->threads = (int)v;
        break;
      case 'u': cfg->public_url = optarg; break;
      case 's': cfg->styles_dir = optarg; break;
      case 'c': cfg->cache_control = optarg; break;
      case 'm':
        if (!parse_int(optarg, 0, 1 << 20, &v)) goto bad_value;
        cfg->tile_cache_bytes = (size_t)v * 1024 * 1024;
        break;
      case 'q': cfg->quiet = true; break;
      case 'a':
        if (!add_archive(cfg, optarg)) goto bad_value;
        break;
      case 'U':
        if (!parse_int(optarg, 1, 1 << 20, &v)) goto bad_value;
        cfg->upload_max_bytes = (uint64_t)v * 1024 * 1024;
        break;
      case 'J':
        if (!parse_int(optarg, 1, 1000, &v)) goto bad_value;
        cfg->job_queue = (size_t)v;
        break;
      case 'C':
        if (!parse_int(optarg, 1, 1 << 20, &v)) goto bad_value;
        cfg->max_connections = (size_t)v;
        break;
      case 'I':
        if (!parse_int(optarg, 0, 1 << 20, &v)) goto bad_value;
        cfg->per_ip_connections = (size_t)v;
        break;
      case 'T':
        if (!parse_int(optarg, 1, 3600, &v)) goto bad_value;
        cfg->request_timeout_s = (int)v;
        break;
      case 'D':
        if (!parse_int(optarg, 0, 3600, &v)) goto bad_value;
        cfg->drain_seconds = (int)v;
        break;
      case 'M':
        if (!parse_int(optarg, 1, 1 << 16, &v)) goto bad_value;
        cfg->request_arena_bytes = (size_t)v * 1024 * 1024;
        break;
      case 'R':
        if (!parse_int(optarg, 1, 1 << 16, &v)) goto bad_value;
        cfg->response_max_bytes = (size_t)v * 1024 * 1024;
        break;
      case 'L':
        if (strcmp(optarg, "json") != 0 && strcmp(optarg, "text") != 0) goto bad_value;
        cfg->log_json = strcmp(optarg, "json") == 0;
        break;
      case 'B':
        if (cfg->n_db_read == STORE_READ_MAX || !store_db_is_pg(optarg)) goto bad_value;
        cfg->db_read[cfg->n_db_read++] = optarg;
        break;
      case 'S': cfg->db_schema = optarg; break;
      case 'k':
        if (!parse_rate(optarg, &cfg->per_ip_rate)) goto bad_value;
        break;
      case 'K':
        if (!parse_int(optarg, 1, 1 << 20, &v)) goto bad_value;
        cfg->per_ip_burst = (double)v;
        break;
      case 'Y':
        if (!parse_int(optarg, 0, 3600, &v)) goto bad_value;
        cfg->per_ip_penalty_s = (double)v;
        break;
      case 'X':
        if (cfg->n_trusted_proxies == HTTP_TRUSTED_PROXIES_MAX ||
            !http_cidr_parse(optarg, &cfg->trusted_proxies[cfg->n_trusted_proxies]))
          goto bad_value;
        cfg->n_trusted_proxies++;
        break;
      case 'W':
        if (!parse_int(optarg, 1, 600000, &v)) goto bad_value;
        cfg->busy_timeout_ms = (int)v;
        break;
      case 'E':
        if (!parse_int(optarg, 1, 3600000, &v)) goto bad_value;
        cfg->request_time_ms = (int)v;
        break;
      case 'h': fputs(usage, stdout); return -1;
      case 'V': cli_version(); return -1;
      case ':':
        fprintf(stderr, "teselas: option %s needs a value\n\n%s", argv[optind - 1], usage);
        return 2;
      default:
        fprintf(stderr, "teselas: unknown option %s\n\n%s", argv[optind - 1], usage);
        return 2;
    }
  }
  return 0;
bad_value:
  fprintf(stderr, "teselas: invalid value '%s' for --%s\n\n%s", optarg, OPTS[li].name, usage);
  return 2;
}

/* Each connection is a descriptor: the soft limit (often 1024) is raised to the hard one, and a
 * hard limit below --max-connections is said at start rather than found as accept errors. */
static void raise_fd_limit(const server_config *cfg) {
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return;
  if (rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < cfg->max_connections + 256)
    log_warn("the open-file limit (%llu) is below --max-connections %zu plus the server's own "
             "files: raise it (LimitNOFILE= under systemd, ulimit -n)",
             (unsigned long long)rl.rlim_cur, cfg->max_connections);
}

/* How long sigtimedwait may sleep: half the watchdog interval when systemd asks for pings
 * (sd_watchdog_enabled reads WATCHDOG_USEC), else a second. */
static struct timespec wait_step(uint64_t watchdog_us) {
  uint64_t us = watchdog_us ? watchdog_us / 2 : 1000000;
  if (us > 1000000) us = 1000000;
  if (us < 1000) us = 1000;
  return (struct timespec){(time_t)(us / 1000000), (long)(us % 1000000) * 1000};
}

static void reload(http_server *srv) {
  sd_notify(0, "RELOADING=1");
  err e;
  err_clear(&e);
  if (http_server_reload(srv, &e) == ERR_OK) log_info("received SIGHUP, styles reloaded");
  else log_error("received SIGHUP, styles not reloaded (the previous ones stay): %s", e.msg);
  sd_notify(0, "READY=1");
}

/* Waits for SIGINT/SIGTERM, reloading on SIGHUP and pinging the watchdog meanwhile; returns the
 * signal that asked to stop. */
static int wait_for_stop(http_server *srv, const sigset_t *set) {
  uint64_t watchdog_us = 0;
  if (sd_watchdog_enabled(0, &watchdog_us) <= 0) watchdog_us = 0;
  struct timespec step = wait_step(watchdog_us);
  for (;;) {
    int sig = sigtimedwait(set, NULL, &step);
    if (sig == SIGHUP) reload(srv);
    else if (sig == SIGINT || sig == SIGTERM) return sig;
    else if (sig < 0 && errno != EAGAIN && errno != EINTR) return SIGTERM;
    /* the loop is alive and the server answers from its own threads */
    if (watchdog_us) sd_notify(0, "WATCHDOG=1");
  }
}

int serve_run(const server_config *cfg) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  /* Blocked before the workers exist so that only this thread receives them. */
  pthread_sigmask(SIG_BLOCK, &set, NULL);
  signal(SIGPIPE, SIG_IGN);
  log_use_json(cfg->log_json);
  raise_fd_limit(cfg);
  /* GDAL restricted (drivers, network) before any worker can import or export with it */
  import_gdal_setup();
  http_server *srv = NULL;
  err e;
  err_clear(&e);
  if (http_server_start(cfg, &srv, &e) != ERR_OK) {
    fprintf(stderr, "teselas: %s\n", e.msg);
    return 1;
  }
  log_info("teselas %s serving %s at http://%s:%d/", TESELAS_VERSION, cfg->db_path, cfg->bind,
           http_server_port(srv));
  fflush(stderr);
  sd_notifyf(0, "READY=1\nSTATUS=serving on %s:%d", cfg->bind, http_server_port(srv));
  int sig = wait_for_stop(srv, &set);
  sd_notify(0, "STOPPING=1");
  log_info("received %s, draining in-flight requests (up to %d s)",
           sig == SIGINT ? "SIGINT" : "SIGTERM", cfg->drain_seconds);
  long left = http_server_drain(srv, cfg->drain_seconds);
  if (left > 0) log_warn("%ld requests still unanswered after %d s: closing them", left,
                         cfg->drain_seconds);
  http_server_stop(srv);
  log_info("stopped");
  return 0;
}

/* A schema teselas writes unquoted in a URI (as `teselas copy --db-schema`): [a-z_][a-z0-9_]*. */
static bool schema_valid(const char *s) {
  size_t n = strlen(s);
  if (n == 0 || n > 63 || (s[0] >= '0' && s[0] <= '9')) return false;
  for (size_t i = 0; i < n; i++)
    if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
      return false;
  return true;
}

/* uri reading schema first (then public, for PostGIS), as libpq's options parameter sets it;
 * NULL when the URI already chooses a search path. Caller frees. */
static char *uri_with_schema(const char *uri, const char *schema) {
  if (strstr(uri, "search_path")) return NULL;
  char *out = NULL;
  if (asprintf(&out, "%s%coptions=-csearch_path%%3D%s%%2Cpublic", uri,
               strchr(uri, '?') ? '&' : '?', schema) < 0)
    return NULL;
  return out;
}

/* --db-schema over the URIs of --db and --db-read; the strings go in owned[] (freed by the
 * caller after the server stopped). False after saying why. */
static bool apply_schema(server_config *cfg, char **owned) {
  if (!cfg->db_schema) return true;
  if (!store_db_is_pg(cfg->db_path)) {
    fprintf(stderr, "teselas: --db-schema needs a PostgreSQL --db\n");
    return false;
  }
  if (!schema_valid(cfg->db_schema)) {
    fprintf(stderr, "teselas: --db-schema: lower-case letters, digits and _ only\n");
    return false;
  }
  const char **uris[STORE_READ_MAX + 1] = {&cfg->db_path};
  for (size_t i = 0; i < cfg->n_db_read; i++) uris[i + 1] = &cfg->db_read[i];
  for (size_t i = 0; i <= cfg->n_db_read; i++) {
    if (!(owned[i] = uri_with_schema(*uris[i], cfg->db_schema))) {
      fprintf(stderr, "teselas: --db-schema and a URI that sets search_path: choose one\n");
      return false;
    }
    *uris[i] = owned[i];
  }
  return true;
}

int cli_serve(int argc, char **argv) {
  server_config cfg;
  serve_config_defaults(&cfg);
  int rc = serve_parse_flags(argc, argv, &cfg, USAGE);
  if (rc) return rc < 0 ? 0 : rc;
  if (optind < argc) {
    fprintf(stderr, "teselas: unexpected argument '%s'\n\n%s", argv[optind], USAGE);
    return 2;
  }
  if (!cfg.db_path) {
    fprintf(stderr, "teselas: serve needs --db DB\n\n%s", USAGE);
    return 2;
  }
  if (cfg.n_db_read && !store_db_is_pg(cfg.db_path)) {
    fprintf(stderr, "teselas: --db-read needs a PostgreSQL --db (the primary)\n");
    return 2;
  }
  char *owned[STORE_READ_MAX + 1] = {0};
  rc = apply_schema(&cfg, owned) ? serve_run(&cfg) : 2;
  for (size_t i = 0; i <= STORE_READ_MAX; i++) free(owned[i]);
  return rc;
}
