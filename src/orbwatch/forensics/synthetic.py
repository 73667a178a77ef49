"""Synthetic truth for the forensics detectors: releases and breakups of a real
object at a known epoch, with element sets at any later age.

A fragment's set is fitted to the parent's SGP4 state plus an impulse
(:func:`orbwatch.forensics.orbit.fit_element_set`); an older-looking set is
the fragment propagated with SGP4 to the new epoch and fitted again
(:func:`reepoch`), then written as TLE text and read back
(:func:`tle_roundtrip`) so that TLE quantisation is part of the truth.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from orbwatch.elements.model import ElementSet
from orbwatch.elements.tle import format_tle, read_tle
from orbwatch.forensics.orbit import fit_element_set, rtn_basis, sgp4_states

__all__ = ["fragment", "reepoch", "tle_roundtrip", "parent_state"]


def parent_state(parent: ElementSet, epoch_us: int):
    """SGP4 TEME position and velocity (3,) of ``parent`` at ``epoch_us``."""
    r, v = sgp4_states([parent], [epoch_us])
    return r[0, 0], v[0, 0]


def fragment(parent: ElementSet, epoch_us: int, dv_rtn_kms, *, first_norad: int = 90000,
             intldes: str | None = None) -> list[ElementSet]:
    """One element set per impulse: ``dv_rtn_kms`` (K, 3) in the parent's RTN
    frame (km/s) applied at ``epoch_us``; sets at ``epoch_us``."""
    r, v = parent_state(parent, epoch_us)
    dv = np.atleast_2d(np.asarray(dv_rtn_kms, float)) @ rtn_basis(r, v)
    k = len(dv)
    template = dataclasses.replace(parent, intldes=intldes or parent.intldes,
                                   name=f"{parent.name or parent.norad} DEB",
                                   mean_motion_dot=0.0, mean_motion_ddot=0.0)
    return fit_element_set(np.repeat(r[None], k, 0), v[None] + dv, epoch_us, template,
                           norads=range(first_norad, first_norad + k))


def reepoch(sets, epoch_us: int) -> list[ElementSet]:
    """The same objects' sets at ``epoch_us``: SGP4 states there, refitted."""
    sets = list(sets)
    r, v = sgp4_states(sets, [epoch_us])
    out = []
    for s, rr, vv in zip(sets, r[:, 0], v[:, 0], strict=True):
        out.extend(fit_element_set(rr[None], vv[None], epoch_us, s, norads=[s.norad]))
    return out


def tle_roundtrip(sets) -> list[ElementSet]:
    """Write the sets as TLE text and read them back (TLE precision)."""
    lines = []
    for s in sets:
        l1, l2 = format_tle(s)
        lines += [s.name or f"OBJ {s.norad}", l1, l2]
    res = read_tle("\n".join(lines), future_tolerance_days=None)
    if res.errors:
        raise ValueError(f"synthetic TLE did not read back: {res.errors[0]}")
    return res.sets
