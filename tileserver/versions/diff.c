/* diff.c — the diff of two versions: which fields each has (from the catalog entry the history
 * recorded at its commit), which id the importer matched on (its report), then a merge of the two
 * sorted scans the store gives. It does not read geometries beyond their boxes and hashes, and it
 * does not format anything (doc.c does). */
#include <jansson.h>
#include <string.h>

#include "versions/versions.h"

/* What a diff needs of one version. */
typedef struct side {
  int64_t version;
  const char *table;
  const char *id_field;   /* "" when the importer found none */
  const char **names;
  field_type *types;
  size_t n;
  bool found, kept, has_catalog;
  const char *catalog, *report;
} side;

typedef struct side_ctx {
  side *s;
  arena *a;
} side_ctx;

static int keep_row(void *ctx, const store_version *v) {
  side_ctx *c = ctx;
  c->s->found = true;
  c->s->kept = v->table_name[0] != '\0';
  c->s->table = arena_strdup(c->a, v->table_name);
  c->s->catalog = v->catalog ? arena_strdup(c->a, v->catalog) : NULL;
  c->s->report = arena_strdup(c->a, v->report);
  return 1;
}

/* fields [{"name","type"}] of the recorded catalog entry */
static err_code parse_fields(side *s, json_t *fields, arena *a, err *e) {
  size_t n = json_array_size(fields);
  s->names = arena_calloc(a, n + 1, sizeof *s->names);
  s->types = arena_calloc(a, n + 1, sizeof *s->types);
  if (!s->names || !s->types) return err_set(e, ERR_NOMEM, "out of memory");
  for (size_t i = 0; i < n; i++) {
    json_t *f = json_array_get(fields, i);
    const char *name = json_string_value(json_object_get(f, "name"));
    const char *type = json_string_value(json_object_get(f, "type"));
    if (!name) continue;
    s->names[s->n] = arena_strdup(a, name);
    if (!type || !field_type_parse(type, &s->types[s->n])) s->types[s->n] = FIELD_TEXT;
    s->n++;
  }
  return arena_failed(a) ? err_set(e, ERR_NOMEM, "out of memory") : ERR_OK;
}

static err_code load_side(store_reader *r, const char *id, int64_t v, arena *a, side *s, err *e) {
  *s = (side){.version = v, .id_field = ""};
  side_ctx c = {s, a};
  err_code rc = store_versions_scan(r, id, v, keep_row, &c, e);
  if (rc != ERR_OK) return rc;
  if (arena_failed(a)) return err_set(e, ERR_NOMEM, "out of memory");
  if (!s->kept)
    return err_set(e, ERR_NOT_FOUND, "the data of version %lld of '%s' are no longer kept",
                   (long long)v, id);
  if (!s->catalog)
    return err_set(e, ERR_INVALID, "version %lld of '%s' was published before versions recorded "
                   "their fields: it cannot be compared", (long long)v, id);
  json_t *cat = json_loads(s->catalog, 0, NULL);
  json_t *rep = json_loads(s->report, 0, NULL);
  rc = parse_fields(s, json_object_get(cat, "fields"), a, e);
  const char *idf = json_string_value(json_object_get(json_object_get(rep, "duplicate_ids"),
                                                      "field"));
  if (idf && *idf) s->id_field = arena_strdup(a, idf);
  json_decref(cat);
  json_decref(rep);
  return rc == ERR_OK && arena_failed(a) ? err_set(e, ERR_NOMEM, "out of memory") : rc;
}

static long find(const side *s, const char *name) {
  for (size_t i = 0; i < s->n; i++)
    if (strcmp(s->names[i], name) == 0) return (long)i;
  return -1;
}

static void add_field(versions_field **list, size_t *n, const char *name, const char *from,
                      const char *to) {
  (*list)[(*n)++] = (versions_field){name, from, to};
}

/* Field changes into out; the names both sides have with one type into *out_common. */
static err_code compare_fields(const side *f, const side *t, arena *a, versions_diff *out,
                               const char ***out_common, size_t *out_n, err *e) {
  size_t cap = f->n + t->n + 1;
  out->fields_added = arena_calloc(a, cap, sizeof(versions_field));
  out->fields_removed = arena_calloc(a, cap, sizeof(versions_field));
  out->fields_retyped = arena_calloc(a, cap, sizeof(versions_field));
  const char **common = arena_calloc(a, cap, sizeof *common);
  if (!out->fields_added || !out->fields_removed || !out->fields_retyped || !common)
    return err_set(e, ERR_NOMEM, "out of memory");
  size_t n = 0;
  for (size_t i = 0; i < f->n; i++) {
    long k = find(t, f->names[i]);
    const char *ft = field_type_name(f->types[i]);
    if (k < 0) add_field(&out->fields_removed, &out->n_fields_removed, f->names[i], ft, NULL);
    else if (t->types[k] != f->types[i])
      add_field(&out->fields_retyped, &out->n_fields_retyped, f->names[i], ft,
                field_type_name(t->types[k]));
    else common[n++] = f->names[i];
  }
  for (size_t i = 0; i < t->n; i++)
    if (find(f, t->names[i]) < 0)
      add_field(&out->fields_added, &out->n_fields_added, t->names[i], NULL,
                field_type_name(t->types[i]));
  *out_common = common;
  *out_n = n;
  return ERR_OK;
}

static void box_add(double *b, bool *has, const double *m) {
  if (!*has) {
    memcpy(b, m, 4 * sizeof *b);
    *has = true;
    return;
  }
  if (m[0] < b[0]) b[0] = m[0];
  if (m[1] < b[1]) b[1] = m[1];
  if (m[2] > b[2]) b[2] = m[2];
  if (m[3] > b[3]) b[3] = m[3];
}

/* The order of store_diff_open: key text (BINARY: bytes, then length; NULL first), then content
 * as a signed integer; content alone without keys. */
static int row_cmp(const store_diff_row *x, const store_diff_row *y, bool keyed) {
  if (keyed && (x->has_key || y->has_key)) {
    if (!x->has_key || !y->has_key) return x->has_key ? 1 : -1;
    size_t n = x->key_len < y->key_len ? x->key_len : y->key_len;
    int c = memcmp(x->key, y->key, n);
    if (c) return c;
    return x->key_len < y->key_len ? -1 : x->key_len > y->key_len;
  }
  int64_t a = (int64_t)x->content_hash, b = (int64_t)y->content_hash;
  return a < b ? -1 : a > b;
}

typedef struct merge {
  versions_diff *out;
  versions_change_fn fn;
  void *ctx;
  bool stopped;
} merge;

static void emit(merge *m, versions_kind kind, const store_diff_row *x, const store_diff_row *y) {
  const store_diff_row *k = x ? x : y;
  versions_change c = {.kind = kind, .key = k->has_key ? k->key : NULL, .key_len = k->key_len,
                       .from_fid = x ? x->fid : -1, .to_fid = y ? y->fid : -1};
  if (x && y) {
    c.geometry = x->geom_hash != y->geom_hash;
    c.attributes = x->attr_hash != y->attr_hash;
  }
  if (x && x->has_bbox) box_add(c.bbox, &c.has_bbox, x->bbox);
  if (y && y->has_bbox) box_add(c.bbox, &c.has_bbox, y->bbox);
  if (c.has_bbox) box_add(m->out->bbox, &m->out->has_bbox, c.bbox);
  int64_t *count[] = {&m->out->n_added, &m->out->n_removed, &m->out->n_changed};
  (*count[kind])++;
  if (m->fn && !m->stopped && m->fn(m->ctx, &c)) m->stopped = true;
}

static err_code walk(store_diff_cursor *cf, store_diff_cursor *ct, bool keyed, merge *m, err *e) {
  store_diff_row x, y;
  int hx = store_diff_next(cf, &x, e), hy = hx < 0 ? -1 : store_diff_next(ct, &y, e);
  while (hx > 0 || hy > 0) {
    if (hx < 0 || hy < 0) break;
    int c = hx == 0 ? 1 : hy == 0 ? -1 : row_cmp(&x, &y, keyed);
    if (c < 0) {
      emit(m, VERSIONS_REMOVED, &x, NULL);
      hx = store_diff_next(cf, &x, e);
    } else if (c > 0) {
      emit(m, VERSIONS_ADDED, NULL, &y);
      hy = store_diff_next(ct, &y, e);
    } else {
      if (x.content_hash == y.content_hash) m->out->n_unchanged++;
      else emit(m, VERSIONS_CHANGED, &x, &y);
      hx = store_diff_next(cf, &x, e);
      hy = hx < 0 ? -1 : store_diff_next(ct, &y, e);
    }
  }
  return hx < 0 || hy < 0 ? (e && e->code ? e->code : ERR_DB) : ERR_OK;
}

err_code versions_diff_run(store_reader *r, const char *layer_id, int64_t from, int64_t to,
                           arena *a, versions_change_fn fn, void *ctx, versions_diff *out,
                           err *e) {
  *out = (versions_diff){.from = from, .to = to};
  if (from >= to)
    return err_set(e, ERR_INVALID, "from (%lld) must be an earlier version than to (%lld)",
                   (long long)from, (long long)to);
  side f, t;
  err_code rc = load_side(r, layer_id, from, a, &f, e);
  if (rc == ERR_OK) rc = load_side(r, layer_id, to, a, &t, e);
  const char **common = NULL;
  size_t n_common = 0;
  if (rc == ERR_OK) rc = compare_fields(&f, &t, a, out, &common, &n_common, e);
  if (rc != ERR_OK) return rc;
  /* the id both imports matched on, present in both versions */
  bool keyed = f.id_field[0] && strcmp(f.id_field, t.id_field) == 0 && find(&f, f.id_field) >= 0 &&
               find(&t, t.id_field) >= 0;
  out->key_field = keyed ? f.id_field : NULL;
  store_diff_spec sf = {f.table, out->key_field, common, n_common, false, false};
  store_diff_spec st = {t.table, out->key_field, common, n_common, false, false};
  store_diff_cursor *cf = NULL, *ct = NULL;
  rc = store_diff_open(r, &sf, &cf, e);
  if (rc == ERR_OK) rc = store_diff_open(r, &st, &ct, e);
  merge m = {out, fn, ctx, false};
  if (rc == ERR_OK) rc = walk(cf, ct, keyed, &m, e);
  store_diff_close(cf);
  store_diff_close(ct);
  return rc;
}
