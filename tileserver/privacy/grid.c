/* grid.c — snapping points to the fixed square or hexagonal grid of a UTM zone (see grid.h for
 * the geometry and the zone-seam rule). Cell ids, cell polygons and dates are in grid_cell.c.
 *
 * PROJ: one context per privacy_grid and one normalised (lon, lat → easting, northing)
 * transformation per zone, created on first use, so an import of a city pays for one
 * proj_create_crs_to_crs and then about a microsecond per point. */
#include "privacy/grid_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static const double SQRT3 = 1.7320508075688772;

err_code privacy_grid_create(double size_m, privacy_shape shape, privacy_grid **out, err *e) {
  *out = NULL;
  if (!isfinite(size_m) || size_m < PRIVACY_GRID_MIN_M || size_m > PRIVACY_GRID_MAX_M)
    return err_set(e, ERR_INVALID, "cuadrícula de privacidad: el tamaño debe ser de 50 m a 100 km");
  if (shape != PRIVACY_SHAPE_SQUARE && shape != PRIVACY_SHAPE_HEX)
    return err_set(e, ERR_INVALID, "cuadrícula de privacidad: forma desconocida");
  privacy_grid *g = calloc(1, sizeof *g);
  if (!g) return err_set(e, ERR_NOMEM, "sin memoria para la cuadrícula de privacidad");
  g->ctx = proj_context_create();
  if (!g->ctx) {
    free(g);
    return err_set(e, ERR_NOMEM, "PROJ: no se pudo crear un contexto");
  }
  proj_log_level(g->ctx, PJ_LOG_NONE); /* errors are reported through err, not stderr */
  g->size = size_m;
  g->shape = shape;
  *out = g;
  return ERR_OK;
}

void privacy_grid_destroy(privacy_grid *g) {
  if (!g) return;
  for (int z = 0; z <= 60; z++)
    if (g->zone[z]) proj_destroy(g->zone[z]);
  proj_context_destroy(g->ctx);
  free(g);
}

static err_code proj_error(privacy_grid *g, err *e, const char *what) {
  int code = proj_context_errno(g->ctx);
  const char *msg = code ? proj_context_errno_string(g->ctx, code) : "resultado no finito";
  return err_set(e, ERR_INTERNAL, "PROJ (%s): %s", what, msg ? msg : "error desconocido");
}

static err_code zone_pj(privacy_grid *g, int32_t zone, PJ **out, err *e) {
  if (zone < 1 || zone > 60) return err_set(e, ERR_INVALID, "zona UTM %d fuera de 1..60", (int)zone);
  if (!g->zone[zone]) {
    char crs[16];
    snprintf(crs, sizeof crs, "EPSG:326%02d", (int)zone);
    PJ *p = proj_create_crs_to_crs(g->ctx, "EPSG:4326", crs, NULL);
    if (!p) return proj_error(g, e, crs);
    PJ *n = proj_normalize_for_visualization(g->ctx, p); /* lon, lat order in; easting first */
    proj_destroy(p);
    if (!n) return proj_error(g, e, crs);
    g->zone[zone] = n;
  }
  *out = g->zone[zone];
  return ERR_OK;
}

err_code privacy_grid_project(privacy_grid *g, int32_t zone, double lon, double lat, double *out_x,
                              double *out_y, err *e) {
  PJ *pj = NULL;
  err_code rc = zone_pj(g, zone, &pj, e);
  if (rc != ERR_OK) return rc;
  PJ_COORD r = proj_trans(pj, PJ_FWD, proj_coord(lon, lat, 0, 0));
  if (!isfinite(r.xy.x) || !isfinite(r.xy.y)) return proj_error(g, e, "lon/lat → UTM");
  *out_x = r.xy.x;
  *out_y = r.xy.y;
  return ERR_OK;
}

err_code privacy_grid_unproject(privacy_grid *g, int32_t zone, double x, double y, double *out_lon,
                                double *out_lat, err *e) {
  PJ *pj = NULL;
  err_code rc = zone_pj(g, zone, &pj, e);
  if (rc != ERR_OK) return rc;
  PJ_COORD r = proj_trans(pj, PJ_INV, proj_coord(x, y, 0, 0));
  if (!isfinite(r.lp.lam) || !isfinite(r.lp.phi)) return proj_error(g, e, "UTM → lon/lat");
  *out_lon = r.lp.lam; /* normalised: degrees, longitude first */
  *out_lat = r.lp.phi;
  return ERR_OK;
}

/* ---- the planar grids -------------------------------------------------------------------- */

static privacy_cell cell_of_xy(const privacy_grid *g, int32_t zone, double x, double y) {
  privacy_cell c = {.zone = zone};
  if (g->shape == PRIVACY_SHAPE_SQUARE) {
    c.i = (int64_t)floor(x / g->size);
    c.j = (int64_t)floor(y / g->size);
    return c;
  }
  /* pointy-top axial coordinates, then cube rounding: round all three, fix the one that moved most */
  double q = (SQRT3 / 3.0 * x - y / 3.0) / g->size, r = (2.0 / 3.0 * y) / g->size, s = -q - r;
  double rq = round(q), rr = round(r), rs = round(s);
  double dq = fabs(rq - q), dr = fabs(rr - r), ds = fabs(rs - s);
  if (dq > dr && dq > ds) rq = -rr - rs;
  else if (dr > ds) rr = -rq - rs;
  c.i = (int64_t)rq;
  c.j = (int64_t)rr;
  return c;
}

void privacy_grid_center_metric(const privacy_grid *g, privacy_cell c, double *out_x, double *out_y) {
  if (g->shape == PRIVACY_SHAPE_SQUARE) {
    *out_x = ((double)c.i + 0.5) * g->size;
    *out_y = ((double)c.j + 0.5) * g->size;
  } else {
    *out_x = g->size * (SQRT3 * (double)c.i + SQRT3 / 2.0 * (double)c.j);
    *out_y = g->size * (1.5 * (double)c.j);
  }
}

err_code privacy_grid_center(privacy_grid *g, privacy_cell c, double *out_lon, double *out_lat,
                             err *e) {
  double x = 0, y = 0;
  privacy_grid_center_metric(g, c, &x, &y);
  return privacy_grid_unproject(g, c.zone, x, y, out_lon, out_lat, e);
}

/* ---- snapping ---------------------------------------------------------------------------- */

static int32_t zone_of(double lon) {
  int32_t z = (int32_t)floor((lon + 180.0) / 6.0) + 1;
  return z < 1 ? 1 : z > 60 ? 60 : z;
}

/* The candidate cell of (lon, lat) in a zone, its centre, and whether the zone owns it. */
typedef struct candidate {
  privacy_cell cell;
  double lon, lat;
  bool owned;
} candidate;

static err_code candidate_of(privacy_grid *g, privacy_cell c, candidate *out, err *e) {
  out->cell = c;
  err_code rc = privacy_grid_center(g, c, &out->lon, &out->lat, e);
  out->owned = rc == ERR_OK && zone_of(out->lon) == c.zone;
  return rc;
}

static err_code candidate_at(privacy_grid *g, int32_t zone, double lon, double lat, candidate *out,
                             err *e) {
  double x = 0, y = 0;
  err_code rc = privacy_grid_project(g, zone, lon, lat, &x, &y, e);
  return rc == ERR_OK ? candidate_of(g, cell_of_xy(g, zone, x, y), out, e) : rc;
}

/* Great-circle distance in metres (a sphere is plenty to choose the nearest of a few centres). */
static double haversine_m(double lon1, double lat1, double lon2, double lat2) {
  const double rad = M_PI / 180.0;
  double dlat = (lat2 - lat1) * rad, dlon = (lon2 - lon1) * rad;
  double a = sin(dlat / 2) * sin(dlat / 2) +
             cos(lat1 * rad) * cos(lat2 * rad) * sin(dlon / 2) * sin(dlon / 2);
  return 2.0 * 6371008.8 * asin(fmin(1.0, sqrt(a)));
}

/* The seam gap: the nearest owned centre among the neighbours of both candidates. */
static err_code nearest_owned(privacy_grid *g, const candidate two[2], double lon, double lat,
                              candidate *out, err *e) {
  static const int SQUARE[8][2] = {{-1, -1}, {0, -1}, {1, -1}, {-1, 0}, {1, 0}, {-1, 1}, {0, 1}, {1, 1}};
  static const int HEX[6][2] = {{1, 0}, {-1, 0}, {0, 1}, {0, -1}, {1, -1}, {-1, 1}};
  bool hex = g->shape == PRIVACY_SHAPE_HEX;
  size_t n_nb = hex ? 6 : 8;
  double best = INFINITY;
  *out = two[0]; /* unreachable fallback: every point has an owned cell among these */
  for (int k = 0; k < 2; k++) {
    for (size_t n = 0; n < n_nb; n++) {
      const int *d = hex ? HEX[n] : SQUARE[n];
      privacy_cell c = {two[k].cell.zone, two[k].cell.i + d[0], two[k].cell.j + d[1]};
      candidate cand = {0};
      err_code rc = candidate_of(g, c, &cand, e);
      if (rc != ERR_OK) return rc;
      double dist = haversine_m(lon, lat, cand.lon, cand.lat);
      if (cand.owned && dist < best) {
        best = dist;
        *out = cand;
      }
    }
  }
  return ERR_OK;
}

err_code privacy_grid_snap(privacy_grid *g, double lon, double lat, privacy_cell *out_cell,
                           double *out_lon, double *out_lat, err *e) {
  if (!isfinite(lon) || !isfinite(lat) || lon < -180 || lon > 180 || fabs(lat) > 89)
    return err_set(e, ERR_INVALID, "coordenada fuera del alcance de la cuadrícula UTM: %.6f, %.6f",
                   lon, lat);
  candidate two[2], pick;
  err_code rc = candidate_at(g, zone_of(lon), lon, lat, &two[0], e);
  if (rc != ERR_OK) return rc;
  pick = two[0];
  if (!two[0].owned) {
    rc = candidate_at(g, zone_of(two[0].lon), lon, lat, &two[1], e);
    if (rc != ERR_OK) return rc;
    if (two[1].owned) pick = two[1];
    else if ((rc = nearest_owned(g, two, lon, lat, &pick, e)) != ERR_OK) return rc;
  }
  if (out_cell) *out_cell = pick.cell;
  if (out_lon) *out_lon = pick.lon;
  if (out_lat) *out_lat = pick.lat;
  return ERR_OK;
}
