#!/usr/bin/env bash
# backend_teselas.sh — $TESELAS for the HTTP suite on PostgreSQL (tests/postgis/backend_lib.sh):
# `serve --db FILE` becomes `serve --db postgresql://… --db-schema S` after `teselas copy` of
# FILE into a fresh schema S; every other command, and a serve of what is no teselas file (the
# tests of bad databases expect the server's own words about it), runs the real binary as is.
set -euo pipefail
real=${TESELAS_BACKEND_REAL:?}
uri=${TESELAS_BACKEND_PG_URI:?}
[ "${1:-}" = serve ] || exec "$real" "$@"
args=("$@")
db="" at="" form=""
for i in "${!args[@]}"; do
  case "${args[$i]}" in
    --db) db=${args[$((i + 1))]:-} at=$((i + 1)) form=separate ;;
    --db=*) db=${args[$i]#--db=} at=$i form=joined ;;
  esac
done
case "$db" in ""|postgres://*|postgresql://*) exec "$real" "$@" ;; esac
sqlite3 -readonly "$db" "SELECT 1 FROM teselas_layers LIMIT 0" >/dev/null 2>&1 || exec "$real" "$@"
schema="s$$"
out=$("$real" copy --from "$db" --to "$uri" --db-schema "$schema" 2>&1) ||
  { echo "backend postgis: teselas copy of $db failed: $out" >&2; exit 1; }
if [ "$form" = joined ]; then args[$at]="--db=$uri"; else args[$at]=$uri; fi
exec "$real" "${args[@]}" --db-schema "$schema"
