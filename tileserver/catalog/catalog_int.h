/* catalog_int.h — what the catalogue's files share: an RDF graph held as a list of triples in the
 * request's arena, written out by rdf.c (JSON-LD) and turtle.c (Turtle) from the same list, so
 * the two serialisations cannot describe different graphs; and the vocabularies (vocab.c). */
#ifndef TESELAS_CATALOG_CATALOG_INT_H
#define TESELAS_CATALOG_CATALOG_INT_H

#include "catalog/catalog.h"

/* Namespaces, written out as the prefixes of both serialisations (rdf.c: RDF_PREFIXES). */
#define NS_RDF "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
#define NS_XSD "http://www.w3.org/2001/XMLSchema#"
#define NS_DCAT "http://www.w3.org/ns/dcat#"
#define NS_DCT "http://purl.org/dc/terms/"
#define NS_FOAF "http://xmlns.com/foaf/0.1/"
#define NS_LOCN "http://www.w3.org/ns/locn#"
#define NS_GSP "http://www.opengis.net/ont/geosparql#"
#define NS_SPDX "http://spdx.org/rdf/terms#"
#define NS_HYDRA "http://www.w3.org/ns/hydra/core#"
#define NS_RDFS "http://www.w3.org/2000/01/rdf-schema#"

typedef enum rdf_kind { RDF_IRI, RDF_BNODE, RDF_LITERAL } rdf_kind;

/* A term. A literal has at most one of datatype (an IRI) and lang; neither: xsd:string. */
typedef struct rdf_term {
  rdf_kind kind;
  const char *value;     /* IRI, blank node label (without "_:"), or the literal's text */
  const char *datatype;
  const char *lang;
} rdf_term;

typedef struct rdf_triple {
  rdf_term s;            /* RDF_IRI or RDF_BNODE */
  const char *p;         /* IRI */
  rdf_term o;
} rdf_triple;

/* The triples in insertion order; a subject's triples are added together, so the writers group
 * consecutive triples of one subject. Sticky: after an allocation failed, every add is a no-op
 * and failed stays true (the caller checks once, at the end). */
typedef struct rdf_graph {
  arena *a;
  rdf_triple *t;
  size_t n, cap;
  int n_bnodes;
  bool failed;
} rdf_graph;

void rdf_init(rdf_graph *g, arena *a);
rdf_term rdf_iri(const char *iri);
rdf_term rdf_lit(const char *text);                     /* xsd:string */
rdf_term rdf_lit_lang(const char *text, const char *lang);
rdf_term rdf_lit_typed(const char *text, const char *datatype_iri);
/* A fresh blank node ("b1", "b2", ...; its label in g's arena). */
rdf_term rdf_bnode(rdf_graph *g);
void rdf_add(rdf_graph *g, rdf_term s, const char *p, rdf_term o);
/* s rdf:type cls. */
void rdf_type(rdf_graph *g, rdf_term s, const char *cls);
/* An IRI from a printf format, in g's arena (NULL term value when it failed: rdf_add ignores). */
rdf_term rdf_iri_fmt(rdf_graph *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The order the writers visit the triples in: grouped by subject (subjects in order of first
 * appearance, each one's triples in insertion order), a triple equal to an earlier one left out
 * (dcat.c types a shared node, a licence or a language, each time it links it). Indices into
 * g->t, in g's arena; *out_n of them. NULL when the arena failed. */
size_t *rdf_order(const rdf_graph *g, size_t *out_n);
/* The graph as JSON-LD 1.1 (a @context of the prefixes, then @graph with one node object per
 * subject: every value explicit, @id or @value with @type/@language), or as Turtle 1.1. */
err_code rdf_write_jsonld(const rdf_graph *g, buf *out, err *e);
err_code rdf_write_turtle(const rdf_graph *g, buf *out, err *e);
/* The prefix of a namespace the writers declare for iri and the length of that namespace, or
 * NULL when iri is in none of them. */
const char *rdf_prefix_of(const char *iri, size_t *out_ns_len);
/* For the writers: the prefixes, NULL-terminated pairs {prefix, namespace}. */
extern const char *const RDF_PREFIXES[][2];

/* ---- vocabularies (vocab.c) ---- */

/* The slug of a publisher: letters (Spanish accents folded) and digits lower-cased, '-' for each
 * run of anything else ("Dirección de Obras" → "direccion-de-obras"); "sin-nombre" when nothing
 * is left. Both the
 * catalogue's foaf:Agent IRIs and CKAN's organizations use it. */
void catalog_org_slug(const char *name, char *out, size_t cap);

/* The EU frequency vocabulary IRI of a frequency in English or Spanish ("monthly", "mensual",
 * "on event", ...), or NULL when unknown (left out of the catalogue rather than guessed). */
const char *catalog_frequency_iri(const char *frequency);

#endif
