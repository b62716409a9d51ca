"""normalise.py — the only bytes the URL proof masks before comparing, each with its reason.

Two runs of one build differ in exactly these places (found by running the proof with the same
binary on both sides, and an ASan build against a release one); everything else must be
byte-identical. Each mask covers nothing but the value that names the moment of the request:

- `timeStamp` of a features page (OGC API - Features 1.0, /req/core/fc-timeStamp): the time the
  response was generated.
- `uptime_s` of /health: seconds since the server started (the number is replaced by `#`
  whatever its digits: an ASan build reached it after 100 s, the release build after 30 s).

A GeoPackage download is compared whole: its gpkg_contents.last_change is the time the layer's
version was imported, so one version is the same file on every request.

A gzip-encoded answer is compared as sent, byte for byte, unless its decoded body holds one of
these values: then the decoded bodies are compared with the mask (the compressed bytes of two
different timestamps differ everywhere after them).
"""
import gzip
import re

TIMESTAMP_JSON = re.compile(rb'"timeStamp":\s*"[0-9T:.Z-]+"')
UPTIME = re.compile(rb'"uptime_s":\s*[0-9]+')

# what each mask is, for the summary
REASONS = {
    "timeStamp": "features page: time of the response (OGC API - Features fc-timeStamp)",
    "uptime_s": "/health: seconds since start",
}
REASONS.update({k + " (gzip)": v + ", in a gzip-encoded answer" for k, v in list(REASONS.items())})


def _same_length(m):
    s = m.group(0)
    return s[:s.index(b":") + 1] + b"#" * (len(s) - s.index(b":") - 1)


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
    return body, used
