#!/usr/bin/env bash
# `teselas copy --from postgresql://… --to FILE`, the way back: a file copied into PostgreSQL and
# back into a new file answers a fixed URL list (vector and PNG tiles, items, downloads, TileJSON,
# reports) byte for byte as the original, and holds the same catalogue, history, settings,
# styles and version tables row for row (value and SQLite type) with the same packed R*Tree; an
# existing file is refused unless --replace (which waits --busy-timeout-ms for a writer holding the
# file's lock, then says busy); a failure late in the copy leaves nothing under the
# final name (and a replaced file as it was), no temporary file behind.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../postgis/lib.sh"
source "$(dirname "$0")/../postgis/pg_lib.sh"
source "$(dirname "$0")/../postgis/serve_lib.sh"
pg_test_start
DB=$(demo_db 2000)
cdmx_two_versions "$DB"
"$TESELAS" import "$TESELAS_TEST_DATA/inegi/AGLOC_11020_localidades.csv" --db "$DB" \
  --layer localidades --area=-102,20.8,-101.3,21.4 --save-area --quiet >/dev/null ||
  fail "import of localidades with --save-area"

"$TESELAS" copy --from "$DB" --to "$(pg_uri)" >/dev/null || fail "copy into PostgreSQL"
BACK="$TEST_TMP/back.db"
out=$("$TESELAS" copy --from "$(pg_uri)" --to "$BACK" 2>&1) || fail "copy back: $out"
n_tables=$(sqlite3 "$DB" "SELECT count(*) FROM sqlite_master WHERE type='table' AND name IN
  (SELECT table_name FROM teselas_history UNION SELECT table_name FROM teselas_layers)")
[ "$out" = "copied $n_tables layer version tables into $BACK" ] || fail "copy back said: $out"
ok

# 1. Row for row: every teselas_* table, every version table (its geometry blobs included) and
# the spatial index of each (its entries and its nodes, byte for byte), with SQLite's storage class of every value.
python3 - "$DB" "$BACK" <<'PY' || fail "the file copied back differs from the original"
import sqlite3, sys
a, b = (sqlite3.connect(p) for p in sys.argv[1:3])
def tables(c):
    return [r[0] for r in c.execute(
        "SELECT name FROM sqlite_master WHERE type='table' AND (name LIKE 'teselas\\_%' ESCAPE '\\'"
        " OR name LIKE 'lyr\\_%' ESCAPE '\\' OR name LIKE 'idx\\_lyr\\_%\\_geom\\_node' ESCAPE '\\')"
        " AND sql NOT LIKE 'CREATE VIRTUAL%'"
        " ORDER BY name")] + [r[0] for r in c.execute(
        "SELECT name FROM sqlite_master WHERE sql LIKE 'CREATE VIRTUAL%' AND name LIKE 'idx\\_lyr%'"
        " ESCAPE '\\' ORDER BY name")]
ta, tb = tables(a), tables(b)
bad = []
if ta != tb:
    bad.append(f"tables: {sorted(set(ta) ^ set(tb))}")
def rows(c, t):
    cols = sorted(r[1] for r in c.execute(f'PRAGMA table_info("{t}")'))
    if t.startswith("idx_") and not t.endswith("_node"):  # an R*Tree: its entries
        cols = ["pkid", "xmin", "xmax", "ymin", "ymax"]
    sel = ", ".join(f'typeof("{x}"), quote("{x}")' for x in cols)
    return cols, sorted(c.execute(f'SELECT {sel} FROM "{t}"').fetchall(), key=repr)
for t in ta:
    if t not in tb:
        continue
    (ca, ra), (cb, rb) = rows(a, t), rows(b, t)
    if ca != cb:
        bad.append(f"{t}: columns {ca} / {cb}")
    elif ra != rb:
        diff = next(((x, y) for x, y in zip(ra, rb) if x != y), None)
        bad.append(f"{t}: {len(ra)} rows / {len(rb)}, first difference {str(diff)[:300]}")
for line in bad[:10]:
    print(line)
print(f"{len(ta)} tables compared")
sys.exit(1 if bad else 0)
PY
ok
diff <("$TESELAS" layers --db "$DB") <("$TESELAS" layers --db "$BACK") || fail "layers differ"
diff <("$TESELAS" versions cuadrantes --db "$DB") <("$TESELAS" versions cuadrantes --db "$BACK") ||
  fail "versions differ"
"$TESELAS" check --db "$BACK" >"$TEST_TMP/check" 2>&1 || fail "check of the copy: $(tail -3 "$TEST_TMP/check")"
ok

# 2. The same answers, byte for byte, from the original and from the copy back.
python3 "$(dirname "$0")/../postgis/pg_write_urls.py" "$TESELAS" "$DB" "$BACK" "$TEST_TMP/cmp" \
  --png $(sqlite3 "$DB" "SELECT id FROM teselas_layers ORDER BY id") ||
  fail "the file copied back answers differently"
ok

# 3. An existing file is refused and left alone; --replace overwrites it.
sum_before=$(sha256sum "$BACK" | cut -d' ' -f1)
if "$TESELAS" copy --from "$(pg_uri)" --to "$BACK" 2>"$TEST_TMP/err"; then
  fail "a copy over an existing file succeeded without --replace"
fi
grep -q "back.db exists; nothing was written (--replace to overwrite it)" "$TEST_TMP/err" ||
  fail "refusal: $(cat "$TEST_TMP/err")"
[ "$(sha256sum "$BACK" | cut -d' ' -f1)" = "$sum_before" ] || fail "the refused copy changed the file"
"$TESELAS" copy --from "$(pg_uri)" --to "$BACK" --replace >/dev/null 2>"$TEST_TMP/err" ||
  fail "--replace: $(cat "$TEST_TMP/err")"
diff <("$TESELAS" layers --db "$DB") <("$TESELAS" layers --db "$BACK") || fail "layers after --replace"
ok

# 3b. A file being written by an outside sqlite3 (its write lock held): --replace waits
# --busy-timeout-ms for it, then exits 1 saying busy, naming the file and the wait; the file is
# as it was and no temporary file is left. Once the lock is let go, the same copy replaces it.
sqlite3 "$BACK" "CREATE TABLE outside_writes(x TEXT)"
SOURCE_DB=$DB
DB=$BACK # (outside_writer_hold locks $DB)
back_dump() { sqlite3 "$BACK" .dump | grep -v outside_writes | sha256sum | cut -c1-64; }
dump_before=$(back_dump)
outside_writer_hold
rc=0
"$TESELAS" copy --from "$(pg_uri)" --to "$BACK" --replace --busy-timeout-ms 300 >/dev/null \
  2>"$TEST_TMP/err" || rc=$?
[ "$rc" = 1 ] || fail "--replace of a locked file: exit $rc: $(cat "$TEST_TMP/err")"
grep -q "busy" "$TEST_TMP/err" || fail "not busy: $(cat "$TEST_TMP/err")"
grep -qF "$BACK" "$TEST_TMP/err" || fail "the file is not named: $(cat "$TEST_TMP/err")"
grep -q "300 ms" "$TEST_TMP/err" || fail "the wait is not named: $(cat "$TEST_TMP/err")"
[ -f "$TEST_TMP/release" ] && fail "the lock was let go before the copy gave up"
outside_writer_release
[ "$(back_dump)" = "$dump_before" ] || fail "the copy that found the file busy changed it"
ls "$TEST_TMP" | grep -q '\.copy-' && fail "a busy copy left a temporary file: $(ls "$TEST_TMP")"
rc=0
"$TESELAS" copy --from "$(pg_uri)" --to "$BACK" --replace --busy-timeout-ms 0 >/dev/null 2>&1 || rc=$?
[ "$rc" = 2 ] || fail "--busy-timeout-ms 0 exited $rc"
"$TESELAS" copy --from "$(pg_uri)" --to "$BACK" --replace --busy-timeout-ms 300 >/dev/null \
  2>"$TEST_TMP/err" || fail "--replace once the lock is let go: $(cat "$TEST_TMP/err")"
[ "$(sqlite3 "$BACK" "SELECT count(*) FROM sqlite_master WHERE name='outside_writes'")" = 0 ] ||
  fail "the replaced file still holds the outside writer's table"
DB=$SOURCE_DB
ok

# 4. A failure after every good version table was written (the catalogue names one more, whose
# name teselas never makes, and which sorts last): exit 1 naming it, no file under the final
# name, a replaced file untouched, no temporary file left in the folder.
pg_sql "CREATE TABLE teselas.\"lyr_zz\"\"x_v1\"(teselas_row bigint, fid bigint);
  CREATE TEMP TABLE h AS SELECT * FROM teselas.teselas_history WHERE layer_id = 'parques' LIMIT 1;
  UPDATE h SET layer_id = 'zz', table_name = 'lyr_zz\"x_v1';
  INSERT INTO teselas.teselas_history SELECT * FROM h" >/dev/null
for target in "$TEST_TMP/nuevo.db" "$BACK"; do
  before=$(sha256sum "$target" 2>/dev/null || true)
  if "$TESELAS" copy --from "$(pg_uri)" --to "$target" --replace 2>"$TEST_TMP/err"; then
    fail "a copy of a broken catalogue succeeded"
  fi
  grep -q "names a version table 'lyr_zz\"x_v1' teselas never makes" "$TEST_TMP/err" ||
    fail "the failure does not say why: $(cat "$TEST_TMP/err")"
  [ "$(sha256sum "$target" 2>/dev/null || true)" = "$before" ] || fail "$target changed"
  ok
done
[ ! -e "$TEST_TMP/nuevo.db" ] || fail "a failed copy left a file under the final name"
ls "$TEST_TMP" | grep -q '\.copy-' && fail "a failed copy left a temporary file: $(ls "$TEST_TMP")"
ok

# 5. Not a catalog: no file either.
if "$TESELAS" copy --from "$(pg_uri nada)" --to "$TEST_TMP/nada.db" 2>"$TEST_TMP/err"; then
  fail "a copy of an empty schema succeeded"
fi
grep -q "no teselas catalog in schema nada" "$TEST_TMP/err" || fail "empty schema: $(cat "$TEST_TMP/err")"
[ ! -e "$TEST_TMP/nada.db" ] || fail "a copy of nothing left a file"
ok
echo "PASS: $N_CHECKS checks"
