"""pmtiles_hostile.py — writes hostile PMTiles archives into a folder, from a good one and from
scratch (a small writer of the v3 spec, independent of teselas's):

  python3 pmtiles_hostile.py GOOD.pmtiles OUT_DIR

Start-up faults (the server must refuse to start, naming the file and the fault):
  truncated   the first 100 bytes          cut       the first half
  magic       "PMTilez"                    rootpast  the root directory past the first 16 KiB
  datapast    tile data past the end       entrypast a root entry past the tile data
  metabomb    metadata of 64 MiB once inflated (64 KiB stored)
Faults met only by a tile request (the server starts; the tile is a 404 JSON, logged):
  leafloop    a leaf directory whose only entry points at itself
  leafbomb    a leaf directory of 16 MiB once inflated
  tilebomb    tile 0/0/0 of 64 MiB once inflated (served as stored to a gzip client)
"""
import gzip
import os
import struct
import sys


def varint(v):
    out = bytearray()
    while True:
        b, v = v & 0x7F, v >> 7
        out.append(b | (0x80 if v else 0))
        if not v:
            return bytes(out)


def directory(entries):
    """entries: (tile_id, offset, length, run_length), ordered by tile id; offsets written whole."""
    out, prev = varint(len(entries)), 0
    for e in entries:
        out += varint(e[0] - prev)
        prev = e[0]
    for col in (3, 2):
        for e in entries:
            out += varint(e[col])
    for e in entries:
        out += varint(e[1] + 1)
    return out


def archive(root, metadata, leaves, data, max_zoom=2, internal_gzip=True):
    """Directories and metadata gzipped (internal compression 2) or not (1): leaves as given."""
    if internal_gzip:
        root, metadata = gzip.compress(root, mtime=0), gzip.compress(metadata, mtime=0)
    ro = 127
    mo = ro + len(root)
    lo = mo + len(metadata)
    do = lo + len(leaves)
    h = b'PMTiles\x03' + struct.pack('<11Q', ro, len(root), mo, len(metadata), lo, len(leaves),
                                     do, len(data), 1, 1, 1)
    h += bytes([1, 2 if internal_gzip else 1, 2, 1, 0, max_zoom]) + struct.pack('<4i', -1800000000, -850000000,
                                                        1800000000, 850000000)
    h += bytes([0]) + struct.pack('<2i', 0, 0)
    assert len(h) == 127
    return h + root + metadata + leaves + data


def patched(good, field, value):
    """good with the header's u64 field number `field` (0 = root offset) set to value."""
    b = bytearray(good)
    struct.pack_into('<Q', b, 8 + 8 * field, value)
    return bytes(b)


def main():
    good, out = open(sys.argv[1], 'rb').read(), sys.argv[2]
    files = {
        'truncated': good[:100],
        'cut': good[:len(good) // 2],
        'magic': b'PMTilez' + good[7:],
        'rootpast': patched(good, 0, 20000),
        'datapast': patched(good, 7, len(good)),
    }
    tile = gzip.compress(b'tile', mtime=0)
    files['entrypast'] = archive(directory([(0, 5, 100, 1)]), b'{}', b'', tile)
    files['metabomb'] = archive(directory([(0, 0, len(tile), 1)]), b' ' * (64 << 20), b'', tile)
    # a leaf at offset 0 of the leaf section whose only entry is a leaf at offset 0: itself
    length = 1
    for _ in range(3):
        loop = directory([(0, 0, length, 0)])
        length = len(loop)
    files['leafloop'] = archive(directory([(0, 0, length, 0)]), b'{}', loop, tile,
                                internal_gzip=False)
    bomb = gzip.compress(b'\0' * (16 << 20), mtime=0)
    files['leafbomb'] = archive(directory([(0, 0, len(bomb), 0)]), b'{}', bomb, tile)
    big = gzip.compress(b'\0' * (64 << 20), mtime=0)
    files['tilebomb'] = archive(directory([(0, 0, len(big), 1)]), b'{}', b'', big)
    for name, content in files.items():
        with open(os.path.join(out, name + '.pmtiles'), 'wb') as f:
            f.write(content)


if __name__ == '__main__':
    main()
