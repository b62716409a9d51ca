#!/usr/bin/env python3
"""imgcompare.py — compares two PNG images with a perceptual tolerance; writes a diff image.

    imgcompare.py EXPECTED ACTUAL [--diff OUT.png] [--threshold T] [--max-fraction F] [--blur R]

Both images are composited over white, blurred with a (2R+1)² box (so one-pixel anti-aliasing
and sub-pixel shifts do not count), and compared per pixel by the largest channel difference.
A pixel differs when that exceeds T (0..255, default 48); the images match when at most F of
the pixels differ (default 0.005) and the sizes agree. On a mismatch the diff image shows the
expected image faded to grey with differing pixels in red. Exit 0 on a match, 1 otherwise.
Reads every PNG colour type at bit depth 8 and palette images at 1, 2, 4 and 8 bits, which
covers what teselas and Mapnik write. Needs numpy (python3-numpy)."""
import argparse
import struct
import sys
import zlib

import numpy as np


def read_png(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(f"{path}: not a PNG")
    pos, idat, plte, trns = 8, b"", None, None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        pos += 12 + n
        if kind == b"IHDR":
            w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
        elif kind == b"PLTE":
            plte = np.frombuffer(body, np.uint8).reshape(-1, 3)
        elif kind == b"tRNS":
            trns = np.frombuffer(body, np.uint8)
        elif kind == b"IDAT":
            idat += body
    if interlace:
        raise ValueError(f"{path}: interlaced PNGs are not supported")
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[ctype]
    bpp = max(1, channels * depth // 8)
    stride = (w * channels * depth + 7) // 8
    raw = zlib.decompress(idat)
    rows = np.zeros((h, stride), np.uint8)
    prev = np.zeros(stride, np.int32)
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = np.frombuffer(raw, np.uint8, stride, y * (stride + 1) + 1).astype(np.int32)
        out = unfilter(f, line, prev, bpp)
        rows[y] = out
        prev = out.astype(np.int32)
    if ctype == 3:
        bits = np.unpackbits(rows, axis=1) if depth < 8 else rows
        if depth < 8:
            bits = bits.reshape(h, -1, depth)[:, :w, :]
            idx = np.zeros((h, w), np.int32)
            for b in range(depth):
                idx = idx * 2 + bits[:, :, b]
        else:
            idx = rows[:, :w].astype(np.int32)
        alpha = np.full(len(plte), 255, np.uint8)
        if trns is not None:
            alpha[:len(trns)] = trns
        rgba = np.concatenate([plte, alpha[:, None]], axis=1)[idx]
    else:
        px = rows.reshape(h, w, channels)
        if ctype == 0:
            rgba = np.concatenate([px, px, px, np.full((h, w, 1), 255, np.uint8)], axis=2)
        elif ctype == 4:
            rgba = np.concatenate([px[:, :, :1]] * 3 + [px[:, :, 1:]], axis=2)
        elif ctype == 2:
            rgba = np.concatenate([px, np.full((h, w, 1), 255, np.uint8)], axis=2)
        else:
            rgba = px
    return rgba.astype(np.float64)


def unfilter(f, line, prev, bpp):
    out = line.copy()
    if f == 0:
        return out.astype(np.uint8)
    if f == 2:
        return ((line + prev) & 255).astype(np.uint8)
    for i in range(len(line)):
        a = out[i - bpp] if i >= bpp else 0
        b = prev[i]
        c = prev[i - bpp] if i >= bpp else 0
        if f == 1:
            pred = a
        elif f == 3:
            pred = (a + b) // 2
        else:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
        out[i] = (line[i] + pred) & 255
    return out.astype(np.uint8)


def on_white(rgba):
    a = rgba[:, :, 3:4] / 255.0
    return rgba[:, :, :3] * a + 255.0 * (1 - a)


def blur(img, r):
    if r <= 0:
        return img
    pad = np.pad(img, ((r, r), (r, r), (0, 0)), mode="edge")
    out = np.zeros_like(img)
    h, w = img.shape[:2]
    for dy in range(2 * r + 1):
        for dx in range(2 * r + 1):
            out += pad[dy:dy + h, dx:dx + w]
    return out / (2 * r + 1) ** 2


def write_png(path, rgb):
    h, w = rgb.shape[:2]
    raw = b"".join(b"\x00" + rgb[y].astype(np.uint8).tobytes() for y in range(h))

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))


def compare(expected, actual, threshold=48.0, max_fraction=0.005, blur_r=1):
    """Returns (ok, fraction of differing pixels, mask of differing pixels, message)."""
    if expected.shape != actual.shape:
        return False, 1.0, None, f"sizes differ: {expected.shape[1]}x{expected.shape[0]} vs " \
                                 f"{actual.shape[1]}x{actual.shape[0]}"
    e, a = blur(on_white(expected), blur_r), blur(on_white(actual), blur_r)
    diff = np.abs(e - a).max(axis=2)
    mask = diff > threshold
    frac = float(mask.mean())
    return frac <= max_fraction, frac, mask, f"{frac * 100:.3f}% of pixels differ (limit " \
                                             f"{max_fraction * 100:.3f}%), mean difference {diff.mean():.2f}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("expected")
    ap.add_argument("actual")
    ap.add_argument("--diff")
    ap.add_argument("--threshold", type=float, default=48.0)
    ap.add_argument("--max-fraction", type=float, default=0.005)
    ap.add_argument("--blur", type=int, default=1)
    args = ap.parse_args()
    exp, act = read_png(args.expected), read_png(args.actual)
    ok, frac, mask, msg = compare(exp, act, args.threshold, args.max_fraction, args.blur)
    print(("match: " if ok else "MISMATCH: ") + msg)
    if not ok and args.diff and mask is not None:
        grey = on_white(exp).mean(axis=2, keepdims=True) * 0.3 + 178
        img = np.repeat(grey, 3, axis=2)
        img[mask] = [255, 0, 0]
        write_png(args.diff, img)
        print(f"diff image: {args.diff}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
