"""Conformance against PyTorch's own test data: the OpInfo samples of every torch activation
with an actlab counterpart, through actlab's NumPy function and its ``actlab.torch`` module,
compared with torch's output within the OpInfo's tolerance.

The samples, the references and the tolerances come from the torch wheel
(``torch.testing._internal.common_methods_invocations.op_db``), so the suite keeps checking
PyTorch's cases, not only ours. ``sample_inputs`` gives the ordinary cases and
``reference_inputs`` (where an op has them) adds the extremal values: ±inf, NaN, huge and tiny.
"""

from __future__ import annotations

import collections
import math

import numpy as np
import pytest

import actlab as al

pytestmark = pytest.mark.usefixtures("torch_one_thread")

torch = pytest.importorskip("torch")
at = pytest.importorskip("actlab.torch")
pytest.importorskip("expecttest")  # torch.testing._internal needs it
cmi = pytest.importorskip("torch.testing._internal.common_methods_invocations")
from torch.testing._internal.opinfo.core import DecorateInfo  # noqa: E402


def _dim(args, kwargs):
    return {"axis": kwargs.get("dim", args[0] if args else -1)}


# torch's op name → actlab's name and its parameters from the sample's (args, kwargs): the
# framework's own defaults are written out where actlab's differ (leaky ReLU's 0.01 is ours too).
OPS = {
    "nn.functional.relu": ("relu", lambda a, k: {}),
    "sigmoid": ("sigmoid", lambda a, k: {}),
    "tanh": ("tanh", lambda a, k: {}),
    "nn.functional.gelu": ("gelu", lambda a, k: {"approximate": k.get("approximate", "none")}),
    "nn.functional.silu": ("silu", lambda a, k: {}),
    "nn.functional.mish": ("mish", lambda a, k: {}),
    "nn.functional.elu": ("elu", lambda a, k: {"alpha": k.get("alpha", a[0] if a else 1.0)}),
    "nn.functional.selu": ("selu", lambda a, k: {}),
    "nn.functional.celu": ("celu", lambda a, k: {"alpha": k.get("alpha", a[0] if a else 1.0)}),
    "nn.functional.softplus": ("softplus", lambda a, k: {"beta": float(k.get("beta", 1.0))}),
    "nn.functional.hardtanh": (
        "hardtanh",
        lambda a, k: {"min_val": float(k.get("min_val", -1.0)), "max_val": float(k.get("max_val", 1.0))},
    ),
    "nn.functional.hardswish": ("hardswish", lambda a, k: {}),
    "nn.functional.hardsigmoid": ("hardsigmoid", lambda a, k: {}),
    "nn.functional.leaky_relu": ("leaky_relu", lambda a, k: {"alpha": k.get("negative_slope", 0.01)}),
    "nn.functional.logsigmoid": ("logsigmoid", lambda a, k: {}),
    "nn.functional.softsign": ("softsign", lambda a, k: {}),
    "nn.functional.tanhshrink": ("tanhshrink", lambda a, k: {}),
    "nn.functional.hardshrink": ("hardshrink", lambda a, k: {"lambd": float(k.get("lambd", 0.5))}),
    "nn.functional.softshrink": ("softshrink", lambda a, k: {"lambd": float(k.get("lambd", 0.5))}),
    "nn.functional.relu6": ("relu6", lambda a, k: {}),
    "nn.functional.threshold": (
        "threshold",
        lambda a, k: {
            "threshold": float(a[0] if a else k["threshold"]),
            "value": float(a[1] if a else k["value"]),
        },
    ),
    "nn.functional.rrelu": (
        "rrelu",
        lambda a, k: {"lower": k.get("lower", 1 / 8), "upper": k.get("upper", 1 / 3)},
    ),
    "nn.functional.prelu": ("prelu", None),  # the weight is a tensor: see _prelu_params
    "nn.functional.glu": ("glu", _dim),
    "softmax": ("softmax", _dim),
    "log_softmax": ("log_softmax", _dim),
    "nn.functional.softmin": ("softmin", _dim),
}

# Where actlab is deliberately different, the one place that says so. Each entry: the op, which
# inputs, and why; those elements are checked against actlab's own limit instead of torch.
DELIBERATE = {
    "nn.functional.mish": (
        "non-finite",
        "x·tanh(softplus(x)) at x = -inf is inf·0 = NaN in torch; the limit is 0 (and +inf at +inf)",
    ),
    "nn.functional.silu": ("non-finite", "x·σ(x) at x = -inf is -inf·0 = NaN in torch; the limit is 0"),
    "nn.functional.softsign": (
        "non-finite",
        "x/(1+|x|) at ±inf is inf/inf = NaN in torch; the limits are ±1",
    ),
}

DTYPES = [torch.float64, torch.float32]
_OP_DB = {(op.name, op.variant_test_name): op for op in cmi.op_db}


def _opinfos():
    for (name, variant), op in sorted(_OP_DB.items()):
        if name in OPS and variant in ("", "with_dtype"):
            yield pytest.param(op, id=f"{name}{'.' + variant if variant else ''}")


def _tolerance(op, dtype):
    """The OpInfo's loosest tolerance override for ``dtype``, else torch.testing's default."""
    rtol, atol = {torch.float64: (1e-7, 1e-7), torch.float32: (1.3e-6, 1e-5)}[dtype]
    for decorator in op.decorators:
        if isinstance(decorator, DecorateInfo):
            for inner in decorator.decorators:
                over = getattr(inner, "d", None)  # toleranceOverride keeps {dtype: tol}
                if isinstance(over, dict) and dtype in over:
                    rtol, atol = max(rtol, over[dtype].rtol), max(atol, over[dtype].atol)
    return rtol, atol


def _samples(op, dtype):
    samples = list(op.sample_inputs("cpu", dtype))
    if op.reference_inputs_func is not None:
        samples += list(op.reference_inputs("cpu", dtype))
    return samples


def _prelu_params(sample):
    weight = sample.kwargs.get("weight", sample.args[0] if sample.args else None)
    w = torch.as_tensor(weight, dtype=torch.float64).detach()
    x = sample.input
    if w.numel() == 1:
        return {"alpha": float(w.reshape(()))}
    # One weight per channel, channel axis 1 (axis 0 of a 1-d input).
    shape = (w.numel(),) + (1,) * max(x.ndim - 2, 0)
    return {"alpha": w.reshape(shape).numpy()}


def _actlab_inputs(op, sample):
    """(x, actlab name, params) for a sample, or a reason it has no actlab counterpart."""
    name, translate = OPS[op.name]
    x = sample.input.detach()
    if "dtype" in sample.kwargs:  # softmax(x, dim, dtype=...) computes in that dtype
        x = x.to(sample.kwargs["dtype"])
    if op.name == "nn.functional.rrelu" and sample.kwargs.get("training", False):
        return None, "random slopes while training"
    if op.name == "nn.functional.softplus":
        beta, threshold = sample.kwargs.get("beta", 1.0), sample.kwargs.get("threshold", 20.0)
        if bool((beta * x > threshold).any()):  # torch returns x there; actlab has no threshold=
            return None, "softplus threshold= (not supported)"
    params = _prelu_params(sample) if translate is None else translate(sample.args, sample.kwargs)
    return (x, name, params), None


RESULTS: collections.Counter = collections.Counter()


def _compare(got, want, rtol, atol, deliberate, x):
    """Mismatching elements, after setting aside those of a documented deliberate difference."""
    got = torch.as_tensor(np.asarray(got)).to(want.dtype).reshape(want.shape)
    if deliberate:
        keep = torch.isfinite(x) if x.shape == want.shape else torch.ones_like(want, dtype=torch.bool)
        got, want = got[keep], want[keep]
    close = torch.isclose(got, want, rtol=rtol, atol=atol, equal_nan=True)
    return int((~close).sum())


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("op", list(_opinfos()))
def test_opinfo_samples(op, dtype):
    rtol, atol = _tolerance(op, dtype)
    deliberate = op.name in DELIBERATE
    failures = []
    for sample in _samples(op, dtype):
        inputs, skipped = _actlab_inputs(op, sample)
        if skipped:
            RESULTS[(op.name, skipped)] += 1
            continue
        x, name, params = inputs
        with torch.no_grad():
            want = op(sample.input, *sample.args, **sample.kwargs)
        for path in ("numpy", "torch"):
            try:
                with torch.no_grad():
                    got = (
                        getattr(al, name)(x.numpy(), **params)
                        if path == "numpy"
                        else at.Activation(name, **params).eval()(x)
                    )
                bad = _compare(got, want, rtol, atol, deliberate, x)
            except al.ActlabError as exc:
                failures.append(f"{path}: {type(exc).__name__}: {exc} (shape {tuple(x.shape)}, {params})")
                RESULTS[(op.name, path, "error")] += 1
                continue
            RESULTS[(op.name, path, "fail" if bad else "pass")] += 1
            if bad:
                failures.append(
                    f"{path}: {bad} of {want.numel()} elements differ (shape {tuple(x.shape)}, {params})"
                )
    assert not failures, f"{op.name} {dtype}:\n" + "\n".join(failures[:10])


@pytest.mark.parametrize(
    "op", [op for op in (_OP_DB.get((n, "")) for n in DELIBERATE) if op], ids=lambda o: o.name
)
def test_deliberate_differences_are_actlab_giving_the_limit(op):
    """At ±inf actlab gives the function's limit where torch's formula gives NaN."""
    name = OPS[op.name][0]
    x = torch.tensor([-math.inf, math.inf], dtype=torch.float64)
    limits = {"mish": [0.0, math.inf], "silu": [0.0, math.inf], "softsign": [-1.0, 1.0]}[name]
    np.testing.assert_array_equal(getattr(al, name)(x.numpy()), limits)
    np.testing.assert_array_equal(at.Activation(name)(x).detach().numpy(), limits)
    assert torch.isnan(op(x)).any(), f"torch now gives the limits for {op.name}: drop it from DELIBERATE"


def test_every_mapped_op_is_in_torchs_op_db():
    assert {name for name, _ in _OP_DB} >= set(OPS), set(OPS) - {name for name, _ in _OP_DB}
