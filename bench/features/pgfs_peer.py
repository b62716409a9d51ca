#!/usr/bin/env python3
"""A pg_featureserv-style OGC API - Features server for the benchmark: /collections/{id}/items
with bbox, limit and offset over a PostGIS table, answered with the SQL pg_featureserv writes
(ST_AsGeoJSON of the geometry, the properties, ST_Intersects with ST_MakeEnvelope in 4326 on a
GiST-indexed column, LIMIT/OFFSET, no ORDER BY and no count: pg_featureserv returns neither
numberMatched nor a total). pg_featureserv itself is a Go program not packaged in Debian; this
peer does the same database work, as a prepared statement on one persistent connection per
process (psycopg 3), and assembles the GeoJSON text around the database's geometry strings.

    pgfs_peer.py PORT CONNINFO TABLE FIELDS [PROCESSES]

PROCESSES (default: the number of cores) processes share the port (SO_REUSEPORT), each
answering one request at a time: one per core, as Go's scheduler would use them.

Each answer is one send on a TCP_NODELAY socket, as Go's net/http writes it: http.server's
default (headers and body in two sends, Nagle on) stalled every kept-alive request ~40 ms on the
client's delayed ACK, so the peer answered ~22-44 requests/s whatever the box.
"""
import ctypes
import json
import os
import signal
import socket
import sys
import urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer

import psycopg

PORT, CONNINFO, TABLE, FIELDS = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4].split(",")
PROCS = int(sys.argv[5]) if len(sys.argv) > 5 else os.cpu_count()
COLS = ", ".join('"%s"' % f for f in FIELDS)
SQL = ('SELECT ST_AsGeoJSON(geom) AS _geojson, fid, %s FROM "%s" '
       "WHERE ST_Intersects(geom, ST_MakeEnvelope(%%s, %%s, %%s, %%s, 4326)) LIMIT %%s OFFSET %%s"
       % (COLS, TABLE))


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # TCP_NODELAY, as Go's net/http sets it
    conn = None

    def log_message(self, *args):
        pass

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        q = dict(urllib.parse.parse_qsl(url.query))
        try:
            w, s, e, n = (float(v) for v in q["bbox"].split(","))
            limit, offset = int(q.get("limit", 10)), int(q.get("offset", 0))
        except (KeyError, ValueError):
            return self.answer(400, b'{"code":"InvalidParameterValue"}')
        rows = Handler.conn.execute(SQL, (w, s, e, n, limit, offset), prepare=True).fetchall()
        feats = []
        for r in rows:
            props = json.dumps(dict(zip(FIELDS, r[2:])), ensure_ascii=False, default=str)
            feats.append('{"type":"Feature","geometry":%s,"properties":%s,"id":%d}' % (r[0], props, r[1]))
        body = ('{"type":"FeatureCollection","features":[%s],"numberReturned":%d,"links":[]}'
                % (",".join(feats), len(feats))).encode()
        self.answer(200, body)

    def answer(self, status, body):
        """Status line, headers and body in one send (no header/body split for Nagle to hold)."""
        head = ("HTTP/1.1 %d %s\r\nContent-Type: application/geo+json\r\nContent-Length: %d\r\n\r\n"
                % (status, self.responses[status][0], len(body))).encode()
        self.wfile.write(head + body)


class Server(HTTPServer):
    def server_bind(self):
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        super().server_bind()


def serve():
    Handler.conn = psycopg.connect(CONNINFO, autocommit=True)
    Server(("127.0.0.1", PORT), Handler).serve_forever()


def stop_children(children):
    """SIGTERM to the parent ends its workers too (a worker is never left serving)."""
    def handler(signum, frame):
        for pid in children:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        os._exit(0)
    signal.signal(signal.SIGTERM, handler)


if __name__ == "__main__":
    children = []
    for _ in range(PROCS - 1):
        pid = os.fork()
        if pid == 0:
            # a worker ends with its parent, however the parent ends (Linux PR_SET_PDEATHSIG)
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            serve()
        children.append(pid)
    stop_children(children)
    serve()
