"""Worst-case error of every elementwise activation and derivative against 60-digit mpmath.

    python benchmarks/accuracy.py [--json out.json]

Prints a Markdown table: the largest error in ulps over the well-conditioned points of the test
grid (κ ≤ 1; the grid spans the whole finite range of the dtype, dense near 0 and around
kinks), and over all points the largest error as a fraction of the contract's budget,
4 ulp × (1 + κ) for values and 8 ulp × (1 + κ') for derivatives (exact functions: correctly
rounded, 1.5 ulp in float32 when a parameter such as alpha = 0.01 must first be rounded). Then the
same measurement for the textbook formulas of the seed texts, to show where they break.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys
import warnings

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "tests"))
import actlab as al  # noqa: E402
from oracle import condition, default_params, grid, mp_derivative, mp_value, ulp_errors  # noqa: E402

# The seed texts' formulas, as written there (benchmark data, not definitions).
TEXTBOOK = {
    "sigmoid": ("1/(1+np.exp(-x))", lambda x: 1 / (1 + np.exp(-x))),
    "tanh": ("(e^x - e^-x)/(e^x + e^-x)", lambda x: (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x))),
    "softplus": ("np.log(1+np.exp(x))", lambda x: np.log(1 + np.exp(x))),
    "elu": ("np.where(x>=0, x, np.exp(x)-1)", lambda x: np.where(x >= 0, x, np.exp(x) - 1)),
    "gelu": (
        "0.5x(1+erf(x/√2))",
        lambda x: 0.5 * x * (1 + __import__("scipy.special").special.erf(x / np.sqrt(2))),
    ),
    "swish": ("x*sigmoid(x)", lambda x: x * (1 / (1 + np.exp(-x)))),
}


def measure(d, dtype):
    params = default_params(d)
    act = al.get(d, **params)
    x = grid(dtype, d.kinks_for(params))
    x64 = x.astype(np.float64)
    err = ulp_errors(np.asarray(act(x)), [mp_value(d, float(v), params) for v in x], dtype)
    kappa = condition(np.asarray(act(x64)), np.asarray(act.derivative(x64)), x64)
    representable = all(float(dtype(v)) == v for v in params.values() if isinstance(v, float))
    budget = np.full(x.shape, 0.5 if representable else 1.5) if d.exact else 4 * (1 + kappa)
    calm = kappa <= 1  # the well-conditioned points, where an error in ulps means what it says
    row = {"forward_ulp": float(err[calm].max(initial=0)), "forward_of_budget": float((err / budget).max())}
    if d.differentiable:
        keep = np.ones(x.shape, bool)
        for k in d.kinks_for(params):
            keep &= np.abs(x64 - k) > 1e-9 * max(1.0, abs(k))
        xs, xs64 = x[keep], x64[keep]
        tiny = float(np.finfo(dtype).smallest_normal)
        derr = ulp_errors(
            np.asarray(act.derivative(xs)), [mp_derivative(d, float(v), params, tiny) for v in xs], dtype
        )
        h = 1e-7 * np.maximum(1.0, np.abs(xs64))
        with np.errstate(all="ignore"):
            d2 = (np.asarray(act.derivative(xs64 + h)) - np.asarray(act.derivative(xs64 - h))) / (2 * h)
        dkappa = condition(np.asarray(act.derivative(xs64)), d2, xs64)
        dbudget = 8 * (1 + dkappa)
        row.update(
            derivative_ulp=float(derr[dkappa <= 1].max(initial=0)),
            derivative_of_budget=float((derr / dbudget).max()),
        )
    return row


def textbook(name, fn):
    d = al.lookup(name)
    x = grid(np.float64)
    with warnings.catch_warnings(record=True) as caught, np.errstate(all="warn"):
        warnings.simplefilter("always")
        y = fn(x)
    err = ulp_errors(y, [mp_value(d, float(v), default_params(d)) for v in x], np.float64)
    bad = x[~np.isfinite(err) | (err > 1e6)]
    return {
        "worst_ulp": float(err.max()),
        "warnings": sorted({str(w.message) for w in caught}),
        "first_failure": float(np.min(np.abs(bad))) if bad.size else None,
    }


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", help="also write the results to this file")
    args = ap.parse_args(argv)
    rows = {}
    print(
        "| activation | f64 value ulp | f64 deriv ulp | f32 value ulp | f32 deriv ulp | worst error / budget |"
    )
    print("|---|---|---|---|---|---|")
    for d in (d for d in al.definitions() if d.elementwise):
        r64, r32 = measure(d, np.float64), measure(d, np.float32)
        rows[d.name] = {"float64": r64, "float32": r32}
        worst = max(v for r in (r64, r32) for k, v in r.items() if k.endswith("of_budget"))
        fmt = lambda r, k: f"{r[k]:.2f}" if k in r else "—"  # noqa: E731
        print(
            f"| {d.name} | {fmt(r64, 'forward_ulp')} | {fmt(r64, 'derivative_ulp')} | "
            f"{fmt(r32, 'forward_ulp')} | {fmt(r32, 'derivative_ulp')} | {worst:.2f} |",
            flush=True,
        )
    print("\n| textbook formula | worst ulp | fails from |x| = | warnings |\n|---|---|---|---|")
    books = {}
    for name, (text, fn) in TEXTBOOK.items():
        books[name] = {"formula": text, **textbook(name, fn)}
        b = books[name]
        print(
            f"| {name}: `{text}` | {b['worst_ulp']:.3g} | {b['first_failure']} | {'; '.join(b['warnings'])} |"
        )
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps({"activations": rows, "textbook": books}, indent=2))


if __name__ == "__main__":
    main()
