"""The seed texts the claims and the advice quote, cited by their titles as the texts give them.

The texts are not shipped with actlab: none carries a licence or a note that allows it, so the
report and the terminal quote only the sentences a claim rests on, and name the text by its
title (and, where the text gives one, its author and where it was published). Claims keep the
text's file name as their ``source``; :func:`cite` turns it into the citation.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Seed:
    title: str  # as the text's first lines give it
    kind: str  # what the text is, as far as it says
    by: str = ""  # author and venue, where the text names them


SEEDS = {
    "000_d14a610ce6b66109.txt": Seed("Activation Functions", "lecture notes"),
    "001_cc45506a8512a7e0.txt": Seed("Activation Functions", "blog post"),
    "002_5cb0df118655b8fb.txt": Seed("Activation Functions (Neural Networks)", "blog post"),
    "003_1f5deba7c94eebd9.txt": Seed(
        "activation functions - day 03 of dl", "blog post", "mahraib, DEV Community"
    ),
    "004_306ab8118a3ac9fc.txt": Seed("Neural Network Activation Functions Deriving Gradients", "blog post"),
}


def number(file_name: str) -> str:
    """The text's number, ``000`` for ``000_d14a….txt``: how the page tells two texts of the same
    title apart."""
    return file_name.split("_", 1)[0]


def cite(source: str) -> str:
    """``“Activation Functions” (lecture notes, text 000)`` for each file named in ``source``
    (several are separated by commas); a name that is not a seed text is kept as it is."""
    parts = []
    for name in (s.strip() for s in source.split(",")):
        seed = SEEDS.get(name)
        if seed is None:
            parts.append(name)
            continue
        who = f"{seed.by}, " if seed.by else ""
        parts.append(f"“{seed.title}” ({who}{seed.kind}, text {number(name)})")
    return "; ".join(parts)
