"""Figures of a report as PNG data URIs (matplotlib, Agg backend).

Each figure function returns a :class:`Figure`: the image (``uri`` is a
``data:image/png;base64,...`` string, so pages need no other file) and a
caption, or no image and a note saying why (no store, no element sets).
Figures need the element-set store; the events alone carry no orbits.
"""

from __future__ import annotations

import base64
import io
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from orbwatch.events import Event
from orbwatch.time import datetime64

__all__ = ["Figure", "png_uri", "save_png", "figure_for", "range_figure", "elements_figure",
           "gabbard_figure", "inspection_figure", "whatif_figure", "timeline_figure",
           "FIGURE_KINDS", "WHATIF_YEARS"]

#: which figure each event kind gets
FIGURE_KINDS = {"proximity": "range", "conjunction": "range", "release": "range",
                "maneuver": "elements", "breakup": "gabbard", "inspection": "stops"}
#: span of the debris what-if curves (years after a breakup)
WHATIF_YEARS = 25.0
_DAY_US = 86_400_000_000


@dataclass(frozen=True)
class Figure:
    """``kind`` (range, elements, gabbard, stops, timeline), ``uri`` (None when
    not drawn) and ``caption`` (what it shows, or why it is missing)."""

    kind: str
    uri: str | None
    caption: str

    def to_dict(self) -> dict:
        return {"kind": self.kind, "drawn": self.uri is not None, "caption": self.caption}


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def png_uri(fig) -> str:
    """A matplotlib figure as a base64 PNG data URI (the figure is closed)."""
    plt = _plt()
    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png", dpi=100)
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def save_png(fig, path: str | Path, *, dpi: int = 110) -> Path:
    """Write a matplotlib figure to a PNG file (laid out, then closed)."""
    out = Path(path)
    fig.tight_layout()
    fig.savefig(out, format="png", dpi=dpi)
    _plt().close(fig)
    return out


def _file_uri(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(Path(path).read_bytes()).decode("ascii")


def range_figure(store, e: Event) -> Figure:
    """Distance between the event's first two objects against time, each
    propagated (SGP4) with its stored set nearest in epoch
    (:func:`orbwatch.report.pairs.plot_range`)."""
    from orbwatch.report.pairs import plot_range

    if store is None or len(e.objects) < 2:
        why = "no element-set store given" if store is None else "the event has one object"
        return Figure("range", None, f"Range against time not drawn: {why}.")
    a, b = e.objects[:2]
    sets = store.element_sets([a, b])
    missing = {a, b} - {s.norad for s in sets}
    if missing:
        return Figure("range", None, "Range against time not drawn: no stored element sets "
                                     f"for {', '.join(map(str, sorted(missing)))}.")
    fig, caption = plot_range(sets, e)
    return Figure("range", png_uri(fig), caption)


def elements_figure(store, e: Event, *, days: float = 10.0) -> Figure:
    """Semi-major axis and inclination of the manoeuvring object's stored
    sets within ``days`` of the event, the manoeuvre epoch marked."""
    if store is None:
        return Figure("elements", None, "Element history not drawn: no element-set store "
                                        "given.")
    norad = e.objects[0]
    pad = int(days * _DAY_US)
    sets = store.history(norad, start_us=e.epoch_us - pad, stop_us=e.epoch_us + pad)
    if len(sets) < 2:
        return Figure("elements", None, f"Element history not drawn: {len(sets)} stored "
                                        f"set(s) of {norad} within {days:g} days.")
    plt = _plt()
    t = datetime64(np.array([s.epoch_us for s in sets], dtype=np.int64))
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(8, 5), sharex=True)
    ax1.plot(t, [s.semi_major_axis_km for s in sets], ".-", ms=4, lw=0.7)
    ax2.plot(t, [s.inclination for s in sets], ".-", ms=4, lw=0.7, c="tab:green")
    sigma = e.uncertainty.get("epoch_s")
    for ax in (ax1, ax2):
        ax.axvline(datetime64(e.epoch_us), c="tab:red", lw=1.0, label="manoeuvre epoch")
        if isinstance(sigma, (int, float)) and sigma > 0:
            ax.axvspan(datetime64(int(e.epoch_us - sigma * 1e6)),
                       datetime64(int(e.epoch_us + sigma * 1e6)), color="tab:red", alpha=0.12)
    ax1.set(ylabel="semi-major axis (km)", title=f"{norad}: element history")
    ax2.set(ylabel="inclination (deg)", xlabel="element-set epoch (UTC)")
    ax1.legend(fontsize=7)
    fig.autofmt_xdate()
    return Figure("elements", png_uri(fig),
                  f"Semi-major axis (two-body from mean motion) and inclination of every stored "
                  f"element set of {norad} within {days:g} days of the event ({len(sets)} sets); "
                  "the red line is the estimated manoeuvre epoch, the band its uncertainty.")


def gabbard_figure(store, e: Event) -> Figure:
    """Gabbard diagram of the fragments' first sets after the event, with
    the parent's last set before it."""
    from orbwatch.forensics.figures import gabbard_png

    if store is None:
        return Figure("gabbard", None, "Gabbard diagram not drawn: no element-set store given.")
    parent_id, fragments = e.objects[0], list(e.objects[1:])
    first: dict[int, object] = {}
    for s in store.element_sets(fragments):
        if s.epoch_us >= e.epoch_us and s.norad not in first:
            first[s.norad] = s
    if not first:
        return Figure("gabbard", None, "Gabbard diagram not drawn: no stored fragment sets "
                                       "after the event.")
    before = [s for s in store.history(parent_id, stop_us=e.epoch_us)]
    parent = before[-1] if before else None
    with tempfile.TemporaryDirectory() as tmp:
        path = gabbard_png(list(first.values()), Path(tmp) / "gabbard.png", parent=parent,
                           title=f"Gabbard diagram: breakup of {parent_id}")
        uri = _file_uri(path)
    return Figure("gabbard", uri,
                  f"Apogee (red) and perigee (blue) altitude against period of the first stored "
                  f"set after the event of {len(first)} of {len(fragments)} fragments; the "
                  f"cross is the parent's last set before it"
                  f"{'' if parent else ' (none stored)'}.")


def whatif_figure(store, e: Event, *, years: float = WHATIF_YEARS) -> Figure:
    """Debris what-if curves of a breakup: the catalogued fragments (first
    stored set after the event, A/m from B*, the cloud's median where B* is
    unusable) evolved by the lifetime model, against the one intact object
    had it not been destroyed."""
    from orbwatch.debris.ballistic import am_from_bstar
    from orbwatch.debris.lifetime import evolve
    from orbwatch.debris.whatif import orbit_arrays

    if store is None:
        return Figure("whatif", None, "What-if curves not drawn: no element-set store given.")
    first: dict[int, object] = {}
    for s in store.element_sets(list(e.objects[1:])):
        if s.epoch_us >= e.epoch_us and s.norad not in first:
            first[s.norad] = s
    sets = list(first.values())
    if len(sets) < 3:
        return Figure("whatif", None, "What-if curves not drawn: fewer than 3 stored "
                                      "fragment sets after the event.")
    am = am_from_bstar(sets)
    fill = float(np.nanmedian(am)) if np.isfinite(am).any() else 0.01
    am = np.where(np.isfinite(am) & (am > 0), am, fill)
    ev = evolve(*orbit_arrays(sets), am, e.epoch_us, years, step_days=5.0)
    t = (ev.times_us - ev.times_us[0]) / (365.25 * _DAY_US)
    before = store.history(e.objects[0], stop_us=e.epoch_us)
    intact, how = np.ones_like(t), "assumed to stay in orbit: no set of it before the event"
    if before:
        p_am = am_from_bstar(before[-1:])
        p_am = p_am if np.isfinite(p_am).all() and (p_am > 0).all() else np.array([0.01])
        intact = evolve(*orbit_arrays(before[-1:]), p_am, e.epoch_us, years, step_days=5.0).count
        how = "its last set before the event, evolved the same way"
    plt = _plt()
    fig, ax = plt.subplots(figsize=(8, 3.6))
    ax.plot(t, ev.count, c="tab:red", label=f"destroyed: {len(sets)} catalogued fragments")
    ax.plot(t, intact, c="0.3", ls="--", label="not destroyed: the intact object")
    ax.set(xlabel="years after the event", ylabel="objects in orbit", yscale="log",
           title=f"What if: breakup of {e.objects[0]} or no breakup")
    ax.legend(fontsize=8)
    left = int(ev.count[-1])
    return Figure("whatif", png_uri(fig),
                  f"Catalogued fragments still in orbit against time ({left} of {len(sets)} "
                  f"after {years:g} years; lifetime model of orbwatch.debris with A/m from "
                  f"each fragment's B*, space weather: {ev.space_weather}) against the single "
                  f"object a non-destructive test leaves ({how}).  Fragments too small to "
                  "catalogue are not counted.")


def figure_for(store, e: Event) -> Figure | None:
    """The figure an event's page shows (None for kinds without one)."""
    kind = FIGURE_KINDS.get(e.kind)
    if kind == "range":
        return range_figure(store, e)
    if kind == "elements":
        return elements_figure(store, e)
    if kind == "gabbard":
        return gabbard_figure(store, e)
    if kind == "stops":
        return inspection_figure(e)
    return None


def inspection_figure(e: Event) -> Figure:
    """An inspection's stops in turn (its own evidence; no store needed)."""
    from orbwatch.report.pairs import plot_inspection

    if not e.evidence.get("targets"):
        return Figure("stops", None, "Stops not drawn: the event lists no targets.")
    fig, caption = plot_inspection(e)
    return Figure("stops", png_uri(fig), caption)


def timeline_figure(findings: list[dict], *, title: str = "findings per state") -> Figure:
    """Each finding at its epoch on its responsible states' rows; breaches
    filled, undetermined findings hollow."""
    rows = sorted({p for f in findings for p in f.get("parties", [])})
    if not rows:
        return Figure("timeline", None, "No findings: no timeline.")
    plt = _plt()
    fig, ax = plt.subplots(figsize=(8, 0.6 * len(rows) + 1.6))
    for verdict, dy, style in (("breach", 0.12, dict(c="tab:red", marker="o")),
                               ("undetermined", -0.12, dict(facecolors="none",
                                                            edgecolors="0.4", marker="o"))):
        xs, ys = [], []
        for f in findings:
            if f.get("verdict", "breach") == verdict and f.get("epoch"):
                for p in f.get("parties", []):
                    xs.append(np.datetime64(f["epoch"].rstrip("Z")))
                    ys.append(rows.index(p) + dy)
        if xs:
            ax.scatter(xs, ys, s=40, label=f"{verdict} ({len(xs)})", **style)
    ax.set_yticks(range(len(rows)), rows)
    ax.set_ylim(-0.7, len(rows) - 0.3)
    ax.set(xlabel="time (UTC)", title=title)
    ax.legend(fontsize=7, loc="upper left")
    fig.autofmt_xdate()
    return Figure("timeline", png_uri(fig),
                  "Findings against time, one row per state answering for them; filled: "
                  "breach, hollow: undetermined.")
