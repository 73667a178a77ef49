"""Lifetime model against real decay.

1. ISS, 2021-01..2022-03 (shared data ``maneuvers/iss_history``): da/dt on
   every reboost-free stretch, measured from the element sets, against the
   model with A/m = 0.004, 0.005, 0.006 m^2/kg (and the A/m that would match).
2. Fengyun-1C debris (1999-025) from the 2015-05-27 snapshot to the
   2023-04-13 one: each piece's 2015 set evolved to its 2023 epoch, predicted
   perigee/apogee against observed, and pieces predicted to decay against
   pieces missing in 2023.  A/m from B*: B* = 1/2 Cd (A/m) rho0 with Cd 2.2 and
   rho0 = 0.15696615 kg/m^2/ER (2.461e-8 kg/m^3 times one Earth radius; Vallado, *Fundamentals of Astrodynamics*, 4th ed., sec. 9.7; Vallado et
   al., "Revisiting Spacetrack Report #3", AIAA 2006-6753), i.e.
   A/m = B* / ``BSTAR_PER_AM``.  B* absorbs SGP4's fixed density profile,
   so this A/m is an estimate, not a measurement.  Measured here: it is ~30x
   too small for FY-1C pieces at 800-900 km (predicted apogee loss 2015-2023
   is ~3% of the observed), because SGP4's power-law density is far above
   the real one there; an A/m fitted to the observed decay is needed.

Space weather: the offline fallback model unless ``--space-weather FILE``.

    python benchmarks/lifetime.py [--pieces 300] [--space-weather SW-All.csv]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

from orbwatch.debris.breakup_model import BSTAR_PER_AM
from orbwatch.debris.density import SpaceWeather
from orbwatch.debris.lifetime import (
    evolve,
    fit_decay_rate,
    model_decay_rate,
    quiet_stretches,
)
from orbwatch.elements.readers import read_path
from orbwatch.time import format_iso

DATA = Path(os.environ.get("ORBWATCH_SHARED_DATA",
                           Path(__file__).resolve().parents[1].parent / "shared" / "data"))
DAY_US = 86_400_000_000


def iss(sw) -> None:
    sets = read_path(DATA / "maneuvers/iss_history/ISS_25544_3le_2021-01-01_2022-03-03.txt").sets
    t = np.array([s.epoch_us for s in sets])
    a = np.array([s.semi_major_axis_km for s in sets])
    print("ISS reboost-free stretches: observed vs model da/dt (m/day)")
    for lo, hi in quiet_stretches(t, a, min_days=20):
        m = (t >= lo) & (t <= hi)
        obs = fit_decay_rate(t[m], a[m]) * 1e3
        s = sets[int(np.flatnonzero(m)[0])]
        mods = [model_decay_rate(s.semi_major_axis_km, s.eccentricity,
                                 np.radians(s.inclination), am, lo, hi,
                                 space_weather=sw) * 1e3 for am in (0.004, 0.005, 0.006)]
        print(f"  {format_iso(lo)[:10]}..{format_iso(hi)[:10]} obs {obs:7.1f}  model "
              + " ".join(f"{x:7.1f}" for x in mods)
              + f"  ratio(0.005) {mods[1] / obs:5.2f}  matching A/m {0.005 * obs / mods[1]:.4f}")


def fy1c(sw, pieces: int) -> None:
    old = {s.norad: s for s in read_path(DATA / "catalog/esri_tle_2015-05-27.txt.gz").sets
           if (s.intldes or "").startswith("1999-025") and s.bstar > 0}
    new = {s.norad: s for s in read_path(DATA / "catalog/keeptrack_TLE3_2023-04-13.txt.gz").sets}
    norads = sorted(old)[:pieces]
    s0 = [old[n] for n in norads]
    t0 = int(np.median([s.epoch_us for s in s0]))
    t1 = int(np.median([s.epoch_us for s in new.values()]))
    am = np.array([s.bstar for s in s0]) / BSTAR_PER_AM
    tic = time.perf_counter()
    ev = evolve(np.array([s.semi_major_axis_km for s in s0]),
                np.array([s.eccentricity for s in s0]),
                np.radians([s.inclination for s in s0]), np.radians([s.raan for s in s0]),
                np.radians([s.arg_perigee for s in s0]), am, t0, (t1 - t0) / DAY_US / 365.25,
                step_days=2.0, space_weather=sw)
    dt = time.perf_counter() - tic
    alive = ev.alive[-1]
    seen = np.array([n in new for n in norads])
    print(f"\nFY-1C: {len(norads)} pieces, {format_iso(t0)[:10]} -> {format_iso(t1)[:10]} "
          f"({dt:.1f} s); A/m from B*: median {np.median(am):.4f} m^2/kg")
    print(f"  in orbit 2023: predicted {int(alive.sum())}, observed {int(seen.sum())}; "
          f"both {int((alive & seen).sum())}, predicted decayed but seen "
          f"{int((~alive & seen).sum())}, predicted alive but missing {int((alive & ~seen).sum())}")
    both = np.flatnonzero(alive & seen)
    if both.size:
        per_o = np.array([new[norads[k]].perigee_km for k in both])
        apo_o = np.array([new[norads[k]].apogee_km for k in both])
        per_p, apo_p = ev.perigee_alt[-1, both], ev.apogee_alt[-1, both]
        drop_o = np.array([s0[k].apogee_km for k in both]) - apo_o
        drop_p = np.array([s0[k].apogee_km for k in both]) - apo_p
        print(f"  perigee error median {np.median(per_p - per_o):+.1f} km "
              f"(|.| {np.median(np.abs(per_p - per_o)):.1f}); apogee error median "
              f"{np.median(apo_p - apo_o):+.1f} km (|.| {np.median(np.abs(apo_p - apo_o)):.1f})")
        ok = drop_o > 5
        r = drop_p[ok] / drop_o[ok]
        print(f"  apogee loss predicted/observed (pieces losing > 5 km, n={ok.sum()}): median "
              f"{np.median(r):.2f}, 25-75% {np.percentile(r, 25):.2f}..{np.percentile(r, 75):.2f}")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--pieces", type=int, default=300)
    p.add_argument("--space-weather")
    args = p.parse_args(argv)
    sw = SpaceWeather.from_file(args.space_weather) if args.space_weather \
        else SpaceWeather.fallback()
    print(f"space weather: {sw.describe()}")
    iss(sw)
    fy1c(sw, args.pieces)
    return 0


if __name__ == "__main__":
    sys.exit(main())
