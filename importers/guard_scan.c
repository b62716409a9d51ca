/* guard_scan.c — one streaming pass over the text of a CSV, GeoJSON, KML or GPX before GDAL reads
 * it, refusing what would make GDAL or its XML parser reach beyond the file or beyond its bounds:
 * a GDAL virtual path ("/vsicurl/", "/vsizip/"...) anywhere, an XML DOCTYPE (entities: billion
 * laughs, or an external entity naming /etc/passwd), a KML NetworkLink that leaves the document
 * (in a KMZ, one to another document of the same archive is kept: LIBKML resolves it inside the
 * archive), and a CSV line past --max-line-kb. Memory is one 64 kB block and a few counters,
 * whatever the file (a CSV of one 100 MB line is refused at its 16,385th kB).
 *
 * The patterns have no repeated prefix, so one state per pattern is a complete matcher. */
#include <cpl_vsi.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "importers/guard_int.h"

enum { P_VSI, P_DOCTYPE, P_LINK, P_HREF, P_LINK_NS, P_HREF_NS, P_N, HREF_MAX = 512 };
/* matched without regard to case; a namespace prefix (<kml:NetworkLink>) counts as well */
static const char *const PATTERN[P_N] = {"/vsi", "<!doctype", "<networklink", "<href>",
                                         ":networklink", ":href>"};

typedef struct scan {
  const char *label;
  unsigned flags;
  int64_t line, line_len, max_line;
  size_t state[P_N];
  bool in_link;          /* after <NetworkLink, before its <href> */
  bool in_href;          /* copying the href of a NetworkLink */
  char href[HREF_MAX];
  size_t href_len;
} scan;

/* Advances every matcher by c; the pattern completed, or -1. */
static int match(scan *s, char c) {
  int hit = -1;
  c = (char)tolower((unsigned char)c);
  for (int p = 0; p < P_N; p++) {
    const char *pat = PATTERN[p];
    s->state[p] = c == pat[s->state[p]] ? s->state[p] + 1 : c == pat[0];
    if (!pat[s->state[p]]) {
      s->state[p] = 0;
      hit = p == P_LINK_NS ? P_LINK : p == P_HREF_NS ? P_HREF : p;
    }
  }
  return hit;
}

/* A link target inside the archive: relative, no scheme, no "..". */
static bool href_inside(const char *h) {
  while (*h == ' ' || *h == '\t' || *h == '\n' || *h == '\r') h++;
  if (!*h || *h == '/' || *h == '\\' || strchr(h, ':') || strstr(h, "..")) return false;
  return true;
}

static err_code line_too_long(const scan *s, err *e) {
  return err_set(e, ERR_LIMIT, "%s, línea %lld: la línea pasa de %lld KB (--max-line-kb)",
                 s->label, (long long)s->line, (long long)(s->max_line >> 10));
}

/* One byte: ERR_OK, or the refusal in e. */
static err_code feed(scan *s, char c, err *e) {
  if (c == '\n') {
    s->line++;
    s->line_len = 0;
  } else if ((s->flags & GUARD_SCAN_LINES) && ++s->line_len > s->max_line) {
    return line_too_long(s, e);
  }
  if (s->in_href) {
    if (c != '<' && s->href_len + 1 < sizeof s->href) {
      s->href[s->href_len++] = c;
      return ERR_OK;
    }
    s->href[s->href_len] = '\0';
    s->in_href = false;
    if (c != '<' || !href_inside(s->href))
      return err_set(e, ERR_INVALID, "%s, línea %lld: un NetworkLink apunta fuera del archivo "
                     "('%.120s'): teselas no sigue enlaces", s->label, (long long)s->line, s->href);
  }
  int hit = match(s, c);
  if (hit == P_VSI && (s->flags & GUARD_SCAN_VSI))
    return err_set(e, ERR_INVALID, "%s, línea %lld: el archivo nombra una ruta virtual de GDAL "
                   "(/vsi…): teselas no abre otros archivos ni la red", s->label, (long long)s->line);
  if (!(s->flags & GUARD_SCAN_XML)) return ERR_OK;
  if (hit == P_DOCTYPE)
    return err_set(e, ERR_INVALID, "%s, línea %lld: el documento declara un DOCTYPE (entidades "
                   "XML, que pueden multiplicarse o leer otros archivos): teselas no lo procesa",
                   s->label, (long long)s->line);
  if (hit == P_LINK) {
    if (!(s->flags & GUARD_SCAN_LINKS_INSIDE))
      return err_set(e, ERR_INVALID, "%s, línea %lld: el documento tiene un NetworkLink (enlace "
                     "a otro documento): teselas no sigue enlaces", s->label, (long long)s->line);
    s->in_link = true;
  } else if (hit == P_HREF && s->in_link) {
    s->in_link = false;
    s->in_href = true;
    s->href_len = 0;
  }
  return ERR_OK;
}

/* Whether every matcher is at its start and no href is being copied: then a byte that starts no
 * pattern and ends no line changes nothing but the line's length (skip_plain). */
static bool idle(const scan *s) {
  if (s->in_href) return false;
  for (int p = 0; p < P_N; p++)
    if (s->state[p]) return false;
  return true;
}

/* The bytes from `from` that start no pattern ('/', '<', ':', none with a case) and are no
 * newline: counted into the line's length in one step. Feeding them one by one (tolower and six
 * matchers each) was 10 % of a GeoJSON polygon import's CPU (perf), the file being mostly
 * coordinates. Returns where feeding must resume; ERR_LIMIT in *rc for a line past the bound. */
static size_t skip_plain(scan *s, const char *block, size_t from, size_t n, err_code *rc,
                         err *e) {
  size_t i = from;
  while (i < n && block[i] != '/' && block[i] != '<' && block[i] != ':' && block[i] != '\n') i++;
  s->line_len += (int64_t)(i - from);
  if ((s->flags & GUARD_SCAN_LINES) && s->line_len > s->max_line)
    *rc = line_too_long(s, e);
  return i;
}

err_code guard_scan(const char *path, const char *label, unsigned flags, const import_limits *lim,
                    err *e) {
  VSILFILE *f = VSIFOpenL(path, "rb");
  if (!f) return err_set(e, ERR_IO, "no se puede abrir %s", label);
  scan s = {.label = label, .flags = flags, .line = 1, .max_line = lim->line_kb << 10};
  char block[65536];
  size_t n;
  err_code rc = ERR_OK;
  while (rc == ERR_OK && (n = VSIFReadL(block, 1, sizeof block, f)) > 0)
    for (size_t i = 0; i < n && rc == ERR_OK; i++) {
      if (idle(&s) && (i = skip_plain(&s, block, i, n, &rc, e)) == n) break;
      if (rc == ERR_OK) rc = feed(&s, block[i], e);
    }
  VSIFCloseL(f);
  if (rc == ERR_OK && s.in_href)
    rc = err_set(e, ERR_INVALID, "%s, línea %lld: un NetworkLink sin terminar", label,
                 (long long)s.line);
  return rc;
}
