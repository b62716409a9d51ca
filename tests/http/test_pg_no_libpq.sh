#!/usr/bin/env bash
# libpq is opened on the first PostgreSQL connection (store/pq_load.c), not linked: on a host
# where it cannot be loaded, a command given a postgresql:// database says so and exits 1 — it
# never crashes on the clean-up after the failed connection. `teselas-seed` (which maps no GDAL,
# and so no libpq through it) is run with a stand-in `libpq.so.5` first on its library path that
# has none of libpq's functions; a SpatiaLite file is still seeded by the same binary there.
source "$(dirname "$0")/lib.sh"
command -v cc > /dev/null || skip "no C compiler to build the stand-in library"
SEED_BIN="$(dirname "${TESELAS_BACKEND_REAL:-$TESELAS}")/teselas-seed"
[ -x "$SEED_BIN" ] || fail "teselas-seed missing beside $TESELAS"
mkdir -p "$TEST_TMP/lib"
echo "int teselas_stand_in;" > "$TEST_TMP/lib/stand_in.c"
cc -shared -fPIC -Wl,-soname,libpq.so.5 -o "$TEST_TMP/lib/libpq.so.5" "$TEST_TMP/lib/stand_in.c" ||
  fail "cannot build the stand-in library"

RC=0
LD_LIBRARY_PATH="$TEST_TMP/lib" "$SEED_BIN" --db postgresql://127.0.0.1:1/nada --layers a --zoom 0-1 \
  --out "$TEST_TMP/a.pmtiles" > "$TEST_TMP/out" 2>&1 || RC=$?
[ "$RC" = 1 ] || fail "exit $RC (1 expected, >128 is a crash): $(cat "$TEST_TMP/out")"
grep -q "cannot load libpq (libpq.so" "$TEST_TMP/out" || fail "the reason is not given: $(cat "$TEST_TMP/out")"
ok
[ ! -e "$TEST_TMP/a.pmtiles" ] || fail "a file was left under the archive's name"
ok

# the same binary with the same library path still seeds a SpatiaLite file
"$TESELAS" import "$TESELAS_TEST_DATA/inegi/AGEM_11020_old.geojson" --db "$TEST_TMP/f.db" --layer municipio \
  --quiet > "$TEST_TMP/out" 2>&1 || fail "import: $(cat "$TEST_TMP/out")"
LD_LIBRARY_PATH="$TEST_TMP/lib" "$SEED_BIN" --db "$TEST_TMP/f.db" --layers municipio --zoom 0-6 \
  --out "$TEST_TMP/m.pmtiles" > "$TEST_TMP/out" 2>&1 || fail "seed of a file: $(cat "$TEST_TMP/out")"
[ -s "$TEST_TMP/m.pmtiles" ] || fail "no archive"
ok
done_checks
