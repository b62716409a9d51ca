/* turtle.c — the catalogue's graph as Turtle 1.1 (W3C REC 2014-02-25).
 *
 * A writer of our own, about a hundred lines: Debian 12 has no C library for writing RDF worth a
 * dependency for this (Redland's librdf pulls a storage layer and its own URI and world objects
 * for what is string escaping), and the grammar for writing, unlike reading, is small. What it
 * must get right, by the grammar's productions:
 *  - IRIREF (§6.4 [18]): no control character, space or <>"{}|^`\ inside <...>; those bytes
 *    are written percent-encoded (they are not legal in an IRI either, RFC 3987);
 *  - STRING_LITERAL_QUOTE ([22]) with ECHAR ([159]): \" \\ \n \r \t \b \f escaped, other
 *    control characters as \uXXXX; UTF-8 passes through;
 *  - LANGTAG ([144s]) after @, datatypes after ^^ as IRIs;
 *  - PN_LOCAL ([168s]): a prefixed name only when the local part is letters, digits and '_'
 *    (never a trailing '.'), otherwise the full <IRI>.
 * A subject's triples share it with ';' (rdf_order groups them). */
#include <string.h>

#include "catalog/catalog_int.h"

static void put_iri(buf *out, const char *iri) {
  static const char hex[] = "0123456789ABCDEF";
  size_t ns = 0;
  const char *pfx = rdf_prefix_of(iri, &ns);
  const char *local = pfx ? iri + ns : "";
  if (pfx && *local &&
      strspn(local, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") ==
          strlen(local)) {
    buf_printf(out, "%s:%s", pfx, local);
    return;
  }
  buf_putc(out, '<');
  for (const unsigned char *p = (const unsigned char *)iri; *p; p++) {
    if (*p <= 0x20 || strchr("<>\"{}|^`\\", *p)) {
      char esc[3] = {'%', hex[*p >> 4], hex[*p & 15]};
      buf_append(out, esc, 3);
    } else {
      buf_putc(out, *p);
    }
  }
  buf_putc(out, '>');
}

static void put_string(buf *out, const char *s) {
  buf_putc(out, '"');
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    switch (*p) {
      case '"': buf_puts(out, "\\\""); break;
      case '\\': buf_puts(out, "\\\\"); break;
      case '\n': buf_puts(out, "\\n"); break;
      case '\r': buf_puts(out, "\\r"); break;
      case '\t': buf_puts(out, "\\t"); break;
      case '\b': buf_puts(out, "\\b"); break;
      case '\f': buf_puts(out, "\\f"); break;
      default:
        if (*p < 0x20 || *p == 0x7f) buf_printf(out, "\\u%04X", *p);
        else buf_putc(out, *p);
    }
  }
  buf_putc(out, '"');
}

static void put_term(buf *out, const rdf_term *t) {
  switch (t->kind) {
    case RDF_IRI: put_iri(out, t->value); break;
    case RDF_BNODE: buf_printf(out, "_:%s", t->value); break;
    case RDF_LITERAL:
      put_string(out, t->value);
      if (t->lang) {
        buf_printf(out, "@%s", t->lang);
      } else if (t->datatype) {
        buf_puts(out, "^^");
        put_iri(out, t->datatype);
      }
      break;
  }
}

err_code rdf_write_turtle(const rdf_graph *g, buf *out, err *e) {
  if (g->failed) return err_set(e, ERR_NOMEM, "out of memory building the catalogue");
  for (size_t i = 0; RDF_PREFIXES[i][0]; i++)
    buf_printf(out, "@prefix %s: <%s> .\n", RDF_PREFIXES[i][0], RDF_PREFIXES[i][1]);
  size_t n;
  const size_t *order = rdf_order(g, &n);
  if (!order) return err_set(e, ERR_NOMEM, "out of memory writing the catalogue");
  for (size_t i = 0; i < n; i++) {
    const rdf_triple *t = &g->t[order[i]], *prev = i ? &g->t[order[i - 1]] : NULL;
    bool same = prev && t->s.kind == prev->s.kind && strcmp(t->s.value, prev->s.value) == 0;
    if (same) {
      buf_puts(out, " ;\n    ");
    } else {
      buf_puts(out, i ? " .\n\n" : "\n");
      put_term(out, &t->s);
      buf_puts(out, "\n    ");
    }
    if (strcmp(t->p, NS_RDF "type") == 0) buf_putc(out, 'a');
    else put_iri(out, t->p);
    buf_putc(out, ' ');
    put_term(out, &t->o);
  }
  if (n) buf_puts(out, " .\n");
  if (out->failed)
    return err_set(e, out->over_limit ? ERR_LIMIT : ERR_NOMEM,
                   "the catalogue does not fit in the response");
  return ERR_OK;
}
