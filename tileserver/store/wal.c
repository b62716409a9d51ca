/* wal.c — folding the write-ahead log back into the database once a long read has ended.
 *
 * A reader's snapshot pins every WAL frame written after it began: while a slow client holds a
 * download open (its stream keeps one read transaction for the whole body), each import that
 * lands appends its whole new version to the WAL, and the importer's own checkpoint cannot pass
 * the reader. Measured with the SSP-CDMX incidents: three imports of 80,000-120,000 rows during
 * one download left a 67 MB WAL, and nothing shrank it once the download ended (the server's
 * connections are read-only, and SQLite reuses a WAL file without truncating it), until the next
 * import. So the reader that held the log back folds it in when it ends: a TRUNCATE checkpoint on
 * a short-lived read-write connection, which copies the frames into the file and truncates the
 * log to zero bytes. It never changes the data (no commit), and it is skipped when the log is
 * small or the file is not writable. */
#include <sqlite3.h>
#include <stdio.h>
#include <sys/stat.h>

#include "store/store_int.h"

/* How long the checkpoint waits for readers to move to the newest snapshot: requests hold a
 * read for about a millisecond; a second long read (another download) makes it give up. */
enum { FOLD_BUSY_MS = 250 };

err_code store_wal_fold(const char *db_path, int64_t min_bytes, err *e) {
  char wal[4096];
  if (snprintf(wal, sizeof wal, "%s-wal", db_path) >= (int)sizeof wal)
    return err_set(e, ERR_INVALID, "database path too long");
  struct stat st;
  if (stat(wal, &st) != 0 || (int64_t)st.st_size < min_bytes) return ERR_OK;
  sqlite3 *db = NULL;
  err_code rc = ERR_OK;
  if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
    rc = err_set(e, ERR_IO, "cannot open %s to checkpoint: %s", db_path, sqlite3_errmsg(db));
    goto done;
  }
  sqlite3_busy_timeout(db, FOLD_BUSY_MS);
  /* A connection opens the WAL on its first read: before that, a checkpoint finds no log and
   * returns SQLITE_OK having done nothing (seen with SQLite 3.40). */
  if (sqlite3_exec(db, "SELECT count(*) FROM sqlite_master", NULL, NULL, NULL) != SQLITE_OK ||
      sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL) != SQLITE_OK)
    rc = err_set(e, ERR_DB, "checkpoint of %s: %s", db_path, sqlite3_errmsg(db));
done:
  sqlite3_close(db);
  return rc;
}
