#!/usr/bin/env bash
# `teselas copy` into PostgreSQL and the backend's edges: the copy is one transaction (a row
# PostgreSQL cannot take, late in the copy, leaves the target exactly as it was, and the error
# names the file, table, row and column), a schema that already holds a catalog is refused,
# every version and the history arrive, what is refused says so (never a crash), and a server on PostgreSQL notices a catalog change within 2 s without a restart.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../postgis/lib.sh"
source "$(dirname "$0")/../postgis/pg_lib.sh"
pg_test_start
DB=$(demo_db 2000)

# Two versions of a third-party layer, so history and older version tables travel too.
CUAD="$TESELAS_TEST_DATA/cdmx-ssp/cuadrantes_shp.zip"
"$TESELAS" import "$CUAD" --db "$DB" --layer cuadrantes --quiet >/dev/null 2>&1 || fail "import 1"
"$TESELAS" import "$CUAD" --db "$DB" --layer cuadrantes --quiet --title "Cuadrantes 2" \
  --force >/dev/null 2>&1 || "$TESELAS" import "$CUAD" --db "$DB" --layer cuadrantes --quiet \
  --title "Cuadrantes 2" >/dev/null 2>&1 || true

# 1. A broken row in the last table copied: nothing reaches PostgreSQL, the target is unchanged.
pg_sql "CREATE SCHEMA otro; CREATE TABLE otro.mine(a int); INSERT INTO otro.mine VALUES (7)" >/dev/null
BAD="$TEST_TMP/bad.db"
cp "$DB" "$BAD"
sqlite3 "$BAD" "UPDATE lyr_rios_canales_v1 SET fid = 'doce' WHERE rowid = (SELECT max(rowid) FROM lyr_rios_canales_v1)"
before=$(pg_sql "SELECT count(*) FROM pg_class")
for schema in teselas otro; do
  if "$TESELAS" copy --from "$BAD" --to "$(pg_uri)" --db-schema "$schema" 2>"$TEST_TMP/err"; then
    fail "a copy with a broken row succeeded"
  fi
  grep -q "bad.db: table lyr_rios_canales_v1, row [0-9]*, column fid: a text where the column holds integers; nothing was copied" "$TEST_TMP/err" ||
    fail "the error does not name file, table, row and column: $(cat "$TEST_TMP/err")"
  ok
done
[ "$(pg_sql "SELECT count(*) FROM pg_class")" = "$before" ] || fail "a failed copy left relations behind"
[ "$(pg_sql "SELECT count(*) FROM pg_namespace WHERE nspname = 'teselas'")" = 0 ] ||
  fail "a failed copy left its schema"
[ "$(pg_sql "SELECT string_agg(a::text, ',') FROM otro.mine")" = 7 ] || fail "the target's table changed"
[ "$(pg_sql "SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE nspname = 'otro'")" = 0 ] ||
  fail "a failed copy left functions in the target schema"
ok

# 2. The whole catalog: every version table with its GiST index, history rows, reports, styles.
out=$("$TESELAS" copy --from "$DB" --to "$(pg_uri)" 2>&1) || fail "copy: $out"
n_tables=$(sqlite3 "$DB" "SELECT count(*) FROM sqlite_master WHERE type='table' AND name IN
  (SELECT table_name FROM teselas_history UNION SELECT table_name FROM teselas_layers)")
[ "$out" = "copied $n_tables layer version tables into schema teselas" ] || fail "copy said: $out"
for t in teselas_layers teselas_history teselas_styles; do
  a=$(sqlite3 "$DB" "SELECT count(*) FROM $t")
  b=$(pg_sql "SELECT count(*) FROM teselas.$t")
  [ "$a" = "$b" ] || fail "$t: $a rows in the file, $b in PostgreSQL"
done
while read -r table; do
  a=$(sqlite3 "$DB" "SELECT count(*) FROM \"$table\"")
  b=$(pg_sql "SELECT count(*) FROM teselas.\"$table\"")
  [ "$a" = "$b" ] || fail "$table: $a rows in the file, $b in PostgreSQL"
  pg_sql "SELECT indexdef FROM pg_indexes WHERE schemaname = 'teselas' AND tablename = '$table'" |
    grep -q "USING gist (geom)" || fail "$table has no GiST index"
  [ "$(pg_sql "SELECT count(*) FROM teselas.\"$table\" WHERE geom IS NOT NULL AND ST_SRID(geom) <> 4326")" = 0 ] ||
    fail "$table: geometries not in EPSG:4326"
  # the R*Tree's place and box ahead of every variable-width column (store/pg_copy.c says why),
  # and as many boxes as the file's R*Tree has entries
  [ "$(pg_sql "SELECT string_agg(attname, ',' ORDER BY attnum) FROM pg_attribute WHERE attrelid =
    'teselas.\"$table\"'::regclass AND attnum BETWEEN 1 AND 6")" = \
    teselas_row,teselas_ord,teselas_xmin,teselas_xmax,teselas_ymin,teselas_ymax ] ||
    fail "$table: the R*Tree's columns are not first"
  a=$(sqlite3 "$DB" "SELECT count(*) FROM \"idx_${table}_geom\" WHERE xmax >= -1e308" 2>/dev/null || echo none)
  b=$(pg_sql "SELECT count(*) FROM teselas.\"$table\" WHERE teselas_ord IS NOT NULL AND teselas_xmin <= teselas_xmax")
  [ "$a" = none ] || [ "$a" = "$b" ] || fail "$table: $a R*Tree entries in the file, $b boxes in PostgreSQL"
done < <(sqlite3 "$DB" "SELECT name FROM sqlite_master WHERE type='table' AND name IN
  (SELECT table_name FROM teselas_history UNION SELECT table_name FROM teselas_layers)")
# The ranked lines stay in their rows (a tile reads them all; store/pg_copy.c says why): only a
# row over a page may have values in the TOAST table, none of the rows between 2 kB and a page.
n_lines=0
while read -r table; do
  n_lines=$((n_lines + 1))
  a=$(sqlite3 "$DB" "SELECT count(*) FROM \"$table\" WHERE length(teselas_g) + ifnull(length(teselas_g13), 0)
    + ifnull(length(teselas_g11), 0) + ifnull(length(teselas_g9), 0) + ifnull(length(teselas_g7), 0) > 7800")
  toast=$(pg_sql "SELECT reltoastrelid::regclass FROM pg_class WHERE oid = 'teselas.\"$table\"'::regclass")
  b=$(pg_sql "SELECT count(DISTINCT chunk_id) FROM $toast")
  [ "$b" -le "$a" ] || fail "$table: $b values out of line, only $a rows over a page"
  [ "$(pg_sql "SELECT count(*) FROM pg_attribute WHERE attrelid = 'teselas.\"$table\"'::regclass
    AND atttypid = 'bytea'::regtype AND attstorage <> 'm'")" = 0 ] || fail "$table: blobs may go out of line"
  # and in their version table's own row (a tile reads no side table), the same bytes, kept in the row
  v=${table%_tile_lines}
  [ "$(pg_sql "SELECT count(*) FROM pg_attribute WHERE attrelid = 'teselas.\"$v\"'::regclass
    AND attname LIKE 'teselas\\_g%' AND attstorage = 'm'")" = 5 ] || fail "$v: no ranked lines kept in its rows"
  [ "$(pg_sql "SELECT count(*) FROM teselas.\"$v\" v FULL JOIN teselas.\"$table\" l USING (teselas_row)
    WHERE (v.teselas_g, v.teselas_g13, v.teselas_g11, v.teselas_g9, v.teselas_g7) IS DISTINCT FROM
    (l.teselas_g, l.teselas_g13, l.teselas_g11, l.teselas_g9, l.teselas_g7)")" = 0 ] ||
    fail "$v: its ranked lines differ from $table's"
done < <(sqlite3 "$DB" "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE '%_tile_lines'")
[ "$n_lines" -gt 0 ] || fail "the demo has no ranked lines to check"
a=$(sqlite3 "$DB" "SELECT group_concat(layer_id || version || report, '|') FROM (SELECT * FROM teselas_history ORDER BY layer_id, version)")
b=$(pg_sql "SELECT string_agg(layer_id || version || report, '|' ORDER BY layer_id, version) FROM teselas.teselas_history")
[ "$a" = "$b" ] || fail "the history and its reports differ"
ok
diff <("$TESELAS" layers --db "$DB") <("$TESELAS" layers --db "$(pg_uri)") || fail "layers differ"
diff <("$TESELAS" versions cuadrantes --db "$DB") <("$TESELAS" versions cuadrantes --db "$(pg_uri)") ||
  fail "versions differ"
ok

# 3. A schema that holds a catalog already is refused, and stays as it was.
if "$TESELAS" copy --from "$DB" --to "$(pg_uri)" 2>"$TEST_TMP/err"; then fail "a second copy succeeded"; fi
grep -q "already holds a teselas catalog" "$TEST_TMP/err" || fail "second copy: $(cat "$TEST_TMP/err")"
diff <("$TESELAS" layers --db "$DB") <("$TESELAS" layers --db "$(pg_uri)") || fail "layers changed"
ok

# 4. What is not available over PostgreSQL yet says so, with exit 1 and no crash (the writes
# are tests/http/test_pg_write.sh's).
expect_refusal() { # expect_refusal PATTERN ARGS...
  local pat=$1; shift
  local rc=0
  "$TESELAS" "$@" >"$TEST_TMP/out" 2>&1 || rc=$?
  [ "$rc" = 1 ] || fail "teselas $1: exit $rc: $(tail -2 "$TEST_TMP/out")"
  grep -q "$pat" "$TEST_TMP/out" || fail "teselas $1: $(tail -2 "$TEST_TMP/out")"
  ok
}
expect_refusal "or back to a new file" copy --from "$(pg_uri)" --to "$(pg_uri otro)"
expect_refusal "has no teselas catalog in schema nada" layers --db "$(pg_uri nada)"
expect_refusal "cannot connect to PostgreSQL" layers --db "postgresql://postgres@127.0.0.1:1/x"
if "$TESELAS" versions cuadrantes --db "$(pg_uri)" >/dev/null 2>&1 &&
   [ "$(sqlite3 "$DB" "SELECT max(version) FROM teselas_history WHERE layer_id='cuadrantes'")" -ge 2 ]; then
  diff <("$TESELAS" diff cuadrantes --db "$DB" --from 1 --to 2 --json) \
       <("$TESELAS" diff cuadrantes --db "$(pg_uri)" --from 1 --to 2 --json) || fail "diffs differ"
fi

# 5. A server on PostgreSQL sees a catalog change within 2 s (it polls the catalog's versions).
start_server "$(pg_uri)" --quiet
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$SERVER_PORT/collections/parques-copia")
[ "$code" = 404 ] || fail "an unknown layer answered $code"
pg_sql "INSERT INTO teselas.teselas_layers SELECT 'parques-copia', title || ' (copia)', description,
  geometry_type, minx, miny, maxx, maxy, feature_count, fields, license, publisher, frequency,
  keywords, version, updated_at, source_name, source_sha256, privacy, report, table_name,
  date_field, minzoom, maxzoom, sample FROM teselas.teselas_layers WHERE id = 'parques'" >/dev/null
t0=$(date +%s.%N)
for _ in $(seq 1 40); do
  code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$SERVER_PORT/collections/parques-copia")
  [ "$code" = 200 ] && break
  sleep 0.1
done
t1=$(date +%s.%N)
[ "$code" = 200 ] || fail "the new layer was not served within 4 s"
python3 -c "import sys; d = $t1 - $t0; print(f'seen after {d:.2f} s'); sys.exit(d > 2.0)" ||
  fail "the new layer took more than 2 s"
diff <(curl -s "http://127.0.0.1:$SERVER_PORT/collections/parques/items?limit=3") \
     <(curl -s "http://127.0.0.1:$SERVER_PORT/collections/parques-copia/items?limit=3" |
       sed 's|parques-copia|parques|g') >/dev/null || true
ok
echo "PASS: $N_CHECKS checks"
