"""fetch_server.py — a small HTTP server on 127.0.0.1 for tests/http/test_publish_fetch.sh.

Serves the files of a folder, read again on every request (the test changes them between runs),
with a strong ETag (SHA-256 of the bytes) and a Last-Modified; answers If-None-Match with 304.
A few paths misbehave on purpose: /error.csv answers 500, /lento.csv sleeps before answering,
/grande.csv streams more bytes than any bound the test sets (without a Content-Length),
/a-file.csv redirects to file:///etc/passwd. Every request is logged (path and the conditional
headers it carried) to LOG, one JSON object a line. Prints the port it got on stdout.

usage: python3 fetch_server.py FOLDER LOG
"""
import email.utils
import hashlib
import http.server
import json
import os
import sys
import time

ROOT, LOG = sys.argv[1], sys.argv[2]


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        with open(LOG, "a") as log:
            log.write(json.dumps({"path": self.path,
                                  "if_none_match": self.headers.get("If-None-Match"),
                                  "if_modified_since": self.headers.get("If-Modified-Since")}) + "\n")
        name = self.path.split("?")[0].lstrip("/")
        if name == "error.csv":
            return self.answer(500, b"fallo interno\n")
        if name == "a-file.csv":
            self.send_response(302)
            self.send_header("Location", "file:///etc/passwd")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        if name == "lento.csv":
            time.sleep(6)
        if name == "grande.csv":
            self.send_response(200)
            self.send_header("Content-Type", "text/csv")
            self.end_headers()
            chunk = b"x" * 65536
            try:
                for _ in range(64):  # 4 MiB, no Content-Length
                    self.wfile.write(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass
            return None
        path = os.path.join(ROOT, os.path.basename(name))
        if not os.path.isfile(path):
            return self.answer(404, b"no existe\n")
        with open(path, "rb") as f:
            body = f.read()
        tag = '"%s"' % hashlib.sha256(body).hexdigest()
        if self.headers.get("If-None-Match") == tag:
            self.send_response(304)
            self.send_header("ETag", tag)
            self.end_headers()
            return None
        self.send_response(200)
        self.send_header("ETag", tag)
        self.send_header("Last-Modified", email.utils.formatdate(os.path.getmtime(path), usegmt=True))
        self.send_header("Content-Type", "text/csv")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        return None

    def answer(self, status, body):
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
