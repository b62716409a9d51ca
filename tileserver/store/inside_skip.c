/* inside_skip.c — which nodes crossing a box's edge the inside part of a box page may pass over.
 *
 * The inside part of a box page (plan.c, split_read) walks the R*Tree depth first through SQLite's
 * module with the query callback teselas_inside: a node crossing the box's edge is descended,
 * because some of its entries may lie inside. Along a dense box's edge most such nodes hold none,
 * and SQLite called the callback for every one of their cells: at z10, 0.77 M of the 1.92 M
 * instructions of a 100-feature page (callgrind), for about 30 leaves read before the page's
 * own entries. This walk reads the same nodes itself (a few comparisons a cell against ~200 in
 * the module), in the same order, before the query runs, and lists the crossing nodes the
 * callback meets in that order, each with whether its subtree holds an entry inside the box.
 * The callback then answers NOT_WITHIN for those that hold none: the rows, their order and
 * OFFSET are unchanged, since a node passed over holds no row of the inside part.
 *
 * Node identity: the callback sees a cell's level and box, not its node number (SQLite sets
 * iRowid for leaf cells only), so it follows the list with a cursor and compares both; the
 * first disagreement (another box, a walk run twice) turns the list off for that statement,
 * which is then read as before. The list ends where this walk stopped (enough entries for the
 * page, a node wholly inside the box that is not a leaf, the read budget); past its end the
 * callback descends as before. The format is SQLite's R*Tree (rtree_load.c writes it): 2-byte
 * depth in the root, 2-byte cell count, cells of an 8-byte id and four big-endian float32
 * bounds (xmin, xmax, ymin, ymax). */
#include "store/store_int.h"
#include "store/rtree_cell.h"

#include <arpa/inet.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* BLOB_AFTER: the walk switches to the blob at its second read. Opening it costs 5,800
 * instructions, a reopen 1,400 and its read of a node 360, against 3,800 for a statement read
 * (callgrind, z10 pages: 85 node reads a page, 14 of them by statement when the switch came at
 * the sixteenth read). */
enum { CELL = RTREE_CELL_BYTES, MAX_DEPTH = 40, READ_BUDGET = 96, BLOB_AFTER = 2 };

typedef struct skip_walk {
  store_inside_skip *s;
  sqlite3_stmt *node;
  /* The node table as an incremental blob: reopening it for a node costs about a third of a
   * statement step (3.5 K instructions a node read, 88 reads for a z10 page). NULL: the
   * statement reads. */
  sqlite3_blob *blob;
  sqlite3 *db;
  const char *table; /* the node table's name, unquoted */
  uint8_t *data; /* the last node read through blob */
  int data_cap;
  rtree_fbox fbox; /* the box as float32, rounded inwards */
  int64_t need, found;
  int reads;
  bool stop; /* the walk ended before the tree did: what it has not read is not listed */
} skip_walk;

/* Node `no` as SQLite holds it (valid until w->node is reset: every caller resets it after), with
 * its cell count; NULL when absent, malformed or over the read budget (then the walk stops). */
static const uint8_t *node_at(skip_walk *w, int64_t no, int *out_cells) {
  if (++w->reads > READ_BUDGET) return NULL;
  if (w->reads == BLOB_AFTER && !w->blob &&
      sqlite3_blob_open(w->db, "main", w->table, "data", no, 0, &w->blob) != SQLITE_OK) {
    sqlite3_blob_close(w->blob); /* a handle may come with the error; NULL is a no-op */
    w->blob = NULL;
  }
  const uint8_t *b = NULL;
  int len = 0;
  if (w->blob) {
    if (sqlite3_blob_reopen(w->blob, no) != SQLITE_OK) return NULL;
    len = sqlite3_blob_bytes(w->blob);
    if (len > w->data_cap) {
      uint8_t *p = realloc(w->data, (size_t)len);
      if (!p) return NULL;
      w->data = p, w->data_cap = len;
    }
    if (sqlite3_blob_read(w->blob, w->data, len, 0) != SQLITE_OK) return NULL;
    b = w->data;
  } else {
    sqlite3_bind_int64(w->node, 1, no);
    if (sqlite3_step(w->node) != SQLITE_ROW) return NULL;
    len = sqlite3_column_bytes(w->node, 0);
    b = sqlite3_column_blob(w->node, 0);
  }
  int n = b && len >= 4 ? b[2] << 8 | b[3] : 0;
  if (!b || len < 4 || 4 + n * CELL > len) return NULL;
  *out_cells = n;
  return b;
}

/* Leaf `no`: the number of its entries inside the box, read in place (a copy of its 4 KB was
 * a third of the walk's instructions); -1 when it cannot be read. */
static int64_t leaf_inside(skip_walk *w, int64_t no) {
  int n;
  const uint8_t *b = node_at(w, no, &n);
  int64_t found = b ? 0 : -1;
  for (int i = 0; b && i < n && w->found < w->need; i++)
    if (rtree_cell_inside(&w->fbox, b + 4 + i * CELL)) found++, w->found++;
  if (!w->blob) sqlite3_reset(w->node);
  return found;
}

/* Node `no` copied into *out (malloc'd; caller frees): the walk reads its children before it
 * is done with it. */
static bool read_node(skip_walk *w, int64_t no, uint8_t **out, int *out_cells) {
  const uint8_t *b = node_at(w, no, out_cells);
  size_t len = b ? 4 + (size_t)*out_cells * CELL : 0;
  *out = b ? malloc(len) : NULL;
  if (*out) memcpy(*out, b, len);
  if (!w->blob) sqlite3_reset(w->node);
  return *out != NULL;
}

static int64_t cell_id(const uint8_t *c) {
  int64_t id = 0;
  for (int k = 0; k < 8; k++) id = id << 8 | c[k];
  return id;
}

/* Walks node `no`, whose cells are at level h (0: a leaf), in the module's order, listing its
 * crossing children as the callback will meet them; returns the entries inside found under it
 * (as many as the walk read), and sets *out_whole when the whole subtree was read. */
static int64_t walk(skip_walk *w, int64_t no, int h, bool *out_whole) {
  *out_whole = false;
  if (h == 0) {
    int64_t found = leaf_inside(w, no);
    if (found < 0 || w->found >= w->need) w->stop = true;
    *out_whole = !w->stop;
    return found < 0 ? 0 : found;
  }
  uint8_t *b;
  int n;
  if (h > MAX_DEPTH || !read_node(w, no, &b, &n)) {
    w->stop = true;
    return 0;
  }
  int64_t found = 0;
  for (int i = 0; i < n && !w->stop; i++) {
    const uint8_t *c = b + 4 + i * CELL;
    if (w->found >= w->need) {
      w->stop = true;
    } else if (rtree_cell_inside(&w->fbox, c)) {
      found++, w->found++;
      /* a subtree wholly inside holds entries enough for a page, most likely: the walk ends */
      w->stop = true;
    } else if (rtree_cell_meets(&w->fbox, c)) {
      store_inside_skip *s = w->s;
      if (s->n >= STORE_INSIDE_SKIP_MAX) {
        w->stop = true;
        break;
      }
      int k = s->n++;
      for (int j = 0; j < 4; j++) s->cell[k][j] = rtree_f32(c + 8 + 4 * j);
      s->level[k] = (uint8_t)h;
      s->skip[k] = false;
      bool whole;
      int64_t sub = walk(w, cell_id(c), h - 1, &whole);
      found += sub;
      if (whole && sub == 0) { /* passed over: the callback never meets the cells under it */
        s->skip[k] = true;
        s->n = k + 1;
      }
    }
  }
  free(b);
  *out_whole = !w->stop;
  return found;
}

void store_inside_skip_plan(store_inside_skip *s, sqlite3 *db, const char *node_table,
                            sqlite3_stmt *node, const double box[4], int64_t need) {
  memset(s, 0, sizeof *s);
  memcpy(s->box, box, sizeof s->box);
  skip_walk w = {.s = s, .node = node, .db = db, .table = node_table, .need = need,
                 .fbox = rtree_fbox_inward(box)};
  uint8_t *root;
  int n;
  if (read_node(&w, 1, &root, &n)) {
    int depth = root[0] << 8 | root[1];
    free(root);
    bool whole;
    if (depth > 0) walk(&w, 1, depth, &whole);
    s->on = s->n > 0;
  }
  sqlite3_blob_close(w.blob);
  free(w.data);
}

bool store_inside_skip_judge(store_inside_skip *s, const double params[4], const double coord[4],
                             int level) {
  if (!s->on) return false;
  if (memcmp(params, s->box, sizeof s->box) != 0) return false; /* another query's box */
  int k = s->at;
  if (k >= s->n) return false;
  bool same = s->level[k] == level;
  for (int j = 0; j < 4 && same; j++) same = (double)s->cell[k][j] == coord[j];
  if (!same) {
    s->on = false; /* not the walk listed: no more passing over */
    return false;
  }
  s->at++;
  return s->skip[k];
}
