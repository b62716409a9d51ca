/* privacy_cells.c — what an aggregate layer publishes, once every record has been counted: one
 * feature per cell that privacy/kanon published (its polygon, its id, its count), and for the
 * aggregation endpoint every node of the hierarchy (cells, blocks of cells, the root) with its
 * box and its units (store_writer_add_agg): published ones with their counts, withheld ones
 * without (so an answer can say what it withheld).
 *
 * Nothing else reaches the database: no record, no exact point, no count below k. A cell's
 * polygon is the grid's (privacy_grid_cell_wkb) or the other layer's polygon. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "importers/geomcheck_int.h"
#include "importers/import_privacy_int.h"

/* The geometry, feature id and bbox of a cell. */
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

/* ---- the hierarchy of a grid: 2 × 2 blocks of cells, then 4 × 4 … ----------------------- */

/* floor(v / 2) for negative v too (cells south of the equator have negative rows) */
static int64_t half_floor(int64_t v) { return v >= 0 ? v / 2 : -((-v + 1) / 2); }

/* Node keys: a cell "zone:i:j" (privacy_cell_format), a block of tier t "t/zone:i:j" with the
 * indices divided by 2^t (rounded down), so a block holds the same cells in every import. */
static bool grid_parent(void *ctx, const char *node, int tier, char out[PRIVACY_NODE_KEY_MAX]) {
  (void)ctx;
  privacy_cell c;
  if (tier == 0) {
    if (privacy_cell_parse(node, &c, NULL) != ERR_OK) return false;
  } else {
    int t, z;
    long long i, j;
    if (sscanf(node, "%d/%d:%lld:%lld", &t, &z, &i, &j) != 4 || t != tier) return false;
    c = (privacy_cell){z, i, j};
  }
  snprintf(out, PRIVACY_NODE_KEY_MAX, "%d/%d:%lld:%lld", tier + 1, (int)c.zone,
           (long long)half_floor(c.i), (long long)half_floor(c.j));
  return true;
}

/* The boxes of every node: a cell's from its polygon, a coarser node's the union of its
 * children's (nodes come by tier, children before parents). */
static err_code node_boxes(import_privacy *p, const privacy_node *nodes, size_t n,
                           double (*bbox)[4], err *e) {
  for (size_t i = 0; i < n; i++) bbox[i][0] = bbox[i][1] = INFINITY, bbox[i][2] = bbox[i][3] = -INFINITY;
  for (size_t i = 0; i < n; i++) {
    const privacy_node *nd = &nodes[i];
    if (nd->tier == 0 && strcmp(nd->key, PRIVACY_OUTSIDE_KEY) != 0) {
      const uint8_t *wkb = NULL;
      size_t len = 0;
      int64_t fid = -1;
      err_code rc = cell_shape(p, nd->key, &wkb, &len, &fid, bbox[i], e);
      if (rc != ERR_OK) return rc;
    }
    if (nd->parent < 0 || bbox[i][0] > bbox[i][2]) continue;
    double *pb = bbox[nd->parent];
    pb[0] = fmin(pb[0], bbox[i][0]);
    pb[1] = fmin(pb[1], bbox[i][1]);
    pb[2] = fmax(pb[2], bbox[i][2]);
    pb[3] = fmax(pb[3], bbox[i][3]);
  }
  return ERR_OK;
}

/* One feature per published cell: its polygon, its id, its count. */
static err_code write_cells(import_privacy *p, store_writer *w, const privacy_node *nodes,
                            size_t n, err *e) {
  for (size_t i = 0; i < n && nodes[i].tier == 0; i++) {
    const privacy_node *nd = &nodes[i];
    if (!nd->published) continue;
    const uint8_t *wkb = NULL;
    size_t len = 0;
    int64_t fid = -1;
    double box[4];
    err_code rc = cell_shape(p, nd->key, &wkb, &len, &fid, box, e);
    if (rc != ERR_OK) return rc;
    value v[2] = {{.kind = VALUE_TEXT, .s = nd->key, .len = strlen(nd->key)},
                  {.kind = VALUE_INT, .i = nd->count}};
    if ((rc = store_writer_add(w, fid, wkb, len, v, e)) != ERR_OK) return rc;
    p->n_cells++;
  }
  return ERR_OK;
}

/* Every node with records but the outside one (it has no place), and every unit of theirs:
 * published ones with their counts, withheld ones without. */
static err_code write_agg(import_privacy *p, store_writer *w, const privacy_node *nodes, size_t n,
                          const double (*bbox)[4], err *e) {
  size_t n_units = 0;
  for (size_t i = 0; i < n; i++) n_units += nodes[i].n_units;
  store_agg_node *sn = calloc(n ? n : 1, sizeof *sn);
  store_agg_unit *su = calloc(n_units ? n_units : 1, sizeof *su);
  err_code rc = sn && su ? ERR_OK : err_set(e, ERR_NOMEM, "sin memoria");
  size_t k = 0, u = 0;
  for (size_t i = 0; i < n && rc == ERR_OK; i++) {
    const privacy_node *nd = &nodes[i];
    if (strcmp(nd->key, PRIVACY_OUTSIDE_KEY) == 0 || bbox[i][0] > bbox[i][2]) continue;
    sn[k++] = (store_agg_node){nd->key, nd->parent >= 0 ? nodes[nd->parent].key : NULL, nd->tier,
                               {bbox[i][0], bbox[i][1], bbox[i][2], bbox[i][3]}};
    for (size_t j = nd->first_unit; j < nd->first_unit + nd->n_units; j++) {
      privacy_unit pu;
      privacy_kanon_unit(p->kn, j, &pu);
      su[u++] = (store_agg_unit){pu.node, (int)pu.level, pu.category, pu.month, pu.count,
                                 pu.published};
    }
  }
  if (rc == ERR_OK) rc = store_writer_add_agg(w, sn, k, su, u, e);
  free(sn);
  free(su);
  return rc;
}

err_code import_privacy_publish(import_privacy *p, store_writer *w, err *e) {
  if (p->policy.mode != PRIVACY_MODE_AGGREGATE || !p->kn) return ERR_OK;
  privacy_kanon_set_parent(p->kn, p->grid ? grid_parent : NULL, NULL);
  err_code rc = privacy_kanon_finish(p->kn, e);
  if (rc != ERR_OK) return rc;
  size_t n = 0;
  const privacy_node *nodes = privacy_kanon_nodes(p->kn, &n);
  bool any = false;
  for (size_t i = 0; i < n && nodes[i].tier == 0; i++) any = any || nodes[i].published;
  if (!any)
    return err_set(e, ERR_INVALID, "ninguna celda llega a k=%lld casos: no hay nada que se pueda "
                   "publicar (use una cuadrícula más grande o menos categorías)",
                   (long long)p->policy.k);
  double (*bbox)[4] = calloc(n, sizeof *bbox);
  if (!bbox) return err_set(e, ERR_NOMEM, "sin memoria");
  rc = node_boxes(p, nodes, n, bbox, e);
  if (rc == ERR_OK) rc = write_cells(p, w, nodes, n, e);
  if (rc == ERR_OK) rc = write_agg(p, w, nodes, n, (const double (*)[4])bbox, e);
  free(bbox);
  return rc;
}

/* ---- the report ------------------------------------------------------------------------------ */

static bool safe(int64_t v, int64_t k) { return v == 0 || v >= k; }

/* The records in no published cell (suppressed_records) are the outside ones plus those of the
 * withheld cells: 0 or >= k together (the outside records are a withheld child of the root, so
 * secondary suppression covers them). Saying how many are outside splits that sum, so it is said
 * only when both parts are 0 or >= k; else a withheld polygon holding one record would be
 * records - published - outside. */
void import_privacy_kanon_report(const import_privacy *p, buf *j, buf *t) {
  static const char *const LEVEL[] = {"cell", "cell_category", "cell_month",
                                      "cell_category_month"};
  privacy_kanon_stats st;
  privacy_kanon_get_stats(p->kn, &st);
  int64_t k = p->policy.k, in_cells = st.n_suppressed_records - st.n_unassigned;
  bool say_outside = safe(st.n_unassigned, k) && safe(in_cells, k);
  buf_printf(j, ",\"records\":%lld,\"suppressed_records\":%lld,\"tiers\":%d",
             (long long)st.n_records, (long long)st.n_suppressed_records, st.n_tiers);
  if (say_outside) buf_printf(j, ",\"unassigned\":%lld", (long long)st.n_unassigned);
  else buf_puts(j, ",\"unassigned\":null");
  for (int pass = 0; pass < 2; pass++) {
    buf_puts(j, pass ? ",\"suppressed\":{" : ",\"published\":{");
    for (int l = 0; l < PRIVACY_N_LEVELS; l++)
      buf_printf(j, "%s\"%s\":%lld", l ? "," : "", LEVEL[l],
                 (long long)(pass ? st.n_suppressed[l] : st.n_published[l]));
    buf_putc(j, '}');
  }
  buf_printf(t, "  k-anonimato (k=%lld): %lld celdas publicadas, %lld omitidas; %lld registros "
             "sin celda publicada", (long long)k, (long long)st.n_published[0],
             (long long)st.n_suppressed[0], (long long)st.n_suppressed_records);
  if (st.n_unassigned && say_outside)
    buf_printf(t, " (%lld fuera de todo polígono)", (long long)st.n_unassigned);
  else if (st.n_unassigned)
    buf_puts(t, ", entre ellos algunos fuera de todo polígono");
  buf_puts(t, "\n");
  if (p->policy.n_by || p->policy.date_field[0])
    buf_printf(t, "  conteos omitidos en las celdas: %lld por categoría, %lld por mes, %lld por "
               "categoría y mes; niveles de agregación sobre las celdas: %d\n",
               (long long)st.n_suppressed[1], (long long)st.n_suppressed[2],
               (long long)st.n_suppressed[3], st.n_tiers);
}
