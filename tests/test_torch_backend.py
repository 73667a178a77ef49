"""Optional PyTorch SGP4 backend (dsgp4).

Without torch and dsgp4 (the default install: PyTorch is several GB and
never a dependency) the backend reports itself unavailable and
``best_batch`` gives the C++ batch; the accuracy test then skips.  With
them, positions must match the C++ SGP4 within 1 m (float64) on the
tcppver cases.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from orbwatch.elements.tle import read_tle
from orbwatch.propagate import SatelliteBatch
from orbwatch.propagate.torch_backend import (
    BackendUnavailableError,
    TorchSatelliteBatch,
    best_batch,
    cuda_available,
    torch_available,
)

HAVE_TORCH = torch_available()


def test_importing_does_not_import_torch():
    code = ("import sys, orbwatch.propagate.torch_backend as t; t.torch_available(); "
            "print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "False"


def test_auto_picks_cpu_without_cuda(shared_data):
    sets = read_tle((shared_data / "sgp4_verification/SGP4-VER.TLE").read_text()).sets[:3]
    batch = best_batch(sets)
    assert isinstance(batch, SatelliteBatch) is (not cuda_available())
    assert isinstance(best_batch(sets, backend="cpu"), SatelliteBatch)
    with pytest.raises(ValueError, match="auto, cpu or torch"):
        best_batch(sets, backend="gpu")


@pytest.mark.skipif(HAVE_TORCH, reason="torch and dsgp4 are installed here")
def test_unavailable_is_a_named_error(shared_data):
    sets = read_tle((shared_data / "sgp4_verification/SGP4-VER.TLE").read_text()).sets[:1]
    with pytest.raises(BackendUnavailableError, match="pip install torch dsgp4"):
        TorchSatelliteBatch(sets)


@pytest.mark.skipif(not HAVE_TORCH, reason="optional backend: torch and dsgp4 not installed "
                                           "(PyTorch is several GB, never a default dependency)")
def test_matches_cpp_sgp4_on_tcppver_cases(shared_data):
    sets = read_tle((shared_data / "sgp4_verification/SGP4-VER.TLE").read_text()).sets
    worst = 0.0
    compared = 0
    for s in sets:
        times = s.epoch_us + np.array([0, 360, 720, 1440]) * 60_000_000
        ref = SatelliteBatch.from_element_sets([s]).propagate(times)
        got = TorchSatelliteBatch([s], device="cpu").propagate(times)
        ok = ref.ok & np.isfinite(got.position).all(axis=-1)
        if ok.any():
            d = np.linalg.norm(got.position[ok] - ref.position[ok], axis=-1)
            worst = max(worst, float(d.max()))
            compared += int(ok.sum())
    assert compared > 100
    assert worst < 1e-3  # km
