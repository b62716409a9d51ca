/* lod.c — lighter copies of a line layer's geometries for low zooms.
 *
 * A z8 tile of a city's streams holds every vertex of every line, and each must be decoded,
 * projected and simplified away again, per tile. Tile slicers that keep the data in memory
 * (geojson-vt) simplify once at load; the stored equivalent is one extra column per level,
 * written at import: geom_z10, geom_z8 and geom_z6, each the line simplified (Douglas-Peucker,
 * GEOS through SpatiaLite's ST_Simplify) with the tolerance of one zoom deeper than the zooms it
 * serves, so its error stays under half the tile pipeline's own tolerance there. A level is kept
 * only for lines it at least halves; elsewhere the column is NULL and the next finer one is read. */
#include <math.h>
#include <stdio.h>

#include "store/store_int.h"

static const int LEVELS[] = {10, 8, 6};
enum { N_LEVELS = sizeof LEVELS / sizeof *LEVELS };

/* The tile pipeline's tolerance (2 units of a 4096 tile) at zoom z, in degrees of latitude at the
 * layer's highest latitude, which is the shortest: conservative for longitude too. */
static double tolerance_deg(int z, const double bounds[4]) {
  double lat = fmax(fabs(bounds[1]), fabs(bounds[3]));
  if (lat > 85.0) lat = 85.0;
  return 2.0 * 360.0 / ldexp(4096.0, z) * cos(lat * M_PI / 180.0);
}

/* coalesce(geom_zL, ..., geom) over the levels from L (finest first is last) */
static void coalesce_from(buf *sql, int level) {
  buf_puts(sql, "coalesce(");
  for (int k = level; k >= 0; k--) buf_printf(sql, "geom_z%d, ", LEVELS[k]);
  buf_puts(sql, "geom)");
}

err_code store_lod_build(sqlite3 *db, const char *table, const double bounds[4], err *e) {
  buf sql, src;
  buf_init(&sql, 0);
  buf_init(&src, 0);
  err_code rc = ERR_OK;
  for (int k = 0; k < N_LEVELS && rc == ERR_OK; k++) {
    buf_reset(&src);
    if (k == 0) buf_puts(&src, "geom");
    else coalesce_from(&src, k - 1);
    int z = LEVELS[k];
    buf_reset(&sql);
    buf_printf(&sql,
               "ALTER TABLE \"%s\" ADD COLUMN geom_z%d BLOB;"
               " UPDATE \"%s\" SET geom_z%d = ST_Simplify(%s, %.17g) WHERE ST_NPoints(%s) > 8;"
               " UPDATE \"%s\" SET geom_z%d = NULL WHERE geom_z%d IS NOT NULL AND"
               " ST_NPoints(geom_z%d) * 2 > ST_NPoints(%s);",
               table, z, table, z, buf_cstr(&src), tolerance_deg(z + 1, bounds), buf_cstr(&src),
               table, z, z, z, buf_cstr(&src));
    rc = sql.failed || src.failed ? err_set(e, ERR_NOMEM, "out of memory")
                                  : store_exec(db, buf_cstr(&sql), "line levels of detail", e);
  }
  buf_free(&src);
  buf_free(&sql);
  return rc;
}

void store_lod_geometry_sql(buf *sql, int zoom) {
  int level = -1;
  for (int k = 0; k < N_LEVELS; k++)
    if (zoom <= LEVELS[k]) level = k;
  if (level < 0) buf_puts(sql, "geom");
  else coalesce_from(sql, level);
}
