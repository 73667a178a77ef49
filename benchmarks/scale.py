"""Scale benchmark (issue 9): screening cost from the real 25k catalogue to
synthetic 100k and 1M object catalogues, on 1 and 2 local workers.

    python benchmarks/scale.py                         # 25k, 100k, 1M; 1 day; 5 km; 1 and 2 workers
    python benchmarks/scale.py --sizes 100k --workers 1 --days 1
    python benchmarks/scale.py --sizes 25k 100k 1m --hours-1m 2 --json out.json

Sizes: ``25k`` is the real 2023-04-13 snapshot (keeptrack, 24,548 objects,
element sets nearest the window's middle); ``100k``, ``1m`` (or any count
like ``300000``) are :mod:`orbwatch.scenario.population` catalogues, written
as OMM JSON (gzip) into ``--cache`` and read back through the ordinary
reader, so the ingest path is the one the CLI uses.  One worker is the
default single-process path; more are a ``distributed.LocalCluster`` of
that many processes (``--scheduler local``).

Printed per run: wall time of the screening (reading and starting the
cluster excluded, both shown apart),
cost per window-day (wall time scaled to one day when the window is shorter,
as for ``--hours-1m``), conjunctions and long proximities, events per
object-day, candidate intervals, and the peak resident memory of this
process plus its worker processes (sampled every 0.2 s with psutil; the
largest of that and getrusage's maxima).  Then the cost ratios between
sizes against the ratio of objects: linear growth gives a ratio near the
object ratio, quadratic its square.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import threading
import time
from pathlib import Path

from orbwatch.elements.readers import read_path
from orbwatch.parallel import open_runner
from orbwatch.propagate import nearest_sets
from orbwatch.scenario.population import (
    POPULATION_EPOCH_US,
    generate_population,
    write_population,
)
from orbwatch.screen.engine import screen
from orbwatch.time import parse_iso

REPO = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("ORBWATCH_SHARED_DATA", REPO.parent / "shared" / "data"))
SNAPSHOT = DATA / "catalog" / "keeptrack_TLE3_2023-04-13.txt.gz"
REAL_START = parse_iso("2023-04-13T00:00:00Z")
GIB = 1024**3


class PeakMemory:
    """Peak of (this process + all its descendants) resident memory, sampled."""

    def __init__(self, every_s: float = 0.2) -> None:
        import psutil

        self._proc = psutil.Process()
        self._every = every_s
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> int:
        total = 0
        for p in [self._proc, *self._proc.children(recursive=True)]:
            try:
                total += p.memory_info().rss
            except Exception:  # noqa: BLE001 - a worker may exit between listing and reading
                pass
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._sample())
            self._stop.wait(self._every)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._sample())


def size_of(text: str) -> int:
    t = text.lower().replace("_", "")
    if t.endswith("k"):
        return int(float(t[:-1]) * 1000)
    if t.endswith("m"):
        return int(float(t[:-1]) * 1_000_000)
    return int(t)


def load(size: str, cache: Path, seed: int):
    """(label, element sets, window start, seconds spent generating/reading)."""
    t = time.perf_counter()
    if size.lower() == "25k":
        sets = read_path(SNAPSHOT, future_tolerance_days=None).sets
        return "25k real 2023-04-13", sets, REAL_START, time.perf_counter() - t
    n = size_of(size)
    path = cache / f"population_{n}_seed{seed}.json.gz"
    if not path.exists():
        write_population(generate_population(n, seed=seed), path)
    sets = read_path(path, future_tolerance_days=None).sets
    return f"{n // 1000}k synthetic", sets, POPULATION_EPOCH_US, time.perf_counter() - t


def run_one(sets, start_us: int, hours: float, threshold: float, workers: int) -> dict:
    stop_us = start_us + int(hours * 3600e6)
    sets = nearest_sets(sets, (start_us + stop_us) // 2)
    ru0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    with PeakMemory() as mem:
        t = time.perf_counter()
        with open_runner("local" if workers > 1 else "none", workers) as runner:
            t_cluster = time.perf_counter() - t
            t = time.perf_counter()
            res = screen(sets, start_us, stop_us, threshold_km=threshold, workers=1,
                         runner=runner)
            wall = time.perf_counter() - t
    peak = max(mem.peak, ru0, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
    days = hours / 24.0
    events = len(res.encounters) + len(res.proximities)
    return {"objects": len(sets), "hours": hours, "workers": workers, "wall_s": round(wall, 1),
            "cluster_start_s": round(t_cluster, 1) if workers > 1 else 0.0,
            "cost_per_day_s": round(wall / days, 1), "conjunctions": len(res.encounters),
            "proximities": len(res.proximities), "candidates": res.stats["candidates"],
            "events_per_object_day": round(events / len(sets) / days, 4),
            "peak_gib": round(peak / GIB, 2)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", nargs="+", default=["25k", "100k", "1m"])
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--days", type=float, default=1.0, help="window for every size but 1M")
    ap.add_argument("--hours-1m", type=float, default=0.25,
                    help="window (h) for sizes of 500k objects and more; cost scaled to a day")
    ap.add_argument("--threshold", type=float, default=5.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--cache", default=str(Path(tempfile.gettempdir()) / "orbwatch-bench"),
                    help="folder for the generated OMM files")
    ap.add_argument("--json", help="also write the results here")
    args = ap.parse_args()
    if not SNAPSHOT.exists() and "25k" in [s.lower() for s in args.sizes]:
        print(f"missing {SNAPSHOT}; set ORBWATCH_SHARED_DATA", file=sys.stderr)
        return 1
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    rows = []
    print(f"{'catalogue':22} {'objects':>8} {'hours':>5} {'wk':>3} {'wall s':>8} "
          f"{'s/day':>8} {'conj':>9} {'prox':>6} {'ev/obj-day':>10} {'cand':>10} {'GiB':>6}",
          flush=True)
    for size in args.sizes:
        label, sets, start_us, t_load = load(size, cache, args.seed)
        hours = args.hours_1m if len(sets) >= 500_000 else args.days * 24.0
        print(f"# {label}: {len(sets)} element sets read in {t_load:.1f} s", flush=True)
        for w in args.workers:
            r = run_one(sets, start_us, hours, args.threshold, w)
            r["catalogue"] = label
            r["size"] = size
            rows.append(r)
            print(f"{label:22} {r['objects']:>8} {hours:>5g} {w:>3} {r['wall_s']:>8} "
                  f"{r['cost_per_day_s']:>8} {r['conjunctions']:>9} {r['proximities']:>6} "
                  f"{r['events_per_object_day']:>10} {r['candidates']:>10} "
                  f"{r['peak_gib']:>6}" + (f"  (cluster start {r['cluster_start_s']} s)"
                                           if w > 1 else ""), flush=True)
        del sets
    print("\ncost growth (per window-day, same workers):")
    for w in args.workers:
        mine = [r for r in rows if r["workers"] == w]
        for a, b in zip(mine, mine[1:], strict=False):
            obj = b["objects"] / a["objects"]
            cost = b["cost_per_day_s"] / max(a["cost_per_day_s"], 1e-9)
            print(f"  {w} worker(s): {a['size']} -> {b['size']}: objects x{obj:.2f}, "
                  f"cost x{cost:.2f} (linear {obj:.2f}, quadratic {obj * obj:.1f}); "
                  f"log-log slope {_slope(obj, cost):.2f}")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2) + "\n")
    return 0


def _slope(x: float, y: float) -> float:
    import math

    return math.log(y) / math.log(x) if x > 0 and x != 1 and y > 0 else float("nan")


if __name__ == "__main__":
    sys.exit(main())
