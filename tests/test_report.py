"""The HTML report: its data contract, its escaping, and the page working in a real browser."""
from __future__ import annotations

import contextlib
import json
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
from actlab.viz.report.build import build_report, terminal_summary
from actlab.viz.report.contract import VERDICTS, mean_std_text
from actlab.viz.report.markup import json_for_script
from actlab.viz.report.summary import claims_line, comparison_lines

HOSTILE = '<script>window.__owned = 1</script><img src=x onerror="window.__owned = 2">'
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


def synthetic_comparison(n: int = 6, epochs: int = 12, layers: int = 3, seed: int = 0) -> dict:
    """Results shaped as the lab writes them, for activations taken from the registry."""
    rng = np.random.default_rng(seed)
    names = [i.name for i in al.catalog() if "hidden" in i.uses and i.elementwise][:n]
    rows, curves, per_layer = [], {}, {}
    for k, name in enumerate(names):
        metric = lambda mean, std: {"mean": float(mean), "std": float(std)}  # noqa: E731
        rows.append({"activation": name, "metrics": {
            "test_accuracy": metric(0.90 + 0.015 * k, 0.004 + 0.002 * rng.random()),
            "final_train_loss": metric(0.3 / (k + 1), 0.01),
            "epochs_to_target": {"mean": None, "std": None} if k == 0 else metric(10 - k, 1),
            "wall_time_s": metric(1 + rng.random(), 0.1),
            "dead_fraction": metric(0.05 * k, 0.01), "grad_ratio": metric(10.0 ** (k - 2), 0.1)}})
        e = np.arange(1, epochs + 1)
        loss = np.exp(-e / (2 + k)) + 0.05
        curves[name] = {"epoch": e.tolist(), "train_loss_mean": loss.tolist(),
                        "train_loss_std": (0.05 * loss).tolist(),
                        "val_accuracy_mean": (1 - 0.8 * loss).tolist(),
                        "val_accuracy_std": [0.01] * epochs}
        per_layer[name] = {"dead_fraction": np.linspace(0, 0.1 * k, layers).tolist(),
                           "grad_norm": (10.0 ** -np.arange(layers)).tolist()}
    return {"dataset": "digits", "architecture": "64-32-32-10", "seeds": [0, 1, 2], "rows": rows,
            "curves": curves, "per_layer": per_layer}


def synthetic_claims() -> list[dict]:
    return [{"id": f"claim-{k}", "statement": f"statement {k}", "source": "000_d14a610ce6b66109.txt",
             "check": f"check {k}", "figures": {"ratio": 1.5 + k, "note": "text"}, "verdict": v,
             "explanation": f"because {k}"} for k, v in enumerate(VERDICTS)]


# ------------------------------------------------------------------------- contract
@pytest.mark.parametrize("break_it, message", [
    (lambda c: c.pop("rows"), "'rows'"),
    (lambda c: c["rows"][0]["metrics"]["test_accuracy"].pop("std"), "'mean' and 'std'"),
    (lambda c: c["curves"][next(iter(c["curves"]))].pop("epoch"), "lacks epoch"),
    (lambda c: c["per_layer"][next(iter(c["per_layer"]))].pop("grad_norm"), "lack grad_norm"),
    (lambda c: c.__setitem__("dataset", 3), "'dataset' as a str"),
])
def test_comparison_contract_names_what_is_wrong(break_it, message):
    c = synthetic_comparison()
    check_comparison(c)
    break_it(c)
    with pytest.raises(ReportDataError, match=re.escape(message)):
        check_comparison(c)


@pytest.mark.parametrize("break_it, message", [
    (lambda c: c[0].pop("verdict"), "lacks verdict"),
    (lambda c: c[1].__setitem__("verdict", "probably"), "'probably'"),
    (lambda c: c[2].__setitem__("figures", [1, 2]), "'figures' must be an object"),
])
def test_claims_contract_names_what_is_wrong(break_it, message):
    c = synthetic_claims()
    check_claims(c)
    break_it(c)
    with pytest.raises(ReportDataError, match=re.escape(message)):
        check_claims(c)


@pytest.mark.parametrize("m, text", [
    ({"mean": 0.96712, "std": 0.0081}, "0.9671 ± 0.0081"),
    ({"mean": 12.0, "std": 1.26}, "12.0 ± 1.3"),
    ({"mean": 0.5, "std": 0.0}, "0.5"),
    ({"mean": None, "std": None}, "—"),
    ({"mean": float("nan"), "std": 1.0}, "—"),
])
def test_mean_std_text(m, text):
    assert mean_std_text(m) == text


def test_summary_names_the_measured_best_and_the_verdicts():
    c = synthetic_comparison()
    best = max(c["rows"], key=lambda r: r["metrics"]["test_accuracy"]["mean"])
    worst = min(c["rows"], key=lambda r: r["metrics"]["test_accuracy"]["mean"])
    line = next(l for l in comparison_lines(c) if l.startswith("test accuracy"))
    assert f"best {best['activation']}" in line and f"worst {worst['activation']}" in line
    assert claims_line(synthetic_claims()) == "4 claims: 1 supported, 1 not supported, 1 inconclusive, 1 erratum"
    text = "\n".join(terminal_summary(c, synthetic_claims(), {}))
    order = [text.index(r["activation"] + " ") for r in sorted(
        c["rows"], key=lambda r: -r["metrics"]["test_accuracy"]["mean"])]
    assert order == sorted(order), "the terminal table lists the best first"


# ------------------------------------------------------------------------- the page as text
class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


@pytest.fixture(scope="module")
def page() -> str:
    c = synthetic_comparison()
    c["dataset"] = HOSTILE
    claims = synthetic_claims()
    claims[0]["statement"] = HOSTILE
    claims[1]["figures"] = {HOSTILE: HOSTILE}
    return render_report(c, claims, run={"command": HOSTILE})


def test_page_is_self_contained(page):
    tags = _Collector()
    tags.feed(page)
    for tag, attrs in tags.tags:
        assert not (tag == "script" and "src" in attrs), "scripts are inlined"
        assert tag != "link", "styles are inlined"
        assert not (tag == "img" and not attrs.get("src", "data:").startswith("data:"))
    assert "Content-Security-Policy" in page and "default-src 'none'" in page


def test_user_text_is_escaped_everywhere(page):
    assert HOSTILE not in page
    assert page.count("&lt;script&gt;window.__owned") >= 4  # dataset, statement, figure, run info
    data = page.split('id="actlab-data">', 1)[1].split("</script>", 1)[0]
    assert "<" not in data and json.loads(data)["comparison"]["dataset"] == HOSTILE


def test_every_activation_has_a_card_and_a_table_row(page):
    for name in al.names():
        assert f'id="act-{name}"' in page and f'href="#act-{name}"' in page


def test_sections_say_why_they_are_missing():
    html = render_report(None, None, notes={"comparison": "no lab here", "claims": "not today"})
    assert "no lab here" in html and html.count("not today") == 2  # claims and errata
    assert json.loads(html.split('id="actlab-data">', 1)[1].split("</script>", 1)[0])["comparison"] is None


def test_errata_are_listed_apart_from_the_claims(page):
    claims_part = page.split('id="claims"', 1)[1].split('id="errata"', 1)[0]
    errata_part = page.split('id="errata"', 1)[1]
    assert 'data-verdict="erratum"' not in claims_part and 'data-verdict="erratum"' in errata_part


def test_json_for_script_cannot_close_the_script():
    text = json_for_script({"a": "</script><!-- & -->"})
    assert "</" not in text and "<!--" not in text and json.loads(text) == {"a": "</script><!-- & -->"}


def test_report_round_trips_through_saved_results(tmp_path):
    folder = tmp_path / "r"
    folder.mkdir()
    (folder / "comparison.json").write_text(json.dumps(synthetic_comparison()))
    (folder / "claims.json").write_text(json.dumps(synthetic_claims()))
    outcome = build_report(tmp_path / "out", from_results=folder)
    html = outcome.path.read_text(encoding="utf-8")
    assert "claim-3" in html and synthetic_comparison()["architecture"] in html
    assert any("4 claims" in line for line in outcome.summary)


@pytest.fixture
def fake_lab(monkeypatch):
    """The lab's two entry points replaced, to test how the report handles what they do."""
    lab = pytest.importorskip("actlab.lab")
    claims_module = pytest.importorskip("actlab.lab.claims")

    def install(compare, run_claims):
        monkeypatch.setattr(lab, "compare", compare)
        monkeypatch.setattr(claims_module, "run_claims", run_claims)

    return install


def test_a_failing_part_keeps_the_other_and_is_logged(tmp_path, fake_lab):
    def broken(**kwargs):
        raise RuntimeError("out of coffee")

    fake_lab(broken, lambda budget, **kwargs: synthetic_claims())
    outcome = build_report(tmp_path, budget="tiny")
    assert outcome.failed == ["comparison"]
    html = outcome.path.read_text(encoding="utf-8")
    assert "out of coffee" in html and "claim-3" in html
    assert "RuntimeError: out of coffee" in (tmp_path / "errors.log").read_text()
    assert json.loads((tmp_path / "claims.json").read_text()) == synthetic_claims()
    assert not (tmp_path / "comparison.json").exists()


def test_a_missing_extra_is_a_note_not_a_failure(tmp_path, fake_lab):
    def no_sklearn(**kwargs):
        raise al.MissingExtraError("scikit-learn", "lab", "the digits dataset")

    fake_lab(no_sklearn, lambda budget, **kwargs: synthetic_claims())
    outcome = build_report(tmp_path, budget="tiny")
    assert outcome.failed == []
    assert "pip install &#x27;actlab[lab]&#x27;" in outcome.path.read_text(encoding="utf-8")


def test_the_budget_sets_the_comparison(tmp_path, fake_lab):
    from actlab.lab.claims import budget_named

    seen = {}

    def record(**kwargs):
        seen.update(kwargs)
        return synthetic_comparison()

    fake_lab(record, lambda budget, **kwargs: seen.setdefault("claims_budget", budget.name) and [])
    build_report(tmp_path, budget="tiny")
    b = budget_named("tiny")
    assert (seen["seeds"], seen["epochs"], seen["max_train"]) == (b.seeds, b.epochs, b.max_train)
    assert seen["claims_budget"] == "tiny" and seen["results"] == tmp_path / "comparison-runs.jsonl"
    with pytest.raises(al.ParameterError, match="budget"):
        build_report(tmp_path, budget="huge")


def test_report_refuses_results_of_the_wrong_shape(tmp_path):
    (tmp_path / "comparison.json").write_text('{"dataset": "x"}')
    with pytest.raises(al.ParameterError, match="cannot be read as comparison"):
        build_report(tmp_path / "out", from_results=tmp_path)


# ------------------------------------------------------------------------- in a real browser
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
BROWSER_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def playwright():
    """One Playwright driver for the module (its sync API allows one at a time)."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (Debian: apt-get install chromium)")
    with sync_api.sync_playwright() as p:
        yield p


@contextlib.contextmanager
def opened(playwright, path: Path):
    """The page at ``path`` in headless Chromium with a fresh profile: (tab, problems, requests),
    where problems collects console errors and warnings, uncaught exceptions and dialogs."""
    problems, requests = [], []
    with tempfile.TemporaryDirectory() as profile:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, args=BROWSER_ARGS, viewport={"width": 1280, "height": 900})
        tab = context.new_page()
        tab.on("console", lambda m: problems.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None)
        tab.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        tab.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
        tab.on("request", lambda r: requests.append(r.url))
        try:
            tab.goto(path.as_uri())
            tab.wait_for_selector("body[data-ready=true]", timeout=15_000)
            yield tab, problems, requests
        finally:
            context.close()


@pytest.fixture(scope="module")
def browser_page(tmp_path_factory, page, playwright):
    path = tmp_path_factory.mktemp("report") / "report.html"
    path.write_text(page, encoding="utf-8")
    with opened(playwright, path) as opened_page:
        yield opened_page


def test_browser_no_errors_no_network_no_injection(browser_page):
    tab, problems, requests = browser_page
    assert problems == []
    assert all(url.startswith("file://") for url in requests), requests
    assert tab.evaluate("window.__owned") is None


def test_browser_has_every_card_with_curves(browser_page):
    tab, _, _ = browser_page
    cards = tab.eval_on_selector_all("article.card", "els => els.map(e => e.dataset.activation)")
    assert cards == al.names()
    drawn = tab.eval_on_selector_all(
        "article.card", "els => els.filter(e => e.querySelector('path[data-series=f]')).length")
    assert drawn == len(al.names())


def _slider_cards():
    return [d.name for d in al.definitions() if any(p.choices is None and not p.integer for p in d.params)
            or not d.elementwise]


@pytest.mark.parametrize("name", _slider_cards())
def test_browser_slider_changes_the_plotted_values(browser_page, name):
    tab, problems, _ = browser_page
    card = tab.locator(f'article[data-activation="{name}"]')
    card.scroll_into_view_if_needed()
    before = card.locator("path[data-series=f]").get_attribute("d")
    slider = card.locator("input[type=range]").first
    start = slider.input_value()
    # A real key press on the focused slider, the way a keyboard user moves it.
    slider.press("ArrowRight" if int(start) < int(slider.get_attribute("max")) else "ArrowLeft")
    assert slider.input_value() != start
    after = card.locator("path[data-series=f]").get_attribute("d")
    shown = card.locator(".plot-error").count() > 0  # a rejected combination says why instead
    assert after != before or shown
    assert problems == []


def test_browser_overlay_and_sorting(browser_page):
    tab, problems, _ = browser_page
    overlay = tab.locator("#overlay-plot")
    start = overlay.locator("path[data-series]").count()
    extra = next(n for n in al.names() if not tab.locator(f'[data-overlay="{n}"]').is_checked())
    tab.locator(f'[data-overlay="{extra}"]').check()
    assert overlay.locator(f'path[data-series="{extra}"]').count() == 1
    assert overlay.locator("path[data-series]").count() == start + 1
    table = tab.locator("table.props-table")
    table.locator("th", has_text="year").click()
    years = [int(y) for y in table.locator("tbody tr td:last-child").all_inner_texts()]
    assert years == sorted(years) and years != [int(y) for y in _catalog_years()]
    assert problems == []


def _catalog_years():
    return [str(i.reference.year) for i in al.catalog()]


def test_browser_claims_filter_by_verdict(browser_page):
    tab, problems, _ = browser_page
    visible = lambda: tab.eval_on_selector_all(  # noqa: E731
        "#claims .claim", "els => els.filter(e => !e.hidden).map(e => e.dataset.verdict)")
    everything = visible()
    verdict = next(v for v in everything)
    button = tab.locator(f'#claims [data-filter="{verdict}"]')
    button.click()
    assert set(visible()) == {verdict}
    button.click()
    assert visible() == everything
    assert problems == []


def test_browser_comparison_charts_and_screenshot(browser_page):
    tab, problems, _ = browser_page
    rows = synthetic_comparison()["rows"]
    assert len(rows) > 4
    assert tab.locator('[data-chart="accuracy"] circle[data-point]').count() == len(rows)
    by_accuracy = sorted(rows, key=lambda r: -r["metrics"]["test_accuracy"]["mean"])
    featured = {r["activation"] for r in by_accuracy[:3] + by_accuracy[-1:]}
    for key in ("train_loss", "val_accuracy", "dead_fraction", "grad_norm"):
        drawn = tab.eval_on_selector_all(f'[data-chart="{key}"] path[data-series]',
                                         "els => els.map(e => e.dataset.series)")
        assert set(drawn) == featured, "the charts open on the three best and the worst"
    tab.locator(".legend button", has_text="all").first.click()
    assert tab.locator('[data-chart="train_loss"] path[data-series]').count() == len(rows)
    tab.locator(".legend button", has_text="none").first.click()
    assert tab.locator('[data-chart="train_loss"] path[data-series]').count() == 0
    tab.locator(".legend button", has_text="all").first.click()
    # Hover reads values off a chart.
    tab.locator('[data-chart="train_loss"] svg').hover()
    assert "epoch" in tab.locator("#tooltip").inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    tab.locator("#gallery").scroll_into_view_if_needed()
    tab.screenshot(path=str(ARTIFACTS / "report-gallery.png"))
    tab.locator("#comparison").scroll_into_view_if_needed()
    tab.screenshot(path=str(ARTIFACTS / "report-comparison.png"))
    assert (ARTIFACTS / "report-gallery.png").stat().st_size > 20_000
    assert problems == []


# ------------------------------------------------------------------------- end to end, tiny budget
@pytest.fixture(scope="module")
def real_report(tmp_path_factory):
    """``actlab report --budget tiny``, run as a user would, with the lab's real experiments."""
    pytest.importorskip("actlab.lab.claims", reason="the lab is not part of this installation")
    pytest.importorskip("sklearn", reason="the lab extra is not installed")
    folder = tmp_path_factory.mktemp("e2e") / "out"
    run = subprocess.run([sys.executable, "-m", "actlab.cli", "report", "--budget", "tiny", "-o", str(folder)],
                         capture_output=True, text=True, timeout=600)
    return run, folder


def test_report_end_to_end(real_report):
    run, folder = real_report
    assert run.returncode == 0, run.stderr
    comparison = json.loads((folder / "comparison.json").read_text())
    claims = json.loads((folder / "claims.json").read_text())
    check_comparison(comparison)
    check_claims(claims)
    html = (folder / "report.html").read_text(encoding="utf-8")
    for row in comparison["rows"]:
        assert f'href="#act-{row["activation"]}"' in html
    assert html.count('class="claim"') == len(claims)
    assert claims_line(claims) in run.stdout and "wrote" in run.stdout
    best = max(comparison["rows"], key=lambda r: r["metrics"]["test_accuracy"]["mean"])
    assert run.stdout.splitlines()[3].startswith(best["activation"]), "best first in the summary"


def test_report_end_to_end_in_the_browser(real_report, playwright):
    run, folder = real_report
    assert run.returncode == 0, run.stderr
    with opened(playwright, folder / "report.html") as (tab, problems, requests):
        assert problems == []
        assert all(url.startswith("file://") for url in requests)
        assert tab.locator('[data-chart="accuracy"] circle[data-point]').count() == len(
            json.loads((folder / "comparison.json").read_text())["rows"])
        ARTIFACTS.mkdir(exist_ok=True)
        tab.screenshot(path=str(ARTIFACTS / "report-top.png"))
