#!/usr/bin/env python3
"""pg_proof.py — the same teselas over SpatiaLite and over PostgreSQL answers byte for byte.

    pg_proof.py TESELAS PSQL_URI WORK

Makes the URL proof's two databases (tests/urlproof/databases.py: the León demo, and one built
only from third-party files) and a third, `privado`, holding only the CDMX crimes under
`--privacy generalize` (each point moved to its cell at import); copies each into its own schema
of the PostgreSQL database PSQL_URI with `teselas copy`; serves every database twice with the
same binary, once from the file and once from PostgreSQL; asks both sides the URL proof's fixed
list (tests/urlproof/urls.txt, about 2,600 requests: vector tiles at every zoom, items pages with
bbox, filters, sort and paging, downloads, PNG tiles, TileJSON, collections) and the requests of
the generalised layer (GENERALISED below), and compares status, the contract's headers and
bodies byte for byte (urlproof.py's comparison and masks). Then checks with SQL that no exact
coordinate of the source file of the generalised layer is in any table of its PostgreSQL schema
(a schema of its own: the third-party database publishes the same crimes exactly, on purpose).

Exit 0 when every answer is identical and no coordinate leaked, 1 otherwise.
"""
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(HERE, "..", "urlproof"))
import databases  # noqa: E402
import urlproof  # noqa: E402

CRIMES = os.path.join(HERE, "..", "data", "cdmx-ssp", "crime-lat-long-2000.csv")
GEN_LAYER = "delitos-gen"


def generalised_urls():
    """Requests of the generalised layer: tiles over CDMX at every zoom, items pages, downloads."""
    out = []
    lon, lat = -99.13, 19.43
    import math
    for z in range(0, 17):
        n = 2 ** z
        x = int((lon + 180) / 360 * n)
        y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
        for dx, dy in ((0, 0), (1, 0), (0, 1)):
            out.append(f"privado\tGET\t/tiles/{GEN_LAYER}/{z}/{x + dx}/{y + dy}.pbf")
    base = f"/collections/{GEN_LAYER}"
    for q in ("", "?limit=7", "?limit=5&offset=12", "?bbox=-99.2,19.35,-99.1,19.45",
              "?bbox=-99.2,19.35,-99.1,19.45&limit=3&offset=2", "?sortby=-date&limit=9",
              "?crime=ROBO%20A%20NEGOCIO%20C.V.", "?datetime=2013-01-01/2013-01-31",
              "?filter=crime%20LIKE%20%27ROBO%25%27&limit=20", "?f=csv", "?f=html&limit=3"):
        out.append(f"privado\tGET\t{base}/items{q}")
    for p in ("", "/queryables", "/items/1", "/dictionary", "/quality"):
        out.append(f"privado\tGET\t{base}{p}")
    out.append(f"privado\tGET\t/tiles/{GEN_LAYER}.json")
    for fmt in ("geojson", "csv", "gpkg", "shp"):
        out.append(f"privado\tGET\t/collections/{GEN_LAYER}/download.{fmt}")
    return [line + "\n" for line in out]


def catalog_urls():
    """The catalogs of each database (DCAT and CKAN): issued and modified times, every layer."""
    out = []
    for db, layer in (("leon", "parques"), ("terceros", "alcaldias"), ("privado", GEN_LAYER)):
        for p in ("/catalog.jsonld", "/catalog.ttl", "/api/3/action/package_list",
                  "/api/3/action/package_search?rows=100", f"/api/3/action/package_show?id={layer}",
                  "/api/3/action/organization_list"):
            out.append(f"{db}\tGET\t{p}\n")
    return out


def digests_known(ports, limit_s=300):
    """Waits until each server's catalogue gives the size and checksum of every GeoJSON and CSV
    download: a server computes them in the background after it starts (http/digests.c), so a
    catalogue asked earlier on one side than on the other would differ by what is not yet known."""
    import re
    import urllib.request
    deadline = time.monotonic() + limit_s
    for name, port in ports.items():
        while True:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/catalog.ttl", timeout=60) as r:
                ttl = r.read().decode()
            want = len(re.findall(r"dcat:downloadURL <[^>]*/download\.(?:geojson|csv)>", ttl))
            if ttl.count("dcat:byteSize") >= want:
                break
            if time.monotonic() > deadline:
                print(f"pg_proof: {name}: digests still unknown after {limit_s} s; comparing anyway")
                break
            time.sleep(0.5)


def copy_into(teselas, db, uri, schema):
    r = subprocess.run([teselas, "copy", "--from", db, "--to", uri, "--db-schema", schema],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"teselas copy {db} -> {schema} failed: {r.stderr.strip()}")
    sep = "&" if "?" in uri else "?"
    return f"{uri}{sep}options=-csearch_path%3D{schema}%2Cpublic"


def psql(uri, sql):
    r = subprocess.run(["psql", "-X", "-At", "-v", "ON_ERROR_STOP=1", uri, "-c", sql],
                       capture_output=True, text=True, check=True)
    return r.stdout


def leaked_coordinates(uri, schema):
    """Source coordinates of the generalised layer found as a vertex or a number anywhere in the
    schema: every geometry's vertices, every double column."""
    import csv
    src = set()
    with open(CRIMES, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            try:
                src.add(float(row["long"]))
                src.add(float(row["lat"]))
            except ValueError:
                pass
    cols = psql(uri, f"""SELECT table_name, column_name, udt_name FROM information_schema.columns
                        WHERE table_schema = '{schema}' AND udt_name IN ('geometry', 'float8')""")
    found = []
    for line in cols.splitlines():
        table, col, udt = line.split("|")
        if udt == "geometry":
            sql = (f'SELECT ST_X(d.geom), ST_Y(d.geom) FROM "{schema}"."{table}" t,'
                   f' ST_DumpPoints(t."{col}") d')
        else:
            sql = f'SELECT "{col}" FROM "{schema}"."{table}" WHERE "{col}" IS NOT NULL'
        out = psql(uri.split("?")[0] + "?options=-cextra_float_digits%3D3", sql)
        for v in out.replace("|", "\n").split():
            if float(v) in src:
                found.append(f"{table}.{col}: {v}")
    return found


def main():
    teselas, uri, work = sys.argv[1:4]
    dbs, notes = databases.make(teselas, work)
    dbs["privado"] = os.path.join(work, "privado.db")
    subprocess.run([teselas, "import", CRIMES, "--db", dbs["privado"], "--layer", GEN_LAYER,
                    "--lat", "lat", "--lon", "long", "--privacy", "generalize:grid=250,k=5",
                    "--quiet"], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    uris = {name: copy_into(teselas, path, uri, name) for name, path in dbs.items()}
    with open(urlproof.URLS) as f:
        lines = [ln for ln in f if ln.strip()] + generalised_urls() + catalog_urls()
    # Under the sanitizers every request costs ~20x: the suite's ASan pass asks one URL in
    # TESELAS_PROOF_STRIDE (scripts/test.sh), the normal pass asks them all.
    stride = max(1, int(os.environ.get("TESELAS_PROOF_STRIDE", "1")))
    lines = lines[::stride]
    before, t1, bad1 = urlproof.run_side(teselas, dbs, lines, os.path.join(work, "before"),
                                         ready=digests_known)
    after, t2, bad2 = urlproof.run_side(teselas, uris, lines, os.path.join(work, "after"),
                                        ready=digests_known)
    diffs, etags, masks = urlproof.compare(lines, before, after, work)
    print("pg_proof: BEFORE is SpatiaLite, AFTER is PostgreSQL (same binary, same data)")
    urlproof.report(lines, before, diffs, etags, masks, notes, (t1, t2))
    for t in bad1 + bad2:
        print("SERVER " + t)
    leaks = leaked_coordinates(uri, "privado")
    for leak in leaks[:20]:
        print(f"LEAK an exact source coordinate of {GEN_LAYER} in PostgreSQL: {leak}")
    print(f"pg_proof: {len(leaks)} exact source coordinates of {GEN_LAYER} in schema privado")
    return 1 if diffs or bad1 or bad2 or leaks else 0


if __name__ == "__main__":
    sys.exit(main())
