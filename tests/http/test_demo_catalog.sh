#!/usr/bin/env bash
# The León demo catalog is code: `teselas demo` writes generated source files and publishes them
# with the definitions of layers/leon, so every layer's catalog metadata is what those files
# say; a rebuild makes no version; `teselas publish layers/leon --sources DIR` on the written
# files gives the same layers; a missing source fails naming the file and changes nothing.
source "$(dirname "$0")/lib.sh"
LEON="$(cd "$(dirname "$0")/../../layers/leon" && pwd)"
DB="$TEST_TMP/leon.db"
SRC="$TEST_TMP/leon-sources"

"$TESELAS" demo --db "$DB" --build-only --incidents 3000 2> "$TEST_TMP/build1" \
  || fail "demo: $(cat "$TEST_TMP/build1")"
for f in limite-municipal.geojson colonias.geojson parques.geojson rios-canales.geojson \
         cuerpos-agua.geojson incidentes.csv; do
  [ -s "$SRC/$f" ] || fail "the demo did not write $SRC/$f"
done
head -1 "$SRC/incidentes.csv" | grep -q "latitud,longitud" || fail "incidents CSV header: $(head -1 "$SRC/incidentes.csv")"
[ "$(($(wc -l < "$SRC/incidentes.csv") - 1))" = 3000 ] || fail "incidents CSV rows"
ok

# every layer's catalog row comes from its definition: title, description, licence, publisher,
# frequency, keywords, date field, the sample flag, and each field's name, label and type
python3 - "$DB" "$LEON" <<'EOF' || fail "catalog metadata differs from layers/leon"
import glob, json, os, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
defs = [d for d in sorted(glob.glob(os.path.join(sys.argv[2], "*.json"))) if not d.endswith("/_catalog.json")]
assert len(defs) == 6, defs
ids = set()
for path in defs:
    d = json.load(open(path))
    ids.add(d["id"])
    row = db.execute("SELECT title, description, license, publisher, frequency, keywords,"
                     " date_field, sample, fields, source_name FROM teselas_layers WHERE id=?",
                     (d["id"],)).fetchone()
    assert row, d["id"]
    title, desc, lic, pub, freq, kw, date_field, sample, fields, source = row
    assert title == d["title"], (d["id"], title)
    assert desc == d["description"] and "Datos de muestra" in desc, (d["id"], desc)
    assert (lic, pub, freq) == (d["license"], d["publisher"], d["frequency"]), d["id"]
    assert kw == ", ".join(d["keywords"]), (d["id"], kw)
    assert date_field == d.get("date_field", ""), (d["id"], date_field)
    assert sample == 1 and d["sample"] is True, d["id"]
    assert source == d["source"], (d["id"], source)
    got = [(f["name"], f["label"], f["type"]) for f in json.loads(fields)]
    want = [(f.get("rename", f["name"]), f["label"], f["type"]) for f in d["fields"]]
    assert got == want, (d["id"], got, want)
assert ids == {r[0] for r in db.execute("SELECT id FROM teselas_layers")}, ids
# ids 1..N in the generator's order, typed values, a null date stays null
assert db.execute("SELECT min(fid), max(fid), count(*) FROM lyr_incidentes_v1").fetchone() == (1, 3000, 3000)
assert db.execute("SELECT nombre FROM lyr_parques_v1 WHERE fid=1").fetchone()[0] == "Parque Metropolitano de León"
assert db.execute("SELECT typeof(superficie_m2), typeof(juegos_infantiles), typeof(hora) FROM lyr_parques_v1, lyr_incidentes_v1 LIMIT 1").fetchone() == ("real", "integer", "integer")
assert db.execute("SELECT count(*) FROM lyr_parques_v1 WHERE fecha_rehabilitacion IS NULL AND estado <> 'rehabilitado'").fetchone()[0] > 0
assert db.execute("SELECT count(*) FROM lyr_parques_v1 WHERE fecha_rehabilitacion IS NOT NULL AND estado <> 'rehabilitado'").fetchone()[0] == 0
# the quality reports are clean: nothing rejected, repaired or outside León
for (lid, rep) in db.execute("SELECT id, report FROM teselas_layers"):
    r = json.loads(rep)
    assert r["counts"]["read"] == r["counts"]["imported"] and r["issues"] == {}, (lid, r["issues"])
# the catalog file set the area of interest
area = json.load(open(os.path.join(sys.argv[2], "_catalog.json")))["area_of_interest"]
stored = db.execute("SELECT value FROM teselas_settings WHERE key='area_of_interest'").fetchone()[0]
assert json.loads(stored) == area, stored
EOF
ok

# a second build makes no version: every layer is "sin cambios"
versions="SELECT count(*), max(version) FROM teselas_history"
before=$(sqlite3 "$DB" "$versions")
"$TESELAS" demo --db "$DB" --build-only --incidents 3000 2> "$TEST_TMP/build2" || fail "second demo"
[ "$(sqlite3 "$DB" "$versions")" = "$before" ] || fail "a rebuild made versions: $(cat "$TEST_TMP/build2")"
[ "$(grep -c "sin cambios" "$TEST_TMP/build2")" = 6 ] || fail "rebuild output: $(cat "$TEST_TMP/build2")"
ok

# publishing the written sources with the repository's definitions gives the same layers
PUB="$TEST_TMP/pub.db"
"$TESELAS" publish "$LEON" --db "$PUB" --sources "$SRC" --quiet > "$TEST_TMP/pub1" \
  || fail "publish --sources: $(cat "$TEST_TMP/pub1")"
q="SELECT id, feature_count, geometry_type, minx, miny, maxx, maxy, sample FROM teselas_layers ORDER BY id"
[ "$(sqlite3 "$PUB" "$q")" = "$(sqlite3 "$DB" "$q")" ] || fail "publish --sources differs from the demo"
# the data itself is the same, row for row
for t in incidentes parques colonias; do
  tq="SELECT fid, hex(geom), * FROM lyr_${t}_v1 ORDER BY fid"
  [ "$(sqlite3 "$PUB" "$tq" | sha256sum)" = "$(sqlite3 "$DB" "$tq" | sha256sum)" ] || fail "$t rows differ"
done
ok

# a missing source fails naming the file, and leaves the database as it was
mkdir "$TEST_TMP/partial"
cp "$SRC"/* "$TEST_TMP/partial/"
rm "$TEST_TMP/partial/parques.geojson"
dump=$(sqlite3 "$PUB" .dump | sha256sum)
set +e
"$TESELAS" publish "$LEON" --db "$PUB" --sources "$TEST_TMP/partial" --quiet > "$TEST_TMP/out3" 2> "$TEST_TMP/err3"
rc=$?
set -e
[ $rc = 1 ] || fail "publish with a missing source exited $rc"
grep -q "parques:.*partial/parques.geojson" "$TEST_TMP/err3" || fail "message should name the file: $(cat "$TEST_TMP/err3")"
[ "$(grep -c "sin cambios" "$TEST_TMP/out3")" = 5 ] || fail "the other layers: $(cat "$TEST_TMP/out3")"
[ "$(sqlite3 "$PUB" .dump | sha256sum)" = "$dump" ] || fail "the database changed"
# and a sources folder that does not exist is refused at once
set +e; "$TESELAS" publish "$LEON" --db "$PUB" --sources "$TEST_TMP/nada" > /dev/null 2> "$TEST_TMP/err4"; rc=$?; set -e
[ $rc = 1 ] && grep -q "nada" "$TEST_TMP/err4" || fail "missing sources folder: rc $rc $(cat "$TEST_TMP/err4")"
ok

# a new incident count re-versions the incidents only
"$TESELAS" demo --db "$DB" --build-only --incidents 3001 2>/dev/null || fail "demo --incidents 3001"
[ "$(sqlite3 "$DB" "SELECT group_concat(id) FROM teselas_layers WHERE version > 1")" = incidentes ] \
  || fail "another incident count re-versioned other layers"
ok
done_checks
