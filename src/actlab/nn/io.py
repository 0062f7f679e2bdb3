"""Saving and loading models: the architecture as JSON, the weights as ``.npz``.

``save_model(model, "net")`` writes ``net.json`` (layers, dtype, seed, compile settings, random
states, and the SHA-256 of the weights file) and ``net.npz`` (every parameter and the
optimizer's state). Loading never unpickles or evaluates anything: layers are rebuilt from a
fixed table of layer types, activations from the registry, and each array is read with
``allow_pickle=False`` after its header has been checked against the shape and dtype the
architecture implies. A missing, truncated, corrupt or tampered file is a
:class:`ModelFileError` that says which file and what is wrong.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from .. import __version__
from ..core import is_custom
from .errors import ModelFileError
from .layer_types import LAYER_TYPES
from .losses import LOSSES
from .model import Sequential
from .optimizers import OPTIMIZERS

FORMAT = "actlab.nn.Sequential"
FORMAT_VERSION = 1
MAX_JSON_BYTES = 16 * 2 ** 20
# Room for an array's .npy header beyond its data, when checking declared sizes in the archive.
NPY_HEADER_ROOM = 2 ** 16


def model_paths(path: str | os.PathLike) -> tuple[Path, Path]:
    """The (architecture, weights) file pair for ``path``, with or without a suffix."""
    base = Path(path)
    if base.suffix in (".json", ".npz"):
        base = base.with_suffix("")
    return base.with_name(base.name + ".json"), base.with_name(base.name + ".npz")


def save_model(model: Sequential, path: str | os.PathLike) -> tuple[Path, Path]:
    """Write ``path.json`` and ``path.npz``; returns the two paths.

    A model that uses a custom callable activation, loss or optimizer cannot be rebuilt by name,
    so saving it is an error that names the layer (register the activation instead).
    """
    model._require_built("save")
    _check_savable(model)
    arrays = _arrays(model)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    blob = buffer.getvalue()
    spec = {
        "format": FORMAT, "format_version": FORMAT_VERSION, "actlab_version": __version__,
        "name": model.name, "dtype": model.dtype.name, "seed": model.seed,
        "input_shape": list(model.input_shape),
        "layers": [{"type": type(layer).__name__, "config": layer.get_config()} for layer in model.layers],
        "compile": None if model.loss is None else {
            "loss": model.loss.name, "optimizer": model.optimizer.get_config(),
            "metrics": list(model.metrics), "optimizer_iterations": model.optimizer.iterations},
        "random_state": {"shuffle": model.shuffle_rng.bit_generator.state,
                         "noise": model.noise_rng.bit_generator.state},
        "weights": {k: {"shape": list(a.shape), "dtype": a.dtype.name} for k, a in arrays.items()},
        "weights_sha256": hashlib.sha256(blob).hexdigest(),
    }
    json_path, npz_path = model_paths(path)
    _write_atomically(npz_path, blob)
    _write_atomically(json_path, json.dumps(spec, indent=1).encode())
    return json_path, npz_path


def load_model(path: str | os.PathLike) -> Sequential:
    """Rebuild a model saved by :func:`save_model`: same layers, bitwise the same weights, and
    (if it was compiled) the same loss, optimizer state and random streams, so training resumes
    exactly where it stopped."""
    json_path, npz_path = model_paths(path)
    spec = _read_spec(json_path)
    blob = _read_bytes(npz_path, None)
    if hashlib.sha256(blob).hexdigest() != spec.get("weights_sha256"):
        raise ModelFileError(f"{npz_path} does not match {json_path.name} (its checksum differs): "
                             "the weights file is truncated, corrupt, or from another save")
    with _open_archive(blob, npz_path) as archive:
        # The weights file holds every parameter, uncompressed, in 4 bytes or more: that bounds
        # the architecture before anything is allocated for it.
        stored = sum(info.file_size for info in archive.infolist())
        model = _build(spec, json_path, max_params=stored // 4)
        _read_arrays(archive, _arrays(model), npz_path)
    return model


# -- saving -------------------------------------------------------------------------------
def _check_savable(model: Sequential) -> None:
    for layer in model.layers:
        act = layer.output_activation
        if act is not None and is_custom(act):
            raise ModelFileError(
                f"layer {layer.name!r} uses the custom activation {act.name!r}, which cannot be saved by "
                "name; register it (actlab.register(Definition(...))) or use a registered activation")
    if model.loss is not None and type(model.loss) is not LOSSES.get(model.loss.name):
        raise ModelFileError(f"the custom loss {type(model.loss).__name__} cannot be saved by name; "
                             f"saveable losses: {', '.join(LOSSES)}")
    if model.optimizer is not None and type(model.optimizer) is not OPTIMIZERS.get(model.optimizer.name):
        raise ModelFileError(f"the custom optimizer {type(model.optimizer).__name__} cannot be saved by "
                             f"name; saveable optimizers: {', '.join(OPTIMIZERS)}")


def _arrays(model: Sequential) -> dict[str, np.ndarray]:
    """Every array a save holds, by key: layer parameters and untrained state (moving statistics),
    then the optimizer's state."""
    arrays = {f"layer{i}.{name}": p for i, layer in enumerate(model.layers)
              for name, p in (*layer.params.items(), *layer.state.items())}
    if model.optimizer is not None:
        arrays.update({f"optimizer.{slot}": getattr(model.optimizer, slot)
                       for slot in model.optimizer.slot_names})
    return arrays


def _write_atomically(path: Path, blob: bytes) -> None:
    # A crash mid-write leaves the previous file intact instead of half a file.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".part")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(blob)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


# -- loading ------------------------------------------------------------------------------
def _read_bytes(path: Path, limit: int | None) -> bytes:
    try:
        size = path.stat().st_size
        if limit is not None and size > limit:
            raise ModelFileError(f"{path} is {size} bytes, more than an actlab architecture file can be "
                                 f"({limit}); it is not an actlab model")
        return path.read_bytes()
    except FileNotFoundError:
        raise ModelFileError(f"{path} does not exist; a saved model is a .json and a .npz file with "
                             "the same name") from None
    except OSError as exc:
        raise ModelFileError(f"{path} cannot be read: {exc}") from None


def _read_spec(path: Path) -> dict[str, Any]:
    text = _read_bytes(path, MAX_JSON_BYTES)
    try:
        spec = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise ModelFileError(f"{path} is not valid JSON ({exc}); the file is truncated or corrupt") from None
    if not isinstance(spec, dict) or spec.get("format") != FORMAT:
        raise ModelFileError(f"{path} is not an actlab model (no \"format\": \"{FORMAT}\" entry)")
    if spec.get("format_version") != FORMAT_VERSION:
        raise ModelFileError(f"{path} has format version {spec.get('format_version')!r}; this actlab "
                             f"reads version {FORMAT_VERSION}")
    return spec


def _build(spec: dict[str, Any], path: Path, max_params: int) -> Sequential:
    """The model a spec describes; anything malformed becomes a ModelFileError naming the part."""
    part = "the model settings"
    try:
        layers = []
        entries = spec["layers"]
        if not isinstance(entries, list):
            raise TypeError("'layers' must be a list")
        for i, entry in enumerate(entries):
            part = f"layer {i}"
            cls = LAYER_TYPES.get(entry.get("type")) if isinstance(entry, dict) else None
            if cls is None:
                raise TypeError(f"its type must be one of {', '.join(LAYER_TYPES)}")
            config = entry.get("config")
            if not isinstance(config, dict):
                raise TypeError("its config must be an object")
            layers.append(cls(**config))
        part = "the model settings"
        model = Sequential(layers, dtype=spec["dtype"], seed=spec["seed"], name=str(spec["name"]))
        # Files written before inputs had shapes give the width alone.
        shape = spec["input_shape"] if "input_shape" in spec else spec["input_dim"]
        model.build(shape, max_params=max_params)
        if spec["compile"] is not None:
            part = "the compile settings"
            settings = spec["compile"]
            model.compile(settings["loss"], settings["optimizer"], settings["metrics"])
            model.optimizer.iterations = _count(settings["optimizer_iterations"])
        part = "the random state"
        model.shuffle_rng.bit_generator.state = spec["random_state"]["shuffle"]
        model.noise_rng.bit_generator.state = spec["random_state"]["noise"]
    except (KeyError, TypeError, ValueError, AttributeError, MemoryError) as exc:
        raise ModelFileError(f"{path}: {part} cannot be read ({type(exc).__name__}: {exc}); "
                             "the file is corrupt or was not written by actlab") from None
    return model


def _open_archive(blob: bytes, path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(blob))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        raise ModelFileError(f"{path} is not a readable weights file ({type(exc).__name__}: {exc}); "
                             "it is truncated or corrupt") from None


def _read_arrays(archive: zipfile.ZipFile, targets: dict[str, np.ndarray], path: Path) -> None:
    """Fill ``targets`` from the .npz, after checking every header against its target."""
    found, wanted = set(archive.namelist()), {f"{key}.npy" for key in targets}
    if found != wanted:
        raise ModelFileError(
            f"{path} does not hold the arrays its architecture needs (missing: "
            f"{sorted(wanted - found) or 'none'}, unexpected: {sorted(found - wanted) or 'none'})")
    for key, target in targets.items():
        try:
            target[...] = _read_array(archive, key, target, path)
        except ModelFileError:
            raise
        except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
            raise ModelFileError(f"{path}: array {key!r} cannot be read ({type(exc).__name__}: {exc}); "
                                 "the file is truncated or corrupt") from None


def _read_array(archive: zipfile.ZipFile, key: str, target: np.ndarray, path: Path) -> np.ndarray:
    info = archive.getinfo(f"{key}.npy")
    if info.file_size > target.nbytes + NPY_HEADER_ROOM:
        raise ModelFileError(f"{path}: array {key!r} declares {info.file_size} bytes; "
                             f"expected about {target.nbytes}")
    with archive.open(info) as f:
        version = np.lib.format.read_magic(f)
        if version not in ((1, 0), (2, 0)):
            raise ModelFileError(f"{path}: array {key!r} has .npy format {version}")
        read_header = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                       else np.lib.format.read_array_header_2_0)
        shape, _, dtype = read_header(f)
    if shape != target.shape or dtype != target.dtype:
        raise ModelFileError(f"{path}: array {key!r} is {dtype}{list(shape)}; the "
                             f"architecture needs {target.dtype}{list(target.shape)}")
    with archive.open(info) as f:
        return np.lib.format.read_array(f, allow_pickle=False)


def _count(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"optimizer_iterations must be a non-negative integer, got {value!r}")
    return value
