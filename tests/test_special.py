"""actlab.core.special.erfc against mpmath, and its coefficients against their derivation."""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import mpmath
import numpy as np
import pytest

from actlab.core import special

TOOLS = Path(__file__).resolve().parent.parent / "tools" / "fit_erfc.py"


def test_the_coefficients_are_the_chebyshev_interpolants_of_the_derivation():
    spec = importlib.util.spec_from_file_location("fit_erfc", TOOLS)
    fit = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fit)
    r, k = fit.coefficients()
    assert special._R == pytest.approx(r, rel=1e-15, abs=1e-30)
    assert special._K == pytest.approx(k, rel=1e-15, abs=1e-30)


def test_erfc_is_within_its_bound_of_mpmath_over_the_whole_range():
    rng = np.random.default_rng(0)
    x = np.concatenate(
        [
            np.linspace(-6.5, 27.3, 6001),
            rng.uniform(0.0, 3.0, 3000),
            -np.geomspace(1e-300, 6, 300),
            np.geomspace(1e-300, 27, 300),
            [1.0, np.nextafter(1.0, 0.0), np.nextafter(1.0, 2.0), -1.0, 0.0, -0.0],
        ]
    )
    got = special.erfc(x)
    with mpmath.workdps(40):
        want = np.array([float(mpmath.erfc(mpmath.mpf(float(v)))) for v in x])
    normal = want >= np.finfo(np.float64).smallest_normal
    ulps = np.abs(got[normal] - want[normal]) / np.spacing(want[normal])
    assert ulps.max() <= special.ULP_BOUND, f"{ulps.max():.2f} ulp at x = {x[normal][np.argmax(ulps)]}"
    tiny = ~normal  # the subnormal tail: within a few of its (absolute) steps
    assert np.all(np.abs(got[tiny] - want[tiny]) <= 8 * math.ulp(0.0))


def test_special_values_and_shapes():
    y = special.erfc(np.array([np.nan, np.inf, -np.inf, 30.0, -30.0, 0.0]))
    assert np.isnan(y[0]) and list(y[1:]) == [0.0, 2.0, 0.0, 2.0, 1.0]
    assert special.erfc(np.zeros((2, 3))).shape == (2, 3)
    assert isinstance(special.erfc(0.5), float) and special.erfc(0.5) == pytest.approx(
        math.erfc(0.5), rel=1e-15
    )
    with np.errstate(all="raise"):  # no floating-point warning anywhere in the range
        special.erfc(np.linspace(-40, 40, 1001))
