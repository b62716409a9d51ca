/* source.c — opens the file with GDAL/OGR and picks what to read: the layer (a GeoPackage's
 * --source-layer, GPX waypoints/routes/tracks, every folder of a KML), the driver (a .zip through
 * /vsizip/, a KMZ through LIBKML) and the source CRS (the file's, --source-srs, or none).
 * It reads no features: import.c streams them. */
#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <cpl_vsi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "importers/source_int.h"

static void CPL_STDCALL gdal_handler(CPLErr cls, CPLErrorNum num, const char *msg) {
  gdal_errors *g = CPLGetErrorHandlerUserData();
  if (!g || !msg) return;
  /* scrubbed as captured: GDAL quotes values it read, and whatever holds this text later (the
   * report, an HTTP answer) must not hold a value of a field that is not published */
  if (cls >= CE_Failure) {
    if (g->n_failures++ == 0) {
      snprintf(g->first, sizeof g->first, "%s", msg);
      guard_gdal_text_scrub(g->first);
    }
    snprintf(g->last, sizeof g->last, "%s", msg);
    guard_gdal_text_scrub(g->last);
  } else if (cls == CE_Warning) {
    if (g->n_warnings++ == 0) {
      snprintf(g->first_warning, sizeof g->first_warning, "%s", msg);
      guard_gdal_text_scrub(g->first_warning);
    }
  }
}

void gdal_errors_push(gdal_errors *g) {
  CPLPushErrorHandlerEx(gdal_handler, g);
  guard_fetch_push(g);
}
void gdal_errors_pop(void) {
  guard_fetch_pop();
  CPLPopErrorHandler();
}

const char *gdal_errors_text(const gdal_errors *g, const char *fallback, char *out, size_t len) {
  snprintf(out, len, "%s", g->n_failures ? g->first : fallback);
  if (g->n_failures > 1 && strcmp(g->first, g->last) != 0) {
    size_t k = strlen(out); /* the last message after the first, truncated when too long */
    if (k + 4 < len) snprintf(out + k, len - k, " (%s)", g->last);
  }
  utf8_sanitize(out);
  return out;
}

static bool has_ext(const char *path, const char *ext) {
  size_t n = strlen(path), m = strlen(ext);
  return n > m && strcasecmp(path + n - m, ext) == 0;
}

/* A KMZ whose only document is doc.kml is extracted to a temporary file: GDAL 3.6's LIBKML
 * driver drops the <SchemaData> attributes when it reads the document from inside the zip, and
 * reads them from a plain .kml. A multi-file KMZ (NetworkLinks to other documents in the zip)
 * is opened as it is, since the links are relative to the archive. */
static err_code kmz_extract(const import_options *opt, import_source *src, char *open_path,
                            size_t len, err *e) {
  const char *path = opt->path;
  char zip[1100];
  snprintf(zip, sizeof zip, "/vsizip/%s", path);
  char **files = VSIReadDirRecursive(zip);
  int n_kml = 0;
  const char *kml = NULL;
  for (char **f = files; f && *f; f++)
    if (has_ext(*f, ".kml")) {
      n_kml++;
      kml = *f;
    }
  snprintf(open_path, len, "%s", path);
  err_code rc = ERR_OK;
  /* every document of a multi-file KMZ is read where it is: its links may name only others */
  for (char **f = files; n_kml > 1 && f && *f && rc == ERR_OK; f++) {
    char inner[1400], label[1400];
    snprintf(inner, sizeof inner, "%s/%s", zip, *f);
    snprintf(label, sizeof label, "%s (%s)", path, *f);
    if (has_ext(*f, ".kml"))
      rc = guard_scan(inner, label, GUARD_SCAN_VSI | GUARD_SCAN_XML | GUARD_SCAN_LINKS_INSIDE,
                      &opt->limits, e);
  }
  if (rc == ERR_OK && n_kml == 1) {
    char inner[1400];
    snprintf(inner, sizeof inner, "%s/%s", zip, kml);
    const char *tmpdir = getenv("TMPDIR");
    snprintf(src->temp_kml, sizeof src->temp_kml, "%s/teselas-import-XXXXXX.kml",
             tmpdir && *tmpdir ? tmpdir : "/tmp");
    int fd = mkstemps(src->temp_kml, 4);
    if (fd < 0) rc = err_set(e, ERR_IO, "no se pudo extraer %s de %s", kml, path);
    else rc = guard_copy_bounded(inner, src->temp_kml, (uint64_t)opt->limits.unzipped_mb << 20, e);
    /* extracted alone, the document has no archive to link into: no link at all */
    char label[1400];
    snprintf(label, sizeof label, "%s (%s)", path, kml ? kml : "");
    if (rc == ERR_OK)
      rc = guard_scan(src->temp_kml, label, GUARD_SCAN_VSI | GUARD_SCAN_XML, &opt->limits, e);
    if (rc != ERR_OK && fd >= 0) {
      unlink(src->temp_kml);
      src->temp_kml[0] = '\0';
    } else if (rc == ERR_OK) {
      snprintf(open_path, len, "%s", src->temp_kml);
    }
    if (fd >= 0) close(fd);
  } else if (rc == ERR_OK && n_kml == 0) {
    rc = err_set(e, ERR_INVALID, "%s no contiene ningún documento KML", path);
  }
  CSLDestroy(files);
  return rc;
}

static err_code open_dataset(const import_options *opt, import_source *src, import_report *rep,
                             err *e) {
  const char *path = opt->path;
  char open_path[1100];
  const char *const *drivers = GUARD_DRIVERS;
  static const char *const CSV_DRIVER[] = {"CSV", NULL};
  static const char *const KML_DRIVERS[] = {"LIBKML", "KML", NULL};
  char **oo = NULL;
  err_code rc = ERR_OK;
  if (has_ext(path, ".csv") || has_ext(path, ".txt") || has_ext(path, ".tsv")) {
    if ((rc = csv_prepare(path, opt, &src->csv, e)) != ERR_OK) return rc;
    snprintf(open_path, sizeof open_path, "%s", src->csv.open_path);
    /* GDAL 3.6 has no SEPARATOR open option: it detects ',' ';' or TAB from the header as
     * csv_detect_separator does. */
    oo = CSLSetNameValue(oo, "AUTODETECT_TYPE", "NO");
    oo = CSLSetNameValue(oo, "GEOM_POSSIBLE_NAMES", "teselas_no_such_column");
    drivers = CSV_DRIVER;
  } else if (has_ext(path, ".kmz")) {
    if ((rc = kmz_extract(opt, src, open_path, sizeof open_path, e)) != ERR_OK) return rc;
    drivers = KML_DRIVERS;
  } else if (has_ext(path, ".zip")) {
    snprintf(open_path, sizeof open_path, "/vsizip/%s", path);
  } else if (has_ext(path, ".ndjson") || has_ext(path, ".jsonl")) {
    snprintf(open_path, sizeof open_path, "GeoJSONSeq:%s", path);
  } else {
    snprintf(open_path, sizeof open_path, "%s", path);
  }
  if (opt->encoding && !src->csv.is_csv)
    oo = CSLSetNameValue(oo, "ENCODING", opt->encoding);  /* Shapefile DBF */
  src->ds = GDALOpenEx(open_path, GDAL_OF_VECTOR | GDAL_OF_READONLY | GDAL_OF_VERBOSE_ERROR,
                       drivers, (const char *const *)oo, NULL);
  if (!src->ds && oo && !src->csv.is_csv) /* ENCODING is not an open option of that driver */
    src->ds = GDALOpenEx(open_path, GDAL_OF_VECTOR | GDAL_OF_READONLY, drivers, NULL, NULL);
  CSLDestroy(oo);
  if (!src->ds) {
    char why[ERR_MSG_MAX / 2 + 8];
    gdal_errors_text(src->gdal, "no es un formato que teselas importe (CSV, GeoJSON, "
                     "Shapefile, KML/KMZ, GeoPackage, GPX)", why, sizeof why);
    int line = 0, col = 0, n = 0;
    if (sscanf(why, "At line %d, character %d: %n", &line, &col, &n) == 2 && n > 0)
      return err_set(e, ERR_INVALID, "no se pudo leer %s: error de sintaxis en la línea %d, "
                     "carácter %d (%s)", path, line, col, why + n);
    return err_set(e, ERR_INVALID, "no se pudo leer %s: %s", path, why);
  }
  snprintf(src->driver, sizeof src->driver, "%s",
           GDALGetDriverShortName(GDALGetDatasetDriver(src->ds)));
  snprintf(rep->driver, sizeof rep->driver, "%s", src->driver);
  return ERR_OK;
}

static err_code no_such_layer(GDALDatasetH ds, const char *name, err *e) {
  char list[300] = "";
  size_t used = 0;
  for (int i = 0; i < GDALDatasetGetLayerCount(ds) && used + 2 < sizeof list; i++)
    used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "",
                             OGR_L_GetName(GDALDatasetGetLayer(ds, i)));
  return err_set(e, ERR_INVALID, "el archivo no tiene la capa '%s' (capas: %s)", name, list);
}

/* Which layers to read: --source-layer; every folder of a KML; the first non-empty of GPX's
 * waypoints, routes and tracks; otherwise the first layer (noting the others). */
static err_code choose_layers(const import_options *opt, import_source *src, import_report *rep,
                              err *e) {
  GDALDatasetH ds = src->ds;
  int n = GDALDatasetGetLayerCount(ds);
  if (n <= 0) return err_set(e, ERR_INVALID, "el archivo %s no contiene capas", opt->path);
  src->layers = calloc((size_t)n, sizeof *src->layers);
  if (!src->layers) return err_set(e, ERR_NOMEM, "sin memoria");
  if (opt->source_layer) {
    OGRLayerH l = GDALDatasetGetLayerByName(ds, opt->source_layer);
    if (!l) return no_such_layer(ds, opt->source_layer, e);
    src->layers[src->n_layers++] = l;
  } else if (strstr(src->driver, "KML")) {
    for (int i = 0; i < n; i++) src->layers[src->n_layers++] = GDALDatasetGetLayer(ds, i);
    src->folder_field = n > 1;
  } else if (strcmp(src->driver, "GPX") == 0) {
    static const char *const GPX[] = {"waypoints", "routes", "tracks"};
    for (int i = 0; i < 3 && !src->n_layers; i++) {
      OGRLayerH l = GDALDatasetGetLayerByName(ds, GPX[i]);
      if (l && OGR_L_GetFeatureCount(l, 1) > 0) src->layers[src->n_layers++] = l;
    }
    if (!src->n_layers) return err_set(e, ERR_INVALID, "el GPX no tiene puntos, rutas ni tracks");
  } else {
    src->layers[src->n_layers++] = GDALDatasetGetLayer(ds, 0);
    if (n > 1)
      report_note(rep, "el archivo tiene %d capas; se importó '%s' (elija otra con "
                  "--source-layer)", n, OGR_L_GetName(src->layers[0]));
  }
  if (!src->csv.is_csv) /* a CSV's layer is its file name: nothing to tell */
    snprintf(rep->source_layer, sizeof rep->source_layer, "%s",
             src->n_layers == 1 ? OGR_L_GetName(src->layers[0]) : "(todas las carpetas)");
  return ERR_OK;
}

/* "EPSG:6372" when the CRS is known to an authority, else its name. */
static void srs_describe(OGRSpatialReferenceH srs, char *out, size_t len) {
  OGRSpatialReferenceH c = OSRClone(srs);
  const char *auth = OSRGetAuthorityName(c, NULL);
  if (!auth) {
    OSRAutoIdentifyEPSG(c);
    auth = OSRGetAuthorityName(c, NULL);
  }
  const char *name = OSRGetName(c);
  if (auth && OSRGetAuthorityCode(c, NULL))
    snprintf(out, len, "%s:%s (%s)", auth, OSRGetAuthorityCode(c, NULL), name ? name : "");
  else snprintf(out, len, "%s", name ? name : "desconocido");
  OSRDestroySpatialReference(c);
}

static err_code choose_srs(const import_options *opt, import_source *src, import_report *rep,
                           err *e) {
  if (opt->source_srs) {
    err_code rc = guard_srs_text(opt->path, opt->source_srs, e);
    if (rc != ERR_OK) return rc;
    src->srs = OSRNewSpatialReference(NULL);
    if (OSRSetFromUserInput(src->srs, opt->source_srs) != OGRERR_NONE)
      return err_set(e, ERR_INVALID, "--source-srs '%s' no es un sistema de coordenadas conocido",
                     opt->source_srs);
  } else {
    OGRSpatialReferenceH s = OGR_L_GetSpatialRef(src->layers[0]);
    if (s) src->srs = OSRClone(s);
  }
  if (!src->srs && src->csv.is_csv) {
    /* Latitude/longitude columns are degrees on WGS84 unless the publisher says otherwise. */
    src->srs = OSRNewSpatialReference(NULL);
    OSRImportFromEPSG(src->srs, 4326);
  }
  if (src->srs) {
    OSRSetAxisMappingStrategy(src->srs, OAMS_TRADITIONAL_GIS_ORDER);
    srs_describe(src->srs, rep->crs, sizeof rep->crs);
  } else {
    src->srs_assumed = true;
    snprintf(rep->crs, sizeof rep->crs, "no declarado");
    report_note(rep, "el archivo no declara su sistema de coordenadas (falta el .prj o está "
                "vacío): se asumió WGS84 (EPSG:4326) porque las coordenadas son grados; si no "
                "es así, indique --source-srs");
  }
  return ERR_OK;
}

/* Bounds GDAL's view of the file: as many fields and (a CSV's lines) records as allowed, and no
 * download asked for while opening (a GeoJSON "crs" of type "link" does). */
static err_code opened_within_limits(const import_options *opt, import_source *src, err *e) {
  if (src->gdal && src->gdal->n_fetches)
    return err_set(e, ERR_INVALID, "%s pide descargar %s: teselas no accede a la red al importar",
                   opt->path, src->gdal->first_fetch);
  for (size_t i = 0; i < src->n_layers; i++) {
    int n = OGR_FD_GetFieldCount(OGR_L_GetLayerDefn(src->layers[i]));
    if (n > opt->limits.fields)
      return err_set(e, ERR_LIMIT, "%s: la capa '%s' tiene %d campos; el límite es %lld "
                     "(--max-fields)", opt->path, OGR_L_GetName(src->layers[i]), n,
                     (long long)opt->limits.fields);
  }
  if (src->csv.is_csv && src->csv.n_lines > opt->limits.rows)
    return err_set(e, ERR_LIMIT, "%s tiene %lld líneas de datos; el límite es %lld (--max-rows)",
                   opt->path, (long long)src->csv.n_lines, (long long)opt->limits.rows);
  return ERR_OK;
}

err_code source_open(const import_options *opt, import_source *src, import_report *rep, err *e) {
  err_code rc = guard_path(opt->path, &opt->limits, e);
  if (rc == ERR_OK) rc = guard_file(opt->path, &opt->limits, e);
  if (rc == ERR_OK) rc = open_dataset(opt, src, rep, e);
  if (rc == ERR_OK) rc = choose_layers(opt, src, rep, e);
  if (rc == ERR_OK) rc = opened_within_limits(opt, src, e);
  if (rc == ERR_OK) rc = choose_srs(opt, src, rep, e);
  if (rc == ERR_OK && src->csv.is_csv) {
    rc = csv_find_columns(OGR_L_GetLayerDefn(src->layers[0]), opt, &src->csv, e);
    snprintf(rep->encoding, sizeof rep->encoding, "%s", src->csv.encoding);
    rep->csv_separator[0] = src->csv.separator;
    if (src->csv.encoding_note[0]) report_note(rep, "%s", src->csv.encoding_note);
  }
  return rc;
}

int64_t source_count(import_source *src) {
  if (src->csv.is_csv) return src->csv.n_lines;
  int64_t total = 0;
  for (size_t i = 0; i < src->n_layers; i++) {
    GIntBig n = OGR_L_GetFeatureCount(src->layers[i], 0);
    if (n < 0) return -1;
    total += n;
  }
  return total;
}

void source_close(import_source *src) {
  if (src->ds) GDALClose(src->ds);
  free(src->layers);
  if (src->srs) OSRDestroySpatialReference(src->srs);
  if (src->csv.temp_path[0]) unlink(src->csv.temp_path);
  if (src->temp_kml[0]) unlink(src->temp_kml);
  memset(src, 0, sizeof *src);
}
