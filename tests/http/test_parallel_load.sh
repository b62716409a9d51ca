#!/usr/bin/env bash
# The server under parallel load: 16 clients at once ask for vector tiles (single and combined
# layers, clustered and raw zooms), PNG tiles, glyphs and features, each address three times in a
# shuffled order, from a server with 4 worker threads and a 1 MB tile cache (so entries are
# pinned, replaced and evicted while other threads read them). Every answer must have the
# status (200, or 204 for an empty tile) and the bytes that a single-threaded server without a
# cache gave for the same address, and the loaded server must stop cleanly. Label `tsan`: the
# ThreadSanitizer build (scripts/test.sh) runs it with halt_on_error, so a data race stops the
# server and fails the test, and a report
# in the server's log fails it too.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../tiles/lib.sh"

DB=$(demo_db 3000)
URLS="$TEST_TMP/urls"
{
  for z in 10 13 15; do
    read -r X Y < <(tile_of "$z" -101.68 21.12)
    for dx in -1 0 1; do
      for dy in -1 0 1; do
        for l in incidentes parques 'parques,incidentes'; do
          echo "/tiles/$l/$z/$((X + dx))/$((Y + dy)).pbf"
        done
      done
    done
    echo "/styles/leon/$z/$X/$Y.png"
    echo "/styles/leon/$z/$((X + 1))/$Y.png"
  done
  echo "/fonts/Noto%20Sans%20Regular/0-255.pbf"
  for fid in 1 2 3 500 2999; do echo "/collections/incidentes/items/$fid"; done
} > "$URLS"
N_URLS=$(wc -l < "$URLS")

# fetch_all BASE DIR PARALLEL REPEATS: each address REPEATS times, shuffled, PARALLEL at a time;
# DIR/<line>.<repeat> holds the body, DIR/<line>.<repeat>.code the status.
fetch_all() {
  local base=$1 dir=$2 par=$3 reps=$4
  mkdir -p "$dir"
  for r in $(seq 1 "$reps"); do awk -v r="$r" '{print NR "." r, $0}' "$URLS"; done | shuf --random-source=<(yes) |
    xargs -P "$par" -L 1 sh -c 'curl -s -o "$0/$2" -w "%{http_code}" "$1$3" > "$0/$2.code"' "$dir" "$base" ||
    true   # a failed request is reported below, with the server's log
}

# the reference: one worker, no cache, one request at a time (the same public URL on both
# servers, so the links in the features are the same text)
start_server "$DB" --threads 1 --tile-cache-mb 0 --quiet --public-url http://teselas.test
fetch_all "$BASE" "$TEST_TMP/ref" 1 1
stop_server || fail "reference server did not stop cleanly"
for i in $(seq 1 "$N_URLS"); do
  case $(cat "$TEST_TMP/ref/$i.1.code") in
    200 | 204) ;;   # 204: an empty tile
    *) fail "reference $(sed -n "${i}p" "$URLS"): status $(cat "$TEST_TMP/ref/$i.1.code")" ;;
  esac
done
ok

start_server "$DB" --threads 4 --tile-cache-mb 1 --quiet --public-url http://teselas.test
fetch_all "$BASE" "$TEST_TMP/load" 16 3
! grep -q "ThreadSanitizer" "$SERVER_LOG" ||
  fail "ThreadSanitizer report: $(grep -A40 -m1 'WARNING: ThreadSanitizer' "$SERVER_LOG")"
bad=0
for i in $(seq 1 "$N_URLS"); do
  for r in 1 2 3; do
    code=$(cat "$TEST_TMP/load/$i.$r.code" 2>/dev/null || echo none)
    # a 204 has no body: curl leaves no file on either side
    if [ "$code" != "$(cat "$TEST_TMP/ref/$i.1.code")" ] ||
       { [ -f "$TEST_TMP/ref/$i.1" ] && ! cmp -s "$TEST_TMP/ref/$i.1" "$TEST_TMP/load/$i.$r"; }; then
      echo "differs under load: $(sed -n "${i}p" "$URLS") (repeat $r, status $code)" >&2
      bad=$((bad + 1))
    fi
  done
done
[ $bad = 0 ] || fail "$bad of $((N_URLS * 3)) answers under load differ from the serial ones"
ok
stop_server || fail "the loaded server did not stop cleanly (exit status $?)"
! grep -q "ThreadSanitizer" "$SERVER_LOG" || fail "ThreadSanitizer report: $(grep -A20 -m1 ThreadSanitizer "$SERVER_LOG")"
ok
echo "$((N_URLS * 3)) requests, 16 at a time, all equal to the serial answers"
done_checks
