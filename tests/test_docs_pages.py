"""The docs' generated pages: one per activation from its definition, the claims report by verdict."""

from __future__ import annotations

import dataclasses
import doctest
import sys
from pathlib import Path

import pytest

import actlab as al

pytest.importorskip("sphinx")
pytest.importorskip("latex2mathml")
pytest.importorskip("matplotlib")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "docs"))
from _gen import activations, claims, pages  # noqa: E402

DEFINITIONS = al.definitions()


@pytest.fixture(autouse=True)
def no_adapters(monkeypatch):
    """The adapters' lines need torch and Keras imported; these tests are about the page itself."""
    monkeypatch.setattr(activations, "actlab_adapters", lambda d: [])


@pytest.mark.parametrize("d", DEFINITIONS, ids=[d.name for d in DEFINITIONS])
def test_page_shows_the_definition(d):
    text = activations.page(d)
    assert f"# {d.name}\n" in text
    for piece in (d.summary, d.latex, d.latex_derivative, d.guidance, d.reference.title):
        assert piece in text
    for p in d.params:
        assert f"`{p.name}`" in text and p.range_text in text
    assert f"plots/{d.name}.svg" in text


@pytest.mark.parametrize("d", DEFINITIONS, ids=[d.name for d in DEFINITIONS])
def test_example_passes_as_a_doctest(d):
    """The example's outputs were computed by the build; run again from scratch, they agree."""
    session = activations.example(d)
    test = doctest.DocTestParser().get_doctest(session, {}, d.name, None, 0)
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
    runner.run(test)
    assert runner.summarize(verbose=False).failed == 0
    assert f"al.{d.name}(x)" in session
    if "Traceback" in session:  # only the backward pass of what has no derivative may fail
        assert not d.differentiable


def _with_frameworks(d, record):
    """The definition as a Definition type with a framework field would hold it."""
    extended = dataclasses.make_dataclass(
        "WithFrameworks",
        [("framework_equivalents", object, dataclasses.field(default=None))],
        bases=(type(d),),
        frozen=True,
    )
    return extended(
        **{f.name: getattr(d, f.name) for f in dataclasses.fields(d)}, framework_equivalents=record
    )


def test_framework_equivalents_are_shown_where_recorded():
    d = al.lookup("leaky_relu")
    assert "records no framework equivalents" in "\n".join(activations.frameworks(d))
    record = {
        "PyTorch": {"name": "torch.nn.LeakyReLU", "defaults": {"negative_slope": 0.01}},
        "Keras": {"name": "keras.activations.leaky_relu", "defaults": {"negative_slope": 0.2}},
        "JAX": None,
    }
    text = "\n".join(activations.frameworks(_with_frameworks(d, record)))
    assert "records no framework" not in text
    assert "| PyTorch | `torch.nn.LeakyReLU` | `negative_slope=0.01` |" in text
    assert "`negative_slope=0.2`" in text and "| JAX | none |" in text


@dataclasses.dataclass(frozen=True)
class _Equivalent:
    framework: str
    names: tuple
    params: tuple = ()
    note: str = ""


def test_framework_records_as_a_sequence_drop_empty_columns():
    d = al.lookup("leaky_relu")
    record = (
        _Equivalent("torch", ("LeakyReLU", "leaky_relu"), (("negative_slope", "alpha"),)),
        _Equivalent("keras", ("leaky_relu",), (("negative_slope", "alpha"),)),
    )
    text = "\n".join(activations.frameworks(_with_frameworks(d, record)))
    assert "| framework | names | params |\n" in text  # the note column is empty for all: left out
    assert "| torch | `LeakyReLU`, `leaky_relu` | `negative_slope` → `alpha` |" in text


REPORT = """# Claims

**3 claims.**

| | claim | verdict |
|---|---|---|
| ✓ | [a-one](#a-one) | supported |
| ! | [b-two](#b-two) | erratum |
| ✓ | [c-three](#c-three) | supported |

## a-one

*Source:* `000` · *verdict:* **supported**

## b-two

*Source:* `001` · *verdict:* **erratum**

## c-three

*Source:* `002` · *verdict:* **supported**
"""


def test_claims_report_is_split_by_verdict(tmp_path):
    (tmp_path / "claims.md").write_text(REPORT, encoding="utf-8")
    claims.write(tmp_path / "claims.md", tmp_path / "claims")
    out = tmp_path / "claims"
    assert sorted(p.name for p in out.iterdir()) == ["erratum.md", "index.md", "supported.md"]
    index = (out / "index.md").read_text(encoding="utf-8")
    assert "[a-one](supported.md#a-one)" in index and "[b-two](erratum.md#b-two)" in index
    supported = (out / "supported.md").read_text(encoding="utf-8")
    assert "# Claims: supported (2)" in supported
    assert "## a-one" in supported and "## c-three" in supported and "## b-two" not in supported


def test_a_claim_without_a_verdict_is_an_error(tmp_path):
    (tmp_path / "claims.md").write_text(REPORT.replace("**erratum**", "erratum"), encoding="utf-8")
    with pytest.raises(ValueError, match="b-two"):
        claims.write(tmp_path / "claims.md", tmp_path / "claims")


def test_sync_keeps_unchanged_files_and_removes_stale_ones(tmp_path):
    pages.sync(tmp_path, {"a.md": "one", "sub/b.md": "two", "old.md": "gone soon"})
    before = (tmp_path / "a.md").stat().st_mtime_ns
    pages.sync(tmp_path, {"a.md": "one", "sub/b.md": "three"})
    assert (tmp_path / "a.md").stat().st_mtime_ns == before
    assert (tmp_path / "sub/b.md").read_text() == "three"
    assert not (tmp_path / "old.md").exists()
