#!/usr/bin/env python3
"""Writes ref.json: multipart/form-data bodies, and the parts Python's email package reads out of
each, the independent reference that tests/unit/http/test_multipart.c holds multipart.c to.

The bodies are built the way curl, browsers and urllib3 write them (their boundary styles,
quoted and bare parameters, UTF-8 file names, transport padding, preamble and epilogue), around
random binary and text contents that hold near-boundaries: the delimiter less its last byte, the
boundary without its CRLF, lone CRs and LFs. Only bodies valid under RFC 2046 are written (the
boundary never appears in a content), where Python and RFC 7578 agree; refusals are the C
test's own cases. Deterministic: `python3 gen_ref.py > ref.json` rewrites the same file."""
import email.parser
import email.policy
import json
import random
import sys

rnd = random.Random(20261207)
ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def boundary(style):
    if style == "curl":
        return "-" * 24 + "".join(rnd.choice("0123456789abcdef") for _ in range(22))
    if style == "webkit":
        return "----WebKitFormBoundary" + "".join(rnd.choice(ALNUM) for _ in range(16))
    if style == "firefox":
        return "-" * 27 + "".join(rnd.choice("0123456789") for _ in range(30))
    if style == "urllib3":
        return "".join(rnd.choice("0123456789abcdef") for _ in range(32))
    if style == "short":
        return rnd.choice("xyz0")
    if style == "long":
        return "".join(rnd.choice(ALNUM + "'()+_,-./:=?") for _ in range(69)) + "z"
    if style == "spaces":  # bchars with spaces: RFC 2046's own example style, quoted
        return "gc0p4Jq0M2Yt08j34c0p " + "".join(rnd.choice(ALNUM + " '()+_,-./:=?") for _ in range(12)) + "Q"
    raise ValueError(style)


def content(b):
    """Random bytes for a part, with near-boundaries; never the delimiter itself."""
    d = "\r\n--" + b
    pieces = []
    for _ in range(rnd.randint(0, 6)):
        kind = rnd.randint(0, 7)
        if kind == 0:
            pieces.append(bytes(rnd.randint(0, 255) for _ in range(rnd.randint(1, 300))))
        elif kind == 1:
            pieces.append("".join(rnd.choice(ALNUM + " \r\n\t") for _ in range(rnd.randint(1, 200))).encode())
        elif kind == 2:  # the delimiter less its last byte, then something else
            pieces.append((d[: rnd.randint(1, len(d) - 1)] + rnd.choice("#A \t")).encode())
        elif kind == 3:  # the boundary in mid-line, without the CRLF
            pieces.append(("text--" + b + "\r\n").encode())
        elif kind == 4:
            pieces.append(b"\r\r\n\n\r")
        elif kind == 5:
            pieces.append("año ñandú €\r\n".encode())
        elif kind == 6:
            pieces.append(b"\r\n-")
        else:
            pieces.append(b"\r\n--")
    data = b"".join(pieces)
    # Python reads a boundary after a bare CR or LF too; RFC 2046 forbids it in a content anyway
    if ("--" + b).encode() in data:
        return content(b)
    return data


def quote(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


NAMES = ["file", "field", "title", "año", "a b", "x;y", 'say "hi"', "back\\slash", "", "k=v"]
FILES = ["data.csv", "mapa de León.geojson", "a b;c.txt", 'qu"ote.bin', "C:\\tmp\\x.zip", "", "é€.gpkg"]
TYPES = [None, "application/octet-stream", "text/csv; charset=utf-8", "application/geo+json",
         "text/plain", "image/png"]


def part_headers(b, name, filename, ctype, i):
    cd_name = "Content-Disposition" if i % 3 else rnd.choice(["content-disposition", "CONTENT-DISPOSITION"])
    bare = all(c in ALNUM + "-_." for c in name) and name and rnd.random() < 0.3
    params = ["name=" + (name if bare else quote(name))]
    if filename is not None:
        params.append("filename=" + quote(filename))
        if rnd.random() < 0.2:
            params.append("filename*=UTF-8''ignored.txt")
    if rnd.random() < 0.2:
        params.reverse()
    sep = rnd.choice(["; ", ";", " ; "])
    lines = [cd_name + ": " + rnd.choice(["form-data", "Form-Data"]) + sep + sep.join(params)]
    if ctype is not None:
        lines.append("Content-Type: " + ctype)
    if rnd.random() < 0.2:
        lines.append("X-Note: kept out")
    if rnd.random() < 0.3:
        lines.reverse()
    return "".join(l + "\r\n" for l in lines).encode()


def case(style, n_parts, preamble, epilogue, padding, close_crlf):
    b = boundary(style)
    ct_b = quote(b) if (" " in b or any(c in b for c in "()/:=?,") or rnd.random() < 0.3) else b
    ctype = "multipart/form-data; boundary=" + ct_b
    if rnd.random() < 0.2:
        ctype = "Multipart/Form-Data; charset=utf-8; boundary=" + ct_b
    body = preamble
    first = True
    for i in range(n_parts):
        name = rnd.choice(NAMES)
        filename = rnd.choice(FILES) if rnd.random() < 0.5 else None
        t = rnd.choice(TYPES)
        body += (b"" if first and not preamble else b"\r\n") + ("--" + b).encode()
        body += (" " * rnd.randint(1, 3) if padding else "").encode() + b"\r\n"
        body += part_headers(b, name, filename, t, i) + b"\r\n" + content(b)
        first = False
    body += (b"" if first and not preamble else b"\r\n") + ("--" + b + "--").encode()
    body += (b"\r\n" if close_crlf or epilogue else b"") + epilogue  # RFC 2046: [CRLF epilogue]
    return ctype, body


class RawHeaders(email.policy.Compat32):
    """compat32 without its last step, which turns 8-bit header values into U+FFFD: the values
    stay the bytes sent (as surrogate escapes), read by the same parameter parser."""

    def header_fetch_parse(self, name, value):
        return value


def python_parts(ctype, body):
    msg = email.parser.BytesParser(policy=RawHeaders()).parsebytes(("Content-Type: " + ctype + "\r\n\r\n").encode() + body)
    out = []
    if not msg.is_multipart():  # Python gives a body of no parts as text: none read
        return out
    for p in msg.get_payload():
        def raw(s):
            return (s or "").encode("utf-8", "surrogateescape")
        out.append({
            "name": raw(p.get_param("name", header="content-disposition")).hex(),
            "filename": raw(p.get_param("filename", header="content-disposition")).hex(),
            "content_type": raw(p.get("Content-Type")).hex(),
            "data": (p.get_payload(decode=True) or b"").hex(),
        })
    return out


def main():
    cases = []
    styles = ["curl", "webkit", "firefox", "urllib3", "short", "long", "spaces"]
    for i in range(70):
        style = styles[i % len(styles)]
        preamble = b"" if i % 4 else b"This is the preamble.\r\nIt is to be ignored.\r\n"
        if preamble and i % 8 == 0:
            preamble = preamble[:-2]  # the first delimiter then follows the preamble's last line
        epilogue = b"" if i % 5 else b"This is the epilogue.\r\n--not a boundary\r\n"
        ctype, body = case(style, (i % 6) + (1 if i % 7 else 0), preamble, epilogue,
                           padding=(i % 9 == 4), close_crlf=(i % 3 != 1))
        cases.append({"content_type": ctype.encode().hex(), "body": body.hex(),
                      "parts": python_parts(ctype, body)})
    json.dump(cases, sys.stdout, indent=0)
    sys.stdout.write("\n")


main()
