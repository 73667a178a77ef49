"""The detectors and the judge over a :class:`~orbwatch.api.catalog.Catalog`.

Each function is the library form of one ``orbwatch`` command and returns
what the command prints: :class:`~orbwatch.events.Event` lists (turn them
into a table with :func:`~orbwatch.api.frames.events_frame`) or the typed
result of the stage (:class:`~orbwatch.forensics.OriginResult`,
:class:`~orbwatch.forensics.BreakupResult`, :class:`~orbwatch.norms.Finding`).
Times: ISO text, ``datetime`` (UTC), ``numpy.datetime64`` or int microseconds.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from orbwatch.api.catalog import Catalog, as_us
from orbwatch.errors import UserError
from orbwatch.events import Event

__all__ = ["conjunctions", "maneuvers", "proximity", "origin", "breakup", "judge"]

_DAY_US = 86_400_000_000


def _window(start, days: float) -> tuple[int, int]:
    if days <= 0:
        raise UserError(f"days must be positive, got {days}")
    start_us = as_us(start)
    return start_us, start_us + int(round(days * _DAY_US))


def conjunctions(catalog: Catalog, start, days: float = 1.0, *, threshold_km: float = 5.0,
                 primaries: Sequence[int] | None = None, workers: int | None = 1,
                 max_age_days: float = 14.0) -> list[Event]:
    """Close approaches under ``threshold_km`` (``conjunction`` events with TCA,
    miss distance km, relative speed km/s, RTN miss km and Pc) and pairs that
    stay close (``proximity`` events), all against all or ``primaries`` against
    all.  Each object is propagated from its set nearest the window's middle."""
    from orbwatch.screen import assess, screen

    start_us, stop_us = _window(start, days)
    sets = catalog.at((start_us + stop_us) // 2)
    result = screen(sets, start_us, stop_us, threshold_km=threshold_km,
                    primaries=primaries, workers=workers)
    return assess(result, sets, threshold_km=threshold_km, objects=catalog.objects,
                  max_age_days=max_age_days).events


def maneuvers(catalog: Catalog, norads: Iterable[int] | None = None, *, since=None,
              threshold: float | None = None) -> list[Event]:
    """``maneuver`` events of the objects' element-set histories (all objects
    when ``norads`` is None): epoch with bracket and sigma, delta-v RTN (m/s),
    type and confidence.  ``since`` keeps later ones (the whole history is context)."""
    from orbwatch.detect.maneuvers import DEFAULT_THRESHOLD, maneuver_events

    since_us = None if since is None else as_us(since)
    out: list[Event] = []
    for n in (catalog.norads if norads is None else norads):
        found = maneuver_events(catalog.history(n),
                                threshold=DEFAULT_THRESHOLD if threshold is None else threshold)
        out.extend(e for e in found if since_us is None or e.epoch_us >= since_us)
    return out


def proximity(catalog: Catalog, start, days: float = 1.0, *,
              regimes: Sequence[str] = ("leo", "meo", "heo", "geo"),
              thresholds_km: dict[str, float] | None = None) -> list[Event]:
    """Pairs that stay close or approach repeatedly at low relative speed
    (``proximity`` events with owners, minimum range, coplanarity, drift and
    the manoeuvre that created the situation), labelled (docked, same-owner
    cluster, formation) rather than dropped."""
    from orbwatch.detect.proximity import detect_proximity

    start_us, stop_us = _window(start, days)
    return detect_proximity(catalog.sets, start_us, stop_us, regimes=regimes,
                            thresholds_km=thresholds_km, objects=catalog.objects).events


def origin(catalog: Catalog, norad: int, *, candidates: Sequence[int] | None = None,
           search_days: float = 30.0):
    """Where a new object came from: ranked parents, separation epoch with its
    uncertainty, place and delta-v (:class:`~orbwatch.forensics.OriginResult`)."""
    from orbwatch.forensics import find_origin

    return find_origin(catalog.history(norad), catalog.sets, candidates=candidates,
                       search_days=search_days)


def breakup(catalog: Catalog, *, intdes: str | None = None,
            norads: Iterable[int] | None = None, parent: int | None = None):
    """When, where and how a breakup happened, from its fragments (the pieces
    of launch ``intdes``, or ``norads``): :class:`~orbwatch.forensics.BreakupResult`."""
    from orbwatch.forensics.breakup import estimate_breakup, select_cloud

    frags, par = select_cloud(catalog.sets, intdes=intdes, norads=norads, parent=parent)
    return estimate_breakup(frags, parent=par)


def judge(events: Iterable[Event], catalog: Catalog | None = None, *, code=None,
          notifications=None) -> list:
    """Findings of a code of conduct (default: the shipped one; or a
    :class:`~orbwatch.norms.Code`, or the path of a TOML/YAML code) over
    ``events``, attributed through the catalogue's owners.  ``notifications``:
    a list of :class:`~orbwatch.norms.Notification` or the path of a notifications file."""
    from orbwatch import norms

    if code is not None and not isinstance(code, norms.Code):
        code = norms.load_code(code)
    if notifications is not None and not isinstance(notifications, list | tuple):
        notifications = norms.load_notifications(notifications)
    objects = catalog.objects if catalog is not None else {}
    return norms.judge(list(events), objects, code, notifications)
