"""normalise.py — the only bytes the URL proof masks before comparing, each with its reason.

Two runs of one build differ in exactly these places (found by running the proof with the same
binary on both sides, and an ASan build against a release one); everything else must be
byte-identical. Each mask covers nothing but the value that names the moment of the request:

- `timeStamp` of a features page (OGC API - Features 1.0, /req/core/fc-timeStamp): the time the
  response was generated.
- `uptime_s` of /health: seconds since the server started (the number is replaced by `#`
  whatever its digits: an ASan build reached it after 100 s, the release build after 30 s).
- `last_change` of a GeoPackage download's gpkg_contents row (GeoPackage 1.3, table
  gpkg_contents): the time the file was written. Only the exact strings that column holds are
  masked, wherever they occur in the file, so a feature's own dates are never hidden.

A gzip-encoded answer is compared as sent, byte for byte, unless its decoded body holds one of
these values: then the decoded bodies are compared with the mask (the compressed bytes of two
different timestamps differ everywhere after them).
"""
import gzip
import os
import re
import sqlite3
import tempfile

TIMESTAMP_JSON = re.compile(rb'"timeStamp":\s*"[0-9T:.Z-]+"')
UPTIME = re.compile(rb'"uptime_s":\s*[0-9]+')

# what each mask is, for the summary
REASONS = {
    "timeStamp": "features page: time of the response (OGC API - Features fc-timeStamp)",
    "uptime_s": "/health: seconds since start",
    "last_change": "GeoPackage: gpkg_contents.last_change, the time the file was written",
}
REASONS.update({k + " (gzip)": v + ", in a gzip-encoded answer" for k, v in list(REASONS.items())})


def _same_length(m):
    s = m.group(0)
    return s[:s.index(b":") + 1] + b"#" * (len(s) - s.index(b":") - 1)


def _gpkg_times(body):
    """The last_change values of a GeoPackage held in body (empty when it is not one)."""
    fd, path = tempfile.mkstemp(suffix=".gpkg")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(body)
        con = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
        try:
            rows = con.execute("SELECT last_change FROM gpkg_contents").fetchall()
        finally:
            con.close()
        return [r[0].encode() for r in rows if r[0]]
    except sqlite3.Error:
        return []
    finally:
        os.unlink(path)


def normalise(content_type, encoding, body):
    """(body with the masks applied, names of the masks that matched)."""
    if encoding == "gzip":
        try:
            plain, used = _mask(content_type, gzip.decompress(body))
        except (OSError, EOFError):
            return body, []
        return (plain, [u + " (gzip)" for u in used]) if used else (body, [])
    return _mask(content_type, body)


def _mask(content_type, body):
    used = []
    ct = (content_type or "").split(";")[0].strip()
    if ct.endswith("json") or ct == "text/html":
        body, n = TIMESTAMP_JSON.subn(_same_length, body)
        if n:
            used.append("timeStamp")
        body, n = UPTIME.subn(b'"uptime_s":#', body)
        if n:
            used.append("uptime_s")
    if ct == "application/geopackage+sqlite3":
        for t in _gpkg_times(body):
            if t in body:
                body = body.replace(t, b"#" * len(t))
                used.append("last_change")
    return body, used
