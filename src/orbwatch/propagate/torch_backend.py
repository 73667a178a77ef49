"""Optional batched SGP4 on PyTorch (``dsgp4``), for a GPU when one is present.

``pip install orbwatch[gpu]`` is not needed for anything else: orbwatch
installs, runs and passes its tests without PyTorch.  When ``torch`` and
``dsgp4`` import and ``torch.cuda.is_available()``, :func:`best_batch`
returns a :class:`TorchSatelliteBatch`, which has the same
``propagate(times_us) -> Ephemeris`` as the C++
:class:`~orbwatch.propagate.batch.SatelliteBatch`; otherwise it returns the
C++ batch.  Nothing here imports PyTorch until it is asked for.

The element sets reach dsgp4 as TLE lines (:func:`orbwatch.elements.tle.format_tle`),
the input dsgp4 initialises from, so both backends see the same elements
when the sets came from TLEs; times are measured from the TLE's own epoch
(``jdsatepoch + jdsatepochF``, as python-sgp4) in float64.  Checked
against the C++ SGP4 on the tcppver cases and on 2,046 objects of the real
2023-04-13 catalogue over a day (see the design notes).  dsgp4 reports no
SGP4 error codes: states inside the Earth or non-finite are marked decayed
(code 6); other C++ error codes (eccentricity out of range) are not seen.
``sticky_decay`` is accepted for the C++ batch's signature and not applied.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence

import numpy as np

from orbwatch.errors import OrbwatchError
from orbwatch.propagate.batch import Ephemeris, SatelliteBatch, as_times_us
from orbwatch.time import jd_fr

__all__ = ["BackendUnavailableError", "torch_available", "cuda_available",
           "TorchSatelliteBatch", "best_batch"]


_RE_KM = 6378.135  # WGS72 Earth radius


class BackendUnavailableError(OrbwatchError):
    """The PyTorch backend was asked for but torch or dsgp4 is not installed."""


def torch_available() -> bool:
    """Whether ``torch`` and ``dsgp4`` can be imported (without importing them)."""
    return all(importlib.util.find_spec(m) is not None for m in ("torch", "dsgp4"))


def cuda_available() -> bool:
    """Whether the PyTorch backend can run on a CUDA device here."""
    if not torch_available():
        return False
    import torch

    return bool(torch.cuda.is_available())


class TorchSatelliteBatch:
    """N objects propagated together by dsgp4 on ``device`` in float64."""

    def __init__(self, sets: Sequence, *, device: str | None = None) -> None:
        if not torch_available():
            raise BackendUnavailableError("the PyTorch backend needs 'torch' and 'dsgp4' "
                                          "(pip install torch dsgp4)")
        import dsgp4
        import torch

        from orbwatch.elements.tle import format_tle

        torch.set_default_dtype(torch.float64)
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        self.norad = np.array([s.norad for s in sets], dtype=np.int64)
        self.epoch_us = np.array([s.epoch_us for s in sets], dtype=np.int64)
        tles = [dsgp4.tle.TLE(list(format_tle(s))) for s in sets]
        self._jd = np.array([float(t._data["_jdsatepoch"]) for t in tles])
        self._fr = np.array([float(t._data["_jdsatepochF"]) for t in tles])
        _, self._batch = dsgp4.initialize_tle(tles, gravity_constant_name="wgs-72")
        self._move(torch)

    def _move(self, torch) -> None:
        if self.device == "cpu":
            return
        for k, v in vars(self._batch).items():
            if isinstance(v, torch.Tensor):
                setattr(self._batch, k, v.to(self.device))

    def __len__(self) -> int:
        return len(self.norad)

    def propagate(self, times_us, *, sticky_decay: bool = True) -> Ephemeris:
        """TEME states of every object at every time (NaN where SGP4 fails)."""
        import dsgp4
        import torch

        t_us = as_times_us(times_us)
        n, nt = len(self), len(t_us)
        pos = np.full((n, nt, 3), np.nan)
        vel = np.full((n, nt, 3), np.nan)
        err = np.zeros((n, nt), dtype=np.uint8)
        jd, fr = jd_fr(t_us)
        for k in range(nt):
            # minutes since each TLE epoch, integer and fractional days apart
            tsince = ((jd[k] - self._jd) + (fr[k] - self._fr)) * 1440.0
            ts = torch.as_tensor(tsince, device=self.device)
            state = dsgp4.propagate_batch(self._batch, ts, initialized=True)
            s = state.detach().to("cpu").numpy().reshape(n, 2, 3)
            # dsgp4 flags no SGP4 error codes: a non-finite state or one inside the
            # Earth (a decayed object, C++ code 6) is marked decayed here
            rr = np.einsum("nk,nk->n", s[:, 0], s[:, 0])
            bad = ~np.isfinite(s).all(axis=(1, 2)) | ~(rr >= _RE_KM * _RE_KM)
            pos[:, k], vel[:, k] = s[:, 0], s[:, 1]
            pos[bad, k] = np.nan
            vel[bad, k] = np.nan
            err[bad, k] = 6
        return Ephemeris(self.norad.copy(), t_us, pos, vel, err)


def best_batch(sets: Sequence, *, backend: str = "auto"):
    """A propagation batch: PyTorch on CUDA when present (``auto``), else C++.

    ``backend``: ``auto``, ``cpu`` (C++ SGP4) or ``torch`` (dsgp4, on CUDA
    if present, else on the CPU).
    """
    if backend not in ("auto", "cpu", "torch"):
        raise ValueError(f"backend: expected auto, cpu or torch, found {backend!r}")
    if backend == "torch" or (backend == "auto" and cuda_available()):
        return TorchSatelliteBatch(sets)
    return SatelliteBatch.from_element_sets(sets)
