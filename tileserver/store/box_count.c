/* box_count.c — how many features a box matches, from the R*Tree's own nodes: the entries wholly
 * inside the box (store_count_inside), and those plus the entries crossing its edge, each of
 * those tested exactly on its row (store_count_box, numberMatched of a box page). It reads the
 * nodes; it does not write them, and anything it does not recognise is answered by SQL. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"
#include "store/rtree_cell.h"

/* The R*Tree alone, without the table: a dense page's "more than cap" was read by joining each
 * index entry to its row and testing its geometry, 1,000 rows for every page of a dense box. An
 * entry whose float32 box (rounded outwards, so it holds the feature's exact box) lies inside the
 * query box matches without that test, and a node whose box lies inside holds only such entries:
 * its leaves' cell counts (2 bytes in each node's header) are added without reading one cell.
 * The nodes are read in SQLite's R*Tree format (sqlite/ext/rtree/rtree.c, the one rtree_load.c
 * writes): 2-byte depth in the root, 2-byte cell count, cells of an 8-byte id and four
 * big-endian float32 bounds (xmin, xmax, ymin, ymax). Measured on the 1,000,000-point demo,
 * RelWithDebInfo, one client, z12 boxes: counting up to 1,000 entries through the R*Tree
 * module was 24 % of a page's CPU time; the walk reads about ten nodes. Then (callgrind, 100 z12
 * pages): 0.56 M instructions a page, most of them decoding every bound of every cell in double
 * precision and every cell's id, leaves included; comparing in float32 against the box rounded
 * inwards, and decoding an id only to descend, made it 0.40 M, the answers identical on 599 boxes. */
enum { RT_CELL = RTREE_CELL_BYTES, RT_MAX_DEPTH = 40, RT_LATER = 256, RT_CROSS_MAX = 1 << 16 };

/* Subtree counts. A node wholly inside the box was read only for its entry count: a leaf's 4 KB
 * for the 2 bytes of its header, an inner node's and all its leaves' for their sum (node reads
 * through SQL cost about 3,900 instructions each, and a dense page's count read 12-20 such
 * leaves: 70,000 of its ~1.1 M instructions, callgrind). The index of a layer version does not
 * change while nothing commits, so each count found is kept by the reader
 * (store_reader_subtree_counts, one table at a time, emptied when anything commits) and a walk
 * adds it without reading the subtree again. Only complete counts are kept (a walk stopped at
 * its cap counted part of a subtree). Measured (callgrind, 100 pages of each box size): z8 0.89
 * to 0.79 M instructions a page, z12 1.15 to 1.04, z16 (boxes mostly crossing nodes) 1.07 to
 * 1.04. Node numbers past RT_COUNTS_MAX are not kept. */
enum { RT_COUNTS_MAX = 1 << 19 }; /* 2 MiB a reader at most */

typedef struct inside_walk {
  sqlite3_stmt *node;   /* SELECT data FROM <index>_node WHERE nodeno = ?1 */
  double q[4];          /* minx, miny, maxx, maxy */
  rtree_fbox fbox;      /* the same box as float32, rounded inwards: cells compared as stored */
  int64_t cap, n;
  bool bad;             /* a node not in the expected format: the caller counts with SQL */
  /* Leaves crossing the box's edge, read only once every node inside has been counted: a leaf
   * crossing is read cell by cell for a few entries, one inside is counted from its header. */
  int64_t later[RT_LATER];
  int n_later;
  /* store_count_box: the ids of the entries crossing the box's edge, for their rows' test
   * (malloc'd, at most RT_CROSS_MAX; past it `bad`, and SQL counts) */
  bool collect;
  int64_t *cross;
  int n_cross, cross_cap;
  store_subtree_counts *counts; /* NULL: none kept (PostgreSQL, a moved WAL header) */
  bool cut;                     /* a loop stopped at cap: the subtree counts are partial */
  /* Node reads through the node table as an incremental blob (opened at the first read of the
   * walk's transaction, closed before it ends): a reopen and a read cost 1,800 instructions
   * against 3,800 for a step of `node` and a copy (callgrind); `node` reads when it fails. */
  sqlite3 *db;
  char blob_table[256]; /* the node table's name, unquoted; "" when it did not fit */
  sqlite3_blob *blob;
  bool blob_off;
  uint8_t *leaf; /* the last leaf read through blob */
  int leaf_cap;
} inside_walk;

/* Node no through w->blob into *dst (grown as needed; the caller owns it), *len bytes; false
 * when the blob cannot read it (then it is closed and the statement reads from now on). */
static bool blob_node(inside_walk *w, int64_t no, uint8_t **dst, int *dst_cap, int *len) {
  if (w->blob_off || !w->blob_table[0]) return false;
  int rc = w->blob ? sqlite3_blob_reopen(w->blob, no)
                   : sqlite3_blob_open(w->db, "main", w->blob_table, "data", no, 0, &w->blob);
  int n = rc == SQLITE_OK ? sqlite3_blob_bytes(w->blob) : 0;
  if (rc == SQLITE_OK && n >= 4 && n > *dst_cap) {
    uint8_t *p = realloc(*dst, (size_t)n);
    if (p) *dst = p, *dst_cap = n;
  }
  if (rc != SQLITE_OK || n < 4 || n > *dst_cap ||
      sqlite3_blob_read(w->blob, *dst, n, 0) != SQLITE_OK) {
    sqlite3_blob_close(w->blob); /* NULL is a no-op; an aborted handle is released */
    w->blob = NULL;
    w->blob_off = true;
    return false;
  }
  *len = n;
  return true;
}

/* The count kept for node no: false when unknown. */
static bool count_known(const inside_walk *w, int64_t no, int64_t *out) {
  const store_subtree_counts *c = w->counts;
  if (!c || no < 0 || (uint64_t)no >= c->cap || !c->n[no]) return false;
  *out = (int64_t)c->n[no] - 1;
  return true;
}

static void count_keep(inside_walk *w, int64_t no, int64_t n) {
  store_subtree_counts *c = w->counts;
  if (!c || no < 0 || no >= RT_COUNTS_MAX || n < 0 || n >= UINT32_MAX) return;
  if ((uint64_t)no >= c->cap) {
    size_t cap = c->cap ? c->cap : 1024;
    while (cap <= (size_t)no) cap *= 2;
    uint32_t *p = realloc(c->n, cap * sizeof *p);
    if (!p) return;
    memset(p + c->cap, 0, (cap - c->cap) * sizeof *p);
    c->n = p, c->cap = cap;
  }
  c->n[no] = (uint32_t)n + 1;
}

/* Node `no` copied into *out (malloc'd, *out_len bytes); false when absent or malformed. */
static bool rt_node(inside_walk *w, int64_t no, uint8_t **out, int *out_len) {
  uint8_t *own = NULL;
  int cap = 0;
  if (blob_node(w, no, &own, &cap, out_len)) {
    *out = own;
    return 4 + (own[2] << 8 | own[3]) * RT_CELL <= *out_len;
  }
  free(own);
  sqlite3_reset(w->node);
  sqlite3_bind_int64(w->node, 1, no);
  *out = NULL;
  if (sqlite3_step(w->node) != SQLITE_ROW) return false;
  int len = sqlite3_column_bytes(w->node, 0);
  const uint8_t *b = sqlite3_column_blob(w->node, 0);
  if (!b || len < 4 || !(*out = malloc((size_t)len))) return false;
  memcpy(*out, b, (size_t)len);
  *out_len = len;
  sqlite3_reset(w->node);
  return 4 + ((*out)[2] << 8 | (*out)[3]) * RT_CELL <= len;
}

/* Leaf `no` where SQLite holds the row (copying its 4 KB cost more than reading it in place),
 * valid until w->node is reset, with its cell count in *n; NULL (w->bad) when absent or
 * malformed, as rt_node: SQL counts instead. */
static const uint8_t *rt_leaf(inside_walk *w, int64_t no, int *n) {
  const uint8_t *b = NULL;
  int len = 0;
  *n = 0;
  if (blob_node(w, no, &w->leaf, &w->leaf_cap, &len)) {
    b = w->leaf;
  } else {
    sqlite3_reset(w->node);
    sqlite3_bind_int64(w->node, 1, no);
  }
  if (!b && sqlite3_step(w->node) == SQLITE_ROW) {
    b = sqlite3_column_blob(w->node, 0);
    len = sqlite3_column_bytes(w->node, 0);
  }
  if (b && len >= 4) *n = b[2] << 8 | b[3];
  if (b && len >= 4 && 4 + *n * RT_CELL <= len) return b;
  w->bad = true;
  return NULL;
}

/* The cell count of leaf `no`, from its header: a leaf whose box lies inside the query needs
 * nothing else. */
static void rt_leaf_count(inside_walk *w, int64_t no) {
  int n;
  if (rt_leaf(w, no, &n)) {
    w->n += n;
    count_keep(w, no, n);
  }
  sqlite3_reset(w->node);
}

static int64_t cell_id(const uint8_t *c) {
  int64_t id = 0;
  for (int k = 0; k < 8; k++) id = id << 8 | c[k];
  return id;
}

/* Keeps the id of an entry crossing the box's edge; false (w->bad) past RT_CROSS_MAX. */
static bool rt_cross_add(inside_walk *w, const uint8_t *c) {
  if (w->n_cross == w->cross_cap) {
    int cap = w->cross_cap ? 2 * w->cross_cap : 256;
    int64_t *p = cap <= RT_CROSS_MAX ? realloc(w->cross, (size_t)cap * sizeof *p) : NULL;
    if (!p) return !(w->bad = true);
    w->cross = p, w->cross_cap = cap;
  }
  w->cross[w->n_cross++] = cell_id(c);
  return true;
}

/* Adds the entries of a leaf crossing the box's edge that lie inside it (and, collecting, keeps
 * the ids of those that meet the box without lying inside). */
static void rt_leaf_inside(inside_walk *w, int64_t no) {
  int n;
  const uint8_t *b = rt_leaf(w, no, &n);
  for (int i = 0; b && i < n && w->n < w->cap && !w->bad; i++) {
    const uint8_t *c = b + 4 + i * RT_CELL;
    if (rtree_cell_inside(&w->fbox, c)) w->n++;
    else if (w->collect && rtree_cell_meets(&w->fbox, c)) rt_cross_add(w, c);
  }
  sqlite3_reset(w->node);
}

/* Adds the entries under node `no` (depth levels above the leaves) that lie inside w->q, or all
 * of them when `all`; stops once w->n reaches w->cap. Children wholly inside go first: their
 * leaves are counted from their headers, while a child crossing the box's edge is read cell by
 * cell for a few entries (a dense z10 box's walk read 86 nodes, most of them along its edge,
 * before reaching 1,000). The order does not change the answer: all entries, or cap of them. */
static void rt_count(inside_walk *w, int64_t no, int depth, bool all) {
  int64_t known;
  if (all && count_known(w, no, &known)) {
    w->n += known;
    return;
  }
  if (all && depth == 0) {
    rt_leaf_count(w, no);
    return;
  }
  if (depth == 0) { /* a leaf crossing the box's edge: its entries inside, read in place */
    rt_leaf_inside(w, no);
    return;
  }
  uint8_t *b = NULL; /* freed below also when the depth check refuses the node unread */
  int len;
  if (depth > RT_MAX_DEPTH || !rt_node(w, no, &b, &len)) {
    w->bad = true;
    free(b);
    return;
  }
  int n = b[2] << 8 | b[3];
  int64_t before = w->n;
  bool cut_before = w->cut;
  w->cut = false;
  for (int pass = all ? 1 : 0; pass < 2; pass++) { /* 0: inside, 1: the rest */
    int i = 0;
    for (; i < n && !w->bad && w->n < w->cap; i++) {
      const uint8_t *c = b + 4 + i * RT_CELL;
      bool inside = all || rtree_cell_inside(&w->fbox, c);
      if (pass == 0 ? !inside : (!all && (inside || !rtree_cell_meets(&w->fbox, c)))) continue;
      int64_t child = cell_id(c);
      if (depth == 1 && !inside && w->n_later < RT_LATER) w->later[w->n_later++] = child;
      else rt_count(w, child, depth - 1, inside);
    }
    if (i < n) w->cut = true;
  }
  if (all && !w->cut && !w->bad) count_keep(w, no, w->n - before);
  w->cut = w->cut || cut_before;
  free(b);
}

/* The same count through the R*Tree module: for an index the walk cannot read. */
static err_code count_inside_sql(store_reader *r, const layer_info *l, const double bbox[4],
                                 int64_t cap, int64_t *out, err *e) {
  buf sql;
  buf_init(&sql, 4096);
  buf_puts(&sql, "SELECT count(*) FROM (SELECT 1 FROM ");
  store_index_name(&sql, l->table_name);
  buf_puts(&sql, " WHERE xmin >= ?1 AND xmax <= ?2 AND ymin >= ?3 AND ymax <= ?4 LIMIT ?5)");
  sqlite3_stmt *st;
  err_code rc = sql.failed ? err_set(e, ERR_NOMEM, "out of memory")
                           : store_reader_stmt_find(r, buf_cstr(&sql), &st, e);
  buf_free(&sql);
  if (rc != ERR_OK) return rc;
  sqlite3_bind_double(st, 1, bbox[0]);
  sqlite3_bind_double(st, 2, bbox[2]);
  sqlite3_bind_double(st, 3, bbox[1]);
  sqlite3_bind_double(st, 4, bbox[3]);
  sqlite3_bind_int64(st, 5, cap);
  if (sqlite3_step(st) == SQLITE_ROW) *out = sqlite3_column_int64(st, 0);
  else rc = store_read_error(store_reader_db(r), l->id, "count", e);
  sqlite3_reset(st);
  return rc;
}

/* Walks l's index for w (w->q, w->cap, w->collect set) in one read transaction: each node's
 * statement is reset before the next is bound, and a connection with no statement running ends
 * its transaction, so every node read took the WAL's shared lock again (fcntl calls: a fifth of
 * the request's CPU time in perf). With `rows`, the crossing entries' rows are tested in the same
 * transaction, so they are the rows of the tree the walk read. False: the walk could not read
 * the tree (w->bad or no root), or rc holds an error. */
static bool walk_tree(store_reader *r, const layer_info *l, inside_walk *w,
                      err_code (*rows)(store_reader *, const layer_info *, inside_walk *, err *),
                      err_code *rc, err *e) {
  if ((*rc = store_reader_node_stmt(r, l, &w->node, e)) != ERR_OK) return false;
  sqlite3_stmt *begin = NULL, *end = NULL;
  if ((*rc = store_reader_stmt_find(r, "BEGIN", &begin, e)) != ERR_OK ||
      (*rc = store_reader_stmt_find(r, "COMMIT", &end, e)) != ERR_OK)
    return false;
  bool in_txn = sqlite3_step(begin) == SQLITE_DONE;
  w->db = store_reader_db(r);
  int tn = snprintf(w->blob_table, sizeof w->blob_table, "idx_%s_geom_node", l->table_name);
  if (tn < 0 || (size_t)tn >= sizeof w->blob_table) w->blob_table[0] = '\0';
  uint8_t *root;
  int len;
  bool ok = rt_node(w, 1, &root, &len);
  /* asked once the transaction reads: its counts are those of the tree this walk reads */
  if (ok) w->counts = store_reader_subtree_counts(r, l->table_name);
  int depth = ok ? root[0] << 8 | root[1] : 0;
  free(root);
  if (ok) rt_count(w, 1, depth, false);
  for (int i = 0; i < w->n_later && !w->bad && w->n < w->cap; i++)
    rt_count(w, w->later[i], 0, false);
  sqlite3_reset(w->node);
  sqlite3_blob_close(w->blob); /* before the transaction ends */
  w->blob = NULL;
  free(w->leaf);
  w->leaf = NULL;
  w->leaf_cap = 0;
  ok = ok && !w->bad;
  if (ok && rows) *rc = rows(r, l, w, e);
  if (in_txn) sqlite3_step(end);
  sqlite3_reset(begin);
  sqlite3_reset(end);
  return ok && *rc == ERR_OK;
}

err_code store_count_inside(store_reader *r, const layer_info *l, const double bbox[4], int64_t cap,
                            int64_t *out, err *e) {
  /* PostgreSQL has no R*Tree nodes to walk: 0 is a true lower bound, so the caller counts the
   * matches as it did before this shortcut and the answer stays the same. */
  if (store_reader_pg(r)) {
    *out = 0;
    return ERR_OK;
  }
  inside_walk w = {.q = {bbox[0], bbox[1], bbox[2], bbox[3]}, .cap = cap,
                   .fbox = rtree_fbox_inward(bbox)};
  err_code rc = ERR_OK;
  if (!walk_tree(r, l, &w, NULL, &rc, e))
    return rc != ERR_OK ? rc : count_inside_sql(r, l, bbox, cap, out, e);
  *out = w.n;
  return ERR_OK;
}

/* The rows of the entries crossing the box's edge that meet it exactly, added to w->n (up to
 * w->cap): the test of the edge part of a box read (plan.c), teselas_intersects on the row the
 * index entry names. An entry without its row matches nothing, as in the read's join. */
static err_code cross_rows(store_reader *r, const layer_info *l, inside_walk *w, err *e) {
  if (w->n >= w->cap || w->n_cross == 0) return ERR_OK;
  buf sql;
  buf_init(&sql, 4096);
  buf_puts(&sql, "SELECT 1 FROM ");
  store_quote_ident(&sql, l->table_name);
  buf_puts(&sql, " WHERE rowid = ?1 AND teselas_intersects(geom, ?2, ?3, ?4, ?5)");
  sqlite3_stmt *st = NULL;
  err_code rc = sql.failed ? err_set(e, ERR_NOMEM, "out of memory")
                           : store_reader_stmt_find(r, buf_cstr(&sql), &st, e);
  buf_free(&sql);
  if (rc != ERR_OK) return rc;
  for (int k = 0; k < 4; k++) sqlite3_bind_double(st, 2 + k, w->q[k]);
  for (int i = 0; i < w->n_cross && w->n < w->cap; i++) {
    sqlite3_bind_int64(st, 1, w->cross[i]);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) w->n++;
    else if (step != SQLITE_DONE) rc = store_read_error(store_reader_db(r), l->id, "count", e);
    sqlite3_reset(st);
    if (rc != ERR_OK) break;
  }
  return rc;
}

err_code store_count_box(store_reader *r, const store_query *q, int64_t cap, int64_t *out, err *e) {
  *out = STORE_COUNT_UNKNOWN;
  const double *b = q->bbox;
  if (store_reader_pg(r) || !b || b[0] > b[2] || !q->bbox_exact || q->where || cap <= 0 ||
      q->min_box[0] > 0 || q->min_box[1] > 0)
    return ERR_OK;
  inside_walk w = {.q = {b[0], b[1], b[2], b[3]}, .cap = cap, .fbox = rtree_fbox_inward(b),
                   .collect = true};
  err_code rc = ERR_OK;
  if (walk_tree(r, q->layer, &w, cross_rows, &rc, e)) *out = w.n >= cap ? -1 : w.n;
  free(w.cross);
  return rc;
}
