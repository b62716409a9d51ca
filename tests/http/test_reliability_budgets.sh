#!/usr/bin/env bash
# Every request has a memory and a time budget. Two servers on one database made from
# third-party files: police cuadrantes of CDMX (847 polygons) imported under 48 names, and the
# CDMX crime points (131,141 points, the largest third-party point file we hold: a 1M-point
# layer would take minutes to build here). One server has small caps, so they are reached
# (--request-memory-mb 16 --response-max-mb 1 --request-time-ms 1000); the other the defaults.
# Each heavy request answers 2xx within the caps, or 413/503 JSON naming the cap that stopped
# it; the servers keep answering another client all along, and their peak memory (VmHWM) stays
# under the bounds below.
source "$(dirname "$0")/lib.sh"
D="$TESELAS_TEST_DATA"
BIG="${TESELAS_SHARED_DATA:-}/cdmx-ssp-delitos/crime-lat-long.csv"
[ -f "$BIG" ] || skip "the CDMX crime file is not in TESELAS_SHARED_DATA"
# Peak resident memory allowed, in MiB. Measured: ~560 for either server, most of it the
# database file's pages (51 MB) mapped by each of the 20 downloads' connections (SQLite's mmap:
# file pages shared with the page cache, counted once per mapping); the largest image adds
# 64 MiB of pixels to the defaults' server.
HWM_SMALL_MB=1024
HWM_DEFAULT_MB=1024
# AddressSanitizer's shadow memory and quarantine (the sanitizer build) about double it
# (the whole of ldd's output read first: `ldd | grep -q` under pipefail fails when grep quits early)
libs=$(ldd "$TESELAS" 2> /dev/null || true)
if [[ "$libs" == *libasan* ]]; then
  HWM_SMALL_MB=$((HWM_SMALL_MB * 3)) HWM_DEFAULT_MB=$((HWM_DEFAULT_MB * 3))
fi
DB="$TEST_TMP/b.db"
"$TESELAS" import "$BIG" --db "$DB" --layer delitos --lat lat --lon long --privacy none --quiet \
  > /dev/null || fail "import delitos"
for i in $(seq 1 48); do
  "$TESELAS" import "$D/cdmx-ssp/cuadrantes_shp.zip" --db "$DB" --layer "c$i" --quiet > /dev/null \
    || fail "import c$i"
done
N_POINTS=$(python3 - "$BIG" <<'PY'
import csv, sys
n = 0
for r in csv.DictReader(open(sys.argv[1], encoding="utf-8")):
    try:
        float(r["lat"]); float(r["long"]); n += 1
    except ValueError:
        pass
print(n)
PY
)

start_server "$DB" --quiet --threads 2 --request-memory-mb 16 --response-max-mb 1 --request-time-ms 1000
SMALL="$BASE" SMALL_PID=$SERVER_PID
start_server "$DB" --quiet --threads 2
DEFAULT="$BASE" DEFAULT_PID=$SERVER_PID
SERVER_PID=$SMALL_PID
trap 'kill "$DEFAULT_PID" 2> /dev/null || true; cleanup' EXIT

# another client, all along, on both servers
: > "$TEST_TMP/others"
(
  while [ ! -f "$TEST_TMP/stop" ]; do
    for b in "$SMALL" "$DEFAULT"; do
      curl -s -o /dev/null -w "%{http_code} $b\n" --max-time 120 "$b/collections/c1/items?limit=2" \
        >> "$TEST_TMP/others"
    done
    sleep 0.2
  done
) &
OTHERS=$!

# budget BASE PATH WHAT: 2xx, or 413/503 JSON whose description names one of the caps
budget() {
  BASE=$1
  http_get "$2" --max-time 300
  case "$STATUS" in
    2??) echo "$3: $STATUS, $(stat -c %s "$TEST_TMP/body") bytes" ;;
    413 | 503)
      expect_json "d['code'] in ('limit_exceeded', 'unavailable') and '--re' in d['description']"
      echo "$3: $STATUS $(cat "$TEST_TMP/body")"
      ;;
    *) fail "$3: $STATUS $(head -c 300 "$TEST_TMP/body")" ;;
  esac
  ok
}
# png_size: the width and height in the PNG's IHDR
png_size() { python3 -c "import struct,sys; d=open(sys.argv[1],'rb').read(24); print('%dx%d' % struct.unpack('>II', d[16:24]))" "$TEST_TMP/body"; }

# 1. the largest static image, at @2x: 4096x4096 pixels (64 MiB)
STATIC="/styles/c1/static/-99.13,19.43,10/2048x2048@2x.png"
budget "$SMALL" "$STATIC" "largest static image, small caps"
[ "$STATUS" = 413 ] || fail "64 MiB of pixels within --request-memory-mb 16: $STATUS"
grep -q -- "--request-memory-mb 16" "$TEST_TMP/body" || fail "the 413 does not name the cap"
ok
budget "$DEFAULT" "$STATIC" "largest static image, defaults"
[ "$STATUS" = 200 ] && [ "$(png_size)" = 4096x4096 ] || fail "the largest image with the defaults: $STATUS $(png_size)"
ok

# 2. composites: the automatic style of all 50 layers as a PNG tile at @2x (z8, the lowest zoom
# it draws polygons at); a vector tile of 16 layers (the most one URL may name); 48 named at once are refused
for b in "$SMALL" "$DEFAULT"; do
  budget "$b" "/styles/todas/8/57/113@2x.png" "all layers' PNG at z8 @2x ($b)"
  L16=$(seq -s, -f 'c%g' 1 16)
  budget "$b" "/tiles/$L16/6/14/28.pbf" "16-layer vector tile at z6 ($b)"
done
BASE="$DEFAULT"
http_get "/styles/todas/8/57/113@2x.png"
expect_status 200 "all layers' PNG with the defaults"
[ "$(png_size)" = 512x512 ] || fail "the composite PNG is $(png_size)"
http_get "/tiles/$(seq -s, -f 'c%g' 1 48)/0/0/0.pbf"
expect_status 400 "48 layers named in one tile URL"
expect_json "'16' in d['description']"

# 3. CQL2: 10,000 terms do not fit in a URL (16 KiB: 414), percent-encoded (~170 KB) or compactly
# written (~110 KB: '=' and '+' need no escape in a query); the 414 is JSON naming the bound. The
# server keeps serving (the other client's answers, checked below). The longest filter that fits
# (~1,400 terms) answers within the time cap or 503 naming it, and with the defaults the count of
# matching points computed here from the source file.
filter_url() { # N: the items of delitos whose id is 1..N, as N terms joined by OR
  python3 -c "import sys, urllib.parse; n = int(sys.argv[1]); print('/collections/delitos/items?limit=10000&filter=' + urllib.parse.quote(' OR '.join('id=%d' % i for i in range(1, n + 1))))" "$1"
}
# (longer than an argument curl may take: Python asks it)
python3 - "$SMALL" "$(filter_url 2000 | cut -d'?' -f1)" <<'PY' || fail "a filter of 10,000 terms is not a 414 (JSON when it reaches teselas)"
import http.client, json, sys, urllib.parse
host, port = sys.argv[1].split("//")[1].split(":")
terms = ["id=%d" % i for i in range(1, 10001)]
ok = True
for how, f in (("percent-encoded", urllib.parse.quote(" OR ".join(terms))),
               ("compact", "+OR+".join(terms))):
    c = http.client.HTTPConnection(host, int(port), timeout=120)
    c.request("GET", sys.argv[2] + "?limit=10000&filter=" + f)
    r = c.getresponse()
    body = r.read()
    print("10,000-term filter, %s (%d bytes): %d" % (how, len(f), r.status))
    ok = ok and r.status == 414
    if how == "compact":
        d = json.loads(body)
        ok = ok and "16384" in d["description"]
    c.close()
sys.exit(0 if ok else 1)
PY
ok
N_TERMS=1400
while [ "$(filter_url $N_TERMS | wc -c)" -gt 16000 ]; do N_TERMS=$((N_TERMS - 50)); done
budget "$SMALL" "$(filter_url $N_TERMS)" "$N_TERMS-term filter, small caps"
budget "$DEFAULT" "$(filter_url $N_TERMS)" "$N_TERMS-term filter, defaults"
expect_status 200 "the $N_TERMS-term filter with the defaults"
WANT=$(python3 - "$BIG" "$N_TERMS" <<'PY'
import csv, sys
n, want = int(sys.argv[2]), 0
for r in csv.DictReader(open(sys.argv[1], encoding="utf-8")):
    try:
        float(r["lat"]); float(r["long"])
    except ValueError:
        continue
    want += 1 <= int(r["id"]) <= n
print(want)
PY
)
expect_json "d['numberMatched'] == $WANT and d['numberReturned'] == $WANT"

# 4. limit=10000 on the widest page: 10,000 points as GeoJSON (2.3 MB)
budget "$SMALL" "/collections/delitos/items?limit=10000" "limit=10000, small caps"
[ "$STATUS" = 413 ] && grep -q -- "--response-max-mb" "$TEST_TMP/body" \
  || fail "2.3 MB within --response-max-mb 1: $STATUS"
ok
budget "$DEFAULT" "/collections/delitos/items?limit=10000" "limit=10000, defaults"
expect_json "d['numberReturned'] == 10000"

# 5. the whole point layer downloaded by 20 clients at once (streamed: not bound by
# --response-max-mb), from each server
for b in "$SMALL" "$DEFAULT"; do
  pids=()
  for k in $(seq 1 20); do
    curl -s -o "$TEST_TMP/dl.$k" -w "%{http_code}" --max-time 600 "$b/collections/delitos/download.csv" \
      > "$TEST_TMP/dl.$k.status" &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || fail "a download failed ($b)"; done
  for k in $(seq 1 20); do
    [ "$(cat "$TEST_TMP/dl.$k.status")" = 200 ] || fail "download $k from $b: $(cat "$TEST_TMP/dl.$k.status")"
    rows=$(($(wc -l < "$TEST_TMP/dl.$k") - 1))
    [ "$rows" = "$N_POINTS" ] || fail "download $k from $b has $rows rows, the file $N_POINTS points"
    cmp -s "$TEST_TMP/dl.$k" "$TEST_TMP/dl.1" || fail "downloads $k and 1 from $b differ"
  done
  ok
  echo "20 downloads at once from $b: $N_POINTS points each"
  rm -f "$TEST_TMP"/dl.*
done

touch "$TEST_TMP/stop"
wait "$OTHERS"
n=$(wc -l < "$TEST_TMP/others")
[ "$n" -ge 4 ] || fail "the other client asked only $n requests"
bad=$(grep -vc '^200 ' "$TEST_TMP/others" || true)
[ "$bad" = 0 ] || fail "$bad of the other client's $n requests failed: $(grep -v '^200 ' "$TEST_TMP/others" | sort | uniq -c)"
ok
echo "the other client: $n requests, all 200"

hwm_mb() { echo $(($(sed -n 's/^VmHWM:[^0-9]*\([0-9]*\) kB/\1/p' "/proc/$1/status") / 1024)); }
small_hwm=$(hwm_mb "$SMALL_PID")
default_hwm=$(hwm_mb "$DEFAULT_PID")
echo "peak resident memory: small caps $small_hwm MiB (bound $HWM_SMALL_MB), defaults $default_hwm MiB (bound $HWM_DEFAULT_MB)"
[ "$small_hwm" -lt "$HWM_SMALL_MB" ] || fail "the small caps' server peaked at $small_hwm MiB"
[ "$default_hwm" -lt "$HWM_DEFAULT_MB" ] || fail "the defaults' server peaked at $default_hwm MiB"
ok
kill -0 "$SMALL_PID" && kill -0 "$DEFAULT_PID" || fail "a server died"
kill -TERM "$DEFAULT_PID" && wait "$DEFAULT_PID" || fail "the defaults' server did not stop cleanly"
stop_server || fail "the small caps' server did not stop cleanly"
done_checks
