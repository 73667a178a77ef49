"""What a detection states about itself: the confidence logistic (its fit recovers
known parameters; its inverse) and the coverage of the stated epoch uncertainty."""

from __future__ import annotations

import numpy as np
import pytest

from orbwatch.detect.maneuver_types import (
    CONFIDENCE_CAP_LOG,
    confidence,
    fit_confidence,
    log_ratio,
)


def test_fit_recovers_a_planted_logistic():
    rng = np.random.default_rng(3)
    x = rng.uniform(0.0, 3.0, 20_000)
    p = 1.0 / (1.0 + np.exp(-(-0.4 + 1.3 * np.minimum(x, 2.0))))
    bias, slope = fit_confidence(x, rng.uniform(size=x.size) < p, cap=2.0)
    assert bias == pytest.approx(-0.4, abs=0.08)
    assert slope == pytest.approx(1.3, abs=0.08)


def test_fit_needs_both_outcomes():
    with pytest.raises(ValueError, match="matched and unmatched"):
        fit_confidence([0.1, 0.5, 1.0], [True, True, True])


def test_log_ratio_inverts_confidence_up_to_the_cap():
    x = np.array([0.0, 0.3, 1.1, CONFIDENCE_CAP_LOG - 0.01])
    c = [confidence(float(np.exp(v)) * 8.0, 8.0) for v in x]
    assert log_ratio(c) == pytest.approx(x, abs=1e-9)
    assert log_ratio([confidence(1e6, 8.0)])[0] == pytest.approx(CONFIDENCE_CAP_LOG)
    # a larger score never lowers the confidence
    assert np.all(np.diff([confidence(s, 8.0) for s in np.geomspace(1.0, 1e4, 50)]) >= 0)


def test_epoch_coverage_counts_sigmas_and_rejects_ragged_input():
    from orbwatch.detect.maneuver_scoring import epoch_coverage

    got = epoch_coverage([0.0, 150.0, 250.0, 350.0, 10.0], [100.0] * 4 + [float("nan")],
                         [True, True, False, False, True])
    assert got["n"] == 4  # the detection without a sigma is not scored
    assert (got["within_1"], got["within_2"], got["within_3"]) == (0.25, 0.5, 0.75)
    assert got["bracketed"] == 0.5
    with pytest.raises(ValueError, match="one error, sigma and bracket flag"):
        epoch_coverage([1.0, 2.0], [1.0], [True, True])
