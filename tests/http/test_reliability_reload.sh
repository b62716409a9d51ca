#!/usr/bin/env bash
# Many style reloads under load (issue 21), on a database made only from a third-party file
# (Natural Earth countries): a user style with labels (cairo's fonts in use on every worker) is
# rewritten and reloaded with SIGHUP 40 times while four clients ask for its document, PNG tiles
# of it and vector tiles:
#  - every request answers 200, and each reload serves its own colour;
#  - a replaced style registry is freed once no request holds it: /metrics counts one registry
#    alive after the reloads (before, every one was kept until the server stopped);
#  - the server stops cleanly (exit 0), and under the sanitizers (TESELAS_SANITIZE) with no
#    report of a leak or a bad access in its log; its resident memory is printed.
source "$(dirname "$0")/lib.sh"
CLIENTS="$(dirname "$0")/../clients"
N_RELOADS=40

countries_db
LABELS='{"id": "nombres", "type": "symbol", "source": "t", "source-layer": "paises",
         "layout": {"text-field": ["get", "name"], "text-font": ["Noto Sans Regular"],
                    "text-size": 12}}'
style() { paises_style "$1" "$LABELS"; } # COLOUR
style "#000000"
start_server "$DB" --styles "$TEST_TMP/styles"

registries() {
  http_get /metrics
  expect_status 200 "/metrics"
  sed -n 's/^teselas_style_registries \([0-9]*\)$/\1/p' "$TEST_TMP/body"
}
rss_kb() { sed -n "s/^VmRSS:[[:space:]]*\([0-9]*\) kB$/\1/p" "/proc/$SERVER_PID/status"; }
[ "$(registries)" = 1 ] || fail "registries alive at start: '$(registries)'"
ok
http_get /styles/paises/1/0/0.png
expect_status 200 "a PNG tile with labels"
RSS_START=$(rss_kb)

STOP="$TEST_TMP/stop-load"
python3 "$CLIENTS/steady_load.py" "$SERVER_PORT" "$STOP" 4 /styles/paises/style.json \
  /styles/paises/1/0/0.png /styles/paises/2/1/1.png /tiles/paises/1/1/0.pbf \
  /styles/paises/2/2/1.png /health > "$TEST_TMP/load.json" &
LOAD=$!
reloads_logged() { grep -c "styles reloaded" "$SERVER_LOG" || true; }
for i in $(seq 1 "$N_RELOADS"); do
  colour=$(printf '#%02x%02x%02x' "$i" $((i * 3)) $((255 - i)))
  style "$colour"
  kill -HUP "$SERVER_PID"
  for _ in $(seq 1 600); do [ "$(reloads_logged)" -ge "$i" ] && break; sleep 0.05; done
  [ "$(reloads_logged)" -ge "$i" ] || fail "reload $i was not logged"
  kill -0 "$LOAD" 2> /dev/null || fail "the load stopped: $(cat "$TEST_TMP/load.json")"
  http_get /styles/paises/style.json
  expect_json "d['layers'][0]['paint']['background-color'] == '$colour'"
  if [ $((i % 10)) = 0 ]; then
    echo "after $i reloads: $(registries) registries alive, VmRSS $(rss_kb) kB"
  fi
done
ok
touch "$STOP"
wait "$LOAD" || fail "the load client failed"
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if d["failed"] == 0 and d["ok"] > 40 else 1)' "$TEST_TMP/load.json" \
  || fail "requests across the reloads: $(cat "$TEST_TMP/load.json")"
ok
echo "across $N_RELOADS reloads: $(cat "$TEST_TMP/load.json")"

# nothing holds the replaced registries now: only the current one is alive
n=$(registries)
[ "$n" = 1 ] || fail "$n style registries alive after $N_RELOADS reloads and no request running"
ok
http_get /styles/paises/1/0/0.png
expect_status 200 "a PNG tile after the reloads"
echo "VmRSS: $RSS_START kB after the first tile, $(rss_kb) kB after $N_RELOADS reloads"

stop_server || fail "the server did not stop cleanly"
! grep -q "Sanitizer\|runtime error" "$SERVER_LOG" \
  || fail "the sanitizers reported: $(grep -m5 "Sanitizer\|runtime error" "$SERVER_LOG")"
ok
done_checks
