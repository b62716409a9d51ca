/* gpkg.c — a layer written as a GeoPackage by GDAL's GPKG driver, for analysts who want one file
 * QGIS opens at once. The file goes to a private temporary directory; features' download stream
 * opens it, unlinks it and streams it, so nothing is left behind even if the client goes away.
 * Memory stays bounded: features go through one at a time, committed every EXPORT_GPKG_TXN
 * features. GDAL's messages are kept off stderr (a thread-local quiet handler) and never copied
 * into the error: GDAL quotes what it was given (a path, a value), and the error reaches an HTTP
 * answer; its error number is kept, which is enough to look the failure up in GDAL's log. */
#include <cpl_conv.h>
#include <cpl_error.h>
#include <ctype.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "export/export.h"
#include "geom/wkb.h"

enum { EXPORT_GPKG_TXN = 20000 };

static OGRwkbGeometryType ogr_type(const char *t) {
  if (strcmp(t, "Point") == 0) return wkbPoint;
  if (strcmp(t, "LineString") == 0) return wkbLineString;
  if (strcmp(t, "Polygon") == 0) return wkbPolygon;
  return wkbUnknown;
}

static err_code gdal_fail(err *e, const char *what) {
  return err_set(e, ERR_IO, "GeoPackage: %s (GDAL error %d)", what, (int)CPLGetLastErrorNo());
}

static err_code add_fields(OGRLayerH lyr, const features_request *r, err *e) {
  for (size_t i = 0; i < r->n_fields; i++) {
    const layer_field *f = layer_find_field(r->layer, r->fields[i]);
    OGRFieldType t = OFTString;
    OGRFieldSubType st = OFSTNone;
    switch (f->type) {
      case FIELD_INTEGER: t = OFTInteger64; break;
      case FIELD_REAL: t = OFTReal; break;
      case FIELD_DATE: t = OFTDate; break;
      case FIELD_DATETIME: t = OFTDateTime; break;
      case FIELD_BOOLEAN: t = OFTInteger, st = OFSTBoolean; break;
      case FIELD_TEXT: break;
    }
    OGRFieldDefnH fd = OGR_Fld_Create(f->name, t);
    OGR_Fld_SetSubType(fd, st);
    OGR_Fld_SetAlternativeName(fd, f->label);
    OGRErr oe = OGR_L_CreateField(lyr, fd, TRUE);
    OGR_Fld_Destroy(fd);
    if (oe != OGRERR_NONE) return gdal_fail(e, "cannot create a field");
  }
  return ERR_OK;
}

static void set_value(OGRFeatureH of, int i, const value *v) {
  switch (v->kind) {
    case VALUE_NULL: OGR_F_SetFieldNull(of, i); break;
    case VALUE_INT:
    case VALUE_BOOL: OGR_F_SetFieldInteger64(of, i, v->i); break;
    case VALUE_REAL: OGR_F_SetFieldDouble(of, i, v->d); break;
    case VALUE_TEXT: {
      char small[256];
      if (v->len < sizeof small) {
        memcpy(small, v->s, v->len);
        small[v->len] = '\0';
        OGR_F_SetFieldString(of, i, small);
      } else {
        char *s = CPLMalloc(v->len + 1);
        memcpy(s, v->s, v->len);
        s[v->len] = '\0';
        OGR_F_SetFieldString(of, i, s);
        CPLFree(s);
      }
    }
  }
}

/* Writes one feature; wkb and scratch are reused between calls. */
static err_code add_feature(OGRLayerH lyr, const store_feature *f, arena *scratch, buf *wkb,
                            err *e) {
  OGRFeatureH of = OGR_F_Create(OGR_L_GetLayerDefn(lyr));
  OGR_F_SetFID(of, f->id);
  for (size_t i = 0; i < f->n_values; i++) set_value(of, (int)i, &f->values[i]);
  geom g;
  arena_reset(scratch);
  features_decode(f, scratch, &g);
  buf_reset(wkb);
  OGRGeometryH og = NULL;
  if (geom_wkb_encode(wkb, &g) &&
      OGR_G_CreateFromWkb(wkb->data, NULL, &og, (int)wkb->len) == OGRERR_NONE)
    OGR_F_SetGeometryDirectly(of, og);
  OGRErr oe = OGR_L_CreateFeature(lyr, of);
  OGR_F_Destroy(of);
  return oe == OGRERR_NONE ? ERR_OK : gdal_fail(e, "cannot write a feature");
}

static err_code copy_features(store_reader *rd, const features_request *r, GDALDatasetH ds,
                              OGRLayerH lyr, err *e) {
  store_query q;
  features_request_query(r, &q);
  store_iter *it = NULL;
  err_code rc = store_query_start(rd, &q, &it, e);
  if (rc != ERR_OK) return rc;
  arena *scratch = arena_create(0);
  buf wkb;
  buf_init(&wkb, 0);
  store_feature f;
  int64_t n = 0;
  GDALDatasetStartTransaction(ds, FALSE);
  while (scratch && rc == ERR_OK && store_iter_next(it, &f, e) == 1) {
    rc = add_feature(lyr, &f, scratch, &wkb, e);
    if (++n % EXPORT_GPKG_TXN == 0) {
      GDALDatasetCommitTransaction(ds);
      GDALDatasetStartTransaction(ds, FALSE);
    }
  }
  if (GDALDatasetCommitTransaction(ds) != OGRERR_NONE && rc == ERR_OK)
    rc = gdal_fail(e, "cannot commit");
  if (rc == ERR_OK) rc = store_iter_error(it, e);
  store_iter_close(it);
  buf_free(&wkb);
  if (!scratch) return err_set(e, ERR_NOMEM, "out of memory");
  arena_destroy(scratch);
  return rc;
}

/* gpkg_contents.last_change in GeoPackage's form (%Y-%m-%dT%H:%M:%fZ) from the time the layer's
 * current version was imported, so that one version downloads as the same bytes whenever it is
 * asked for; false when that time is not the store's YYYY-MM-DDTHH:MM:SSZ. */
static bool version_time(const layer_info *l, char out[32]) {
  if (!l) return false;
  const char *t = l->delivered_at && l->delivered_at[0] ? l->delivered_at : l->updated_at;
  static const char FORM[] = "dddd-dd-ddTdd:dd:ddZ";
  if (!t || strlen(t) != sizeof FORM - 1) return false;
  for (size_t i = 0; FORM[i]; i++)
    if (FORM[i] == 'd' ? !isdigit((unsigned char)t[i]) : t[i] != FORM[i]) return false;
  snprintf(out, 32, "%.19s.000Z", t);
  return true;
}

/* Drivers are registered once per process, whichever worker downloads first. */
static pthread_once_t gdal_once = PTHREAD_ONCE_INIT;
static void gdal_register(void) { GDALAllRegister(); }

err_code export_gpkg_write(store_reader *rd, const features_request *r, const char *path,
                           err *e) {
  pthread_once(&gdal_once, gdal_register);
  char when[32];
  /* this thread's setting only: other workers write other layers at the same time */
  CPLSetThreadLocalConfigOption("OGR_CURRENT_DATE", version_time(r->layer, when) ? when : NULL);
  CPLPushErrorHandler(CPLQuietErrorHandler);
  CPLErrorReset();
  err_code rc = ERR_OK;
  OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
  GDALDatasetH ds = NULL;
  GDALDriverH drv = GDALGetDriverByName("GPKG");
  if (!drv || !srs) {
    rc = gdal_fail(e, "the GPKG driver is missing");
    goto done;
  }
  OSRImportFromEPSG(srs, 4326);
  OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER);
  ds = GDALCreate(drv, path, 0, 0, 0, GDT_Unknown, NULL);
  if (!ds) {
    rc = gdal_fail(e, "cannot create the file");
    goto done;
  }
  char ident[300], desc[1100];
  snprintf(ident, sizeof ident, "IDENTIFIER=%s", r->layer->title);
  snprintf(desc, sizeof desc, "DESCRIPTION=%s", r->layer->description);
  char *opts[] = {"GEOMETRY_NAME=geom", "FID=fid", ident, desc, NULL};
  OGRLayerH lyr = GDALDatasetCreateLayer(ds, r->layer->id, srs, ogr_type(r->layer->geometry_type),
                                         opts);
  if (!lyr) {
    rc = gdal_fail(e, "cannot create the layer");
    goto done;
  }
  if ((rc = add_fields(lyr, r, e)) == ERR_OK) rc = copy_features(rd, r, ds, lyr, e);
done:
  if (ds) GDALClose(ds);
  if (srs) OSRDestroySpatialReference(srs);
  CPLSetThreadLocalConfigOption("OGR_CURRENT_DATE", NULL);
  CPLPopErrorHandler();
  return rc;
}
