/* curve.c — a version's rows in the order of a Hilbert curve.
 *
 * A tile reads the rows whose boxes meet it, found through the R*Tree and then fetched from the
 * table by row number. In source order (a city's incidents come by date) those rows are spread
 * over the whole table, and fetching each was half of a dense point tile's time (a B-tree descent
 * and a page lookup per row). A version never changes after its import, so the writer stores its
 * rows sorted along a Hilbert curve over their box centres: the rows of a tile then sit in a few
 * runs of consecutive row numbers, and the packed R*Tree (rtree_load.c), read in row order, lists
 * them in that same order. The feature id is an indexed column of its own (the rows' numbers are
 * teselas_row, the table's INTEGER PRIMARY KEY).
 *
 * The curve is fixed on the whole lon/lat world (order 31: cells of 2 cm), so the key needs no
 * pass over the layer first; it fits SQLite's signed 64-bit integers. */
#include <math.h>
#include <stdint.h>

#include "store/store_int.h"

enum { CURVE_ORDER = 31 };

/* Index along a Hilbert curve of order CURVE_ORDER of cell (x, y), both < 2^CURVE_ORDER. */
static uint64_t hilbert(uint64_t x, uint64_t y) {
  uint64_t d = 0;
  for (uint64_t s = (uint64_t)1 << (CURVE_ORDER - 1); s > 0; s >>= 1) {
    uint64_t rx = (x & s) ? 1 : 0, ry = (y & s) ? 1 : 0;
    d += s * s * ((3 * rx) ^ ry);
    if (ry == 0) {
      if (rx == 1) {
        x = s - 1 - (x & (s - 1)) + (x & ~(s - 1));
        y = s - 1 - (y & (s - 1)) + (y & ~(s - 1));
      }
      uint64_t t = x;
      x = y;
      y = t;
    }
  }
  return d;
}

static uint64_t cell(double v, double lo, double span) {
  double max = (double)(((uint64_t)1 << CURVE_ORDER) - 1);
  double c = floor((v - lo) / span * (max + 1));
  return (uint64_t)(c < 0 ? 0 : c > max ? max : c);
}

int64_t store_curve_key(double lon, double lat) {
  return (int64_t)hilbert(cell(lon, -180.0, 360.0), cell(lat, -90.0, 180.0));
}

/* SQL teselas_curve(geom): the key of the blob's box centre; NULL for NULL or a blob that is not
 * a 2D SpatiaLite geometry (such rows sort first). */
static void sql_curve(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  (void)argc;
  double m[4];
  if (!store_blob_mbr(sqlite3_value_blob(argv[0]), sqlite3_value_bytes(argv[0]), m)) {
    sqlite3_result_null(ctx);
    return;
  }
  sqlite3_result_int64(ctx, store_curve_key((m[0] + m[2]) / 2, (m[1] + m[3]) / 2));
}

err_code store_curve_copy(sqlite3 *db, const char *from, const char *to, const layer_field *fields,
                          size_t n_fields, err *e) {
  if (sqlite3_create_function_v2(db, "teselas_curve", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
                                 sql_curve, NULL, NULL, NULL) != SQLITE_OK)
    return err_set(e, ERR_DB, "curve order: %s", sqlite3_errmsg(db));
  buf cols, sql;
  buf_init(&cols, 0);
  buf_init(&sql, 0);
  buf_puts(&cols, "fid, geom");
  for (size_t i = 0; i < n_fields; i++) {
    buf_puts(&cols, ", ");
    store_quote_ident(&cols, fields[i].name);
  }
  buf_puts(&sql, "INSERT INTO ");
  store_quote_ident(&sql, to);
  buf_printf(&sql, "(%s) SELECT %s FROM %s ORDER BY teselas_curve(geom), fid", buf_cstr(&cols),
             buf_cstr(&cols), from);
  err_code rc = cols.failed || sql.failed
                    ? err_set(e, ERR_NOMEM, "out of memory")
                    : store_exec(db, buf_cstr(&sql), "rows in curve order", e);
  buf_free(&cols);
  buf_free(&sql);
  return rc;
}
