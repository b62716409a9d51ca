/* demo_shapes.c — generated geography for the León sample. Degrees are converted to metres with a
 * local scale (1° of latitude ≈ 110.6 km; of longitude ≈ 103.8 km at 21.1° N), which is plenty
 * for sample data. */
#include "importers/demo/demo_shapes.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "geom/wkb.h"

#define M_PER_DEG_Y 110600.0
#define M_PER_DEG_X 103800.0

/* The urban area: an ellipse around the historic centre. */
static const double CITY_X = -101.680, CITY_Y = 21.125, CITY_RX = 0.115, CITY_RY = 0.095;
/* The colonia grid covers the ellipse's bounding box. */
static const double GRID_X0 = -101.80, GRID_Y0 = 21.025, GRID_STEP = 0.0072;

void demo_boundary_wkb(buf *out) {
  enum { N = 180 };
  double xy[2 * (N + 1)];
  for (int k = 0; k < N; k++) {
    double t = 2.0 * M_PI * k / N;
    double r = 0.165 + 0.018 * sin(3 * t + 1.0) + 0.012 * sin(7 * t + 2.0) + 0.006 * sin(17 * t);
    /* clockwise in lon/lat (RFC 7946 prefers counter-clockwise: readers must not care) */
    xy[2 * k] = -101.65 + 1.05 * r * cos(-t);
    xy[2 * k + 1] = 21.15 + r * sin(-t);
  }
  xy[2 * N] = xy[0];
  xy[2 * N + 1] = xy[1];
  geom_wkb_header(out, GEOM_WKB_MULTIPOLYGON);
  geom_wkb_u32(out, 1);
  geom_wkb_header(out, GEOM_WKB_POLYGON);
  geom_wkb_u32(out, 1);
  geom_wkb_coords(out, xy, N + 1);
}

bool demo_cell_is_urban(int i, int j) {
  double x = GRID_X0 + (i + 0.5) * GRID_STEP, y = GRID_Y0 + (j + 0.5) * GRID_STEP;
  double dx = (x - CITY_X) / CITY_RX, dy = (y - CITY_Y) / CITY_RY;
  return dx * dx + dy * dy <= 1.0;
}

/* Grid vertex (i, j) moved by a jitter that depends only on (i, j): neighbours share it. */
static void grid_vertex(uint64_t seed, int i, int j, double *x, double *y) {
  *x = GRID_X0 + i * GRID_STEP + 0.28 * GRID_STEP * demo_hash_jitter(seed, i, j, 1);
  *y = GRID_Y0 + j * GRID_STEP + 0.28 * GRID_STEP * demo_hash_jitter(seed, i, j, 2);
}

/* Midpoint of an edge, bent a little: kind 3 for horizontal edges, 4 for vertical ones. */
static void edge_vertex(uint64_t seed, int i, int j, int kind, double ax, double ay, double bx,
                        double by, double *x, double *y) {
  *x = (ax + bx) / 2 + 0.12 * GRID_STEP * demo_hash_jitter(seed, i, j, kind);
  *y = (ay + by) / 2 + 0.12 * GRID_STEP * demo_hash_jitter(seed, i, j, kind + 10);
}

void demo_colonia_wkb(buf *out, uint64_t seed, int i, int j) {
  double c[4][2], xy[18];
  grid_vertex(seed, i, j, &c[0][0], &c[0][1]);
  grid_vertex(seed, i + 1, j, &c[1][0], &c[1][1]);
  grid_vertex(seed, i + 1, j + 1, &c[2][0], &c[2][1]);
  grid_vertex(seed, i, j + 1, &c[3][0], &c[3][1]);
  /* counter-clockwise: bottom edge, right edge, top edge, left edge */
  xy[0] = c[0][0], xy[1] = c[0][1];
  edge_vertex(seed, i, j, 3, c[0][0], c[0][1], c[1][0], c[1][1], &xy[2], &xy[3]);
  xy[4] = c[1][0], xy[5] = c[1][1];
  edge_vertex(seed, i + 1, j, 4, c[1][0], c[1][1], c[2][0], c[2][1], &xy[6], &xy[7]);
  xy[8] = c[2][0], xy[9] = c[2][1];
  edge_vertex(seed, i, j + 1, 3, c[3][0], c[3][1], c[2][0], c[2][1], &xy[10], &xy[11]);
  xy[12] = c[3][0], xy[13] = c[3][1];
  edge_vertex(seed, i, j, 4, c[0][0], c[0][1], c[3][0], c[3][1], &xy[14], &xy[15]);
  xy[16] = xy[0], xy[17] = xy[1];
  geom_wkb_header(out, GEOM_WKB_MULTIPOLYGON);
  geom_wkb_u32(out, 1);
  geom_wkb_header(out, GEOM_WKB_POLYGON);
  geom_wkb_u32(out, 1);
  geom_wkb_coords(out, xy, 9);
}

static const char *const PREFIX[] = {"", "Jardines de ", "Valle de ", "Lomas de ", "Villas de ",
                                     "Real de ", "Fraccionamiento ", "Residencial ", "Barrio de ",
                                     "Unidad ", "Praderas de ", "Hacienda "};
static const char *const NAME[] = {
    "San Juan de Dios", "El Coecillo", "San Miguel", "Santa Rosa", "Los Olivos", "La Piscina",
    "El Carmen", "Las Torres", "Obregón", "Los Ángeles", "San Nicolás", "Peñitas",
    "La Martinica", "Los Castillos", "El Tlacuache", "Andrade", "San Isidro", "Las Joyas",
    "Santa María", "León I", "Las Hilamas", "El Retiro", "Piletas", "Ibarrilla",
    "San Felipe de Jesús", "La Cañada", "Niño Artillero", "Bellavista", "Los Gavilanes",
    "El Maguey", "Medina", "Cañada de Alfaro", "Los Fresnos", "Azteca", "Guadalupe",
    "San Pedro de los Hernández", "Arbide", "El Paraíso", "Los Pinos", "La Luz", "Españita",
    "Ñuñez", "Balcones", "Trojes", "Loma Bonita", "El Cortijo", "Del Valle", "Los Limones"};

void demo_colonia_name(uint64_t seed, int i, int j, char *out, size_t out_len) {
  demo_rng r = {seed ^ ((uint64_t)i << 32) ^ (uint64_t)j ^ 0x4E414D45u};
  size_t p = demo_next(&r) % (sizeof PREFIX / sizeof *PREFIX);
  size_t n = demo_next(&r) % (sizeof NAME / sizeof *NAME);
  /* a few roman numerals so that names repeat like real ones ("Valle de San Miguel II") */
  static const char *const SUFFIX[] = {"", "", "", "", " II", " III", " Norte", " Sur"};
  size_t s = demo_next(&r) % (sizeof SUFFIX / sizeof *SUFFIX);
  snprintf(out, out_len, "%s%s%s", PREFIX[p], NAME[n], SUFFIX[s]);
}

/* ---- parks ---- */

static const char *const PARK_KIND[] = {"Parque", "Jardín", "Área verde", "Parque lineal",
                                        "Plaza"};

void demo_park_make(demo_rng *rng, uint64_t seed, int64_t id, demo_park *p) {
  memset(p, 0, sizeof *p);
  /* Parks sit inside urban cells; the first one is the big metropolitan park by the dam. */
  int i, j;
  do {
    i = (int)demo_range(rng, 0, DEMO_GRID_COLS);
    j = (int)demo_range(rng, 0, DEMO_GRID_ROWS);
  } while (!demo_cell_is_urban(i, j));
  p->cx = GRID_X0 + (i + demo_range(rng, 0.35, 0.65)) * GRID_STEP;
  p->cy = GRID_Y0 + (j + demo_range(rng, 0.35, 0.65)) * GRID_STEP;
  p->w_m = demo_range(rng, 50, 260);
  p->h_m = p->w_m * demo_range(rng, 0.4, 1.0);
  p->angle = demo_range(rng, 0, M_PI);
  p->has_hole = demo_uniform(rng) < 0.12;
  char colonia[80];
  demo_colonia_name(seed, i, j, colonia, sizeof colonia);
  const char *kind = PARK_KIND[demo_next(rng) % (sizeof PARK_KIND / sizeof *PARK_KIND)];
  snprintf(p->name, sizeof p->name, "%s %s", kind, colonia);
  if (id == 1) {
    p->cx = -101.6555, p->cy = 21.1655, p->w_m = 1500, p->h_m = 900, p->angle = 0.3;
    p->has_hole = true;
    snprintf(p->name, sizeof p->name, "Parque Metropolitano de León");
  }
  p->area_m2 = p->w_m * p->h_m * (p->has_hole ? 0.96 : 1.0);
}

/* A rectangle of w×h metres rotated about the centre; scale < 1 for the hole. */
static void rotated_rect(const demo_park *p, double scale, bool ccw, double xy[10]) {
  static const double CORNERS[4][2] = {{-0.5, -0.5}, {0.5, -0.5}, {0.5, 0.5}, {-0.5, 0.5}};
  double ca = cos(p->angle), sa = sin(p->angle);
  for (int k = 0; k < 4; k++) {
    int c = ccw ? k : 3 - k;
    double dx = CORNERS[c][0] * p->w_m * scale, dy = CORNERS[c][1] * p->h_m * scale;
    xy[2 * k] = p->cx + (dx * ca - dy * sa) / M_PER_DEG_X;
    xy[2 * k + 1] = p->cy + (dx * sa + dy * ca) / M_PER_DEG_Y;
  }
  xy[8] = xy[0], xy[9] = xy[1];
}

void demo_park_wkb(buf *out, const demo_park *p) {
  double outer[10], hole[10];
  rotated_rect(p, 1.0, true, outer);
  geom_wkb_header(out, GEOM_WKB_POLYGON);
  geom_wkb_u32(out, p->has_hole ? 2 : 1);
  geom_wkb_coords(out, outer, 5);
  if (p->has_hole) {
    rotated_rect(p, 0.2, false, hole);
    geom_wkb_coords(out, hole, 5);
  }
}

/* ---- rivers ---- */

static const demo_river RIVERS[] = {
    {"Río de los Gómez", "río", true, -101.86, 21.02, -101.58, 21.26, 0.012},
    {"Río Turbio", "río", true, -101.84, 20.97, -101.50, 20.99, 0.015},
    {"Arroyo Hondo", "arroyo", false, -101.74, 21.26, -101.66, 21.05, 0.008},
    {"Arroyo El Muerto", "arroyo", false, -101.62, 21.25, -101.70, 21.07, 0.007},
    {"Arroyo Mariches", "arroyo", false, -101.56, 21.22, -101.62, 21.04, 0.006},
    {"Canal de Sardaneta", "canal", true, -101.72, 21.15, -101.60, 21.09, 0.002},
    {"Canal Margen Derecha", "canal", true, -101.80, 21.06, -101.63, 21.02, 0.002},
    {"Arroyo Alfaro", "arroyo", false, -101.60, 21.33, -101.55, 21.15, 0.008},
    {"Arroyo Los Castillos", "arroyo", false, -101.78, 21.30, -101.76, 21.10, 0.007},
    {"Arroyo La Patiña", "arroyo", false, -101.50, 21.30, -101.54, 21.05, 0.009},
    {"Canal del Coecillo", "canal", true, -101.69, 21.14, -101.64, 21.12, 0.001},
    {"Arroyo San Juan de Otates", "arroyo", false, -101.85, 21.20, -101.72, 21.18, 0.006},
};

size_t demo_n_rivers(void) { return sizeof RIVERS / sizeof *RIVERS; }
const demo_river *demo_river_get(size_t k) { return &RIVERS[k]; }

void demo_river_wkb(buf *out, uint64_t seed, size_t k) {
  enum { N = 160 };
  const demo_river *r = &RIVERS[k];
  double xy[2 * N];
  double dx = r->x1 - r->x0, dy = r->y1 - r->y0, len = hypot(dx, dy);
  double nx = -dy / len, ny = dx / len;
  double ph1 = 3.0 * demo_hash_jitter(seed, (int64_t)k, 0, 7),
         ph2 = 3.0 * demo_hash_jitter(seed, (int64_t)k, 1, 7);
  for (int i = 0; i < N; i++) {
    double t = (double)i / (N - 1);
    double off = r->meander * (sin(t * 9.0 + ph1) * 0.7 + sin(t * 23.0 + ph2) * 0.3) *
                 sin(M_PI * t);
    xy[2 * i] = r->x0 + dx * t + nx * off;
    xy[2 * i + 1] = r->y0 + dy * t + ny * off;
  }
  geom_wkb_header(out, GEOM_WKB_MULTILINESTRING);
  geom_wkb_u32(out, 1);
  geom_wkb_header(out, GEOM_WKB_LINESTRING);
  geom_wkb_coords(out, xy, N);
}

/* ---- water bodies ---- */

static const struct {
  const char *name, *kind;
  double cx, cy, rx_m, ry_m;
} NAMED_WATER[] = {
    {"Presa El Palote", "presa", -101.6620, 21.1790, 900, 520},
    {"Presa de Silva", "presa", -101.5300, 21.0100, 1400, 800},
    {"Presa La Sauceda", "presa", -101.7650, 21.2550, 700, 450},
    {"Laguna de Ibarrilla", "laguna", -101.6000, 21.1900, 380, 260},
};

void demo_water_make(demo_rng *rng, int64_t id, demo_water *w) {
  memset(w, 0, sizeof *w);
  size_t n_named = sizeof NAMED_WATER / sizeof *NAMED_WATER;
  if ((size_t)id <= n_named) {
    size_t k = (size_t)id - 1;
    snprintf(w->name, sizeof w->name, "%s", NAMED_WATER[k].name);
    w->kind = NAMED_WATER[k].kind;
    w->cx = NAMED_WATER[k].cx, w->cy = NAMED_WATER[k].cy;
    w->rx_m = NAMED_WATER[k].rx_m, w->ry_m = NAMED_WATER[k].ry_m;
    w->perennial = true;
  } else {
    snprintf(w->name, sizeof w->name, "Bordo %lld", (long long)(id - (int64_t)n_named));
    w->kind = "bordo";
    w->cx = demo_range(rng, -101.82, -101.48);
    w->cy = demo_range(rng, 20.98, 21.30);
    w->rx_m = demo_range(rng, 40, 200);
    w->ry_m = w->rx_m * demo_range(rng, 0.5, 0.9);
    w->perennial = demo_uniform(rng) < 0.3;
  }
  w->area_m2 = M_PI * w->rx_m * w->ry_m;
}

void demo_water_wkb(buf *out, uint64_t seed, const demo_water *w) {
  enum { N = 72 };
  double xy[2 * (N + 1)];
  double ph = 3.0 * demo_hash_jitter(seed, (int64_t)(w->cx * 1e4), (int64_t)(w->cy * 1e4), 9);
  for (int k = 0; k < N; k++) {
    double t = 2.0 * M_PI * k / N;
    double wob = 1.0 + 0.12 * sin(3 * t + ph) + 0.06 * sin(8 * t + 2 * ph);
    xy[2 * k] = w->cx + w->rx_m * wob * cos(t) / M_PER_DEG_X;
    xy[2 * k + 1] = w->cy + w->ry_m * wob * sin(t) / M_PER_DEG_Y;
  }
  xy[2 * N] = xy[0], xy[2 * N + 1] = xy[1];
  geom_wkb_header(out, GEOM_WKB_POLYGON);
  geom_wkb_u32(out, 1);
  geom_wkb_coords(out, xy, N + 1);
}

/* ---- incidents ---- */

/* Hotspots: the centre, the bus terminal, markets, industrial corridors. weight, x, y, sd (deg). */
static const double HOTSPOTS[][4] = {
    {0.20, -101.6827, 21.1221, 0.006}, {0.08, -101.6640, 21.1400, 0.008},
    {0.07, -101.6950, 21.1050, 0.007}, {0.06, -101.6400, 21.1000, 0.010},
    {0.06, -101.7200, 21.1500, 0.009}, {0.05, -101.6500, 21.1650, 0.008},
    {0.05, -101.7400, 21.0950, 0.010}, {0.04, -101.6100, 21.1300, 0.009},
    {0.04, -101.7050, 21.0700, 0.008}, {0.03, -101.6250, 21.0700, 0.010},
    {0.03, -101.7600, 21.1300, 0.011}, {0.03, -101.6800, 21.1850, 0.009},
};

static const struct {
  const char *name;
  double weight;
} TYPES[] = {{"robo a transeúnte", 0.24}, {"robo a casa habitación", 0.17},
             {"robo de vehículo", 0.13},  {"robo a negocio", 0.12},
             {"lesiones", 0.11},          {"violencia familiar", 0.12},
             {"daño en propiedad ajena", 0.07}, {"riña", 0.04}};

static void incident_position(demo_rng *rng, double *x, double *y) {
  double u = demo_uniform(rng), acc = 0;
  for (size_t k = 0; k < sizeof HOTSPOTS / sizeof *HOTSPOTS; k++) {
    acc += HOTSPOTS[k][0];
    if (u < acc) {
      *x = HOTSPOTS[k][1] + demo_gauss(rng) * HOTSPOTS[k][3];
      *y = HOTSPOTS[k][2] + demo_gauss(rng) * HOTSPOTS[k][3];
      return;
    }
  }
  /* the rest spread over the urban ellipse, a few in the rural municipality */
  double r = sqrt(demo_uniform(rng)), t = demo_range(rng, 0, 2 * M_PI);
  double scale = demo_uniform(rng) < 0.9 ? 1.0 : 1.6;
  *x = CITY_X + r * CITY_RX * scale * cos(t);
  *y = CITY_Y + r * CITY_RY * scale * sin(t);
}

void demo_incident_make(demo_rng *rng, demo_incident *out) {
  double x, y;
  incident_position(rng, &x, &y);
  /* Reports are geocoded to streets: snap one axis to a ~100 m street grid most of the time. */
  double u = demo_uniform(rng);
  if (u < 0.4) x = round(x / 0.00095) * 0.00095;
  else if (u < 0.8) y = round(y / 0.0009) * 0.0009;
  out->lon = round(x * 1e6) / 1e6;
  out->lat = round(y * 1e6) / 1e6;
  double t = demo_uniform(rng), acc = 0;
  out->type = TYPES[0].name;
  for (size_t k = 0; k < sizeof TYPES / sizeof *TYPES; k++) {
    acc += TYPES[k].weight;
    if (t < acc) {
      out->type = TYPES[k].name;
      break;
    }
  }
  /* 2024-01-01 .. 2026-10-31, a little more in the warm months */
  static const int DAYS[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int year, month;
  do {
    year = 2024 + (int)demo_range(rng, 0, 3);
    month = 1 + (int)demo_range(rng, 0, 12);
  } while ((year == 2026 && month > 10) ||
           demo_uniform(rng) > 0.8 + 0.2 * sin(M_PI * (month - 1) / 11.0));
  int days = DAYS[month - 1] + (month == 2 && year % 4 == 0);
  int day = 1 + (int)demo_range(rng, 0, days);
  snprintf(out->date, sizeof out->date, "%04d-%02d-%02d", year % 10000, month % 100, day % 100);
  /* more at night and in the evening */
  double h = fmod(20.0 + demo_gauss(rng) * 5.0 + 24.0, 24.0);
  out->hour = (int)h;
}
