"""The benchmark runs end to end on tiny arrays through the public API (no timing is asserted)."""

from __future__ import annotations

import json

import numpy as np
import pytest

import actlab as al
from actlab import bench
from actlab.bench import activations, formulas, peers, report, startup

TINY = ["--sizes", "10", "4096", "--repeats", "1", "--no-jax", "--no-startup"]


def test_table_json_and_markdown_cover_the_chosen_activations(tmp_path, capsys):
    out = tmp_path / "bench.json"
    assert bench.main([*TINY, "--no-torch", "--only", "relu", "sigmoid", "gelu", "--json", str(out)]) == 0
    table = capsys.readouterr().out
    result = json.loads(out.read_text())
    rows = {(r["activation"], r["direction"], r["size"], json.dumps(r["params"])) for r in result["results"]}
    # gelu appears twice: at its defaults and with the seed formula's tanh approximation; every
    # row has forward, backward and derivative at both sizes.
    assert {a for a, *_ in rows} == {"relu", "sigmoid", "gelu"}
    assert ("gelu", "forward", 4096, json.dumps({"approximate": "tanh"})) in rows
    assert len(rows) == 4 * 3 * 2
    for r in result["results"]:
        assert r["times_s"]["actlab"] > 0
        assert r["path"] in (
            "fused float32 kernel",
            "NumPy reference in float64, chunks of 32768",
            "NumPy reference in float32, chunks of 32768",
        )
        if r["direction"] != "derivative":
            assert r["of_copy"] > 0
            assert set(r["vs"]) == set(r["times_s"]) - {"actlab", activations.PREALLOCATED, activations.COPY}
    big = [r for r in result["results"] if r["size"] == 4096 and r["direction"] != "derivative"]
    assert all(set(r["peak_extra_memory"]) == {"numba", "numpy"} for r in big)
    sigmoid_fw = next(r for r in big if r["activation"] == "sigmoid" and r["direction"] == "forward")
    assert sigmoid_fw["vs"]["naive"] == pytest.approx(
        sigmoid_fw["times_s"]["naive"] / sigmoid_fw["times_s"]["actlab"]
    )
    assert sigmoid_fw["max_ulp_error_vs_reference"] <= 4
    assert "sigmoid" in table and "np.copyto" in table and result["copy"][0]["gbps"] > 0
    assert "Goals:" in table and "per-call time" in table and "peak extra memory" in table
    md = out.with_suffix(".md").read_text()
    assert md.startswith("| activation |") and "| gelu approximate=tanh |" in md


def test_unknown_or_vector_valued_names_are_refused(capsys):
    for name in ("no_such_activation", "softmax"):
        with pytest.raises(SystemExit):
            bench.main([*TINY, "--only", name])
    assert "softmax" not in capsys.readouterr().err.split("choose from")[-1]


def test_rates_and_ratios_follow_from_the_medians():
    record = {
        "direction": "backward",
        "size": 1000,
        "dtype": "float32",
        "times_s": {"actlab": 2e-6, activations.PREALLOCATED: 1.5e-6, activations.COPY: 1e-6, "torch": 4e-6},
    }
    activations.derive(record)
    assert record["gbps"]["actlab"] == pytest.approx(3 * 1000 * 4 / 2e-6 / 1e9)
    assert record["gbps"][activations.COPY] == pytest.approx(2 * 1000 * 4 / 1e-6 / 1e9)
    assert record["of_copy"] == pytest.approx(3 / 1.5 / 2)  # bytes 3 arrays vs 2, time 1.5 vs 1
    assert record["vs"] == {"torch": pytest.approx(2.0)}


def test_goals_name_what_missed():
    def rec(name, direction, size, torch, copy=1.0, memory=0.1, t=1e-6):
        return {
            "activation": name,
            "params": {},
            "direction": direction,
            "size": size,
            "times_s": {"actlab": t},
            "vs": {"torch": torch},
            "of_copy": copy,
            "peak_extra_memory": {"numba": memory, "numpy": memory},
        }

    result = {
        "results": [
            rec("relu", "forward", 10, 1.0, t=5e-6),
            rec("relu", "forward", 10**7, 0.5),
            rec("gelu", "forward", 10**7, 2.0, memory=3.0),
        ],
        "startup": {"import": {"actlab_s": 0.2}},
    }
    lines = "\n".join(report.goals(result))
    assert "forward ≥ 1.0× PyTorch eager, n = 10,000,000: met by 1 of 2; missed: relu 0.50" in lines
    assert "missed: gelu (numba) 3.00, gelu (numpy) 3.00" in lines
    assert "per-call time ≤ 3.0 µs at n = 10 (µs): met by 0 of 1; missed: relu 5.00" in lines
    assert "import actlab ≤ 0.3 s: met by 1 of 1" in lines


def test_seed_formulas_compute_their_activation():
    x = np.linspace(-6, 6, 240)  # not 0, where relu's seed convention f'(0) = 1 differs from ours
    for naive in formulas.SEED_FORMULAS:
        act = al.get(naive.activation, **naive.params)
        with np.errstate(all="ignore"):
            np.testing.assert_allclose(
                naive.forward(x), act(x), rtol=1e-6, atol=1e-12, err_msg=naive.activation
            )
            if naive.backward is not None:
                g = np.cos(x)
                np.testing.assert_allclose(
                    naive.backward(x, g), act.vjp(x, g), rtol=1e-6, atol=1e-12, err_msg=naive.activation
                )


def test_peers_are_found_by_name_or_alias_and_checked():
    pytest.importorskip("torch")
    import torch.nn.functional as F

    assert peers.torch_peer(al.get("swish"))[0] is F.silu  # found through the alias "silu"
    assert peers.torch_peer(al.get("elu", alpha=0.5))[1] == {"alpha": 0.5}
    assert peers.torch_peer(al.get("linear")) is None  # F.linear is a matrix product
    assert peers.torch_peer(al.get("squareplus")) is None


def test_torch_is_timed_when_installed(tmp_path, capsys):
    pytest.importorskip("torch")
    out = tmp_path / "b.json"
    assert bench.main([*TINY, "--only", "swish", "--json", str(out)]) == 0
    result = json.loads(out.read_text())
    assert all("torch" in r["vs"] for r in result["results"] if r["direction"] != "derivative")
    assert result["machine"]["torch"]
    modules = result["torch_modules"]["modules"]
    assert [(r["activation"], r["size"]) for r in modules] == [("swish", 4096)]  # beside torch.nn.SiLU
    assert modules[0]["speed_vs_torch"] == pytest.approx(modules[0]["torch_s"] / modules[0]["actlab_s"])
    assert "actlab.torch forward+backward" in capsys.readouterr().out


def test_the_torch_modules_are_paired_with_the_torch_nn_classes_that_agree():
    pytest.importorskip("torch")
    from actlab.bench import torch_modules

    found = {name: theirs.__name__ for name, _, theirs in torch_modules.pairs()}
    assert found["swish"] == "SiLU" and found["leaky_relu"] == "LeakyReLU" and found["gelu"] == "GELU"
    assert found["linear"] == "Identity"  # by its alias: nn.Linear, which needs sizes, is passed over
    assert "squareplus" not in found  # torch.nn has no such class


def test_import_time_is_measured_in_new_processes():
    imp = startup.import_time(repeats=1)
    assert 0 < imp["numpy_s"] <= imp["actlab_s"] < 60


@pytest.mark.slow
def test_first_calls_are_measured_with_cold_and_warm_caches():
    first = startup.first_call(("relu",))
    assert set(first) == {"cold", "warm"} and first["cold"]["relu"]["forward_s"] > 0
    assert first["warm"]["import numba"] > 0
