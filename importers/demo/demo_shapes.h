/* demo_shapes.h — the generated geography of the León sample: where things are and what they
 * are called. Pure functions of the seed (no I/O). */
#ifndef TESELAS_IMPORTERS_DEMO_SHAPES_H
#define TESELAS_IMPORTERS_DEMO_SHAPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "importers/demo/demo_rand.h"

/* The urban grid the colonias tile. */
enum { DEMO_GRID_COLS = 34, DEMO_GRID_ROWS = 28, DEMO_N_PARKS = 320, DEMO_N_WATER = 24 };

void demo_boundary_wkb(buf *out);

bool demo_cell_is_urban(int i, int j);
void demo_colonia_wkb(buf *out, uint64_t seed, int i, int j);
void demo_colonia_name(uint64_t seed, int i, int j, char *out, size_t out_len);

typedef struct demo_park {
  char name[128];
  double cx, cy;        /* centre, degrees */
  double w_m, h_m;      /* size, metres */
  double angle;         /* radians */
  bool has_hole;        /* a kiosk or pond inside */
  double area_m2;
} demo_park;
void demo_park_make(demo_rng *rng, uint64_t seed, int64_t id, demo_park *out);
void demo_park_wkb(buf *out, const demo_park *p);

typedef struct demo_river {
  const char *name;
  const char *kind;     /* "río", "arroyo", "canal" */
  bool perennial;
  double x0, y0, x1, y1;
  double meander;       /* amplitude in degrees */
} demo_river;
size_t demo_n_rivers(void);
const demo_river *demo_river_get(size_t k);
void demo_river_wkb(buf *out, uint64_t seed, size_t k);

typedef struct demo_water {
  char name[96];
  const char *kind;     /* "presa", "bordo", "laguna" */
  bool perennial;
  double cx, cy, rx_m, ry_m;
  double area_m2;
} demo_water;
void demo_water_make(demo_rng *rng, int64_t id, demo_water *out);
void demo_water_wkb(buf *out, uint64_t seed, const demo_water *wb);

typedef struct demo_incident {
  double lon, lat;
  const char *type;
  char date[32];
  int hour;
} demo_incident;
void demo_incident_make(demo_rng *rng, demo_incident *out);

#endif
