#!/usr/bin/env bash
# Hostile files (tests/data/hostile, the large ones made by make_hostile.py): a zip bomb, zip and
# KMZ entries named with ".." or an absolute path, a VRT pointing at /etc/passwd, GeoJSON and CSV
# naming /vsicurl/ and /vsizip/ paths, a GeoJSON whose CRS is a link to a loopback listener, a KML
# and a KMZ with a NetworkLink to it, billion laughs, external entities reading /etc/passwd (KML,
# GPX), a .dbf claiming a billion records, a CSV of one 100 MB line. Each import exits 1 with one
# line naming the file, the line when there is one, and the reason; the listener receives no
# request; strace shows no file opened outside the input, the database and the libraries; the
# database file has the same SHA-256 afterwards. Controls: GDAL's own ogrinfo, unrestricted, does
# read /etc/passwd through the VRT and does call the listener for the CRS link.
source "$(dirname "$0")/lib.sh"
H="$TESELAS_TEST_DATA/hostile"
W="$TEST_TMP/in"
DB="$TEST_TMP/db/hostile.db"
mkdir -p "$W" "$TEST_TMP/db"
command -v strace > /dev/null || skip "strace is not installed (scripts/install-deps.sh)"
strace -f -e trace=openat -o /dev/null true 2> /dev/null || skip "strace cannot trace here (ptrace denied)"

python3 "$(dirname "$0")/hits_server.py" "$TEST_TMP/port" "$TEST_TMP/hits" &
LISTENER=$!
trap 'kill $LISTENER 2>/dev/null; cleanup' EXIT
for _ in $(seq 1 100); do [ -f "$TEST_TMP/port" ] && break; sleep 0.05; done
PORT=$(cat "$TEST_TMP/port")

# the listener records what reaches it (control), then starts from zero
curl -s -o /dev/null "http://127.0.0.1:$PORT/control" || true
grep -q "GET /control" "$TEST_TMP/hits" || fail "the listener does not record requests"
: > "$TEST_TMP/hits"

cp "$H"/*.vrt "$H"/*.kml "$H"/*.gpx "$H"/*.geojson "$H"/*.csv "$W/"
sed "s/@PORT@/$PORT/" "$H/networklink.kml.in" > "$W/networklink.kml"
sed "s/@PORT@/$PORT/" "$H/crs_link.geojson.in" > "$W/crs_link.geojson"
python3 "$H/make_hostile.py" "$W" "$PORT"

# a database with a published layer to protect (third-party data)
"$TESELAS" import "$TESELAS_TEST_DATA/inegi/AGLOC_11020_localidades.csv" --db "$DB" --layer localidades > /dev/null
SUM=$(sha256sum < "$DB")

# controls: the files are hostile for GDAL left to itself
if command -v ogrinfo > /dev/null; then
  strace -f -e trace=openat -o "$TEST_TMP/control.trace" ogrinfo -ro -al -q "$W/passwd.vrt" > /dev/null 2>&1 || true
  grep -q '"/etc/passwd"' "$TEST_TMP/control.trace" || fail "control: ogrinfo did not open /etc/passwd through the VRT"
  ogrinfo -ro -al -q "$W/crs_link.geojson" > /dev/null 2>&1 || true
  grep -q "GET /crs_link.prj" "$TEST_TMP/hits" || fail "control: ogrinfo did not call the listener for the CRS link"
  : > "$TEST_TMP/hits"
  ok
fi

# The paths an import may open: the input folder, the database, the report asked for, temporary files, the
# libraries and their configuration (GDAL's gdalrc, PROJ's proj.db and user folder).
allowed() {
  case "$1" in
    "$W"|"$W"/*|"$TEST_TMP/db"|"$DB"|"$DB"-*|"$REPORT"|"${TMPDIR:-/tmp}"/teselas-import-*) return 0 ;;
    /usr/*|/lib/*|/lib64/*|/proc/*|/sys/*|/dev/*|/etc/ld.so.*|/etc/localtime|/etc/gdal/*) return 0 ;;
    "$HOME"/.gdal/*|"$HOME"/.local/share/proj|"$HOME"/.local/share/proj/*) return 0 ;;
  esac
  return 1
}

# hostile FILE 'reason substring' [flags...]: refused, one line naming the file, nothing read
# outside, nothing requested from the listener, the database unchanged
hostile() {
  local file=$1 msg=$2; shift 2
  local name; name=$(basename "$file")
  REPORT="$TEST_TMP/$name.json"
  # run twice: traced (LeakSanitizer cannot run under ptrace, so leaks are off there), then
  # plainly, for the message, the exit status and a sanitizer's silence
  strace -f -e trace=openat -o "$TEST_TMP/$name.trace" env ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" \
    "$TESELAS" import "$W/$file" --db "$DB" --layer intento "$@" > /dev/null 2>&1 || true
  set +e
  "$TESELAS" import "$W/$file" --db "$DB" --layer intento --report "$REPORT" "$@" \
    > "$TEST_TMP/$name.txt" 2> "$TEST_TMP/$name.err"
  local rc=$?
  set -e
  # stderr is the one line and nothing else (a sanitizer's report would be more lines)
  cp "$TEST_TMP/$name.err" "$TEST_TMP/$name.msg"
  [ $rc = 1 ] || fail "$file: exit $rc, expected 1: $(cat "$TEST_TMP/$name.err")"
  [ "$(wc -l < "$TEST_TMP/$name.msg")" = 1 ] || fail "$file: not one line: $(cat "$TEST_TMP/$name.msg")"
  grep -qF -- "$name" "$TEST_TMP/$name.msg" || fail "$file: the message does not name the file: $(cat "$TEST_TMP/$name.msg")"
  grep -qF -- "$msg" "$TEST_TMP/$name.msg" || fail "$file: the message lacks '$msg': $(cat "$TEST_TMP/$name.msg")"
  grep -q "RECHAZADA, la capa publicada no cambió" "$TEST_TMP/$name.txt" || fail "$file: no rejection in the report"
  python3 -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(d['status'] != 'rejected')" \
    "$TEST_TMP/$name.json" || fail "$file: JSON report status"
  ! grep -q "root:" "$TEST_TMP/$name.txt" "$TEST_TMP/$name.json" "$TEST_TMP/$name.msg" \
    || fail "$file: /etc/passwd's content in the output"
  ! grep -q '"/etc/passwd"' "$TEST_TMP/$name.trace" || fail "$file: /etc/passwd was opened"
  local p
  while read -r p; do
    allowed "$p" || fail "$file: opened $p, outside the input"
  done < <(sed -n 's/.*openat([^"]*"\([^"]*\)".*/\1/p' "$TEST_TMP/$name.trace" | sort -u)
  [ ! -s "$TEST_TMP/hits" ] || fail "$file: the listener got $(cat "$TEST_TMP/hits")"
  [ "$(sha256sum < "$DB")" = "$SUM" ] || fail "$file: the database changed"
  [ ! -e /tmp/teselas-evil.shp ] && [ ! -e "$W/../../evil.shp" ] || fail "$file: an entry was extracted"
  ok
}

hostile zip_bomb.zip "se expande 1028 veces"
hostile zip_bomb.zip "descomprimido ocuparía más de 100 MB" --max-zip-ratio 100000 --max-unzipped-mb 100
hostile dotdot.zip "la entrada '../../evil.shp' sale del archivo"
hostile absolute.zip "la entrada '/tmp/teselas-evil.shp' sale del archivo"
hostile dotdot.kmz "la entrada '../doc.kml' sale del archivo"
hostile passwd.vrt "es un VRT, que remite a otros archivos"
hostile vsicurl.geojson "línea 2: el archivo nombra una ruta virtual de GDAL"
hostile vsizip.csv "línea 2: el archivo nombra una ruta virtual de GDAL"
hostile crs_link.geojson "pide descargar http://127.0.0.1:$PORT/crs_link.prj"
hostile networklink.kml "línea 4: el documento tiene un NetworkLink"
hostile networklink.kmz "(doc.kml), línea 4: un NetworkLink apunta fuera del archivo"
hostile billion_laughs.kml "línea 2: el documento declara un DOCTYPE"
hostile xxe.kml "línea 2: el documento declara un DOCTYPE"
hostile xxe.gpx "línea 2: el documento declara un DOCTYPE"
hostile billion_dbf.shp "dice tener 1000000000 registros; el límite es 10000000"
hostile line_100mb.csv "línea 2: la línea pasa de 16384 KB"
# the other bounds, lowered so that a small real file reaches them
cp "$TESELAS_TEST_DATA/inegi/AGLOC_11020_localidades.csv" "$W/localidades.csv"
hostile localidades.csv "tiene 161 líneas de datos; el límite es 100" --max-rows 100
hostile localidades.csv "campos; el límite es 5" --max-fields 5
hostile line_100mb.csv "ocupa 100 MB: el límite es 50 MB" --max-file-mb 50
hostile localidades.csv "--source-srs '/etc/passwd' nombra un archivo" --source-srs /etc/passwd
echo "PASS: $N_CHECKS checks"
