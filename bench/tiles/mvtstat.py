#!/usr/bin/env python3
"""Bytes and feature count of Mapbox Vector Tiles, read with a minimal protobuf walk (MVT 2.1:
Tile.layers = field 3, Layer.features = field 2), so both sides of a benchmark cell are counted by
the same code, independent of either server.

    mvtstat.py FILE...      -> one line per file: "bytes features"
    import mvtstat; mvtstat.count(blob)
"""
import sys


def _varint(b, i):
    v = s = 0
    while True:
        c = b[i]
        i += 1
        v |= (c & 0x7F) << s
        s += 7
        if c < 0x80:
            return v, i


def _fields(b):
    """(field number, wire type, payload) of each field of a message; payload is the value of a
    varint, or the bytes of a length-delimited field."""
    i, n = 0, len(b)
    while i < n:
        key, i = _varint(b, i)
        f, w = key >> 3, key & 7
        if w == 0:
            v, i = _varint(b, i)
            yield f, w, v
        elif w == 2:
            ln, i = _varint(b, i)
            yield f, w, b[i:i + ln]
            i += ln
        elif w == 1:
            i += 8
        elif w == 5:
            i += 4
        else:
            raise ValueError("wire type %d" % w)


def count(blob):
    """Number of features over all layers of one tile (0 for an empty body)."""
    blob = bytes(blob)
    return sum(1 for f, w, layer in _fields(blob) if f == 3 and w == 2
               for g, v, _ in _fields(layer) if g == 2 and v == 2)


if __name__ == "__main__":
    for path in sys.argv[1:]:
        data = open(path, "rb").read()
        print(len(data), count(data))
