#!/usr/bin/env bash
# Automatic styles and "no data" numbers: León's colonias with their green-cover index (GPL-3.0,
# ../shared/data/leon-colonias-areas-verdes) have a field `otros_cp` whose rows are -9999 (925 of
# 962), 10000 or 0; the automatic style must not colour the colonias by it. Checked against the
# source file read by Python: whatever field the style colours by, most of its rows hold a value
# that is not a "no data" number (-9999, 99999, ...), and the style never names `otros_cp`.
source "$(dirname "$0")/lib.sh"
SRC="${TESELAS_SHARED_DATA:-}/leon-colonias-areas-verdes/leon_colonias_msavi.geojson"
[ -f "$SRC" ] || skip "the shared third-party data is not here ($SRC)"
DB="$TEST_TMP/colonias.db"
"$TESELAS" import "$SRC" --db "$DB" --layer colonias --quiet >"$TEST_TMP/imp.log" 2>&1 ||
  fail "import: $(tail -3 "$TEST_TMP/imp.log")"
start_server "$DB" --quiet
http_get /styles/colonias/style.json
expect_status 200 "style.json"
python3 - "$TEST_TMP/body" "$SRC" <<'PY' || fail "the automatic style colours by a field of no-data numbers"
import json, sys
style = json.load(open(sys.argv[1]))
text = json.dumps(style)
assert "otros_cp" not in text, "the style names otros_cp"
rows = [f["properties"] for f in json.load(open(sys.argv[2]))["features"]]
def fields_in(x, out):
    if isinstance(x, list):
        if len(x) == 2 and x[0] == "get" and isinstance(x[1], str): out.add(x[1])
        for y in x: fields_in(y, out)
    elif isinstance(x, dict):
        for y in x.values(): fields_in(y, out)
    return out
used = set()
for l in style["layers"]:
    fields_in(l.get("paint", {}), used)
    fields_in(l.get("filter", []), used)
def nodata(v):
    try: return abs(float(v)) in (999, 9999, 99999, 999999)
    except (TypeError, ValueError): return False
for f in used:
    if f not in rows[0]: continue
    bad = sum(nodata(r.get(f)) for r in rows)
    assert bad * 2 < len(rows), (f, bad, len(rows))
print("fields coloured by:", sorted(used), file=sys.stderr)
PY
ok
done_checks
