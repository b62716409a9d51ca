#!/usr/bin/env bash
# Import benchmark: teselas vs ogr2ogr (-f SQLite -dsco SPATIALITE=YES) on the same generated
# files, on the same machine, in one run.
#   bench/import/run.sh [BUILD_DIR]      (default: build)
# Files (deterministic, generated here): a 1,000,000-point CSV with Spanish headers and a
# 20,000-polygon GeoJSON around León. Prints a Markdown table (seconds and peak memory) to paste
# into bench/RESULTS.md, and keeps the raw timings in $OUT/results.txt. ROUNDS=N runs each N times.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build}
TESELAS=$PWD/$BUILD/teselas
OUT=${OUT:-/tmp/teselas-bench-import}
mkdir -p "$OUT"
[ -x "$TESELAS" ] || { echo "build teselas first ($TESELAS)"; exit 1; }

if [ ! -f "$OUT/puntos.csv" ]; then
  awk 'BEGIN { srand(42); print "id,nombre,tipo,fecha,latitud,longitud";
               split("robo,lesiones,daño,fraude,amenazas", t, ",");
               for (i = 1; i <= 1000000; i++)
                 printf "%d,incidente %d,%s,2025-%02d-%02d,%.6f,%.6f\n", i, i, t[1 + int(rand() * 5)],
                        1 + int(rand() * 12), 1 + int(rand() * 28),
                        20.9 + rand() * 0.35, -101.8 + rand() * 0.4 }' > "$OUT/puntos.csv"
fi
if [ ! -f "$OUT/poligonos.geojson" ]; then
  python3 - "$OUT/poligonos.geojson" <<'PY'
import json, math, random, sys
random.seed(42)
with open(sys.argv[1], "w") as f:
    f.write('{"type":"FeatureCollection","features":[\n')
    for i in range(20000):
        cx, cy = -101.8 + random.random() * 0.4, 20.9 + random.random() * 0.35
        n = random.randint(6, 40)
        r = 0.0005 + random.random() * 0.002
        ring = [[round(cx + r * (0.7 + 0.3 * random.random()) * math.cos(2 * math.pi * k / n), 7),
                 round(cy + r * (0.7 + 0.3 * random.random()) * math.sin(2 * math.pi * k / n), 7)]
                for k in range(n)]
        ring.append(ring[0])
        feat = {"type": "Feature", "properties": {"id": i + 1, "nombre": "parque %d" % (i + 1),
                "estado": random.choice(["rehabilitado", "en obra", "abandonado"]),
                "superficie_m2": round(random.random() * 50000, 1)},
                "geometry": {"type": "Polygon", "coordinates": [ring]}}
        f.write(("," if i else "") + json.dumps(feat) + "\n")
    f.write("]}\n")
PY
fi

# run NAME CMD...: wall seconds, CPU seconds (user + system) and peak RSS (MiB) of one command,
# on a fresh database; appended to results.txt
run() {
  local name=$1; shift
  rm -f "$OUT"/*.db "$OUT"/*.db-wal "$OUT"/*.db-shm
  sync
  /usr/bin/time -f "%e %U %S %M" -o "$OUT/time.txt" "$@" > "$OUT/$name.log" 2>&1
  read -r secs user sys kb < "$OUT/time.txt"
  printf '%s %s %.2f %s\n' "$name" "$secs" "$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')" "$((kb / 1024))" | tee -a "$OUT/results.txt"
}
: > "$OUT/results.txt"
# Each tool runs ROUNDS times, alternating, so a busy machine hurts both alike; the table keeps
# each tool's fastest run.
ROUNDS=${ROUNDS:-2}
# ogr2ogr with teselas's page cache: the writer sets 64 MiB (PRAGMA cache_size), GDAL's SQLite
# driver takes OGR_SQLITE_CACHE in MiB
export OGR_SQLITE_CACHE=64
echo "$(date -u +%Y-%m-%dT%H:%MZ), load $(cut -d' ' -f1-3 /proc/loadavg); bench/import/run.sh $BUILD, ROUNDS=$ROUNDS, OGR_SQLITE_CACHE=64"
for _ in $(seq 1 "$ROUNDS"); do
  # the generated types include «lesiones»: an import of incidents against people refuses to
  # publish exact points unless told so (ogr2ogr applies no policy either)
  run teselas-csv "$TESELAS" import "$OUT/puntos.csv" --db "$OUT/t.db" --layer puntos --privacy none
  run ogr2ogr-csv ogr2ogr -f SQLite -dsco SPATIALITE=YES "$OUT/o.db" "$OUT/puntos.csv" \
    -oo X_POSSIBLE_NAMES=longitud -oo Y_POSSIBLE_NAMES=latitud -oo AUTODETECT_TYPE=YES -a_srs EPSG:4326
  run teselas-geojson "$TESELAS" import "$OUT/poligonos.geojson" --db "$OUT/t.db" --layer poligonos
  run ogr2ogr-geojson ogr2ogr -f SQLite -dsco SPATIALITE=YES "$OUT/o.db" "$OUT/poligonos.geojson"
done

echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| file | teselas import | ogr2ogr -f SQLite -dsco SPATIALITE=YES | ratio, wall (CPU) |"
echo "| --- | --- | --- | --- |"
awk '{ if (!($1 in t) || $2 < t[$1]) { t[$1] = $2; c[$1] = $3; m[$1] = $4 } }
     END { split("csv geojson", k, " "); label["csv"] = "1,000,000-point CSV"; label["geojson"] = "20,000-polygon GeoJSON";
           for (i = 1; i <= 2; i++) {
             a = "teselas-" k[i]; b = "ogr2ogr-" k[i]
             printf "| %s | %.2f s wall, %.2f s CPU, %d MiB | %.2f s wall, %.2f s CPU, %d MiB | %.2f (%.2f) |\n", label[k[i]],
                    t[a], c[a], m[a], t[b], c[b], m[b], t[a] / t[b], c[a] / c[b] } }' "$OUT/results.txt"
