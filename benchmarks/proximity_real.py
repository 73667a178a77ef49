"""Proximity operations on the real public catalogues: what is found in GEO and
in LEO, with owners, and the inspectors across 2015-2023.

1. Thresholds from the data (2023-04-13 catalogue, 12 h): relative speed at
   closest approach of pairs that stay together (planes within 1 deg, in range
   90 % of the window) against crossing pairs (planes 1 deg or more apart);
   the range at which same-owner GEO payload pairs stay together.
2. GEO, every full snapshot 2015-2023 (one day centred on each snapshot's
   median epoch, the whole belt): counts per label, docked stacks, the closest
   foreign approaches, and the inspectors (one event each, with its targets).
3. LEO, bounded: the two station bands in 2023-04-13 (docked stacks), the
   Cosmos 2542/2543 band in 2019-12-19 and 2020-07-13, and the 450-600 km band
   (apogee below 600 km) of 2023-04-13 for 6 h.

Owners come from the CelesTrak SATCAT of 2019-08-06 and Space-Track's
objects-in-orbit list of 2020-07-14: objects launched later have none.

    python benchmarks/proximity_real.py [--skip-calibration] [--snapshots N]
"""

from __future__ import annotations

import argparse
import os
import time
from collections import Counter
from pathlib import Path

import numpy as np

from orbwatch.detect.inspector import assess_mobility, detect_inspections
from orbwatch.detect.proximity import detect_proximity, pair_profile, plane_angle_deg, regime_of
from orbwatch.elements.readers import read_path
from orbwatch.elements.satcat import infer_object_type, merge_by_norad, read_satcat
from orbwatch.screen.engine import screen
from orbwatch.time import format_iso

DAY = 86_400_000_000
DATA = Path(os.environ.get("ORBWATCH_SHARED_DATA",
                           Path(__file__).resolve().parents[2] / "shared" / "data"))
SATCATS = ("satcat/celestrak_satcat_2019-08-06_from_trusat.csv.gz",
           "satcat/esri_oio_2020-07-14.csv.gz")
LATEST = "keeptrack_TLE3_2023-04-13.txt.gz"


def owners() -> dict[int, dict]:
    recs = []
    for p in SATCATS:
        recs += read_satcat(DATA / p).records
    return {n: {"name": r.name, "owner": r.owner, "object_type": r.object_type,
                "intldes": r.intldes} for n, r in merge_by_norad(recs).items()}


def snapshot(name: str) -> tuple[list, int]:
    sets = read_path(DATA / "catalog" / name, future_tolerance_days=None).sets
    return sets, int(np.median([s.epoch_us for s in sets]))


def snapshots() -> list[str]:
    """Full-catalogue snapshots in date order (the 2026 file is LEO only)."""
    names = [p.name for p in (DATA / "catalog").glob("*.gz") if "everm1ss" not in p.name]
    return sorted(names, key=lambda n: snapshot_date(n))


def snapshot_date(name: str) -> str:
    import re

    return re.search(r"\d{4}-\d{2}-\d{2}", name).group(0)


def in_regime(sets, g):
    return [s for s, r in zip(sets, regime_of(sets), strict=True) if r == g]


def table(rows: list[list], header: list[str]) -> None:
    cols = list(zip(header, *rows, strict=False)) if rows else [(h,) for h in header]
    width = [max(len(str(c)) for c in col) for col in cols]
    print("| " + " | ".join(h.ljust(w) for h, w in zip(header, width, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in width) + "|")
    for r in rows:
        print("| " + " | ".join(str(c).ljust(w) for c, w in zip(r, width, strict=True)) + " |")
    print()


# --- 1. thresholds from the data ------------------------------------------------------


def pair_statistics(sets, rows, t0, t1, threshold_km):
    """Per screened pair: plane angle, fraction of the window in range, minimum
    range, relative speed there (LVLH, as :func:`pair_profile` and the detector read
    it), same owner, both payloads."""
    res = screen(sets, t0, t1, threshold_km=threshold_km, step_s=60.0)
    acc: dict = {}
    for p in res.proximities:
        x = acc.setdefault((min(p.i, p.j), max(p.i, p.j)), [0.0, np.inf])
        x[0] += (p.end_us - p.start_us) / 1e6
        x[1] = min(x[1], p.min_range_km)
    for e in res.encounters:
        x = acc.setdefault((min(e.i, e.j), max(e.i, e.j)), [0.0, np.inf])
        x[1] = min(x[1], e.miss_km)
    out = []
    for (i, j), (dur, rmin) in acc.items():
        prof = pair_profile(sets[i], sets[j], t0, t1, 60.0)
        v = prof["rel_speed_kms"] if prof["ok"] else np.nan
        ra, rb = rows.get(sets[i].norad, {}), rows.get(sets[j].norad, {})
        types = [r.get("object_type") or infer_object_type(r.get("name") or s.name)
                 for r, s in ((ra, sets[i]), (rb, sets[j]))]
        out.append((plane_angle_deg(sets[i], sets[j], (t0 + t1) // 2), dur / ((t1 - t0) / 1e6),
                    rmin, v, ra.get("owner") is not None and ra.get("owner") == rb.get("owner"),
                    all(t == "payload" for t in types)))
    return np.array(out, dtype=float)


def calibration(rows) -> None:
    print("## 1. Thresholds from the data (2023-04-13, 12 h)\n")
    sets, mid = snapshot(LATEST)
    t0, t1 = mid - DAY // 4, mid + DAY // 4
    bands = {"geo": (in_regime(sets, "geo"), 500.0),
             "leo": ([s for s in in_regime(sets, "leo")
                      if s.perigee_km > 450 and s.apogee_km < 600], 50.0)}
    out = []
    for g, (sub, thr) in bands.items():
        tic = time.perf_counter()
        st = pair_statistics(sub, rows, t0, t1, thr)
        plane, frac, rmin, v, same, pay = st.T
        kept, cross = (frac >= 0.9) & (plane < 1.0), plane >= 1.0
        vk, vc = v[kept & ~np.isnan(v)], v[cross & ~np.isnan(v)]
        print(f"{g.upper()}: {len(sub)} objects, {len(st)} pairs within {thr:.0f} km "
              f"({time.perf_counter() - tic:.0f} s); {kept.sum()} stay together, "
              f"{cross.sum()} cross")
        for s in (0.05, 0.1, 0.15, 0.3, 0.5):
            out.append([g, s, int((vk > s).sum()), f"{(vc <= s).mean():.2%}"])
        print(f"  together: relative speed median {np.median(vk):.4f}, max {vk.max():.4f} km/s;"
              f" crossing: 0.1 % quantile {np.quantile(vc, 0.001):.4f}, "
              f"1 % {np.quantile(vc, 0.01):.4f} km/s")
        so = kept & (same > 0) & (pay > 0)
        if so.sum():
            q = np.quantile(rmin[so], [0.5, 0.9, 0.95])
            print(f"  same-owner payload pairs staying together: {so.sum()}, minimum range "
                  f"median {q[0]:.0f}, 90 % {q[1]:.0f}, 95 % {q[2]:.0f} km")
        print()
    table(out, ["regime", "slow cut km/s", "together pairs above", "crossing pairs below"])


# --- 2. GEO across snapshots -------------------------------------------------------------


def _name(ev, k):
    n, o = ev.evidence["names"][k], ev.evidence["owners"][k]
    return f"{ev.objects[k]} {n or '?'} ({o or '?'})"


def geo_history(rows, names: list[str]) -> tuple[list, list]:
    print("## 2. GEO, one day per snapshot\n")
    events, counts, belts = [], [], []
    for name in names:
        sets, mid = snapshot(name)
        geo = in_regime(sets, "geo")
        belts.append(geo)
        tic = time.perf_counter()
        rep = detect_proximity(geo, mid - DAY // 2, mid + DAY // 2, objects=rows,
                               regimes=["geo"])
        c = Counter(e.evidence["label"] for e in rep.events)
        counts.append([snapshot_date(name), len(geo), len(rep.events), c["same-owner cluster"],
                       c["docked"], c["foreign approach"], c["unattributed approach"],
                       c["drift-through"], c["passive objects"] + c["same-launch objects"],
                       f"{time.perf_counter() - tic:.1f}"])
        events += [(snapshot_date(name), e) for e in rep.events]
    table(counts, ["snapshot", "GEO objects", "pairs", "same-owner cluster", "docked",
                   "foreign approach", "unattributed", "drift-through", "passive/same-launch",
                   "s"])
    owners_c = Counter(e.evidence["owners"][0] for _, e in events
                       if e.evidence["label"] == "same-owner cluster")
    print("Same-owner clusters (pairs over all snapshots) by owner: "
          + ", ".join(f"{o} {n}" for o, n in owners_c.most_common(12)) + "\n")
    docked = [[d, _name(e, 0), _name(e, 1), f"{e.metrics['min_range_km']:.2f}",
               e.evidence["docked_basis"]] for d, e in events if e.evidence["label"] == "docked"]
    print("Docked stacks in GEO:\n")
    table(docked, ["snapshot", "object", "object", "range km", "basis"])
    close = sorted(((d, e) for d, e in events if e.evidence["label"] == "foreign approach"
                    and e.metrics["min_range_km"] < 25.0), key=lambda x: (x[0], x[1].objects))
    print("Foreign approaches closer than 25 km (subject: the object seen manoeuvring, else "
          "the lower number):\n")
    table([[d, _name(e, 0), _name(e, 1), f"{e.metrics['min_range_km']:.1f}",
            f"{e.metrics['rel_speed_kms'] * 1000:.1f}", f"{e.metrics['duration_s'] / 3600:.1f}"]
           for d, e in close], ["snapshot", "subject", "other", "min km", "rel m/s", "h in range"])
    return [e for _, e in events], belts


def inspectors(events: list, belts: list) -> None:
    found = assess_mobility(detect_inspections(events), belts)
    strong = [e for e in found if e.confidence >= 0.9]
    print(f"## Inspectors in GEO, {len(found)} candidates, {len(strong)} roving\n")
    summary = [[f"{e.objects[0]} {e.evidence['inspector']['name']}",
                e.evidence["inspector"]["owner"] or "?", e.metrics["targets"],
                e.evidence["foreign_targets"], f"{e.metrics['mobility']:.2f}",
                e.metrics["controlled_snapshots"], e.confidence,
                " -> ".join(t["name"] or str(t["norad"]) for t in e.evidence["targets"])]
               for e in sorted(found, key=lambda e: (-e.confidence, -e.metrics["targets"],
                                                     -e.metrics["mobility"]))]
    table(summary, ["inspector", "owner", "targets", "foreign", "mobility", "controlled",
                    "confidence", "targets in turn"])
    for ev in sorted(strong, key=lambda e: -e.metrics["targets"]):
        ins = ev.evidence["inspector"]
        print(f"### {ins['norad']} {ins['name']} ({ins['owner'] or 'owner unknown'}): "
              f"{ev.metrics['targets']} targets, {ev.metrics['relocations_seen']} relocations, "
              f"{ev.evidence['foreign_targets']} foreign-owned, mobility "
              f"{ev.metrics['mobility']:.2f} over {ev.metrics['controlled_snapshots']} controlled "
              f"snapshots\n")
        print("Longitude track (deg E, drift deg/day): " + ", ".join(
            f"{p['date']} {p['lon']:+.1f} ({p['drift_deg_day']:+.2f})"
            for p in ev.evidence["longitude_track"]))
        print()
        table([[t["start"][:10], t["end"][:10], f"{t['norad']} {t['name']}", t["owner"] or "?",
                f"{t['longitude_deg']:.2f}" if t["longitude_deg"] is not None else "",
                f"{t['min_range_km']:.1f}", len(t["also_near"])] for t in ev.evidence["targets"]],
              ["from", "to", "target", "owner", "lon deg", "min km", "also near"])


# --- 3. LEO, bounded ------------------------------------------------------------------------


def leo(rows) -> None:
    print("## 3. LEO (bounded)\n")
    sets, mid = snapshot(LATEST)
    stations = [s for s in sets if s.mean_motion > 15.3 and
                (abs(s.inclination - 51.64) < 0.1 or abs(s.inclination - 41.47) < 0.1)]
    band = [s for s in in_regime(sets, "leo") if s.perigee_km > 450 and s.apogee_km < 600]
    runs = [("2023-04-13 station bands, 2 h", stations, mid, DAY // 12)]
    for name in ("odap_spacetrack_3le_2019-12-19.txt.gz", "esri_tle_2020-07-13.txt.gz"):
        ss, _ = snapshot(name)
        k = next(s for s in ss if s.norad == 44797)
        runs.append((f"{snapshot_date(name)} Cosmos 2542 band (i {k.inclination:.1f} +- 0.5), "
                     "12 h", [s for s in ss if abs(s.inclination - k.inclination) < 0.5
                              and 13.5 < s.mean_motion < 16.0], k.epoch_us, DAY // 2))
    runs.append(("2023-04-13 450-600 km band, 6 h", band, mid, DAY // 4))
    for title, sub, t, span in runs:
        tic = time.perf_counter()
        rep = detect_proximity(sub, t - span // 2, t + span // 2, objects=rows, regimes=["leo"])
        c = Counter(e.evidence["label"] for e in rep.events)
        print(f"### {title}: {len(sub)} objects, {len(rep.events)} pairs "
              f"({time.perf_counter() - tic:.1f} s): "
              + ", ".join(f"{k} {n}" for k, n in c.most_common()) + "\n")
        stacks = {tuple(e.evidence["stack"]) for e in rep.events if e.evidence.get("stack")}
        for st in sorted(stacks):
            links = [e for e in rep.events if e.evidence.get("stack") == list(st)]
            names = {n: nm for e in links for n, nm in zip(e.objects, e.evidence["names"],
                                                          strict=True)}
            print("Stack: " + ", ".join(f"{n} {names.get(n)}" for n in st))
            for e in links:
                if e.evidence.get("stack_link") or "one trajectory" not in e.evidence[
                        "docked_basis"]:
                    print(f"  {_name(e, 0)} - {_name(e, 1)}: {e.metrics['min_range_km']:.1f} km "
                          f"on paper; {e.evidence['docked_basis']}")
        if stacks:
            print()
        rest = [e for e in rep.events if e.evidence["label"] != "docked"]
        rest.sort(key=lambda e: e.metrics["min_range_km"])
        table([[e.evidence["label"], _name(e, 0), _name(e, 1), f"{e.metrics['min_range_km']:.1f}",
                f"{e.metrics['rel_speed_kms'] * 1000:.1f}", f"{e.metrics['coplanarity_deg']:.3f}",
                f"{e.metrics['drift_km_per_day']:.1f}", f"{e.metrics['duration_s'] / 3600:.1f}",
                format_iso(e.epoch_us, 0)[:16]] for e in rest[:25]],
              ["label", "subject", "other", "min km", "rel m/s", "planes deg", "drift km/d",
               "h in range", "closest"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--skip-calibration", action="store_true")
    ap.add_argument("--snapshots", type=int, default=0, help="only the last N GEO snapshots")
    args = ap.parse_args()
    tic = time.perf_counter()
    rows = owners()
    if not args.skip_calibration:
        calibration(rows)
    names = snapshots()[-args.snapshots:] if args.snapshots else snapshots()
    events, belts = geo_history(rows, names)
    inspectors(events, belts)
    leo(rows)
    print(f"total run time {time.perf_counter() - tic:.0f} s")


if __name__ == "__main__":
    main()
