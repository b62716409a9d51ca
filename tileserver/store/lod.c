/* lod.c — reading the lighter copies of a line layer's geometries that versions written by
 * earlier teselas keep for low zooms: columns geom_z10, geom_z8 and geom_z6 of the version table,
 * each the line simplified (GEOS, through SpatiaLite's ST_Simplify) with the tolerance of one zoom
 * deeper than the zooms it serves, NULL where it did not halve the line (the next finer one is
 * read). New versions store their lines for tiles in a side table instead (tile_lines.c), which
 * keeps the version table to the layer's own columns. */
#include "store/store_int.h"

static const int LEVELS[] = {10, 8, 6};
enum { N_LEVELS = sizeof LEVELS / sizeof *LEVELS };

/* coalesce(geom_zL, ..., geom) over the levels from L (finest first is last) */
static void coalesce_from(buf *sql, int level) {
  buf_puts(sql, "coalesce(");
  for (int k = level; k >= 0; k--) buf_printf(sql, "geom_z%d, ", LEVELS[k]);
  buf_puts(sql, "geom)");
}

void store_lod_geometry_sql(buf *sql, int zoom) {
  int level = -1;
  for (int k = 0; k < N_LEVELS; k++)
    if (zoom <= LEVELS[k]) level = k;
  if (level < 0) buf_puts(sql, "geom");
  else coalesce_from(sql, level);
}
