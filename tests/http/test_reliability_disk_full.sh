#!/usr/bin/env bash
# A disk that fills during an import. The database lives on a small tmpfs, mounted in a private
# mount namespace (unshare -m: nothing outside this test sees it), filled but for 1 MiB; then the
# CDMX crime file (12 MB of CSV, a third-party file of the shared data) is imported into it, by
# the CLI and by an upload through the API, while the server runs on that database:
#  - the import exits 1 with a message naming the file and the reason (no space left);
#  - the database is unchanged (its dump, the server's own usage bookkeeping aside), `teselas
#    check` finds it sound, and every earlier layer answers byte for byte as before;
#  - the server answers every request meanwhile, and after;
#  - an upload through the API: 503 JSON saying the disk is full when the server's TMPDIR is on
#    it; taken (202) by a server whose TMPDIR has room, its job then fails saying the same, and
#    nothing of it is published;
#  - every audited write whose audit line (DB.audit, on the same disk) cannot be written is
#    refused with 503 JSON naming the audit log, and changes nothing: an upload (no job is run),
#    a rollback, a removal, a sign-in (no session) and a review's decision; `teselas remove` and
#    `teselas rollback` exit 1 alike;
#  - SQLite's temporary files on a full disk (SQLITE_TMPDIR): the same refusal, nothing changed;
#  - once space is freed, the same import publishes.
source "$(dirname "$0")/mount_ns.sh"
source "$(dirname "$0")/lib.sh"
command -v sqlite3 > /dev/null || skip "sqlite3 is not installed"
command -v fallocate > /dev/null || skip "fallocate (util-linux) is not installed"
D="$TESELAS_TEST_DATA"
BIG="${TESELAS_SHARED_DATA:-}/cdmx-ssp-delitos/crime-lat-long.csv"
[ -f "$BIG" ] || skip "the CDMX crime file is not in TESELAS_SHARED_DATA"
SMALL="$TEST_TMP/small"
mount_small "$SMALL" 48m
trap 'umount -l "$SMALL" 2> /dev/null || true; cleanup' EXIT
DB="$SMALL/f.db"
mkdir "$SMALL/tmp"  # the server's uploads wait on the same full disk

"$TESELAS" import "$D/inegi/AGEM_11020_old.geojson" --db "$DB" --layer municipio --quiet > /dev/null \
  || fail "import municipio"
"$TESELAS" import "$D/cdmx-ssp/cuadrantes_shp.zip" --db "$DB" --layer cuadrantes --quiet > /dev/null \
  || fail "import cuadrantes"
"$TESELAS" import "$D/cdmx-ssp/cuadrantes_shp.zip" --db "$DB" --layer cuadrantes --quiet --force \
  > /dev/null || fail "import cuadrantes again (a version to roll back to)"
"$TESELAS" users add pub --db "$DB" --role publisher --layers delitos,robos > /dev/null || fail "users add"
TOKEN=$("$TESELAS" tokens add pub --db "$DB" 2> /dev/null) || fail "tokens add"
PW_ADM="contraseña de prueba del disco lleno"
echo "$PW_ADM" | "$TESELAS" users add adm --db "$DB" --role admin --password > /dev/null || fail "users add adm"
T_ADM=$("$TESELAS" tokens add adm --db "$DB" 2> /dev/null) || fail "tokens add adm"
"$TESELAS" users add rev --db "$DB" --role reviewer > /dev/null || fail "users add rev"
T_REV=$("$TESELAS" tokens add rev --db "$DB" 2> /dev/null) || fail "tokens add rev"
TMPDIR="$SMALL/tmp" start_server "$DB" --quiet

# a version waiting for review (an upload with a privacy policy), for a decision on a full disk
http_get "/api/layers/robos/versions?filename=robos.csv&lat=lat&lon=long&privacy=generalize%3Agrid%3D250" \
  -X POST -H "Authorization: Bearer $TOKEN" -H "Content-Type: text/csv" \
  --data-binary "@$D/cdmx-ssp/crime-lat-long-2000.csv"
expect_status 202 "an upload to review"
await_job "$TOKEN"
expect_json "d['state'] == 'done' and d['result'] == 'pending' and d['review'] == 1"

# The answers of the earlier layers, to compare byte for byte afterwards: the server's address
# (a restarted server has another port) and the moment of a page aside.
same_answer() { sed -e "s|$BASE|BASE|g" -e 's|"timeStamp":"[^"]*"||' "$TEST_TMP/body" > "$1"; }
PATHS=("/collections/municipio/items?limit=1" "/collections/cuadrantes/items?limit=50&offset=100"
  "/collections/cuadrantes/items?f=csv&limit=200" "/tiles/cuadrantes/11/460/911.pbf"
  "/tiles/municipio,cuadrantes/11/460/911.pbf" "/collections/cuadrantes")
for i in "${!PATHS[@]}"; do
  http_get "${PATHS[$i]}"
  expect_status 200 "${PATHS[$i]} before the disk is full"
  same_answer "$TEST_TMP/before.$i"
done
dump() { sqlite3 "$DB" .dump | grep -v 'teselas_usage\|teselas_download_digests' | sha256sum | cut -c1-64; }
BEFORE=$(dump)

# fill the disk but for 1 MiB
avail_kb=$(df -k --output=avail "$SMALL" | tail -1)
fallocate -l $(((avail_kb - 1024) * 1024)) "$SMALL/filler" || fail "cannot fill the tmpfs"
echo "filled: $(df -h --output=avail "$SMALL" | tail -1 | tr -d ' ') left on the database's disk"

# a client asks all along; every answer must be 200
: > "$TEST_TMP/during"
(
  while [ ! -f "$TEST_TMP/stop-client" ]; do
    for p in "/health" "/collections/cuadrantes/items?limit=5" "/tiles/cuadrantes/11/460/911.pbf"; do
      curl -s -o /dev/null -w "%{http_code} $p\n" --max-time 60 "$BASE$p" >> "$TEST_TMP/during"
    done
  done
) &
CLIENT=$!

# 1. the CLI import that does not fit
rc=0
"$TESELAS" import "$BIG" --db "$DB" --layer delitos --lat lat --lon long --privacy none --quiet \
  > "$TEST_TMP/import.out" 2> "$TEST_TMP/import.err" || rc=$?
[ "$rc" = 1 ] || fail "an import that does not fit exited $rc: $(cat "$TEST_TMP/import.err")"
grep -q "crime-lat-long.csv" "$TEST_TMP/import.err" || fail "the message does not name the file: $(cat "$TEST_TMP/import.err")"
grep -q "no space left" "$TEST_TMP/import.err" || fail "the message does not say the disk is full: $(cat "$TEST_TMP/import.err")"
ok
echo "import: $(cat "$TEST_TMP/import.err")"

# 2. the same file uploaded through the API: the server keeps an upload's body in its TMPDIR,
# here on the full disk too: 503 JSON saying so
UPLOAD=(-X POST -H "Authorization: Bearer $TOKEN" -H "Content-Type: text/csv" --data-binary "@$BIG" --max-time 300)
UPLOAD_URL="/api/layers/delitos/versions?filename=crime-lat-long.csv&lat=lat&lon=long&privacy=none"
http_get "$UPLOAD_URL" "${UPLOAD[@]}"
expect_status 503 "an upload whose body does not fit"
expect_json "d['code'] == 'unavailable' and 'no space left' in d['description']"
expect_header Retry-After '[0-9]'
echo "upload: $STATUS $(cat "$TEST_TMP/body")"

touch "$TEST_TMP/stop-client"
wait "$CLIENT"
n_during=$(wc -l < "$TEST_TMP/during")
[ "$n_during" -ge 3 ] || fail "the client asked only $n_during requests"
bad=$(grep -vc '^200 ' "$TEST_TMP/during" || true)
[ "$bad" = 0 ] || fail "$bad of $n_during requests failed while the disk was full: $(grep -v '^200 ' "$TEST_TMP/during" | sort | uniq -c | head)"
ok
echo "$n_during requests answered 200 while the disk was full"

# 3. a server whose TMPDIR has room, the database's disk full to the last byte: every audited
# write is refused, as its line cannot be written to the audit log (DB.audit, on that disk)
stop_server || fail "the server did not stop cleanly"
mkdir "$TEST_TMP/uploads"
TMPDIR="$TEST_TMP/uploads" start_server "$DB" --quiet
avail_kb=$(df -k --output=avail "$SMALL" | tail -1)
[ "$avail_kb" -le 0 ] || fallocate -l $((avail_kb * 1024)) "$SMALL/filler2" || fail "cannot top up the filler"
# the audit log's files (its shared-memory index aside), as bytes: the sqlite3 shell cannot open a
# log in WAL mode on a full disk
audit_lines() { { cat "$DB.audit"; cat "$DB.audit-wal" 2> /dev/null || true; } | sha256sum | cut -c1-64; }
AUDIT_BEFORE=$(audit_lines)
unaudited() { # WHAT: 503 JSON naming the audit log and the full disk
  expect_status 503 "$1 whose audit line cannot be written"
  expect_json "d['code'] == 'unavailable' and 'audit log' in d['description'] and 'no space left' in d['description']"
  expect_header Retry-After '[0-9]'
  echo "$1: $STATUS $(head -c 300 "$TEST_TMP/body")"
}
http_get "$UPLOAD_URL" "${UPLOAD[@]}"
unaudited "an upload"
http_get "/api/jobs/1" -H "Authorization: Bearer $TOKEN"
expect_status 404 "a job of the refused upload"
http_get "/api/layers/cuadrantes/rollback?to=1" -X POST -H "Authorization: Bearer $T_ADM"
unaudited "a rollback"
http_get "/api/layers/cuadrantes" -X DELETE -H "Authorization: Bearer $T_ADM"
unaudited "a removal"
http_get /admin/entrar -X POST --data-urlencode "usuario=adm" --data-urlencode "contraseña=$PW_ADM"
unaudited "a sign-in"
! grep -qi '^Set-Cookie: *teselas' "$TEST_TMP/headers" || fail "a session given without its audit line"
http_get "/api/reviews/1/approve" -X POST -H "Authorization: Bearer $T_REV" \
  -H "Content-Type: application/json" --data '{"reason": "agregado a 250 m"}'
unaudited "a review's decision"
rc=0
"$TESELAS" remove cuadrantes --db "$DB" > /dev/null 2> "$TEST_TMP/remove.err" || rc=$?
[ "$rc" = 1 ] || fail "teselas remove without room for its audit line exited $rc"
grep -q "audit log.*no space left.*nothing was done" "$TEST_TMP/remove.err" \
  || fail "teselas remove: $(cat "$TEST_TMP/remove.err")"
echo "teselas remove: $(cat "$TEST_TMP/remove.err")"
rc=0
"$TESELAS" rollback cuadrantes --db "$DB" --to 1 > /dev/null 2> "$TEST_TMP/rollback.err" || rc=$?
[ "$rc" = 1 ] || fail "teselas rollback without room for its audit line exited $rc"
grep -q "audit log.*no space left.*nothing was done" "$TEST_TMP/rollback.err" \
  || fail "teselas rollback: $(cat "$TEST_TMP/rollback.err")"
[ "$(dump)" = "$BEFORE" ] || fail "the database changed after writes refused for their audit lines"
[ "$(audit_lines)" = "$AUDIT_BEFORE" ] || fail "the audit log changed on a full disk"
http_get "/collections/cuadrantes"
expect_json "d['id'] == 'cuadrantes'"
ok

# 4. room for an audit line but not for the import: the upload is taken (202), and its import
# job fails on the database's full disk, saying so
rm -f "$SMALL/filler2" "$SMALL/filler"
avail_kb=$(df -k --output=avail "$SMALL" | tail -1)
fallocate -l $(((avail_kb - 2048) * 1024)) "$SMALL/filler" || fail "cannot fill the tmpfs again"
# with room for its line a decision goes through (the rejected version's data go)
http_get "/api/reviews/1/reject" -X POST -H "Authorization: Bearer $T_REV" \
  -H "Content-Type: application/json" --data '{"reason": "prueba de disco lleno"}'
expect_status 200 "a review's decision with room for its audit line"
BEFORE=$(dump)
http_get "$UPLOAD_URL" "${UPLOAD[@]}"
expect_status 202 "an upload taken on a server whose database's disk is full"
await_job "$TOKEN" 1500
expect_json "d['state'] in ('done', 'failed') and d.get('result') != 'published'"
grep -q "no space left" "$TEST_TMP/body" || fail "the upload's job does not say the disk is full: $(head -c 600 "$TEST_TMP/body")"
ok
echo "upload job: $(head -c 400 "$TEST_TMP/body")"

# the database as it was, sound, and every earlier layer served as before
[ "$(dump)" = "$BEFORE" ] || fail "the database changed"
ok
"$TESELAS" check --db "$DB" > "$TEST_TMP/check.log" || fail "check on the full disk: $(cat "$TEST_TMP/check.log")"
ok
for i in "${!PATHS[@]}"; do
  http_get "${PATHS[$i]}"
  expect_status 200 "${PATHS[$i]} after the failed import"
  same_answer "$TEST_TMP/after.$i"
  cmp -s "$TEST_TMP/after.$i" "$TEST_TMP/before.$i" || fail "${PATHS[$i]} answers otherwise after the failed import"
  ok
done
http_get "/collections/delitos"
expect_status 404 "the layer that did not fit"

# SQLite's temporary files (the rows wait in a temporary table, the feature ids in a temporary
# index) go to SQLITE_TMPDIR, else TMPDIR, else /var/tmp or /tmp: a full one there is the same
# clean refusal (a 1 MiB tmpfs; the database's own disk has room now)
rm -f "$SMALL/filler"
TINY="$TEST_TMP/tiny"
mkdir -p "$TINY"
mount -t tmpfs -o size=1m tmpfs "$TINY" || fail "cannot mount the small temporary directory"
BEFORE=$(dump)
rc=0
SQLITE_TMPDIR="$TINY" TMPDIR="$TINY" "$TESELAS" import "$BIG" --db "$DB" --layer delitos --lat lat \
  --lon long --privacy none --quiet > /dev/null 2> "$TEST_TMP/import-tmp.err" || rc=$?
umount "$TINY"
[ "$rc" = 1 ] || fail "an import whose temporary files do not fit exited $rc: $(cat "$TEST_TMP/import-tmp.err")"
grep -q "crime-lat-long.csv.*no space left" "$TEST_TMP/import-tmp.err" \
  || fail "a full temporary directory is not said: $(cat "$TEST_TMP/import-tmp.err")"
[ "$(dump)" = "$BEFORE" ] || fail "the database changed after the temporary files filled their disk"
ok
echo "temporary files: $(cat "$TEST_TMP/import-tmp.err")"

# 5. space freed: the same import publishes, and the running server serves it
"$TESELAS" import "$BIG" --db "$DB" --layer delitos --lat lat --lon long --privacy none --quiet \
  > /dev/null 2> "$TEST_TMP/import2.err" || fail "the import once space is freed: $(cat "$TEST_TMP/import2.err")"
http_get "/collections/delitos/items?limit=1"
expect_status 200 "the layer imported once space was freed"
kill -0 "$SERVER_PID" || fail "the server died"
stop_server || fail "the server did not stop cleanly"
done_checks
