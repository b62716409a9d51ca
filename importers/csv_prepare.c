/* csv_prepare.c — what GDAL's CSV driver cannot do for the files municipal departments publish:
 * tell UTF-8 from Windows-1252 (and convert, into a temporary file, so memory stays bounded),
 * pick the separator (',' ';' TAB '|'), and find the coordinate columns by their Spanish or
 * English names whatever their case and accents ("Latitud", "LONGITUD", "coord_x", "lng").
 * GDAL then reads the (UTF-8) file with every column as text; the importer parses coordinates
 * itself so that "NA", "" or "21,1234" (decimal comma) are reported or understood, never read
 * as 0. It does not parse CSV rows itself: quoting and multi-line fields stay GDAL's job. */
#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "importers/source_int.h"

typedef struct utf8_state {
  int need;      /* continuation bytes still expected */
  int len;       /* length of the sequence being read */
  uint32_t cp;
} utf8_state;

/* One byte of UTF-8 (RFC 3629): rejects overlongs, surrogates and code points past U+10FFFF. */
static bool utf8_feed(utf8_state *st, uint8_t c) {
  if (st->need == 0) {
    if (c < 0x80) return true;
    if (c >= 0xC2 && c <= 0xDF) *st = (utf8_state){1, 2, c & 0x1Fu};
    else if (c >= 0xE0 && c <= 0xEF) *st = (utf8_state){2, 3, c & 0x0Fu};
    else if (c >= 0xF0 && c <= 0xF4) *st = (utf8_state){3, 4, c & 0x07u};
    else return false;
    return true;
  }
  if ((c & 0xC0) != 0x80) return false;
  st->cp = st->cp << 6 | (c & 0x3Fu);
  if (--st->need) return true;
  if (st->len == 3 && (st->cp < 0x800 || (st->cp >= 0xD800 && st->cp <= 0xDFFF))) return false;
  if (st->len == 4 && (st->cp < 0x10000 || st->cp > 0x10FFFF)) return false;
  return true;
}

bool utf8_valid(const char *s, size_t len, size_t *bad_at) {
  utf8_state st = {0};
  size_t start = 0;  /* where the current sequence began: what a person looks for */
  for (size_t i = 0; i < len; i++) {
    if (st.need == 0) start = i;
    if (!utf8_feed(&st, (uint8_t)s[i])) {
      if (bad_at) *bad_at = start;
      return false;
    }
  }
  if (st.need && bad_at) *bad_at = start;
  return st.need == 0;
}

void utf8_sanitize(char *s) {
  size_t len = strlen(s), start = 0;
  utf8_state st = {0};
  for (size_t i = 0; i < len; i++) {
    if (st.need == 0) start = i;
    if (!utf8_feed(&st, (uint8_t)s[i])) {
      bool lead = i == start;  /* a bad first byte, or a sequence broken by byte i */
      for (size_t j = start; j < i + lead; j++) s[j] = '?';
      st = (utf8_state){0};
      if (!lead) i--;  /* byte i may start a valid sequence of its own */
    }
  }
  if (st.need)
    for (size_t j = start; j < len; j++) s[j] = '?';
}

void csv_header_normalize(const char *in, char *out, size_t out_len) {
  /* Latin-1 supplement letters as UTF-8 (C3 xx) folded to their base letter. */
  static const char FOLD[64] = "AAAAAAACEEEEIIIIDNOOOOOxOUUUUYTsaaaaaaaceeeeiiiidnooooo/ouuuuyty";
  size_t n = 0;
  for (const unsigned char *p = (const unsigned char *)in; *p && n + 1 < out_len; p++) {
    unsigned char c = *p;
    if (c == 0xC3 && p[1] >= 0x80 && p[1] <= 0xBF) c = (unsigned char)FOLD[*++p - 0x80];
    if (c >= 'A' && c <= 'Z') c = (unsigned char)(c - 'A' + 'a');
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) out[n++] = (char)c;
  }
  out[n] = '\0';
}

char csv_detect_separator(const char *line) {
  static const char CANDIDATES[] = {',', ';', '\t', '|'};
  int counts[4] = {0};
  bool quoted = false;
  for (const char *p = line; *p && *p != '\n'; p++) {
    if (*p == '"') quoted = !quoted;
    for (int i = 0; i < 4 && !quoted; i++) counts[i] += *p == CANDIDATES[i];
  }
  int best = 0;
  for (int i = 1; i < 4; i++)
    if (counts[i] > counts[best]) best = i;
  return CANDIDATES[best];
}

bool import_parse_double(const char *s, bool decimal_comma, double *out) {
  char tmp[64];
  while (*s == ' ' || *s == '\t') s++;
  size_t n = strlen(s);
  while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r')) n--;
  if (n == 0 || n >= sizeof tmp) return false;
  memcpy(tmp, s, n);
  tmp[n] = '\0';
  if (decimal_comma && !strchr(tmp, '.')) {
    char *comma = strchr(tmp, ',');
    if (comma && !strchr(comma + 1, ',')) *comma = '.';
  }
  /* strtod would accept "nan", "inf" and hex floats: a coordinate is plain decimal text. */
  for (const char *p = tmp; *p; p++)
    if (!strchr("0123456789+-.eE", *p)) return false;
  char *end = NULL;
  errno = 0;
  double d = strtod(tmp, &end);
  if (end == tmp || *end || errno == ERANGE) return false;
  *out = d;
  return true;
}

/* Canonical iconv name for what --encoding accepts; NULL when unknown. */
static const char *encoding_canonical(const char *name) {
  static const struct {
    const char *alias, *canon;
  } NAMES[] = {{"utf-8", "UTF-8"},           {"utf8", "UTF-8"},
               {"windows-1252", "WINDOWS-1252"}, {"cp1252", "WINDOWS-1252"},
               {"win1252", "WINDOWS-1252"},  {"latin1", "ISO-8859-1"},
               {"latin-1", "ISO-8859-1"},    {"iso-8859-1", "ISO-8859-1"},
               {"iso8859-1", "ISO-8859-1"},  {"iso-8859-15", "ISO-8859-15"}};
  for (size_t i = 0; i < sizeof NAMES / sizeof *NAMES; i++)
    if (strcasecmp(name, NAMES[i].alias) == 0) return NAMES[i].canon;
  return NULL;
}

typedef struct scan_result {
  bool valid;
  int64_t bad_line;      /* 1-based line of the first invalid byte */
  int64_t n_lines;
  char header[4096];
} scan_result;

/* One pass over the file: UTF-8 validity, line count, and the header line. */
static err_code csv_scan(const char *path, scan_result *out, err *e) {
  FILE *f = fopen(path, "rb");
  if (!f) return err_set(e, ERR_IO, "no se puede abrir %s: %s", path, strerror(errno));
  *out = (scan_result){.valid = true};
  utf8_state st = {0};
  uint8_t block[65536];
  size_t n, header_len = 0;
  bool in_header = true;
  int64_t line = 1;
  while ((n = fread(block, 1, sizeof block, f)) > 0) {
    for (size_t i = 0; i < n; i++) {
      uint8_t c = block[i];
      if (c == '\n') {
        line++;
        in_header = false;
      } else if (in_header && header_len + 1 < sizeof out->header) {
        out->header[header_len++] = (char)c;
      }
      if ((c >= 0x80 || st.need) && out->valid && !utf8_feed(&st, c)) {
        out->valid = false;
        out->bad_line = line;
      }
    }
  }
  bool bad = ferror(f);
  fclose(f);
  if (bad) return err_set(e, ERR_IO, "error al leer %s", path);
  if (st.need && out->valid) { /* a sequence cut short by the end of the file */
    out->valid = false;
    out->bad_line = line;
  }
  out->n_lines = line - 1;
  return ERR_OK;
}

/* Streams path through iconv into a temporary UTF-8 file. Bytes the source encoding does not
 * define (five in Windows-1252) become '?'. */
static err_code csv_convert(const char *path, const char *encoding, csv_info *out, err *e) {
  const char *tmpdir = getenv("TMPDIR");
  snprintf(out->temp_path, sizeof out->temp_path, "%s/teselas-import-XXXXXX.csv",
           tmpdir && *tmpdir ? tmpdir : "/tmp");
  iconv_t cd = iconv_open("UTF-8", encoding);
  FILE *in = fopen(path, "rb");
  int fd = mkstemps(out->temp_path, 4);
  FILE *o = fd >= 0 ? fdopen(fd, "wb") : NULL;
  err_code rc = ERR_OK;
  if (cd == (iconv_t)-1 || !in || !o) {
    rc = err_set(e, ERR_IO, "no se puede convertir %s desde %s: %s", path, encoding,
                 strerror(errno));
    goto done;
  }
  char ib[16384], ob[4 * 16384 + 16];
  size_t n;
  while ((n = fread(ib, 1, sizeof ib, in)) > 0) {
    char *ip = ib, *op = ob;
    size_t il = n, ol = sizeof ob;
    while (il > 0) {
      if (iconv(cd, &ip, &il, &op, &ol) != (size_t)-1) break;
      if (errno != EILSEQ && errno != EINVAL) break;
      *op++ = '?';  /* an undefined byte: keep the row, mark the character */
      ol--;
      ip++;
      il--;
    }
    if (fwrite(ob, 1, (size_t)(op - ob), o) != (size_t)(op - ob)) {
      rc = err_set(e, ERR_IO, "no se puede escribir %s: %s", out->temp_path, strerror(errno));
      goto done;
    }
  }
done:
  if (cd != (iconv_t)-1) iconv_close(cd);
  if (in) fclose(in);
  if (o && fclose(o) != 0 && rc == ERR_OK)
    rc = err_set(e, ERR_IO, "no se puede escribir %s", out->temp_path);
  if (!o && fd >= 0) close(fd);
  if (rc != ERR_OK && fd >= 0) {
    unlink(out->temp_path);
    out->temp_path[0] = '\0';
  }
  return rc;
}

static bool has_ext(const char *path, const char *ext) {
  size_t n = strlen(path), m = strlen(ext);
  return n > m && strcasecmp(path + n - m, ext) == 0;
}

err_code csv_prepare(const char *path, const import_options *opt, csv_info *out, err *e) {
  *out = (csv_info){.is_csv = true, .lat_idx = -1, .lon_idx = -1, .wkt_idx = -1, .n_lines = -1};
  const char *forced = NULL;
  if (opt->encoding && !(forced = encoding_canonical(opt->encoding)))
    return err_set(e, ERR_INVALID,
                   "codificación '%s' desconocida: use UTF-8, WINDOWS-1252 o ISO-8859-1",
                   opt->encoding);
  scan_result scan;
  err_code rc = csv_scan(path, &scan, e);
  if (rc != ERR_OK) return rc;
  out->n_lines = scan.n_lines > 0 ? scan.n_lines - 1 : 0;
  const char *enc = forced ? forced : scan.valid ? "UTF-8" : "WINDOWS-1252";
  snprintf(out->encoding, sizeof out->encoding, "%s", enc);
  if (forced)
    snprintf(out->encoding_note, sizeof out->encoding_note, "codificación %s indicada con --encoding",
             enc);
  else if (!scan.valid)
    snprintf(out->encoding_note, sizeof out->encoding_note,
             "el archivo no es UTF-8 válido (primer byte inválido en la línea %lld): se leyó "
             "como Windows-1252",
             (long long)scan.bad_line);
  out->separator = csv_detect_separator(scan.header);
  const char *source = path;
  if (strcmp(enc, "UTF-8") != 0) {
    if ((rc = csv_convert(path, enc, out, e)) != ERR_OK) return rc;
    source = out->temp_path;
  }
  /* GDAL's CSV driver claims only *.csv files unless asked by prefix. */
  snprintf(out->open_path, sizeof out->open_path, "%s%s", has_ext(source, ".csv") ? "" : "CSV:",
           source);
  return ERR_OK;
}

/* The field whose normalized name equals one of names (in order of preference), or -1. */
static int find_by_names(OGRFeatureDefnH defn, const char *const *names) {
  int n = OGR_FD_GetFieldCount(defn);
  for (const char *const *want = names; *want; want++)
    for (int i = 0; i < n; i++) {
      char norm[128];
      csv_header_normalize(OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i)), norm, sizeof norm);
      if (strcmp(norm, *want) == 0) return i;
    }
  return -1;
}

static int find_named(OGRFeatureDefnH defn, const char *name) {
  int i = OGR_FD_GetFieldIndex(defn, name);
  if (i >= 0) return i;
  char want[128];
  csv_header_normalize(name, want, sizeof want);
  const char *names[] = {want, NULL};
  return find_by_names(defn, names);
}

static err_code missing_columns(OGRFeatureDefnH defn, const char *what, err *e) {
  char list[300] = "";
  size_t used = 0;
  for (int i = 0; i < OGR_FD_GetFieldCount(defn) && used + 2 < sizeof list; i++)
    used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "",
                             OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i)));
  return err_set(e, ERR_INVALID, "%s (columnas del archivo: %s)", what, list);
}

err_code csv_find_columns(OGRFeatureDefnH defn, const import_options *opt, csv_info *csv, err *e) {
  static const char *const LAT[] = {"latitud", "latitude", "lat", "coordy", "coordenaday",
                                    "ycoord", "pointy", "y", NULL};
  static const char *const LON[] = {"longitud", "longitude", "lon", "lng", "long", "coordx",
                                    "coordenadax", "xcoord", "pointx", "x", NULL};
  static const char *const WKT[] = {"wkt", "wktgeom", "geometria", "geometry", "geom",
                                    "thegeom", NULL};
  if (opt->wkt_col) {
    if ((csv->wkt_idx = find_named(defn, opt->wkt_col)) < 0)
      return missing_columns(defn, "no existe la columna indicada con --wkt", e);
    return ERR_OK;
  }
  if ((opt->lat_col != NULL) != (opt->lon_col != NULL))
    return err_set(e, ERR_INVALID, "--lat y --lon van juntos: indique las dos columnas");
  if (opt->lat_col) {
    csv->lat_idx = find_named(defn, opt->lat_col);
    csv->lon_idx = find_named(defn, opt->lon_col);
    if (csv->lat_idx < 0 || csv->lon_idx < 0)
      return missing_columns(defn, "no existe la columna indicada con --lat/--lon", e);
    return ERR_OK;
  }
  csv->lat_idx = find_by_names(defn, LAT);
  csv->lon_idx = find_by_names(defn, LON);
  if (csv->lat_idx >= 0 && csv->lon_idx >= 0) return ERR_OK;
  csv->lat_idx = csv->lon_idx = -1;
  if ((csv->wkt_idx = find_by_names(defn, WKT)) >= 0) return ERR_OK;
  return missing_columns(defn,
                         "no se encontraron columnas de coordenadas (latitud/longitud, lat/lon, "
                         "y/x, coord_y/coord_x o WKT): indíquelas con --lat y --lon o --wkt",
                         e);
}
