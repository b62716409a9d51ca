/* Must compile: a geom source sees its own headers, private ones included, and core's. */
#include "core/arena.h"
#include "core/err.h"
#include "geom/geom.h"
#include "geom/geom_int.h"
#include "geom/wkb.h"

int layering_geom_control(void);
int layering_geom_control(void) { return ERR_OK; }
