"""Figures of a simulated debris cloud's evolution (matplotlib, Agg): PNG files."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from orbwatch.debris.lifetime import Evolution
from orbwatch.time import format_iso

__all__ = ["gabbard_png", "count_png", "altitude_histogram_png", "write_figures"]


def _figure():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _record(evolution: Evolution, years: float) -> int:
    t = evolution.times_us[0] + years * 365.25 * 86_400e6
    return int(np.clip(np.searchsorted(evolution.times_us, t), 0, len(evolution.times_us) - 1))


def _save(plt, fig, path) -> Path:
    path = Path(path)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def gabbard_png(evolution: Evolution, path, *, years: float = 0.0, title: str = "") -> Path:
    """Apogee and perigee height against period, at ``years`` after the start."""
    plt = _figure()
    k = _record(evolution, years)
    alive = evolution.alive[k]
    p = evolution.period_min[k, alive]
    fig, ax = plt.subplots(figsize=(7, 5))
    ax.scatter(p, evolution.apogee_alt[k, alive], s=4, c="tab:red", label="apogee")
    ax.scatter(p, evolution.perigee_alt[k, alive], s=4, c="tab:blue", label="perigee")
    ax.set_xlabel("period (min)")
    ax.set_ylabel("height (km)")
    ax.set_title(f"{title} Gabbard diagram {format_iso(int(evolution.times_us[k]))[:10]} "
                 f"({int(alive.sum())} objects)".strip())
    ax.legend()
    return _save(plt, fig, path)


def count_png(evolution: Evolution, path, *, title: str = "") -> Path:
    """Objects in orbit against time."""
    plt = _figure()
    years = (evolution.times_us - evolution.times_us[0]) / (365.25 * 86_400e6)
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.plot(years, evolution.count, c="k")
    ax.set_xlabel("years after the event")
    ax.set_ylabel("objects in orbit")
    ax.set_ylim(bottom=0)
    ax.set_title(f"{title} fragments in orbit (space weather: {evolution.space_weather})".strip())
    return _save(plt, fig, path)


def altitude_histogram_png(evolution: Evolution, path, *, years=(0.0, 1.0, 5.0),
                           title: str = "") -> Path:
    """Histogram of mean altitude (a - R) at the chosen times."""
    plt = _figure()
    fig, ax = plt.subplots(figsize=(7, 4))
    bins = np.arange(100.0, 2100.0, 20.0)
    for y in years:
        k = _record(evolution, y)
        alt = evolution.a[k, evolution.alive[k]] - 6378.137
        ax.hist(alt, bins=bins, histtype="step", label=f"{y:g} yr ({alt.size})")
    ax.set_xlabel("mean altitude (km)")
    ax.set_ylabel("objects per 20 km")
    ax.set_title(f"{title} altitude distribution".strip())
    ax.legend()
    return _save(plt, fig, path)


def write_figures(evolution: Evolution, folder, *, prefix: str = "",
                  title: str = "") -> list[Path]:
    """The three figures into ``folder`` (created); returns their paths."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    span = (evolution.times_us[-1] - evolution.times_us[0]) / (365.25 * 86_400e6)
    years = tuple(y for y in (0.0, 1.0, 5.0, 25.0) if y <= span + 1e-9)
    return [gabbard_png(evolution, out / f"{prefix}gabbard.png", title=title),
            count_png(evolution, out / f"{prefix}count.png", title=title),
            altitude_histogram_png(evolution, out / f"{prefix}altitude_histogram.png",
                                   years=years, title=title)]
