"""Sampled curves, character plots, figures, the property table and the advice."""

from __future__ import annotations

import math
import struct
from itertools import product

import numpy as np
import pytest

import actlab as al
from actlab.viz.advice import Traits, advise
from actlab.viz.figures import PANEL_INCHES, activation_figure, save_figure
from actlab.viz.properties import COLUMNS, flat_regions, flat_text, property_row, range_text
from actlab.viz.sampling import SLICE_DEFAULT, compact, controls, gallery_entry, plot_range, sample
from actlab.viz.terminal import Series, char_plot, table

DEFS = al.definitions()
IDS = [d.name for d in DEFS]


# ------------------------------------------------------------------------- sampling
@pytest.mark.parametrize("d", DEFS, ids=IDS)
def test_plot_range_shows_every_kink(d):
    lo, hi = plot_range(d)
    defaults = {p.name: p.default for p in d.params}
    for k in d.kinks_for(defaults):
        assert lo < k < hi and min(k - lo, hi - k) >= 0.2 * abs(k)


@pytest.mark.parametrize("d", DEFS, ids=IDS)
def test_gallery_entry_has_one_curve_per_combination(d):
    entry = gallery_entry(d, points=41)
    ctrls = entry["controls"]
    assert len(entry["curves"]) == math.prod(len(c["values"]) for c in ctrls)
    for c in ctrls:
        assert c["values"][c["default_index"]] == c["default"]
    # The default combination is the activation at its defaults, sampled as `sample` does.
    index = 0
    for c in ctrls:
        index = index * len(c["values"]) + c["default_index"]
    default = entry["curves"][index]
    expect = sample(al.get(d), np.asarray(entry["x"]))
    assert default["y"] == compact(expect.y)
    assert (default["dy"] is None) == (expect.dy is None)


@pytest.mark.parametrize("d", [d for d in DEFS if d.params], ids=[d.name for d in DEFS if d.params])
def test_gallery_errors_are_exactly_the_rejected_combinations(d):
    entry = gallery_entry(d, points=11)
    names = [c["name"] for c in entry["controls"] if not c["slice"]]
    combos = product(*(c["values"] for c in entry["controls"] if not c["slice"]))
    slices = math.prod(len(c["values"]) for c in entry["controls"] if c["slice"])
    for combo, k in zip(combos, range(0, len(entry["curves"]), slices)):
        curve = entry["curves"][k]
        try:
            al.get(d, **dict(zip(names, combo)))
        except al.ParameterError as exc:
            assert curve == {"error": str(exc)}
        else:
            assert "error" not in curve and curve["y"]


@pytest.mark.parametrize("d", DEFS, ids=IDS)
def test_real_parameters_get_a_grid_within_their_range(d):
    for c in controls(d):
        if c.is_slice or not all(isinstance(v, float) for v in c.values):
            continue
        p = next(p for p in d.params if p.name == c.name)
        assert len(c.values) >= 7 and list(c.values) == sorted(set(c.values))
        for v in c.values:
            p.validate(v)  # raises if outside the valid range


NOT_C1 = [d for d in DEFS if al.get(d).info.smoothness in ("discontinuous", "C0") and d.elementwise]


@pytest.mark.parametrize("d", NOT_C1, ids=[d.name for d in NOT_C1])
def test_jumps_are_gaps_exactly_at_the_kinks_that_jump(d):
    act = al.get(d)
    lo, hi = plot_range(d)
    c = sample(act, np.linspace(lo, hi, 401))
    kinks = [k for k in d.kinks_for({p.name: p.default for p in d.params}) if lo < k < hi]
    for values, f in ((c.y, act), (c.dy, act.derivative)):
        if values is None:
            continue
        # Where f (or f') differs on the two sides of a kink, the curve has a gap there.
        jumping = [k for k in kinks if abs(float(f(k + 1e-7)) - float(f(k - 1e-7))) > 1e-3]
        gaps = c.x[np.isnan(values)]
        assert len(gaps) == len(jumping)
        for k in jumping:
            assert np.min(np.abs(gaps - k)) < (hi - lo) / 400


@pytest.mark.parametrize(
    "d",
    [d for d in DEFS if not d.elementwise and d.differentiable],
    ids=[d.name for d in DEFS if not d.elementwise and d.differentiable],
)
def test_vector_slice_derivative_matches_differences(d):
    x = np.linspace(-3.0, 3.0, 601)
    c = sample(al.get(d), x)
    numeric = np.gradient(c.y, c.x)
    # Piecewise ones: differences are wrong within a few samples of a kink (a gap in dy, or a
    # step in it), so those samples are left out.
    step = np.abs(np.diff(c.dy, prepend=c.dy[0]))
    kink = ~np.isfinite(c.dy) | ~(step <= 0.05)
    near = np.convolve(kink, np.ones(7), mode="same") > 0
    keep = ~near
    keep[:3] = keep[-3:] = False
    assert keep.sum() > 400
    assert np.allclose(numeric[keep], c.dy[keep], atol=2e-3)


def test_slice_uses_the_second_input():
    d = next(d for d in DEFS if not d.elementwise and d.differentiable)
    x = np.linspace(-2, 2, 5)
    a, b = sample(al.get(d), x, SLICE_DEFAULT), sample(al.get(d), x, SLICE_DEFAULT + 1.5)
    assert not np.allclose(a.y, b.y)


def test_compact_keeps_gaps_and_four_digits():
    assert compact(np.array([1.23456, np.nan, np.inf, -0.000123456])) == [1.235, None, None, -0.0001235]


# ------------------------------------------------------------------------- terminal
def test_char_plot_draws_a_line_where_it_belongs():
    x = np.linspace(-1, 1, 50)
    text = char_plot([Series("y=x", "*", x, x)], width=21, height=11)
    rows = text.splitlines()[:11]
    grid = [r[-21:] for r in rows]
    assert grid[0][-1] == "*" and grid[-1][0] == "*"  # top right and bottom left
    assert grid[5][10] == "*"  # through the origin
    assert "* y=x" in text


def test_char_plot_leaves_gaps_blank():
    x = np.linspace(0, 1, 101)
    y = np.where(x < 0.5, 0.0, 1.0)
    y[50] = np.nan
    grid = char_plot([Series("s", "#", x, y)], width=41, height=5).splitlines()[:5]
    column = [row[-41:][20] for row in grid]
    assert "#" not in column


def test_table_cuts_the_last_column_to_fit():
    out = table(["a", "b"], [["x", "y" * 200]], max_width=40)
    assert all(len(line) <= 40 for line in out.splitlines())
    assert out.splitlines()[-1].endswith("...")


# ------------------------------------------------------------------------- figures
def _png_size(path):
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


@pytest.mark.parametrize("count", [1, 3, 6])
def test_figure_panels_and_pixel_size(tmp_path, count):
    acts = [al.get(d) for d in DEFS[:count]]
    fig = activation_figure(acts, derivative=True)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in visible] == [a.name for a in acts]
    path = save_figure(fig, tmp_path / "f.png", dpi=50)
    cols, rows = min(count, 4), math.ceil(count / 4)
    assert _png_size(path) == (round(cols * PANEL_INCHES[0] * 50), round(rows * PANEL_INCHES[1] * 50))


def test_figure_title_names_changed_parameters():
    d = next(d for d in DEFS if any(p.choices is None and not p.integer for p in d.params))
    p = next(p for p in d.params if p.choices is None and not p.integer)
    value = float(controls(d)[0].values[-1])
    fig = activation_figure([al.get(d, **{p.name: value})], x_range=(-1.0, 2.0))
    ax = fig.axes[0]
    assert ax.get_title() == f"{d.name} ({p.name}={value:g})"
    assert ax.get_xlim() == (-1.0, 2.0)


def test_derivative_curve_is_drawn_on_request():
    act = al.get(next(d for d in DEFS if d.elementwise and d.differentiable))
    assert len(activation_figure([act]).axes[0].lines) < len(
        activation_figure([act], derivative=True).axes[0].lines
    )


@pytest.mark.parametrize("bad", [dict(acts=[]), dict(x_range=(2.0, 1.0))])
def test_figure_rejects_bad_requests(bad):
    args = {"acts": [al.get(DEFS[0])], **bad}
    with pytest.raises(al.ParameterError):
        activation_figure(args.pop("acts"), **args)


# ------------------------------------------------------------------------- properties
@pytest.mark.parametrize("info", al.catalog(), ids=IDS)
def test_property_row_reports_the_metadata(info):
    row = property_row(info)
    assert set(row) == {k for k, _ in COLUMNS}
    assert row["range"] == range_text(info)
    lo, hi = info.output_range
    if math.isinf(lo):
        assert row["range"].startswith("(−∞")
    if math.isinf(hi):
        assert row["range"].endswith("∞)")
    assert row["monotonic"] is info.monotonic and row["smoothness"] == info.smoothness


@pytest.mark.parametrize(
    "name, text",
    [
        ("sigmoid", "(0, 1)"),
        ("tanh", "(−1, 1)"),
        ("softsign", "(−1, 1)"),
        ("softplus", "(0, ∞)"),
        ("relu", "[0, ∞)"),
        ("hard_sigmoid", "[0, 1]"),
        ("relu6", "[0, 6]"),
        ("hard_tanh", "[−1, 1]"),
        ("gelu", "[−0.17, ∞)"),
        ("elu", "(−1, ∞)"),
        ("log_sigmoid", "(−∞, 0)"),
        ("softmax", "(0, 1)"),
        ("sparsemax", "[0, 1]"),
        ("step", "[0, 1]"),
    ],
)
def test_ranges_are_open_where_the_bound_is_only_approached(name, text):
    assert range_text(al.get(name).info) == text


def test_range_ends_follow_the_parameters():
    assert range_text(al.get("hard_tanh", min_val=-2.0, max_val=0.5).info) == "[−2, 0.5]"
    assert range_text(al.get("elu", alpha=2.0).info) == "(−2, ∞)"


@pytest.mark.parametrize(
    "name, text",
    [
        ("relu", "x ≤ 0"),
        ("hard_swish", "x < −3"),
        ("sparse_plus", "x ≤ −1"),
        ("hard_tanh", "x ≤ −1 and x ≥ 1"),
        ("relu6", "x ≤ 0 and x ≥ 6"),
        ("hardshrink", "−0.5 ≤ x ≤ 0.5"),
        ("leaky_relu", ""),
        ("gelu", ""),
        ("sigmoid", ""),
        ("elu", ""),
    ],
)
def test_flat_regions_are_read_off_the_derivative(name, text):
    assert flat_text(flat_regions(al.get(name))) == text


def test_flat_regions_follow_the_parameters():
    assert flat_text(flat_regions(al.get("threshold", threshold=0.3))) == "x ≤ 0.3"
    assert flat_text(flat_regions(al.get("leaky_relu", alpha=0.0))) == "x ≤ 0"


# ------------------------------------------------------------------------- advice
def test_hidden_advice_orders_by_the_rules():
    advice = advise("hidden", "multiclass", depth=8)
    names = [c.name for c in advice.candidates]
    assert sorted(names + [c.name for c in advice.set_aside]) == sorted(
        i.name for i in al.catalog() if "hidden" in i.uses
    )
    traits = [Traits.of(al.get(n)) for n in names]
    both = [t.saturates_both for t in traits]
    assert both == sorted(both), "two-sided saturation ranks after everything else"
    unit = [not t.unit_slope_right for t, b in zip(traits, both) if not b]
    assert unit == sorted(unit)
    assert all("avoid at depth 8" in " ".join(c.notes) for c, b in zip(advice.candidates, both) if b)
    for c in advice.set_aside:
        t = Traits.of(al.get(c.name))
        assert not t.trainable or t.flat_at_zero


def test_shallow_networks_soften_the_saturation_note():
    deep, shallow = advise("hidden", "binary", depth=8), advise("hidden", "binary", depth=1)
    notes = lambda a: " ".join(n for c in a.candidates for n in c.notes)  # noqa: E731
    assert "avoid at depth 8" in notes(deep) and "acceptable in a shallow network" in notes(shallow)


@pytest.mark.parametrize(
    "d",
    [d for d in DEFS if d.elementwise and d.differentiable],
    ids=[d.name for d in DEFS if d.elementwise and d.differentiable],
)
def test_traits_agree_with_the_derivative(d):
    act = al.get(d)
    t = Traits.of(act)
    right = act.derivative(np.linspace(0.5, 50, 200))
    assert t.unit_slope_right == bool(np.allclose(right, 1.0, atol=1e-9, rtol=0))
    assert t.saturates_both == (len(act.info.saturates) == 2)


@pytest.mark.parametrize(
    "name, zone",
    [
        ("hard_swish", "x < −3"),
        ("sparse_plus", "x ≤ −1"),
        ("hard_tanh", "x ≤ −1 and x ≥ 1"),
        ("relu", "x ≤ 0"),
    ],
)
def test_dying_is_stated_from_the_definition(name, zone):
    entry = next(
        c for a in (advise("hidden", "multiclass"),) for c in a.candidates + a.set_aside if c.name == name
    )
    assert f"units can die (f' = 0 for {zone})" in entry.notes
    assert not any("x < 0)" in n for n in entry.notes) or zone == "x < 0"


def test_activations_with_a_slope_everywhere_are_not_said_to_die():
    advice = advise("hidden", "multiclass")
    for c in advice.candidates:
        if c.name in ("leaky_relu", "elu", "gelu", "swish", "tanh"):
            assert not any("can die" in n for n in c.notes), c.name


@pytest.mark.parametrize(
    "layer, task, depth",
    [("middle", "binary", 2), ("hidden", "ranking", 2), ("hidden", "binary", 0), ("hidden", "binary", True)],
)
def test_advice_rejects_bad_requests(layer, task, depth):
    with pytest.raises(al.ParameterError):
        advise(layer, task, depth)


# ------------------------------------------------------------------------- notebooks
def test_info_shows_itself_in_a_notebook():
    from xml.etree import ElementTree

    html = al.get("gelu").info._repr_html_()
    assert "<math>" in html and "<mi>erf</mi>" in html and "[−0.17, ∞)" in html
    ElementTree.fromstring(f"<div>{html}</div>")  # well formed: every element closed
    assert "\\" not in html


def test_comparisons_and_claims_show_themselves_in_a_notebook():
    from actlab.lab.comparison import Comparison
    from actlab.viz.notebook import claims_html

    rows = [
        {
            "activation": n,
            "metrics": {"test_accuracy": {"mean": 0.9, "std": 0.01}},
            "per_seed": {"test_accuracy": [0.9 + 0.001 * k * (n == "elu") for k in range(4)]},
        }
        for n in ("relu", "elu")
    ]
    c = Comparison(
        {
            "dataset": "d<b>",
            "architecture": "a",
            "seeds": [0, 1, 2, 3],
            "rows": rows,
            "curves": {},
            "per_layer": {},
        }
    )
    html = c._repr_html_()
    assert "d&lt;b&gt;" in html and "90.0 ± 1.0 %" in html and "not told apart" in html
    html = claims_html(
        [
            {
                "id": "x",
                "statement": "e^{−x} <i>",
                "source": "000_d14a610ce6b66109.txt",
                "check": "",
                "figures": {},
                "verdict": "erratum",
                "explanation": "why",
            }
        ]
    )
    assert (
        "e<sup>−x</sup> &lt;i&gt;" in html
        and "“Activation Functions”" in html
        and "1 claim: 1 erratum" in html
    )


# ------------------------------------------------------------------------- files
def test_files_are_written_whole_with_the_users_permissions(tmp_path):
    import os

    from actlab.core.files import write_atomic

    umask = os.umask(0)
    os.umask(umask)
    path = write_atomic(tmp_path / "page.html", "new")
    assert path.read_text() == "new" and (path.stat().st_mode & 0o777) == (0o666 & ~umask)
    write_atomic(path, "newer")
    assert path.read_text() == "newer"
    assert [p.name for p in tmp_path.iterdir()] == ["page.html"], "no temporary file left behind"
