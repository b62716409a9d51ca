"""calendar_expect.py — where each layer of a teselas database stands on the update calendar,
computed here from the database's own rows (the catalog's frequency, the history's imported_at of
the current version) by the rules README.md states, independently of teselas' C code:
the period added in calendar months (the day clamped to the month's last) or days; a grace of 7
days (1 for weekly, 0 for daily) unless one is given; late once now > due + grace; days late
counted from the due date, whole days.

usage: python3 calendar_expect.py DB NOW_ISO [GRACE_DAYS]   -> JSON {layer: {...}} on stdout
"""
import calendar
import datetime as dt
import json
import sqlite3
import sys

MONTHS = {"monthly": 1, "bimonthly": 2, "quarterly": 3, "four-monthly": 4, "semiannual": 6,
          "yearly": 12, "biennial": 24}
DAYS = {"daily": 1, "weekly": 7}


def parse(s):
    return dt.datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc)


def add_months(t, k):
    m = t.month - 1 + k
    y, m = t.year + m // 12, m % 12 + 1
    return t.replace(year=y, month=m, day=min(t.day, calendar.monthrange(y, m)[1]))


def main():
    db, now = sys.argv[1], parse(sys.argv[2])
    grace_all = int(sys.argv[3]) if len(sys.argv) > 3 else None
    con = sqlite3.connect(db)
    rows = con.execute("SELECT l.id, l.frequency, h.imported_at, l.publisher FROM teselas_layers l"
                       " JOIN teselas_history h ON h.layer_id = l.id AND h.version = l.version")
    out = {}
    for lid, freq, last, publisher in rows:
        last = parse(last)
        if freq in MONTHS:
            due = add_months(last, MONTHS[freq])
        elif freq in DAYS:
            due = last + dt.timedelta(days=DAYS[freq])
        else:
            out[lid] = {"scheduled": False, "overdue": False, "days_late": 0, "overdue_s": 0,
                        "publisher": publisher}
            continue
        grace = grace_all if grace_all is not None else {"daily": 0, "weekly": 1}.get(freq, 7)
        late = now > due + dt.timedelta(days=grace)
        secs = int((now - due).total_seconds()) if late else 0
        out[lid] = {"scheduled": True, "due": due.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "last": last.strftime("%Y-%m-%dT%H:%M:%SZ"), "grace": grace,
                    "overdue": late, "days_late": secs // 86400, "overdue_s": secs,
                    "publisher": publisher}
    json.dump(out, sys.stdout, indent=1, sort_keys=True)


main()
