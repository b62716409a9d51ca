# features_lib.sh — helpers for the OGC API - Features tests, on top of lib.sh: requirement
# names (each check says which clause of OGC API - Features it proves, and a failure names it),
# JSON checks with Python, and SQL over the source database (with SpatiaLite loaded).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

REQ="(none)"
REQS_CHECKED=()
# req NAME: the checks that follow prove requirement NAME (e.g. /req/core/fc-limit-response-1).
req() {
  REQ=$1
  REQS_CHECKED+=("$1")
}

rfail() { fail "[$REQ] $*"; }

# serve_countries: a database made only from a third-party file (Natural Earth's countries, layer
# "paises") in $TEST_TMP/ne.db, served quietly (SERVER_PORT, SERVER_URL as start_server sets them).
serve_countries() {
  DB="$TEST_TMP/ne.db"
  "$TESELAS" import "$TESELAS_TEST_DATA/naturalearth/naturalearth_lowres.shp" --db "$DB" \
    --layer paises >"$TEST_TMP/import.log" 2>&1 || fail "import: $(tail -5 "$TEST_TMP/import.log")"
  start_server "$DB" --quiet
}

# get PATH [curl args...]: like http_get, and a 5xx is always a failure (never for bad input).
get() {
  http_get "$@"
  case "$STATUS" in 5*) rfail "HTTP $STATUS for $1: $(head -c 300 "$TEST_TMP/body")" ;; esac
  return 0
}

status_is() {
  [ "$STATUS" = "$1" ] || rfail "expected HTTP $1, got $STATUS${2:+ for $2}: $(head -c 300 "$TEST_TMP/body")"
  ok
}

# json 'python expression over d' [message]
json() {
  python3 -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if ($1) else 1)" \
    "$TEST_TMP/body" 2>/dev/null || rfail "${2:-JSON check failed}: $1 on $(head -c 400 "$TEST_TMP/body")"
  ok
}

content_type_is() {
  grep -qi "^content-type: $1" "$TEST_TMP/headers" || rfail "content type $1 expected: $(grep -i content-type "$TEST_TMP/headers")"
  ok
}

# bad PATH PARAM: HTTP 400, a JSON error whose description names PARAM.
bad() {
  get "$1"
  [ "$STATUS" = 400 ] || rfail "expected 400 for $1, got $STATUS: $(head -c 200 "$TEST_TMP/body")"
  python3 -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if d['code']=='invalid_parameter' and d['description'].startswith(sys.argv[2]) else 1)" \
    "$TEST_TMP/body" "$2" || rfail "400 for $1 does not name '$2': $(cat "$TEST_TMP/body")"
  ok
}

# sql DB QUERY: runs QUERY with SpatiaLite loaded, CSV out.
sql() { sqlite3 -cmd ".load mod_spatialite" -csv "$1" "$2" 2>/dev/null | tail -n +1; }

# Follows next links from PATH and prints one feature id per line (all pages).
walk_ids() {
  python3 - "$BASE$1" <<'EOF'
import json, sys, urllib.request
url, pages = sys.argv[1], 0
while url:
    with urllib.request.urlopen(url) as r:
        d = json.load(r)
    pages += 1
    for f in d["features"]:
        print(f["id"])
    nxt = [l["href"] for l in d["links"] if l["rel"] == "next"]
    url = nxt[0] if nxt else None
    if pages > 100000:
        sys.exit("too many pages")
EOF
}

done_reqs() {
  echo "requirements checked in $(basename "$0"):"
  printf '  %s\n' "${REQS_CHECKED[@]}" | sort -u
  done_checks
}
