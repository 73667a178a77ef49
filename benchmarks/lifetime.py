"""Lifetime model against real decay (A/m estimated, not assumed).

1. ISS, 2021-01..2022-03 (shared data ``maneuvers/iss_history``), reboost-free
   stretches.  Per stretch: observed da/dt; A/m fitted to that stretch
   (:func:`orbwatch.debris.ballistic.estimate_am`) and the in-sample ratio
   model/observed; out of sample, the ratio with A/m fitted on the
   *previous* stretch (forward), with the median A/m of the *other*
   stretches (leave-one-out), and with the A/m from the B* of the stretch's
   first element set alone (:func:`~orbwatch.debris.ballistic.am_from_bstar`);
   and the old baseline, A/m = 0.005 assumed.
2. Debris clouds from the 2015-05-27 snapshot (A/m from each piece's single
   2015 set's B*, rescaled from SGP4's power-law atmosphere to NRLMSIS)
   evolved to a later catalogue: Fengyun-1C (1999-025) to 2023-04-13 and to
   2025-02-15, Cosmos 2251 (1993-036) and Iridium 33 (1997-051) to
   2025-02-15 (CelesTrak group files).  Printed: survivors predicted vs
   observed, predicted and observed perigee/apogee change of pieces
   predicted alive and seen (median, 16..84%), and the error pred - obs.
   The 2025 group files list only objects in orbit; a piece missing there
   counts as decayed.

Each part runs with the space-weather sources named (default: the fallback
solar-cycle model and the NOAA SWPC monthly F10.7 table).

    python benchmarks/lifetime.py [--space-weather fallback,noaa-monthly,noaa-yearly,FILE]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

from orbwatch.debris.ballistic import am_from_bstar, estimate_am, hindcast, observed_rate
from orbwatch.debris.density import SpaceWeather
from orbwatch.debris.lifetime import model_decay_rate, quiet_stretches
from orbwatch.elements.readers import read_path
from orbwatch.time import format_iso

DATA = Path(os.environ.get("ORBWATCH_SHARED_DATA",
                           Path(__file__).resolve().parents[1].parent / "shared" / "data"))
ISS = "maneuvers/iss_history/ISS_25544_3le_2021-01-01_2022-03-03.txt"
SNAP_2015 = "catalog/esri_tle_2015-05-27.txt.gz"
GROUPS = "debris/celestrak_groups_2025-02-15"
CLOUDS = (("Fengyun-1C", "1999-025", "catalog/keeptrack_TLE3_2023-04-13.txt.gz"),
          ("Fengyun-1C", "1999-025", f"{GROUPS}/fengyun-1c-debris.txt"),
          ("Cosmos 2251", "1993-036", f"{GROUPS}/cosmos-2251-debris.txt"),
          ("Iridium 33", "1997-051", f"{GROUPS}/iridium-33-debris.txt"))


def weather(name: str) -> SpaceWeather:
    if name == "fallback":
        return SpaceWeather.fallback()
    if name.startswith("noaa-"):
        return SpaceWeather.noaa_table(name[5:])
    return SpaceWeather.from_file(name)


def iss_validation(sets, sw) -> list[dict]:
    """One row per reboost-free stretch (>= 20 days): rates and ratios."""
    t = np.array([s.epoch_us for s in sets])
    a = np.array([s.semi_major_axis_km for s in sets])
    rows = []
    for lo, hi in quiet_stretches(t, a, min_days=20):
        s = sets[int(np.flatnonzero(t >= lo)[0])]
        first_b = next(x for x in sets if x.epoch_us >= lo and x.bstar > 0)

        def model(am, lo=lo, hi=hi, s=s):
            return model_decay_rate(s.semi_major_axis_km, s.eccentricity,
                                    np.radians(s.inclination), am, lo, hi, space_weather=sw)

        am, sig = estimate_am(sets, sw, span=(lo, hi))
        rows.append({"lo": lo, "hi": hi, "obs": observed_rate(sets, lo, hi), "am": am,
                     "sigma": sig, "model": model,
                     "am_bstar": float(am_from_bstar([first_b], sw)[0])})
    for k, r in enumerate(rows):
        others = [x["am"] for j, x in enumerate(rows) if j != k]
        r["in"] = r["model"](r["am"]) / r["obs"]
        r["loo"] = r["model"](float(np.median(others))) / r["obs"]
        r["fwd"] = r["model"](rows[k - 1]["am"]) / r["obs"] if k else np.nan
        r["bstar"] = r["model"](r["am_bstar"]) / r["obs"]
        r["old"] = r["model"](0.005) / r["obs"]
    return rows


def iss(sw) -> None:
    rows = iss_validation(read_path(DATA / ISS).sets, sw)
    print(f"ISS reboost-free stretches ({sw.label}): ratio = model da/dt / observed")
    print("  stretch                 obs m/d  A/m fit (1s)     in   fwd   loo  B*-am  B*1  "
          "old(0.005)")
    for r in rows:
        print(f"  {format_iso(r['lo'])[:10]}..{format_iso(r['hi'])[:10]} {r['obs'] * 1e3:6.1f}  "
              f"{r['am']:.4f} ({r['sigma'] / r['am']:4.1%})  {r['in']:4.2f}  {r['fwd']:4.2f}  "
              f"{r['loo']:4.2f} {r['am_bstar']:.4f} {r['bstar']:4.2f}  {r['old']:4.2f}")
    for key, what in (("loo", "leave-one-out"), ("fwd", "previous stretch"),
                      ("bstar", "one set's B*"), ("old", "A/m 0.005 assumed")):
        x = np.array([r[key] for r in rows])
        x = x[np.isfinite(x)]
        worst = float(np.exp(np.max(np.abs(np.log(x)))))
        print(f"  out of sample, {what:18s}: ratios {x.min():.2f}..{x.max():.2f}, worst factor "
              f"{worst:.2f}")


def _pct(x) -> str:
    return f"{np.median(x):+7.1f} [{np.percentile(x, 16):+6.1f}, {np.percentile(x, 84):+6.1f}]"


def clouds(sw, old_all) -> None:
    for name, prefix, path in CLOUDS:
        new = read_path(DATA / path).sets
        old = [s for s in old_all if (s.intldes or "").startswith(prefix)]
        tic = time.perf_counter()
        r = hindcast(old, new, sw)
        dt = time.perf_counter() - tic
        print(f"\n{name} ({prefix}) {format_iso(r['start_us'])[:10]} -> "
              f"{format_iso(r['stop_us'])[:10]} ({sw.label}, {dt:.1f} s): {r['objects']} pieces "
              f"with B* > 0; A/m from B* median {np.median(r['am']):.3f} m^2/kg")
        print(f"  in orbit at the end: predicted {r['predicted_alive']}, observed "
              f"{r['observed_alive']}; predicted decayed but seen "
              f"{r['predicted_decayed_but_seen']}, predicted alive but missing "
              f"{r['predicted_alive_but_missing']}")
        print("  km, median [16%, 84%]   predicted          observed           error (p - o)")
        for lab, p, o in (("perigee change", r["dper_p"], r["dper_o"]),
                          ("apogee change ", r["dapo_p"], r["dapo_o"])):
            print(f"  {lab}          {_pct(p)} {_pct(o)} {_pct(p - o)}")
        ok = r["dapo_o"] < -5
        q = r["dapo_p"][ok] / r["dapo_o"][ok]
        print(f"  apogee loss predicted/observed (loss > 5 km, n={ok.sum()}): median "
              f"{np.median(q):.2f}, 16-84% {np.percentile(q, 16):.2f}..{np.percentile(q, 84):.2f}")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--space-weather", default="fallback,noaa-monthly",
                   help="comma-separated: fallback, noaa-monthly, noaa-yearly, or a "
                        "CelesTrak SW-All.csv path")
    args = p.parse_args(argv)
    old_all = read_path(DATA / SNAP_2015).sets
    for name in args.space_weather.split(","):
        sw = weather(name.strip())
        print(f"\n=== space weather: {sw.describe()}")
        iss(sw)
        clouds(sw, old_all)
    return 0


if __name__ == "__main__":
    sys.exit(main())
