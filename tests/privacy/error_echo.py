#!/usr/bin/env python3
"""error_echo.py — no error answer repeats what the client sent.

    error_echo.py --base URL [--layer ID]

A value typed into a filter may be somebody's name, phone or CURP; an error body is cached,
logged by proxies and shown on screens. The routes and their parameters come from the server's
own OpenAPI document (/api), so a new route or parameter is covered without editing this file:
for every GET path, each path parameter in turn, and each query parameter in turn (with the other
path parameters valid), gets each personal-looking value below; so do unknown collections and
paths, which the document cannot list. Every answer must be below 500,
and every answer of 400 or more must not contain the value (as sent, URL-decoded, in any case, or
its first 8 characters). Prints a summary; exits 1 listing the echoes.
"""
import argparse
import json
import sys
import urllib.error
import urllib.parse
import urllib.request

PERSONAL = ["Juan Perez Lopez", "PELJ800101HGTRRN09", "juan.perez@example.com", "477 123 4567",
            "Calle Hidalgo 123 Col Centro", "Maria-Guadalupe'Rios"]


def fetch(base, path):
    try:
        with urllib.request.urlopen(base + path, timeout=30) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def valid_path_values(base, layer):
    status, body = fetch(base, "/styles")
    styles = json.loads(body)
    first = styles["styles"][0]["id"] if isinstance(styles, dict) else styles[0]["id"]
    return {"style": first, "ids": layer, "z": "14", "x": "3564", "y": "7207",
            "view": "-101.68,21.12,12", "size": "300x200", "featureId": "1",
            "fontstack": "Noto Sans Regular", "range": "0-255"}


def params_of(api, op):
    out = []
    for p in op.get("parameters", []):
        if "$ref" in p:
            p = api["components"]["parameters"][p["$ref"].split("/")[-1]]
        out.append((p["in"], p["name"]))
    return out


def echoes(body, value):
    low = body.lower()
    forms = {value, urllib.parse.quote(value), urllib.parse.quote_plus(value), value[:8]}
    return [f for f in forms if f.encode().lower() in low]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", required=True)
    ap.add_argument("--layer", required=True)
    a = ap.parse_args()
    status, body = fetch(a.base, "/api")
    assert status == 200, status
    api = json.loads(body)
    valid = valid_path_values(a.base, a.layer)
    problems, n, n_errors = [], 0, 0
    for template, ops in sorted(api["paths"].items()):
        if "get" not in ops or template.startswith("/assets/"):
            continue
        params = params_of(api, ops["get"])
        path_names = [name for where, name in params if where == "path"]
        cases = [("path", name) for name in path_names] + \
                [("query", name) for where, name in params if where == "query"]
        for where, name in cases:
            for value in PERSONAL:
                path = template
                for p in path_names:
                    v = value if (where == "path" and p == name) else valid.get(p, "1")
                    path = path.replace("{%s}" % p, urllib.parse.quote(v, safe=","))
                if where == "query":
                    path += "?" + urllib.parse.urlencode({name: value})
                status, body = fetch(a.base, path)
                n += 1
                if status >= 500:
                    problems.append("%d for %s" % (status, path))
                elif status >= 400:
                    n_errors += 1
                    found = echoes(body, value)
                    if found:
                        problems.append("%s %s: %d echoes %r: %s" % (where, name, status, found[0],
                                                                    body[:200].decode("utf-8", "replace")))
    # paths the document cannot list: unknown collections and resources
    for template in ("/collections/{v}", "/collections/{v}/items", "/collections/{v}/aggregate",
                     "/collections/{v}/download.csv", "/collections/%s/download.{v}" % a.layer,
                     "/{v}", "/maps/{v}/x"):
        for value in PERSONAL:
            path = template.replace("{v}", urllib.parse.quote(value, safe=""))
            status, body = fetch(a.base, path)
            n += 1
            if status >= 500 or status < 400:
                problems.append("%d for %s" % (status, path))
            else:
                n_errors += 1
                if echoes(body, value):
                    problems.append("%s: %d echoes: %s" % (template, status, body[:200]))
    print("error_echo: %d requests, %d errors checked, %d echo" % (n, n_errors, len(problems)))
    for p in problems[:30]:
        print("ECHO: " + p)
    sys.exit(1 if problems or n_errors == 0 else 0)


if __name__ == "__main__":
    main()
