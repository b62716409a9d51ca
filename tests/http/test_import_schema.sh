#!/usr/bin/env bash
# A new version whose fields changed (INEGI's León localities, with a field removed, one retyped
# and one added by Python): the report lists what changed; --expect-schema same, an explicit
# --expect-schema list, and a layer definition's fields refuse it, leaving the database as it was.
source "$(dirname "$0")/lib.sh"
W="$TEST_TMP"
DB="$W/s.db"
SRC="$TESELAS_TEST_DATA/inegi/AGLOC_11020_localidades.csv"
[ -f "$SRC" ] || fail "missing $SRC"
cp "$SRC" "$W/loc.csv"
# v2: no 'viv', 'altitud' as text ("1800 m"), a new 'fuente' column
python3 - "$SRC" "$W/loc2.csv" <<'EOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
cols = [c for c in rows[0].keys() if c != "viv"] + ["fuente"]
with open(sys.argv[2], "w", encoding="utf-8", newline="") as f:
    w = csv.DictWriter(f, cols)
    w.writeheader()
    for r in rows:
        r.pop("viv")
        r["altitud"] = r["altitud"] + " m"
        r["fuente"] = "INEGI"
        w.writerow(r)
EOF
state() { sqlite3 "$DB" "SELECT version, feature_count, length(report) FROM teselas_layers WHERE id='loc'"; }

"$TESELAS" import "$W/loc.csv" --db "$DB" --layer loc --report "$W/v1.json" > /dev/null || fail "import v1"
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit('schema_changes' in d)" "$W/v1.json" \
  || fail "a first version has no changes to report"
ok
before=$(state)
# --expect-schema same: refused, nothing written
if "$TESELAS" import "$W/loc2.csv" --db "$DB" --layer loc --expect-schema same --report "$W/refused.json" \
     > "$W/out1" 2>&1; then
  fail "--expect-schema same accepted changed fields"
fi
grep -q "quitado 'viv'" "$W/out1" && grep -q "'altitud' cambió de integer a text" "$W/out1" \
  && grep -q "nuevo 'fuente'" "$W/out1" || fail "refusal names every change: $(cat "$W/out1")"
# stopped before its records: the report does not say "0 read", as for an empty file
grep -q "^Registros: no se leyeron" "$W/out1" && ! grep -q "Registros leídos: 0" "$W/out1" ||
  fail "a refusal before the records reads as an empty file: $(grep Registros "$W/out1")"
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(not (d['status'] == 'rejected' and d.get('stopped_before_records') is True))" \
  "$W/refused.json" || fail "the JSON report of the refusal: $(head -c 300 "$W/refused.json")"
python3 -c "import json,sys; sys.exit('stopped_before_records' in json.load(open(sys.argv[1])))" "$W/v1.json" ||
  fail "an import that read its records says it stopped before them"
[ "$(state)" = "$before" ] || fail "the database changed after a refused import"
ok
# an explicit list that matches v1 is refused the same way; one that matches v2 passes
if "$TESELAS" import "$W/loc2.csv" --db "$DB" --layer loc \
     --expect-schema "cvegeo:text,cve_agee:text,cve_agem:text,cve_loc:text,nom_loc:text,ambito:text,altitud:integer,pob:integer,viv:integer" \
     > "$W/out2" 2>&1; then
  fail "--expect-schema list accepted other fields"
fi
grep -q "falta 'viv'" "$W/out2" && grep -q "sobra 'fuente'" "$W/out2" || fail "list refusal: $(cat "$W/out2")"
[ "$(state)" = "$before" ] || fail "the database changed after a refused import (list)"
ok
# without the flag: published, and the report says what changed (checked against the CSV headers)
"$TESELAS" import "$W/loc2.csv" --db "$DB" --layer loc --report "$W/v2.json" > "$W/out3" \
  || fail "import v2: $(cat "$W/out3")"
python3 - "$SRC" "$W/loc2.csv" "$W/v2.json" <<'EOF' || fail "schema_changes differ from the files"
import csv, json, sys
old = next(csv.reader(open(sys.argv[1], encoding="utf-8")))
new = next(csv.reader(open(sys.argv[2], encoding="utf-8")))
geo = {"latitud", "longitud"}
c = json.load(open(sys.argv[3]))["schema_changes"]
assert sorted(x["name"] for x in c["added"]) == sorted(set(new) - set(old) - geo), c
assert sorted(x["name"] for x in c["removed"]) == sorted(set(old) - set(new) - geo), c
assert c["retyped"] == [{"name": "altitud", "from": "integer", "to": "text"}], c
assert c["count"] == 3
EOF
grep -q "Cambios de campos respecto de la versión publicada: 3" "$W/out3" || fail "text report: $(cat "$W/out3")"
ok
# the same fields again: --expect-schema same passes
"$TESELAS" import "$W/loc2.csv" --db "$DB" --layer loc --expect-schema same --force > /dev/null \
  || fail "--expect-schema same refused unchanged fields"
ok

# --- a layer definition's fields: the source's types must stay those it was published with ---
mkdir "$W/defs"
cp "$W/loc.csv" "$W/defs/loc.csv"
printf '{"id": "def", "source": "loc.csv", "fields": [{"name": "nom_loc"}, {"name": "altitud", "type": "integer"}, {"name": "pob", "type": "integer"}]}\n' > "$W/defs/def.json"
"$TESELAS" publish "$W/defs" --db "$DB" --quiet > "$W/out4" || fail "publish v1: $(cat "$W/out4")"
before=$(sqlite3 "$DB" "SELECT version, length(report) FROM teselas_layers WHERE id='def'")
cp "$W/loc2.csv" "$W/defs/loc.csv"   # altitud now arrives as text
if "$TESELAS" publish "$W/defs" --db "$DB" --quiet > "$W/out5" 2>&1; then
  fail "a declared field whose source type changed was published: $(cat "$W/out5")"
fi
grep -q "'altitud' llega como text (antes integer)" "$W/out5" || fail "definition refusal: $(cat "$W/out5")"
[ "$(sqlite3 "$DB" "SELECT version, length(report) FROM teselas_layers WHERE id='def'")" = "$before" ] \
  || fail "the database changed after a refused publish"
ok
done_checks
