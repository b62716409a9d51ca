#!/usr/bin/env python3
"""The soak's verdict on its traffic and on the server's process.

    verdict.py LOG_DIR WARMUP_SECONDS [--report-only-rss]

Reads LOG_DIR/lat-*.txt (tests/soak/mix.lua: "KIND STATUS MICROSECONDS" per answer), wrk.txt
(wrk's summary: its socket errors) and proc.txt ("SECONDS RSS_KB OPEN_FDS" every few seconds).
Fails on:
  - any status but 200 and 204 (an empty tile); 304 cannot come (wrk sends no If-None-Match),
    and no list holds a path that should be 404;
  - any socket error wrk counted (connect, read, write, timeout);
  - after the warm-up, RSS outside ±10 % of its value at the end of the warm-up (the mean of the
    samples of the warm-up's last 15 s), or open descriptors more than FD_SLACK away from theirs.
Prints requests, statuses and p50/p99 latency per kind, and RSS/fds at the warm-up's end and at
the end, as one table; summary.json in LOG_DIR holds the same figures."""
import glob
import json
import re
import sys

OK_STATUSES = {"200", "204"}
# descriptors that come and go with the work and are not a leak: an upload's body file, the
# import's database connection and its journal, a client connecting while another closes
FD_SLACK = 8
RSS_BAND = 0.10


def percentile(sorted_values, p):
    if not sorted_values:
        return 0.0
    k = min(len(sorted_values) - 1, int(round(p / 100.0 * (len(sorted_values) - 1))))
    return sorted_values[k]


def traffic(log_dir):
    kinds = {}
    for path in glob.glob(f"{log_dir}/lat-*.txt"):
        for line in open(path):
            kind, status, us = line.split()
            k = kinds.setdefault(kind, {"statuses": {}, "lat": []})
            k["statuses"][status] = k["statuses"].get(status, 0) + 1
            k["lat"].append(int(us))
    return kinds


def socket_errors(log_dir):
    text = open(f"{log_dir}/wrk.txt").read()
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    return sum(int(g) for g in m.groups()) if m else 0, (m.group(0) if m else "none")


def main():
    log_dir, warmup = sys.argv[1], float(sys.argv[2])
    check_rss = "--report-only-rss" not in sys.argv
    failures, summary = [], {"kinds": {}}
    kinds = traffic(log_dir)
    print(f"{'kind':<9} {'requests':>9} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}  statuses")
    for name in ("cached", "uncached", "png", "items", "pages"):
        k = kinds.get(name, {"statuses": {}, "lat": []})
        lat = sorted(k["lat"])
        row = {"requests": len(lat), "statuses": k["statuses"], "p50_ms": percentile(lat, 50) / 1e3,
               "p99_ms": percentile(lat, 99) / 1e3, "max_ms": (lat[-1] if lat else 0) / 1e3}
        summary["kinds"][name] = row
        print(f"{name:<9} {row['requests']:>9} {row['p50_ms']:>8.1f} {row['p99_ms']:>8.1f} "
              f"{row['max_ms']:>8.1f}  {json.dumps(row['statuses'])}")
        bad = {s: n for s, n in k["statuses"].items() if s not in OK_STATUSES}
        if bad:
            failures.append(f"{name}: answers with status {bad}")
        if not lat:
            failures.append(f"{name}: no request of this kind was answered")
    summary["requests"] = sum(len(k["lat"]) for k in kinds.values())
    n_err, err_text = socket_errors(log_dir)
    summary["socket_errors"] = n_err
    if n_err:
        failures.append(f"wrk: {err_text}")

    samples = [tuple(float(v) for v in line.split()) for line in open(f"{log_dir}/proc.txt")]
    ref = [s for s in samples if warmup - 15 <= s[0] <= warmup]
    after = [s for s in samples if s[0] > warmup]
    if not ref or len(after) < 3:
        failures.append(f"too few samples of the process ({len(samples)}) for warm-up {warmup} s")
    else:
        rss0 = sum(s[1] for s in ref) / len(ref)
        fd0 = round(sum(s[2] for s in ref) / len(ref))
        rss = [s[1] for s in after]
        fds = [s[2] for s in after]
        summary.update(rss_warm_kb=rss0, rss_end_kb=rss[-1], rss_min_kb=min(rss),
                       rss_max_kb=max(rss), fds_warm=fd0, fds_end=fds[-1], fds_min=min(fds),
                       fds_max=max(fds), rss_start_kb=samples[0][1], fds_start=samples[0][2])
        print(f"RSS: {samples[0][1] / 1024:.1f} MiB at start, {rss0 / 1024:.1f} MiB after the "
              f"{warmup:.0f} s warm-up, then {min(rss) / 1024:.1f}-{max(rss) / 1024:.1f} MiB, "
              f"{rss[-1] / 1024:.1f} MiB at the end")
        print(f"open descriptors: {samples[0][2]:.0f} at start, {fd0} after the warm-up, then "
              f"{min(fds):.0f}-{max(fds):.0f}, {fds[-1]:.0f} at the end")
        far = [r for r in rss if abs(r - rss0) > RSS_BAND * rss0]
        if far and check_rss:
            failures.append(f"RSS left ±10 % of {rss0 / 1024:.1f} MiB: {max(rss) / 1024:.1f} MiB "
                            f"at most, {min(rss) / 1024:.1f} MiB at least")
        if max(fds) > fd0 + FD_SLACK or min(fds) < fd0 - FD_SLACK:
            failures.append(f"open descriptors not flat: {min(fds):.0f}-{max(fds):.0f}, "
                            f"{fd0} after the warm-up")
    json.dump(summary, open(f"{log_dir}/summary.json", "w"), indent=1)
    print(f"requests: {summary['requests']}, socket errors: {n_err}")
    for f in failures:
        print(f"FAIL: {f}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
