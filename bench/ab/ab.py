"""ab.py — the measuring half of bench/ab/run.sh (read its header for what and why).

Each binary gets two servers on the same database, one with the tile cache off and one with a
cache larger than every list; both are warmed alike (every path once). Then, round after round,
every case is measured on each binary, the binaries' order turning each round.
"""
import argparse
import http.client
import math
import os
import re
import statistics
import subprocess
import sys
import tempfile
import urllib.parse

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "urlproof"))
from server import Server  # noqa: E402

TILES = os.path.join(ROOT, "bench", "tiles", "tiles.txt")
CYCLE = os.path.join(ROOT, "bench", "tiles", "cycle.lua")
CASES = ["tile-uncached:incidentes:12", "tile-uncached:incidentes:16", "tile-uncached:parques:12",
         "tile-uncached:rios-canales:10", "tile-cached:incidentes:14", "tile-cached:parques:12",
         "png:12", "png:14", "items-filter:14"]
FILTER = urllib.parse.quote("hora >= 20 AND tipo <> 'otro'", safe="")


def load():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def paths_of(case):
    """The request paths of a case, in bench/tiles/tiles.txt's order (cycle.lua walks them)."""
    kind, *rest = case.split(":")
    z = int(rest[-1])
    n = 1 << z
    out = []
    with open(TILES) as f:
        tiles = [tuple(map(int, ln.split())) for ln in f if ln.split()]
    for _, x, y in (t for t in tiles if t[0] == z):
        if kind.startswith("tile-"):
            out.append(f"/tiles/{rest[0]}/{z}/{x}/{y}.pbf")
        elif kind == "png":
            out.append(f"/styles/leon/{z}/{x}/{y}.png")
        else:
            lon = [x / n * 360 - 180, (x + 1) / n * 360 - 180]
            lat = [math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * v / n)))) for v in (y + 1, y)]
            b = f"{lon[0]:.6f},{lat[0]:.6f},{lon[1]:.6f},{lat[1]:.6f}"
            out.append(f"/collections/incidentes/items?limit=100&bbox={b}&filter={FILTER}")
    return out


def warm(port, paths):
    """Every distinct path once, on one kept-alive connection; a non-2xx answer stops the run."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    for p in sorted(set(paths)):
        conn.request("GET", p)
        r = conn.getresponse()
        r.read()
        if r.status >= 300:
            sys.exit(f"run.sh: {p} answered {r.status}")
    conn.close()


def ticks(pid):
    """CPU time of a process, user + system, in clock ticks (the server is one process)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def measure(port, paths_file, pid, conns, secs):
    """(requests/s, requests per CPU second of the server) of one wrk run."""
    t0 = ticks(pid)
    out = subprocess.run(["wrk", "-t2", f"-c{conns}", f"-d{secs}s", "-s", CYCLE,
                          f"http://127.0.0.1:{port}", "--", paths_file],
                         check=True, capture_output=True, text=True).stdout
    cpu = (ticks(pid) - t0) / os.sysconf("SC_CLK_TCK")
    if "Non-2xx" in out or "Socket errors" in out:
        sys.exit(f"run.sh: errors from port {port}: {out}")
    rate = float(re.search(r"Requests/sec:\s+([0-9.]+)", out).group(1))
    n = int(re.search(r"(\d+) requests in", out).group(1))
    return rate, (n / cpu if cpu > 0 else 0.0)


def summary(bins, results):
    med = statistics.median
    print(f"#0 = {bins[0]}\n#1 = {bins[1]}")
    print(f"{'case':<30} {'#0 req/s':>9} {'#1 req/s':>9} {'#1/#0':>6} | {'#0 /CPU-s':>9} "
          f"{'#1 /CPU-s':>9} {'#1/#0':>6}   (medians of the rounds)")
    for case in CASES:
        (r0, c0), (r1, c1) = [(med(x[0] for x in results[(case, i)]),
                               med(x[1] for x in results[(case, i)])) for i in (0, 1)]
        print(f"{case:<30} {r0:>9.0f} {r1:>9.0f} {r1 / r0 if r0 else 0:>6.2f} | {c0:>9.0f} "
              f"{c1:>9.0f} {c1 / c0 if c0 else 0:>6.2f}")
    print(f"load at the end: {load()}")


def run(a, work):
    print(f"run.sh: making the database (demo, {a.incidents} incidents) with {a.bins[0]}",
          file=sys.stderr)
    db = os.path.join(work, "ab.db")
    subprocess.run([a.bins[0], "demo", "--db", db, "--build-only", "--incidents",
                    str(a.incidents)], check=True, capture_output=True)
    files = {}
    for c in CASES:
        files[c] = os.path.join(work, c.replace(":", "_") + ".paths")
        with open(files[c], "w") as f:
            f.write("".join(p + "\n" for p in paths_of(c)))
    servers = {}
    try:
        for i, b in enumerate(a.bins):
            for mode, mb in (("uncached", "0"), ("cached", "1024")):
                log = os.path.join(work, f"{i}.{mode}.log")
                servers[(i, mode)] = Server(b, db, log, "--tile-cache-mb", mb)
            for c in CASES:
                warm(servers[(i, mode_of(c))].port, paths_of(c))
        return rounds(a, servers, files)
    finally:
        for s in servers.values():
            s.stop()


def mode_of(case):
    return "cached" if case.startswith("tile-cached") else "uncached"


def rounds(a, servers, files):
    results = {}
    print(f"run.sh: {a.rounds} rounds of {a.seconds}s per cell, load {load()}", file=sys.stderr)
    for r in range(1, a.rounds + 1):
        for c in CASES:
            conns = 32 if mode_of(c) == "cached" else 2
            line = f"round {r} {c}:"
            for k in (0, 1):
                i = (k + r) % 2
                s = servers[(i, mode_of(c))]
                rate, per_cpu = measure(s.port, files[c], s.proc.pid, conns, a.seconds)
                results.setdefault((c, i), []).append((rate, per_cpu))
                line += f" #{i} {rate:.0f}/s {per_cpu:.0f}/CPU-s;"
            print(f"{line} load {load()}", file=sys.stderr)
    return results


def main():
    ap = argparse.ArgumentParser(prog="bench/ab/run.sh")
    ap.add_argument("bins", nargs=2, metavar="BINARY", help="BEFORE and AFTER")
    ap.add_argument("--seconds", type=int, default=5)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--incidents", type=int, default=200000)
    a = ap.parse_args()
    a.bins = [os.path.realpath(b) for b in a.bins]
    with tempfile.TemporaryDirectory(prefix="teselas-ab-") as work:
        results = run(a, work)
    summary(a.bins, results)


if __name__ == "__main__":
    main()
