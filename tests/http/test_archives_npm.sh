#!/usr/bin/env bash
# The npm `pmtiles` reader (the one MapLibre's pmtiles:// protocol uses) reads an archive seeded
# from third-party layers through teselas's /archives/NAME.pmtiles with range requests: header,
# metadata and the tile at every address of zooms 0-5 equal what it reads from the file, and
# /tiles/NAME/z/x/y.pbf answers each address with those bytes (204 where there is no tile).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/archive_lib.sh"
command -v node >/dev/null || skip "node is not installed"
third_party_archive
start_server "$TP_DB" --archive mundo="$TP_ARCHIVE" --quiet
rc=0
node "$(dirname "$0")/../tiles/check_archive_served.mjs" "$TP_ARCHIVE" "$BASE" mundo \
  >"$TEST_TMP/body" 2>"$TEST_TMP/node.err" || rc=$?
[ "$rc" = 77 ] && skip "$(cat "$TEST_TMP/body")"
[ "$rc" = 0 ] || fail "the npm reader failed: $(tail -5 "$TEST_TMP/node.err")"
expect_json "d['header_same'] and d['metadata_same']"
expect_json "d['etag'] and d['etag'].startswith('\"pm-')"
expect_json "d['addresses'] == 1365 and d['tiles'] > 100"
expect_json "d['mismatches'] == []"
expect_json "d['header']['minZoom'] == 0 and d['header']['maxZoom'] == 5 and d['header']['tileType'] == 1"
stop_server
done_checks
