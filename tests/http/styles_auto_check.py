#!/usr/bin/env python3
"""styles_auto_check.py — checks the automatic styles of a server whose database was built only
from third-party files (see test_styles_auto.sh), against references computed here from the
source files with the standard library and numpy, never with teselas code:

  * /styles lists `todas` first and no named style that draws none of the database's layers;
  * every listed style's style.json has only sources with real TileJSON URLs that answer 200
    with tile URLs (never "tiles": []), and /maps, /embed answer 200 for each;
  * categories (values and counts) and class limits (quantiles) equal what Python computes from
    the CSV files; the legend metadata matches them;
  * every catalog thumbnail, and a PNG tile of each layer, is not a flat image.

    styles_auto_check.py BASE_URL TEST_DATA_DIR
Exit 0 when every check passes, 1 with a message on the first failure."""
import atexit
import collections
import csv
import json
import math
import os
import re
import shutil
import sys
import tempfile
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "golden",
                                "render"))
from imgcompare import read_png  # noqa: E402  (an independent PNG decoder, numpy only)

TMP = tempfile.mkdtemp(prefix="teselas-styles-auto-")
atexit.register(shutil.rmtree, TMP, True)  # every run left its folder behind

BASE, DATA = sys.argv[1], sys.argv[2]
N_CHECKS = 0


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def ok(cond, msg):
    global N_CHECKS
    if not cond:
        fail(msg)
    N_CHECKS += 1


def get(path):
    try:
        with urllib.request.urlopen(BASE + path if path.startswith("/") else path) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def get_json(path):
    status, body = get(path)
    ok(status == 200, f"{path}: HTTP {status}: {body[:200]!r}")
    return json.loads(body)


def not_flat(path):
    status, body = get(path)
    ok(status == 200, f"{path}: HTTP {status}")
    rgb = decode(body)
    # a flat image has variance 0: ask for real structure (some pixels off the dominant colour,
    # and a spread well above anti-aliasing noise)
    var = float(rgb.reshape(-1, 3).var(axis=0).sum())
    dominant = collections.Counter(map(tuple, rgb.reshape(-1, 3).astype(int))).most_common(1)[0][1]
    off = 1 - dominant / (rgb.shape[0] * rgb.shape[1])
    ok(var > 20 and off > 0.005, f"{path}: flat image (variance {var:.1f}, {off:.2%} off the "
       "dominant colour)")
    return var


def decode(body):
    """The PNG's pixels composited over white, RGB 0..255."""
    tmp = os.path.join(TMP, "img.png")
    with open(tmp, "wb") as f:
        f.write(body)
    rgba = read_png(tmp)
    a = rgba[..., 3:4] / 255.0
    return rgba[..., :3] * a + 255.0 * (1 - a)


def legend_of(style, layer):
    for L in style["layers"]:
        lg = L.get("metadata", {}).get("teselas:legend")
        if lg and lg["layer"] == layer and lg["kind"] != "clusters":
            return lg
    fail(f"no legend for {layer} in style {style.get('name')}")


def quantile_limits(values, k):
    v = sorted(values)
    n = len(v)
    q = [v[i * n // k] for i in range(k)] + [v[-1]]
    limits = [q[0]]
    for x in q[1:k]:
        if x > limits[-1]:
            limits.append(x)
    if q[k] > limits[-1] or len(limits) == 1:
        limits.append(q[k])
    return limits


def check_styles_list(styles):
    ids = [s["id"] for s in styles]
    ok(ids[0] == "todas", f"/styles must list todas first on a database without demo layers: {ids}")
    ok("leon" not in ids, f"leon draws no layer here and must not be listed: {ids}")
    for layer in ("localidades", "cuadrantes", "alcaldias", "colonias-cdmx", "delitos-agregados",
                  "poblacion", "delitos-tipo"):
        ok(layer in ids, f"/styles lacks the automatic style of {layer}: {ids}")


def check_style_documents(styles):
    for s in styles:
        doc = get_json(f"/styles/{s['id']}/style.json")
        ok("tiles" not in json.dumps(doc["sources"]) or all(
            src.get("tiles") for src in doc["sources"].values() if "tiles" in src),
           f"{s['id']}: a source with no tiles")
        ok(doc["sources"], f"{s['id']}: no source at all")
        for name, src in doc["sources"].items():
            url = src.get("url", "")
            ok(url.startswith(BASE + "/tiles/") and url.endswith(".json"),
               f"{s['id']}: source {name} has no TileJSON URL: {src}")
            tj = get_json(url[len(BASE):])
            ok(tj.get("tiles") and tj["tiles"][0].startswith(BASE),
               f"{s['id']}: TileJSON {url} has no tiles")
        used = {L.get("source") for L in doc["layers"] if L.get("source")}
        ok(used <= set(doc["sources"]), f"{s['id']}: a layer uses a missing source")
        for page in ("maps", "embed"):
            status, _ = get(f"/{page}/{s['id']}")
            ok(status == 200, f"/{page}/{s['id']}: HTTP {status}")


def check_categories():
    rows = list(csv.DictReader(open(f"{DATA}/inegi/AGLOC_11020_localidades.csv", encoding="utf-8")))
    want = collections.Counter(r["ambito"] for r in rows)
    coll = get_json("/collections/localidades")
    st = coll.get("style", {})
    ok(st.get("kind") == "categories" and st.get("field") == "ambito",
       f"localidades: expected categories of ambito, got {st}")
    got = {c["value"]: c["count"] for c in st["categories"]}
    ok(got == dict(want), f"localidades categories {got} != from the CSV {dict(want)}")
    ok(st.get("label") == "nom_loc", f"localidades label field: {st.get('label')}")
    lg = legend_of(get_json("/styles/localidades/style.json"), "localidades")
    ok([i["value"] for i in lg["items"]] == [v for v, _ in want.most_common()],
       f"legend items {lg['items']} are not the values by frequency {want.most_common()}")
    ok(all(i.get("color_name") for i in lg["items"]), "legend items without a colour name")


def check_missing_category():
    """A well without a SISTEMA is drawn with the match's last colour; the legend names it."""
    feats = json.load(open(f"{DATA}/cdmx-agua/Pozos_Sacmex2.geojson", encoding="utf-8"))["features"]
    values = [(f["properties"].get("SISTEMA") or "").strip() for f in feats]
    want = collections.Counter(v for v in values if v)
    missing = sum(1 for v in values if not v)
    st = get_json("/collections/pozos").get("style", {})
    ok(st.get("kind") == "categories" and st.get("field") == "SISTEMA", f"pozos: {st}")
    ok({c["value"]: c["count"] for c in st["categories"]} == dict(want) and st["other"] == 0
       and st["missing"] == missing == 1, f"pozos categories {st} != from the GeoJSON {want}, {missing} missing")
    doc = get_json("/styles/pozos/style.json")
    lg = legend_of(doc, "pozos")
    rest = lg["items"][-1]
    ok(rest.get("rest") == "missing" and rest["label"] == "Sin dato" and rest["value"] is None
       and len(lg["items"]) == len(want) + 1, f"pozos legend: {lg['items']}")
    drawn = [L for L in doc["layers"]
             if (L.get("metadata") or {}).get("teselas:legend", {}).get("kind") == "categories"][0]
    colour = drawn["paint"]["circle-color"]
    ok(colour[0] == "match" and colour[-1] == rest["color"],
       f"the legend's grey {rest['color']} is not the match's last colour {colour}")


def check_forced_categories():
    rows = list(csv.DictReader(open(f"{DATA}/cdmx-ssp/crime-lat-long-2000.csv", encoding="utf-8")))

    def located(r):
        try:
            return math.isfinite(float(r["lat"])) and math.isfinite(float(r["long"]))
        except ValueError:
            return False
    want = collections.Counter(r["crime"] for r in rows if located(r))
    st = get_json("/collections/delitos-tipo").get("style", {})
    ok(st.get("kind") == "categories" and st.get("chosen") == "definition",
       f"delitos-tipo: the definition's style was not used: {st}")
    listed = sorted(want.items(), key=lambda kv: (-kv[1], kv[0]))[:11]
    got = [(c["value"], c["count"]) for c in st["categories"]]
    ok(got == listed, f"delitos-tipo: categories {got} != the CSV's 11 most common {listed}")
    ok(st["other"] == sum(want.values()) - sum(n for _, n in listed),
       f"delitos-tipo: 'other' {st['other']} != the CSV's rest")
    lg = legend_of(get_json("/styles/delitos-tipo/style.json"), "delitos-tipo")
    ok(lg["items"][-1]["label"] == "Otros valores" and len(lg["items"]) == 12,
       f"delitos-tipo legend: {lg['items']}")


def check_classes():
    rows = list(csv.DictReader(open(f"{DATA}/inegi/AGLOC_11020_localidades.csv", encoding="utf-8")))
    # INEGI writes "-" where it withholds a figure: no value (the importer's type conversion
    # leaves the field empty and reports it)
    want = quantile_limits([int(r["pob"]) for r in rows if r["pob"].strip().isdigit()], 5)
    st = get_json("/collections/poblacion").get("style", {})
    ok(st.get("kind") == "classes" and st.get("field") == "pob", f"poblacion: {st}")
    ok(st["limits"] == want, f"poblacion class limits {st['limits']} != quantiles from the CSV {want}")
    lg = legend_of(get_json("/styles/poblacion/style.json"), "poblacion")
    ok([i["value"] for i in lg["items"]] == [[a, b] for a, b in zip(want, want[1:])],
       f"poblacion legend {lg['items']} != limits {want}")
    # the aggregate privacy layer: graduated by its count, limits at the quantiles of the
    # published counts (read back through the features API)
    items = get_json("/collections/delitos-agregados/items?limit=10000")
    casos = [f["properties"]["casos"] for f in items["features"]]
    st = get_json("/collections/delitos-agregados").get("style", {})
    ok(st.get("kind") == "classes" and st.get("field") == "casos", f"delitos-agregados: {st}")
    ok(st["limits"] == quantile_limits(casos, 5),
       f"delitos-agregados limits {st['limits']} != {quantile_limits(casos, 5)}")
    doc = get_json("/styles/delitos-agregados/style.json")
    fill = [L for L in doc["layers"] if L["id"] == "delitos-agregados-fill"][0]
    ok(fill["paint"]["fill-color"][0] == "step", f"aggregate fill is flat: {fill['paint']}")


def check_population_kml():
    """INEGI's `pob` is a count: a polygon layer that has it is graduated by it, not coloured by
    `ambito` (limits from the KML's own values)."""
    import xml.etree.ElementTree as ET
    ns = "{http://www.opengis.net/kml/2.2}"
    root = ET.parse(f"{DATA}/inegi/AGLOC_11020_25.kml").getroot()
    pob = [int(d.text) for d in root.iter(ns + "SimpleData")
           if d.get("name") == "pob" and d.text and d.text.strip().isdigit()]
    ok(len(pob) == 25, f"the KML should hold 25 populations, read {len(pob)}")
    st = get_json("/collections/localidades-kml").get("style", {})
    ok(st.get("kind") == "classes" and st.get("field") == "pob",
       f"localidades-kml: expected classes of pob, got {st}")
    ok(st["limits"] == quantile_limits(pob, 5),
       f"localidades-kml limits {st['limits']} != quantiles from the KML {quantile_limits(pob, 5)}")


def check_context():
    doc = get_json("/styles/cuadrantes/style.json")
    ctx = [L for L in doc["layers"] if L.get("metadata", {}).get("teselas:context")]
    ok(ctx and ctx[0]["source-layer"] == "alcaldias",
       f"the map of cuadrantes shows no dimmed alcaldías: {[L['id'] for L in doc['layers']]}")
    doc = get_json("/styles/todas/style.json")
    kinds = [L["type"] for L in doc["layers"] if L["type"] != "background"]
    order = {"fill": 0, "line": 1, "circle": 2, "symbol": 3}
    first_symbol = kinds.index("symbol")
    ok(all(k == "symbol" for k in kinds[first_symbol:]), f"todas: labels not last: {kinds}")
    fills = [i for i, k in enumerate(kinds) if k == "fill"]
    circles = [i for i, k in enumerate(kinds) if k == "circle"]
    ok(max(fills) < min(circles), f"todas: points under polygons: {kinds}")
    ok(any(L["id"] == "alcaldias-boundary" for L in doc["layers"]) and not any(
        L["id"] == "alcaldias-fill" for L in doc["layers"]),
       "todas: the alcaldías boundary layer is not drawn as an outline")
    del order


def check_images():
    status, page = get("/")
    ok(status == 200, "catalog page")
    html = page.decode()
    m = re.search(r'class="button primary" href="/maps/([^"?]+)', html)
    ok(m and m.group(1) == "todas", f"'all layers' link does not open todas: {m and m.group(1)}")
    thumbs = re.findall(r'<img class="thumb"[^>]* src="([^"]+)"', html)
    ok(len(thumbs) == 9, f"expected 9 thumbnails (one a layer), found {len(thumbs)}")
    for t in thumbs:
        not_flat(t.replace("&amp;", "&"))
        thumb_frames_layer(t.replace("&amp;", "&"))
    for c in get_json("/collections")["collections"]:
        b = c["extent"]["spatial"]["bbox"][0]
        lon, lat = (b[0] + b[2]) / 2, (b[1] + b[3]) / 2
        z = 12
        x = int((lon + 180) / 360 * 2 ** z)
        y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * 2 ** z)
        # the tile that holds the layer's centre, or the 3x3 around it, must show something
        best = max(tile_variance(c["id"], z, x + dx, y + dy) for dx in (-1, 0, 1) for dy in (-1, 0, 1))
        ok(best > 20, f"every z{z} PNG tile around the centre of {c['id']} is flat")
        not_flat(f"/styles/{c['id']}/static/{b[0]},{b[1]},{b[2]},{b[3]}/256x256.png")


def merc(lon, lat):
    r = 6378137.0
    return r * math.radians(lon), r * math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def thumb_frames_layer(url):
    """A thumbnail at {lon},{lat},{zoom}/{w}x{h} (zooms as MapLibre's: the world is 512 CSS px
    wide at zoom 0, in quarters) frames the whole layer, and a quarter zoom closer would not;
    unless the zoom was raised to where the style starts drawing the layer (then the view is on
    the layer's centre). The margin: the layer fills at most 90 % of the image's width or height."""
    m = re.match(r"/styles/([^/]+)/static/([-0-9.]+),([-0-9.]+),(\d+(?:\.\d+)?)/(\d+)x(\d+)\.png(?:\?layers=(.+))?$", url)
    ok(m, f"thumbnail URL not centre,zoom/size: {url}")
    style, lon, lat, z, w, h, layer = m.groups()
    layer = layer or style
    lon, lat, z, w, h = float(lon), float(lat), float(z), int(w), int(h)
    ok((z * 4).is_integer(), f"thumbnail zoom {z} is not in quarters: {url}")
    b = get_json(f"/collections/{layer}")["extent"]["spatial"]["bbox"][0]
    minzooms = [L.get("minzoom", 0) for L in get_json(f"/styles/{style}/style.json")["layers"]
                if L.get("source-layer") == layer]
    if minzooms and min(minzooms) >= z:
        return
    (x0, y0), (x1, y1), (cx, cy) = merc(b[0], b[1]), merc(b[2], b[3]), merc(lon, lat)

    def fits(zoom, frame=1.0):  # within the middle `frame` of the image
        res = 2 * math.pi * 6378137.0 / (512 * 2 ** zoom) * frame
        return (cx - res * w / 2 <= x0 and x1 <= cx + res * w / 2 and
                cy - res * h / 2 <= y0 and y1 <= cy + res * h / 2)
    ok(fits(z), f"thumbnail {url} does not frame the whole of {layer} {b}")
    ok(z >= 15 or not fits(z + 0.25, 0.9), f"thumbnail {url} is farther out than {layer} needs")


def tile_variance(layer, z, x, y):
    status, body = get(f"/styles/{layer}/{z}/{x}/{y}.png")
    ok(status == 200, f"PNG tile of {layer}: HTTP {status}")
    return float(decode(body).reshape(-1, 3).var(axis=0).sum())


def main():
    styles = get_json("/styles")
    check_styles_list(styles)
    check_style_documents(styles)
    check_categories()
    check_forced_categories()
    check_missing_category()
    check_classes()
    check_population_kml()
    check_context()
    check_images()
    for path in ("/maps/leon", "/embed/leon?layers=cuadrantes", "/styles/leon/style.json"):
        status, body = get(path)
        ok(status == 404 and body.startswith(b"{"), f"{path}: expected a 404 JSON, got {status}")
    print(f"ok: {N_CHECKS} checks")


main()
