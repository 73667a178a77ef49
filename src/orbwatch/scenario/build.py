"""Build a scenario: background catalogue + planted tracks -> a catalogue
history with noise and cadence (:mod:`orbwatch.scenario.noise`), a SATCAT,
the ground truth and a README, all deterministic under a seed.

Background: ``background`` (a catalogue file, e.g. a shared snapshot) gives
a random subset of ``background_size`` objects that SGP4 propagates over the
window; if the snapshot is more than 30 days from the window start its
epochs are first shifted by whole days into it (otherwise the truth is SGP4
from the snapshot's own sets, i.e. re-epoched by propagation).  Without
``background`` a generated one is used (LEO 70 %, MEO 10 %, GEO 20 %).
"""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from orbwatch.elements.model import ElementSet, validate
from orbwatch.elements.omm import write_omm_json
from orbwatch.elements.readers import read_path
from orbwatch.elements.satcat import infer_object_type
from orbwatch.elements.tle import format_tle
from orbwatch.errors import ParseError, UserError
from orbwatch.events import Event, events_to_json
from orbwatch.scenario.noise import (
    along_track_shift_us,
    catalogue_epochs,
    perturb_states,
    regime_sigmas,
    states_to_sets_at,
)
from orbwatch.scenario.planted import PLANTS, Track, Window, make_set
from orbwatch.time import US_PER_DAY, format_iso, parse_iso

__all__ = ["ScenarioResult", "build_scenario", "SCENARIOS", "DEFAULT_START_US",
           "generated_background", "file_background", "catalogue_sets", "conjunction_truth"]

SCENARIOS = (*PLANTS, "all")
#: the day after the shared 2023-04-13 snapshot
DEFAULT_START_US = parse_iso("2023-04-14T00:00:00Z")
_MAX_TLE_NORAD = 339_999
_TYPE_WORD = {"payload": "PAYLOAD", "rocket body": "ROCKET BODY", "debris": "DEBRIS",
              "unknown": "UNKNOWN"}
_EARLIEST = -(2**62)


@dataclass(frozen=True)
class ScenarioResult:
    paths: dict[str, Path]
    truth_events: list[Event]
    n_objects: int
    n_sets: int


# ------------------------------------------------------------------ background
def generated_background(rng: np.random.Generator, n: int, epoch_us: int) -> list[Track]:
    """``n`` random objects (catalogue numbers 60000+) around a real mix of orbits.

    GEO objects get inclinations of 0.1-3 deg: below about 0.05 deg the
    conversion of noisy states to SGP4 mean elements (SDP4's low-inclination
    periodics, an ill-conditioned node) gives sets that miss each other by
    10-60 km cross-track, which real catalogues do not show (docs/design.md,
    "Demo background")."""
    re = 6378.135
    kind = rng.choice(3, n, p=[0.7, 0.1, 0.2])
    typ = rng.choice(["PAYLOAD", "ROCKET BODY", "DEBRIS"], n, p=[0.5, 0.15, 0.35])
    owners = rng.choice(["BLU", "GRN", "RED", "YEL"], n)
    leo_inc = rng.choice([53.0, 97.6, 86.4, 65.0, 74.0, 82.5, 98.7, 51.6], n)
    a = np.select([kind == 0, kind == 1], [re + rng.uniform(450, 1300, n),
                                           rng.choice([26560.0, 29600.0], n)], 42164.2)
    inc = np.select([kind == 0, kind == 1], [leo_inc, rng.uniform(54.5, 56.5, n)],
                    rng.uniform(0.1, 3.0, n))
    ecc = np.where(kind == 0, rng.uniform(0.0001, 0.01, n), rng.uniform(0.0001, 0.002, n))
    bstar = np.where(kind == 0, 10 ** rng.uniform(-5.5, -4.0, n), 0.0)
    ang = rng.uniform(0, 360, (n, 3))
    tracks = []
    for i in range(n):
        word = {"PAYLOAD": "SAT", "ROCKET BODY": "R/B", "DEBRIS": "DEB"}[typ[i]]
        s = make_set(60000 + i, epoch_us, a_km=float(a[i]), ecc=float(ecc[i]),
                     inc=float(inc[i]), raan=ang[i, 0], argp=ang[i, 1], ma=ang[i, 2],
                     bstar=float(bstar[i]), name=f"BG {word} {i}",
                     intldes=f"2010-{100 + i % 800:03d}A")
        tracks.append(Track(s.norad, [(_EARLIEST, s)], str(owners[i]), str(typ[i]), "2010-06-01"))
    return tracks


def file_background(path: str | Path, rng: np.random.Generator, n: int, start_us: int,
                    stop_us: int, exclude: set[int]) -> list[Track]:
    """A random subset of ``n`` objects of a catalogue file that propagate over
    the window (newest set per object; epochs shifted into the window when the
    file is more than 30 days away)."""
    try:
        out = read_path(path, future_tolerance_days=None)
    except OSError as exc:
        raise UserError(f"--background {path}: {exc.strerror or exc}") from None
    newest: dict[int, ElementSet] = {}
    for s in out.sets:
        if s.norad not in exclude and (s.norad not in newest or
                                       s.epoch_us > newest[s.norad].epoch_us):
            newest[s.norad] = s
    if not newest:
        raise UserError(f"--background {path}: no element sets")
    sets = [newest[k] for k in sorted(newest)]
    mid = int(np.median([s.epoch_us for s in sets]))
    shift = 0 if abs(start_us - mid) <= 30 * US_PER_DAY else \
        round((start_us - mid) / US_PER_DAY) * US_PER_DAY
    order = rng.permutation(len(sets))
    tracks: list[Track] = []
    probe = np.array([start_us, (start_us + stop_us) // 2, stop_us], np.int64)
    for k in order:
        s = sets[k]
        if shift:
            s = dataclasses.replace(s, epoch_us=s.epoch_us + shift)
        t = Track(s.norad, [(_EARLIEST, s)], None,
                  _TYPE_WORD[infer_object_type(s.name)], None)
        if s.mean_motion < 20 and t.states(probe)[2].all():
            tracks.append(t)
            if len(tracks) == n:
                break
    return sorted(tracks, key=lambda t: t.norad)


# ------------------------------------------------------------------ catalogue
def catalogue_sets(tracks: list[Track], start_us: int, stop_us: int, seed: int) -> list[ElementSet]:
    """Published element sets of every track: cadence, noise, conversion.
    Each object has its own random stream (seed, norad), so its sets do not
    depend on which other objects are in the scenario."""
    rows_t, rows_r, rows_v, rows_tpl, rows_sig = [], [], [], [], []
    for tr in tracks:
        rng = np.random.default_rng([seed, 7, tr.norad])
        lo = max(start_us, tr.first_us if tr.first_us is not None else start_us)
        hi = min(stop_us, tr.last_us if tr.last_us is not None else stop_us)
        t = catalogue_epochs(rng, lo, hi)
        if t.size == 0:
            continue
        first = tr.initial
        sig = np.repeat(regime_sigmas(first.mean_motion, first.eccentricity), len(t), 0)
        speed = 2 * math.pi * first.semi_major_axis_km * first.mean_motion / 86400
        r, v, ok = tr.states(t + along_track_shift_us(rng, sig, np.full(len(t), speed)))
        bad = np.flatnonzero(~ok)
        keep = slice(0, bad[0] if bad.size else len(t))  # decayed: no sets afterwards
        r2, v2 = perturb_states(rng, r[keep], v[keep], sig[keep])
        rows_t.append(t[keep])
        rows_r.append(r2)
        rows_v.append(v2)
        rows_sig.append(sig[keep])
        rows_tpl += [tr.set_at(int(x)) for x in t[keep]]
    if not rows_t:
        return []
    sets = states_to_sets_at(np.concatenate(rows_r), np.concatenate(rows_v),
                             np.concatenate(rows_t), rows_tpl)
    out, dead = [], set()
    for s in sorted((s for s in sets if s is not None), key=lambda s: (s.norad, s.epoch_us)):
        try:
            if s.norad not in dead:
                out.append(validate(dataclasses.replace(s, source="scenario")))
        except ParseError:  # e.g. a fragment on its way down: no sets afterwards
            dead.add(s.norad)
    return sorted(out, key=lambda s: (s.epoch_us, s.norad))


def _nearest(sets: list[ElementSet], norad: int, at_us: int) -> ElementSet:
    mine = [s for s in sets if s.norad == norad]
    return min(mine, key=lambda s: (abs(s.epoch_us - at_us), s.epoch_us))


def conjunction_truth(ev: Event, sets: list[ElementSet]) -> Event:
    """The planted conjunction as the catalogue shows it: TCA and miss of
    SGP4 with each object's set nearest the planted TCA (what screening
    this catalogue must find); the planted values stay in the evidence."""
    a, b = (Track(n, [(_EARLIEST, _nearest(sets, n, ev.epoch_us))]) for n in ev.objects)
    t = ev.epoch_us + np.arange(-120_000_000, 120_000_001, 20_000, dtype=np.int64)
    ra, va, _ = a.states(t)
    rb, vb, _ = b.states(t)
    d2 = np.sum((ra - rb) ** 2, 1)
    k = int(np.clip(np.argmin(d2), 1, len(t) - 2))
    y0, y1, y2 = d2[k - 1:k + 2]
    frac = 0.5 * (y0 - y2) / (y0 - 2 * y1 + y2)  # parabola through d^2: exact for straight lines
    tca = int(t[k] + round(frac * 20_000))
    ra, va, _ = a.states([tca])
    rb, vb, _ = b.states([tca])
    metrics = {**ev.metrics, "miss_km": float(np.linalg.norm(ra - rb)),
               "rel_speed_kms": float(np.linalg.norm(va - vb))}
    evidence = {**ev.evidence, "element_sets": [
        {"norad": tr.norad, "epoch": format_iso(tr.initial.epoch_us)} for tr in (a, b)]}
    return dataclasses.replace(ev, epoch_us=tca, metrics=metrics, evidence=evidence)


# ------------------------------------------------------------------ writing
def _satcat_rows(tracks: list[Track]) -> list[dict]:
    rows = []
    for tr in tracks:
        s = tr.initial
        rows.append({"NORAD_CAT_ID": str(tr.norad), "SATNAME": s.name, "INTLDES": s.intldes,
                     "COUNTRY": tr.owner, "OBJECT_TYPE": tr.object_type, "LAUNCH": tr.launch})
    return rows


def _tle_text(sets: list[ElementSet]) -> str:
    lines = []
    for s in sets:
        if s.norad <= _MAX_TLE_NORAD:
            lines += [f"0 {s.name or s.norad}", *format_tle(s)]
    return "\n".join(lines) + "\n"


def _readme(name: str, start_us: int, stop_us: int, seed: int, background: str,
            events: list[Event], n_objects: int, n_sets: int) -> str:
    out = [f"orbwatch scenario {name!r} (seed {seed})",
           f"window {format_iso(start_us, 0)} to {format_iso(stop_us, 0)}; background: "
           f"{background}", f"{n_objects} objects, {n_sets} element sets", "",
           "planted (ground truth in truth.json; owners RED, BLU, GRN are fictional):"]
    for e in events:
        what = e.evidence.get("purpose") or e.evidence.get("what") or e.evidence.get("cause") \
            or ""
        nums = ", ".join(f"{k}={v:.4g}" for k, v in e.metrics.items()
                         if isinstance(v, (int, float)) and not isinstance(v, bool))
        out.append(f"  {format_iso(e.epoch_us, 0)}  {e.kind:<11s} "
                   f"{' '.join(map(str, e.objects))}: {what} ({nums})")
    out += ["", "element-set noise and cadence: see orbwatch.scenario.noise",
            "elements.json: OMM (every set); elements.tle: the same sets of objects that fit a "
            "TLE (<= 339999)", "satcat.json: Space-Track-style SATCAT; truth.json: orbwatch.event/1"]
    return "\n".join(out) + "\n"


# ------------------------------------------------------------------ entry
def build_scenario(name: str, out_dir: str | Path, *, start_us: int = DEFAULT_START_US,
                   days: float = 30.0, seed: int = 0, background: str | Path | None = None,
                   background_size: int = 300) -> ScenarioResult:
    """Write ``elements.json``, ``elements.tle``, ``satcat.json``, ``truth.json``
    and ``README.txt`` of scenario ``name`` into ``out_dir``."""
    if name not in SCENARIOS:
        raise UserError(f"unknown scenario {name!r}; expected one of {', '.join(SCENARIOS)}")
    if not 4.0 <= days <= 366.0:
        raise UserError(f"--days must be between 4 and 366, got {days:g}")
    if background_size < 0:
        raise UserError("--background-size must be >= 0")
    stop_us = start_us + int(days * US_PER_DAY)
    year = int(format_iso(start_us, 0)[:4]) - 1
    tracks: list[Track] = []
    truth: list[Event] = []
    for k, (kind, plant) in enumerate(PLANTS.items()):
        if name in (kind, "all"):
            tr, ev = plant(Window(start_us, stop_us, np.random.default_rng([seed, 1, k]), year))
            tracks += tr
            truth += ev
    planted = {t.norad for t in tracks}
    bg_rng = np.random.default_rng([seed, 0])
    if background is None:
        bg = generated_background(bg_rng, background_size, start_us)
        bg_text = f"generated, {background_size} objects"
    else:
        bg = file_background(background, bg_rng, background_size, start_us, stop_us, planted)
        bg_text = f"{len(bg)} objects of {Path(background).name}"
    tracks = bg + tracks
    sets = catalogue_sets(tracks, start_us, stop_us, seed)
    truth = [conjunction_truth(e, sets) if e.kind == "conjunction" else e for e in truth]
    truth.sort(key=lambda e: (e.epoch_us, e.kind, e.objects))
    have = {s.norad for s in sets}
    tracks = [t for t in tracks if t.norad in have]
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {k: out / f for k, f in (("elements", "elements.json"), ("tle", "elements.tle"),
                                      ("satcat", "satcat.json"), ("truth", "truth.json"),
                                      ("readme", "README.txt"))}
    paths["elements"].write_text(write_omm_json(sets))
    paths["tle"].write_text(_tle_text(sets))
    paths["satcat"].write_text(json.dumps(_satcat_rows(tracks), indent=1) + "\n")
    paths["truth"].write_text(events_to_json(truth) + "\n")
    paths["readme"].write_text(_readme(name, start_us, stop_us, seed, bg_text, truth,
                                       len(tracks), len(sets)))
    return ScenarioResult(paths, truth, len(tracks), len(sets))
