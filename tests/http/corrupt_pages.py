#!/usr/bin/env python3
"""corrupt_pages.py DB TABLE [N] — damages N (default 2) leaf pages of one table of a SQLite file.

The WAL is checkpointed into the file first (TRUNCATE), then the pages holding TABLE's rows are
found with SQLite's dbstat virtual table (or, where the build lacks it, from the table's root
page: the pages of its b-tree walked by hand). The b-tree header of each chosen page (its first
12 bytes) is overwritten with 0xff: SQLite then refuses the page ("database disk image is
malformed") whenever a statement reaches it, as after a torn write or a bad sector. Prints the
page numbers damaged. Nothing else in the file changes."""
import sqlite3
import struct
import sys


def leaf_pages(con, table, page_size, path):
    try:
        rows = con.execute("SELECT pageno FROM dbstat WHERE name=? AND pagetype='leaf'"
                           " ORDER BY pageno", (table,)).fetchall()
        return [r[0] for r in rows]
    except sqlite3.OperationalError:  # no dbstat: walk the table b-tree from its root
        root = con.execute("SELECT rootpage FROM sqlite_master WHERE name=?", (table,)).fetchone()[0]
        data = open(path, "rb").read()
        leaves, todo = [], [root]
        while todo:
            p = todo.pop()
            off = (p - 1) * page_size
            hdr = off + (100 if p == 1 else 0)
            kind = data[hdr]
            if kind == 0x0D:
                leaves.append(p)
            elif kind == 0x05:
                n = struct.unpack(">H", data[hdr + 3:hdr + 5])[0]
                todo.append(struct.unpack(">I", data[hdr + 8:hdr + 12])[0])
                for i in range(n):
                    cell = struct.unpack(">H", data[hdr + 12 + 2 * i:hdr + 14 + 2 * i])[0]
                    todo.append(struct.unpack(">I", data[off + cell:off + cell + 4])[0])
        return sorted(leaves)


def main():
    path, table = sys.argv[1], sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    con = sqlite3.connect(path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page_size = con.execute("PRAGMA page_size").fetchone()[0]
    leaves = leaf_pages(con, table, page_size, path)
    con.close()
    if len(leaves) < n:
        sys.exit(f"{table} has {len(leaves)} leaf pages, fewer than {n}")
    # pages from the middle of the table: its root and the schema stay readable
    mid = len(leaves) // 2
    chosen = leaves[mid:mid + n]
    with open(path, "r+b") as f:
        for p in chosen:
            f.seek((p - 1) * page_size)
            f.write(b"\xff" * 12)
    print(" ".join(str(p) for p in chosen))


if __name__ == "__main__":
    main()
