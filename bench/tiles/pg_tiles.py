#!/usr/bin/env python3
"""PostGIS as the tile benchmark's peer, run as its best users run it: prepared statements,
binary results (psycopg 3), one connection per process, one process per core, uncached.

    pg_tiles.py setup CONNINFO LAYER COLS KIND MAXZOOM
        LAYER is a table loaded by tests/postgis/lib.sh (geometry in EPSG:4326 with GiST indexes
        on geom and on ST_Transform(geom, 3857): the data as published). Adds LAYER_3857 (the
        same rows, same heap order, geometry stored in EPSG:3857 with a GiST index) and a
        function source tl_LAYER(z, x, y) RETURNS bytea, as Martin users write them, that
        generalises as teselas does (tileserver/tiles/build.c, cluster.c, gen/grid.c): KIND
        "points" of more than 2,000 rows clusters on the tile-aligned 16-px grid below
        min(MAXZOOM, 14), and from there on a 4-px grid in a tile whose buffered box (the tile and
        its 64-unit buffer, the box a plain tile is written from) holds more than 20,000 points;
        a cell of one point is written as that point with its id and attributes, a cell of
        several at the mean of its points (kept within an eighth of a cell of the cell's middle) with point_count and cluster = true and no id, each
        only when it lies in the buffered tile. Other kinds drop features under one pixel on
        both axes below MAXZOOM.
    pg_tiles.py run CONNINFO VARIANT LAYER COLS Z TILES BUDGET_S PROCS [POSTMASTER_PID]
        VARIANT: 4326 (ST_Transform per row, the expression index: the Martin/pg_tileserv SQL on
        the data as published), 3857 (the same SQL on LAYER_3857), alike (tl_LAYER). Asks the
        tiles of zoom Z of the list TILES (lines "z x y"), PROCS processes each its share in
        order, for at most BUDGET_S seconds (a query under way is not stopped). Prints JSON:
        tiles, seconds, tiles_per_s, p50_ms, and stats: bytes and features (bench/tiles/
        mvtstat.py) of each distinct tile answered, "z/x/y": [bytes, features].
        With POSTMASTER_PID, warmed and timed as teselas is in bench/tiles/run.sh: each process
        asks its distinct tiles once on its connection first, then its share of the list over and
        over until BUDGET_S (as wrk cycles it), and cpu_s is the CPU time of PostgreSQL
        (the postmaster, its backends and what it reaped) from the moment all are warm until all
        have finished, their backends still alive (so a backend's start is not counted either).
"""
import itertools
import json
import multiprocessing as mp
import os
import queue
import statistics
import sys
import time

import psycopg

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mvtstat  # noqa: E402

BUFFER = 64
# teselas's clustering rule (tileserver/gen/gen.h, tileserver/tiles/tiles.h)
CLUSTER_MIN_FEATURES = 2000     # GEN_CLUSTER_MIN_FEATURES
CLUSTER_BELOW_ZOOM = 14         # GEN_CLUSTER_BELOW_ZOOM
CLUSTER_KEEP = 0.125            # GEN_CLUSTER_KEEP
POINT_BUDGET = 20000            # TILES_POINT_BUDGET


def q(ident):
    return '"%s"' % ident.replace('"', '""')


def tile_sql(table, layer, cols, geom, zxy="z, x, y", extra="", into=""):
    """The Martin/pg_tileserv tile SQL; geom is the expression of the 3857 geometry, zxy the
    tile's address (variables of a function, or the statement's parameters)."""
    sel = "".join("%s, " % q(c) for c in cols)
    return ("SELECT COALESCE(ST_AsMVT(t, '%s', 4096, 'geom', 'fid'), '')%s FROM ("
            "SELECT fid, %sST_AsMVTGeom(%s, ST_TileEnvelope(%s), 4096, %d, true) AS geom "
            "FROM %s WHERE %s && ST_TileEnvelope(%s, margin => %d / 4096.0)%s) t "
            "WHERE geom IS NOT NULL" % (layer, into, sel, geom, zxy, BUFFER, q(table), geom, zxy,
                                        BUFFER, extra))


def setup(conninfo, layer, cols, kind, maxzoom):
    t3857 = layer + "_3857"
    sel = "".join("%s, " % q(c) for c in cols)
    with psycopg.connect(conninfo, autocommit=True) as c:
        c.execute("DROP TABLE IF EXISTS %s" % q(t3857))
        # (points are stored as the loader wrote them, MULTIPOINT of one: ST_XMin is their x)
        # same heap order as the published table (the loader wrote it in teselas's curve order)
        c.execute("CREATE TABLE %s AS SELECT fid, %sST_Transform(geom, 3857)::geometry(Geometry, 3857) AS geom "
                  "FROM %s ORDER BY ctid" % (q(t3857), sel, q(layer)))
        c.execute("CREATE INDEX ON %s USING gist (geom)" % q(t3857))
        c.execute("VACUUM ANALYZE %s" % q(t3857))
        fn = q("tl_" + layer)
        raw = tile_sql(t3857, layer, cols, "geom", into=" INTO res")
        if kind == "points":
            # && compares the index's float4 boxes, rounded outward (about 1 m at León's x), and
            # ST_AsMVTGeom clips after rounding to the grid: both keep points up to a unit
            # beyond the buffer that teselas, clipping exact positions, leaves out. The exact
            # tests on each point's coordinates below make the two agree to the point.
            inside = (" AND ST_XMin(geom) BETWEEN bx0 AND bx1 AND ST_YMin(geom) BETWEEN by0 AND by1")
            raw = tile_sql(t3857, layer, cols, "geom", into=" INTO res", extra=inside)
            n_rows = c.execute("SELECT count(*) FROM %s" % q(layer)).fetchone()[0]
            below = min(maxzoom, CLUSTER_BELOW_ZOOM) if n_rows > CLUSTER_MIN_FEATURES else 0
            first = "".join("CASE WHEN n = 1 THEN v_%s END AS %s, " % (c, q(c)) for c in cols)
            agg = "".join("min(%s) AS v_%s, " % (q(c), c) for c in cols)
            body = """
DECLARE
  env geometry := ST_TileEnvelope(z, x, y);
  benv geometry := ST_TileEnvelope(z, x, y, margin => %(buf)d / 4096.0);
  bx0 double precision := ST_XMin(benv);
  bx1 double precision := ST_XMax(benv);
  by0 double precision := ST_YMin(benv);
  by1 double precision := ST_YMax(benv);
  cell double precision;
  res bytea;
BEGIN
  IF z < %(below)d THEN
    cell := (ST_XMax(env) - ST_XMin(env)) / 16;
  -- counted on the buffered tile, as teselas counts the features of the plain tile it writes
  ELSIF (SELECT count(*) FROM (SELECT 1 FROM %(t)s WHERE geom && benv%(inside)s
         LIMIT %(budget1)d) s) > %(budget)d THEN
    cell := (ST_XMax(env) - ST_XMin(env)) / 64;
  END IF;
  IF cell IS NULL THEN
    %(raw)s;
  ELSE
    SELECT ST_AsMVT(t, '%(layer)s', 4096, 'geom', 'fid') INTO res FROM (
      SELECT CASE WHEN n = 1 THEN fid END AS fid, %(first)s
             CASE WHEN n > 1 THEN n END AS point_count, CASE WHEN n > 1 THEN true END AS cluster,
             -- several points: their mean kept near the cell's middle (gen_cluster_axis)
             ST_AsMVTGeom(ST_SetSRID(CASE WHEN n = 1 THEN ST_MakePoint(sx, sy) ELSE ST_MakePoint(
               LEAST(GREATEST(sx, ST_XMin(env) + (gx + 0.5 - %(keep)s) * cell), ST_XMin(env) + (gx + 0.5 + %(keep)s) * cell),
               LEAST(GREATEST(sy, ST_YMax(env) - (gy + 0.5 + %(keep)s) * cell), ST_YMax(env) - (gy + 0.5 - %(keep)s) * cell))
               END, 3857), env, 4096, %(buf)d, true) AS geom
      FROM (SELECT count(*) AS n, min(fid) AS fid, %(agg)s avg(ST_XMin(geom)) AS sx, avg(ST_YMin(geom)) AS sy,
                   floor((ST_XMin(geom) - ST_XMin(env)) / cell) AS gx, floor((ST_YMax(env) - ST_YMin(geom)) / cell) AS gy
            FROM %(t)s WHERE geom && ST_Expand(env, cell)
              -- the tile's cells and one ring of cells around it, as teselas bins them
              AND ST_XMin(geom) >= ST_XMin(env) - cell AND ST_XMin(geom) < ST_XMax(env) + cell
              AND ST_YMin(geom) > ST_YMin(env) - cell AND ST_YMin(geom) <= ST_YMax(env) + cell
            GROUP BY gx, gy) c) t
    WHERE geom IS NOT NULL;
  END IF;
  RETURN COALESCE(res, '');
END""" % {"t": q(t3857), "raw": raw, "layer": layer, "first": first, "agg": agg, "buf": BUFFER,
            "below": below, "budget": POINT_BUDGET, "budget1": POINT_BUDGET + 1, "inside": inside,
            "keep": CLUSTER_KEEP}
        else:
            small = (" AND (z >= %d OR ST_XMax(geom) - ST_XMin(geom) >= px OR ST_YMax(geom) - ST_YMin(geom) >= px)"
                     % maxzoom)
            body = """
DECLARE
  px double precision := (ST_XMax(ST_TileEnvelope(z, x, y)) - ST_XMin(ST_TileEnvelope(z, x, y))) / 256;
BEGIN
  RETURN (%s);
END""" % tile_sql(t3857, layer, cols, "geom", extra=small)
        c.execute("CREATE OR REPLACE FUNCTION %s(z integer, x integer, y integer) RETURNS bytea AS $body$%s$body$ "
                  "LANGUAGE plpgsql STABLE PARALLEL SAFE" % (fn, body))


def statement(variant, layer, cols):
    if variant == "alike":
        return "SELECT %s(%%(z)s, %%(x)s, %%(y)s)" % q("tl_" + layer)
    zxy = "%(z)s::int, %(x)s::int, %(y)s::int"
    if variant == "3857":
        return tile_sql(layer + "_3857", layer, cols, "geom", zxy)
    return tile_sql(layer, layer, cols, "ST_Transform(geom, 3857)", zxy)


def cpu_ticks(pid):
    """CPU ticks (user + system) of pid, its live children (the backends) and the children it
    has reaped, as bench/tiles/measure.sh's cpu_s counts them."""
    total = 0
    kids = [int(k) for k in open("/proc/%d/task/%d/children" % (pid, pid)).read().split()]
    for p in [pid] + kids:
        try:
            f = open("/proc/%d/stat" % p).read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(v) for v in f[11:15])
    return total


def worker(conninfo, sql, tiles, gates, out):
    ready, start, deadline_q, finished, stop, warm = gates
    times, stats = [], {}
    with psycopg.connect(conninfo, autocommit=True) as c:
        cur = c.cursor(binary=True)
        # warmed as teselas is before its timing: each distinct tile once (the backend's caches,
        # the prepared statement, the function's plans), not counted
        for z, x, y in sorted(set(tiles)) if warm else []:
            cur.execute(sql, {"z": z, "x": x, "y": y}, prepare=True)
            cur.fetchone()
        ready.put(1)
        start.wait()
        deadline = deadline_q.get()
        deadline_q.put(deadline)
        # warmed (run.sh): the list over and over until the budget, as wrk cycles it for teselas,
        # so a fast cell is timed over seconds, not over one pass of a fifth of a second
        for z, x, y in itertools.cycle(tiles) if warm else tiles:
            if time.time() > deadline:
                break
            t = time.perf_counter()
            cur.execute(sql, {"z": z, "x": x, "y": y}, prepare=True)
            blob = cur.fetchone()[0]
            times.append((time.perf_counter() - t) * 1000)
            stats["%d/%d/%d" % (z, x, y)] = (len(blob), mvtstat.count(blob))
        out.put((times, stats))
        finished.put(1)
        stop.wait()  # the backend lives until its CPU time has been read


def run(conninfo, variant, layer, cols, z, tiles_path, budget, procs, postmaster=None):
    tiles = [tuple(map(int, l.split())) for l in open(tiles_path) if l.split() and int(l.split()[0]) == z]
    sql = statement(variant, layer, cols)
    out, ready, deadline_q, finished = mp.Queue(), mp.Queue(), mp.Queue(), mp.Queue()
    start, stop = mp.Event(), mp.Event()
    gates = (ready, start, deadline_q, finished, stop, postmaster is not None)
    ps = [mp.Process(target=worker, args=(conninfo, sql, tiles[k::procs], gates, out))
          for k in range(procs)]
    for p in ps:
        p.start()
    for _ in ps:
        # a worker that failed before its warm-up ended never reports: stop instead of waiting
        while True:
            try:
                ready.get(timeout=5)
                break
            except queue.Empty:
                if any(p.exitcode not in (None, 0) for p in ps):
                    for p in ps:
                        p.terminate()
                    sys.exit("pg_tiles.py: a worker failed before its timing began")
    c0 = cpu_ticks(postmaster) if postmaster else 0
    t0 = time.time()
    deadline_q.put(t0 + budget)
    start.set()
    times, stats = [], {}
    for _ in ps:
        t, st = out.get()
        times += t
        stats.update(st)
    for _ in ps:
        finished.get()
    secs = time.time() - t0
    cpu = (cpu_ticks(postmaster) - c0) / os.sysconf("SC_CLK_TCK") if postmaster else None
    stop.set()
    for p in ps:
        p.join()
    # bytes and features of the distinct tiles this run answered (all of the list's when the
    # budget allowed): the other side of the cell is counted on the same tiles
    print(json.dumps({"tiles": len(times), "seconds": round(secs, 3),
                      "cpu_s": round(cpu, 3) if cpu is not None else None,
                      "tiles_per_s": round(len(times) / secs, 2),
                      "p50_ms": round(statistics.median(times), 2) if times else -1,
                      "stats": stats}))


if __name__ == "__main__":
    a = sys.argv
    if a[1] == "setup":
        setup(a[2], a[3], [c for c in a[4].split(",") if c], a[5], int(a[6]))
    else:
        run(a[2], a[3], a[4], [c for c in a[5].split(",") if c], int(a[6]), a[7], float(a[8]), int(a[9]),
            int(a[10]) if len(a) > 10 else None)
