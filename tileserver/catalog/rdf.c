/* rdf.c — the catalogue's RDF graph as a list of triples, and its JSON-LD writer.
 *
 * dcat.c adds triples; rdf_write_jsonld (here) and rdf_write_turtle (turtle.c) write the same
 * list, so the JSON-LD and the Turtle documents hold one graph by construction (the test parses
 * both with independent libraries and compares them). The JSON-LD is jansson's: a @context of
 * prefixes and a @graph of node objects whose every value is explicit ({"@id"} or {"@value"} with
 * its @type or @language), so a JSON-LD processor needs no other context to read it. */
#include <jansson.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "catalog/catalog_int.h"

const char *const RDF_PREFIXES[][2] = {
    {"rdf", NS_RDF},       {"rdfs", NS_RDFS},   {"xsd", NS_XSD},   {"dcat", NS_DCAT},
    {"dct", NS_DCT},       {"foaf", NS_FOAF},   {"locn", NS_LOCN}, {"gsp", NS_GSP},
    {"spdx", NS_SPDX},     {"hydra", NS_HYDRA}, {NULL, NULL}};

void rdf_init(rdf_graph *g, arena *a) { *g = (rdf_graph){.a = a}; }

rdf_term rdf_iri(const char *iri) { return (rdf_term){.kind = RDF_IRI, .value = iri}; }
rdf_term rdf_lit(const char *text) { return (rdf_term){.kind = RDF_LITERAL, .value = text}; }
rdf_term rdf_lit_lang(const char *text, const char *lang) {
  return (rdf_term){.kind = RDF_LITERAL, .value = text, .lang = lang};
}
rdf_term rdf_lit_typed(const char *text, const char *datatype_iri) {
  return (rdf_term){.kind = RDF_LITERAL, .value = text, .datatype = datatype_iri};
}

rdf_term rdf_bnode(rdf_graph *g) {
  char *label = arena_sprintf(g->a, "b%d", ++g->n_bnodes);
  if (!label) g->failed = true;
  return (rdf_term){.kind = RDF_BNODE, .value = label};
}

rdf_term rdf_iri_fmt(rdf_graph *g, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char tmp[1024];
  int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  char *s = n >= 0 && (size_t)n < sizeof tmp ? arena_strdup(g->a, tmp) : NULL;
  if (!s) g->failed = true;
  return rdf_iri(s);
}

void rdf_add(rdf_graph *g, rdf_term s, const char *p, rdf_term o) {
  if (g->failed) return;
  if (!s.value || !p || !o.value) {
    g->failed = true;
    return;
  }
  if (g->n == g->cap) {
    size_t cap = g->cap ? g->cap * 2 : 256;
    rdf_triple *t = arena_realloc(g->a, g->t, g->cap * sizeof *t, cap * sizeof *t);
    if (!t) {
      g->failed = true;
      return;
    }
    g->t = t, g->cap = cap;
  }
  g->t[g->n++] = (rdf_triple){s, p, o};
}

void rdf_type(rdf_graph *g, rdf_term s, const char *cls) {
  rdf_add(g, s, NS_RDF "type", rdf_iri(cls));
}

static uint64_t fnv(uint64_t h, const char *s) {
  for (; s && *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
  return (h ^ 0xff) * 1099511628211ULL; /* a separator, so "ab"+"c" differs from "a"+"bc" */
}

static bool same_term(const rdf_term *a, const rdf_term *b) {
  return a->kind == b->kind && strcmp(a->value, b->value) == 0 &&
         !a->datatype == !b->datatype && (!a->datatype || strcmp(a->datatype, b->datatype) == 0) &&
         !a->lang == !b->lang && (!a->lang || strcmp(a->lang, b->lang) == 0);
}

/* Open addressing over 2^k slots holding index + 1 (0: empty). */
static size_t *slots_new(arena *a, size_t n, size_t *out_mask) {
  size_t cap = 16;
  while (cap < 2 * n) cap *= 2;
  *out_mask = cap - 1;
  return arena_calloc(a, cap, sizeof(size_t));
}

size_t *rdf_order(const rdf_graph *g, size_t *out_n) {
  size_t smask, tmask;
  size_t *subj = slots_new(g->a, g->n, &smask), *trip = slots_new(g->a, g->n, &tmask);
  size_t *rank = arena_calloc(g->a, g->n + 1, sizeof *rank);   /* subject rank of triple i */
  size_t *count = arena_calloc(g->a, g->n + 1, sizeof *count); /* triples per rank, then starts */
  size_t *order = arena_calloc(g->a, g->n + 1, sizeof *order);
  if (!subj || !trip || !rank || !count || !order) return NULL;
  size_t n_ranks = 0, n = 0;
  for (size_t i = 0; i < g->n; i++) {
    const rdf_triple *t = &g->t[i];
    uint64_t h = fnv(fnv(fnv(fnv(fnv(14695981039346656037ULL, t->s.value), t->p), t->o.value),
                         t->o.datatype), t->o.lang);
    size_t k = (size_t)h & tmask;
    bool dup = false;
    for (; trip[k] && !dup; k = (k + 1) & tmask) {
      const rdf_triple *u = &g->t[trip[k] - 1];
      dup = same_term(&t->s, &u->s) && strcmp(t->p, u->p) == 0 && same_term(&t->o, &u->o);
    }
    if (dup) {
      rank[i] = SIZE_MAX;
      continue;
    }
    trip[k] = i + 1;
    size_t s = (size_t)fnv(14695981039346656037ULL, t->s.value) & smask;
    while (subj[s] && !same_term(&g->t[subj[s] - 1].s, &t->s)) s = (s + 1) & smask;
    if (!subj[s]) subj[s] = i + 1, count[n_ranks] = 0, rank[i] = n_ranks++;
    else rank[i] = rank[subj[s] - 1];
    count[rank[i]]++;
    n++;
  }
  for (size_t r = 0, start = 0; r < n_ranks; r++) {
    size_t c = count[r];
    count[r] = start;
    start += c;
  }
  for (size_t i = 0; i < g->n; i++)
    if (rank[i] != SIZE_MAX) order[count[rank[i]]++] = i;
  *out_n = n;
  return order;
}

const char *rdf_prefix_of(const char *iri, size_t *out_ns_len) {
  for (size_t i = 0; RDF_PREFIXES[i][0]; i++) {
    size_t n = strlen(RDF_PREFIXES[i][1]);
    if (strncmp(iri, RDF_PREFIXES[i][1], n) == 0) {
      *out_ns_len = n;
      return RDF_PREFIXES[i][0];
    }
  }
  return NULL;
}

/* "dct:title" for an IRI in a declared namespace whose rest is a plain name, else the IRI. */
static json_t *compact(const char *iri) {
  size_t n;
  const char *pfx = rdf_prefix_of(iri, &n);
  if (!pfx || !iri[n] || strspn(iri + n, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                          "0123456789_") != strlen(iri + n))
    return json_string(iri);
  char tmp[256];
  snprintf(tmp, sizeof tmp, "%s:%s", pfx, iri + n);
  return json_string(tmp);
}

static json_t *node_id(const rdf_term *t) {
  if (t->kind == RDF_IRI) return json_string(t->value);
  char tmp[64];
  snprintf(tmp, sizeof tmp, "_:%s", t->value);
  return json_string(tmp);
}

static json_t *object(const rdf_term *o) {
  if (o->kind != RDF_LITERAL) return json_pack("{s:o}", "@id", node_id(o));
  json_t *v = json_pack("{s:s}", "@value", o->value);
  if (o->lang) json_object_set_new(v, "@language", json_string(o->lang));
  if (o->datatype) json_object_set_new(v, "@type", compact(o->datatype));
  return v;
}

static bool same_subject(const rdf_term *a, const rdf_term *b) {
  return a->kind == b->kind && strcmp(a->value, b->value) == 0;
}

/* One node object per subject (rdf_order groups them). */
static json_t *graph_json(const rdf_graph *g) {
  json_t *ctx = json_object(), *nodes = json_array();
  for (size_t i = 0; RDF_PREFIXES[i][0]; i++)
    json_object_set_new(ctx, RDF_PREFIXES[i][0], json_string(RDF_PREFIXES[i][1]));
  json_t *node = NULL;
  size_t n;
  const size_t *order = rdf_order(g, &n);
  if (!order) {
    json_decref(ctx);
    json_decref(nodes);
    return NULL;
  }
  for (size_t k = 0; k < n; k++) {
    const rdf_triple *t = &g->t[order[k]];
    if (!node || !same_subject(&t->s, &g->t[order[k - 1]].s)) {
      node = json_pack("{s:o}", "@id", node_id(&t->s));
      json_array_append_new(nodes, node);
    }
    bool is_type = strcmp(t->p, NS_RDF "type") == 0 && t->o.kind == RDF_IRI;
    json_t *key = is_type ? json_string("@type") : compact(t->p);
    const char *name = json_string_value(key);
    json_t *vals = json_object_get(node, name);
    if (!vals) {
      vals = json_array();
      json_object_set_new(node, name, vals);
    }
    json_array_append_new(vals, is_type ? compact(t->o.value) : object(&t->o));
    json_decref(key);
  }
  return json_pack("{s:o, s:o}", "@context", ctx, "@graph", nodes);
}

err_code rdf_write_jsonld(const rdf_graph *g, buf *out, err *e) {
  if (g->failed) return err_set(e, ERR_NOMEM, "out of memory building the catalogue");
  json_t *doc = graph_json(g);
  char *s = doc ? json_dumps(doc, JSON_INDENT(1) | JSON_PRESERVE_ORDER) : NULL;
  json_decref(doc);
  if (!s) return err_set(e, ERR_NOMEM, "out of memory writing the catalogue");
  bool okay = buf_puts(out, s) && buf_putc(out, '\n');
  free(s);
  return okay ? ERR_OK : err_set(e, out->over_limit ? ERR_LIMIT : ERR_NOMEM,
                                 "the catalogue does not fit in the response");
}
