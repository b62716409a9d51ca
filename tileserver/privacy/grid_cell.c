/* grid_cell.c — what a cell looks like outside grid.c: its polygon as WKB, its ids (text and
 * int64), and the dates of generalized layers truncated to the month. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "geom/wkb.h"
#include "privacy/grid_int.h"

/* ---- polygon ----------------------------------------------------------------------------- */

err_code privacy_grid_cell_wkb(privacy_grid *g, privacy_cell c, buf *out, err *e) {
  double cx, cy, xy[7][2];
  size_t n;
  privacy_grid_center_metric(g, c, &cx, &cy);
  if (g->shape == PRIVACY_SHAPE_SQUARE) {
    double h = g->size / 2;
    const double corner[4][2] = {{-h, -h}, {h, -h}, {h, h}, {-h, h}}; /* counter-clockwise */
    for (n = 0; n < 4; n++) xy[n][0] = cx + corner[n][0], xy[n][1] = cy + corner[n][1];
  } else {
    for (n = 0; n < 6; n++) { /* pointy-top: corners at 30° + 60° k, counter-clockwise */
      double a = M_PI / 180.0 * (30.0 + 60.0 * (double)n);
      xy[n][0] = cx + g->size * cos(a);
      xy[n][1] = cy + g->size * sin(a);
    }
  }
  geom_wkb_header(out, GEOM_WKB_POLYGON);
  geom_wkb_u32(out, 1);
  geom_wkb_u32(out, (uint32_t)n + 1);
  double first[2] = {0, 0};
  for (size_t k = 0; k < n; k++) {
    double lon, lat;
    err_code rc = privacy_grid_unproject(g, c.zone, xy[k][0], xy[k][1], &lon, &lat, e);
    if (rc != ERR_OK) return rc;
    if (k == 0) first[0] = lon, first[1] = lat;
    geom_wkb_xy(out, lon, lat);
  }
  geom_wkb_xy(out, first[0], first[1]); /* closed: the last point repeats the first bit for bit */
  return out->failed ? err_set(e, ERR_NOMEM, "sin memoria para el polígono de una celda") : ERR_OK;
}

/* ---- ids --------------------------------------------------------------------------------- */

void privacy_cell_format(privacy_cell c, char out[PRIVACY_CELL_ID_MAX]) {
  snprintf(out, PRIVACY_CELL_ID_MAX, "%d:%lld:%lld", (int)c.zone, (long long)c.i, (long long)c.j);
}

static bool parse_i64(const char *s, char stop, int64_t *out, const char **end) {
  if (!((*s >= '0' && *s <= '9') || (*s == '-' && s[1] >= '0' && s[1] <= '9'))) return false;
  errno = 0;
  char *e = NULL;
  long long v = strtoll(s, &e, 10);
  if (errno || *e != stop) return false;
  *out = v;
  *end = e;
  return true;
}

err_code privacy_cell_parse(const char *s, privacy_cell *out, err *e) {
  int64_t z, i, j;
  const char *p = s ? s : "";
  if (parse_i64(p, ':', &z, &p) && parse_i64(p + 1, ':', &i, &p) && parse_i64(p + 1, '\0', &j, &p) &&
      z >= 1 && z <= 60) {
    *out = (privacy_cell){(int32_t)z, i, j};
    return ERR_OK;
  }
  return err_set(e, ERR_INVALID, "celda \"%.60s\" no válida: se esperaba zona:i:j", s ? s : "");
}

#define KEY_OFFSET ((int64_t)1 << 27)
#define KEY_MASK (((int64_t)1 << 28) - 1)

int64_t privacy_cell_key(privacy_cell c) {
  if (c.zone < 1 || c.zone > 60 || c.i < -KEY_OFFSET || c.i >= KEY_OFFSET || c.j < -KEY_OFFSET ||
      c.j >= KEY_OFFSET)
    return -1;
  return ((int64_t)c.zone << 56) | ((c.i + KEY_OFFSET) << 28) | (c.j + KEY_OFFSET);
}

bool privacy_cell_from_key(int64_t key, privacy_cell *out) {
  int64_t z = key >> 56;
  if (key < 0 || z < 1 || z > 60) return false;
  *out = (privacy_cell){(int32_t)z, ((key >> 28) & KEY_MASK) - KEY_OFFSET, (key & KEY_MASK) - KEY_OFFSET};
  return true;
}

/* ---- dates ------------------------------------------------------------------------------- */

static int digits(const char *s, int n) {
  int v = 0;
  for (int k = 0; k < n; k++) {
    if (s[k] < '0' || s[k] > '9') return -1;
    v = v * 10 + (s[k] - '0');
  }
  return v;
}

/* Year and month of "YYYY-MM[-DD[T...| ...]]", the day checked when present. */
static bool year_month(const char *s, int *y, int *m) {
  static const int DAYS[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (!s || strlen(s) < 7 || s[4] != '-') return false;
  *y = digits(s, 4);
  *m = digits(s + 5, 2);
  if (*y < 0 || *m < 1 || *m > 12) return false;
  if (!s[7]) return true;
  if (s[7] != '-') return false;
  int d = digits(s + 8, 2);
  if (d < 1 || d > DAYS[*m - 1]) return false;
  return s[10] == '\0' || s[10] == 'T' || s[10] == 't' || s[10] == ' ';
}

err_code privacy_date_month(const char *date, char out[11], err *e) {
  int y, m;
  if (!year_month(date, &y, &m))
    return err_set(e, ERR_INVALID, "fecha \"%.40s\" no válida: se esperaba AAAA-MM-DD", date ? date : "");
  snprintf(out, 11, "%04d-%02d-01", y, m);
  return ERR_OK;
}

err_code privacy_date_month_key(const char *date, char out[8], err *e) {
  int y, m;
  if (!year_month(date, &y, &m))
    return err_set(e, ERR_INVALID, "fecha \"%.40s\" no válida: se esperaba AAAA-MM-DD", date ? date : "");
  snprintf(out, 8, "%04d-%02d", y, m);
  return ERR_OK;
}
