#!/usr/bin/env bash
# Numbers a source writes as text (INEGI's localities: "pob": "1069", "-" where a figure is
# withheld): the import report names those fields and gives the --types that stores them as
# numbers, and never suggests it for codes (cve_loc "0261", cvegeo). Checked against Python's own
# reading of the file; then the suggested import stores numbers whose sum is Python's.
source "$(dirname "$0")/lib.sh"
SRC="$TESELAS_TEST_DATA/inegi/AGLOC_11020_30.geojsons"
DB="$TEST_TMP/n.db"
"$TESELAS" import "$SRC" --db "$DB" --layer loc --report "$TEST_TMP/r.json" > "$TEST_TMP/out" 2>&1 \
  || fail "import: $(cat "$TEST_TMP/out")"
python3 - "$SRC" "$TEST_TMP/r.json" <<'PY' || fail "the report's numeric fields differ from Python's"
import json, re, sys
rows = [json.loads(l.strip("\x1e \n"))["properties"] for l in open(sys.argv[1], encoding="utf-8")
        if l.strip("\x1e \n")]
markers = {"-", "--", "na", "n/a", "nd", "n/d", "s/d", "sd", "null", "nan", "sin dato", "sin datos"}
key = re.compile(r"^(cve|clave|cod|folio|id_|cp|tel)|^id$|_(id|cve|clave|cp)$", re.I)
want = {}
for name in rows[0]:
    vals = [r[name] for r in rows if r.get(name) not in (None, "")]
    if not vals or not all(isinstance(v, str) for v in vals) or key.search(name):
        continue
    nums = [v for v in vals if re.fullmatch(r"-?\d+(\.\d+)?", v)]
    if not nums or len(nums) + sum(v.lower() in markers for v in vals) != len(vals):
        continue
    if any(re.fullmatch(r"-?0\d.*", v) for v in nums):
        continue
    want[name] = "real" if any("." in v for v in nums) else "integer"
got = {f["source_name"]: f["numbers_stored_as_text"]
       for f in json.load(open(sys.argv[2]))["fields"] if "numbers_stored_as_text" in f}
print("numbers stored as text:", got)
assert "pob" in want and "cve_loc" not in want, want
assert got == want, (got, want)
PY
ok
types=$(sed -n 's/^ *--types //p' "$TEST_TMP/out")
[ -n "$types" ] || fail "the report gives no --types line: $(cat "$TEST_TMP/out")"
"$TESELAS" import "$SRC" --db "$DB" --layer loc-num --types "$types" > "$TEST_TMP/out2" 2>&1 \
  || fail "import with the suggested --types $types: $(cat "$TEST_TMP/out2")"
grep -q -- "--types" "$TEST_TMP/out2" && fail "the report still suggests --types after them"
sum=$(sqlite3 "$DB" "SELECT typeof(pob), sum(pob) FROM lyr_loc_num_v1 WHERE pob IS NOT NULL GROUP BY 1")
want=$(python3 - "$SRC" <<'PY'
import json, sys
rows = [json.loads(l.strip("\x1e \n"))["properties"] for l in open(sys.argv[1], encoding="utf-8")
        if l.strip("\x1e \n")]
print("integer|%d" % sum(int(r["pob"]) for r in rows if r["pob"].isdigit()))
PY
)
[ "$sum" = "$want" ] || fail "population stored as $sum, Python reads $want"
ok
done_checks
