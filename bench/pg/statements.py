#!/usr/bin/env python3
"""PostgreSQL's CPU per tile statement, the statements teselas sent, variants of their SQL
alternated (bench/pg/ab.sh --statements runs it; it needs the cluster up).

    statements.py CONNINFO SCHEMA ROUNDS "VARIANT ..." Z=LOG [Z=LOG ...]

LOG: PostgreSQL's log with log_min_duration_statement = 0 while teselas served zoom Z's tiles
(each tile once): every logged tile statement (SELECT t.fid ...) with its parameters is run again,
prepared, binary results, on one connection per variant whose search_path is SCHEMA. CPU is the
backend's own run time from /proc/PID/schedstat (nanoseconds; /proc/PID/stat's ticks are 10 ms,
coarser than a z16 statement), so the figure is PostgreSQL's alone, without teselas or the client.

Variants (the SQL rewritten before it is prepared):
  sent       the statement as teselas sent it
  no-order   without its ORDER BY (what PostgreSQL's sort of the rows costs)
  no-lines   the ranked lines' lengths instead of their bytes (what sending the lines costs)
The rows each variant returns are counted; a variant that changes them says so.
"""
import re
import sys
import time

import psycopg

STATEMENT = re.compile(r"execute teselas_s\d+: (SELECT t\.fid.*?)\n.*?DETAIL:  parameters: (.*?)\n")


def read_log(path):
    out = []
    for m in STATEMENT.finditer(open(path, errors="replace").read()):
        params = [v for _, v in re.findall(r"\$(\d+) = '([^']*)'", m.group(2))]
        out.append((m.group(1), params))
    return out


def rewrite(sql, variant):
    if variant == "sent":
        return sql
    if variant == "no-order":
        return re.sub(r" ORDER BY t\.teselas_ord$", "", sql)
    if variant == "no-lines":
        # coalesce(t.teselas_gN, ..., t.teselas_g) is the ranked line's column
        return re.sub(r"(coalesce\((?:t\.teselas_g\d*(?:, )?)+\))", r"octet_length(\1)", sql, count=1)
    raise SystemExit("statements.py: unknown variant " + variant)


def cpu_ns(pid):
    return int(open("/proc/%d/schedstat" % pid).read().split()[0])


def main():
    conninfo, schema, rounds, variants = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4].split()
    zooms = []
    for arg in sys.argv[5:]:
        z, path = arg.split("=", 1)
        zooms.append((int(z), read_log(path)))
    conns = {}
    for v in variants:
        c = psycopg.connect(conninfo, autocommit=True)
        c.execute("SELECT set_config('search_path', %s || ', public', false)", (schema,))
        conns[v] = (c.pgconn, c.execute("SELECT pg_backend_pid()").fetchone()[0], {})
    cells = {}
    for _ in range(rounds):
        for z, stmts in zooms:
            if not stmts:
                continue
            # at least ~50 statements a cell, so a cell is not one tick of the scheduler
            reps = max(1, 50 // len(stmts))
            for v in variants:
                pg, pid, prepared = conns[v]
                rows = 0
                t0, w0 = cpu_ns(pid), time.time()
                for sql, params in stmts * reps:
                    q = rewrite(sql, v).encode()
                    if q not in prepared:
                        name = b"ab_%d" % len(prepared)
                        r = pg.prepare(name, q)
                        if r.status != 1:
                            raise SystemExit(r.error_message.decode())
                        prepared[q] = name
                    r = pg.exec_prepared(prepared[q], [p.encode() for p in params], result_format=1)
                    if r.status != 2:
                        raise SystemExit(r.error_message.decode())
                    rows += r.ntuples
                n = len(stmts) * reps
                cells.setdefault((z, v), []).append(((cpu_ns(pid) - t0) / 1e3 / n, (time.time() - w0) * 1e6 / n, rows / n))
    print("PostgreSQL CPU µs per tile statement (backend run time), one column per round; rows a statement:")
    print()
    print("| z | variant | CPU µs a statement | wall µs | rows |")
    print("| --- | --- | --- | --- | --- |")
    for (z, v), runs in sorted(cells.items()):
        print("| %d | %s | %s | %s | %.1f |" % (z, v, " / ".join("%.0f" % r[0] for r in runs),
                                              " / ".join("%.0f" % r[1] for r in runs), runs[0][2]))


if __name__ == "__main__":
    main()
