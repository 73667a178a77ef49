"""Figures of proximity events drawn from element sets in memory (PNG files).

``orbwatch proximity --figures DIR`` writes

* one range figure per pair (:func:`range_png`): the distance between the two
  objects (km) against time, each propagated with SGP4 from its set nearest in
  epoch, over the event's span and back to the manoeuvre that made the approach
  when one was named (shaded between its bracketing sets), the threshold and the
  closest approach marked;
* one figure per inspection (:func:`inspection_png`): the inspector's stops as
  bars in time, one row per target (name, owner, nearest range), foreign-owned
  targets in red; where the event carries a longitude track (GEO inspections
  assessed across snapshots, ``--per-file``) a second panel with it and the
  inspector's longitude at each stop.

:func:`plot_range` is the drawing both these files and the report pages
(:func:`orbwatch.report.figures.range_figure`) use.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from orbwatch.events import Event
from orbwatch.time import datetime64, format_iso, parse_iso

__all__ = ["range_window", "range_series", "plot_range", "range_png", "plot_inspection",
           "inspection_png", "MANOEUVRE_LOOKBACK_DAYS"]

_DAY_US = 86_400_000_000
_MAX_SAMPLES = 5000  # a 12-day LEO window: one sample every 3.5 min
#: how far before an event's first approach a named manoeuvre is still drawn
MANOEUVRE_LOOKBACK_DAYS = 10.0


def _manoeuvre_span(e: Event) -> tuple[int, int] | None:
    m = (e.evidence or {}).get("manoeuvre")
    if not m or not m.get("between"):
        return None
    lo, hi = (parse_iso(x) for x in m["between"])
    return lo, hi


def range_window(e: Event) -> tuple[int, int]:
    """The span a range figure covers (UTC microseconds): the event's own, padded by
    a twentieth, or +-15 min of a conjunction and +-3 h of a release; a proximity
    event's named manoeuvre within ``MANOEUVRE_LOOKBACK_DAYS`` before it pulls the
    start back to a little before the manoeuvre's last set before the burn."""
    if e.start_us is not None and e.end_us is not None and e.end_us - e.start_us > 600e6:
        pad = (e.end_us - e.start_us) // 20
        t0, t1 = e.start_us - pad, e.end_us + pad
    else:
        half = 900_000_000 if e.kind == "conjunction" else 3 * 3_600_000_000
        t0, t1 = e.epoch_us - half, e.epoch_us + half
    span = _manoeuvre_span(e) if e.kind == "proximity" else None
    if span is not None and t0 - MANOEUVRE_LOOKBACK_DAYS * _DAY_US <= span[0] < t0:
        t0 = span[0] - max((t1 - span[0]) // 20, 3_600_000_000)
    return t0, t1


def range_series(sets: Sequence, a: int, b: int, times_us: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Range (km) between objects ``a`` and ``b`` at ``times_us``, each propagated
    (SGP4, TEME) with its set nearest in epoch, and whether either set used was
    stale there.  ``sets`` may hold other objects' sets too."""
    from orbwatch.propagate import group_history, propagate_history

    mine = [s for s in sets if s.norad in (a, b)]
    missing = {a, b} - {s.norad for s in mine}
    if missing:
        raise ValueError("no element sets for " + ", ".join(map(str, sorted(missing))))
    sorted_sets, offsets = group_history(mine)
    eph = propagate_history(sorted_sets, offsets, np.asarray(times_us, dtype=np.int64))
    rng = np.linalg.norm(eph.position[eph.row(a)] - eph.position[eph.row(b)], axis=-1)
    return rng, eph.stale[eph.row(a)] | eph.stale[eph.row(b)]


def plot_range(sets: Sequence, e: Event):
    """A matplotlib figure of the range between the event's first two objects, and
    its caption.  Raises ValueError when either object has no set."""
    from orbwatch.report.figures import _plt

    a, b = e.objects[:2]
    t0, t1 = range_window(e)
    n = int(min(_MAX_SAMPLES, max(200, (t1 - t0) / 60e6)))
    times = np.linspace(t0, t1, n).astype(np.int64)
    rng, stale = range_series(sets, a, b, times)
    plt = _plt()
    fig, ax = plt.subplots(figsize=(8, 3.6))
    x = datetime64(times)
    ax.plot(x, rng, lw=0.9, c="tab:blue", label="range (SGP4, nearest set)")
    if stale.any():
        ax.plot(x[stale], rng[stale], ".", ms=2, c="tab:orange", label="from a stale set")
    ax.axvline(datetime64(e.epoch_us), c="k", ls="--", lw=0.8, label="event epoch")
    thr = e.metrics.get("threshold_km")
    if isinstance(thr, (int, float)):
        ax.axhline(thr, c="tab:red", ls=":", lw=0.8, label=f"threshold {thr:g} km")
    span = _manoeuvre_span(e) if e.kind == "proximity" else None
    if span is not None and span[1] >= t0:
        who = e.evidence["manoeuvre"].get("norad")
        ax.axvspan(datetime64(max(span[0], t0)), datetime64(min(span[1], t1)), color="tab:green",
                   alpha=0.15, label=f"manoeuvre of {who} (between its sets)")
    names = (e.evidence or {}).get("names") or [None, None]
    who = [f"{n} {nm}" if nm else str(n) for n, nm in zip((a, b), names, strict=False)]
    ax.set(ylabel="range (km)", xlabel="time (UTC)",
           title=f"{who[0]} - {who[1]}: range against time")
    finite = rng[np.isfinite(rng)]
    if finite.size and finite.max() > 100.0 * max(finite.min(), 1e-3):
        # far before the approach, close during it: a linear axis would flatten the stay
        ax.set_yscale("log")
        ax.set_ylim(bottom=max(0.5 * finite.min(), 1e-3))
    else:
        ax.set_ylim(bottom=0)
    ax.legend(fontsize=7, loc="upper right")
    fig.autofmt_xdate()
    low = f"; smallest sampled range {finite.min():.3f} km" if finite.size else ""
    caption = (f"Range between {a} and {b} from {format_iso(t0, 0)} to {format_iso(t1, 0)} "
               f"({n} samples), each object propagated with SGP4 from its element set "
               f"nearest in epoch{low}.")
    return fig, caption


def _when(iso: str | None):
    """An ISO time of the evidence as numpy datetime64 (None when missing)."""
    return None if not iso else datetime64(parse_iso(iso))


def range_png(sets: Sequence, e: Event, path: str | Path) -> Path:
    """Draw :func:`plot_range` of ``e`` from ``sets`` to ``path``."""
    from orbwatch.report.figures import save_png

    fig, _ = plot_range(sets, e)
    return save_png(fig, path)


def inspection_png(e: Event, path: str | Path) -> Path:
    """Draw :func:`plot_inspection` of ``e`` to ``path``."""
    from orbwatch.report.figures import save_png

    fig, _ = plot_inspection(e)
    return save_png(fig, path)


def plot_inspection(e: Event):
    """A matplotlib figure of an ``inspection`` event's stops (and its longitude track
    where the event carries one), and its caption; only the event's own evidence is
    needed, and fields missing from it are left out of the drawing."""
    from orbwatch.report.figures import _plt

    if e.kind != "inspection":
        raise ValueError(f"expected an inspection event, got kind {e.kind!r}")
    ev = e.evidence
    targets = ev.get("targets") or []
    track = ev.get("longitude_track") or []
    me = ev.get("inspector") or {}
    plt = _plt()
    rows = 2 if track else 1
    fig, axes = plt.subplots(rows, 1, figsize=(9, 1.6 + 0.45 * len(targets) + 2.6 * (rows - 1)),
                             squeeze=False)
    ax = axes[0][0]
    for k, t in enumerate(targets):
        foreign = t.get("owner") and me.get("owner") and t["owner"] != me["owner"]
        colour = "tab:red" if foreign else "tab:blue"
        t0, t1, tc = (_when(t.get(x)) for x in ("start", "end", "closest"))
        if t0 is not None and t1 is not None:
            ax.plot([t0, t1], [k, k], lw=6, c=colour, solid_capstyle="butt")
        # a stop of hours in a history of years is thinner than a pixel: a dot marks it
        if tc is not None:
            ax.plot([tc], [k], "o", c=colour, mec="k", ms=6)
        at = t1 if t1 is not None else tc
        rng = t.get("min_range_km")
        if at is not None:
            ax.annotate(f"{rng:.1f} km" if isinstance(rng, (int, float)) else "? km", (at, k),
                        xytext=(4, 0), textcoords="offset points", va="center", fontsize=7)
    ax.set_yticks(range(len(targets)),
                  [f"{t.get('norad')} {t.get('name') or ''} ({t.get('owner') or '?'})"
                   for t in targets], fontsize=7)
    ax.set_ylim(-0.7, len(targets) - 0.3)
    ax.invert_yaxis()
    ax.set(xlabel="time (UTC)",
           title=f"{me.get('norad')} {me.get('name') or ''} ({me.get('owner') or '?'}): "
                 f"{len(targets)} targets in turn (red: foreign-owned; dot: nearest approach)")
    if track:
        lx = axes[1][0]
        dates = [np.datetime64(p["date"]) for p in track]
        # unwrapped, so that a track across 180 deg is not drawn across the panel
        lons = np.degrees(np.unwrap(np.radians([p["lon"] for p in track])))
        lx.plot(dates, lons, ".-", c="0.3", lw=0.7, ms=4, label="inspector longitude")
        stops = [(_when(t.get("closest")), t) for t in targets
                 if t.get("longitude_deg") is not None and _when(t.get("closest")) is not None]
        days = np.array(dates, dtype="datetime64[s]").astype(np.float64)
        for k, (tc, t) in enumerate(stops):
            # on the track's branch: the wrap nearest the track at that time
            here = np.interp(np.datetime64(tc, "s").astype(np.float64), days, lons)
            lon = t["longitude_deg"] + 360.0 * np.round((here - t["longitude_deg"]) / 360.0)
            lx.plot([tc], [lon], "o", mfc="none", c="tab:red", ms=7,
                    label="stop (inspector's longitude there)" if k == 0 else None)
            lx.annotate(str(t["norad"]), (tc, lon), xytext=(4, 4), textcoords="offset points",
                        fontsize=6)
        lx.set(ylabel="longitude (deg E)", xlabel="snapshot (UTC)")
        lx.legend(fontsize=7, loc="best")
    fig.autofmt_xdate()
    caption = (f"The stops of inspector {me.get('norad')} in turn: one bar per target from its "
               "first to its last time within range, a dot at the nearest approach, its range "
               "written at the bar's end; red where the target's owner differs from the "
               "inspector's" + ("; below, the inspector's longitude at each snapshot and at "
                                "each stop" if track else "") + ".")
    return fig, caption
