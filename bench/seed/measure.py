"""Runs a command and prints "NAME wall_s cpu_s peak_rss_mb peak_anon_mb": wall clock, CPU (user +
sys) from the kernel's accounting of the process (wait4), and the peaks of its resident memory
(VmHWM) and of its anonymous memory (RssAnon), both read from /proc every 20 ms: RSS also counts
the shared libraries' pages and files mapped (a SQLite database read through mmap), which are
page cache, not the process's own.

The peak RSS is not wait4's ru_maxrss: Linux folds into it the high-water mark of the process
before its exec, here a fork of this Python interpreter (14 MB: `/bin/true` measured so reports
14), which hid any command's peak below that. VmHWM is the exec'd program's own; sampled, a peak
in the last 20 ms of a run would be missed (a seed's is while its workers run, not at its end).

    python3 measure.py NAME OUT ERR CMD...
"""
import os
import subprocess
import sys
import time


def status_kb(pid, keys):
    """The fields of /proc/PID/status named in keys, in KiB ({} once the process is gone)."""
    got = {}
    try:
        for line in open(f"/proc/{pid}/status"):
            k = line.split(":")[0]
            if k in keys:
                got[k] = int(line.split()[1])
    except OSError:
        pass
    return got


name, out, err, cmd = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
t0 = time.monotonic()
with open(out, "wb") as fo, open(err, "wb") as fe:
    p = subprocess.Popen(cmd, stdout=fo, stderr=fe)
    anon = hwm = 0
    while True:
        pid, status, ru = os.wait4(p.pid, os.WNOHANG)
        if pid:
            break
        s = status_kb(p.pid, ("RssAnon", "VmHWM"))
        anon = max(anon, s.get("RssAnon", 0))
        hwm = max(hwm, s.get("VmHWM", 0))
        time.sleep(0.02)
wall = time.monotonic() - t0
if os.waitstatus_to_exitcode(status) != 0:
    sys.stderr.write(open(err).read())
    sys.exit(1)
print(f"{name} {wall:.3f} {ru.ru_utime + ru.ru_stime:.3f} {hwm / 1024:.1f} {anon / 1024:.1f}")
