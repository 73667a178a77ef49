"""Forensics benchmark: synthetic truth and real events.

Synthetic: NOAA 15 (25338, 2023-04-13 snapshot) fragmented 3 days after its
epoch into 100 pieces with an isotropic 50 m/s (per axis) delta-v; the
fragments' sets at ages 1 d, 1 week, 2 months and 1 year (SGP4 propagation,
refit, TLE text round trip).  Real: Cosmos 2543's origin, Fengyun-1C and
Iridium 33 / Cosmos 2251 dates.  Prints the errors.

    python benchmarks/forensics.py
"""

from __future__ import annotations

import gzip
import os
import time
from pathlib import Path

import numpy as np

from orbwatch.elements.readers import read_path
from orbwatch.elements.tle import read_tle
from orbwatch.forensics.breakup import estimate_breakup
from orbwatch.forensics.origin import find_origin
from orbwatch.forensics.synthetic import fragment, parent_state, reepoch, tle_roundtrip
from orbwatch.time import format_iso, parse_iso

DAY = 86_400_000_000
DATA = Path(os.environ.get("ORBWATCH_SHARED_DATA",
                           Path(__file__).resolve().parents[2] / "shared" / "data"))


def synthetic() -> None:
    text = gzip.open(DATA / "catalog/keeptrack_TLE3_2023-04-13.txt.gz", "rt").read()
    parent = next(s for s in read_tle(text, future_tolerance_days=None).sets if s.norad == 25338)
    t0 = parent.epoch_us + 3 * DAY
    frags = fragment(parent, t0, np.random.default_rng(1).normal(0, 0.05, (100, 3)))
    truth, _ = parent_state(parent, t0)
    print("| age | method | epoch error (s) | stated sigma (s) | location error (km) | "
          "median dv (m/s) | class | time (s) |")
    print("|---|---|---|---|---|---|---|---|")
    for age in (1, 7, 60, 365):
        sets = tle_roundtrip(reepoch(frags, t0 + age * DAY))
        t = time.perf_counter()
        r = estimate_breakup(sets, parent=parent)
        dt = time.perf_counter() - t
        est, _ = parent_state(parent, r.epoch_us)
        pos = (r.convergence and r.method == "convergence")
        from orbwatch.forensics.orbit import geodetic

        lat, lon, alt = geodetic(truth, t0)
        # great-circle distance at the truth's radius plus the altitude difference
        dlat, dlon = np.radians(r.lat_deg - lat), np.radians(r.lon_deg - lon)
        a = np.sin(dlat / 2) ** 2 + np.cos(np.radians(lat)) * np.cos(np.radians(r.lat_deg)) * \
            np.sin(dlon / 2) ** 2
        loc = float(np.hypot(2 * np.arcsin(np.sqrt(a)) * np.linalg.norm(truth), r.alt_km - alt))
        del pos, est
        print(f"| {age} d | {r.method} | {(r.epoch_us - t0) / 1e6:.1f} | {r.sigma_s:.0f} | "
              f"{loc:.1f} | {r.delta_v['dv_median_kms'] * 1000:.0f} | {r.classification} | "
              f"{dt:.1f} |")


def real() -> None:
    sets = read_path(DATA / "catalog/odap_spacetrack_3le_2019-12-19.txt.gz",
                     future_tolerance_days=None).sets
    r = find_origin([s for s in sets if s.norad == 44835], sets)
    b = r.best
    print(f"Cosmos 2543 origin: parent {b.parent} ({b.name}) by {b.method}, "
          f"{format_iso(b.epoch_us, 0)} +- {b.sigma_s / 86400:.2f} d "
          f"(truth 2019-12-06: {(b.epoch_us - parse_iso('2019-12-06T00:00:00Z')) / DAY:+.1f} d)")
    cases = [("Fengyun-1C 2021", "celestrak_groups_2021-10-02/1999-025.txt", "2007-01-11T22:26Z"),
             ("Fengyun-1C 2025", "celestrak_groups_2025-02-15/fengyun-1c-debris.txt",
              "2007-01-11T22:26Z"),
             ("Iridium 33 2021", "celestrak_groups_2021-10-02/iridium-33-debris.txt",
              "2009-02-10T16:56Z"),
             ("Cosmos 2251 2021", "celestrak_groups_2021-10-02/cosmos-2251-debris.txt",
              "2009-02-10T16:56Z")]
    for name, path, truth in cases:
        r = estimate_breakup(read_path(DATA / "debris" / path).sets)
        err = (r.epoch_us - parse_iso(truth)) / DAY
        print(f"{name}: {format_iso(r.epoch_us, 0)} ({r.method}), error {err:+.1f} d, stated "
              f"+-{r.sigma_s / 86400:.1f} d; at {r.lat_deg:.1f}, {r.lon_deg:.1f}, "
              f"{r.alt_km:.0f} km")


if __name__ == "__main__":
    synthetic()
    real()
