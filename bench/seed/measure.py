"""Runs a command and prints "NAME wall_s cpu_s peak_rss_mb peak_anon_mb": wall clock, CPU (user +
sys) and peak RSS from the kernel's accounting of the process (wait4), and the peak of its
anonymous memory (RssAnon, sampled every 50 ms): RSS also counts the shared libraries' pages and
files mapped (a SQLite database read through mmap), which are page cache, not the process's own.

    python3 measure.py NAME OUT ERR CMD...
"""
import os
import subprocess
import sys
import time

name, out, err, cmd = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
t0 = time.monotonic()
with open(out, "wb") as fo, open(err, "wb") as fe:
    p = subprocess.Popen(cmd, stdout=fo, stderr=fe)
    anon = 0
    while True:
        pid, status, ru = os.wait4(p.pid, os.WNOHANG)
        if pid:
            break
        try:
            for line in open(f"/proc/{p.pid}/status"):
                if line.startswith("RssAnon:"):
                    anon = max(anon, int(line.split()[1]))
        except OSError:
            pass
        time.sleep(0.05)
wall = time.monotonic() - t0
if os.waitstatus_to_exitcode(status) != 0:
    sys.stderr.write(open(err).read())
    sys.exit(1)
print(f"{name} {wall:.3f} {ru.ru_utime + ru.ru_stime:.3f} {ru.ru_maxrss / 1024:.0f} {anon / 1024:.0f}")
