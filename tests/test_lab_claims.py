"""The claims checker: transcription checks can go either way; the run produces the report's shape."""
import json

import numpy as np
import pytest

import actlab as al
from actlab.lab.claims import BUDGETS, CLAIMS, Context, run_claims
from actlab.lab.claims.core import S000, S001, S002, S003, S004
from actlab.lab.claims.formulas import TRANSCRIPTIONS, Transcription, check
from actlab.lab.verdicts import VERDICTS

KEYS = {"id", "statement", "source", "check", "figures", "verdict", "explanation"}
FORMULA_IDS = [c.id for c in CLAIMS if not c.needs_network]


def _sigmoid(x):
    return al.sigmoid(x)


@pytest.mark.parametrize("seed, code, expected", [
    (lambda x: 1 / (1 + np.exp(-x)), False, "supported"),
    (lambda x: 1 / (1 + np.exp(-x)) + 1e-6, False, "erratum"),       # a small but real error
    (lambda x: 1 / 1 + np.exp(-x), False, "erratum"),
    (lambda x: np.array([1 / (1 + np.exp(-float(v))) for v in x]), True, "supported"),
    (lambda x: np.array([1 / (1 + __import__("math").exp(-float(v))) for v in x]), True, "erratum"),
])
def test_a_transcription_check_can_go_either_way(seed, code, expected):
    t = Transcription("t", S000, "σ", seed, _sigmoid, "actlab sigmoid", code=code)
    assert check(t).verdict.label == expected


def test_kinks_are_left_out_and_reported():
    t = Transcription("t", S004, "relu'", lambda x: np.where(x < 0, 0.0, 1.0),
                      lambda x: al.get("relu").derivative(x), "relu'", exclude=(0.0,))
    assert check(t).verdict.label == "supported"
    t_all = Transcription("t", S004, "relu'", t.seed, t.reference, "relu'")
    assert check(t_all).verdict.label == "erratum"  # f'(0) = 1 vs actlab's 0, if not excluded


@pytest.mark.parametrize("t", TRANSCRIPTIONS, ids=[t.id for t in TRANSCRIPTIONS])
def test_every_seed_formula_has_a_reasoned_verdict(t):
    f = check(t)
    assert f.verdict.label in ("supported", "erratum")
    assert f.figures and f.verdict.reason


def test_the_known_errata_are_found():
    errata = {t.id for t in TRANSCRIPTIONS if check(t).verdict.label == "erratum"}
    assert {"s002-sigmoid-as-written", "s002-tanh-as-written", "s004-sigmoid-derivative",
            "s004-leaky-relu", "s004-leaky-relu-derivative", "s003-tanh-code",
            "s000-leaky-code-named-relu"} <= errata


def test_claim_ids_are_unique_and_every_seed_is_covered():
    ids = [c.id for c in CLAIMS]
    assert len(ids) == len(set(ids))
    sources = " ".join(c.source for c in CLAIMS)
    for seed in (S000, S001, S002, S003, S004):
        assert seed in sources


def test_formula_and_property_claims_end_to_end():
    results = run_claims("tiny", only=FORMULA_IDS, progress=False)
    assert len(results) == len(FORMULA_IDS)
    json.dumps(results, allow_nan=False)  # strict JSON: what the report reads
    for r in results:
        assert set(r) == KEYS and r["verdict"] in VERDICTS
        assert all(isinstance(v, (int, float, str)) for v in r["figures"].values())
    by_id = {r["id"]: r for r in results}
    assert by_id["gelu-large-inputs"]["verdict"] == "erratum"
    assert by_id["s000-softmax-derivative"]["verdict"] == "erratum"
    assert by_id["softmax-cross-entropy-gradient"]["verdict"] == "supported"
    assert by_id["tanh-negative-saturation"]["verdict"] == "not supported"
    assert by_id["s004-tanh"]["verdict"] == "supported"  # tanh = 2σ(2x) − 1


def test_unknown_ids_and_budgets_are_errors():
    with pytest.raises(KeyError, match="unknown claim"):
        run_claims("tiny", only=["no-such-claim"])
    with pytest.raises(ValueError, match="budget"):
        run_claims("huge", only=[])


def _claim(claim_id):
    return next(c for c in CLAIMS if c.id == claim_id)


def _dying(relu_high, leaky_high=(0.0, 0.0, 0.0, 0.0)):
    def runs(dead, acc):
        return {"dead": list(dead), "accuracy": list(acc), "worst_layer": list(dead), "sparsity": [0.5] * len(dead)}
    low = runs([0.0] * 4, [0.95] * 4)
    return {"relu": {"low": low, "high": runs(relu_high, [0.8, 0.82, 0.79, 0.81])},
            "leaky_relu": {"low": low, "high": runs(leaky_high, [0.9, 0.91, 0.92, 0.9])}}


@pytest.mark.parametrize("relu_high, expected", [
    ((0.3, 0.35, 0.32, 0.28), "supported"),
    ((0.0, 0.01, 0.0, 0.0), "not supported"),
    ((0.0, 0.4, 0.0, 0.3), "inconclusive"),
])
def test_network_claims_follow_their_measurements(relu_high, expected):
    from actlab.lab.claims import experiments as ex
    ctx = Context(BUDGETS["tiny"])
    ctx._cache[ex.dying_units] = _dying(relu_high)
    assert _claim("relu-dies").evaluate(ctx).verdict.label == expected


@pytest.mark.parametrize("tanh_epochs, expected", [
    ((12.0, 13.0, 12.5, 13.5), "supported"), ((2.0, 2.1, 2.2, 1.9), "not supported")])
def test_the_six_fold_speedup_can_go_either_way(tanh_epochs, expected):
    from actlab.lab.claims import experiments as ex
    ctx = Context(BUDGETS["tiny"])
    ctx._cache[ex.convergence] = {"target": 0.95, "epochs": 30, "train_samples": 1000,
                                  "relu": {"lr": 0.1, "epochs_to_target": [1.0, 1.1, 1.05, 1.02], "reached": 4,
                                           "accuracy": [0.96] * 4},
                                  "tanh": {"lr": 0.1, "epochs_to_target": list(tanh_epochs), "reached": 4,
                                           "accuracy": [0.96] * 4}}
    assert _claim("relu-six-times-faster").evaluate(ctx).verdict.label == expected


def test_every_claim_end_to_end_at_the_tiny_budget(tmp_path, capsys):
    from actlab.lab.cli import claims_main
    out, js = tmp_path / "claims.md", tmp_path / "claims.json"
    assert claims_main(["--budget", "tiny", "--jobs", "1", "--no-progress", "--out", str(out),
                        "--json", str(js)]) == 0
    table = capsys.readouterr().out
    claims = json.loads(js.read_text())
    assert [c["id"] for c in claims] == [c.id for c in CLAIMS]
    report = out.read_text()
    for c in claims:
        assert set(c) == KEYS and c["verdict"] in VERDICTS
        assert f"## {c['id']}" in report and c["id"] in table
    assert f"{len(claims)} claims:" in table
    assert claims_main(["--only", "no-such-claim", "--no-progress", "--out", str(out)]) == 2


@pytest.mark.slow
def test_the_robust_findings_hold_at_the_small_budget(request):
    if "slow" not in (request.config.getoption("markexpr") or ""):
        pytest.skip("a slow experiment (minutes): select it with -m slow")
    ids = ["sigmoid-vanishes-with-depth", "relu-no-vanishing", "relu-dies", "leaky_relu-does-not-die",
           "linear-collapse", "tanh-converges-faster", "maxout-network-contains-relu"]
    results = {r["id"]: r for r in run_claims("small", only=ids, progress=False)}
    assert all(results[i]["verdict"] == "supported" for i in ids), {i: results[i]["explanation"] for i in ids}
