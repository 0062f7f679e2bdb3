"""Comparisons: the result's shape (what the report reads), pairing by seed, the CLI."""

import functools
import json

import numpy as np
import pytest

import actlab as al
from actlab import ParameterError
from actlab.lab import compare, datasets, default_activations
from actlab.lab.cli import compare_main
from actlab.lab.training import build_model, epochs_to_target, train_cell

TINY = {"seeds": 2, "epochs": 2, "max_train": 150, "width": 8, "n_jobs": 1, "progress": False}
METRICS = {
    "test_accuracy",
    "final_train_loss",
    "epochs_to_target",
    "reached_target",
    "wall_time_s",
    "dead_fraction",
    "grad_ratio",
}
CURVES = {"epoch", "train_loss_mean", "train_loss_std", "val_accuracy_mean", "val_accuracy_std"}


def test_epochs_to_target_interpolates():
    assert epochs_to_target([0.5, 0.9, 0.97], 0.95, higher_is_better=True) == pytest.approx(2 + 5 / 7)
    assert epochs_to_target([0.96], 0.95, higher_is_better=True) == 1.0
    assert epochs_to_target([0.5, 0.6], 0.95, higher_is_better=True) is None
    assert epochs_to_target([1.0, 0.4, 0.05], 0.1, higher_is_better=False) == pytest.approx(2 + 0.3 / 0.35)


def test_default_activations_come_from_the_metadata():
    names = default_activations()
    assert "relu" in names and "sigmoid" in names
    for name in names:
        info = al.get(name).info
        assert info.elementwise and info.differentiable and {"hidden", "gating"} & set(info.uses)
    assert "softmax" not in names and "argmax" not in names


def test_compare_returns_the_report_contract():
    result = compare(["relu", {"name": "leaky_relu", "params": {"alpha": 0.2}}], **TINY)
    json.dumps(result, allow_nan=False)
    assert result["dataset"] == "digits" and result["seeds"] == [0, 1] and "MLP" in result["architecture"]
    labels = [row["activation"] for row in result["rows"]]
    assert sorted(labels) == ["leaky_relu(alpha=0.2)", "relu"]
    for row in result["rows"]:
        assert set(row["metrics"]) == METRICS
        assert all(set(m) == {"mean", "std"} for m in row["metrics"].values())
    accuracies = [row["metrics"]["test_accuracy"]["mean"] for row in result["rows"]]
    assert accuracies == sorted(accuracies, reverse=True)
    for label in labels:
        assert set(result["curves"][label]) == CURVES and result["curves"][label]["epoch"] == [1, 2]
        assert len(result["per_layer"][label]["dead_fraction"]) == 2  # hidden layers
        assert len(result["per_layer"][label]["grad_norm"]) == 3  # weight matrices


def test_a_cell_is_reproducible_and_the_seed_matters():
    cell = {"activation": "tanh", "seed": 3, "epochs": 2, "width": 8, "max_train": 150}
    a, b = train_cell(cell), train_cell(cell)
    c = train_cell({**cell, "seed": 4})
    for key in ("test_accuracy", "final_train_loss", "grad_ratio"):
        assert a[key] == b[key]
    assert a["final_train_loss"] != c["final_train_loss"]


def test_regression_comparisons():
    result = compare(["relu"], dataset="sine", **TINY)
    row = result["rows"][0]
    assert "test_mse" in row["metrics"] and "test_accuracy" not in row["metrics"]
    curve = result["curves"]["relu"]
    assert CURVES <= set(curve) and curve["val_accuracy_mean"] == [None, None]
    assert all(v > 0 for v in curve["val_loss_mean"])


def test_bad_requests_are_clear_errors():
    with pytest.raises(ParameterError, match="registered"):
        compare([lambda x: x], **TINY)
    with pytest.raises(ParameterError, match="unknown dataset"):
        compare(["relu"], dataset="cifar10", **TINY)
    with pytest.raises(ParameterError, match="no activations"):
        compare([], **TINY)


def test_compare_command_writes_table_json_markdown_and_figure(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    out = tmp_path / "cmp"
    code = compare_main(
        [
            "--activations",
            "relu",
            "elu:alpha=0.5",
            "--seeds",
            "2",
            "--epochs",
            "2",
            "--width",
            "8",
            "--jobs",
            "1",
            "--no-progress",
            "-o",
            str(out),
        ]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert "elu(alpha=0.5)" in printed and "test acc" in printed
    saved = json.loads((out / "comparison.json").read_text())
    assert {r["activation"] for r in saved["rows"]} == {"relu", "elu(alpha=0.5)"}
    assert (out / "learning_curves.png").stat().st_size > 10_000
    assert "| relu |" in (out / "comparison.md").read_text()
    # Rerunning finds every run in runs.jsonl: nothing is trained again.
    lines = (out / "runs.jsonl").read_text().splitlines()
    assert (
        compare_main(
            [
                "--activations",
                "relu",
                "elu:alpha=0.5",
                "--seeds",
                "2",
                "--epochs",
                "2",
                "--width",
                "8",
                "--jobs",
                "1",
                "--no-progress",
                "-o",
                str(out),
            ]
        )
        == 0
    )
    assert (out / "runs.jsonl").read_text().splitlines() == lines
    with pytest.raises(SystemExit) as refused:  # refused before any work, with the known names
        compare_main(["--dataset", "cifar10", "-o", str(out)])
    assert refused.value.code == 2 and "unknown dataset 'cifar10'" in capsys.readouterr().err


def test_curves_average_over_the_seeds():
    result = compare(["relu"], **TINY)
    runs = [
        train_cell({"activation": "relu", "seed": s, "epochs": 2, "width": 8, "max_train": 150})
        for s in (0, 1)
    ]
    expected = np.mean([r["curves"]["train_loss"] for r in runs], axis=0)
    np.testing.assert_allclose(result["curves"]["relu"]["train_loss_mean"], expected, rtol=1e-12)


def test_compare_command_over_a_grid_of_depths(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    assert (
        compare_main(
            [
                "--activations",
                "relu",
                "--depth",
                "1",
                "2",
                "--seeds",
                "1",
                "--epochs",
                "1",
                "--width",
                "4",
                "--jobs",
                "1",
                "--no-progress",
                "-o",
                str(tmp_path),
            ]
        )
        == 0
    )
    for depth in (1, 2):
        saved = json.loads((tmp_path / f"comparison_digits_depth{depth}.json").read_text())
        assert f"{depth} × 4" in saved["architecture"]
        assert len(saved["per_layer"]["relu"]["dead_fraction"]) == depth


@pytest.fixture
def small_mnist1d(monkeypatch):
    """ "mnist1d" as 200 + 100 samples for a test (the sweep runs in this process: n_jobs=1)."""
    pytest.importorskip("mnist1d")
    maker, task = datasets._SOURCES["mnist1d"]
    monkeypatch.setitem(
        datasets._SOURCES, "mnist1d", (functools.partial(maker, n_train=200, n_test=100), task)
    )


def test_a_cnn_comparison_names_its_network_and_its_linear_baseline(small_mnist1d, tmp_path):
    result = compare(
        ["relu", "tanh"],
        dataset="mnist1d",
        model="cnn",
        results=tmp_path / "runs.jsonl",
        **{**TINY, "width": None},
    )
    json.dumps(result, allow_nan=False)
    assert result["model"] == "cnn"
    assert result["architecture"].startswith("CNN (40, 1) → 3 × Conv1D(32, kernel 3, stride 2) → (4, 32)")
    base = result["linear_baseline"]
    assert base["model"].startswith("logistic regression") and 0 < base["test_accuracy"]["mean"] < 1
    for row in result["rows"]:
        assert set(row["metrics"]) == METRICS
    assert len(result["per_layer"]["relu"]["dead_fraction"]) == 3  # one entry per convolution
    stored = [json.loads(line)["cell"] for line in (tmp_path / "runs.jsonl").read_text().splitlines()]
    assert sum(c["model"] == "linear" for c in stored) == 2  # one baseline per seed, kept


def test_compare_mnist1d_cnn_from_the_command_line(small_mnist1d, tmp_path, capsys):
    pytest.importorskip("matplotlib")
    assert (
        compare_main(
            [
                "--dataset",
                "mnist1d",
                "--model",
                "cnn",
                "--activations",
                "relu",
                "--seeds",
                "1",
                "--epochs",
                "1",
                "--jobs",
                "1",
                "--no-progress",
                "--out",
                str(tmp_path),
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out
    assert "mnist1d: CNN (40, 1) → 3 × Conv1D(32" in printed
    assert "linear baseline (logistic regression (L2, C = 1)): test acc" in printed
    assert "Linear baseline" in (tmp_path / "comparison.md").read_text()


def test_each_model_takes_the_data_it_can():
    with pytest.raises(ParameterError, match="cnn model needs sequences"):
        compare(["relu"], dataset="digits", model="cnn", **TINY)
    with pytest.raises(ParameterError, match="unknown model"):
        compare(["relu"], model="rnn", **TINY)
    mlp = build_model(
        "relu", depth=1, width=4, n_outputs=10, task="classification", seed=0, input_shape=(28, 28, 1)
    )
    mlp.build()
    assert type(mlp.layers[0]).__name__ == "Flatten" and mlp.layers[1].output_shape == (4,)
