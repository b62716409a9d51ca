#!/usr/bin/env python3
"""A normal client's tile latency, first alone, then while each hostile client runs, then while
they all run at once, against one running teselas (bench/clients/tiles.sh sets it up).

    attacked_tiles.py PORT URLDIR --big PATH [--secs 30] [--rate 20] [--scale 1.0]

The normal client (a process of its own, from 127.0.0.1-4) asks at a fixed rate, open loop (a
request is sent on time whether or not the last one has been answered, so a stall is measured,
not hidden): 70 % from URLDIR/cached.txt (tiles asked again and again), 30 % from
URLDIR/uncached.txt (each phase has its own slice of it, tiles never asked before), each on a new
connection, and /health twice a second. The attacks are kept up for the whole phase: a
connection the server closes is opened again.
  slowloris       1,000 connections sending a header byte every 10 s (from 40 addresses)
  idle_keepalive  1,000 connections that made one request and then keep silent (40 addresses)
  slow_readers    100 clients asking for BIG and reading it a byte at a time (4 addresses)
  flood           200 clients from one address asking for BIG back to back
  all             the four at once
rest comes first and again last (after): their difference is the machine's noise.

Prints one JSON object: per phase, the normal client's latencies (ms) by kind and its failures,
and what the attackers saw. Asserts nothing: bench/clients/tiles.sh reports the figures."""
import argparse
import asyncio
import json
import multiprocessing
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "clients"))
from hostile_clients import src_of  # noqa: E402  (the attackers' addresses, as the test's)

HOST = "127.0.0.1"
# the normal client: a portal's visitors, from 4 addresses (each asks a quarter of --rate, below
# any sensible --per-ip-rate; one address asking 20 tiles a second for minutes is a crawler)
NORMAL = [f"127.0.0.{i}" for i in range(1, 5)]
ATTACKS = ["slowloris", "idle_keepalive", "slow_readers", "flood"]
PHASES = ["rest"] + ATTACKS + ["all", "after"]


async def get(port, path, src=HOST, timeout=30.0):
    """One request on its own connection: (status, seconds); status 0 when it failed."""
    t0 = time.monotonic()
    w = None
    try:
        r, w = await asyncio.wait_for(
            asyncio.open_connection(HOST, port, local_addr=(src, 0)), timeout)
        w.write(f"GET {path} HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\n\r\n".encode())
        data = await asyncio.wait_for(r.read(), timeout)
        status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/1.") else 0
        return status, time.monotonic() - t0
    except (OSError, asyncio.TimeoutError, ValueError, IndexError):
        return 0, time.monotonic() - t0
    finally:
        if w:
            w.close()


# --- the normal client ---------------------------------------------------------------------

def normal_process(args, phase, ready, out):
    """Runs until phase is -2; records only while phase >= 0 (the gaps between phases, while the
    last attack's sockets close, are not measured)."""
    cached = Path(args.urldir, "cached.txt").read_text().split()
    uncached = Path(args.urldir, "uncached.txt").read_text().split()
    slices = {p: uncached[i::len(PHASES)] for i, p in enumerate(PHASES)}
    stats = {}

    def record(kind, status, secs):
        if phase.value < 0:
            return
        s = stats.setdefault(PHASES[phase.value], {}).setdefault(
            kind, {"ok": 0, "failed": 0, "ms": []})
        s["ok" if status == 200 else "failed"] += 1
        s["ms"].append(round(secs * 1000, 3))

    async def one(kind, path, src):
        status, secs = await get(args.port, path, src)
        record(kind, status, secs)

    async def run():
        for path in cached:  # in the tile cache before rest begins
            await get(args.port, path)
        ready.value = 1
        rnd = random.Random(21)
        used = {p: 0 for p in PHASES}
        t0, i, pending = time.monotonic(), 0, set()
        while phase.value != -2:
            i += 1
            await asyncio.sleep(max(0.0, t0 + i / args.rate - time.monotonic()))
            p = PHASES[phase.value] if phase.value >= 0 else None
            if p and rnd.random() < 0.3 and used[p] < len(slices[p]):
                kind, path = "uncached", slices[p][used[p]]
                used[p] += 1
            else:
                kind, path = "cached", rnd.choice(cached)
            src = NORMAL[i % len(NORMAL)]
            pending.add(asyncio.ensure_future(one(kind, path, src)))
            if i % max(1, round(args.rate / 2)) == 0:
                pending.add(asyncio.ensure_future(one("health", "/health", src)))
            pending = {t for t in pending if not t.done()}
        await asyncio.gather(*pending)
        for p in stats:
            stats[p]["uncached_left"] = len(slices[p]) - used[p]

    asyncio.run(run())
    out.send(stats)


# --- the attackers: each keeps its connections up until `until` ------------------------------

async def keep(until, connect_and_hold, counts):
    """Runs connect_and_hold again each time it returns, until `until`; counts its outcomes."""
    while time.monotonic() < until:
        end = await connect_and_hold()
        counts[end] = counts.get(end, 0) + 1
        if end == "refused":
            await asyncio.sleep(0.2)


async def opened(port, src):
    try:
        return await asyncio.open_connection(HOST, port, local_addr=(src, 0))
    except OSError:
        return None


async def closed_within(r, seconds):
    """True when the server closes the connection within `seconds` (what it sends is dropped)."""
    try:
        return not await asyncio.wait_for(r.read(65536), max(0.01, seconds))
    except asyncio.TimeoutError:
        return False


async def slowloris_conn(port, src, until, every):
    """A header a byte every `every` seconds, until the server closes the connection."""
    c = await opened(port, src)
    if not c:
        return "refused"
    r, w = c
    rest = b"GET /health HTTP/1.1\r\nHost: x\r\nX-a: " + b"a" * 4000
    try:
        while time.monotonic() < until and rest:
            w.write(rest[:1])
            rest = rest[1:]
            await w.drain()
            if await closed_within(r, min(every, until - time.monotonic())):
                return "closed"
        return "held"
    except OSError:
        return "closed"
    finally:
        w.close()


async def idle_conn(port, src, until):
    """One request kept alive, then silence until the server closes the connection."""
    c = await opened(port, src)
    if not c:
        return "refused"
    r, w = c
    try:
        w.write(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        await w.drain()
        while time.monotonic() < until:
            if await closed_within(r, until - time.monotonic()):
                return "closed"
        return "held"
    except OSError:
        return "closed"
    finally:
        w.close()


async def slow_reader_conn(port, src, until, path):
    """Asks for `path` and reads the answer a byte at a time (200 bytes a second)."""
    c = await opened(port, src)
    if not c:
        return "refused"
    r, w = c
    try:
        w.write(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        await w.drain()
        while time.monotonic() < until:
            if not await asyncio.wait_for(r.read(1), 60):
                return "read_all"
            await asyncio.sleep(0.005)
        return "held"
    except (OSError, asyncio.TimeoutError):
        return "closed"
    finally:
        w.close()


async def attack(name, args, until):
    counts = {}
    n = int(1000 * args.scale)
    ramp = 4.0  # connections opened over 4 s, as clients arriving, not one burst

    async def later(i, total, hold):
        await asyncio.sleep(ramp * i / total)
        await keep(until, hold, counts)

    if name == "slowloris":
        jobs = [later(i, n, lambda s=src_of(i, 1, 25): slowloris_conn(args.port, s, until, 10.0))
                for i in range(n)]
    elif name == "idle_keepalive":
        jobs = [later(i, n, lambda s=src_of(i, 2, 25): idle_conn(args.port, s, until))
                for i in range(n)]
    elif name == "slow_readers":
        k = max(1, int(100 * args.scale))
        jobs = [later(i, k, lambda s=src_of(i, 3, 25): slow_reader_conn(args.port, s, until, args.big))
                for i in range(k)]
    else:  # flood: one address, back to back
        async def flood_one():
            while time.monotonic() < until:
                status, _ = await get(args.port, args.big, src="127.0.8.1", timeout=10)
                key = {200: "ok", 429: "limited", 0: "refused"}.get(status, "other")
                counts[key] = counts.get(key, 0) + 1
        jobs = [flood_one() for _ in range(int(200 * args.scale))]
    await asyncio.gather(*jobs)
    return counts


def attempts(counts):
    """How many requests or connections an attack's outcome counts hold (nested for 'all')."""
    return sum(attempts(v) if isinstance(v, dict) else v for k, v in counts.items()
               if isinstance(v, (int, dict)))


def server_cpu(pid):
    """The server's CPU seconds so far (user + system), 0 without its PID."""
    if not pid:
        return 0.0
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")


def own_cpu():
    """This process's CPU seconds (the attackers'), user + system."""
    t = os.times()
    return t.user + t.system


async def main(args, phase, ready, stats_in, normal):
    out = {"phases": {}}
    while not ready.value:
        await asyncio.sleep(0.1)
    for name in [p for p in PHASES if p in args.phases.split(",")]:
        phase.value = PHASES.index(name)
        until = time.monotonic() + args.secs
        t0, cpu0, own0 = time.time(), server_cpu(args.server_pid), own_cpu()
        if name in ATTACKS:
            out["phases"][name] = await attack(name, args, until)
        elif name == "all":
            got = await asyncio.gather(*(attack(a, args, until) for a in ATTACKS))
            out["phases"][name] = dict(zip(ATTACKS, got))
        else:
            await asyncio.sleep(args.secs)
        out["phases"].setdefault(name, {})
        out["phases"][name]["load"] = open("/proc/loadavg").read().split()[:3]
        out["phases"][name]["wall_s"] = round(time.time() - t0, 1)
        out["phases"][name]["server_cpu_s"] = round(server_cpu(args.server_pid) - cpu0, 2)
        # the attackers share the machine: what they took of it is said beside the server's
        out["phases"][name]["attackers_cpu_s"] = round(own_cpu() - own0, 2)
        # the rate the attackers reached (requests of the flood, connections of the others)
        out["phases"][name]["attack_per_s"] = round(attempts(out["phases"][name]) / args.secs, 1)
        phase.value = -1
        await asyncio.sleep(args.gap)  # the attack's sockets close before the next phase
    phase.value = -2
    out["normal"] = stats_in.recv()
    normal.join()
    print(json.dumps(out))


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("port", type=int)
    ap.add_argument("urldir")
    ap.add_argument("--big", required=True, help="a large answer, for the slow readers and the flood")
    ap.add_argument("--secs", type=float, default=30.0, help="seconds each phase lasts")
    ap.add_argument("--gap", type=float, default=5.0, help="seconds between phases, not measured")
    ap.add_argument("--rate", type=float, default=20.0, help="tiles a second of the normal client")
    ap.add_argument("--phases", default=",".join(PHASES), help="which phases, in their order")
    ap.add_argument("--server-pid", type=int, default=0, help="for its CPU time per phase")
    ap.add_argument("--scale", type=float, default=1.0, help="1: 1,000 connections per attack")
    ap.add_argument("--attack-cgroup", help="a cgroup's cgroup.procs: the attackers run in it")
    args = ap.parse_args()
    ctx = multiprocessing.get_context("fork")
    phase, ready = ctx.Value("i", -1), ctx.Value("i", 0)
    stats_in, stats_out = ctx.Pipe(duplex=False)
    normal = ctx.Process(target=normal_process, args=(args, phase, ready, stats_out))
    normal.start()
    if args.attack_cgroup:  # the attackers alone (this process, not the normal client's)
        Path(args.attack_cgroup).write_text(str(os.getpid()))
    asyncio.run(main(args, phase, ready, stats_in, normal))
