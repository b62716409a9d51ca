/* versions.c — `teselas versions`, `teselas diff` and `teselas rollback`: a layer's history, what
 * changed between two of its versions, and an earlier version published again. The documents are
 * the ones the HTTP API serves (versions/doc.c); text by default, JSON with --json. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "store/store.h"
#include "versions/versions.h"

static const char VERSIONS_USAGE[] =
    "usage: teselas versions ID --db DB [--json]\n"
    "\n"
    "The history of layer ID: each version with its date, source file and checksum, feature\n"
    "count and quality summary, whether its data are still kept, which one is published, and\n"
    "rollbacks and removals.\n";
static const char DIFF_USAGE[] =
    "usage: teselas diff ID --db DB --from V --to W [--json] [--limit N] [--offset K]\n"
    "\n"
    "What changed from version V to version W of layer ID: features added, removed and changed\n"
    "(matched by the source's id field when it has one, else by geometry and attributes), fields\n"
    "added, removed or retyped, and the area of the changes. Lists N changes (default 100, at\n"
    "most 1000) from the K-th.\n";
static const char ROLLBACK_USAGE[] =
    "usage: teselas rollback ID --db DB --to V [--busy-timeout-ms N]\n"
    "\n"
    "Publishes the data of version V of layer ID again, as a new version (its fields, privacy,\n"
    "style and report with it); the history keeps every version and says what was rolled back.\n"
    "The audit log records it (who: cli:USER) in the same transaction: a rollback whose line\n"
    "cannot be written does not happen.\n"
    "\n"
    CLI_BUSY_USAGE;

typedef struct opts {
  const char *db;
  const char *id;
  int64_t from, to, limit, offset;
  int busy_ms;  /* rollback's --busy-timeout-ms (0: the default) */
  bool json;
} opts;

/* A whole non-negative decimal number, or false. */
static bool parse_num(const char *s, int64_t *out) {
  char *end = NULL;
  errno = 0;
  long long v = strtoll(s, &end, 10);
  if (errno || end == s || *end || v < 0) return false;
  *out = v;
  return true;
}

/* Parses ID --db DB and the options of `usage`; 0 ok, else the exit status. */
static int parse(int argc, char **argv, const char *usage, opts *o) {
  static const struct option OPTS[] = {
      {"db", required_argument, 0, 'd'},    {"from", required_argument, 0, 'f'},
      {"to", required_argument, 0, 't'},    {"limit", required_argument, 0, 'l'},
      {"offset", required_argument, 0, 'o'}, {"json", no_argument, 0, 'j'},
      {"help", no_argument, 0, 'h'},        {"busy-timeout-ms", required_argument, 0, 'B'},
      {0, 0, 0, 0}};
  *o = (opts){.from = -1, .to = -1, .limit = VERSIONS_PAGE_DEFAULT};
  int c;
  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, ":", OPTS, NULL)) != -1) {
    int64_t *num = c == 'f' ? &o->from : c == 't' ? &o->to : c == 'l' ? &o->limit
                 : c == 'o' ? &o->offset : NULL;
    if (num && !parse_num(optarg, num)) {
      fprintf(stderr, "teselas: --from, --to, --limit and --offset take a whole number, not '%s'\n", optarg);
      return 2;
    }
    switch (c) {
      case 'd': o->db = optarg; break;
      case 'j': o->json = true; break;
      case 'h': fputs(usage, stdout); return -1;
      case 'f': case 't': case 'l': case 'o': break;
      case 'B': /* a write's option: rollback's alone */
        if (usage == ROLLBACK_USAGE) {
          int rc = cli_parse_busy(optarg, usage, &o->busy_ms);
          if (rc) return rc;
          break;
        }
        /* fall through */
      default:
        fprintf(stderr, "teselas: bad option %s\n\n%s", argv[optind - 1], usage);
        return 2;
    }
  }
  if (!o->db || optind != argc - 1) {
    fprintf(stderr, "teselas: needs one layer ID and --db DB\n\n%s", usage);
    return 2;
  }
  o->id = argv[optind];
  return 0;
}

/* Prints the document as text or JSON. */
static int show(const opts *o, char *doc) {
  if (o->json) {
    puts(doc);
    free(doc);
    return 0;
  }
  buf text;
  buf_init(&text, 0);
  err e = {0};
  err_code rc = versions_doc_text(doc, &text, &e);
  free(doc);
  if (rc == ERR_OK) fputs(buf_cstr(&text), stdout);
  else fprintf(stderr, "teselas: %s\n", e.msg);
  buf_free(&text);
  return rc == ERR_OK ? 0 : 1;
}

/* Opens the database, makes the document of `what` (versions or diff), shows it. */
static int run(const opts *o, bool diff) {
  err e = {0};
  store_reader *r = NULL;
  char *doc = NULL;
  const catalog *cat = NULL;
  err_code rc = store_reader_open(o->db, &r, &e);
  versions_page page = {.offset = o->offset, .limit = o->limit};
  if (rc == ERR_OK && !diff) rc = store_reader_catalog(r, &cat, &e);
  if (rc == ERR_OK)
    rc = diff ? versions_diff_doc(r, o->id, o->from, o->to, &page, &doc, &e)
              : versions_history_doc(r, cat, o->id, NULL, &doc, &e);
  store_reader_close(r);
  if (rc != ERR_OK) {
    fprintf(stderr, "teselas: %s\n", e.msg);
    return 1;
  }
  return show(o, doc);
}

int cli_versions(int argc, char **argv) {
  opts o;
  int rc = parse(argc, argv, VERSIONS_USAGE, &o);
  return rc ? (rc < 0 ? 0 : rc) : run(&o, false);
}

int cli_diff(int argc, char **argv) {
  opts o;
  int rc = parse(argc, argv, DIFF_USAGE, &o);
  if (rc) return rc < 0 ? 0 : rc;
  if (o.from < 0 || o.to < 0) {
    fprintf(stderr, "teselas: diff needs --from V and --to W\n\n%s", DIFF_USAGE);
    return 2;
  }
  return run(&o, true);
}

int cli_rollback(int argc, char **argv) {
  opts o;
  int rc = parse(argc, argv, ROLLBACK_USAGE, &o);
  if (rc) return rc < 0 ? 0 : rc;
  if (o.to < 0) {
    fprintf(stderr, "teselas: rollback needs --to V\n\n%s", ROLLBACK_USAGE);
    return 2;
  }
  err e = {0};
  int64_t v = 0;
  cli_audit_line line;
  cli_audit_init(&line, o.db, "rollback", o.id, NULL);
  line.rollback_of = o.to;
  store_gate gate = cli_audit_gate(&line, o.busy_ms);
  err_code code = store_layer_rollback_gated(o.db, o.id, o.to, &gate, &v, &e);
  if (code != ERR_OK) return cli_audit_finish(&line, code, &e, "rollback");
  printf("capa %s: versión %lld publicada con los datos de la versión %lld\n", o.id, (long long)v,
         (long long)o.to);
  return 0;
}
