"""gen_urls.py — the fixed list of requests the URL proof compares (tests/urlproof/urls.txt).

The list is derived from the databases themselves, asked once through a running server: every
layer's features (in id order, so the same on every run) give the points whose tiles hold data at
z0-z18, the values the filters compare with, and the cursors of later pages. Nothing here is
random, so the same databases give the same list, line for line.

A line is `DB<TAB>METHOD<TAB>PATH[<TAB>Header: value]...`, DB naming the database it is asked of
("leon", the demo's, or "terceros", the one made only from third-party files).
"""
import json
import math
import urllib.parse
import urllib.request

ZOOMS = range(0, 19)
FILTER_ZOOMS = (4, 8, 11, 13, 15, 17)
PNG_ZOOMS = (2, 8, 11, 13, 15, 17)


def tile_of(lon, lat, z):
    """The XYZ tile holding (lon, lat) at zoom z (Web Mercator, the OSM scheme)."""
    n = 1 << z
    lat = max(min(lat, 85.0511), -85.0511)
    x = int((lon + 180.0) / 360.0 * n)
    r = math.radians(lat)
    y = int((1.0 - math.asinh(math.tan(r)) / math.pi) / 2.0 * n)
    return min(max(x, 0), n - 1), min(max(y, 0), n - 1)


def first_coord(geom):
    """The first position of a GeoJSON geometry (a vertex, so its tiles always hold the feature)."""
    c = geom["coordinates"]
    while isinstance(c[0], list):
        c = c[0]
    return c[0], c[1]


def q(s):
    return urllib.parse.quote(s, safe="")


class Source:
    """One database behind a running server: what the generator needs to know of it."""

    def __init__(self, name, base):
        self.name, self.base = name, base

    def get(self, path):
        with urllib.request.urlopen(self.base + path, timeout=60) as r:
            return json.load(r)

    def layers(self):
        return [c["id"] for c in self.get("/collections?f=json")["collections"]]

    def styles(self):
        return [s["id"] for s in self.get("/styles")]


def literal(v):
    """A CQL2 literal of a property value."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    return "'" + str(v).replace("'", "''") + "'"


# CQL2 text forms per field type: {k} the field, {v} a value of it, {p} its first three
# characters and a wildcard, {lo} and {hi} the value minus and plus one.
FORMS = {
    "string": ("{k} = {v}", "{k} LIKE {p}", "{k} IN ({v}, 'zz')", "NOT ({k} = {v})"),
    "number": ("{k} >= {v}", '"{k}" BETWEEN {lo} AND {hi}', "{k} IS NULL OR {k} < {v}"),
    "boolean": ("{k} = {v}",),
}


def fields_by_kind(props, types):
    """Up to two string and two numeric fields and one boolean that the feature has a value of."""
    def kind(k, t):
        v = props.get(k)
        if t == "boolean" and isinstance(v, bool):
            return "boolean"
        if t == "string" and isinstance(v, str):
            return "string"
        if t in ("integer", "number") and isinstance(v, (int, float)) and not isinstance(v, bool):
            return "number"
        return None
    out = {"string": [], "number": [], "boolean": []}
    for k, t in types.items():
        c = kind(k, t)
        if c and len(out[c]) < (1 if c == "boolean" else 2):
            out[c].append(k)
    return out


def filters_of(props, types, temporal):
    """Query strings of every filter kind the features API parses, built from one feature's
    values: PROP=VALUE, CQL2 text comparisons, LIKE, IN, BETWEEN, IS NULL, NOT, AND/OR,
    datetime forms, and a malformed one of each kind (their 400s are part of the contract)."""
    out = []
    by = fields_by_kind(props, types)
    strs, nums = by["string"], by["number"]
    for c in ("string", "number", "boolean"):
        for k in by[c]:
            v = props[k]
            plain = q(v) if c == "string" else literal(v)
            out.append(f"{q(k)}={plain}")
            lo_hi = (literal(v - 1), literal(v + 1)) if c == "number" else (None, None)
            for form in FORMS[c]:
                text = form.format(k=k, v=literal(v), p=literal(str(v)[:3] + "%"),
                                   lo=lo_hi[0], hi=lo_hi[1])
                out.append("filter=" + q(text))
    if strs and nums:
        out.append("filter=" + q(f"{strs[0]} = {literal(props[strs[0]])} AND {nums[0]} > 0")
                   + f"&{q(nums[0])}={props[nums[0]]}")
    if temporal:
        start = temporal[0][:10]
        year = int(start[:4])
        out += [f"datetime={year + 1}-01-01/{year + 1}-12-31", f"datetime=../{year}-06-30",
                f"datetime={year + 1}-03-01/..", f"datetime={start}",
                f"datetime={year + 1}-01-01T00:00:00Z/{year + 1}-02-01T00:00:00Z",
                "datetime=" + q(f"{year + 1}-01-01/{year + 1}-12-31") + "&filter=" + q(
                    f"{nums[0]} >= 20" if nums else "true")]
    out += ["filter=" + q("nope = 1"), "filter=" + q("(("), "filter-lang=cql2-json&filter="
            + q('{"op":"=","args":[{"property":"x"},1]}'), "datetime=yesterday", "nope=1"]
    return out


def spatial_filters(lon, lat):
    """CQL2 spatial predicates around a point: intersects, within, disjoint and contains, with a
    polygon, a BBOX and a point, and a malformed point (a 400)."""
    d = 0.02
    poly = (f"POLYGON(({lon - d} {lat - d},{lon + d} {lat - d},{lon + d} {lat + d},"
            f"{lon - d} {lat + d},{lon - d} {lat - d}))")
    out = ["filter=" + q(f"S_INTERSECTS(geometry, {poly})"),
           "filter=" + q(f"S_WITHIN(geometry, {poly})"),
           "filter=" + q(f"S_DISJOINT(geometry, {poly})"),
           "filter=" + q(f"S_INTERSECTS(geometry, BBOX({lon - d},{lat - d},{lon + d},{lat + d}))"),
           "filter=" + q(f"S_CONTAINS(geometry, POINT({lon} {lat}))"),
           "filter=" + q(f"S_INTERSECTS(geometry, POINT({lon} {lat} 9 9))")]
    return out


class Layer:
    """What the list needs of one layer: sample points, one feature's values, field types."""

    def __init__(self, src, lid):
        self.id = lid
        coll = src.get(f"/collections/{lid}?f=json")
        self.bbox = coll["extent"]["spatial"]["bbox"][0]
        t = coll["extent"].get("temporal", {}).get("interval", [[None]])[0]
        self.temporal = t if t and t[0] else None
        qa = src.get(f"/collections/{lid}/queryables?f=json")["properties"]
        self.types = {k: v.get("type") for k, v in qa.items() if k != "geometry"}
        page = src.get(f"/collections/{lid}/items?limit=200&f=json")
        feats = page["features"]
        self.count = len(feats)
        # three features spread over the first page, and the centre of the extent
        picks = [feats[i * len(feats) // 3] for i in range(3)] if feats else []
        self.points = [first_coord(f["geometry"]) for f in picks]
        self.points.append(((self.bbox[0] + self.bbox[2]) / 2, (self.bbox[1] + self.bbox[3]) / 2))
        self.props = feats[0]["properties"] if feats else {}
        self.fids = [f["id"] for f in picks]
        nxt = [ln["href"] for ln in page["links"] if ln["rel"] == "next"]
        self.next_path = urllib.parse.urlsplit(nxt[0]) if nxt else None


def tile_paths(L, ids=None):
    """Vector tiles z0-z18 at the layer's sample points (data in every one), in .pbf, a few in
    .mvt and through the OGC API - Tiles route (row before column)."""
    ids = ids or L.id
    seen, out = set(), []
    for z in ZOOMS:
        for p in (L.points[0], L.points[1 + z % (len(L.points) - 1)]):
            x, y = tile_of(p[0], p[1], z)
            if (z, x, y) in seen:
                continue
            seen.add((z, x, y))
            out.append(f"/tiles/{ids}/{z}/{x}/{y}.pbf")
            if z % 6 == 3:
                out.append(f"/tiles/{ids}/{z}/{x}/{y}.mvt")
                out.append(f"/collections/{L.id}/tiles/WebMercatorQuad/{z}/{y}/{x}")
    return out


def filtered_tile_paths(L, queries):
    """Each filter on two tiles of its own, the zooms taken in turn from FILTER_ZOOMS (so every
    filter kind meets the clustered, dropped and full-detail zooms across the layers), and one in
    five through the OGC API - Tiles route."""
    out = []
    lon, lat = L.points[0]
    for i, qs in enumerate(queries):
        for z in (FILTER_ZOOMS[i % 6], FILTER_ZOOMS[(i + 3) % 6]):
            x, y = tile_of(lon, lat, z)
            out.append(f"/tiles/{L.id}/{z}/{x}/{y}.pbf?{qs}")
        if i % 5 == 0:
            x, y = tile_of(lon, lat, 12)
            out.append(f"/collections/{L.id}/tiles/WebMercatorQuad/12/{y}/{x}?{qs}")
    return out


def items_paths(L, queries):
    lon, lat = L.points[0]
    b = f"{lon - 0.05},{lat - 0.05},{lon + 0.05},{lat + 0.05}"
    sort = next(iter(L.types), None)
    base = f"/collections/{L.id}/items"
    out = [base, f"{base}?limit=10", f"{base}?limit=10&offset=20", f"{base}?limit=3&f=csv",
           f"{base}?limit=3&f=csv&bom=true", f"{base}?limit=7&f=html", f"{base}?bbox={b}",
           f"{base}?bbox={b}&limit=50&offset=10", f"{base}?bbox={b}&limit=5&f=csv",
           f"{base}?limit=5&near={lon},{lat}", f"{base}?limit=10000&offset=0",
           f"{base}?limit=0", f"{base}?limit=10001", f"{base}?bbox=1,2,3", f"{base}?offset=-1",
           f"{base}?bbox={b}&limit=5&f=json", f"{base}?sortby=nope"]
    if sort:
        out += [f"{base}?limit=5&sortby={q(sort)}", f"{base}?limit=5&sortby=-{q(sort)}",
                f"{base}?limit=5&sortby=-{q(sort)},fid&offset=3",
                f"{base}?limit=4&properties={q(sort)}"]
    if L.next_path:
        out.append(L.next_path.path + "?" + L.next_path.query)
    for qs in queries:
        out.append(f"{base}?limit=20&{qs}")
    out += [f"{base}/{fid}" for fid in L.fids]
    out += [f"{base}/{L.fids[0]}?f=html" if L.fids else f"{base}/1?f=html",
            f"{base}/99999999", f"{base}/abc", f"{base}/0"]
    return out


def collection_paths(L):
    c = f"/collections/{L.id}"
    out = [c, c + "?f=json", c + "?f=html", c + "/queryables", c + "/quality",
           c + "/quality?f=html", c + "/quality?f=json", c + "/tiles",
           c + "/tiles/WebMercatorQuad", f"/tiles/{L.id}.json",
           c + "/download.geojson", c + "/download.csv", c + "/download.gpkg", c + "/download.shp"]
    lon, lat = L.points[0]
    b = f"{lon - 0.1},{lat - 0.1},{lon + 0.1},{lat + 0.1}"
    for k in list(L.types)[:2]:
        out.append(f"{c}/aggregate?by={q(k)}&bbox={b}")
    out += [f"{c}/aggregate?by=month&bbox={b}", f"{c}/aggregate?by=nope&bbox={b}"]
    return out


def style_paths(style, lon, lat):
    s = f"/styles/{style}"
    out = [s + "/style.json", f"/maps/{style}", f"/embed/{style}"]
    for z in PNG_ZOOMS:
        x, y = tile_of(lon, lat, z)
        out.append(f"{s}/{z}/{x}/{y}.png")
        if z in (11, 15):
            out.append(f"{s}/{z}/{x}/{y}@2x.png")
    out += [f"{s}/static/{lon},{lat},12/600x400.png", f"{s}/static/{lon},{lat},15.5/256x256.png",
            f"{s}/static/{lon - 0.1},{lat - 0.1},{lon + 0.1},{lat + 0.1}/400x300.png",
            f"{s}/static/{lon},{lat},12/4096x4096.png", f"{s}/static/a,b,c/10x10.png"]
    return out


def global_paths(src, layers):
    """The service-wide documents, pages and their assets, glyphs, and malformed requests."""
    out = ["/", "/?f=json", "/?f=html", "/conformance", "/conformance?f=json", "/api",
           "/api?f=json", "/collections", "/collections?f=json", "/collections?f=html", "/health",
           "/styles", "/styles/nope/style.json", "/styles/nope/1/0/0.png", "/maps/nope",
           "/collections/nope", "/collections/nope/items", "/tiles/nope/0/0/0.pbf",
           "/tiles/nope.json", "/nope", "/collections/", "/%00", "/collections?x=%00",
           "/assets/0000/nope.js"]
    pages = [src.base + "/", src.base + "/maps/" + src.styles()[0]]
    assets = set()
    for url in pages:
        with urllib.request.urlopen(url, timeout=60) as r:
            text = r.read().decode()
        for part in text.split('"'):
            if part.startswith("/assets/") and not part.endswith("/"):
                assets.add(part)
    for a in sorted(assets):
        out += [a, "/assets/0000/" + a.rsplit("/", 1)[1]]
    for font in ("Noto Sans Regular", "Noto Sans Bold", "Noto Sans Italic", "Nope"):
        for rng in ("0-255", "256-511", "8192-8447", "1-2"):
            out.append(f"/fonts/{q(font)}/{rng}.pbf")
    ids = ",".join(L.id for L in layers[:3])
    out += [f"/tiles/{ids}.json", f"/tiles/{layers[0].id}/31/0/0.pbf",
            f"/tiles/{layers[0].id}/2/9/0.pbf", f"/tiles/{layers[0].id}/a/0/0.pbf",
            f"/tiles/{layers[0].id}/10/0/0.pbf", f"/tiles/{layers[0].id}/0/0/0.png",
            f"/tiles/{layers[0].id},nope/0/0/0.pbf", "/x" * 9000]
    return out


def variant_lines(db, layers):
    """The same resources under other methods and headers: content negotiation, gzip, HEAD,
    OPTIONS, conditional requests, and methods that are refused."""
    L = layers[0]
    x, y = tile_of(L.points[0][0], L.points[0][1], 12)
    tile = f"/tiles/{L.id}/12/{x}/{y}.pbf"
    items = f"/collections/{L.id}/items?limit=5"
    rows = [("GET", "/", "Accept: application/json"), ("GET", "/", "Accept: text/html"),
            ("GET", f"/collections/{L.id}", "Accept: text/html"),
            ("GET", items, "Accept: text/html"), ("GET", items, "Accept: text/csv"),
            ("GET", f"/collections/{L.id}/quality", "Accept: text/html"),
            ("GET", tile, "Accept-Encoding: gzip"), ("GET", items, "Accept-Encoding: gzip"),
            ("GET", "/api", "Accept-Encoding: gzip"), ("GET", tile, "If-None-Match: \"nope\""),
            ("HEAD", tile, None), ("HEAD", items, None), ("HEAD", "/", None),
            ("OPTIONS", tile, None), ("POST", tile, None), ("DELETE", items, None),
            ("PUT", "/", None)]
    return [f"{db}\t{m}\t{p}" + (f"\t{h}" if h else "") for m, p, h in rows]


def generate(sources):
    """Every line, for each (name, base URL) of a running server."""
    lines = []
    for name, base in sources:
        src = Source(name, base)
        layers = [Layer(src, lid) for lid in src.layers()]
        paths = global_paths(src, layers)
        for L in layers:
            queries = filters_of(L.props, L.types, L.temporal)
            queries += spatial_filters(*L.points[0])
            paths += tile_paths(L) + collection_paths(L) + items_paths(L, queries)
            paths += filtered_tile_paths(L, queries)
        for i in range(0, len(layers) - 1, 2):
            both = f"{layers[i].id},{layers[i + 1].id}"
            paths += tile_paths(layers[i], both)[8:14]
        lon, lat = layers[0].points[0]
        for style in src.styles():
            paths += style_paths(style, lon, lat)
        lines += [f"{name}\tGET\t{p}" for p in paths]
        lines += variant_lines(name, layers)
    return lines
