#!/usr/bin/env python3
"""make_data.py OUTDIR — writes the small fixed data set of the golden images and the Mapnik
cross-check as GeoJSON (deterministic: same bytes on every run). Around lon -101.68, lat 21.12."""
import json
import os
import sys


def fc(features):
    return {"type": "FeatureCollection", "features": features}


def feat(fid, geom_type, coords, **props):
    return {"type": "Feature", "id": fid, "properties": dict(id=fid, **props),
            "geometry": {"type": geom_type, "coordinates": coords}}


def square(x0, y0, x1, y1):
    return [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]


def main(out):
    os.makedirs(out, exist_ok=True)
    polys = fc([
        feat(1, "Polygon", [square(-101.688, 21.112, -101.682, 21.118)],
             nombre="Parque Niño Héroe", estado="rehabilitado", superficie_m2=38000),
        feat(2, "Polygon", [square(-101.680, 21.112, -101.672, 21.120),
                            square(-101.678, 21.114, -101.674, 21.118)[::-1]],
             nombre="Jardín de la Señora", estado="abandonado", superficie_m2=52000),
        feat(3, "Polygon", [[[-101.688, 21.122], [-101.676, 21.128], [-101.686, 21.1285],
                             [-101.688, 21.122]]],
             nombre="Área Verde Ñandú", estado="en obra", superficie_m2=21000),
    ])
    lines = fc([
        feat(1, "LineString", [[-101.690, 21.110], [-101.680, 21.119], [-101.670, 21.130]],
             nombre="Río de los Gómez", tipo="río"),
        feat(2, "LineString", [[-101.690, 21.125], [-101.684, 21.121], [-101.678, 21.126],
                               [-101.670, 21.121]], nombre="Canal del Coecillo", tipo="canal"),
    ])
    kinds = ["robo a transeúnte", "lesiones", "riña", "violencia familiar"]
    pts = fc([feat(i + 1, "Point", [-101.6875 + 0.0025 * (i % 4), 21.1135 + 0.004 * (i // 4)],
                   tipo=kinds[i % 4], nombre=f"Punto {i + 1}") for i in range(12)])
    seed, dense = 12345, []
    for i in range(2500):
        seed = (seed * 1103515245 + 12345) % 2 ** 31
        u = seed / 2 ** 31
        seed = (seed * 1103515245 + 12345) % 2 ** 31
        v = seed / 2 ** 31
        # two hot spots and a uniform background
        if i % 3 == 0:
            x, y = -101.684 + (u - 0.5) * 0.004, 21.116 + (v - 0.5) * 0.004
        elif i % 3 == 1:
            x, y = -101.675 + (u - 0.5) * 0.006, 21.125 + (v - 0.5) * 0.003
        else:
            x, y = -101.690 + u * 0.020, 21.110 + v * 0.020
        dense.append(feat(i + 1, "Point", [round(x, 6), round(y, 6)], tipo=kinds[i % 4]))
    for name, doc in [("g-poligonos", polys), ("g-lineas", lines), ("g-puntos", pts),
                      ("g-densos", fc(dense))]:
        with open(os.path.join(out, name + ".geojson"), "w", encoding="utf-8") as f:
            json.dump(doc, f, ensure_ascii=False)


if __name__ == "__main__":
    main(sys.argv[1])
