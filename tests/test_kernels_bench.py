"""The benchmark runs end to end on tiny arrays (no timing is asserted)."""
from __future__ import annotations

import json

import numpy as np
import pytest

import actlab as al
from actlab.kernels import bench

TINY = ["--sizes", "4096", "--repeats", "1", "--no-jax"]


def test_table_and_json_cover_the_chosen_activations(tmp_path, capsys):
    out = tmp_path / "bench.json"
    assert bench.main([*TINY, "--no-torch", "--only", "relu", "sigmoid", "gelu", "--json", str(out)]) == 0
    table = capsys.readouterr().out
    result = json.loads(out.read_text())
    rows = {(r["activation"], r["direction"], json.dumps(r["params"])) for r in result["results"]}
    # gelu appears twice: at its defaults and with the seed formula's tanh approximation.
    assert {a for a, _, _ in rows} == {"relu", "sigmoid", "gelu"}
    assert ("gelu", "forward", json.dumps({"approximate": "tanh"})) in rows
    assert len(rows) == 2 * 4
    for r in result["results"]:
        assert r["times_s"]["actlab"] > 0 and r["of_copy"] > 0
        assert set(r["vs"]) == set(r["times_s"]) - {"actlab", bench.PREALLOCATED, bench.COPY}
        assert r["kernel"] == "fused" or r["kernel"].startswith("numpy")
    sigmoid_fw = next(r for r in result["results"]
                      if r["activation"] == "sigmoid" and r["direction"] == "forward")
    assert sigmoid_fw["vs"]["naive"] == pytest.approx(
        sigmoid_fw["times_s"]["naive"] / sigmoid_fw["times_s"]["actlab"])
    assert sigmoid_fw["max_ulp_error"]["actlab"] <= 4
    assert "sigmoid" in table and "np.copyto" in table and result["copy"][0]["gbps"] > 0
    assert "Goals:" in table and "of copy bandwidth" in table


def test_unknown_or_vector_valued_names_are_refused(capsys):
    for name in ("no_such_activation", "softmax"):
        with pytest.raises(SystemExit):
            bench.main([*TINY, "--only", name])
    assert "softmax" not in capsys.readouterr().err.split("choose from")[-1]


def test_rates_and_ratios_follow_from_the_medians():
    record = {"direction": "backward", "size": 1000, "dtype": "float32",
              "times_s": {"actlab": 2e-6, bench.PREALLOCATED: 1.5e-6, bench.COPY: 1e-6, "torch": 4e-6}}
    bench._derive(record)
    assert record["gbps"]["actlab"] == pytest.approx(3 * 1000 * 4 / 2e-6 / 1e9)
    assert record["gbps"][bench.COPY] == pytest.approx(2 * 1000 * 4 / 1e-6 / 1e9)
    assert record["of_copy"] == pytest.approx(3 / 1.5 / 2)  # bytes 3 arrays vs 2, time 1.5 vs 1
    assert record["vs"] == {"torch": pytest.approx(2.0)}


def test_seed_formulas_compute_their_activation():
    x = np.linspace(-6, 6, 240)  # not 0, where relu's seed convention f'(0) = 1 differs from ours
    for naive in bench.SEED_FORMULAS:
        act = al.get(naive.activation, **naive.params)
        with np.errstate(all="ignore"):
            np.testing.assert_allclose(naive.forward(x), act(x), rtol=1e-6, atol=1e-12,
                                       err_msg=naive.activation)
            if naive.backward is not None:
                g = np.cos(x)
                np.testing.assert_allclose(naive.backward(x, g), act.vjp(x, g), rtol=1e-6, atol=1e-12,
                                           err_msg=naive.activation)


def test_peers_are_found_by_name_or_alias_and_checked():
    pytest.importorskip("torch")
    import torch.nn.functional as F

    assert bench.torch_peer(al.get("swish"))[0] is F.silu  # found through the alias "silu"
    assert bench.torch_peer(al.get("elu", alpha=0.5))[1] == {"alpha": 0.5}
    assert bench.torch_peer(al.get("linear")) is None  # F.linear is a matrix product
    assert bench.torch_peer(al.get("squareplus")) is None


def test_torch_is_timed_when_installed(tmp_path):
    pytest.importorskip("torch")
    out = tmp_path / "b.json"
    assert bench.main([*TINY, "--only", "swish", "--json", str(out)]) == 0
    result = json.loads(out.read_text())
    assert all("torch" in r["vs"] for r in result["results"])
    assert result["machine"]["torch"]
