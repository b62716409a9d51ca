/* guard_int.h — the importer as if attacked: every file is checked before GDAL sees it (guard.c:
 * the path, the size, the format; guard_zip.c: archives and .dbf headers; guard_scan.c: the text
 * of CSV, GeoJSON, KML and GPX), and GDAL itself is kept to the allowed drivers and off the
 * network while it reads. Private to importers/. */
#ifndef TESELAS_IMPORTERS_GUARD_INT_H
#define TESELAS_IMPORTERS_GUARD_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "importers/import.h"

/* The drivers GDALOpenEx may use (NULL-terminated): the formats teselas imports. */
extern const char *const GUARD_DRIVERS[];

/* lim with every 0 replaced by its default. */
void guard_limits_resolve(const import_limits *lim, import_limits *out);

/* The path as given: refused when GDAL would read it as something else than a local file (a
 * /vsi prefix, a URL, a driver prefix such as "CSV:") or when it is too large. */
err_code guard_path(const char *path, const import_limits *lim, err *e);

/* What can be known before GDAL opens the file: archives (entries, sizes, ratio), a .dbf's
 * header, the text of CSV/GeoJSON/KML/GPX (guard_scan). ERR_INVALID or ERR_LIMIT, naming the file,
 * the record or line when there is one, and the reason. */
err_code guard_file(const char *path, const import_limits *lim, err *e);

/* A zip (.zip, .kmz) through its central directory: no absolute or ".." entry, no link, sizes
 * and ratio within lim, every .dbf inside with a sane header. Nothing is extracted. */
err_code guard_zip(const char *path, const import_limits *lim, err *e);

/* A .dbf header (its first 32 bytes, n of them read) against the size of the file. */
err_code guard_dbf_header(const char *label, const uint8_t *hdr, size_t n, uint64_t size,
                          const import_limits *lim, err *e);

enum {
  GUARD_SCAN_VSI = 1,        /* no "/vsi" path anywhere in the text */
  GUARD_SCAN_XML = 2,        /* no DOCTYPE or ENTITY; NetworkLinks per GUARD_SCAN_LINKS_INSIDE */
  GUARD_SCAN_LINES = 4,      /* no line longer than lim->line_kb */
  GUARD_SCAN_LINKS_INSIDE = 8 /* XML: a NetworkLink may name a document of the same archive */
};
/* Streams the file at path (a GDAL path: a KML inside a KMZ is "/vsizip/…/doc.kml"), label
 * naming it in messages. */
err_code guard_scan(const char *path, const char *label, unsigned flags, const import_limits *lim,
                    err *e);

/* Copies src to dst (GDAL paths), refusing past max_bytes: a KMZ entry extracted for LIBKML. */
err_code guard_copy_bounded(const char *src, const char *dst, uint64_t max_bytes, err *e);

/* True when path ends with ext, without regard to case (".zip" matches "X.ZIP"). */
bool guard_has_ext(const char *path, const char *ext);

/* --source-srs: refused when it names a file or a URL (OSRSetFromUserInput would read it). */
err_code guard_srs_text(const char *path, const char *srs, err *e);

/* GDAL's text with every quoted span ('…', "…") replaced by an ellipsis: GDAL quotes the values
 * it read, and a value of a field that is not published must not reach a report. In place. */
void guard_gdal_text_scrub(char *s);

#endif
