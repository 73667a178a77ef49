"""Figures of a breakup (matplotlib, Agg backend): Gabbard diagram and the
spread used to date the event."""

from __future__ import annotations

from pathlib import Path

import numpy as np

__all__ = ["gabbard_png", "spread_png"]


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def gabbard_png(sets, path, *, parent=None, title: str = "Gabbard diagram") -> Path:
    """Apogee and perigee altitude (km) against period (min) of every set."""
    plt = _plt()
    period = np.array([1440.0 / s.mean_motion for s in sets])
    fig, ax = plt.subplots(figsize=(7, 5))
    ax.scatter(period, [s.apogee_km for s in sets], s=4, c="tab:red", label="apogee")
    ax.scatter(period, [s.perigee_km for s in sets], s=4, c="tab:blue", label="perigee")
    if parent is not None:
        ax.scatter([1440.0 / parent.mean_motion] * 2, [parent.apogee_km, parent.perigee_km],
                   marker="x", s=60, c="k", label=f"parent {parent.norad}")
    ax.set(xlabel="period (min)", ylabel="altitude (km)", title=title)
    ax.legend()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return Path(path)


def spread_png(result, path) -> Path:
    """The spread the epoch was read from, against days from the estimate."""
    plt = _plt()
    x = (np.asarray(result.curve_t_us, float) - result.epoch_us) / 86_400e6
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.plot(x, result.curve, lw=1)
    ax.axvline(0, c="k", ls="--", lw=0.8)
    ax.axvspan(-result.sigma_s / 86400, result.sigma_s / 86400, color="0.85")
    label = ("cloud size, median distance to median (km)" if result.curve_unit == "km"
             else "plane spread (deg)")
    ax.set(xlabel="days from the estimated epoch", ylabel=label,
           title=f"breakup dating ({result.method})")
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return Path(path)
