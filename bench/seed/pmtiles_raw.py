"""The tiles of a PMTiles v3 archive named by a purge list (the /tiles/.../Z/X/Y.pbf lines a
`teselas seed --changes` file holds), gunzip'd, in gzip_levels.c's input format (each raw tile as
a 4-byte little-endian length and its bytes), the whole set REPEAT times: what an incremental seed
gzips again, for gzip_levels.sh. Reads the archive with the spec alone (header, root and leaf
directories), not with teselas.

    python3 pmtiles_raw.py ARCHIVE.pmtiles PURGE.txt [REPEAT] > tiles.bin
"""
import gzip
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tiles"))
from mvtstat import _varint as varint  # noqa: E402  (protobuf's varint, as PMTiles uses it)


def directory(raw):
    """Entries (tile_id, offset, length, run_length) of a gunzip'd directory (spec 4.2)."""
    n, i = varint(raw, 0)
    cols = []
    for _ in range(4):
        col = []
        for _ in range(n):
            v, i = varint(raw, i)
            col.append(v)
        cols.append(col)
    ids, runs, lens, offs = cols
    out, tid = [], 0
    for k in range(n):
        tid += ids[k]
        off = offs[k] - 1 if offs[k] else out[-1][1] + out[-1][2]
        out.append((tid, off, lens[k], runs[k]))
    return out


def zxy_to_id(z, x, y):
    acc = sum(4 ** t for t in range(z))
    n, d, rx, ry, s, tx, ty = 1 << z, 0, 0, 0, (1 << z) // 2, x, y
    while s > 0:  # the Hilbert curve's index of (x, y), as in the spec's reference code
        rx = 1 if tx & s else 0
        ry = 1 if ty & s else 0
        d += s * s * ((3 * rx) ^ ry)
        if ry == 0:
            if rx == 1:
                tx, ty = s - 1 - tx, s - 1 - ty
            tx, ty = ty, tx
        s //= 2
    return acc + d


def main():
    path, purge = sys.argv[1], sys.argv[2]
    repeat = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    a = open(path, "rb").read()
    h = lambda o: int.from_bytes(a[o:o + 8], "little")
    root_off, root_len, leaf_off, data_off = h(8), h(16), h(40), h(56)

    def find(tid, off, length, depth=0):
        """The tile's stored bytes through the root and its leaves, or None."""
        leaf = None
        for e in directory(gzip.decompress(a[off:off + length])):
            if e[3] == 0 and e[0] <= tid:
                leaf = e  # the last leaf starting at or before tid
            elif e[3] and e[0] <= tid < e[0] + e[3]:
                return a[data_off + e[1]:data_off + e[1] + e[2]]
        if leaf and depth < 4:
            return find(tid, leaf_off + leaf[1], leaf[2], depth + 1)
        return None

    raws, seen = [], set()
    for line in open(purge):  # one address may be listed for several layer ids
        m = re.match(r"/tiles/[^/]+/(\d+)/(\d+)/(\d+)\.pbf$", line.strip())
        if m and m.groups() not in seen:
            seen.add(m.groups())
            t = find(zxy_to_id(*map(int, m.groups())), root_off, root_len)
            if t:
                raws.append(gzip.decompress(t))
    sys.stderr.write(f"{len(raws)} tiles, {sum(map(len, raws))} bytes raw\n")
    for _ in range(repeat):
        for r in raws:
            sys.stdout.buffer.write(len(r).to_bytes(4, "little") + r)


main()
