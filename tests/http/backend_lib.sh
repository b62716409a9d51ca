# tests/http/backend_lib.sh — one test, either backend: TESELAS_TEST_BACKEND=postgis runs a
# test written for a SpatiaLite file against a private PostgreSQL cluster instead (the catalogue,
# accounts, sessions and audit log in schema `teselas`); unset or `spatialite`, the file. Source
# after lib.sh.
#
#   backend_open FILE     # postgis: the cluster started (or a skip), FILE copied into it when it
#                         # exists; sets DB to what --db takes (FILE, or the URI) and BACKEND
#   backend_sql SQL       # a query on the catalogue's tables (sqlite3 or psql, unaligned)
#   backend_audit_sql SQL # the same on the audit log (DB.audit, or the schema's teselas_audit)
#   backend_dump          # the database as text without the audit log, the server's usage
#                         # counts and download digests: what a refused request leaves as it was
#                         # (pg_dump's \restrict lines carry a random key: left out); over
#                         # PostgreSQL, arguments go to pg_dump (-T TABLE: leave one out)
#   backend_secret_files  # files where no secret may appear (the database's files, or a dump)
#   backend_tables_like P # how many tables of the catalogue have a name LIKE P
#   backend_add FILE NAME # another database, after backend_open: FILE itself, or the URI of a
#                         # copy of FILE in schema NAME of the same cluster

BACKEND=${TESELAS_TEST_BACKEND:-spatialite}

backend_open() {
  DB=$1
  case $BACKEND in
    spatialite) command -v sqlite3 >/dev/null || skip "sqlite3 is not installed" ;;
    postgis)
      source "$(dirname "${BASH_SOURCE[0]}")/../postgis/lib.sh"
      source "$(dirname "${BASH_SOURCE[0]}")/../postgis/pg_lib.sh"
      command -v pg_dump >/dev/null || skip "pg_dump is not installed"
      pg_test_start
      DB=$(pg_uri)
      if [ -f "$1" ]; then
        "$TESELAS" copy --from "$1" --to "$DB" >/dev/null || fail "copy of $1 into PostgreSQL"
      fi
      ;;
    *) fail "TESELAS_TEST_BACKEND: spatialite or postgis, not $BACKEND" ;;
  esac
}

backend_sql() {
  if [ "$BACKEND" = postgis ]; then
    PGOPTIONS="-c search_path=teselas,public" "${PSQL[@]}" -At -c "$1"
  else
    sqlite3 "$DB" "$1"
  fi
}

backend_audit_sql() {
  if [ "$BACKEND" = postgis ]; then backend_sql "$1"; else sqlite3 "$DB.audit" "$1"; fi
}

# backend_audit_refuse NAME CONDITION: a trigger NAME on the audit log refuses every line for
# which CONDITION (an SQL expression over NEW, the same in SQLite and PostgreSQL) holds, as a full
# disk or a broken log would; backend_audit_take NAME drops it.
backend_audit_refuse() {
  if [ "$BACKEND" = postgis ]; then
    backend_sql "CREATE FUNCTION $1() RETURNS trigger LANGUAGE plpgsql AS
      \$f\$ BEGIN IF $2 THEN RAISE EXCEPTION 'the test refuses this line'; END IF;
      RETURN NEW; END \$f\$;
      CREATE TRIGGER $1 BEFORE INSERT ON teselas_audit FOR EACH ROW EXECUTE FUNCTION $1()" >/dev/null
  else
    sqlite3 "$DB.audit" "CREATE TRIGGER $1 BEFORE INSERT ON teselas_audit
      WHEN $2 BEGIN SELECT RAISE(ABORT, 'the test refuses this line'); END"
  fi
}

backend_audit_take() {
  if [ "$BACKEND" = postgis ]; then
    backend_sql "DROP TRIGGER $1 ON teselas_audit; DROP FUNCTION $1()" >/dev/null
  else
    sqlite3 "$DB.audit" "DROP TRIGGER $1"
  fi
}

backend_dump() {
  if [ "$BACKEND" = postgis ]; then
    pg_dump -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -n teselas --no-owner "$@" \
      -T teselas.teselas_audit -T teselas.teselas_audit_id_seq -T teselas.teselas_usage \
      -T teselas.teselas_download_digests | grep -v '^--\|^$\|^\\\(un\)\?restrict '
  else
    sqlite3 "$DB" .dump | grep -v 'teselas_usage\|teselas_download_digests'
  fi
}

backend_secret_files() {
  if [ "$BACKEND" = postgis ]; then
    pg_dump -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -n teselas >"$TEST_TMP/all.sql"
    echo "$TEST_TMP/all.sql"
  else
    local f
    for f in "$DB" "$DB-wal" "$DB.audit" "$DB.audit-wal"; do [ -f "$f" ] && echo "$f"; done
    return 0
  fi
}

backend_tables_like() {
  if [ "$BACKEND" = postgis ]; then
    backend_sql "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'teselas'
                 AND table_name LIKE '$1'"
  else
    sqlite3 "$DB" "SELECT count(*) FROM sqlite_master WHERE name LIKE '$1'"
  fi
}

backend_add() {
  if [ "$BACKEND" = postgis ]; then
    "$TESELAS" copy --from "$1" --to "$(pg_uri)" --db-schema "$2" >/dev/null ||
      fail "copy of $1 into PostgreSQL"
    pg_uri "$2"
  else
    echo "$1"
  fi
}
