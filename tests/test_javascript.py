"""The JavaScript emitter and the report's live curves, on the Python side (the browser side,
the values the emitted code computes, is checked in test_report.py)."""

from __future__ import annotations

import base64
import itertools
import math

import numpy as np
import pytest

import actlab as al
from actlab.kernels.javascript import RUNTIME, Guard, _number, function_source, trace_free
from actlab.kernels.trace import PRIMITIVES, trace
from actlab.viz.report.live import Kernels, live_entry


@pytest.mark.parametrize("v", [0.1, 1 / 3, 1e-300, 5e-324, -2.5e300, 1.7976931348623157e308, 6.0])
def test_numbers_are_literals_that_read_back_exactly(v):
    assert float(_number(v)) == v


def test_special_numbers():
    assert (_number(-0.0), _number(0.0), _number(math.inf), _number(-math.inf), _number(math.nan)) == (
        "-0",
        "0",
        "Infinity",
        "-Infinity",
        "NaN",
    )


def test_emitted_function_is_javascript_of_the_graph():
    d = al.lookup("gelu")
    graph = trace(d.forward, {"approximate": "none"}, np.float64)
    source = function_source(graph)
    assert source.startswith("function (x, p) {") and source.rstrip().endswith("}")
    assert "M.erfc(" in source and f"return v{graph.output};" in source
    for python_only in (" if ", " else ", " and ", " or ", "**", "math."):
        assert python_only not in source


def test_the_runtime_defines_every_primitive():
    for name in PRIMITIVES:
        assert f"{name}" in RUNTIME.split("Object.freeze(", 1)[1]
    assert "function erfc(x)" in RUNTIME


def test_parameters_traced_as_inputs_with_guards():
    swish = al.lookup("swish")
    graph, guards = trace_free(swish.forward, {"beta": 1.0}, ("beta",))
    assert graph.n_inputs == 2 and ("input", (1,)) in graph.nodes
    assert guards == (Guard(0, "gt", 0.0, True),)  # "0 if beta > 0 else -inf" decided, and said so
    _, at_zero = trace_free(swish.forward, {"beta": 0.0}, ("beta",))
    assert at_zero == (Guard(0, "gt", 0.0, False),)
    linear = al.lookup("linear")
    # c·x, decided for c ≠ 1 and c ≠ 0 (0·inf is 0, not NaN, so a zero slope is its own case)
    assert trace_free(linear.forward, {"c": 2.0}, ("c",))[1] == (
        Guard(0, "eq", 1.0, False),
        Guard(0, "eq", 0.0, False),
    )


def test_a_formula_that_needs_a_plain_number_is_not_traced():
    squareplus = al.lookup("squareplus")  # math.sqrt(b) needs b as a number
    with pytest.raises(TypeError):
        trace_free(squareplus.forward, {"b": 4.0}, ("b",))


def test_live_entries_cover_the_traceable_definitions():
    kernels = Kernels()
    live = {d.name: live_entry(d, kernels) for d in al.definitions()}
    for d in al.definitions():
        if not d.elementwise:
            assert live[d.name] is None
    assert live["squareplus"] is None and live["relu"] is not None and live["swish"] is not None
    assert sum(e is not None for e in live.values()) >= 25
    # Identical programs are emitted once (prelu and leaky_relu compute the same thing).
    assert len(kernels.sources) == len(set(kernels.sources))
    swish = live["swish"]
    (beta,) = swish["sliders"]
    assert beta["count"] >= 200 and beta["min"] + beta["default_index"] * beta["step"] == pytest.approx(1.0)
    assert beta["min"] > 0  # the slider never reaches beyond the parameter's range


def test_the_validity_map_is_the_definitions_own_check():
    d = al.lookup("hard_tanh")
    entry = live_entry(d, Kernels())
    bits = np.unpackbits(np.frombuffer(base64.b64decode(entry["valid"]), dtype=np.uint8)).astype(bool)
    a, b = entry["sliders"]
    for i, j in itertools.product(range(0, a["count"], 17), range(0, b["count"], 13)):
        lo, hi = a["min"] + i * a["step"], b["min"] + j * b["step"]
        assert bits[i * b["count"] + j] == (lo < hi), (lo, hi)
