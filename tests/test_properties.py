"""Property tests on random arrays of every dtype and shape (hypothesis)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import actlab as al

ELEMENTWISE = [d for d in al.definitions() if d.elementwise]
VECTOR = [d for d in al.definitions() if not d.elementwise]
DTYPES = st.sampled_from([np.float16, np.float32, np.float64])


def arrays(dtype, min_dims=0, min_side=0):
    return hnp.arrays(
        dtype,
        hnp.array_shapes(min_dims=min_dims, max_dims=3, min_side=min_side, max_side=5),
        elements=st.floats(allow_nan=True, allow_infinity=True, width=np.dtype(dtype).itemsize * 8),
    )


@pytest.mark.parametrize("d", ELEMENTWISE, ids=[d.name for d in ELEMENTWISE])
@settings(max_examples=40, deadline=None)
@given(data=st.data(), dtype=DTYPES)
def test_elementwise_contract(d, data, dtype):
    x = data.draw(arrays(dtype))
    act = al.get(d)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = np.asarray(act(x))
        dy = np.asarray(act.derivative(x))
    assert y.shape == x.shape and y.dtype == dtype and dy.dtype == dtype
    assert np.array_equal(np.isnan(y), np.isnan(x)), "NaN exactly where the input is NaN"
    assert np.array_equal(np.isnan(dy), np.isnan(x))
    lo, hi = act.info.output_range
    finite = ~np.isnan(y)
    assert np.all((y[finite] >= lo) & (y[finite] <= hi))
    if act.info.monotonic:
        order = np.argsort(x[finite], kind="stable")
        ys = y[finite][order].astype(np.float64)
        assert np.all(ys[1:] >= ys[:-1])


@pytest.mark.parametrize("d", VECTOR, ids=[d.name for d in VECTOR])
@settings(max_examples=30, deadline=None)
@given(data=st.data(), dtype=DTYPES)
def test_vector_contract(d, data, dtype):
    x = data.draw(
        hnp.arrays(
            dtype,
            hnp.array_shapes(min_dims=1, max_dims=3, min_side=2, max_side=4).map(
                lambda s: s[:-1] + (2 * s[-1],)
            ),
            elements=st.floats(-1e3, 1e3, width=np.dtype(dtype).itemsize * 8),
        )
    )
    act = al.get(d)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = np.asarray(act(x))
    assert y.dtype == dtype and y.ndim == x.ndim and y.shape[:-1] == x.shape[:-1]
    assert np.all(np.isfinite(y)) or act.info.output_range[0] == -np.inf
    if act.info.output_range == (0.0, 1.0) and d.name != "maxout":
        np.testing.assert_allclose(y.astype(np.float64).sum(axis=-1), 1.0, rtol=2e-3)
