"""server.py — `teselas serve` on one database, on a free loopback port, stopped by its PID
(used by the URL proof and by bench/ab)."""
import re
import subprocess
import time


class Server:
    """`teselas serve` on one database, on a free loopback port, stopped by its PID."""

    def __init__(self, teselas, db, log, *flags):
        self.log = open(log, "wb")
        self.proc = subprocess.Popen([teselas, "serve", "--db", db, "--port", "0", "--bind",
                                      "127.0.0.1", "--quiet", *flags], stderr=self.log)
        self.port = None
        pat = re.compile(rb"serving .* at http://127\.0\.0\.1:(\d+)/")
        for _ in range(400):
            with open(log, "rb") as f:
                m = pat.search(f.read())
            if m:
                self.port = int(m.group(1))
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"server did not start on {db}: see {log}")

    def stop(self):
        """Stops the server; returns its exit status (0 after SIGTERM when all went well)."""
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=60)
        self.log.close()
        return self.proc.returncode


# What a sanitizer build writes when it finds something (ASan, LSan, UBSan, TSan).
SANITIZER = re.compile(rb"ERROR: (Address|Leak|Thread)Sanitizer|runtime error:|WARNING: ThreadSanitizer")


def troubles(server, log):
    """Lines naming what went wrong with a stopped server: its exit status, sanitizer reports."""
    out = []
    if server.proc.returncode != 0:
        out.append(f"{log}: exit status {server.proc.returncode}")
    with open(log, "rb") as f:
        for line in f:
            if SANITIZER.search(line):
                out.append(f"{log}: {line.decode(errors='replace').strip()}")
    return out
