#!/usr/bin/env python3
"""The Markdown table of bench/clients/attacked_tiles.py's JSON: per phase the normal client's
tile latencies, the ratio of their p99 to rest's (the issue's goal: at most 2), and /health's
worst (the goal: within 1 s).   tiles_table.py RUN.json"""
import json
import sys


def q(ms, p):
    """The p-quantile, nearest rank."""
    ms = sorted(ms)
    return ms[min(len(ms) - 1, max(0, int(p * len(ms) + 0.5) - 1))] if ms else float("nan")


d = json.load(open(sys.argv[1]))
norm = d["normal"]
tiles = {p: k.get("cached", {"ms": []})["ms"] + k.get("uncached", {"ms": []})["ms"]
         for p, k in norm.items()}
rest = q(tiles["rest"], .99)
print("| phase | tiles | p50 ms | p99 ms | p99 / rest | cached p99 | uncached p99 "
      "| /health max ms | /health > 1 s | failed | server CPU s | attackers CPU s | attack /s | load |")
print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
for phase in [p for p in d["phases"] if p in norm]:
    kinds = norm[phase]
    c, u, h = (kinds.get(k, {"ms": [], "failed": 0}) for k in ("cached", "uncached", "health"))
    failed = c["failed"] + u["failed"] + h["failed"]
    p99 = q(tiles[phase], .99)
    print(f"| {phase} | {len(tiles[phase])} | {q(tiles[phase], .5):.1f} | {p99:.1f} "
          f"| {p99 / rest:.2f} | {q(c['ms'], .99):.1f} | {q(u['ms'], .99):.1f} "
          f"| {max(h['ms'] or [0]):.1f} | {sum(m > 1000 for m in h['ms'])} | {failed} "
          f"| {d['phases'][phase].get('server_cpu_s', float('nan')):.2f} "
          f"| {d['phases'][phase].get('attackers_cpu_s', float('nan')):.2f} "
          f"| {d['phases'][phase].get('attack_per_s', 0):.0f} "
          f"| {' '.join(d['phases'][phase]['load'])} |")
print("attackers:", json.dumps({p: {k: v for k, v in s.items() if k not in ("load", "wall_s", "server_cpu_s", "attackers_cpu_s", "attack_per_s")}
                                for p, s in d["phases"].items()}))
