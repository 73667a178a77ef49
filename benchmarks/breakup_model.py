"""NASA Standard Breakup Model against catalogued counts of real collisions.

For each event: the model's mean N(>= 10 cm) from the count law, the mean
and spread of the simulated count over ``--runs`` seeds with the default
mass trimming and without it (``mass_policy="none"``), the catalogued total
(public figures, cited below) and, as a lower bound at a later date, the
pieces with the event's international designator in the shared data
snapshots.  Also times a one-million-fragment cloud.

    python benchmarks/breakup_model.py [--runs 50]

Inputs (public; a "?" marks an assumption where no figure is published):

* Fengyun-1C (1999-025), 2007-01-11: 880 kg target struck at 9.36 km/s
  (Pardini & Anselmo, "Assessment of the consequences of the Fengyun-1C
  breakup in LEO", Adv. Space Res. 44, 2009).  The SC-19 kill vehicle's
  mass is not published: 35 kg? (range 35-600 kg shown).  Catalogued
  ~3,500 (NASA ODQN; 3,532 pieces by 2016).
* Iridium 33 (1997-051C, 560 kg) / Cosmos 2251 (1993-036A, 900 kg),
  2009-02-10, 11.7 km/s (NASA ODQN 13(2), 2009).  Catalogued ~2,300
  together (~1,700 Cosmos 2251 + ~630 Iridium 33, ODQN).
* Cosmos 1408 (1982-092A, Tselina-D, ~1,750 kg), 2021-11-15: interceptor
  mass and closing speed not published: 100 kg? at 7 km/s? (range 50-600 kg).
  Catalogued ~1,800 (1,785, ODQN 26(1), 2022).

Known biases (to read the table honestly): the count law was fitted to
ground tests (SOCIT) and a handful of on-orbit events; it under-predicts
the catalogued FY-1C cloud by ~3-4x (Johnson et al., IAC-07-A6.3.01,
compare the cloud with the model), and catastrophic counts depend on the total mass only (M^0.75),
not on the structure, impact geometry or projectile; the catalogue counts
fragments the SSN could track (roughly >= 5-10 cm in LEO, incomplete near
10 cm) and includes pieces catalogued years later.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np

from orbwatch.debris.breakup_model import fragment_count, is_catastrophic, simulate_breakup

REPO = Path(__file__).resolve().parent.parent

EVENTS = [
    # name, target kg, impactor kg (assumed), impactor range, km/s, catalogued, intldes prefixes
    ("Fengyun-1C ASAT", 880.0, 35.0, (35.0, 600.0), 9.36, 3500, ("1999-025",)),
    ("Iridium 33 / Cosmos 2251", 900.0, 560.0, (560.0, 560.0), 11.7, 2300,
     ("1997-051", "1993-036")),
    ("Cosmos 1408 ASAT", 1750.0, 100.0, (50.0, 600.0), 7.0, 1800, ("1982-092",)),
]
SNAPSHOTS = ["debris/keeptrack/keeptrack_TLEdebris_2020-09-13.json.gz",
             "catalog/keeptrack_TLE3_2022-08-16.txt.gz"]


def data_path() -> Path:
    env = os.environ.get("ORBWATCH_SHARED_DATA")
    return Path(env) if env else REPO.parent / "shared" / "data"


def snapshot_counts() -> dict[str, tuple[str, int]]:
    """Largest count of pieces per designator prefix over the snapshots."""
    from orbwatch.elements.readers import read_path

    best: dict[str, tuple[str, int]] = {}
    for rel in SNAPSHOTS:
        path = data_path() / rel
        if not path.exists():
            continue
        sets = read_path(path).sets
        for *_, prefixes in EVENTS:
            for p in prefixes:
                k = sum(1 for s in sets if (s.intldes or "").startswith(p))
                if k > best.get(p, ("", -1))[1]:
                    best[p] = (rel.split("/")[-1][:-3], k)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=50)
    args = ap.parse_args()
    snaps = snapshot_counts()
    head = (f"{'event':26s} {'M kg':>6s} {'law N>=10cm':>12s} {'(range)':>12s} "
            f"{'sim trim':>12s} {'sim none':>12s} {'catalogued':>10s} {'law/cat':>7s} "
            f"{'in snapshot':>11s}")
    print(head)
    print("-" * len(head))
    for name, mt, mp, (lo, hi), v, cat, prefixes in EVENTS:
        assert is_catastrophic(mt, mp, v)
        law = float(fragment_count("collision", 0.1, mass_kg=mt + mp))
        rng_lo = float(fragment_count("collision", 0.1, mass_kg=mt + lo))
        rng_hi = float(fragment_count("collision", 0.1, mass_kg=mt + hi))
        sims = {pol: np.array([simulate_breakup("collision", mt, impactor_mass_kg=mp,
                                                impact_speed_kms=v, seed=s,
                                                mass_policy=pol).count_at_least(0.1)
                               for s in range(args.runs)])
                for pol in ("trim", "none")}
        snap = sum(snaps.get(p, ("", 0))[1] for p in prefixes)
        print(f"{name:26s} {mt + mp:6.0f} {law:12.0f} {f'{rng_lo:.0f}-{rng_hi:.0f}':>12s} "
              f"{sims['trim'].mean():7.0f}+-{sims['trim'].std():<4.0f}"
              f"{sims['none'].mean():7.0f}+-{sims['none'].std():<4.0f}"
              f"{cat:10d} {law / cat:7.2f} {snap:11d}")
    print(f"\nsnapshots: {sorted({v[0] for v in snaps.values()})} (pieces still "
          "catalogued at that date; a lower bound)")
    t0 = time.perf_counter()
    cloud = simulate_breakup("collision", 1000.0, impactor_mass_kg=10.0, impact_speed_kms=10.0,
                             min_size_m=0.0013, seed=0, mass_policy="none")
    dt = time.perf_counter() - t0
    print(f"speed: {len(cloud):,} fragments in {dt:.2f} s ({len(cloud) / dt / 1e6:.2f} M/s)")


if __name__ == "__main__":
    main()
