/* privacy_cells.c — what an aggregate layer publishes, once every record has been counted: one
 * feature per cell that privacy/kanon published (its polygon, its id, its count) and the published
 * units of every level for the aggregation endpoint (store_writer_add_units).
 *
 * Nothing else reaches the database: no record, no exact point, no count below k. A cell's
 * polygon is the grid's (privacy_grid_cell_wkb) or the other layer's polygon. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "importers/import_int.h"

/* The geometry, feature id and bbox of a published cell. */
static err_code cell_shape(import_privacy *p, const char *cell, const uint8_t **wkb, size_t *len,
                           int64_t *fid, double bbox[4], err *e) {
  if (!p->grid) {
    if (!polygon_index_get(p->polygons, cell, wkb, len, fid, bbox))
      return err_set(e, ERR_INTERNAL, "privacidad: polígono '%s' desconocido", cell);
    return ERR_OK;
  }
  privacy_cell c;
  err_code rc = privacy_cell_parse(cell, &c, e);
  if (rc != ERR_OK) return rc;
  buf_reset(&p->wkb);
  if ((rc = privacy_grid_cell_wkb(p->grid, c, &p->wkb, e)) != ERR_OK) return rc;
  bool finite = false;
  if (p->wkb.failed || !wkb_envelope(p->wkb.data, p->wkb.len, bbox, &finite) || !finite)
    return err_set(e, ERR_NOMEM, "privacidad: polígono de la celda %s", cell);
  *wkb = p->wkb.data;
  *len = p->wkb.len;
  /* numbered by the store, in cell order: privacy_cell_key's 60-bit ids would not survive a
   * JavaScript number in GeoJSON (the cell's id is the `celda` field) */
  *fid = -1;
  return ERR_OK;
}

/* The bbox of each published cell, in the order of the cell-level units (sorted by cell). */
typedef struct cell_boxes {
  const privacy_unit *cells;
  size_t n;
  double (*bbox)[4];
} cell_boxes;

static const double *box_of(const cell_boxes *b, const char *cell) {
  size_t lo = 0, hi = b->n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = strcmp(b->cells[mid].cell, cell);
    if (c == 0) return b->bbox[mid];
    if (c < 0) lo = mid + 1;
    else hi = mid;
  }
  return NULL;
}

static err_code write_cells(import_privacy *p, store_writer *w, cell_boxes *b, err *e) {
  for (size_t i = 0; i < b->n; i++) {
    const privacy_unit *u = &b->cells[i];
    const uint8_t *wkb = NULL;
    size_t len = 0;
    int64_t fid = -1;
    err_code rc = cell_shape(p, u->cell, &wkb, &len, &fid, b->bbox[i], e);
    if (rc != ERR_OK) return rc;
    value v[2] = {{.kind = VALUE_TEXT, .s = u->cell, .len = strlen(u->cell)},
                  {.kind = VALUE_INT, .i = u->count}};
    if ((rc = store_writer_add(w, fid, wkb, len, v, e)) != ERR_OK) return rc;
    p->n_cells++;
  }
  return ERR_OK;
}

static err_code write_units(import_privacy *p, store_writer *w, const cell_boxes *b, err *e) {
  for (int level = 0; level < PRIVACY_N_LEVELS; level++) {
    size_t n = 0;
    const privacy_unit *u = privacy_kanon_units(p->kn, (privacy_level)level, &n);
    if (!n) continue;
    store_unit *su = calloc(n, sizeof *su);
    if (!su) return err_set(e, ERR_NOMEM, "sin memoria");
    err_code rc = ERR_OK;
    for (size_t i = 0; i < n && rc == ERR_OK; i++) {
      const double *box = box_of(b, u[i].cell);
      if (!box) {
        rc = err_set(e, ERR_INTERNAL, "privacidad: unidad de una celda no publicada");
        break;
      }
      su[i] = (store_unit){level, u[i].cell, u[i].category, u[i].month, u[i].count,
                           {box[0], box[1], box[2], box[3]}};
    }
    if (rc == ERR_OK) rc = store_writer_add_units(w, su, n, e);
    free(su);
    if (rc != ERR_OK) return rc;
  }
  return ERR_OK;
}

err_code import_privacy_publish(import_privacy *p, store_writer *w, err *e) {
  if (p->policy.mode != PRIVACY_MODE_AGGREGATE || !p->kn) return ERR_OK;
  err_code rc = privacy_kanon_finish(p->kn, e);
  if (rc != ERR_OK) return rc;
  cell_boxes b = {0};
  b.cells = privacy_kanon_units(p->kn, PRIVACY_LEVEL_CELL, &b.n);
  if (b.n == 0)
    return err_set(e, ERR_INVALID, "ninguna celda llega a k=%lld casos: no hay nada que se pueda "
                   "publicar (use una cuadrícula más grande o menos categorías)",
                   (long long)p->policy.k);
  b.bbox = calloc(b.n, sizeof *b.bbox);
  if (!b.bbox) return err_set(e, ERR_NOMEM, "sin memoria");
  rc = write_cells(p, w, &b, e);
  if (rc == ERR_OK) rc = write_units(p, w, &b, e);
  free(b.bbox);
  return rc;
}
