"""An object's element-set history with its detected manoeuvres marked (PNG file).

``orbwatch maneuvers --figures DIR`` writes one per object: semi-major axis (km,
two-body from the mean motion), eccentricity, inclination (deg) and, near GEO, the
sub-satellite longitude at each set's epoch (deg east), elsewhere the right
ascension of the ascending node (deg); every manoeuvre event of the object is a
vertical line coloured by its type, with its stated 1-sigma epoch band and its
delta-v (m/s) written above the first panel.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from orbwatch.elements.model import ElementSet
from orbwatch.events import Event
from orbwatch.time import datetime64

__all__ = ["maneuver_history_png", "TYPE_COLOURS"]

#: line colour of each manoeuvre type
TYPE_COLOURS = {"orbit_raising": "tab:red", "orbit_lowering": "tab:blue",
                "plane_change": "tab:green", "eccentricity_change": "tab:purple",
                "geo_ew_station_keeping": "tab:orange", "geo_ns_station_keeping": "tab:green",
                "geo_relocation": "tab:red"}


def _fourth_panel(sets: Sequence[ElementSet]) -> tuple[np.ndarray, str]:
    """GEO-like orbits (as the detector reads them): longitude (deg E) at each set's
    epoch; else the RAAN (deg)."""
    from orbwatch.detect.maneuver_features import is_geo_like

    if is_geo_like(float(np.median([s.mean_motion for s in sets]))):
        from orbwatch.detect.proximity import longitude_deg

        lon = np.array([longitude_deg(s, s.epoch_us) for s in sets])
        return np.degrees(np.unwrap(np.radians(lon))), "longitude (deg E, unwrapped)"
    raan = np.array([s.raan for s in sets])
    return np.degrees(np.unwrap(np.radians(raan))), "RAAN (deg, unwrapped)"


def maneuver_history_png(sets: Sequence[ElementSet], events: Sequence[Event],
                         path: str | Path, *, title: str | None = None) -> Path:
    """Draw one object's sets (any order) and its ``maneuver`` events to ``path``."""
    from orbwatch.report.figures import _plt, save_png

    sets = sorted(sets, key=lambda s: s.epoch_us)
    if len(sets) < 2:
        raise ValueError(f"need two or more element sets to draw a history, got {len(sets)}")
    norad = sets[0].norad
    t = datetime64(np.array([s.epoch_us for s in sets], dtype=np.int64))
    fourth, fourth_label = _fourth_panel(sets)
    panels = [(np.array([s.semi_major_axis_km for s in sets]), "semi-major axis (km)"),
              (np.array([s.eccentricity for s in sets]), "eccentricity"),
              (np.array([s.inclination for s in sets]), "inclination (deg)"),
              (fourth, fourth_label)]
    plt = _plt()
    fig, axes = plt.subplots(len(panels), 1, figsize=(9, 8), sharex=True)
    for ax, (y, label) in zip(axes, panels, strict=True):
        ax.plot(t, y, ".-", ms=3, lw=0.6, c="0.3")
        ax.set_ylabel(label, fontsize=8)
    mine = sorted((e for e in events if e.kind == "maneuver" and e.objects[0] == norad),
                  key=lambda e: e.epoch_us)
    seen: set[str] = set()
    for e in mine:
        kind = str(e.metrics.get("type"))
        colour = TYPE_COLOURS.get(kind, "k")
        sigma = e.uncertainty.get("epoch_s") or 0.0
        for ax in axes:
            ax.axvline(datetime64(e.epoch_us), c=colour, lw=0.9,
                       label=kind.replace("_", " ") if ax is axes[0] and kind not in seen
                       else None)
            if sigma > 0:
                ax.axvspan(datetime64(int(e.epoch_us - sigma * 1e6)),
                           datetime64(int(e.epoch_us + sigma * 1e6)), color=colour, alpha=0.1)
        seen.add(kind)
        axes[0].annotate(f"{e.metrics.get('delta_v_mps', float('nan')):.2g}",
                         (datetime64(e.epoch_us), 1.0), xycoords=("data", "axes fraction"),
                         fontsize=6, rotation=90, va="bottom", ha="center", color=colour)
    axes[0].set_title(title or f"{norad}: element sets and detected manoeuvres "
                      f"({len(mine)}; delta-v in m/s above)", fontsize=9, pad=22)
    if seen:
        axes[0].legend(fontsize=7, loc="lower left", ncol=min(len(seen), 4))
    axes[-1].set_xlabel("element-set epoch (UTC)")
    fig.autofmt_xdate()
    return save_png(fig, path)
