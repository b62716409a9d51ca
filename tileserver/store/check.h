/* check.h — `teselas check`: is a SpatiaLite database sound, and if not, which layer versions are
 * damaged and how (store/check.c). Part of the store's interface (it reads SQL tables), kept in
 * its own header because only the check command and the server's health use it. */
#ifndef TESELAS_STORE_CHECK_H
#define TESELAS_STORE_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

/* One problem found. layer is "" when it belongs to the database as a whole (the catalog tables,
 * a free page), version 0 when it belongs to the layer rather than one of its versions. */
typedef struct store_check_issue {
  char layer[64];
  int64_t version;
  char what[400];
} store_check_issue;

typedef struct store_check_result {
  store_check_issue *issues;
  size_t n_issues, cap_issues;
  size_t n_layers;     /* layers in the catalog */
  size_t n_versions;   /* kept versions whose tables were read */
  bool integrity_ok;   /* SQLite's own check said "ok" */
  bool nomem;          /* sticky: an issue could not be recorded */
} store_check_result;

/* Checks the database at path (a SpatiaLite file; over PostgreSQL, pg_check.c's checks):
 * SQLite's integrity_check (quick_check when quick), then for every kept version of every layer
 * its table read end to end, its spatial index against the rows (count and rowids), its counts
 * and box against the catalog's and the history's, and the catalog, styles, aggregates and
 * download digests referring to versions the history has. Returns ERR_OK when the check ran
 * (out lists what is wrong: none when sound); an error only when the file cannot be opened as a
 * database. The caller frees *out with store_check_result_free, also on failure. */
err_code store_check_db(const char *path, bool quick, store_check_result *out, err *e);
void store_check_result_free(store_check_result *r);

/* ---- a running server's look at one layer (GET /health) ---------------------------------- */
typedef struct store_reader store_reader;
/* SQLite's quick_check of the published version's table and spatial index, on the reader's
 * connection: *out_sound false, and why filled, when a page of them is damaged. It reads every
 * page of that table (about 2 ms per 10,000 points), so the server asks once per version and
 * minute. ERR_OK when the check ran; over PostgreSQL *out_sound is true. */
err_code store_layer_probe(store_reader *r, const char *table_name, bool *out_sound, char *why,
                           size_t why_len, err *e);

#endif
