"""Catalogue-wide SGP4 throughput: orbwatch.propagate against raw python-sgp4.

Loads a full catalogue (default: keeptrack_TLE3_2023-04-13, 24,548 objects),
propagates every object at T times (default 1,440 = one day at 60 s) with

* orbwatch: ``read_tle`` -> ``SatelliteBatch.from_element_sets`` ->
  ``batch.propagate(times_us)`` (errors masked to NaN, sticky decay), and
* raw: ``SatrecArray([Satrec.twoline2rv(l1, l2), ...]).sgp4(jd, fr)``,

in the same process, with the times cut into the same chunks for both, and
prints a table.  The ratio is orbwatch wall time / raw wall time.

    python benchmarks/propagate.py                      # the full run
    python benchmarks/propagate.py --objects 2000 --times 120

The data folder is ``$ORBWATCH_SHARED_DATA`` or ``../shared/data`` next to
the repository.
"""

from __future__ import annotations

import argparse
import gzip
import os
import time
from pathlib import Path

import numpy as np
from sgp4.api import Satrec, SatrecArray

from orbwatch.elements.tle import read_tle
from orbwatch.propagate import SatelliteBatch
from orbwatch.time import jd_fr, parse_iso

REPO = Path(__file__).resolve().parent.parent
CATALOG = "catalog/keeptrack_TLE3_2023-04-13.txt.gz"


def data_path() -> Path:
    env = os.environ.get("ORBWATCH_SHARED_DATA")
    return Path(env) if env else REPO.parent / "shared" / "data"


def load(path: Path, objects: int | None):
    """The orbwatch element sets and the matching raw TLE line pairs."""
    text = gzip.open(path, "rt").read() if path.suffix == ".gz" else path.read_text()
    result = read_tle(text, path=str(path), future_tolerance_days=None)
    lines = text.splitlines()
    pairs = [(lines[i], lines[i + 1]) for i in range(len(lines) - 1)
             if lines[i].startswith("1 ") and lines[i + 1].startswith("2 ")]
    if len(pairs) != len(result.sets):
        raise SystemExit(f"{len(result.errors)} TLEs rejected by read_tle; the two paths "
                         "would not propagate the same objects")
    if objects is not None:
        result.sets, pairs = result.sets[:objects], pairs[:objects]
    return result.sets, pairs


def chunks(n: int, size: int):
    size = n if size <= 0 else size
    return [slice(i, min(i + size, n)) for i in range(0, n, size)]


def run_orbwatch(sets, times_us, parts):
    t0 = time.perf_counter()
    batch = SatelliteBatch.from_element_sets(sets)
    setup = time.perf_counter() - t0
    failed = 0
    t0 = time.perf_counter()
    for part in parts:
        eph = batch.propagate(times_us[part])
        failed += int(np.count_nonzero(eph.error))
    return setup, time.perf_counter() - t0, failed, eph


def run_raw(pairs, times_us, parts):
    t0 = time.perf_counter()
    array = SatrecArray([Satrec.twoline2rv(a, b) for a, b in pairs])
    setup = time.perf_counter() - t0
    failed = 0
    t0 = time.perf_counter()
    for part in parts:
        jd, fr = jd_fr(times_us[part])
        e, r, v = array.sgp4(jd, fr)
        failed += int(np.count_nonzero(e))
    return setup, time.perf_counter() - t0, failed, (e, r, v)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--objects", type=int, default=None, help="first N objects (default all)")
    ap.add_argument("--times", type=int, default=1440, help="number of times (default 1440)")
    ap.add_argument("--step", type=float, default=60.0, help="seconds between times")
    ap.add_argument("--start", default="2023-04-13T00:00:00Z", help="first time, ISO 8601")
    ap.add_argument("--chunk", type=int, default=60,
                    help="times per propagate call, the same for both paths (0 = all)")
    ap.add_argument("--repeat", type=int, default=1, help="runs per path; the best is kept")
    ap.add_argument("--catalog", default=None, help=f"catalogue file (default {CATALOG})")
    args = ap.parse_args(argv)

    path = Path(args.catalog) if args.catalog else data_path() / CATALOG
    t0 = time.perf_counter()
    sets, pairs = load(path, args.objects)
    load_s = time.perf_counter() - t0
    times_us = parse_iso(args.start) + np.rint(
        np.arange(args.times) * args.step * 1e6).astype(np.int64)
    parts = chunks(times_us.size, args.chunk)
    n, m = len(sets), times_us.size

    best = {}
    for _ in range(max(args.repeat, 1)):
        for name, fn, src in (("raw", run_raw, pairs), ("orbwatch", run_orbwatch, sets)):
            res = fn(src, times_us, parts)
            if name not in best or res[1] < best[name][1]:
                best[name] = res

    # the two paths agree (last chunk, objects without any error in it):
    # sgp4init and twoline2rv inputs differ in the last bit of BSTAR, e and
    # the epoch at most.  Objects in their last hours before decay amplify
    # that (a 1-ulp BSTAR change can move them by tens of km), hence the
    # per-object error filter and the percentile.
    eph = best["orbwatch"][3]
    e, r, _ = best["raw"][3]
    clean = ~(eph.error != 0).any(axis=1) & ~(e != 0).any(axis=1)
    per_obj = np.abs(eph.position[clean] - r[clean]).max(axis=(1, 2))
    diff = (float(np.percentile(per_obj, 99.9)), float(per_obj.max())) if per_obj.size else (0, 0)

    print(f"catalogue {path.name}: {n} objects read in {load_s:.2f} s; {m} times at "
          f"{args.step:g} s from {args.start}; chunks of {args.chunk or m} times; "
          f"best of {max(args.repeat, 1)}")
    print(f"{'path':<10}{'objects':>9}{'times':>7}{'setup s':>9}{'wall s':>9}"
          f"{'props/s':>13}{'failed':>9}{'ratio':>7}")
    raw_wall = best["raw"][1]
    for name in ("raw", "orbwatch"):
        setup, wall, failed, _ = best[name]
        print(f"{name:<10}{n:>9}{m:>7}{setup:>9.3f}{wall:>9.2f}{n * m / wall:>13.3e}"
              f"{failed:>9}{wall / raw_wall:>7.3f}")
    print(f"|r_orbwatch - r_raw| per object (last chunk, {int(clean.sum())} objects without "
          f"errors): 99.9th percentile {diff[0] * 1e6:.3f} mm, max {diff[1] * 1e6:.3f} mm")


if __name__ == "__main__":
    main()
