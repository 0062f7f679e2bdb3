"""Saving and loading models: the architecture as JSON, the weights as ``.npz``.

``save_model(model, "net")`` writes ``net.json`` (layers, dtype, seed, compile settings, random
states, and the SHA-256 of the weights file) and ``net.npz`` (every parameter and the
optimizer's state). Loading never unpickles or evaluates anything: layers are rebuilt from a
fixed table of layer types, activations from the registry, and each array is read with
``allow_pickle=False`` after its header has been checked against the shape and dtype the
architecture implies. A missing, truncated, corrupt or tampered file is a
:class:`ModelFileError` that says which file, and which part of it, is wrong.

The two files change as one: the JSON is the manifest, naming the weights by their checksum.
A save writes the new weights under a name of their own (``.net.<checksum>.npz``), then the
JSON (each atomically: temporary file, ``fsync``, rename), then renames the weights to
``net.npz``. A crash at any point leaves a loadable model, the old one or the new one: until
the JSON is replaced it names the old weights, which are still in place; after, it names the
new ones, which are at one of the two names, and the loader looks at both. Only regular files
are read (a FIFO or ``/dev/zero`` is refused before a byte is read), never more bytes than
the architecture declares, and the model is sized from the bytes actually read.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import zipfile
from pathlib import Path
from typing import Any, Literal, cast, overload

import numpy as np

from .. import __version__
from ..core import is_custom
from ..core.files import FileAccessError, folder_lock, fsync_dir, read_regular, write_atomic
from .errors import ModelFileError
from .layer_types import LAYER_TYPES
from .losses import LOSSES
from .model import Sequential
from .optimizers import OPTIMIZERS

FORMAT = "actlab.nn.Sequential"
FORMAT_VERSION = 1
MAX_JSON_BYTES = 16 * 2**20
# Room for an array's .npy header beyond its data, when checking declared sizes in the archive.
NPY_HEADER_ROOM = 2**16
# Room for the zip structures of one array (local header, central directory entry, name).
ZIP_ENTRY_ROOM = 2**12
_SHA256 = re.compile(r"[0-9a-f]{64}")


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
    assert model.input_shape is not None  # built
    _check_savable(model)
    arrays = _arrays(model)
    buffer = io.BytesIO()
    # As dict[str, Any]: savez's stub fears that a key might be its allow_pickle flag; the keys
    # here are "layer<i>.<name>" and "optimizer.<slot>".
    np.savez(buffer, **cast("dict[str, Any]", arrays))
    blob = buffer.getvalue()
    digest = hashlib.sha256(blob).hexdigest()
    compiled = None
    if model.loss is not None:
        assert model.optimizer is not None  # compile() sets the loss and the optimizer together
        compiled = {
            "loss": model.loss.name,
            "optimizer": model.optimizer.get_config(),
            "metrics": list(model.metrics),
            "optimizer_iterations": model.optimizer.iterations,
        }
    spec = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "actlab_version": __version__,
        "name": model.name,
        "dtype": model.dtype.name,
        "seed": model.seed,
        "input_shape": list(model.input_shape),
        "layers": [{"type": type(layer).__name__, "config": layer.get_config()} for layer in model.layers],
        "compile": compiled,
        "random_state": {
            "shuffle": model.shuffle_rng.bit_generator.state,
            "noise": model.noise_rng.bit_generator.state,
        },
        "weights": {k: {"shape": list(a.shape), "dtype": a.dtype.name} for k, a in arrays.items()},
        "weights_sha256": digest,
    }
    json_path, npz_path = model_paths(path)
    json_path.parent.mkdir(parents=True, exist_ok=True)
    pending = _pending_path(npz_path, digest)
    # The folder's lock keeps two saves to one place from crossing their renames.
    with folder_lock(json_path.parent):
        write_atomic(pending, blob)
        write_atomic(json_path, json.dumps(spec, indent=1))  # the commit: it names the new weights
        os.replace(pending, npz_path)
        fsync_dir(npz_path.parent)
        _remove_stale_pending(npz_path)
    return json_path, npz_path


def load_model(path: str | os.PathLike) -> Sequential:
    """Rebuild a model saved by :func:`save_model`: same layers, bitwise the same weights, and
    (if it was compiled) the same loss, optimizer state and random streams, so training resumes
    exactly where it stopped."""
    json_path, npz_path = model_paths(path)
    # A save in another process renames its files under the folder's lock: reading under it
    # (shared with other readers) sees the two files of one save.
    with folder_lock(json_path.parent, shared=True):
        spec = _read_spec(json_path)
        blob = _read_weights(spec, json_path, npz_path)
    with _open_archive(blob, npz_path) as archive:
        # The weights file holds every parameter, uncompressed, in 4 bytes or more: the bytes
        # actually read bound the architecture before anything is allocated for it.
        model = _build(spec, json_path, max_params=len(blob) // 4)
        _read_arrays(archive, _arrays(model), npz_path)
    return model


# -- saving -------------------------------------------------------------------------------
def _check_savable(model: Sequential) -> None:
    for layer in model.layers:
        act = layer.output_activation
        if act is not None and is_custom(act):
            raise ModelFileError(
                f"layer {layer.name!r} uses the custom activation {act.name!r}, which cannot be saved by "
                "name; register it (actlab.register(Definition(...))) or use a registered activation"
            )
    if model.loss is not None and type(model.loss) is not LOSSES.get(model.loss.name):
        raise ModelFileError(
            f"the custom loss {type(model.loss).__name__} cannot be saved by name; "
            f"saveable losses: {', '.join(LOSSES)}"
        )
    if model.optimizer is not None and type(model.optimizer) is not OPTIMIZERS.get(model.optimizer.name):
        raise ModelFileError(
            f"the custom optimizer {type(model.optimizer).__name__} cannot be saved by "
            f"name; saveable optimizers: {', '.join(OPTIMIZERS)}"
        )


def _arrays(model: Sequential) -> dict[str, np.ndarray]:
    """Every array a save holds, by key: layer parameters and untrained state (moving statistics),
    then the optimizer's state."""
    arrays = {
        f"layer{i}.{name}": p
        for i, layer in enumerate(model.layers)
        for name, p in (*layer.params.items(), *layer.state.items())
    }
    if model.optimizer is not None:
        arrays.update(
            {f"optimizer.{slot}": getattr(model.optimizer, slot) for slot in model.optimizer.slot_names}
        )
    return arrays


def _pending_path(npz_path: Path, digest: str) -> Path:
    """Where a save puts its weights until the architecture file names them."""
    return npz_path.with_name(f".{npz_path.stem}.{digest}.npz")


def _remove_stale_pending(npz_path: Path) -> None:
    """Remove what saves that died left: weights never committed, and their temporary files
    (under the folder's lock no other save is in flight)."""
    stem = re.escape(npz_path.stem)
    leftover = re.compile(
        rf"\.{stem}\.[0-9a-f]{{64}}\.npz|\.(\.{stem}\.[0-9a-f]{{64}}\.npz|"
        rf"{stem}\.json)\.\w+\.tmp"
    )
    for path in npz_path.parent.iterdir():
        if leftover.fullmatch(path.name):
            path.unlink(missing_ok=True)


# -- loading ------------------------------------------------------------------------------
@overload
def _read_bytes(path: Path, limit: int | None, what: str, *, missing_ok: Literal[False] = False) -> bytes: ...
@overload
def _read_bytes(path: Path, limit: int | None, what: str, *, missing_ok: bool) -> bytes | None: ...
def _read_bytes(path: Path, limit: int | None, what: str, *, missing_ok: bool = False) -> bytes | None:
    """The file's bytes (None for a missing file, with ``missing_ok``); ``what`` it should be."""
    try:
        return read_regular(path, limit)
    except FileNotFoundError:
        if missing_ok:
            return None
        raise ModelFileError(
            f"{path} does not exist; a saved model is a .json and a .npz file with the same name"
        ) from None
    except FileAccessError as exc:
        raise ModelFileError(f"{exc}; it cannot be {what}") from None
    except OSError as exc:
        raise ModelFileError(f"{path} cannot be read ({what}): {exc}") from None


def _read_spec(path: Path) -> dict[str, Any]:
    text = _read_bytes(path, MAX_JSON_BYTES, "an actlab architecture file")
    try:
        spec = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise ModelFileError(f"{path} is not valid JSON ({exc}); the file is truncated or corrupt") from None
    if not isinstance(spec, dict) or spec.get("format") != FORMAT:
        raise ModelFileError(f'{path} is not an actlab model (no "format": "{FORMAT}" entry)')
    if spec.get("format_version") != FORMAT_VERSION:
        raise ModelFileError(
            f"{path} has format version {spec.get('format_version')!r}; this actlab "
            f"reads version {FORMAT_VERSION}"
        )
    return spec


def _read_weights(spec: dict[str, Any], json_path: Path, npz_path: Path) -> bytes:
    """The weights file the architecture names by its checksum: at its usual name, or (after a
    save that stopped between its two renames) at the name the save gave it first."""
    digest = spec.get("weights_sha256")
    if not isinstance(digest, str) or not _SHA256.fullmatch(digest):
        raise ModelFileError(
            f"{json_path}: the weights checksum cannot be read (a SHA-256 in hex "
            f"expected, got {digest!r}); the file is corrupt"
        )
    limit = _declared_size(spec, json_path)
    pending = _pending_path(npz_path, digest)
    mismatch = False
    # The usual name, then the save's own name: a save that stopped between its two renames
    # left the weights there.
    what = f"the weights file (the architecture declares at most {limit} bytes)"
    for candidate in (npz_path, pending):
        blob = _read_bytes(candidate, limit, what, missing_ok=True)
        if blob is None:
            continue
        if hashlib.sha256(blob).hexdigest() == digest:
            return blob
        mismatch = True
    if mismatch:
        raise ModelFileError(
            f"{npz_path} does not match {json_path.name} (its checksum differs): "
            "the weights file is truncated, corrupt, or from another save"
        )
    raise ModelFileError(
        f"{npz_path} does not exist; a saved model is a .json and a .npz file with the same name"
    )


def _declared_size(spec: dict[str, Any], path: Path) -> int:
    """The most bytes the weights file of ``spec`` can hold: its arrays' data, and room for
    their headers and the archive's structures."""
    table = spec.get("weights")
    try:
        if not isinstance(table, dict):
            raise TypeError("'weights' must be an object")
        total = 0
        for key, entry in table.items():
            shape, dtype = entry["shape"], np.dtype(entry["dtype"])
            if (
                dtype.kind != "f"
                or not isinstance(shape, list)
                or not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in shape)
            ):
                raise ValueError(f"array {key!r} is declared as {entry!r}")
            total += int(np.prod(shape, dtype=object)) * dtype.itemsize
    except Exception as exc:  # noqa: BLE001  (whatever is wrong, the table is unreadable)
        raise ModelFileError(
            f"{path}: the weights table cannot be read ({type(exc).__name__}: "
            f"{exc}); the file is corrupt or was not written by actlab"
        ) from None
    return total + (len(table) + 1) * (NPY_HEADER_ROOM + ZIP_ENTRY_ROOM)


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
            type_name = entry.get("type") if isinstance(entry, dict) else None
            cls = LAYER_TYPES.get(type_name) if isinstance(type_name, str) else None
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
            assert model.optimizer is not None  # compile() set it
            model.optimizer.iterations = _count(settings["optimizer_iterations"])
        part = "the random state"
        model.shuffle_rng.bit_generator.state = spec["random_state"]["shuffle"]
        model.noise_rng.bit_generator.state = spec["random_state"]["noise"]
    except Exception as exc:  # noqa: BLE001  (a hostile value may fail in any way: name the part)
        raise ModelFileError(
            f"{path}: {part} cannot be read ({type(exc).__name__}: {exc}); "
            "the file is corrupt or was not written by actlab"
        ) from None
    return model


def _open_archive(blob: bytes, path: Path) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(blob))
        entries = archive.infolist()
    except Exception as exc:  # noqa: BLE001  (zipfile raises many types on corrupt input)
        raise ModelFileError(
            f"{path} is not a readable weights file ({type(exc).__name__}: {exc}); it is truncated or corrupt"
        ) from None
    # actlab stores arrays uncompressed: every declared size must fit in the bytes read, so no
    # entry can make the reader allocate or inflate more than the file holds.
    for info in entries:
        if (
            info.compress_type != zipfile.ZIP_STORED
            or info.file_size != info.compress_size
            or info.file_size > len(blob)
        ):
            archive.close()
            raise ModelFileError(
                f"{path}: array entry {info.filename!r} declares {info.file_size} bytes "
                f"(compression {info.compress_type}, {info.compress_size} stored) in a file of "
                f"{len(blob)} bytes; actlab writes arrays uncompressed"
            )
    return archive


def _read_arrays(archive: zipfile.ZipFile, targets: dict[str, np.ndarray], path: Path) -> None:
    """Fill ``targets`` from the .npz, after checking every header against its target."""
    found, wanted = set(archive.namelist()), {f"{key}.npy" for key in targets}
    if found != wanted:
        raise ModelFileError(
            f"{path} does not hold the arrays its architecture needs (missing: "
            f"{sorted(wanted - found) or 'none'}, unexpected: {sorted(found - wanted) or 'none'})"
        )
    for key, target in targets.items():
        try:
            target[...] = _read_array(archive, key, target, path)
        except ModelFileError:
            raise
        except Exception as exc:  # noqa: BLE001  (numpy and zipfile raise many types here)
            raise ModelFileError(
                f"{path}: array {key!r} cannot be read ({type(exc).__name__}: {exc}); "
                "the file is truncated or corrupt"
            ) from None


def _read_array(archive: zipfile.ZipFile, key: str, target: np.ndarray, path: Path) -> np.ndarray:
    info = archive.getinfo(f"{key}.npy")
    if info.file_size > target.nbytes + NPY_HEADER_ROOM:
        raise ModelFileError(
            f"{path}: array {key!r} declares {info.file_size} bytes; expected about {target.nbytes}"
        )
    with archive.open(info) as f:
        version = np.lib.format.read_magic(f)
        if version not in ((1, 0), (2, 0)):
            raise ModelFileError(f"{path}: array {key!r} has .npy format {version}")
        read_header = (
            np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
        )
        shape, _, dtype = read_header(f)
    if shape != target.shape or dtype != target.dtype:
        raise ModelFileError(
            f"{path}: array {key!r} is {dtype}{list(shape)}; the "
            f"architecture needs {target.dtype}{list(target.shape)}"
        )
    with archive.open(info) as f:
        return np.lib.format.read_array(f, allow_pickle=False)


def _count(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"optimizer_iterations must be a non-negative integer, got {value!r}")
    return value
