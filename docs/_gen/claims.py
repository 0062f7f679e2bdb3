"""The claims report as pages: ``docs/claims.md`` (written by ``actlab claims``) split by verdict.

The report is one long file: a summary table, then a section per claim (``## id``) that names
its verdict. Here the summary becomes the index page, its links pointing into one page per
verdict, and each claim's section goes, unchanged, onto the page of its verdict.
"""

from __future__ import annotations

import re
from pathlib import Path

from actlab.lab.verdicts import VERDICTS

from .pages import HEADER, sync

VERDICT = re.compile(r"\*verdict:\*\s*\*\*(?P<verdict>[^*]+)\*\*")
LINK = re.compile(r"\]\(#(?P<id>[^)\s]+)\)")


def slug(verdict: str) -> str:
    return verdict.strip().lower().replace(" ", "-")


def split(report: str) -> tuple[str, list[tuple[str, str, str]]]:
    """The summary and the claims as (id, verdict, section) in the report's order."""
    summary, *sections = re.split(r"^(?=## )", report, flags=re.MULTILINE)
    claims = []
    for section in sections:
        claim_id = section.splitlines()[0][3:].strip()
        found = VERDICT.search(section)
        if found is None:
            raise ValueError(f"claims report: the section of {claim_id!r} names no verdict")
        claims.append((claim_id, found["verdict"].strip(), section.rstrip() + "\n"))
    return summary, claims


def write(report_file: Path, folder: Path) -> None:
    header = HEADER.format(source="claims.py", origin="docs/claims.md, as `actlab claims` wrote it")
    # The pages sit one folder below claims.md: its figures' relative paths gain a "../".
    text = report_file.read_text(encoding="utf-8").replace("](claims-figures/", "](../claims-figures/")
    summary, claims = split(text)
    found = set(v for _, v, _ in claims)
    verdicts = [v for v in VERDICTS if v in found] + sorted(found - set(VERDICTS))
    page_of = {claim_id: slug(v) for claim_id, v, _ in claims}
    linked = LINK.sub(lambda m: f"]({page_of.get(m['id'], 'index')}.md#{m['id']})", summary)
    toctree = ["```{toctree}", ":hidden:", "", *map(slug, verdicts), "```", ""]
    files = {"index.md": header + linked.rstrip() + "\n\n" + "\n".join(toctree)}
    for v in verdicts:
        mine = [section for _, verdict, section in claims if verdict == v]
        files[f"{slug(v)}.md"] = header + f"# Claims: {v} ({len(mine)})\n\n" + "\n".join(mine)
    sync(folder, files)
