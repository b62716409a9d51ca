#!/usr/bin/env bash
# bench/seed/gzip_levels.sh ARCHIVE.mbtiles — the tiles of a vector MBTiles archive (a seed's, e.g.
# the one bench/seed/like.sh writes) gunzip'd and gzip'd again by libdeflate at levels 1-9 and by
# zlib at levels 1 and 6 (gzip_levels.c): CPU seconds and bytes of each, one process, one core.
# bench/seed/gzip_levels.sh ARCHIVE.pmtiles PURGE.txt REPEAT — the same for the tiles a purge list
# names (those an incremental seed gzips again, pmtiles_raw.py), the set REPEAT times.
set -euo pipefail
args=(); for a in "$@"; do [ -e "$a" ] && a=$(realpath "$a"); args+=("$a"); done
set -- "${args[@]}"
cd "$(dirname "$0")"
[ -f "${1:-}" ] && { [ $# -eq 1 ] || [ $# -eq 3 ]; } ||
  { echo "usage: $0 ARCHIVE.mbtiles | ARCHIVE.pmtiles PURGE.txt REPEAT" >&2; exit 2; }
W=$(mktemp -d "${TMPDIR:-/tmp}/teselas-bench-gzip-XXXXXX")
trap 'rm -rf "$W"' EXIT
cc -O2 -o "$W/gzip_levels" gzip_levels.c -ldeflate -lz
if [ $# -eq 3 ]; then python3 pmtiles_raw.py "$1" "$2" "$3" > "$W/tiles.bin"; else
python3 - "$1" > "$W/tiles.bin" <<'PY'
import gzip, sqlite3, sys
for (d,) in sqlite3.connect(sys.argv[1]).execute("SELECT tile_data FROM tiles"):
    r = gzip.decompress(d)
    sys.stdout.buffer.write(len(r).to_bytes(4, "little") + r)
PY
fi
echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(basename "$1"), load $(cut -d' ' -f1-3 /proc/loadavg)"
"$W/gzip_levels" < "$W/tiles.bin"
