"""Ingest benchmark: the 2023-04-13 full-catalogue snapshot (24,548 objects)
and all manoeuvre histories, into a fresh SQLite database.

Prints a table of wall times and rates, with the peer in the same run being
python-sgp4's own ``Satrec.twoline2rv`` over the same lines (parse only, no
validation, no storage), so the ratio shows what validation + storage cost.

    python benchmarks/ingest.py [--repeat 3]

Target: the snapshot ingests in under 5 s.
"""

from __future__ import annotations

import argparse
import gzip
import os
import sys
import tempfile
import time
from pathlib import Path

from sgp4.api import Satrec

from orbwatch.store import Store, ingest_path

REPO = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("ORBWATCH_SHARED_DATA", REPO.parent / "shared" / "data"))
SNAPSHOT = DATA / "catalog" / "keeptrack_TLE3_2023-04-13.txt.gz"


def raw_sgp4_parse(path: Path) -> float:
    lines = gzip.open(path, "rt").read().splitlines()
    t = time.perf_counter()
    for i in range(0, len(lines) - 2, 3):
        Satrec.twoline2rv(lines[i + 1], lines[i + 2])
    return time.perf_counter() - t


def timed_ingest(files: list[Path]) -> tuple[float, int, int]:
    with tempfile.TemporaryDirectory() as d:
        store = Store(Path(d) / "bench.db")
        t = time.perf_counter()
        added = rejected = 0
        for f in files:
            rep = ingest_path(store, f)
            added += rep.added
            rejected += rep.rejected
        elapsed = time.perf_counter() - t
        store.close()
    return elapsed, added, rejected


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    if not SNAPSHOT.exists():
        print(f"shared data not found at {DATA}; set ORBWATCH_SHARED_DATA", file=sys.stderr)
        return 1
    histories = sorted((DATA / "maneuvers").rglob("*.tle")) + sorted(
        (DATA / "maneuvers" / "iss_history").glob("*.txt*"))
    rows = []
    for label, files in (("snapshot 2023-04-13", [SNAPSHOT]),
                         ("maneuver histories", histories)):
        best = min((timed_ingest(files) for _ in range(args.repeat)), key=lambda r: r[0])
        rows.append((label, len(files), best[1], best[2], best[0]))
    peer = min(raw_sgp4_parse(SNAPSHOT) for _ in range(args.repeat))

    print(f"{'case':<22}{'files':>6}{'added':>9}{'rejected':>10}{'wall s':>9}{'sets/s':>10}")
    for label, nfiles, added, rejected, wall in rows:
        print(f"{label:<22}{nfiles:>6}{added:>9}{rejected:>10}{wall:>9.2f}{added / wall:>10.0f}")
    snap = rows[0]
    print(f"\npeer: sgp4 Satrec.twoline2rv parse of the snapshot: {peer:.2f} s")
    print(f"ratio orbwatch ingest (parse+validate+store) / twoline2rv parse: "
          f"{snap[4] / peer:.1f}x")
    print(f"target: snapshot ingest < 5 s -> {'MET' if snap[4] < 5 else 'MISSED'} "
          f"({snap[4]:.2f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
