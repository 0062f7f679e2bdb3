"""The claims checker: transcription checks can go either way; the run produces the report's shape."""

import json
from dataclasses import replace

import numpy as np
import pytest

import actlab as al
from actlab.lab.claims import BUDGETS, CLAIMS, Context, run_claims
from actlab.lab.claims.core import S000, S001, S002, S003, S004
from actlab.lab.claims.errata import ERRATA
from actlab.lab.claims.errata import check as check_erratum
from actlab.lab.claims.formulas import TRANSCRIPTIONS, Transcription, check
from actlab.lab.verdicts import VERDICTS

KEYS = {"id", "statement", "source", "check", "figures", "verdict", "explanation", "setting", "plots"}
COST_IDS = {"exp-cost", "relu-cheaper-than-sigmoid", "relu-cheaper-than-tanh", "elu-cost", "swish-cost"}
FORMULA_IDS = [c.id for c in CLAIMS if not c.needs_network and c.id not in COST_IDS]


def _sigmoid(x):
    return al.sigmoid(x)


@pytest.mark.parametrize(
    "seed, code, expected",
    [
        (lambda x: 1 / (1 + np.exp(-x)), False, "supported"),
        (lambda x: 1 / (1 + np.exp(-x)) + 1e-6, False, "erratum"),  # a small but real error
        (lambda x: 1 / 1 + np.exp(-x), False, "erratum"),
        (lambda x: np.array([1 / (1 + np.exp(-float(v))) for v in x]), True, "supported"),
        (lambda x: np.array([1 / (1 + __import__("math").exp(-float(v))) for v in x]), True, "erratum"),
    ],
)
def test_a_transcription_check_can_go_either_way(seed, code, expected):
    t = Transcription("t", S000, "σ", seed, _sigmoid, "actlab sigmoid", code=code)
    assert check(t).verdict.label == expected


def test_kinks_are_left_out_and_reported():
    t = Transcription(
        "t",
        S004,
        "relu'",
        lambda x: np.where(x < 0, 0.0, 1.0),
        lambda x: al.get("relu").derivative(x),
        "relu'",
        exclude=(0.0,),
    )
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
    assert {
        "s002-sigmoid-as-written",
        "s002-tanh-as-written",
        "s004-sigmoid-derivative",
        "s004-leaky-relu",
        "s004-leaky-relu-derivative",
        "s000-leaky-code-named-relu",
    } <= errata


@pytest.mark.parametrize("e", ERRATA, ids=[e.id for e in ERRATA])
def test_every_prose_erratum_says_what_is_wrong_and_what_is_right(e):
    f = check_erratum(e)
    assert f.verdict.label == "erratum", f.verdict.reason
    assert f"Wrong: {e.wrong}" in f.verdict.reason and f"Correct: {e.correct}" in f.verdict.reason
    if e.check is not None:
        assert len(f.figures) > 1  # what the code measured, beside the kind


def test_an_erratum_check_that_does_not_confirm_gives_no_erratum():
    e = replace(ERRATA[0], check=lambda: ({"x": 1.0}, False, "a check that finds nothing"))
    assert check_erratum(e).verdict.label == "supported"


def test_the_errata_are_at_least_ten_more_than_the_nine_of_before():
    before = {
        "s000-leaky-code-named-relu",
        "s002-sigmoid-as-written",
        "s002-tanh-as-written",
        "s003-tanh-code",
        "s004-sigmoid-derivative",
        "s004-leaky-relu",
        "s004-leaky-relu-derivative",
        "gelu-large-inputs",
        "s000-softmax-derivative",
    }
    results = run_claims(
        "tiny",
        only=[
            c.id
            for c in CLAIMS
            if not c.needs_network
            and "cost" not in c.id
            and c.id not in ("exp-cost",)
            and not c.id.startswith("relu-cheaper")
        ],
        progress=False,
    )
    found = {r["id"] for r in results if r["verdict"] == "erratum"}
    assert before <= found and len(found - before) >= 10, sorted(found - before)


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
    assert by_id["tanh-negative-saturation"]["verdict"] == "erratum"
    assert by_id["relu-scale-invariance"]["verdict"] == "erratum"
    assert by_id["s004-tanh"]["verdict"] == "supported"  # tanh = 2σ(2x) − 1


def test_unknown_ids_and_budgets_are_errors():
    with pytest.raises(KeyError, match="unknown claim"):
        run_claims("tiny", only=["no-such-claim"])
    with pytest.raises(ValueError, match="budget"):
        run_claims("huge", only=[])


def _claim(claim_id):
    return next(c for c in CLAIMS if c.id == claim_id)


def _dying(relu_high, low=(0.0,) * 8):
    def runs(dead, acc):
        n = len(dead)
        return {
            "dead": list(dead),
            "accuracy": list(acc),
            "still_dead": [1.0] * n,
            "all": {},
            "zero_outputs": [0.5] * n,
        }

    return {
        "runs": {
            "relu": {
                1e-3: runs(low, [0.95] * 8),
                0.1: runs(relu_high, [0.8, 0.82, 0.79, 0.81, 0.8, 0.83, 0.78, 0.8]),
            }
        },
        "born_dead": {},
    }


@pytest.mark.parametrize(
    "relu_high, expected",
    [
        ((0.3, 0.35, 0.32, 0.28, 0.31, 0.3, 0.33, 0.29), "supported"),
        ((0.0, 0.01, 0.0, 0.0, 0.0, 0.01, 0.0, 0.0), "not supported"),
        ((0.0, 0.4, 0.0, 0.3, 0.0, 0.0, 0.35, 0.0), "inconclusive"),
    ],
)
def test_network_claims_follow_their_measurements(relu_high, expected):
    from actlab.lab.claims import dying

    ctx = Context(BUDGETS["tiny"])
    ctx._cache[dying._measure] = _dying(relu_high)
    assert _claim("relu-dies").evaluate(ctx).verdict.label == expected


def test_the_forty_percent_claim_names_its_learning_rate():
    from actlab.lab.claims import dying

    ctx = Context(BUDGETS["tiny"])
    ctx._cache[dying._measure] = _dying((0.5,) * 8)
    f = _claim("relu-dead-fraction-40").evaluate(ctx)
    assert f.verdict.label == "holds only when" and "learning rate" in f.verdict.reason
    assert 1e-3 < f.figures["learning rate at which 40% die (median over seeds)"] <= 0.1
    assert dying.lr_at_fraction([0.01, 0.1], [0.2, 0.6], 0.4) == pytest.approx(10**-1.5)


def _race(tanh_epochs):
    relu = [1.0, 1.1, 1.05, 1.02, 0.98, 1.01, 1.03, 0.99]
    return {
        "mlp": {
            "best_lr": {"relu": 0.1, "tanh": 0.1},
            "epochs": {"relu": {0.1: relu}, "tanh": {0.1: list(tanh_epochs)}},
            "reached": {"relu": {0.1: 8}, "tanh": {0.1: 8}},
            "curves": {},
            "cap": 30,
        }
    }


@pytest.mark.parametrize(
    "tanh_epochs, expected",
    [
        ((6.5, 6.6, 6.7, 6.4, 6.8, 6.5, 6.6, 6.9), "supported"),
        ((2.0, 2.1, 2.2, 1.9, 2.0, 2.1, 1.9, 2.0), "not supported"),
    ],
)
def test_the_six_fold_speedup_can_go_either_way(tanh_epochs, expected):
    from actlab.lab.claims import speed

    ctx = Context(BUDGETS["tiny"])
    ctx._cache[speed._measure] = _race(tanh_epochs)
    assert _claim("relu-six-times-faster").evaluate(ctx).verdict.label == expected


def test_vanishing_verdicts_say_when_they_hold():
    from actlab.lab.claims import vanishing

    ctx = Context(BUDGETS["tiny"])
    deepest = max(BUDGETS["tiny"].depths)
    init = {
        act: {
            s: {deepest: {"factor": [f * (1 + 0.01 * k) for k in range(4)], "signal": [[1.0, 1.0]] * 4}}
            for s, f in zip(BUDGETS["tiny"].scales, factors)
        }
        for act, factors in (
            ("tanh", (0.5, 1.0, 1.5)),
            ("relu", (0.5, 1.0, 2.0)),
            ("sigmoid", (0.1, 0.2, 0.4)),
        )
    }
    training = {a: {"factor": [], "saturated": [], "train_error": []} for a in init}
    ctx._cache[vanishing._measure] = {"init": init, "training": training}
    tanh = _claim("tanh-vanishes-with-depth").evaluate(ctx).verdict
    relu = _claim("relu-no-vanishing").evaluate(ctx).verdict
    assert tanh.label == relu.label == "holds only when"
    assert "holds when 0.5× Glorot" in tanh.reason and "holds when 1× He" in relu.reason
    assert _claim("sigmoid-vanishes-with-depth").evaluate(ctx).verdict.label == "supported"


def test_holm_turns_a_lone_significant_result_inconclusive():
    from actlab.lab.claims import _holm
    from actlab.lab.claims.core import Claim, Finding
    from actlab.lab.verdicts import Verdict

    claims = [Claim(f"c{i}", "s", S000, None, needs_network=True) for i in range(20)]
    findings = [
        Finding("x", {}, Verdict("supported", "d > 0", 0.02 if i == 0 else 0.9, f"t{i}")) for i in range(20)
    ]
    assert _holm(claims, findings) == 20
    assert findings[0].verdict.label == "inconclusive" and findings[0].figures["Holm-adjusted p"] == 0.4


def test_every_claim_end_to_end_at_the_tiny_budget(tmp_path, capsys):
    from actlab.lab.claims.report import table as claims_table
    from actlab.lab.cli import claims_main

    out = tmp_path / "claims.md"
    assert claims_main(["--budget", "tiny", "--jobs", "1", "--no-progress", "-o", str(out), "--json"]) == 0
    written = json.loads(capsys.readouterr().out)  # --json: the claims and the run's record on stdout
    claims = written["claims"]
    assert [c["id"] for c in claims] == [c.id for c in CLAIMS]
    assert written["run"]["budget"] == "tiny" and written["run"]["kernels"]["backend"] in ("numba", "numpy")
    assert written["run"]["seeds"] == list(range(BUDGETS["tiny"].claim_seeds))
    report = out.read_text()
    plots = {p for c in claims for p in c["plots"]}
    assert len(plots) >= 4 and all((tmp_path / p).exists() or __import__("os").path.exists(p) for p in plots)
    assert "![relu-dies](" in report
    table = claims_table(claims, width=200)
    for c in claims:
        assert set(c) == KEYS and c["verdict"] in VERDICTS
        assert f"## {c['id']}" in report and c["id"] in table
    assert f"{len(claims)} claims:" in table
    with pytest.raises(SystemExit) as refused:  # an unknown id is refused before any work
        claims_main(["--only", "no-such-claim", "--no-progress", "-o", str(out)])
    assert refused.value.code == 2 and "unknown claim id 'no-such-claim'" in capsys.readouterr().err


@pytest.mark.slow
def test_the_robust_findings_hold_at_the_small_budget(request):
    if "slow" not in (request.config.getoption("markexpr") or ""):
        pytest.skip("a slow experiment (minutes): select it with -m slow")
    expected = {
        "sigmoid-vanishes-with-depth": "supported",
        "tanh-vanishes-with-depth": "holds only when",
        "relu-no-vanishing": "holds only when",
        "relu-dies": "supported",
        "leaky_relu-does-not-die": "supported",
        "linear-collapse": "supported",
        "maxout-network-contains-relu": "supported",
    }
    results = {r["id"]: r for r in run_claims("small", only=list(expected), progress=False)}
    assert {i: results[i]["verdict"] for i in expected} == expected, {
        i: results[i]["explanation"] for i in expected
    }


@pytest.mark.slow
def test_a_seeded_run_reproduces_its_verdicts(request, tmp_path):
    if "slow" not in (request.config.getoption("markexpr") or ""):
        pytest.skip("a slow experiment: select it with -m slow")
    ids = [c.id for c in CLAIMS if c.needs_network]
    first = run_claims("tiny", only=ids, progress=False, n_jobs=1)
    second = run_claims("tiny", only=ids, progress=False, n_jobs=2, results=str(tmp_path))
    assert [(r["id"], r["verdict"], r["figures"]) for r in first] == [
        (r["id"], r["verdict"], r["figures"]) for r in second
    ]


def test_epochs_to_a_training_error_target_interpolates_within_an_epoch():
    from actlab.lab.claims.cells import epochs_to

    assert epochs_to([0.9, 0.5, 0.2], 0.25) == pytest.approx(2 + (0.5 - 0.25) / (0.5 - 0.2))
    assert epochs_to([0.2, 0.1], 0.25) == 1.0
    assert epochs_to([0.9, 0.8], 0.25) is None


def test_the_experiment_networks_take_flat_and_channels_last_samples():
    from actlab.lab.claims.networks import network

    mlp = network("mlp", "relu", depth=2, width=8, n_classes=3, seed=0, input_shape=(40, 1))
    cnn = network("cnn", "relu", depth=2, width=32, n_classes=3, seed=0, input_shape=(40, 1))
    x = np.zeros((2, 40, 1))
    assert mlp.predict(x).shape == cnn.predict(x).shape == (2, 3)
    with pytest.raises(ValueError, match="network kind"):
        network("transformer", "relu", depth=1, width=8, n_classes=3, seed=0, input_shape=(4,))
