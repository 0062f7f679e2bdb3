"""The claims checker: transcription checks can go either way; the run produces the report's shape."""
import json

import numpy as np
import pytest

import actlab as al
from actlab.lab.claims import CLAIMS, run_claims
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
