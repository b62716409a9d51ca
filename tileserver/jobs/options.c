/* options.c — an upload's import options, named as `teselas import` names its flags (without the
 * dashes), into import_options. Each option is described once in OPTS: which field of
 * import_options it fills and how its value is read. An unknown name or a value that does not
 * read is refused before the file is accepted, with the name in the message (never the value:
 * it came from a client). */
#include <stdlib.h>
#include <string.h>

#include "importers/import.h"
#include "jobs/jobs.h"

enum { MAX_SPECS = 256, MAX_DECISIONS = 64 };

struct jobs_parsed {
  import_options opt;
  import_field_spec specs[MAX_SPECS];
  const char *drop[MAX_DECISIONS], *keep[MAX_DECISIONS];
  char *strings[JOBS_MAX_OPTIONS];  /* copies of the values, split in place for lists */
  size_t n_strings;
};

typedef enum kind { K_STR, K_FLAG, K_BOX, K_KEEP, K_LIST, K_DROP } kind;

/* the string fields, by offset into import_options */
#define S(name, field) {name, K_STR, offsetof(import_options, field), 0}
static const struct opt {
  const char *name;
  kind kind;
  size_t off;
  int which;  /* K_LIST: 0 fields, 1 rename, 2 types; K_DROP: 0 drop, 1 keep-field; K_BOX/K_FLAG */
} OPTS[] = {
    S("title", title), S("description", description), S("license", license),
    S("licence", license), S("publisher", publisher), S("frequency", frequency),
    S("keywords", keywords), S("source-srs", source_srs), S("source-layer", source_layer),
    S("lat", lat_col), S("lon", lon_col), S("wkt", wkt_col), S("encoding", encoding),
    S("id-field", id_field), S("date-field", date_field), S("privacy", privacy),
    S("expect-schema", expect_schema),
    {"fields", K_LIST, 0, 0}, {"rename", K_LIST, 0, 1}, {"types", K_LIST, 0, 2},
    {"drop", K_DROP, 0, 0}, {"keep-field", K_DROP, 0, 1},
    {"fix-swapped", K_FLAG, 0, 0}, {"force", K_FLAG, 0, 1},
    {"expect-bbox", K_BOX, 0, 0}, {"area", K_BOX, 0, 1}, {"keep", K_KEEP, 0, 0},
};
#undef S

static import_field_spec *spec(jobs_parsed *p, const char *name) {
  for (size_t i = 0; i < p->opt.n_specs; i++)
    if (strcmp(p->specs[i].name, name) == 0) return &p->specs[i];
  if (p->opt.n_specs >= MAX_SPECS) return NULL;
  p->specs[p->opt.n_specs] = (import_field_spec){.name = name};
  return &p->specs[p->opt.n_specs++];
}

/* "a,b" (fields), "a=b" (rename), "a=integer" (types), split in place in `list`. */
static bool read_list(jobs_parsed *p, int which, char *list) {
  char *save = NULL;
  for (char *it = strtok_r(list, ",", &save); it; it = strtok_r(NULL, ",", &save)) {
    char *eq = strchr(it, '=');
    if ((which == 0) != (eq == NULL) || eq == it) return false;
    if (eq) *eq = '\0';
    import_field_spec *s = spec(p, it);
    if (!s) return false;
    if (which == 1) s->rename_to = eq + 1;
    if (which == 2 && !(s->has_type = field_type_parse(eq + 1, &s->type))) return false;
  }
  if (which == 0) p->opt.only_spec_fields = true;
  return true;
}

static bool read_box(const char *v, double out[4]) {
  char *end = NULL;
  for (int i = 0; i < 4; i++, v = end + 1) {
    out[i] = strtod(v, &end);
    if (end == v || *end != (i < 3 ? ',' : '\0')) return false;
  }
  return out[0] < out[2] && out[1] < out[3];
}

/* One option into p: false when its value does not read. */
static bool apply(jobs_parsed *p, const struct opt *o, char *v) {
  import_options *io = &p->opt;
  char *end = NULL;
  switch (o->kind) {
    case K_STR: *(const char **)((char *)io + o->off) = v; return true;
    case K_FLAG:
      if (*v && strcmp(v, "true") != 0 && strcmp(v, "1") != 0) return false;
      *(o->which ? &io->force : &io->fix_swapped) = true;
      return true;
    case K_BOX:
      if (o->which) return (io->has_area = true), read_box(v, io->area);
      return (io->has_expect_bbox = true), read_box(v, io->expect_bbox);
    case K_KEEP:
      io->keep_versions = (int)strtol(v, &end, 10);
      return end != v && !*end && io->keep_versions >= 1 && io->keep_versions <= 1000;
    case K_LIST: return read_list(p, o->which, v);
    case K_DROP: {
      size_t *n = o->which ? &io->n_keep : &io->n_drop;
      if (!*v || *n >= MAX_DECISIONS) return false;
      (o->which ? p->keep : p->drop)[(*n)++] = v;
      return true;
    }
  }
  return false;
}

err_code jobs_options_parse(const jobs_option *opts, size_t n, jobs_parsed **out, err *e) {
  *out = NULL;
  if (n > JOBS_MAX_OPTIONS) return err_set(e, ERR_INVALID, "at most %d import options",
                                           JOBS_MAX_OPTIONS);
  jobs_parsed *p = calloc(1, sizeof *p);
  if (!p) return err_set(e, ERR_NOMEM, "out of memory");
  p->opt.specs = p->specs;
  p->opt.drop = p->drop;
  p->opt.keep = p->keep;
  p->opt.guess_date_field = true; /* as `teselas import` */
  for (size_t i = 0; i < n; i++) {
    const struct opt *o = NULL;
    for (size_t k = 0; k < sizeof OPTS / sizeof *OPTS && !o; k++)
      if (strcmp(OPTS[k].name, opts[i].name) == 0) o = &OPTS[k];
    if (!o) {
      jobs_parsed_free(p);
      return err_set(e, ERR_INVALID, "unknown import option (the names are those of teselas "
                     "import, without dashes: source-srs, lat, lon, fields, privacy, ...)");
    }
    char *v = p->strings[p->n_strings++] = strdup(opts[i].value ? opts[i].value : "");
    if (!v) {
      jobs_parsed_free(p);
      return err_set(e, ERR_NOMEM, "out of memory");
    }
    if (!apply(p, o, v)) {
      err_set(e, ERR_INVALID, "invalid value for import option %s", o->name);
      jobs_parsed_free(p);
      return ERR_INVALID;
    }
  }
  *out = p;
  return ERR_OK;
}

const import_options *jobs_parsed_options(const jobs_parsed *p) { return &p->opt; }

void jobs_parsed_free(jobs_parsed *p) {
  if (!p) return;
  for (size_t i = 0; i < p->n_strings; i++) free(p->strings[i]);
  free(p);
}
