#!/usr/bin/env bash
# `teselas versions` and `teselas diff`, and /api/layers/{id}/versions and /diff, on third-party
# files edited into a second version by tests/http/versions_check.py (records deleted, moved,
# added, an attribute changed, a field retyped, one dropped, one added): the SSP-CDMX crime points
# (tests/data/cdmx-ssp, matched by their `id`) and INEGI's León localities (tests/data/inegi,
# without their `cvegeo` key, so matched by content). Both diffs, from the CLI's JSON and from
# every page of the HTTP answer, are checked against the same diff computed in Python from the two
# source files. Then the history document, and malformed, unknown and hostile requests: 4xx JSON,
# never a 5xx. With the shared folder, the same on all 132,692 crime records (counts and two
# bounded pages).
source "$(dirname "$0")/lib.sh"
HERE="$(cd "$(dirname "$0")" && pwd)"
CHECK="$HERE/versions_check.py"
DB="$TEST_TMP/v.db"
# import_both V1 V2 IMPORT-ARGS...: both files into $DB, as versions 1 and 2
import_both() {
  local a=$1 b=$2; shift 2
  for f in "$a" "$b"; do
    "$TESELAS" import "$f" --db "$DB" "$@" --quiet > "$TEST_TMP/out" 2>&1 \
      || fail "import $f: $(cat "$TEST_TMP/out")"
  done
}

# --- the crime points, with an id ---
C1="$TESELAS_TEST_DATA/cdmx-ssp/crime-lat-long-2000.csv"
C2="$TEST_TMP/delitos-v2.csv"
python3 "$CHECK" edit "$C1" "$C2" --lat lat --lon long --id id --retype month --drop hour
import_both "$C1" "$C2" --layer delitos --privacy none
"$TESELAS" diff delitos --db "$DB" --from 1 --to 2 --json --limit 1000 > "$TEST_TMP/cli.json" \
  || fail "diff --json"
python3 "$CHECK" compare "$C1" "$C2" "$TEST_TMP/cli.json" --lat lat --lon long --id id \
  || fail "CLI diff differs from the files"
ok
"$TESELAS" diff delitos --db "$DB" --from 1 --to 2 > "$TEST_TMP/cli.txt" || fail "diff (text)"
grep -q 'emparejados por «id»' "$TEST_TMP/cli.txt" && grep -q 'campo con otro tipo: month' "$TEST_TMP/cli.txt" \
  && grep -q 'campo quitado: hour' "$TEST_TMP/cli.txt" || fail "diff text: $(head -8 "$TEST_TMP/cli.txt")"
ok

# --- the localities, without their key: matched by content ---
L0="$TEST_TMP/localidades.csv"
L2="$TEST_TMP/localidades-v2.csv"
python3 - "$TESELAS_TEST_DATA/inegi/AGLOC_11020_localidades.csv" "$L0" <<'PY'
import csv, sys
with open(sys.argv[1], newline="", encoding="utf-8") as f, open(sys.argv[2], "w", newline="", encoding="utf-8") as g:
    r = csv.DictReader(f)
    names = [n for n in r.fieldnames if n != "cvegeo"]
    w = csv.DictWriter(g, names, extrasaction="ignore")
    w.writeheader()
    w.writerows(r)
PY
python3 "$CHECK" edit "$L0" "$L2" --lat latitud --lon longitud --retype pob --drop viv
import_both "$L0" "$L2" --layer localidades --lat latitud --lon longitud
"$TESELAS" diff localidades --db "$DB" --from 1 --to 2 --json --limit 1000 > "$TEST_TMP/loc.json" \
  || fail "diff localidades"
python3 "$CHECK" compare "$L0" "$L2" "$TEST_TMP/loc.json" --lat latitud --lon longitud \
  || fail "content diff differs from the files"
ok

# --- over HTTP: every page, following next ---
start_server "$DB"
fetch_pages() { # fetch_pages LAYER LIMIT PREFIX: follows next links, one file per page
  local url="/api/layers/$1/diff?from=1&to=2&limit=$2" k=0
  while [ -n "$url" ]; do
    http_get "$url"
    expect_status 200 "$url"
    cp "$TEST_TMP/body" "$3.$k.json"
    url=$(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); n=[l['href'] for l in d.get('links',[]) if l['rel']=='next']; print(n[0].split('$BASE',1)[1] if n else '')" "$TEST_TMP/body")
    k=$((k + 1))
    [ $k -lt 100 ] || fail "more than 100 pages"
  done
  PAGES=("$3".*.json)
}
fetch_pages delitos 40 "$TEST_TMP/page"
[ ${#PAGES[@]} -gt 2 ] || fail "expected several pages, got ${#PAGES[@]}"
python3 "$CHECK" compare "$C1" "$C2" $(ls "$TEST_TMP"/page.*.json | sort -t. -k2 -n) --lat lat --lon long --id id \
  || fail "HTTP diff differs from the files"
ok
http_get "/api/layers/delitos/diff?from=1&to=2&limit=5"
expect_json 'len(d["changes"]) == 5 and d["next_offset"] == 5 and d["counts"]["added"] == 5'
fetch_pages localidades 1000 "$TEST_TMP/lpage"
python3 "$CHECK" compare "$L0" "$L2" "${PAGES[@]}" --lat latitud --lon longitud || fail "HTTP content diff"
ok

# --- the history ---
http_get /api/layers/delitos/versions
expect_status 200 "versions"
expect_json '[v["version"] for v in d["versions"]] == [1, 2] and d["current"] == 2'
expect_json 'd["versions"][1]["current"] and not d["versions"][0]["current"] and all(v["kept"] for v in d["versions"])'
expect_json 'd["versions"][0]["source"]["name"] == "crime-lat-long-2000.csv" and len(d["versions"][0]["source"]["sha256"]) == 64'
expect_json 'd["versions"][0]["feature_count"] == 1956 and d["versions"][0]["report"]["counts"]["rejected"] == 44'
"$TESELAS" versions delitos --db "$DB" --json > "$TEST_TMP/hist.json" || fail "versions --json"
python3 -c "import json,sys; a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2])); a.pop('links',None); b.pop('links',None); sys.exit(a!=b)" \
  "$TEST_TMP/hist.json" "$TEST_TMP/body" || fail "CLI and HTTP histories differ"
"$TESELAS" versions delitos --db "$DB" | grep -q 'v2 .*\[publicada\]' || fail "versions text"
ok

# --- malformed, unknown, hostile: 4xx JSON, never 5xx ---
bad() { # bad STATUS PATH
  http_get "$2"
  expect_status "$1" "$2"
  expect_json '"code" in d and "description" in d'
}
bad 404 /api/layers/nada/versions
bad 404 "/api/layers/nada/diff?from=1&to=2"
bad 404 "/api/layers/delitos/diff?from=1&to=9"
bad 404 "/api/layers/delitos/diff?from=7&to=9"
bad 404 "/api/layers/..%2F..%2Fetc/versions"
bad 404 "/api/layers/$(printf 'a%.0s' $(seq 1 300))/versions"
bad 400 "/api/layers/delitos/diff?from=2&to=1"
bad 400 "/api/layers/delitos/diff?from=2&to=2"
bad 400 "/api/layers/delitos/diff?from=uno&to=2"
bad 400 "/api/layers/delitos/diff?from=1"
bad 400 "/api/layers/delitos/diff"
bad 400 "/api/layers/delitos/diff?from=-1&to=2"
bad 400 "/api/layers/delitos/diff?from=1&to=99999999999999999999"
bad 400 "/api/layers/delitos/diff?from=1&to=2&limit=0"
bad 400 "/api/layers/delitos/diff?from=1&to=2&limit=100000"
bad 400 "/api/layers/delitos/diff?from=1&to=2&offset=x"
bad 400 "/api/layers/delitos/diff?from=1.5&to=2"
# an offset past the end: counts, no changes, no next
http_get "/api/layers/delitos/diff?from=1&to=2&offset=9999999"
expect_status 200 "offset past the end"
expect_json 'd["changes"] == [] and d["next_offset"] is None and d["counts"]["removed"] > 0'
! grep -q '^access GET [^ ]* 5[0-9][0-9]' "$SERVER_LOG" || fail "a 5xx in the log"
stop_server || fail "server exited non-zero"
set +e
"$TESELAS" diff delitos --db "$DB" --from 2 --to 1 > /dev/null 2> "$TEST_TMP/err"; rc1=$?
"$TESELAS" diff delitos --db "$DB" --from x --to 1 > /dev/null 2>&1; rc2=$?
"$TESELAS" diff nada --db "$DB" --from 1 --to 2 > /dev/null 2>&1; rc3=$?
"$TESELAS" versions nada --db "$DB" > /dev/null 2>&1; rc4=$?
set -e
[ "$rc1 $rc2 $rc3 $rc4" = "1 2 1 1" ] || fail "CLI exit codes: $rc1 $rc2 $rc3 $rc4"
grep -q 'earlier version' "$TEST_TMP/err" || fail "from > to: $(cat "$TEST_TMP/err")"
ok

# --- all 132,692 records of the shared file: the same check, pages bounded ---
BIG="${TESELAS_SHARED_DATA:-}/cdmx-ssp-delitos/crime-lat-long.csv"
if [ -f "$BIG" ]; then
  DB="$TEST_TMP/big.db"
  python3 "$CHECK" edit "$BIG" "$TEST_TMP/big2.csv" --lat lat --lon long --id id --retype month --drop hour
  import_both "$BIG" "$TEST_TMP/big2.csv" --layer delitos --privacy none
  start_server "$DB"
  SECONDS=0
  http_get "/api/layers/delitos/diff?from=1&to=2&limit=1000"
  expect_status 200 "big diff"
  echo "  (diff of two 131k-row versions: ${SECONDS}s, $(stat -c %s "$TEST_TMP/body") bytes)"
  expect_json 'len(d["changes"]) == 1000 and d["next_offset"] == 1000'
  [ "$(stat -c %s "$TEST_TMP/body")" -lt 1000000 ] || fail "a page of 1000 changes over 1 MB"
  stop_server || fail "server exited non-zero"
  # two pages and the counts (every page walks the whole diff: all ten would double the test)
  "$TESELAS" diff delitos --db "$DB" --from 1 --to 2 --json --limit 1000 --offset 0 > "$TEST_TMP/b0.json"
  "$TESELAS" diff delitos --db "$DB" --from 1 --to 2 --json --limit 1000 --offset 5000 > "$TEST_TMP/b1.json"
  python3 "$CHECK" compare "$BIG" "$TEST_TMP/big2.csv" "$TEST_TMP/b0.json" "$TEST_TMP/b1.json" \
    --lat lat --lon long --id id --partial \
    || fail "the big diff differs from the files"
  ok
else
  echo "  (shared data absent: the 131k-record diff was not run)"
fi
done_checks
