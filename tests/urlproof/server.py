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
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=60)
        self.log.close()
