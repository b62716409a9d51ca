#!/usr/bin/env bash
# Line tiles over PostgreSQL whose rows teselas puts in the R*Tree's order itself (zooms up to 12,
# store/pg_read.c sorted_here): the tiles are byte for byte SpatiaLite's, with the version table's
# rows in the order `teselas copy` wrote them and after an UPDATE has moved half of them to the
# table's end, so that PostgreSQL returns them out of that order; z14 (ordered by PostgreSQL) is
# compared too. The tiles are the demo's rivers and canals over their whole extent.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../postgis/lib.sh"
source "$(dirname "$0")/../postgis/pg_lib.sh"
pg_test_start
DB=$(demo_db 2000)
LAYER=$(sqlite3 "$DB" "SELECT id FROM teselas_layers WHERE table_name IN (SELECT substr(name, 1, length(name) - 11)
  FROM sqlite_master WHERE name LIKE '%\_tile\_lines' ESCAPE '\') ORDER BY feature_count DESC LIMIT 1")
[ -n "$LAYER" ] || fail "the demo has no layer with ranked lines"
TABLE=$(sqlite3 "$DB" "SELECT table_name FROM teselas_layers WHERE id = '$LAYER'")
"$TESELAS" copy --from "$DB" --to "$(pg_uri)" >/dev/null || fail "copy"

# every tile of the layer's box at z8, z10 and z12, and the first 20 at z14
read -r minx miny maxx maxy < <(sqlite3 -separator ' ' "$DB" \
  "SELECT minx, miny, maxx, maxy FROM teselas_layers WHERE id = '$LAYER'")
python3 - "$minx" "$miny" "$maxx" "$maxy" "$LAYER" > "$TEST_TMP/paths" <<'EOF'
import math, sys
x0, y0, x1, y1 = map(float, sys.argv[1:5])
def tile(lon, lat, z):
    n = 2 ** z
    s = math.sin(math.radians(lat))
    return int((lon + 180) / 360 * n), int((0.5 - math.log((1 + s) / (1 - s)) / (4 * math.pi)) * n)
for z, most in ((8, 100), (10, 100), (12, 100), (14, 20)):
    (ax, ay), (bx, by) = tile(x0, y1, z), tile(x1, y0, z)
    cells = [(x, y) for x in range(ax, bx + 1) for y in range(ay, by + 1)][:most]
    for x, y in cells:
        print("/tiles/%s/%d/%d/%d.pbf" % (sys.argv[5], z, x, y))
EOF
[ "$(wc -l < "$TEST_TMP/paths")" -gt 10 ] || fail "too few tiles: $(wc -l < "$TEST_TMP/paths")"

fetch_all() { # DIR: every tile of the list into DIR, status 200 or 204 each
  mkdir -p "$1"
  local i=0 p code
  while read -r p; do
    i=$((i + 1))
    code=$(curl -s -o "$1/$i" -w '%{http_code}' "$BASE$p")
    [ "$code" = 200 ] || [ "$code" = 204 ] || fail "$p answered $code: $(head -c 300 "$1/$i")"
  done < "$TEST_TMP/paths"
}
same_tiles() { # DIR_A DIR_B WHAT
  local f n=0 full=0
  for f in "$1"/*; do
    cmp -s "$f" "$2/$(basename "$f")" || fail "$3: tile $(sed -n "$(basename "$f")p" "$TEST_TMP/paths") differs"
    n=$((n + 1))
    [ -s "$f" ] && full=$((full + 1))
  done
  [ "$full" -gt 5 ] || fail "$3: only $full of $n tiles hold features"
  echo "$3: $n tiles the same ($full with features)"
  ok
}

start_server "$DB" --quiet --tile-cache-mb 0
fetch_all "$TEST_TMP/sqlite"
stop_server || fail "the SpatiaLite server did not stop cleanly"
start_server "$(pg_uri)" --quiet --tile-cache-mb 0
fetch_all "$TEST_TMP/pg"
same_tiles "$TEST_TMP/sqlite" "$TEST_TMP/pg" "rows as copied"

# Half the rows moved to the table's end: PostgreSQL now returns them out of the R*Tree's order.
pg_sql "UPDATE teselas.\"$TABLE\" SET fid = fid WHERE teselas_row % 2 = 0" >/dev/null
out_of_order=$(pg_sql "SELECT count(*) FROM (SELECT teselas_ord, lag(teselas_ord) OVER (ORDER BY ctid) AS prev
  FROM teselas.\"$TABLE\") s WHERE teselas_ord < prev")
[ "$out_of_order" -gt 0 ] || fail "the UPDATE left the rows in the R*Tree's order"
fetch_all "$TEST_TMP/pg-moved"
same_tiles "$TEST_TMP/sqlite" "$TEST_TMP/pg-moved" "rows moved ($out_of_order out of order)"
stop_server || fail "the PostgreSQL server did not stop cleanly"
echo "PASS: $N_CHECKS checks"
