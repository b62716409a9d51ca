"""png_points.py — where a PNG shows points: the pixel centroids of its drawn blobs.

The leak crawler (crawl.py) asks the server for images of a style that draws only the layer's
points (small opaque circles on a white background) and compares the centroids with the exact
source locations: a generalised layer must draw no point within a pixel of one.

A PNG decoder in the standard library only (zlib): 8-bit greyscale, RGB, palette, grey+alpha and
RGBA, and palettes of 1, 2 or 4 bits (blank tiles), with every scanline filter of the spec
(PNG 1.2 section 6), since the server's choices may change.
"""
import math
import struct
import zlib

CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}


def _unfilter(raw, width, height, bpp, row_bytes):
    out, prev, i = [], bytearray(row_bytes), 0
    for _ in range(height):
        ftype, line = raw[i], bytearray(raw[i + 1:i + 1 + row_bytes])
        i += 1 + row_bytes
        for x in range(row_bytes):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if ftype == 1:
                line[x] = (line[x] + a) & 255
            elif ftype == 2:
                line[x] = (line[x] + b) & 255
            elif ftype == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        out.append(line)
        prev = line
    return out


def decode(data):
    """(width, height, rows of (r, g, b, a) tuples) of a PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, plte, trns = 8, b"", None, None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        pos += 12 + n
        if kind == b"IHDR":
            width, height, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert interlace == 0, "interlaced PNG"
        elif kind == b"PLTE":
            plte = [tuple(body[i:i + 3]) for i in range(0, len(body), 3)]
        elif kind == b"tRNS":
            trns = body
        elif kind == b"IDAT":
            idat += body
    ch = CHANNELS[ctype]
    bits = depth * ch
    row_bytes = (width * bits + 7) // 8
    rows = _unfilter(zlib.decompress(idat), width, height, max(1, bits // 8), row_bytes)
    pixels = []
    for line in rows:
        out = []
        for x in range(width):
            if depth < 8:
                v = (line[x * depth // 8] >> (8 - depth - (x * depth) % 8)) & ((1 << depth) - 1)
                px = (v,)
            else:
                px = tuple(line[x * ch:(x + 1) * ch])
            if ctype == 3:
                r, g, b = plte[px[0]]
                a = trns[px[0]] if trns and px[0] < len(trns) else 255
                out.append((r, g, b, a))
            elif ctype == 0:
                out.append((px[0], px[0], px[0], 255))
            elif ctype == 4:
                out.append((px[0], px[0], px[0], px[1]))
            elif ctype == 2:
                out.append(px + (255,))
            else:
                out.append(px)
        pixels.append(out)
    return width, height, pixels


def centroids(data, dark=128):
    """Centroids (x, y in pixels, pixel centres at +0.5) of the connected blobs of dark opaque
    pixels (the drawn points), and the image's size."""
    w, h, px = decode(data)
    ink = [[p[3] > 128 and (p[0] + p[1] + p[2]) / 3 < dark for p in row] for row in px]
    seen, out = [[False] * w for _ in range(h)], []
    for y0 in range(h):
        for x0 in range(w):
            if not ink[y0][x0] or seen[y0][x0]:
                continue
            stack, sx, sy, n = [(x0, y0)], 0.0, 0.0, 0
            seen[y0][x0] = True
            while stack:
                x, y = stack.pop()
                sx, sy, n = sx + x + 0.5, sy + y + 0.5, n + 1
                for nx, ny in ((x + 1, y), (x - 1, y), (x, y + 1), (x, y - 1)):
                    if 0 <= nx < w and 0 <= ny < h and ink[ny][nx] and not seen[ny][nx]:
                        seen[ny][nx] = True
                        stack.append((nx, ny))
            out.append((sx / n, sy / n))
    return w, h, out


def world_px(lon, lat, world):
    """Web Mercator pixel of lon/lat in a world of `world` pixels."""
    s = math.sin(math.radians(max(min(lat, 85.0511), -85.0511)))
    return ((lon + 180) / 360 * world, (0.5 - math.log((1 + s) / (1 - s)) / (4 * math.pi)) * world)
