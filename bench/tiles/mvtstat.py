#!/usr/bin/env python3
"""Bytes and feature count of Mapbox Vector Tiles, read with a minimal protobuf walk (MVT 2.1:
Tile.layers = field 3, Layer.features = field 2), so both sides of a benchmark cell are counted by
the same code, independent of either server.

    mvtstat.py FILE...      -> one line per file: "bytes features labels label_bytes"
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


def _name(layer):
    return next((bytes(v).decode("utf-8", "replace") for g, w, v in _fields(layer)
                 if g == 1 and w == 2), "")


def count(blob, labels=False):
    """Number of features over all layers of one tile (0 for an empty body). A polygon layer's
    label points (teselas's `{id}:labels`, which its peers do not make) are left out, so both
    sides count the same features; labels=True counts them alone."""
    blob = bytes(blob)
    return sum(1 for f, w, layer in _fields(blob)
               if f == 3 and w == 2 and _name(layer).endswith(":labels") == labels
               for g, v, _ in _fields(layer) if g == 2 and v == 2)


def label_bytes(blob):
    """Bytes of the tile's label-point layers (fields included)."""
    total = 0
    blob = bytes(blob)
    for f, w, layer in _fields(blob):
        if f == 3 and w == 2 and _name(layer).endswith(":labels"):
            n = len(layer)
            total += 1 + n + (n.bit_length() + 6) // 7
    return total


if __name__ == "__main__":
    for path in sys.argv[1:]:
        data = open(path, "rb").read()
        print(len(data), count(data), count(data, labels=True), label_bytes(data))
