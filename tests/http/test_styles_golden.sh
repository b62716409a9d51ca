#!/usr/bin/env bash
# Golden images of the renderer: each style feature (fill, line, circle, labels, expressions and
# filters, zoom ranges and visibility, clusters, @2x, the automatic style) drawn from a small
# fixed data set (tests/golden/render/make_data.py, imported with our own importer) and compared
# with a reviewed PNG under tests/golden/render/expected/ by tests/golden/render/imgcompare.py
# (perceptual tolerance). A mismatch writes ACTUAL and DIFF images to $TESELAS_ARTIFACTS.
# UPDATE_GOLDEN=1 rewrites the expected images (review the diff before committing).
source "$(dirname "$0")/lib.sh"
GOLDEN="$(cd "$(dirname "$0")/../golden/render" && pwd)"
PY=/usr/bin/python3
ARTIFACTS="${TESELAS_ARTIFACTS:-$TEST_TMP/artifacts}/golden-render"
mkdir -p "$ARTIFACTS"
$PY -c "import numpy" 2>/dev/null || fail "python3-numpy is needed (scripts/install-deps.sh)"

$PY "$GOLDEN/make_data.py" "$TEST_TMP/data"
DB="$TEST_TMP/golden.db"
for l in g-poligonos g-lineas g-puntos g-densos; do
  # a second apart: single colours are handed out from the oldest layer (issued_at, in seconds),
  # so the automatic styles' colours are the same on every run
  [ "$l" = g-poligonos ] || sleep 1.1
  "$TESELAS" import "$TEST_TMP/data/$l.geojson" --db "$DB" --layer "$l" --privacy none >/dev/null 2>"$TEST_TMP/err" \
    || fail "import $l: $(cat "$TEST_TMP/err")"
done
start_server "$DB" --styles "$GOLDEN/styles" --quiet
grep -q "not loaded" "$SERVER_LOG" && fail "a golden style did not load: $(grep 'not loaded' "$SERVER_LOG")"

failed=0
while read -r name path; do
  case "$name" in ''|\#*) continue ;; esac
  http_get "$path"
  expect_status 200 "$path"
  cp "$TEST_TMP/body" "$TEST_TMP/$name.png"
  if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
    cp "$TEST_TMP/$name.png" "$GOLDEN/expected/$name.png"
    echo "updated $name"
    continue
  fi
  [ -f "$GOLDEN/expected/$name.png" ] || fail "no expected image for $name (run with UPDATE_GOLDEN=1)"
  if ! $PY "$GOLDEN/imgcompare.py" "$GOLDEN/expected/$name.png" "$TEST_TMP/$name.png" \
       --diff "$ARTIFACTS/$name.diff.png" > "$TEST_TMP/cmp" 2>&1; then
    cp "$TEST_TMP/$name.png" "$ARTIFACTS/$name.actual.png"
    echo "golden $name: $(cat "$TEST_TMP/cmp")" >&2
    failed=$((failed + 1))
  fi
  ok
done < "$GOLDEN/cases.txt"
[ $failed = 0 ] || fail "$failed golden image(s) differ; actual and diff images in $ARTIFACTS"
done_checks
