#!/usr/bin/env bash
# Box pages of a dense point layer over PostgreSQL/PostGIS are the SpatiaLite file's pages byte
# for byte (same features, same order, at every limit and offset), and walking their next links
# returns each of the box's points once, as Python selects them from the source CSV
# (tests/postgis/pg_pages.py). Boxes' edges lie on columns of points, where the spatial index's
# float32 boxes cross the edge. Skips (exit 77) without PostgreSQL and PostGIS.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../postgis/lib.sh"
source "$(dirname "$0")/../postgis/pg_lib.sh"
pg_test_start
python3 "$(dirname "$0")/../postgis/pg_pages.py" "$TESELAS" "$(pg_uri)" "$TEST_TMP/pages" ||
  fail "SpatiaLite and PostgreSQL pages differ, or a walk missed or repeated a feature: see above"
ok
done_checks
