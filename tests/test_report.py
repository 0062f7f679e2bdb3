"""The HTML report: its data contract, its statistics, its escaping and policy, and the page
working in a real browser (Chromium): the explainer, live curves checked against Python, the
gallery, the filter, zoom, the learning animation, a phone-width layout, scripts off."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import math
import re
import shutil
import subprocess
import sys
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

import actlab as al
from actlab.viz.report import ReportDataError, check_claims, check_comparison, render_report
from actlab.viz.report import lessons as L
from actlab.viz.report import paired, sections
from actlab.viz.report.build import build_report, embed_figures, terminal_summary
from actlab.viz.report.contract import VERDICTS, mean_std_text, metric_text
from actlab.viz.report.markup import json_for_script
from actlab.viz.report.summary import claims_line, comparison_lines

HOSTILE = '<script>window.__owned = 1</script><img src=x onerror="window.__owned = 2">'
# Screenshots for people to look at; no test reads them back.
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


def synthetic_comparison(n: int = 6, epochs: int = 12, layers: int = 3, seeds: int = 5) -> dict:
    """Results shaped as the lab writes them (per-seed figures included), for activations from
    the registry; relu is the reference, one activation is clearly better, one clearly worse."""
    rng = np.random.default_rng(0)
    names = ["relu"] + [
        i.name for i in al.catalog() if "hidden" in i.uses and i.elementwise and i.name != "relu"
    ][: n - 1]
    base = 0.95 + rng.normal(0, 0.01, seeds)  # what a seed does to every activation alike
    shift = {names[1]: 0.03, names[2]: -0.04}
    rows, curves, per_layer = [], {}, {}
    for k, name in enumerate(names):
        acc = base + shift.get(name, 0.0) + rng.normal(0, 0.002 if name in shift else 0.01, seeds)
        per_seed = {
            "test_accuracy": acc.tolist(),
            "final_train_loss": (0.3 / (k + 1) + 0 * acc).tolist(),
            "epochs_to_target": [None if k == 0 else 10.0 - k] * seeds,
            "wall_time_s": (1 + rng.random(seeds)).tolist(),
            "dead_fraction": [0.05 * k] * seeds,
            "grad_ratio": [10.0 ** (k - 2)] * seeds,
        }
        metrics = {m: _mean_std(v) for m, v in per_seed.items()}
        metrics["reached_target"] = {"mean": 0.0 if k == 0 else 0.8, "std": 0.0 if k == 0 else 0.45}
        rows.append({"activation": name, "metrics": metrics, "per_seed": per_seed})
        e = np.arange(1, epochs + 1)
        loss = np.exp(-e / (2 + k)) + 0.05
        curves[name] = {
            "epoch": e.tolist(),
            "train_loss_mean": loss.tolist(),
            "train_loss_std": (0.05 * loss).tolist(),
            "val_accuracy_mean": (1 - 0.8 * loss).tolist(),
            "val_accuracy_std": [0.01] * epochs,
        }
        per_layer[name] = {
            "dead_fraction": np.linspace(0, 0.1 * k, layers).tolist(),
            "grad_norm": (10.0 ** -np.arange(layers)).tolist(),
        }
    return {
        "dataset": "digits",
        "architecture": "64-32-32-10",
        "seeds": list(range(seeds)),
        "target": {"metric": "train accuracy", "value": 0.95},
        "rows": rows,
        "curves": curves,
        "per_layer": per_layer,
    }


def _mean_std(values):
    v = np.array([x for x in values if x is not None], dtype=float)
    if v.size == 0:
        return {"mean": None, "std": None}
    return {"mean": float(v.mean()), "std": float(v.std(ddof=1)) if v.size > 1 else 0.0}


def synthetic_claims() -> list[dict]:
    return [
        {
            "id": f"claim-{k}",
            "statement": f"statement {k} with e^{{−x}}",
            "source": "000_d14a610ce6b66109.txt",
            "check": f"check {k}",
            "figures": {"ratio": 1.5 + k, "note": "text"},
            "verdict": v,
            "explanation": f"because {k}",
        }
        for k, v in enumerate(VERDICTS)
    ]


def synthetic_lessons(epochs: int = 4) -> dict:
    """The explainer's results in their shape, with made-up frames (no training)."""
    rng = np.random.default_rng(1)
    setup = L.settings()
    setup["learn"] = {**setup["learn"], "epochs": epochs}

    def frames(k):
        p = rng.random((L.GRID * L.GRID, 1))
        return [L._png(np.hstack([p ** (e + 1), 1 - p ** (e + 1)])[:, :k]) for e in range(epochs + 1)]

    learn = {
        plane: {
            a: {
                "frames": frames(2),
                "box": [-2.0, 2.0, -2.0, 2.0],
                "loss": list(np.geomspace(1, 0.01 * (i + 1), epochs)),
                "accuracy": [0.9] * epochs,
                "test_accuracy": 0.8 + 0.03 * i,
            }
            for i, a in enumerate(L.CLASSICS)
        }
        for plane in L.PLANES
    }
    learn[L.PLANES[0]][L.COLLAPSE] = {
        **learn[L.PLANES[0]]["relu"],
        "one_map_deviation": 3e-16,
        "test_accuracy": 0.86,
    }
    points = {
        p: {"x": rng.uniform(-2, 2, size=(40, 2)).round(3).tolist(), "y": rng.integers(0, 2, 40).tolist()}
        for p in L.PLANES
    }
    return {
        "learn": learn,
        "points": points,
        "setup": setup,
        "settings": {k: L.setting_text(s) for k, s in setup.items()},
        "depth": {
            a: {"grad_norm": list(np.geomspace(10.0 ** -(6 - 2 * i), 0.5, 11))}
            for i, a in enumerate(L.CLASSICS)
        },
        "dying": {
            "relu": {"dead_fraction": [0.0, 0.4, 0.55], "accuracy": [0.9] * 3},
            "leaky_relu": {"dead_fraction": [0.0, 0.0, 0.0], "accuracy": [0.9] * 3},
        },
    }


# ------------------------------------------------------------------------- contract
@pytest.mark.parametrize(
    "break_it, message",
    [
        (lambda c: c.pop("rows"), "'rows'"),
        (lambda c: c["rows"][0]["metrics"]["test_accuracy"].pop("std"), "'mean' and 'std'"),
        (lambda c: c["curves"][next(iter(c["curves"]))].pop("epoch"), "lacks epoch"),
        (lambda c: c["per_layer"][next(iter(c["per_layer"]))].pop("grad_norm"), "lack grad_norm"),
        (lambda c: c.__setitem__("dataset", 3), "'dataset' as a str"),
    ],
)
def test_comparison_contract_names_what_is_wrong(break_it, message):
    c = synthetic_comparison()
    check_comparison(c)
    break_it(c)
    with pytest.raises(ReportDataError, match=re.escape(message)):
        check_comparison(c)


@pytest.mark.parametrize(
    "break_it, message",
    [
        (lambda c: c[0].pop("verdict"), "lacks verdict"),
        (lambda c: c[1].__setitem__("verdict", "probably"), "'probably'"),
        (lambda c: c[2].__setitem__("figures", [1, 2]), "'figures' must be an object"),
    ],
)
def test_claims_contract_names_what_is_wrong(break_it, message):
    c = synthetic_claims()
    check_claims(c)
    break_it(c)
    with pytest.raises(ReportDataError, match=re.escape(message)):
        check_claims(c)


@pytest.mark.parametrize(
    "m, text",
    [
        ({"mean": 0.96712, "std": 0.0081}, "0.9671 ± 0.0081"),
        ({"mean": 12.0, "std": 1.26}, "12.0 ± 1.3"),
        ({"mean": 0.5, "std": 0.0}, "0.5"),
        ({"mean": None, "std": None}, "—"),
        ({"mean": float("nan"), "std": 1.0}, "—"),
    ],
)
def test_mean_std_text(m, text):
    assert mean_std_text(m) == text


@pytest.mark.parametrize(
    "key, m, seeds, text",
    [
        ("test_accuracy", {"mean": 0.96712, "std": 0.0081}, 4, "96.71 ± 0.81 %"),
        ("dead_fraction", {"mean": 0.05, "std": 0.0}, 4, "5 %"),
        ("reached_target", {"mean": 0.75, "std": 0.5}, 4, "3 of 4 seeds"),
        ("reached_target", {"mean": 1.0, "std": 0.0}, 1, "1 of 1 seed"),
        ("final_train_loss", {"mean": 0.2, "std": 0.01}, 4, "0.200 ± 0.010"),
    ],
)
def test_fractions_read_as_fractions(key, m, seeds, text):
    assert metric_text(key, m, seeds) == text


# ------------------------------------------------------------------------- honest comparison
def test_paired_differences_group_instead_of_ranking():
    c = synthetic_comparison()
    diffs = {d.activation: d for d in paired.differences(c, "test_accuracy")}
    better, worse = c["rows"][1]["activation"], c["rows"][2]["activation"]
    assert diffs[better].group == "better" and diffs[worse].group == "worse"
    noisy = [d for name, d in diffs.items() if name not in (better, worse)]
    assert noisy and all(d.group == "not told apart" and d.lo < 0 < d.hi for d in noisy)
    groups = paired.grouped(list(diffs.values()))
    assert [d.activation for d in groups["not told apart"]] == sorted(d.activation for d in noisy)


def test_intervals_are_simultaneous_paired_t_intervals():
    from scipy.stats import t

    c = synthetic_comparison()
    ref = c["rows"][0]["per_seed"]["test_accuracy"]
    row = c["rows"][3]
    d = np.array(row["per_seed"]["test_accuracy"]) - np.array(ref)
    k = len(c["rows"]) - 1
    half = t.ppf(1 - 0.05 / (2 * k), len(d) - 1) * d.std(ddof=1) / math.sqrt(len(d))
    got = next(x for x in paired.differences(c, "test_accuracy") if x.activation == row["activation"])
    assert (got.mean, got.lo, got.hi) == pytest.approx((d.mean(), d.mean() - half, d.mean() + half))


def test_too_few_seeds_tell_nothing_apart():
    c = synthetic_comparison(seeds=2)
    diffs = paired.differences(c, "test_accuracy")
    assert all(d.group == "not told apart" and d.lo is None for d in diffs)
    del c["rows"][0]["per_seed"]
    assert paired.differences(c, "test_accuracy") is None


def test_summaries_group_and_fit_the_terminal():
    c = synthetic_comparison()
    text = "\n".join(comparison_lines(c))
    assert "best" not in text and "worst" not in text
    assert "against relu" in text and "1 better, 3 not told apart, 1 worse" in text
    assert claims_line(synthetic_claims()) == f"{len(VERDICTS)} claims: " + ", ".join(
        f"1 {v}" for v in VERDICTS
    )
    lines = "\n".join(terminal_summary(c, synthetic_claims(), {}, width=80)).splitlines()
    assert all(len(line) <= 80 for line in lines)
    assert any(line.strip().startswith("better:") for line in lines)


# ------------------------------------------------------------------------- the page as text
class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self._in = None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in = tag if tag in ("script", "style") and "type" not in dict(attrs) else None

    def handle_data(self, data):
        if self._in == "script":
            self.scripts.append(data)
        elif self._in == "style":
            self.styles.append(data)

    def handle_endtag(self, tag):
        self._in = None


@pytest.fixture(scope="module")
def page() -> str:
    c = synthetic_comparison()
    c["dataset"] = HOSTILE
    claims = synthetic_claims()
    claims[0]["statement"] = HOSTILE
    claims[1]["figures"] = {HOSTILE: HOSTILE}
    claims[2]["setting"] = HOSTILE
    return render_report(c, claims, run={"command": HOSTILE}, lessons=synthetic_lessons())


def _policy(page: str) -> str:
    return (
        re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)
        .group(1)
        .replace("&#x27;", "'")
    )


def test_page_is_self_contained_under_a_strict_policy(page):
    tags = _Collector()
    tags.feed(page)
    for tag, attrs in tags.tags:
        assert not (tag == "script" and "src" in attrs), "scripts are inlined"
        assert tag != "link", "styles are inlined"
        assert not (
            tag in ("img", "image")
            and not (attrs.get("src") or attrs.get("href", "data:")).startswith("data:")
        )
        assert not any(name.startswith("on") for name in attrs), f"an inline handler on <{tag}>"
        assert "style" not in attrs, f"an inline style on <{tag}>"
    policy = _policy(page)
    assert "default-src 'none'" in policy and "unsafe-inline" not in policy and "unsafe-eval" not in policy
    # The hashes are those of the one script and the one stylesheet on the page.
    (script,), (style,) = tags.scripts, tags.styles
    for kind, body in (("script-src", script), ("style-src", style)):
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"{kind} 'sha256-{digest}'" in policy


def test_user_text_is_escaped_everywhere(page):
    assert HOSTILE not in page
    assert page.count("&lt;script&gt;window.__owned") >= 5  # dataset, statement, figure, setting, run
    data = page.split('id="actlab-data">', 1)[1].split("</script>", 1)[0]
    assert "<" not in data


def test_latex_is_escaped_like_any_text():
    markup = sections.formula(r"x + \text{<script>window.__owned = 3</script>}")
    assert "<script" not in markup and "&lt;script&gt;" in markup
    fallback = sections.formula(r"\unknown{<b>}")
    assert fallback.startswith("<code>") and "<b>" not in fallback


def test_no_latex_source_and_no_seed_file_names_on_the_page(page):
    text = re.sub(r"<script.*?</script>", "", page, flags=re.S)
    text = re.sub(r'<svg class="defs".*?</svg>', "", text, flags=re.S)
    for leak in (r"\arg", r"\frac", r"\operatorname", r"\begin", "e^{", "_d14a610ce6b66109.txt"):
        assert leak not in text
    assert "“Activation Functions” (lecture notes, text 000)" in page
    assert "e<sup>−x</sup>" in page  # the seeds' scripts, set as scripts


def test_every_activation_has_a_card_a_static_plot_and_a_table_row(page):
    for name in al.names():
        assert f'id="act-{name}"' in page and f'href="#act-{name}"' in page
        card = page.split(f'id="act-{name}"', 1)[1].split("</article>", 1)[0]
        assert 'class="series f"' in card, f"{name}: no curve without scripts"


def test_gallery_opens_on_the_classics_grouped_by_family():
    from actlab.viz.report.sections import family_order

    order = family_order(al.definitions())
    years = [members[0].reference.year for _, members in order]
    assert years == sorted(years)
    for _, members in order:
        ages = [d.reference.year for d in members]
        assert ages == sorted(ages)
    flat = [d.name for _, members in order for d in members]
    assert flat.index("sigmoid") < flat.index("log_sigmoid") and flat[0] != "argmax"
    assert flat.index("relu") < flat.index("leaky_relu") < flat.index("selu")


def test_overlay_opens_on_the_classics(page):
    for name in L.CLASSICS:
        assert f'data-overlay="{name}" checked' in page
    assert page.count(" checked>") == len(L.CLASSICS)


def test_the_opening_teaches_with_computed_figures(page):
    why = page.split('id="why"', 1)[1].split('id="learn"', 1)[0]
    assert why.count('class="step"') == 5
    for step in range(1, 6):
        body = why.split(f'id="step-{step}"', 1)[1].split('class="step"', 1)[0]
        assert "<svg" in body, f"step {step} has no figure"
    assert "3.0 × 10<sup>−16</sup>" in why  # the folded linear map, from the lessons
    assert "x ≤ 0" in why  # ReLU's dead zone, read off its definition


def test_comparison_defines_every_metric_and_hides_wall_time(page):
    part = page.split('id="comparison"', 1)[1].split('id="claims"', 1)[0]
    for heading in (
        "test accuracy",
        "final train loss",
        "epochs to target",
        "dead units",
        "gradient ratio",
        "reached the target",
    ):
        assert f"<dt>{heading}</dt>" in part
    assert "wall time (s)" not in part and "Wall time is not shown" in part
    assert "% ±" not in part and " %" in part and "of 5 seeds" in part
    assert "cannot be told apart from" in part


def test_the_linear_baseline_is_the_floor():
    c = synthetic_comparison()
    c["linear_baseline"] = {"model": "logistic regression", "test_accuracy": {"mean": 0.9, "std": 0.01}}
    part = render_report(c, None).split('id="comparison"', 1)[1].split('id="claims"', 1)[0]
    assert "A linear model (logistic regression) scores 90.0 ± 1.0 % (test accuracy)" in part


def test_wall_time_only_when_measured_without_warm_up():
    c = synthetic_comparison()
    c["timing_without_warmup"] = True
    part = render_report(c, None).split('id="comparison"', 1)[1].split('id="claims"', 1)[0]
    assert "wall time (s)" in part


def test_sections_say_why_they_are_missing():
    html = render_report(None, None, notes={"comparison": "no lab here", "claims": "not today"})
    assert "no lab here" in html and html.count("not today") == 2  # claims and errata
    assert "--gallery-only" in html.split('id="why"', 1)[1].split('id="gallery"', 1)[0]


def test_errata_are_listed_apart_from_the_claims(page):
    claims_part = page.split('id="claims"', 1)[1].split('id="errata"', 1)[0]
    errata_part = page.split('id="errata"', 1)[1]
    assert 'data-verdict="erratum"' not in claims_part and 'data-verdict="erratum"' in errata_part


def test_claims_embed_their_figure_and_setting(tmp_path):
    png = L._png(np.full((L.GRID * L.GRID, 2), 0.5))
    (tmp_path / "runs").mkdir()
    (tmp_path / "runs" / "curve.png").write_bytes(base64.b64decode(png))
    (tmp_path / "bad.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg"><script>window.__owned=4</script></svg>'
    )
    claims = synthetic_claims()
    claims[0].update(plots=["curve.png"], setting="3 seeds × 12 epochs on digits")
    claims[1].update(plots=[str(tmp_path / "bad.svg")], setting="an SVG")
    claims[2].update(plots=["missing.png"], setting="lost")
    claims[3].update(plots=[], setting="")
    claims[4].update(plots=["curve.png"], setting="the same experiment")
    shown = embed_figures(claims, [tmp_path, tmp_path / "runs"])
    assert shown[4]["figure_uris"] == [] and shown[4]["figure_shown_with"] == ["claim-0"]  # in once
    assert shown[0]["figure_uris"] == ["data:image/png;base64," + png]
    assert shown[1]["figure_uris"][0].startswith(
        "data:image/svg+xml;base64,"
    )  # an <img>: its script never runs
    assert shown[2]["figure_uris"] == [] and "missing.png: not found" in shown[2]["setting"]
    assert shown[3] == claims[3]
    html = render_report(None, shown)
    assert html.count(png) == 1
    assert 'shown with <a href="#claim-claim-0">claim-0</a>' in html
    card = html.split('id="claim-claim-0"', 1)[1].split("</article>", 1)[0]
    assert '<img src="data:image/png;base64,' in card and "3 seeds × 12 epochs on digits" in card
    assert "window.__owned=4" not in html


def test_json_for_script_cannot_close_the_script():
    text = json_for_script({"a": "</script><!-- & -->"})
    assert "</" not in text and "<!--" not in text and json.loads(text) == {"a": "</script><!-- & -->"}


def test_report_round_trips_through_saved_results(tmp_path):
    folder = tmp_path / "r"
    folder.mkdir()
    (folder / "comparison.json").write_text(json.dumps(synthetic_comparison()))
    (folder / "claims.json").write_text(json.dumps(synthetic_claims()))
    (folder / "lessons.json").write_text(json.dumps(synthetic_lessons()))
    outcome = build_report(tmp_path / "out", from_results=folder)
    html = outcome.path.read_text(encoding="utf-8")
    assert "claim-3" in html and synthetic_comparison()["architecture"] in html
    assert 'data-frames="moons/relu"' in html
    assert any(f"{len(VERDICTS)} claims" in line for line in outcome.summary)


@pytest.fixture
def fake_lab(monkeypatch):
    """The lab's entry points replaced, to test how the report handles what they do."""
    lab = pytest.importorskip("actlab.lab")
    claims_module = pytest.importorskip("actlab.lab.claims")

    def install(compare, run_claims, lessons=lambda *a, **k: synthetic_lessons()):
        monkeypatch.setattr(lab, "compare", compare)
        monkeypatch.setattr(claims_module, "run_claims", run_claims)
        monkeypatch.setattr(L, "compute", lessons)

    return install


def test_a_failing_part_keeps_the_others_and_is_logged(tmp_path, fake_lab):
    def broken(**kwargs):
        raise RuntimeError("out of coffee")

    fake_lab(broken, lambda budget, **kwargs: synthetic_claims())
    outcome = build_report(tmp_path, budget="tiny", progress=False)
    assert outcome.failed == ["comparison"]
    html = outcome.path.read_text(encoding="utf-8")
    assert "out of coffee" in html and "claim-3" in html
    assert "RuntimeError: out of coffee" in (tmp_path / "errors.log").read_text()
    assert json.loads((tmp_path / "claims.json").read_text()) == synthetic_claims()
    assert json.loads((tmp_path / "lessons.json").read_text())["settings"]
    assert not (tmp_path / "comparison.json").exists()


def test_a_missing_extra_is_a_note_not_a_failure(tmp_path, fake_lab):
    def no_sklearn(**kwargs):
        raise al.MissingExtraError("scikit-learn", "lab", "the digits dataset")

    fake_lab(no_sklearn, lambda budget, **kwargs: synthetic_claims())
    outcome = build_report(tmp_path, budget="tiny", progress=False)
    assert outcome.failed == []
    assert "pip install &#x27;actlab[lab]&#x27;" in outcome.path.read_text(encoding="utf-8")


def test_the_budget_sets_the_comparison(tmp_path, fake_lab):
    from actlab.lab.claims import budget_named

    seen = {}

    def record(**kwargs):
        seen.update(kwargs)
        return synthetic_comparison()

    def lessons(folder, **kwargs):
        seen["quick"] = kwargs["quick"]
        return synthetic_lessons()

    fake_lab(record, lambda budget, **kwargs: seen.setdefault("claims_budget", budget.name) and [], lessons)
    build_report(tmp_path, budget="tiny", progress=False)
    b = budget_named("tiny")
    assert (seen["seeds"], seen["epochs"], seen["max_train"]) == (b.seeds, b.epochs, b.max_train)
    assert seen["claims_budget"] == "tiny" and seen["results"] == tmp_path / "comparison-runs.jsonl"
    assert seen["quick"] is True
    with pytest.raises(al.ParameterError, match="budget"):
        build_report(tmp_path, budget="huge", progress=False)


def test_results_the_page_cannot_read_are_saved_all_the_same(tmp_path, fake_lab):
    odd = synthetic_claims()
    odd[0]["verdict"] = "a verdict the page does not know"
    fake_lab(lambda **kwargs: synthetic_comparison(), lambda budget, **kwargs: odd)
    outcome = build_report(tmp_path, budget="tiny", progress=False)
    assert outcome.failed == ["claims"]
    assert json.loads((tmp_path / "claims.json").read_text()) == odd  # minutes of work kept


def test_report_refuses_results_of_the_wrong_shape(tmp_path):
    (tmp_path / "comparison.json").write_text('{"dataset": "x"}')
    with pytest.raises(al.ParameterError, match="cannot be read as comparison"):
        build_report(tmp_path / "out", from_results=tmp_path)


def test_the_output_folder_is_checked_before_any_work(tmp_path, fake_lab):
    def never(**kwargs):
        raise AssertionError("the lab ran although the output cannot be written")

    fake_lab(never, never, never)
    (tmp_path / "a-file").write_text("keep me")
    with pytest.raises(al.ParameterError, match="not a folder"):
        build_report(tmp_path / "a-file", budget="tiny")
    assert (tmp_path / "a-file").read_text() == "keep me"


def test_the_lessons_run_and_fold_a_linear_network(tmp_path):
    """The quick form of the explainer's experiments, for real: frames per epoch, a linear
    network that is one affine map, gradients that shrink with depth under the sigmoid."""
    cells = [
        c
        for c in L.cells(quick=True)
        if c["activation"] in ("linear", "sigmoid", "relu")
        and c["dataset"] == L.PLANES[0]
        and c["kind"] in ("learn", "depth")
    ]
    runs = {(c["kind"], c["activation"]): L.lesson_cell(c) for c in cells}
    linear = runs[("learn", "linear")]
    assert len(linear["frames"]) == L.QUICK_EPOCHS["learn"] + 1
    assert linear["one_map_deviation"] < 1e-12
    assert base64.b64decode(linear["frames"][0])[:8] == b"\x89PNG\r\n\x1a\n"
    sigmoid = runs[("depth", "sigmoid")]["grad_norm"]
    relu = runs[("depth", "relu")]["grad_norm"]
    assert sigmoid[0] / sigmoid[-1] < 1e-2 < relu[0] / relu[-1]


# ------------------------------------------------------------------------- in a real browser
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
BROWSER_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def playwright():
    """One Playwright driver for the module (its sync API allows one at a time)."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (Debian: apt-get install chromium): browser tests skipped")
    with sync_api.sync_playwright() as p:
        yield p


@contextlib.contextmanager
def opened(playwright, path: Path, *, width: int = 1280, height: int = 900, scripts: bool = True):
    """The page at ``path`` in headless Chromium with a fresh profile: (tab, problems, requests),
    where problems collects console errors and warnings, uncaught exceptions and dialogs."""
    problems, requests = [], []
    with tempfile.TemporaryDirectory() as profile:
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            args=BROWSER_ARGS,
            viewport={"width": width, "height": height},
            java_script_enabled=scripts,
        )
        tab = context.new_page()
        tab.on(
            "console",
            lambda m: problems.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None,
        )
        tab.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        tab.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
        tab.on("request", lambda r: requests.append(r.url))
        try:
            tab.goto(path.as_uri())
            if scripts:
                tab.wait_for_selector("body[data-ready=true]", timeout=30_000)
            yield tab, problems, requests
        finally:
            context.close()


@pytest.fixture(scope="module")
def page_file(tmp_path_factory, page) -> Path:
    path = tmp_path_factory.mktemp("report") / "report.html"
    path.write_text(page, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def browser_page(page_file, playwright):
    with opened(playwright, page_file) as opened_page:
        yield opened_page


def test_browser_no_errors_no_network_no_injection(browser_page):
    tab, problems, requests = browser_page
    assert problems == []
    assert all(url.startswith("file://") for url in requests), requests
    assert tab.evaluate("window.__owned") is None


def test_browser_draws_every_card(browser_page):
    tab, _, _ = browser_page
    cards = tab.eval_on_selector_all("article.card", "els => els.map(e => e.dataset.activation)")
    assert sorted(cards) == al.names()
    drawn = tab.eval_on_selector_all(
        "article.card", "els => els.filter(e => e.querySelector('path[data-series=f]')).length"
    )
    assert drawn == len(al.names())


def _grid(d) -> np.ndarray:
    """Points to check a curve at: dense near 0 and the kinks, out to ±40 (exp under- and
    overflow), and the kinks themselves (where f' is a convention)."""
    kinks = [k for k in d.kinks_for({p.name: p.default for p in d.params}) if math.isfinite(k)]
    return np.unique(
        np.concatenate(
            [np.linspace(-8, 8, 161), np.geomspace(1e-8, 40, 40), -np.geomspace(1e-8, 40, 40), kinks, [0.0]]
        )
    )


LIVE = [d.name for d in al.definitions() if d.elementwise and d.name != "squareplus"]


def _accepts(name: str, params: dict) -> bool:
    try:
        al.get(name, **params)
        return True
    except al.ParameterError:
        return False


@pytest.mark.parametrize("name", LIVE)
def test_browser_live_curves_are_the_python_definition(browser_page, name):
    """The JavaScript the page runs (emitted from the traced definition) gives what Python gives,
    at the default parameters and at another slider value."""
    tab, problems, _ = browser_page
    d = al.lookup(name)
    entry = tab.evaluate(
        "n => JSON.parse(document.getElementById('actlab-data').textContent).gallery.find(e => e.name === n)",
        name,
    )
    assert entry["mode"] == "live"
    x = _grid(d)
    settings = [{}]
    if entry["sliders"]:
        s = entry["sliders"][0]
        for k in (s["default_index"] + 37, s["default_index"] - 37):  # whichever the check accepts
            value = s["min"] + k * s["step"]
            if 0 <= k < s["count"] and _accepts(name, {s["name"]: value}):
                settings.append({s["name"]: value})
                break
    for params in settings:
        got = tab.evaluate("([n, p, xs]) => actlab.evaluate(n, p, xs)", [name, params, x.tolist()])
        act = al.get(name, **params)
        with np.errstate(all="ignore"):
            y, dy = np.asarray(act(x)), np.asarray(act.derivative(x))
        for js, py in ((got["y"], y), (got["dy"], dy)):
            js = np.array([np.nan if v is None else v for v in js], dtype=float)
            np.testing.assert_allclose(js, py, rtol=1e-12, atol=1e-300, err_msg=f"{name} {params}")
    assert problems == []


def test_browser_elementary_functions_are_accurate(browser_page):
    """erfc (actlab.core.special's algorithm, in JavaScript) within that module's bound of 40-digit
    arithmetic over its whole range; the browser's own exp, expm1, log1p, tanh, cosh, sqrt and
    hypot within 2 ulp."""
    from actlab.core.special import ULP_BOUND

    mpmath = pytest.importorskip("mpmath")
    tab, _, _ = browser_page
    mpmath.mp.dps = 40
    x = np.concatenate(
        [
            np.linspace(-6, 27, 1201),
            np.geomspace(1e-20, 1, 60),
            -np.geomspace(1e-20, 1, 60),
            [1.0, np.nextafter(1.0, 2.0), -1.0, 6.0, 26.5, 27.3],
        ]
    )
    cases = {
        "erfc": (lambda v: mpmath.erfc(v), x),
        "exp": (mpmath.exp, np.linspace(-700, 700, 401)),
        "expm1": (mpmath.expm1, np.linspace(-30, 30, 401)),
        "log1p": (mpmath.log1p, np.geomspace(1e-15, 1e10, 401)),
        "tanh": (mpmath.tanh, np.linspace(-20, 20, 401)),
        "cosh": (mpmath.cosh, np.linspace(-700, 700, 401)),
        "sqrt": (mpmath.sqrt, np.geomspace(1e-300, 1e300, 401)),
    }
    for fn, (exact, xs) in cases.items():
        got = np.array(tab.evaluate(f"xs => xs.map(v => actlab.math.{fn}(v))", xs.tolist()), dtype=float)
        want = np.array([float(exact(mpmath.mpf(float(v)))) for v in xs])
        ok = want != 0
        ulps = np.abs(got[ok] - want[ok]) / np.spacing(np.abs(want[ok]))
        bound = ULP_BOUND if fn == "erfc" else 2
        assert ulps.max() <= bound, f"{fn}: {ulps.max():.1f} ulp at x = {xs[ok][np.argmax(ulps)]}"
    pairs = np.random.default_rng(0).lognormal(0, 20, (200, 2))
    got = np.array(tab.evaluate("ps => ps.map(([a, b]) => actlab.math.hypot(a, b))", pairs.tolist()))
    want = np.array([float(mpmath.hypot(a, b)) for a, b in pairs])
    assert (np.abs(got - want) / np.spacing(want)).max() <= 2
    assert tab.evaluate(
        "[Number.isNaN(actlab.math.erfc(NaN)), actlab.math.erfc(Infinity), actlab.math.erfc(-Infinity)]"
    ) == [True, 0, 2]


SLIDERS = [
    d.name
    for d in al.definitions()
    if d.elementwise and d.name != "squareplus" and any(p.choices is None and not p.integer for p in d.params)
]


@pytest.mark.parametrize("name", SLIDERS)
def test_browser_sliders_are_continuous(browser_page, name):
    """A slider moves in hundreds of steps, not through a few precomputed values; one step moves
    the parameter by one step, and the page then draws what Python computes at that value."""
    tab, problems, _ = browser_page
    card = tab.locator(f'article[data-activation="{name}"]')
    card.scroll_into_view_if_needed()
    slider = card.locator("input[type=range]").first
    param = slider.get_attribute("data-param")
    step = float(slider.get_attribute("step"))
    assert (float(slider.get_attribute("max")) - float(slider.get_attribute("min"))) / step >= 99
    start = tab.evaluate("n => actlab.state(n).params", name)
    slider.press(
        "ArrowRight"
        if float(slider.input_value()) < float(slider.get_attribute("max")) - 1e-9
        else "ArrowLeft"
    )
    now = tab.evaluate("n => actlab.state(n).params", name)
    assert abs(now[param] - start[param]) == pytest.approx(step, rel=1e-6)
    if _accepts(name, now):
        x = np.linspace(-4, 4, 81)
        got = tab.evaluate("([n, p, xs]) => actlab.evaluate(n, p, xs)", [name, now, x.tolist()])
        np.testing.assert_allclose(
            np.array(got["y"], dtype=float), al.get(name, **now)(x), rtol=1e-12, atol=1e-300
        )
    else:  # hard_tanh with min_val ≥ max_val: the card says so, as Python would refuse it
        assert "does not accept" in card.locator(".plot-error").inner_text()
    assert problems == []


def test_browser_zoom_and_pan(browser_page):
    tab, problems, _ = browser_page
    card = tab.locator('article[data-activation="elu"]')
    card.scroll_into_view_if_needed()
    label = card.locator(".zoom span")
    assert label.inner_text() == "x from −5 to 5"
    card.locator('button[data-zoom="+"]').click()
    assert label.inner_text() == "x from −2.5 to 2.5"
    ticks = card.locator(".plot svg text").evaluate_all("els => els.map(e => e.textContent)")
    assert "2" in ticks and "4" not in ticks
    card.locator('button[data-zoom="−"]').click()
    card.locator('button[data-zoom="−"]').click()
    card.locator('button[data-zoom="−"]').click()
    assert label.inner_text() == "x from −20 to 20"  # live curves exist at any x
    box = card.locator(".plot").bounding_box()
    tab.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    tab.mouse.down()
    tab.mouse.move(box["x"] + box["width"] / 2 - 100, box["y"] + box["height"] / 2, steps=4)
    tab.mouse.up()
    low, high = tab.evaluate("actlab.state('elu').domain")
    assert low > -20 and high - low == pytest.approx(40, rel=1e-9)  # dragged left: the view moved right
    card.locator('button[data-zoom="reset"]').click()
    assert label.inner_text() == "x from −5 to 5"
    # Sampled curves stay within what was sampled.
    softmax = tab.locator('article[data-activation="softmax"]')
    for _ in range(4):
        softmax.locator('button[data-zoom="−"]').click()
    assert softmax.locator(".zoom span").inner_text() == "x from −5 to 5"
    assert problems == []


@pytest.fixture
def no_filter(browser_page):
    """The gallery unfiltered after the test, whatever it did."""
    yield
    browser_page[0].locator("#gallery-filter").fill("")


def test_browser_filter_hides_what_does_not_match(browser_page, no_filter):
    tab, problems, _ = browser_page
    box = tab.locator("#gallery-filter")
    box.fill("shrink")
    visible = tab.eval_on_selector_all(
        "article.card", "els => els.filter(e => e.offsetParent !== null).map(e => e.dataset.activation)"
    )
    expected = sorted(n for n in al.names() if "shrink" in n or "shrink" in al.lookup(n).family)
    assert sorted(visible) == expected
    assert (
        f"{len(expected)} of {len(al.names())} activations match" in tab.locator("#filter-count").inner_text()
    )
    groups = tab.eval_on_selector_all(
        ".family-group", "els => els.filter(e => e.offsetParent !== null).length"
    )
    assert groups == 1
    box.fill("silu")  # aliases count: swish is silu, hard_swish hard_silu
    assert sorted(
        tab.eval_on_selector_all(
            "article.card", "els => els.filter(e => e.offsetParent !== null).map(e => e.dataset.activation)"
        )
    ) == ["hard_swish", "swish"]
    box.fill("")
    assert tab.eval_on_selector_all(
        "article.card", "els => els.filter(e => e.offsetParent !== null).length"
    ) == len(al.names())
    assert problems == []


def test_browser_overlay_and_sorting(browser_page):
    tab, problems, _ = browser_page
    overlay = tab.locator("#overlay-plot")
    assert sorted(
        overlay.locator("path[data-series]").evaluate_all("els => els.map(e => e.dataset.series)")
    ) == sorted(L.CLASSICS)
    tab.locator('[data-overlay="elu"]').check()
    assert overlay.locator('path[data-series="elu"]').count() == 1
    tab.locator('[data-overlay="elu"]').uncheck()
    table = tab.locator("table.props-table")
    table.locator("th", has_text="year").click()
    years = [int(y) for y in table.locator("tbody tr td:last-child").all_inner_texts()]
    assert years == sorted(years)
    assert problems == []


def test_browser_learning_animation_plays_and_scrubs(browser_page):
    tab, problems, _ = browser_page
    plane = tab.locator('.plane[data-plane="moons"]')
    plane.scroll_into_view_if_needed()
    image = plane.locator('image[data-frames="moons/relu"]')
    frames = tab.evaluate("JSON.parse(document.getElementById('actlab-data').textContent).learn.moons.relu")
    assert image.get_attribute("href") == frames[-1]
    scrub = plane.locator("[data-scrub]")
    scrub.fill("0")
    assert image.get_attribute("href") == frames[0]
    assert "before training" in plane.locator("[data-epoch]").inner_text()
    marker = plane.locator("line.marker")
    at_zero = float(marker.get_attribute("x1"))
    plane.locator("[data-play]").click()
    tab.wait_for_function(
        "() => document.querySelector('.plane[data-plane=moons] [data-scrub]').value === "
        "document.querySelector('.plane[data-plane=moons] [data-scrub]').max",
        timeout=10_000,
    )
    assert image.get_attribute("href") == frames[-1] and float(marker.get_attribute("x1")) > at_zero
    assert "▶" in plane.locator("[data-play]").inner_text()
    assert problems == []


def test_browser_comparison_colours_only_the_selection(browser_page):
    tab, problems, _ = browser_page
    chart = tab.locator('[data-chart="train_loss"]')
    classes = chart.locator("path[data-series]").evaluate_all(
        "els => Object.fromEntries(els.map(e => [e.dataset.series, e.getAttribute('class')]))"
    )
    coloured = {n for n, c in classes.items() if "other" not in c}
    assert "relu" in coloured and len(coloured) < len(classes)
    other = next(n for n in classes if n not in coloured)
    tab.locator(f'#comparison-picker .chip[data-pick="{other}"]').click()
    assert "other" not in chart.locator(f'path[data-series="{other}"]').get_attribute("class")
    assert "other" not in tab.locator(f'.plot-forest g[data-series="{other}"]').get_attribute("class")
    tab.locator(f'#comparison-picker .chip[data-pick="{other}"]').click()
    assert "other" in chart.locator(f'path[data-series="{other}"]').get_attribute("class")
    assert problems == []


def test_browser_claims_filter_by_verdict(browser_page):
    tab, problems, _ = browser_page
    visible = lambda: tab.eval_on_selector_all(  # noqa: E731
        "#claims .claim", "els => els.filter(e => e.offsetParent !== null).map(e => e.dataset.verdict)"
    )
    everything = visible()
    verdict = everything[0]
    button = tab.locator(f'#claims [data-filter="{verdict}"]')
    button.click()
    assert set(visible()) == {verdict}
    button.click()
    assert visible() == everything
    assert problems == []


def test_browser_desktop_screenshots(browser_page):
    tab, _, _ = browser_page
    ARTIFACTS.mkdir(exist_ok=True)
    for section in ("why", "learn", "gallery", "comparison", "claims"):
        tab.locator(f"#{section} > h2").scroll_into_view_if_needed()
        tab.screenshot(path=str(ARTIFACTS / f"report-{section}.png"))
    assert (ARTIFACTS / "report-gallery.png").stat().st_size > 20_000


def test_browser_phone_layout_has_no_sideways_scroll(page_file, playwright):
    with opened(playwright, page_file, width=390, height=844) as (tab, problems, _):
        widths = tab.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert widths[0] <= widths[1], f"the page is {widths[0]} px wide on a {widths[1]} px screen"
        wide = tab.evaluate("""() => [...document.querySelectorAll('body *')].filter(e => {
            const r = e.getBoundingClientRect();
            // Inside an SVG, shapes beyond the viewBox are clipped, not laid out: the SVG itself counts.
            return r.width > 0 && (r.right > innerWidth + 1 || r.left < -1) && !e.closest('.table-wrap, .formulas, nav')
                && !(e.closest('svg') && e.tagName.toLowerCase() !== 'svg');
        }).map(e => e.tagName + '.' + e.className).slice(0, 5)""")
        assert wide == []
        ARTIFACTS.mkdir(exist_ok=True)
        tab.screenshot(path=str(ARTIFACTS / "report-phone.png"))
        assert problems == []


def test_browser_with_scripts_off_every_figure_is_there(page_file, playwright):
    with opened(playwright, page_file, scripts=False) as (tab, problems, _):
        assert tab.locator("body[data-ready]").count() == 0  # the script really did not run
        drawn = tab.eval_on_selector_all(
            "article.card", "els => els.filter(e => e.querySelector('svg path.series.f')).length"
        )
        assert drawn == len(al.names())
        assert tab.locator("#why svg").count() >= 6 and tab.locator("#learn image").count() >= 20
        assert tab.locator("#comparison [data-chart] svg path[data-series]").count() > 0
        assert tab.locator("#overlay-plot svg path.series").count() == len(L.CLASSICS)
        assert problems == []


# ------------------------------------------------------------------------- end to end, tiny budget
@pytest.fixture(scope="module")
def real_report(tmp_path_factory):
    """``actlab report --budget tiny``, run as a user would, with the lab's real experiments."""
    pytest.importorskip("actlab.lab.claims", reason="the lab is not part of this installation")
    pytest.importorskip("sklearn", reason="the lab extra is not installed")
    base = tmp_path_factory.mktemp("e2e")
    folder = base / "out"
    run = subprocess.run(
        [sys.executable, "-m", "actlab.cli", "report", "--budget", "tiny", "-o", str(folder)],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=base,
        env={**__import__("os").environ, "COLUMNS": "80"},
    )
    return run, folder


def test_report_end_to_end(real_report):
    run, folder = real_report
    assert run.returncode == 0, run.stderr
    comparison = json.loads((folder / "comparison.json").read_text())
    claims = json.loads((folder / "claims.json").read_text())
    check_comparison(comparison)
    check_claims(claims)
    assert all("per_seed" in row for row in comparison["rows"])
    html = (folder / "report.html").read_text(encoding="utf-8")
    for row in comparison["rows"]:
        assert f'href="#act-{row["activation"]}"' in html
    assert html.count('class="claim"') == len(claims)
    assert claims_line(claims) in " ".join(run.stdout.split()) and "wrote" in run.stdout
    assert all(len(line) <= 80 for line in run.stdout.splitlines() if str(folder) not in line)
    # Not on a terminal: timestamped stage lines, none of them redrawn.
    assert re.search(r"^\d\d:\d\d:\d\d comparing activations", run.stderr, re.M)
    assert "\r" not in run.stderr


def test_report_end_to_end_in_the_browser(real_report, playwright):
    run, folder = real_report
    assert run.returncode == 0, run.stderr
    with opened(playwright, folder / "report.html") as (tab, problems, requests):
        assert problems == []
        assert all(url.startswith("file://") for url in requests)
        assert tab.locator(".plane image").count() == len(L.PLANES) * len(L.CLASSICS)
        ARTIFACTS.mkdir(exist_ok=True)
        tab.screenshot(path=str(ARTIFACTS / "report-top.png"))
