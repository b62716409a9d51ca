#!/usr/bin/env bash
# The catalog's area of interest: stored in the database (by a definitions folder's
# _catalog.json, or `teselas import --area ... --save-area`), it is what an import checks
# features against when neither --expect-bbox/--area nor the definition's expect_bbox says
# otherwise. A point in Monterrey is outside León's area, and not outside Mexico.
source "$(dirname "$0")/lib.sh"
W="$TEST_TMP"
LEON_AREA="-102,20.8,-101.3,21.4"
printf 'nombre,latitud,longitud\nCatedral de León,21.1222,-101.6829\n' > "$W/leon.csv"
printf 'nombre,latitud,longitud\nMacroplaza de Monterrey,25.6696,-100.3099\n' > "$W/mty.csv"
printf 'nombre,latitud,longitud\nInvertido,-101.6829,21.1222\n' > "$W/swapped.csv"
outside() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['issues'].get('$2', 0))" "$1"; }

# --- a database whose area is León: the Monterrey point is reported as outside ---
"$TESELAS" import "$W/leon.csv" --db "$W/a.db" --layer base --area "$LEON_AREA" --save-area \
  > "$W/out1" || fail "import --save-area: $(cat "$W/out1")"
grep -q "área de interés del catálogo: -102,20.8,-101.3,21.4" "$W/out1" || fail "save-area line: $(cat "$W/out1")"
"$TESELAS" import "$W/mty.csv" --db "$W/a.db" --layer mty --report "$W/a.json" > "$W/out2" || fail "import mty"
[ "$(outside "$W/a.json" outside_area)" = 1 ] || fail "Monterrey not reported outside León: $(cat "$W/a.json")"
# the warning names the area it used, where it came from, and how to set another
grep -q "área esperada: -102,20.8,-101.3,21.4 (.*área de interés del catálogo).*--area" "$W/out2" ||
  fail "the warning does not name the catalog's area and --area: $(cat "$W/out2")"
python3 -c "import json,sys; a=json.load(open(sys.argv[1]))['expected_area']; assert a == {'bbox': [-102, 20.8, -101.3, 21.4], 'from': 'catalog'}, a" "$W/a.json" ||
  fail "the JSON report's expected_area"
grep -q "Macroplaza\|centro en lon -100.3099" "$W/a.json" || fail "example of the outside point"
"$TESELAS" layers --db "$W/a.db" | grep -q "área de interés del catálogo: -102,20.8,-101.3,21.4" || fail "layers shows the area"
# the León point is inside; a swapped León point is recognised against León's area
"$TESELAS" import "$W/leon.csv" --db "$W/a.db" --layer dentro --report "$W/in.json" > /dev/null || fail "import leon"
[ "$(outside "$W/in.json" outside_area)" = 0 ] || fail "León reported outside León"
"$TESELAS" import "$W/swapped.csv" --db "$W/a.db" --layer inv --report "$W/sw.json" --source-srs EPSG:4326 > /dev/null 2>&1 || true
[ "$(outside "$W/sw.json" swapped_lat_lon)" = 1 ] || fail "swapped León point: $(cat "$W/sw.json")"
ok

# --- flags and the definition's expect_bbox come before the catalog's area ---
"$TESELAS" import "$W/mty.csv" --db "$W/a.db" --layer mty2 --expect-bbox -101,25,-100,26 --report "$W/b.json" > /dev/null || fail "import --expect-bbox"
[ "$(outside "$W/b.json" outside_area)" = 0 ] || fail "--expect-bbox should win over the catalog's area"
"$TESELAS" import "$W/mty.csv" --db "$W/a.db" --layer mty3 --area -118.5,14.3,-86.5,32.8 --report "$W/c.json" > /dev/null || fail "import --area"
[ "$(outside "$W/c.json" outside_area)" = 0 ] || fail "--area should win over the catalog's area"
mkdir "$W/defs"
cp "$W/mty.csv" "$W/defs/"
printf '{"id": "mty4", "source": "mty.csv", "expect_bbox": [-101, 25, -100, 26]}\n' > "$W/defs/mty4.json"
"$TESELAS" publish "$W/defs" --db "$W/a.db" --quiet > "$W/out4" || fail "publish: $(cat "$W/out4")"
grep -q "mty4: versión 1 publicada$" "$W/out4" || fail "definition expect_bbox should win: $(cat "$W/out4")"
ok

# --- without an area of interest the same point is in Mexico: not reported ---
"$TESELAS" import "$W/mty.csv" --db "$W/b.db" --layer mty --report "$W/d.json" > /dev/null || fail "import into b"
[ "$(outside "$W/d.json" outside_area)" = 0 ] || fail "Monterrey reported outside Mexico"
[ "$(sqlite3 "$W/b.db" "SELECT count(*) FROM sqlite_master WHERE name='teselas_settings'")" = 0 ] || fail "settings table without settings"
"$TESELAS" layers --db "$W/b.db" | grep -q "área de interés" && fail "layers shows an area that is not set"
ok

# --- _catalog.json sets the area before the layers, and a changed area re-checks them ---
rm "$W/defs/mty4.json"
printf '{"id": "mty", "source": "mty.csv"}\n' > "$W/defs/mty.json"
printf '{"$comment": "León", "area_of_interest": [-102, 20.8, -101.3, 21.4]}\n' > "$W/defs/_catalog.json"
"$TESELAS" publish "$W/defs" --db "$W/c.db" --quiet > "$W/out5" || fail "publish with _catalog.json: $(cat "$W/out5")"
grep -q "catálogo: área de interés -102,20.8,-101.3,21.4" "$W/out5" || fail "catalog line: $(cat "$W/out5")"
grep -q "mty: versión 1 publicada (0 rechazados, 1 avisos)" "$W/out5" || fail "outside León: $(cat "$W/out5")"
"$TESELAS" publish "$W/defs" --db "$W/c.db" --quiet > "$W/out6" || fail "second publish"
[ "$(cat "$W/out6")" = "mty: sin cambios (versión 1)" ] || fail "an unchanged catalog file: $(cat "$W/out6")"
printf '{"area_of_interest": null}\n' > "$W/defs/_catalog.json"
"$TESELAS" publish "$W/defs" --db "$W/c.db" --quiet > "$W/out7" || fail "publish clearing the area"
grep -q "catálogo: sin área de interés" "$W/out7" || fail "clear line: $(cat "$W/out7")"
grep -q "mty: versión 2 publicada$" "$W/out7" || fail "a changed area re-checks the layer: $(cat "$W/out7")"
[ "$(sqlite3 "$W/c.db" "SELECT count(*) FROM teselas_settings")" = 0 ] || fail "area not removed"
ok

# --- mistakes: a broken catalog file stops before any layer; --save-area needs --area ---
printf '{"area_of_interest": [-101.3, 20.8, -102, 21.4]}\n' > "$W/defs/_catalog.json"
set +e; "$TESELAS" publish "$W/defs" --db "$W/c.db" > "$W/out8" 2> "$W/err8"; rc=$?; set -e
[ $rc = 1 ] && grep -q "_catalog.json: 'area_of_interest'" "$W/err8" || fail "bad area: rc $rc $(cat "$W/err8")"
[ ! -s "$W/out8" ] || fail "a layer ran after a broken catalog file: $(cat "$W/out8")"
printf '{"area": [-102, 20.8, -101.3, 21.4]}\n' > "$W/defs/_catalog.json"
set +e; "$TESELAS" publish "$W/defs" --db "$W/c.db" > /dev/null 2> "$W/err9"; rc=$?; set -e
[ $rc = 1 ] && grep -q "clave desconocida 'area'" "$W/err9" || fail "unknown key: rc $rc $(cat "$W/err9")"
set +e; "$TESELAS" import "$W/mty.csv" --db "$W/c.db" --layer x --save-area > /dev/null 2>&1; rc=$?; set -e
[ $rc = 2 ] || fail "--save-area without --area exited $rc"
ok

# --- a city outside Mexico: the default area is named as Mexico's, with --area to change it ---
printf 'name,latitude,longitude\nCity Hall,40.7128,-74.0060\n' > "$W/nyc.csv"
"$TESELAS" import "$W/nyc.csv" --db "$W/n.db" --layer nyc > "$W/out10" || fail "import nyc: $(cat "$W/out10")"
grep -q "fuera del área esperada: 1" "$W/out10" || fail "New York inside Mexico: $(cat "$W/out10")"
grep -q "área esperada: -118.5,14.3,-86.5,32.8 (.*México, por omisión).*--area O,S,E,N" "$W/out10" ||
  fail "the default area is not named with --area: $(cat "$W/out10")"
ok
done_checks
