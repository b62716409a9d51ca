/* grid_int.h — what grid.c and grid_cell.c share. */
#ifndef TESELAS_PRIVACY_GRID_INT_H
#define TESELAS_PRIVACY_GRID_INT_H

#include <proj.h>

#include "privacy/grid.h"

struct privacy_grid {
  PJ_CONTEXT *ctx;
  PJ *zone[61];  /* [z]: EPSG:4326 → EPSG:326zz, normalised to lon/lat order; NULL until used */
  double size;   /* square side, or hexagon circumradius, in metres */
  privacy_shape shape;
};

#endif
