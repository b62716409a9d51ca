"""mapnik_maps.py — Mapnik (python3-mapnik, Debian) maps equivalent to teselas styles, for the
cross-check (tests/mapnik/test_crosscheck.py) and the benchmark (bench/render/).

Mapnik reads the same SpatiaLite tables teselas serves (its sqlite input, spatial index on);
the maps are written as Mapnik XML, one style per teselas layer, with the same colours, widths
and radii. Differences that are the renderers' own: Mapnik strokes a marker on its edge, MapLibre
(and teselas) outside it, so a circle of radius r and stroke s is a Mapnik ellipse of 2r + s."""
import math
import sqlite3

HALF = 20037508.342789244


def merc(lon, lat):
    lat = max(min(lat, 85.0511287798), -85.0511287798)
    return lon * HALF / 180.0, math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) * 6378137.0


def view_bbox(minx, miny, maxx, maxy, w, h):
    """The EPSG:3857 box teselas draws for /static/{minx},{miny},{maxx},{maxy}/{w}x{h}.png."""
    x0, y0 = merc(minx, miny)
    x1, y1 = merc(maxx, maxy)
    res = max((x1 - x0) / w, (y1 - y0) / h)
    zoom = math.log2(2 * HALF / (512.0 * res))
    if zoom > 22:
        res = 2 * HALF / (512.0 * 2 ** 22)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    return cx - res * w / 2, cy - res * h / 2, cx + res * w / 2, cy + res * h / 2


def tile_bbox(z, x, y):
    span = 2 * HALF / 2 ** z
    return -HALF + x * span, HALF - (y + 1) * span, -HALF + (x + 1) * span, HALF - y * span


def table_of(db, layer_id):
    con = sqlite3.connect(db)
    try:
        return con.execute("SELECT table_name FROM teselas_layers WHERE id = ?", (layer_id,)).fetchone()[0]
    finally:
        con.close()


def datasource(db, table):
    # Mapnik joins the spatial index on key_field: the table's row number, not the feature id
    params = {"type": "sqlite", "file": db, "table": table, "geometry_field": "geom",
              "wkb_format": "spatialite", "key_field": "teselas_row", "use_spatial_index": "true",
              "geometry_table": table}
    return "<Datasource>" + "".join(f'<Parameter name="{k}">{v}</Parameter>'
                                    for k, v in params.items()) + "</Datasource>"


def layer(name, db, layer_id, styles):
    table = table_of(db, layer_id)
    return (f'<Layer name="{name}" srs="epsg:4326">' + "".join(f"<StyleName>{s}</StyleName>" for s in styles)
            + datasource(db, table) + "</Layer>")


def style(name, rules):
    return f'<Style name="{name}">' + "".join(f"<Rule>{r}</Rule>" for r in rules) + "</Style>"


def esc(s):
    return s.replace("&", "&amp;").replace("'", "&apos;").replace("<", "&lt;")


def filt(field, value):
    return f"<Filter>[{field}] = '{esc(value)}'</Filter>"


def fill(color, opacity=1.0):
    return f'<PolygonSymbolizer fill="{color}" fill-opacity="{opacity}"/>'


def line(color, width, opacity=1.0, cap="butt", join="miter", dash=None):
    d = f' stroke-dasharray="{dash}"' if dash else ""
    return (f'<LineSymbolizer stroke="{color}" stroke-width="{width}" stroke-opacity="{opacity}" '
            f'stroke-linecap="{cap}" stroke-linejoin="{join}"{d}/>')


def circle(color, radius, stroke="#ffffff", stroke_width=0.0, opacity=1.0):
    size = 2 * radius + stroke_width
    return (f'<MarkersSymbolizer marker-type="ellipse" width="{size}" height="{size}" fill="{color}" '
            f'fill-opacity="{opacity}" stroke="{stroke}" stroke-width="{stroke_width}" '
            f'allow-overlap="true" ignore-placement="true"/>')


def wrap(background, styles, layers):
    return (f'<?xml version="1.0" encoding="utf-8"?><Map srs="epsg:3857" background-color="{background}">'
            + "".join(styles) + "".join(layers) + "</Map>")


def crosscheck_xml(db):
    """tests/mapnik/styles/x-check.json in Mapnik terms."""
    polys = [filt("estado", e) + fill(c, 0.8) for e, c in
             [("rehabilitado", "#4caf50"), ("en obra", "#ffb300"), ("abandonado", "#8d6e63")]]
    return wrap("#f0f0e8",
                [style("polys", polys), style("outline", [line("#1b5e20", 1.5)]),
                 style("lines", [filt("tipo", "río") + line("#1e88e5", 5, cap="round", join="round"),
                                 filt("tipo", "canal") + line("#00897b", 3, cap="round", join="round")]),
                 style("pts", [circle("#e53935", 5, "#ffffff", 1.5)])],
                [layer("polys", db, "g-poligonos", ["polys", "outline"]),
                 layer("lines", db, "g-lineas", ["lines"]),
                 layer("pts", db, "g-puntos", ["pts"])])


def bench_xml(db):
    """The geometry layers of styles/leon.json at one zoom band (z 13–17 style zooms), without
    labels and clusters, which Mapnik does not do the same way: the comparison of bench/render
    uses styles/bench.json, which is this map in MapLibre terms."""
    parks = [filt("estado", e) + fill(c, 0.8) + line(o, 1.0) for e, c, o in
             [("rehabilitado", "#5aae61", "#2f7d36"), ("en obra", "#f1b54a", "#b7791f"),
              ("abandonado", "#b07a4f", "#7a4e2d")]]
    rivers = [filt("tipo", t) + line(c, w, cap="round", join="round") for t, c, w in
              [("río", "#3d85c6", 4), ("canal", "#2f6fa8", 2), ("arroyo", "#6aa9d8", 2)]]
    kinds = {"robo a transeúnte": "#d7301f", "lesiones": "#7a0177", "violencia familiar": "#ae017e"}
    # minzoom 15 of the style: raster z16 only (scale denominator 8,530 at z16, 17,061 at z15)
    z16 = "<MaxScaleDenominator>12000</MaxScaleDenominator>"
    incid = [z16 + filt("tipo", k) + circle(c, 3, "#ffffff", 1) for k, c in kinds.items()]
    incid.append(z16 + "<ElseFilter/>" + circle("#525252", 3, "#ffffff", 1))
    return wrap("#f3f1ec",
                [style("muni", [fill("#fbfaf7", 0.9)]), style("col", [line("#c9c1b4", 1.0)]),
                 style("agua", [fill("#a9d3f0") + line("#6aa9d8", 1.0)]), style("rios", rivers),
                 style("parques", parks), style("limite", [line("#6d5f8c", 2, 0.8, dash="4,2")]),
                 style("inc", incid)],
                [layer("muni", db, "limite-municipal", ["muni"]), layer("col", db, "colonias", ["col"]),
                 layer("agua", db, "cuerpos-agua", ["agua"]), layer("rios", db, "rios-canales", ["rios"]),
                 layer("parques", db, "parques", ["parques"]),
                 layer("limite", db, "limite-municipal", ["limite"]),
                 layer("inc", db, "incidentes", ["inc"])])
