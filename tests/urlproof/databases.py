"""databases.py — the two databases the URL proof serves, made once by the BEFORE binary.

Both binaries then serve the same files, so any difference in an answer comes from the server,
not from an import.

- "leon": the demo's sample of León (`teselas demo --build-only`), every demo layer.
- "terceros": only third-party files, each with the traps its SOURCE.md lists (NA coordinates,
  invalid polygons, a UTF-8 DBF without .cpg, a GeoPackage in UTM 14N): INEGI localities, CDMX
  police cuadrantes, CentroGeo alcaldías and colonias, 2,000 CDMX crimes as points and as
  aggregated cells (--privacy aggregate), and, when the shared data folder is there, all
  132,692 crimes (a dense layer, so the clustered tiles are asked of real data too).
"""
import os
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
TEST_DATA = os.path.join(HERE, "..", "data")


def shared_data():
    """The shared fixtures folder (TESELAS_SHARED_DATA, else the project's sibling), or None."""
    d = os.environ.get("TESELAS_SHARED_DATA") or os.path.join(HERE, "..", "..", "..", "shared", "data")
    return d if os.path.isdir(d) else None


def _imports():
    d = TEST_DATA
    rows = [
        ("localidades", [f"{d}/inegi/AGLOC_11020_localidades.csv"]),
        ("cuadrantes", [f"{d}/cdmx-ssp/cuadrantes_shp.zip"]),
        ("alcaldias", [f"{d}/centrogeo/criminologia_capas_subset.gpkg", "--source-layer", "alcaldias"]),
        ("colonias-cdmx", [f"{d}/centrogeo/criminologia_capas_subset.gpkg", "--source-layer", "colonias"]),
        ("delitos", [f"{d}/cdmx-ssp/crime-lat-long-2000.csv", "--lat", "lat", "--lon", "long",
                     "--privacy", "none"]),
        ("delitos-celdas", [f"{d}/cdmx-ssp/crime-lat-long-2000.csv", "--lat", "lat", "--lon", "long",
                            "--privacy", "aggregate:grid=500,k=5,by=crime,date=date"]),
    ]
    shared = shared_data()
    big = shared and os.path.join(shared, "cdmx-ssp-delitos", "crime-lat-long.csv")
    if big and os.path.isfile(big):
        rows.append(("delitos-cdmx", [big, "--lat", "lat", "--lon", "long", "--privacy", "none"]))
    return rows


def make(teselas, work):
    """Builds both databases under work; returns {name: path} and notes for the summary."""
    notes = []
    leon = os.path.join(work, "leon.db")
    subprocess.run([teselas, "demo", "--db", leon, "--build-only"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    tp = os.path.join(work, "terceros.db")
    rows = _imports()
    if not any(r[0] == "delitos-cdmx" for r in rows):
        notes.append("shared data absent: layer delitos-cdmx not made (its URLs answer 404 on both sides)")
    for layer, args in rows:
        subprocess.run([teselas, "import", args[0], "--db", tp, "--layer", layer, "--quiet"] + args[1:],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return {"leon": leon, "terceros": tp}, notes
