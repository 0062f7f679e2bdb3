"""Helpers of the fault-injection suite: scripts run in their own processes, to be killed."""

import subprocess
import sys
import textwrap

import pytest


@pytest.fixture
def script(tmp_path):
    """``script(source)`` writes a Python script to tmp_path and returns a function that starts
    it (``start(*args)`` → Popen) or runs it to the end (``run(*args)`` → CompletedProcess)."""

    def make(source: str, name: str = "script.py"):
        path = tmp_path / name
        path.write_text(textwrap.dedent(source))

        class Script:
            @staticmethod
            def start(*args, **kw):
                return subprocess.Popen([sys.executable, str(path), *map(str, args)], **kw)

            @staticmethod
            def run(*args, timeout=120, **kw):
                return subprocess.run(
                    [sys.executable, str(path), *map(str, args)],
                    capture_output=True,
                    text=True,
                    timeout=timeout,
                    **kw,
                )

        return Script

    return make
