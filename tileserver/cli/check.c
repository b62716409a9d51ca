/* check.c — `teselas check --db DB`: is the database sound, and if not, which layer versions
 * are damaged and how (store/check.h does the reading). Exit 0 sound, 1 damaged or unreadable. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "store/check.h"

static const char USAGE[] =
    "usage: teselas check --db DB|postgresql://... [--quick] [--json]\n"
    "\n"
    "Checks a database: SQLite's integrity check (--quick: the faster quick_check), then every\n"
    "kept version of every layer: its table read end to end, its spatial index against its rows\n"
    "(count and row ids), its counts and box against the catalog and the history, and the catalog,\n"
    "styles, aggregates and download digests referring to versions the history has. Prints each\n"
    "damaged layer and version and what is wrong. Exit 0 when sound, 1 when anything is wrong or\n"
    "the file cannot be read as a database.\n"
    "\n"
    "Over PostgreSQL (--db postgresql://...): every kept version's table read end to end, its\n"
    "counts and box against the history and the catalog, its spatial index asked for every row\n"
    "and valid in pg_index, amcheck on its indexes where the extension is installed. PostgreSQL's\n"
    "own pages are its checksums' and pg_amcheck's.\n";

/* s as the body of a JSON string. */
static void json_str(FILE *f, const char *s) {
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p == '"' || *p == '\\') fprintf(f, "\\%c", *p);
    else if (*p < 0x20) fprintf(f, "\\u%04x", *p);
    else fputc(*p, f);
  }
}

static void print_json(const char *db, const store_check_result *r) {
  printf("{\"database\":\"");
  json_str(stdout, db);
  printf("\",\"sound\":%s,\"integrity_ok\":%s,\"layers\":%zu,\"versions_read\":%zu,\"problems\":[",
         r->n_issues ? "false" : "true", r->integrity_ok ? "true" : "false", r->n_layers,
         r->n_versions);
  for (size_t i = 0; i < r->n_issues; i++) {
    const store_check_issue *is = &r->issues[i];
    printf("%s{\"layer\":", i ? "," : "");
    if (is->layer[0]) {
      putchar('"');
      json_str(stdout, is->layer);
      putchar('"');
    } else {
      fputs("null", stdout);
    }
    if (is->version) printf(",\"version\":%lld", (long long)is->version);
    else fputs(",\"version\":null", stdout);
    fputs(",\"what\":\"", stdout);
    json_str(stdout, is->what);
    fputs("\"}", stdout);
  }
  puts("]}");
}

static void print_text(const char *db, const store_check_result *r) {
  for (size_t i = 0; i < r->n_issues; i++) {
    const store_check_issue *is = &r->issues[i];
    if (!is->layer[0]) printf("database: %s\n", is->what);
    else if (is->version) printf("layer %s version %lld: %s\n", is->layer, (long long)is->version,
                                 is->what);
    else printf("layer %s: %s\n", is->layer, is->what);
  }
  printf("%s: %s (%zu layers, %zu versions read, integrity check %s, %zu problems)\n", db,
         r->n_issues ? "DAMAGED" : "sound", r->n_layers, r->n_versions,
         r->integrity_ok ? "ok" : "failed", r->n_issues);
}

int cli_check(int argc, char **argv) {
  const char *db = NULL;
  bool json = false, quick = false;
  const cli_opt opts[] = {{"json", &json, NULL}, {"quick", &quick, NULL}};
  int status = cli_parse_db_command(
      argc, argv, &(cli_db_command){USAGE, "check needs --db DB and nothing else", opts, 2, 0, NULL},
      &db, NULL);
  if (status >= 0) return status;
  store_check_result r;
  err e;
  err_clear(&e);
  if (store_check_db(db, quick, &r, &e) != ERR_OK) {
    fprintf(stderr, "teselas: %s\n", e.msg);
    store_check_result_free(&r);
    return 1;
  }
  if (json) print_json(db, &r);
  else print_text(db, &r);
  status = r.n_issues ? 1 : 0;
  store_check_result_free(&r);
  return status;
}
