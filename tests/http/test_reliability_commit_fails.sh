#!/usr/bin/env bash
# A write whose audit line was taken and whose COMMIT then failed leaves a second line saying it
# failed, so the log never keeps only the "ok" of something that did not happen. The database
# lives on a small tmpfs (a private mount namespace, as in test_reliability_disk_full.sh) filled
# to the last byte, while its audit log (DB.audit, a symbolic link) lives on another disk with
# room: a small import keeps its pages in memory until COMMIT, so its line is written and its
# COMMIT is what finds the disk full. For `teselas import` and for each layer of `teselas
# publish`:
#  - exit 1 naming the reason ("no space left");
#  - the log holds the "ok" line of the version and after it a "failed" line naming the same
#    version as not published, with the reason;
#  - the database is unchanged (its dump);
#  - once space is freed the same command publishes, with an "ok" line alone.
source "$(dirname "$0")/mount_ns.sh"
source "$(dirname "$0")/lib.sh"
command -v sqlite3 > /dev/null || skip "sqlite3 is not installed"
D="$TESELAS_TEST_DATA"
SMALL="$TEST_TMP/small"
mount_small "$SMALL" 16m
trap 'touch "$TEST_TMP/reader.stop"; umount -l "$SMALL" 2> /dev/null || true; cleanup' EXIT
DB="$SMALL/f.db"
# the importer's and SQLite's temporary files go to the disk with room: only the COMMIT is short
export TMPDIR="$TEST_TMP" SQLITE_TMPDIR="$TEST_TMP"
"$TESELAS" import "$D/inegi/AGEM_11020_old.geojson" --db "$DB" --layer municipio --quiet \
  > /dev/null || fail "import municipio"
mkdir "$TEST_TMP/defs"
printf '{"id": "muni", "source": "%s", "title": "Municipio"}\n' "$D/inegi/AGEM_11020_old.geojson" \
  > "$TEST_TMP/defs/muni.json"
"$TESELAS" publish "$TEST_TMP/defs" --db "$DB" --quiet > /dev/null || fail "publish muni"
# the log moves to the disk with room, the database's WAL folded in
sqlite3 "$DB.audit" "PRAGMA wal_checkpoint(TRUNCATE)" > /dev/null
mv "$DB.audit" "$TEST_TMP/audit.db"
rm -f "$DB.audit-wal" "$DB.audit-shm"
ln -s "$TEST_TMP/audit.db" "$DB.audit"
sqlite3 "$DB" "PRAGMA wal_checkpoint(TRUNCATE)" > /dev/null
# an idle reader keeps the database's WAL index (DB-shm, 32 KiB) in place: a writer needs it before
# its first page, and without it the import would stop at its start, before its line
{ echo "SELECT count(*) FROM teselas_layers;"
  while [ -d "$TEST_TMP" ] && [ ! -f "$TEST_TMP/reader.stop" ]; do sleep 0.2; done; } \
  | sqlite3 "$DB" > "$TEST_TMP/reader.out" 2>&1 &
READER=$!
for _ in $(seq 1 100); do [ -s "$TEST_TMP/reader.out" ] && break; sleep 0.05; done
[ -e "$DB-shm" ] || fail "the idle reader made no WAL index: $(cat "$TEST_TMP/reader.out")"
dump() { sqlite3 "$DB" .dump | sha256sum | cut -c1-64; }
log() { sqlite3 "$TEST_TMP/audit.db" "SELECT action || '|' || target || '|' || result || '|' ||
  detail FROM teselas_audit WHERE id > $1 ORDER BY id"; }
last_id() { sqlite3 "$TEST_TMP/audit.db" "SELECT coalesce(max(id), 0) FROM teselas_audit"; }

# fill the database's disk to the last byte (fallocate where it can, then bytes until ENOSPC)
avail_kb=$(df -k --output=avail "$SMALL" | tail -1)
[ "$avail_kb" -gt 64 ] && { fallocate -l $(((avail_kb - 64) * 1024)) "$SMALL/filler" 2> /dev/null \
  || fail "cannot fill the tmpfs"; }
dd if=/dev/zero of="$SMALL/filler2" bs=4096 > /dev/null 2>&1 || true # (ends at ENOSPC)
[ "$(df -k --output=avail "$SMALL" | tail -1)" -eq 0 ] || fail "the tmpfs still has room"
BEFORE=$(dump)

# refused CMD LAYER VERSION ARGS...: exit 1 saying the disk is full; the log's new lines are the
# version's "ok" and then its "failed"; the database unchanged
refused() {
  local cmd=$1 layer=$2 version=$3 rc=0 from; shift 3
  from=$(last_id)
  "$TESELAS" "$cmd" "$@" > "$TEST_TMP/$cmd.out" 2> "$TEST_TMP/$cmd.err" < /dev/null || rc=$?
  [ "$rc" = 1 ] || fail "$cmd on a full disk: exit $rc: $(cat "$TEST_TMP/$cmd.err")"
  grep -q "no space left" "$TEST_TMP/$cmd.err" || fail "$cmd: the reason is not said: $(cat "$TEST_TMP/$cmd.err")"
  log "$from" > "$TEST_TMP/$cmd.log"
  [ "$(wc -l < "$TEST_TMP/$cmd.log")" = 2 ] || fail "$cmd: the log's new lines: $(cat "$TEST_TMP/$cmd.log")"
  [ "$(sed -n 1p "$TEST_TMP/$cmd.log")" = "$cmd|$layer|ok|version $version" ] \
    || fail "$cmd: the first line: $(cat "$TEST_TMP/$cmd.log")"
  sed -n 2p "$TEST_TMP/$cmd.log" | grep -q "^$cmd|$layer|failed|version $version not published: .*no space left" \
    || fail "$cmd: no failed line after the ok: $(cat "$TEST_TMP/$cmd.log")"
  [ "$(dump)" = "$BEFORE" ] || fail "$cmd changed the database on a full disk"
  ok
}
refused import municipio 2 "$D/inegi/AGEM_11020_old.geojson" --db "$DB" --layer municipio \
  --force --quiet
refused publish muni 2 "$TEST_TMP/defs" --db "$DB" --quiet --force
echo "on a full disk: $(sed -n 2p "$TEST_TMP/publish.log")"

# room again: the same publish, its "ok" line alone
rm -f "$SMALL/filler" "$SMALL/filler2"
touch "$TEST_TMP/reader.stop"
wait "$READER" || fail "the idle reader: $(cat "$TEST_TMP/reader.out")"
from=$(last_id)
"$TESELAS" publish "$TEST_TMP/defs" --db "$DB" --quiet --force > "$TEST_TMP/out" 2>&1 \
  || fail "publish with room: $(cat "$TEST_TMP/out")"
[ "$(log "$from")" = "publish|muni|ok|version 2" ] || fail "publish with room: $(log "$from")"
ok
done_checks
