"""usage_dump.py — every row of every table of a SQLite database as text, for the usage test's
search for what must not be stored. Python's iterdump stops at SpatiaLite's virtual tables
(their modules are not loaded here); their rows live in ordinary shadow tables, read like the rest.
Each row is one line: the table's name, then its values separated by tabs (blobs as Latin-1, so
any bytes of text inside them show)."""
import sqlite3


def dump(path):
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    out = []
    tables = con.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'").fetchall()
    for name, sql in tables:
        out.append(f"schema\t{sql}")
        if sql and sql.upper().startswith("CREATE VIRTUAL"):
            continue
        quoted = '"' + name.replace('"', '""') + '"'
        for row in con.execute(f"SELECT * FROM {quoted}"):
            vals = [v.decode("latin-1") if isinstance(v, bytes) else str(v) for v in row]
            out.append("\t".join([name] + vals))
    con.close()
    return "\n".join(out)
