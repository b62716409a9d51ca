#!/usr/bin/env bash
# backend_teselas.sh — $TESELAS for the HTTP suite on PostgreSQL (tests/postgis/backend_lib.sh):
#  - `serve --db FILE` becomes `serve --db postgresql://… --db-schema S` after `teselas copy` of
#    FILE into a fresh schema S (recorded in $TESELAS_BACKEND_MAP);
#  - a write (`import`, `publish`, `remove`, `rollback`) to a FILE that a server reads that way
#    runs on the file (the test's expectations read it) and then, when it succeeded, the same
#    command on each schema copied from FILE, so the server sees it as it would see the file's;
#  - every other command, and a serve of what is no teselas file (the tests of bad databases
#    expect the server's own words about it), runs the real binary as is.
set -euo pipefail
real=${TESELAS_BACKEND_REAL:?}
uri=${TESELAS_BACKEND_PG_URI:?}
map=${TESELAS_BACKEND_MAP:?}
args=("$@")
db="" at="" form=""
for i in "${!args[@]}"; do
  case "${args[$i]}" in
    --db) db=${args[$((i + 1))]:-} at=$((i + 1)) form=separate ;;
    --db=*) db=${args[$i]#--db=} at=$i form=joined ;;
  esac
done
case "$db" in ""|postgres://*|postgresql://*) exec "$real" "$@" ;; esac
with_db() { # with_db URI: the arguments with --db URI
  if [ "$form" = joined ]; then args[$at]="--db=$1"; else args[$at]=$1; fi
}
case "${1:-}" in
  serve)
    sqlite3 -readonly "$db" "SELECT 1 FROM teselas_layers LIMIT 0" >/dev/null 2>&1 || exec "$real" "$@"
    schema="s$$"
    out=$("$real" copy --from "$db" --to "$uri" --db-schema "$schema" 2>&1) ||
      { echo "backend postgis: teselas copy of $db failed: $out" >&2; exit 1; }
    printf '%s\t%s\n' "$(realpath "$db")" "$schema" >>"$map"
    with_db "$uri"
    exec "$real" "${args[@]}" --db-schema "$schema" ;;
  import|publish|remove|rollback)
    schemas=""
    [ -f "$map" ] && schemas=$(awk -F'\t' -v f="$(realpath -m "$db")" '$1 == f { print $2 }' "$map")
    [ -n "$schemas" ] || exec "$real" "$@"
    rc=0
    "$real" "$@" || rc=$?
    [ "$rc" = 0 ] || exit "$rc"
    for schema in $schemas; do
      with_db "$uri?options=-csearch_path%3D$schema%2Cpublic"
      out=$("$real" "${args[@]}" 2>&1 >/dev/null) ||
        { echo "backend postgis: the same $1 on schema $schema failed: $out" >&2; exit 1; }
    done ;;
  *) exec "$real" "$@" ;;
esac
