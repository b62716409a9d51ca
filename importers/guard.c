/* guard.c — what keeps a hostile file from making the importer read anything but itself, or cost
 * more than its bounds: GDAL restricted once per process (the drivers of the formats teselas
 * imports and nothing else, no download, no /vsicurl/, no PROJ network), the path checked before
 * GDAL sees it, and each format dispatched to its checks (guard_zip.c, guard_scan.c).
 *
 * GDAL 3.6 as measured here: a GeoJSON "crs" of type "link" makes its reader download the URL
 * (CPLHTTPFetch), so downloads are refused by a fetch callback rather than trusted to drivers;
 * the KML drivers follow no NetworkLink, refuse billion-laughs entities and read no external
 * entity, and the checks of guard_scan.c refuse such documents before either driver runs, with a
 * message naming the line. */
#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_http.h>
#include <cpl_string.h>
#include <cpl_vsi.h>
#include <gdal.h>
#include <ogr_srs_api.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "importers/source_int.h"

const char *const GUARD_DRIVERS[] = {"CSV", "GeoJSON", "GeoJSONSeq", "ESRI Shapefile", "KML",
                                     "LIBKML", "GPKG", "GPX", NULL};

void import_limits_default(import_limits *out) {
  *out = (import_limits){.file_mb = 2048, .rows = 10000000, .fields = 1000, .line_kb = 16384,
                         .seconds = 3600, .unzipped_mb = 4096, .zip_ratio = 100};
}

void guard_limits_resolve(const import_limits *lim, import_limits *out) {
  import_limits d;
  import_limits_default(&d);
  *out = lim ? *lim : d;
  int64_t *o = &out->file_mb, *def = &d.file_mb;
  for (size_t i = 0; i < sizeof d / sizeof d.file_mb; i++)
    if (o[i] <= 0) o[i] = def[i];
}

/* Every download GDAL asks for gets an error instead: the result GDAL frees with CPLFree. */
static CPLHTTPResult *refused(const char *url) {
  CPLHTTPResult *r = CPLCalloc(1, sizeof *r);
  r->nStatus = 1;
  r->pszErrBuf = CPLStrdup(CPLSPrintf("teselas no descarga nada al importar (%.80s)", url));
  return r;
}

static CPLHTTPResult *deny_fetch(const char *url, CSLConstList opts, GDALProgressFunc pf,
                                 void *parg, CPLHTTPFetchWriteFunc wf, void *warg, void *user) {
  (void)opts, (void)pf, (void)parg, (void)wf, (void)warg, (void)user;
  return refused(url);
}

/* The same, recording the URL into the import's gdal_errors (pushed per thread). */
static CPLHTTPResult *record_fetch(const char *url, CSLConstList opts, GDALProgressFunc pf,
                                   void *parg, CPLHTTPFetchWriteFunc wf, void *warg, void *user) {
  (void)opts, (void)pf, (void)parg, (void)wf, (void)warg;
  gdal_errors *g = user;
  if (g && g->n_fetches++ == 0) snprintf(g->first_fetch, sizeof g->first_fetch, "%s", url);
  return refused(url);
}

void guard_fetch_push(gdal_errors *g) { CPLHTTPPushFetchCallback(record_fetch, g); }
void guard_fetch_pop(void) { CPLHTTPPopFetchCallback(); }

static bool allowed_driver(const char *name) {
  for (const char *const *d = GUARD_DRIVERS; *d; d++)
    if (strcmp(*d, name) == 0) return true;
  return false;
}

/* GDAL_SKIP is read by every GDALAllRegister (the GeoPackage export registers too), so the
 * drivers it names stay out for the whole process, whoever registers next. GDAL 3.6 splits it at
 * spaces and commas, so the four drivers whose names have a space ("MapInfo File", "UK .NTF",
 * "Interlis 1", "Interlis 2") are deregistered directly instead; the allowed list GDALOpenEx
 * gets (source.c) keeps them out of an import even if a later registration brings them back. */
static void setup_once(void) {
  CPLPushErrorHandler(CPLQuietErrorHandler);
  CPLSetConfigOption("CPL_VSIL_CURL_ALLOWED_EXTENSIONS", ".teselas-sin-red");
  CPLSetConfigOption("GDAL_HTTP_TIMEOUT", "1");
  CPLHTTPSetFetchCallback(deny_fetch, NULL);
  OSRSetPROJEnableNetwork(FALSE);
  GDALAllRegister();
  char *skip = NULL;
  for (int i = GDALGetDriverCount() - 1; i >= 0; i--) {
    GDALDriverH d = GDALGetDriver(i);
    const char *name = GDALGetDriverShortName(d);
    if (allowed_driver(name)) continue;
    if (strchr(name, ' ') || strchr(name, ',')) {
      GDALDeregisterDriver(d);
      GDALDestroyDriver(d);
      continue;
    }
    const char *prev = skip ? skip : "";
    char *next = CPLStrdup(CPLSPrintf("%s%s%s", prev, *prev ? "," : "", name));
    CPLFree(skip);
    skip = next;
  }
  if (skip) {
    CPLSetConfigOption("GDAL_SKIP", skip);
    GDALAllRegister();  /* unloads what GDAL_SKIP names */
  }
  CPLFree(skip);
  CPLPopErrorHandler();
}

static pthread_once_t setup_done = PTHREAD_ONCE_INIT;
void import_gdal_setup(void) { pthread_once(&setup_done, setup_once); }

bool guard_has_ext(const char *path, const char *ext) {
  size_t n = strlen(path), m = strlen(ext);
  return n > m && strcasecmp(path + n - m, ext) == 0;
}

err_code guard_path(const char *path, const import_limits *lim, err *e) {
  const char *slash = strchr(path, '/');
  const char *colon = strchr(path, ':');
  if (strncmp(path, "/vsi", 4) == 0 || strstr(path, "://") || (colon && (!slash || colon < slash)))
    return err_set(e, ERR_INVALID, "%s no es un archivo local: teselas no abre rutas virtuales "
                   "de GDAL (/vsi…), URLs ni prefijos de controlador", path);
  struct stat st;
  if (stat(path, &st) != 0) return err_set(e, ERR_IO, "no existe el archivo %s", path);
  if (S_ISDIR(st.st_mode))
    return err_set(e, ERR_INVALID, "%s es una carpeta: indique el archivo", path);
  if (!S_ISREG(st.st_mode))
    return err_set(e, ERR_INVALID, "%s no es un archivo regular", path);
  if ((uint64_t)st.st_size > (uint64_t)lim->file_mb << 20)
    return err_set(e, ERR_LIMIT, "%s ocupa %lld MB: el límite es %lld MB (--max-file-mb)", path,
                   (long long)(st.st_size >> 20), (long long)lim->file_mb);
  return ERR_OK;
}

/* The .dbf next to a .shp (.dbf or .DBF), checked from its header. */
static err_code shp_dbf(const char *path, const import_limits *lim, err *e) {
  char dbf[4096];
  size_t n = strlen(path);
  if (n + 1 > sizeof dbf) return ERR_OK;
  static const char *const EXT[] = {".dbf", ".DBF"};
  for (int i = 0; i < 2; i++) {
    snprintf(dbf, sizeof dbf, "%.*s%s", (int)(n - 4), path, EXT[i]);
    FILE *f = fopen(dbf, "rb");
    if (!f) continue;
    uint8_t hdr[32];
    size_t got = fread(hdr, 1, sizeof hdr, f);
    struct stat st;
    char label[4200];
    snprintf(label, sizeof label, "%s (%s)", path, dbf + n - 4);
    err_code rc = fstat(fileno(f), &st) == 0
                      ? guard_dbf_header(label, hdr, got, (uint64_t)st.st_size, lim, e)
                      : err_set(e, ERR_IO, "no se puede leer %s", dbf);
    fclose(f);
    return rc;
  }
  return ERR_OK;
}

err_code guard_file(const char *path, const import_limits *lim, err *e) {
  /* the text formats and what their scan looks for */
  static const struct {
    const char *ext;
    unsigned flags;
  } TEXT[] = {{".csv", GUARD_SCAN_VSI | GUARD_SCAN_LINES},
              {".txt", GUARD_SCAN_VSI | GUARD_SCAN_LINES},
              {".tsv", GUARD_SCAN_VSI | GUARD_SCAN_LINES},
              {".kml", GUARD_SCAN_VSI | GUARD_SCAN_XML},
              {".gpx", GUARD_SCAN_VSI | GUARD_SCAN_XML},
              {".geojson", GUARD_SCAN_VSI}, {".json", GUARD_SCAN_VSI},
              {".ndjson", GUARD_SCAN_VSI}, {".jsonl", GUARD_SCAN_VSI},
              {".geojsonl", GUARD_SCAN_VSI}};
  if (guard_has_ext(path, ".vrt") || guard_has_ext(path, ".ovf"))
    return err_set(e, ERR_INVALID, "%s es un VRT, que remite a otros archivos: teselas no lo "
                   "importa (entregue el archivo de datos mismo)", path);
  if (guard_has_ext(path, ".zip") || guard_has_ext(path, ".kmz")) return guard_zip(path, lim, e);
  if (guard_has_ext(path, ".shp")) return shp_dbf(path, lim, e);
  for (size_t i = 0; i < sizeof TEXT / sizeof *TEXT; i++)
    if (guard_has_ext(path, TEXT[i].ext)) return guard_scan(path, path, TEXT[i].flags, lim, e);
  return ERR_OK;
}

err_code guard_srs_text(const char *path, const char *srs, err *e) {
  if (srs[0] == '/' || srs[0] == '.' || srs[0] == '~' || strstr(srs, "/vsi") ||
      strstr(srs, "://") || access(srs, F_OK) == 0)
    return err_set(e, ERR_INVALID, "%s: --source-srs '%.80s' nombra un archivo o una URL: "
                   "indique un código (EPSG:6372), WKT o una cadena PROJ", path, srs);
  return ERR_OK;
}

err_code guard_copy_bounded(const char *src, const char *dst, uint64_t max_bytes, err *e) {
  VSILFILE *in = VSIFOpenL(src, "rb");
  FILE *out = fopen(dst, "wb");
  err_code rc = ERR_OK;
  uint64_t total = 0;
  char block[65536];
  size_t n;
  if (!in || !out) {
    rc = err_set(e, ERR_IO, "no se pudo extraer %s", src);
    goto done;
  }
  while (rc == ERR_OK && (n = VSIFReadL(block, 1, sizeof block, in)) > 0) {
    if ((total += n) > max_bytes)
      rc = err_set(e, ERR_LIMIT, "%s se expande a más de %llu MB (--max-unzipped-mb)", src,
                   (unsigned long long)(max_bytes >> 20));
    else if (fwrite(block, 1, n, out) != n)
      rc = err_set(e, ERR_IO, "no se pudo escribir %s", dst);
  }
done:
  if (in) VSIFCloseL(in);
  if (out && fclose(out) != 0 && rc == ERR_OK)
    rc = err_set(e, ERR_IO, "no se pudo escribir %s", dst);
  return rc;
}

void guard_gdal_text_scrub(char *s) {
  static const char MARK[] = "'\xE2\x80\xA6'"; /* '…': 5 bytes */
  char *w = s;
  for (const char *r = s; *r;) {
    const char *close = (*r == '\'' || *r == '"') ? strchr(r + 1, *r) : NULL;
    if (!close) {
      *w++ = *r++;
      continue;
    }
    /* w <= r: the mark is written only over bytes already read (a span shorter than the mark
     * becomes '') */
    size_t span = (size_t)(close - r) + 1, m = span >= sizeof MARK - 1 ? sizeof MARK - 1 : 2;
    memmove(w, m == 2 ? "''" : MARK, m);
    w += m;
    r = close + 1;
  }
  *w = '\0';
}
