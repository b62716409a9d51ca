/* import.c — `teselas import FILE --db DB --layer ID [options]`: flags to import_options, the
 * report to stdout (and --report FILE.json), exit 0 when published or unchanged, 1 when the file
 * was rejected (the published layer is untouched; also when it looks personal and no --drop or
 * --keep-field decides), 2 for bad usage. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "importers/import.h"
#include "store/store.h"

static const char USAGE[] =
    "usage: teselas import FILE --db DB --layer ID [options]\n"
    "\n"
    "Loads a CSV, GeoJSON, GeoJSON sequence, Shapefile (.shp or .zip), KML/KMZ, GeoPackage or GPX\n"
    "file as a new version of layer ID, prints a quality report and stores it in the database.\n"
    "Re-importing an identical file with the same options creates no version.\n"
    "\n"
    "source:\n"
    "  --source-layer NAME    layer of a GeoPackage, KML or GPX (default: the first; KML: all)\n"
    "  --source-srs CRS       CRS of the coordinates when the file has none or a wrong one\n"
    "                         (EPSG:6372, EPSG:32614, ...)\n"
    "  --lat COL --lon COL    CSV coordinate columns (default: detected by name)\n"
    "  --wkt COL              CSV column with WKT geometries\n"
    "  --encoding ENC         CSV/DBF text encoding: UTF-8, WINDOWS-1252, ISO-8859-1\n"
    "fields:\n"
    "  --fields a,b,c         publish only these fields, in this order\n"
    "  --rename old=new,...   publish a field under another name\n"
    "  --types a=integer,...  convert fields (integer, real, text, date, datetime, boolean)\n"
    "  --id-field COL         field checked for duplicate ids (default: id, fid, gid, cvegeo...)\n"
    "  --date-field COL       field used for date queries (default: the file's one date\n"
    "                         field; '' for none)\n"
    "  --expect-schema S      refuse the import when the fields changed: 'same' (as the\n"
    "                         published version) or name:type,name:type,... (exactly these)\n"
    "checks:\n"
    "  --fix-swapped          swap latitude/longitude and restore lost minus signs when detected\n"
    "  --expect-bbox W,S,E,N  report features outside this box (default: the area of interest)\n"
    "  --area W,S,E,N         area of interest for the checks (default: the catalog's, else\n"
    "                         Mexico)\n"
    "  --save-area            with --area: store it as the catalog's area of interest, used by\n"
    "                         every later import and publish into DB (after a successful import)\n"
    "catalog:\n"
    "  --title T --description D --license L --publisher P --frequency F --keywords K\n"
    "  --privacy SPEC         privacy policy: none | generalize:grid=250[,shape=hex][,month][,k=5]\n"
    "                         | aggregate:grid=500[,k=5][,by=tipo][,date=fecha] | aggregate:layer=ID\n"
    "                         (default: the published version's policy, else none)\n"
    "  --drop F               never publish field F, not even as a column (repeatable)\n"
    "  --keep-field F         publish F although it looks personal; recorded in the catalog\n"
    "                         (repeatable)\n"
    "  --keep N               versions kept (default 3)\n"
    "  --db-schema NAME       over PostgreSQL (--db postgresql://...): the schema (default\n"
    "                         teselas, created when missing)\n"
    "limits (0 or absent: the default):\n"
    "  --max-file-mb N        size of FILE (2048)\n"
    "  --max-rows N           records read or announced by a .dbf or CSV (10000000)\n"
    "  --max-fields N         fields of a layer (1000)\n"
    "  --max-line-kb N        one CSV line (16384)\n"
    "  --max-seconds N        time spent reading the features (3600)\n"
    "  --max-unzipped-mb N    a .zip or .kmz uncompressed (4096)\n"
    "  --max-zip-ratio N      a .zip or .kmz: uncompressed size / archive size (100)\n"
    "  --busy-timeout-ms N    wait for another writer's lock on DB (30000), then fail: busy\n"
    "                         (a version published is written to the audit log, who: cli:USER,\n"
    "                         in its transaction: one whose line cannot be written is not)\n"
    "output:\n"
    "  --report FILE.json     also write the quality report as JSON\n"
    "  --force                import even when nothing changed\n"
    "  --quiet                print only the result line\n";

enum { MAX_SPECS = 256, MAX_DECISIONS = 64 };

typedef struct cli_state {
  import_options opt;
  import_field_spec specs[MAX_SPECS];
  const char *drop[MAX_DECISIONS], *keep[MAX_DECISIONS];  /* --drop, --keep-field */
  char *lists[3];        /* strdup'd --fields, --rename, --types (split in place) */
  const char *report_path;
  bool quiet;
  bool save_area;        /* --save-area: --area becomes the catalog's area of interest */
  const char *schema;    /* --db-schema over PostgreSQL */
  char uri[4096];        /* --db with the schema in its search path */
} cli_state;

static import_field_spec *spec_for(cli_state *c, const char *name) {
  for (size_t i = 0; i < c->opt.n_specs; i++)
    if (strcmp(c->specs[i].name, name) == 0) return &c->specs[i];
  if (c->opt.n_specs >= MAX_SPECS) return NULL;
  import_field_spec *s = &c->specs[c->opt.n_specs++];
  *s = (import_field_spec){.name = name};
  return s;
}

/* --fields a,b / --rename a=b / --types a=integer: 0, or 2 after printing the problem. */
static int parse_list(cli_state *c, int which, const char *arg) {
  static const char *const FLAG[] = {"--fields", "--rename", "--types"};
  free(c->lists[which]);
  char *list = c->lists[which] = strdup(arg);
  char *save = NULL;
  for (char *item = strtok_r(list, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
    char *eq = strchr(item, '=');
    if ((which == 0) != (eq == NULL) || item == eq) goto bad;
    if (eq) *eq = '\0';
    import_field_spec *s = spec_for(c, item);
    if (!s) goto bad;
    if (which == 1) s->rename_to = eq + 1;
    if (which == 2 && !(s->has_type = field_type_parse(eq + 1, &s->type))) goto bad;
  }
  if (which == 0) c->opt.only_spec_fields = true;
  return 0;
bad:
  fprintf(stderr, "teselas: invalid value '%s' for %s\n\n%s", arg, FLAG[which], USAGE);
  return 2;
}

static int parse_bbox(const char *arg, double out[4], const char *flag) {
  char *end = NULL;
  const char *p = arg;
  for (int i = 0; i < 4; i++) {
    out[i] = strtod(p, &end);
    if (end == p || (i < 3 && *end != ',') || (i == 3 && *end)) goto bad;
    p = end + 1;
  }
  if (out[0] < out[2] && out[1] < out[3]) return 0;
bad:
  fprintf(stderr, "teselas: invalid value '%s' for %s (west,south,east,north)\n\n%s", arg, flag,
          USAGE);
  return 2;
}

enum {
  O_DB = 256, O_LAYER, O_TITLE, O_DESC, O_LICENSE, O_PUBLISHER, O_FREQ, O_KEYWORDS, O_SRS,
  O_SRC_LAYER, O_LAT, O_LON, O_WKT, O_ENC, O_FIELDS, O_RENAME, O_TYPES, O_ID, O_DATE, O_PRIVACY,
  O_FIX, O_EXPECT, O_AREA, O_KEEP, O_REPORT, O_FORCE, O_QUIET, O_HELP, O_VERSION, O_DROP,
  O_KEEP_FIELD, O_SAVE_AREA, O_EXPECT_SCHEMA, O_MAX_FILE, O_MAX_ROWS, O_MAX_FIELDS, O_MAX_LINE,
  O_MAX_SECONDS, O_MAX_UNZIPPED, O_MAX_RATIO, O_DB_SCHEMA, O_BUSY
};

static const struct option OPTS[] = {
    {"db", 1, 0, O_DB},           {"layer", 1, 0, O_LAYER},        {"title", 1, 0, O_TITLE},
    {"description", 1, 0, O_DESC}, {"license", 1, 0, O_LICENSE},   {"licence", 1, 0, O_LICENSE},
    {"publisher", 1, 0, O_PUBLISHER}, {"frequency", 1, 0, O_FREQ}, {"keywords", 1, 0, O_KEYWORDS},
    {"source-srs", 1, 0, O_SRS},  {"source-layer", 1, 0, O_SRC_LAYER}, {"lat", 1, 0, O_LAT},
    {"lon", 1, 0, O_LON},         {"wkt", 1, 0, O_WKT},            {"encoding", 1, 0, O_ENC},
    {"fields", 1, 0, O_FIELDS},   {"rename", 1, 0, O_RENAME},      {"types", 1, 0, O_TYPES},
    {"id-field", 1, 0, O_ID},     {"date-field", 1, 0, O_DATE},    {"privacy", 1, 0, O_PRIVACY},
    {"fix-swapped", 0, 0, O_FIX}, {"expect-bbox", 1, 0, O_EXPECT}, {"area", 1, 0, O_AREA},
    {"keep", 1, 0, O_KEEP},       {"report", 1, 0, O_REPORT},      {"force", 0, 0, O_FORCE},
    {"quiet", 0, 0, O_QUIET},     {"help", 0, 0, O_HELP},          {"version", 0, 0, O_VERSION},
    {"drop", 1, 0, O_DROP},       {"keep-field", 1, 0, O_KEEP_FIELD},
    {"save-area", 0, 0, O_SAVE_AREA}, {"expect-schema", 1, 0, O_EXPECT_SCHEMA},
    {"max-file-mb", 1, 0, O_MAX_FILE}, {"max-rows", 1, 0, O_MAX_ROWS},
    {"max-fields", 1, 0, O_MAX_FIELDS}, {"max-line-kb", 1, 0, O_MAX_LINE},
    {"max-seconds", 1, 0, O_MAX_SECONDS}, {"max-unzipped-mb", 1, 0, O_MAX_UNZIPPED},
    {"max-zip-ratio", 1, 0, O_MAX_RATIO}, {"db-schema", 1, 0, O_DB_SCHEMA},
    {"busy-timeout-ms", 1, 0, O_BUSY},    {0, 0, 0, 0}};

/* --max-*: a count >= 0 into the import's limits (0 keeps the default); 0, or 2 after printing. */
static int parse_limit(cli_state *c, int id, const char *arg) {
  import_limits *l = &c->opt.limits;
  int64_t *slot[] = {&l->file_mb, &l->rows, &l->fields, &l->line_kb, &l->seconds,
                     &l->unzipped_mb, &l->zip_ratio};
  char *end = NULL;
  long long v = strtoll(arg, &end, 10);
  if (!*arg || *end || v < 0 || v > (1LL << 40)) {
    const char *flag = "";
    for (const struct option *o = OPTS; o->name; o++)
      if (o->val == id) flag = o->name;
    fprintf(stderr, "teselas: invalid value '%s' for --%s\n\n%s", arg, flag, USAGE);
    return 2;
  }
  *slot[id - O_MAX_FILE] = v;
  return 0;
}

/* --drop F / --keep-field F: 0, or 2 after printing the problem. */
static int add_decision(const char **list, size_t *n, const char *arg, const char *flag) {
  if (!*arg || *n >= MAX_DECISIONS) {
    fprintf(stderr, "teselas: invalid value '%s' for %s\n\n%s", arg, flag, USAGE);
    return 2;
  }
  list[(*n)++] = arg;
  return 0;
}

/* One option into c; returns 0, or the exit status (-1 means "exit 0": --help/--version). */
static int apply_option(cli_state *c, int id, const char *arg) {
  import_options *o = &c->opt;
  const char **strs[] = {[O_DB - O_DB] = &o->db_path, [O_LAYER - O_DB] = &o->layer_id,
                         [O_TITLE - O_DB] = &o->title, [O_DESC - O_DB] = &o->description,
                         [O_LICENSE - O_DB] = &o->license, [O_PUBLISHER - O_DB] = &o->publisher,
                         [O_FREQ - O_DB] = &o->frequency, [O_KEYWORDS - O_DB] = &o->keywords,
                         [O_SRS - O_DB] = &o->source_srs, [O_SRC_LAYER - O_DB] = &o->source_layer,
                         [O_LAT - O_DB] = &o->lat_col, [O_LON - O_DB] = &o->lon_col,
                         [O_WKT - O_DB] = &o->wkt_col, [O_ENC - O_DB] = &o->encoding,
                         [O_ID - O_DB] = &o->id_field, [O_DATE - O_DB] = &o->date_field,
                         [O_PRIVACY - O_DB] = &o->privacy,
                         [O_EXPECT_SCHEMA - O_DB] = &o->expect_schema};
  if (id - O_DB >= 0 && id - O_DB < (int)(sizeof strs / sizeof *strs) && strs[id - O_DB]) {
    *strs[id - O_DB] = arg;
    return 0;
  }
  char *end = NULL;
  switch (id) {
    case O_FIELDS: return parse_list(c, 0, arg);
    case O_RENAME: return parse_list(c, 1, arg);
    case O_TYPES: return parse_list(c, 2, arg);
    case O_FIX: o->fix_swapped = true; return 0;
    case O_DB_SCHEMA: c->schema = arg; return 0;
    case O_EXPECT: o->has_expect_bbox = true; return parse_bbox(arg, o->expect_bbox, "--expect-bbox");
    case O_AREA: o->has_area = true; return parse_bbox(arg, o->area, "--area");
    case O_KEEP:
      o->keep_versions = (int)strtol(arg, &end, 10);
      if (*end || o->keep_versions < 1 || o->keep_versions > 1000) {
        fprintf(stderr, "teselas: invalid value '%s' for --keep\n\n%s", arg, USAGE);
        return 2;
      }
      return 0;
    case O_BUSY: /* at most a day: a wait past that is a mistake, not a policy */
      o->busy_timeout_ms = (int)strtol(arg, &end, 10);
      if (!*arg || *end || o->busy_timeout_ms < 1 || o->busy_timeout_ms > 86400000) {
        fprintf(stderr, "teselas: invalid value '%s' for --busy-timeout-ms (1 to 86400000)\n\n%s",
                arg, USAGE);
        return 2;
      }
      return 0;
    case O_REPORT: c->report_path = arg; return 0;
    case O_DROP: return add_decision(c->drop, &o->n_drop, arg, "--drop");
    case O_KEEP_FIELD: return add_decision(c->keep, &o->n_keep, arg, "--keep-field");
    case O_FORCE: o->force = true; return 0;
    case O_QUIET: c->quiet = true; return 0;
    case O_SAVE_AREA: c->save_area = true; return 0;
    case O_MAX_FILE: case O_MAX_ROWS: case O_MAX_FIELDS: case O_MAX_LINE: case O_MAX_SECONDS:
    case O_MAX_UNZIPPED: case O_MAX_RATIO: return parse_limit(c, id, arg);
    case O_HELP: fputs(USAGE, stdout); return -1;
    case O_VERSION: cli_version(); return -1;
    default: return 2;
  }
}

static int parse_args(int argc, char **argv, cli_state *c) {
  int id;
  optind = 1;
  opterr = 0;
  while ((id = getopt_long(argc, argv, ":", OPTS, NULL)) != -1) {
    int rc = (id == '?' || id == ':') ? 2 : apply_option(c, id, optarg);
    if (rc == 2 && (id == '?' || id == ':'))
      fprintf(stderr, "teselas: bad option %s\n\n%s", argv[optind - 1], USAGE);
    if (rc) return rc;
  }
  if (optind + 1 != argc || !c->opt.db_path || !c->opt.layer_id) {
    fprintf(stderr, "teselas: import needs one FILE, --db DB and --layer ID\n\n%s", USAGE);
    return 2;
  }
  if (c->save_area && (!c->opt.has_area || !store_area_valid(c->opt.area))) {
    fprintf(stderr, "teselas: --save-area needs --area W,S,E,N within longitude ±180 and "
            "latitude ±90\n\n%s", USAGE);
    return 2;
  }
  if (c->schema) {
    /* the URI's search path names the schema, as `serve` reads it (pg_conn.c) */
    size_t n = strlen(c->schema);
    bool ok = n > 0 && n <= 63 && !(c->schema[0] >= '0' && c->schema[0] <= '9');
    for (size_t i = 0; i < n; i++)
      ok = ok && ((c->schema[i] >= 'a' && c->schema[i] <= 'z') ||
                  (c->schema[i] >= '0' && c->schema[i] <= '9') || c->schema[i] == '_');
    if (!ok || !store_db_is_pg(c->opt.db_path) || strstr(c->opt.db_path, "search_path")) {
      fprintf(stderr, "teselas: --db-schema takes lower-case letters, digits and _, with a "
              "postgresql:// --db whose URI sets no search_path\n\n%s", USAGE);
      return 2;
    }
    snprintf(c->uri, sizeof c->uri, "%s%soptions=-csearch_path%%3D%s%%2Cpublic", c->opt.db_path,
             strchr(c->opt.db_path, '?') ? "&" : "?", c->schema);
    c->opt.db_path = c->uri;
  }
  c->opt.path = argv[optind];
  return 0;
}

/* The import's audit line (cli_audit_layer), before its COMMIT: l->target is the layer. */
static err_code import_line(void *ctx, int64_t version, int64_t review, err *e) {
  cli_audit_line *l = ctx;
  return cli_audit_layer(l, l->target, version, review, e);
}

static bool write_report(const char *path, const char *json) {
  FILE *f = fopen(path, "w");
  if (!f) return false;
  bool ok = fputs(json ? json : "{}", f) >= 0 && fputc('\n', f) != EOF;
  return fclose(f) == 0 && ok;
}

int cli_import(int argc, char **argv) {
  cli_state *c = calloc(1, sizeof *c);
  if (!c) return 1;
  c->opt.specs = c->specs;
  c->opt.drop = c->drop;
  c->opt.keep = c->keep;
  c->opt.guess_date_field = true;
  int rc = parse_args(argc, argv, c);
  if (rc) goto done;
  if (isatty(2)) c->opt.progress = stderr;
  cli_audit_line line;
  cli_audit_init(&line, c->opt.db_path, "import", c->opt.layer_id, NULL);
  import_gate gate = {import_line, &line};
  c->opt.gate = &gate;
  import_result res;
  err e;
  err_clear(&e);
  err_code code = import_run(&c->opt, &res, &e);
  if (code != ERR_OK) cli_audit_undone(&line, &e);
  if (!c->quiet && res.report_text) fputs(res.report_text, stdout);
  else if (res.status == IMPORT_PUBLISHED)
    printf("%s: versión %lld publicada\n", c->opt.layer_id, (long long)res.version);
  else if (res.status == IMPORT_UNCHANGED)
    printf("%s: sin cambios (versión %lld)\n", c->opt.layer_id, (long long)res.version);
  fflush(stdout);
  /* saved only after a successful import: a rejected file changes nothing, settings included */
  if (code == ERR_OK && c->save_area &&
      (code = store_area_set(c->opt.db_path, c->opt.area, &e)) == ERR_OK)
    printf("área de interés del catálogo: %g,%g,%g,%g\n", c->opt.area[0], c->opt.area[1],
           c->opt.area[2], c->opt.area[3]);
  rc = code == ERR_OK ? 0 : 1;
  if (code != ERR_OK) fprintf(stderr, "teselas: import: %s: %s\n", c->opt.path, e.msg);
  if (c->report_path && !write_report(c->report_path, res.report_json)) {
    fprintf(stderr, "teselas: import: cannot write the report to %s\n", c->report_path);
    rc = 1;
  }
  import_result_free(&res);
done:
  for (int i = 0; i < 3; i++) free(c->lists[i]);
  free(c);
  return rc < 0 ? 0 : rc;
}
