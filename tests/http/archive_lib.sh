# archive_lib.sh — what the archive tests share: a database made only from third-party files
# (Natural Earth's countries, INEGI's León localidades) and a PMTiles archive of it written by
# `teselas seed`. Source it after lib.sh.

# third_party_archive: sets $TP_DB and $TP_ARCHIVE (zooms 0-5: both layers, leaf directories not
# needed at that size; the npm reader reads every tile of it).
third_party_archive() {
  "$TESELAS" seed --help >/dev/null 2>&1 || skip "this build has no \`teselas seed\`"
  local data=${TESELAS_TEST_DATA:?}
  TP_DB="$TEST_TMP/thirdparty.db"
  TP_ARCHIVE="$TEST_TMP/thirdparty.pmtiles"
  "$TESELAS" import "$data/naturalearth/naturalearth_lowres.shp" --db "$TP_DB" --layer paises \
    >"$TEST_TMP/import.log" 2>&1 || fail "import of Natural Earth: $(tail -3 "$TEST_TMP/import.log")"
  "$TESELAS" import "$data/inegi/AGLOC_11020_localidades.csv" --db "$TP_DB" --layer localidades \
    >>"$TEST_TMP/import.log" 2>&1 || fail "import of INEGI localidades: $(tail -3 "$TEST_TMP/import.log")"
  "$TESELAS" seed --db "$TP_DB" --layers paises,localidades --zoom 0-5 --out "$TP_ARCHIVE" \
    --quiet >"$TEST_TMP/seed.log" 2>&1 || fail "seed: $(tail -3 "$TEST_TMP/seed.log")"
}
