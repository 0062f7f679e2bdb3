"""The one progress facility: a terminal line that fits, plain lines elsewhere, an honest ETA."""

from __future__ import annotations

import io
import re
import sys
import types

import pytest

from actlab.lab import progress as P


class Terminal(io.StringIO):
    def isatty(self):
        return True


class Clock:
    """time.perf_counter under the test's control."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    c = Clock()
    monkeypatch.setattr(P.time, "perf_counter", c)
    monkeypatch.setattr(P, "REDRAW_SECONDS", 0.0)
    monkeypatch.setattr(P, "in_notebook", lambda: False)
    return c


def _frames(text: str) -> list[str]:
    """What the terminal shows after each redraw: the text after each carriage return."""
    return [f.replace("\x1b[K", "").rstrip("\n") for f in text.split("\r") if f]


@pytest.mark.parametrize("columns", [40, 80, 120])
def test_the_bar_is_one_line_that_fits_the_terminal(clock, monkeypatch, columns):
    monkeypatch.setenv("COLUMNS", str(columns))
    out = Terminal()
    bar = P.Progress(50, "claims", stream=out)
    for k in range(50):
        clock.now += 1.0
        bar.update(note=f"a-rather-long-claim-identifier-number-{k}")
    bar.close()
    text = out.getvalue()
    assert text.count("\n") == 1 and text.endswith("\n"), "one line, redrawn in place"
    frames = _frames(text)
    assert len(frames) > 10 and all(len(f) <= columns - 1 for f in frames)
    assert frames[-1].startswith("claims 50/50")


def test_eta_is_weighted_by_each_items_cost(clock):
    out = Terminal()
    # Three cheap items, then one that costs as much as all of them together, nine times over.
    bar = P.Progress(4, "sweep", weights=[1, 1, 1, 27], stream=out)
    for _ in range(3):
        clock.now += 1.0
        bar.update(weight=1)
    # 3 s for 3 units of 30: 27 units, so 27 s, left (a count-based ETA would say 1 s).
    assert bar.eta() == pytest.approx(27.0)
    assert "ETA 0:27" in _frames(out.getvalue())[-1]


def test_resumed_work_does_not_count_towards_the_rate(clock):
    bar = P.Progress(10, "sweep", already=8, stream=Terminal())
    clock.now += 5.0
    bar.update()
    clock.now += 5.0
    bar.update()
    assert bar.fraction() == 1.0
    bar2 = P.Progress(10, "sweep", already=6, stream=Terminal())
    for _ in range(2):
        clock.now += 5.0
        bar2.update()
    assert bar2.eta() == pytest.approx(10.0)  # 2 items left at 5 s each, not 6/8 of anything


def test_uneven_unweighted_work_gets_no_guess(clock):
    out = Terminal()
    bar = P.Progress(10, "claims", stream=out)
    for seconds in (0.01, 0.01, 30.0, 0.01):
        clock.now += seconds
        bar.update()
    assert bar.eta() is None and "ETA unknown" in _frames(out.getvalue())[-1]
    even = P.Progress(10, "fit", stream=Terminal())
    for _ in range(4):
        clock.now += 2.0
        even.update()
    assert even.eta() == pytest.approx(12.0)


def test_nested_work_shares_the_line(clock, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    out = Terminal()
    outer = P.Progress(3, "claims", stream=out)
    clock.now += 1
    outer.update()
    inner = P.Progress(4, "sweep", weights=[1, 1, 1, 1], stream=out)
    clock.now += 1
    inner.update(weight=1)
    assert _frames(out.getvalue())[-1].startswith("claims 1/3 › sweep 1/4")
    inner.close()
    assert _frames(out.getvalue())[-1].startswith("claims 1/3 ")
    outer.close()
    assert out.getvalue().count("\n") == 1
    assert outer.eta() is None, "items that hold nested work are not alike"


def test_plain_lines_where_there_is_no_terminal(clock, monkeypatch):
    monkeypatch.setattr(P, "PLAIN_GAP", 0.0)
    out = io.StringIO()
    bar = P.Progress(100, "compare", stream=out, unit="cells")
    for _ in range(100):
        clock.now += 0.5
        bar.update()
    bar.close()
    lines = out.getvalue().splitlines()
    assert all(re.match(r"\d\d:\d\d:\d\d compare: ", line) for line in lines)
    assert "\r" not in out.getvalue()
    assert lines[0].endswith("started (100 cells)") and "done, 100/100 in 0:50" in lines[-1]
    assert 10 <= len(lines) <= 13, "about one line per tenth of the work"
    P.stage("writing the page", stream=out)
    assert re.match(r"\d\d:\d\d:\d\d writing the page$", out.getvalue().splitlines()[-1])


def test_plain_lines_are_not_closer_than_the_gap(clock):
    out = io.StringIO()
    bar = P.Progress(10, "quick", stream=out)
    for _ in range(10):
        clock.now += 0.1
        bar.update()
    bar.close()
    assert len(out.getvalue().splitlines()) == 2  # started, done


def test_off_is_silent(clock):
    out = Terminal()
    bar = P.Progress(5, "x", stream=out, enabled=False)
    bar.update()
    bar.close()
    P.stage("nothing", enabled=False, stream=out)
    assert out.getvalue() == ""


def test_notebook_gets_an_html_bar_updated_in_place(clock, monkeypatch):
    shown = []

    class Handle:
        def update(self, obj):
            shown.append(("update", obj.data))

    def display(obj, display_id=False):
        shown.append(("display", obj.data))
        return Handle()

    class HTML:
        def __init__(self, data):
            self.data = data

    fake = types.ModuleType("IPython.display")
    fake.HTML, fake.display = HTML, display
    monkeypatch.setitem(sys.modules, "IPython.display", fake)
    monkeypatch.setattr(P, "in_notebook", lambda: True)
    bar = P.Progress(3, "fit <1>", stream=sys.stderr)
    assert bar.mode == "notebook"
    for _ in range(3):
        clock.now += 1
        bar.update(note="loss: 0.1")
    bar.close()
    assert shown[0][0] == "display" and all(kind == "update" for kind, _ in shown[1:])
    assert "<progress" in shown[-1][1] and "fit &lt;1&gt; 3/3" in shown[-1][1]


def test_format_seconds():
    assert [P.format_seconds(s) for s in (0, 7, 270, 3723)] == ["0:00", "0:07", "4:30", "1:02:03"]
