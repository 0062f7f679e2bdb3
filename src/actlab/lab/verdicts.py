"""Verdicts computed from measurements.

Six labels:

- **supported** — the measurement shows what the claim says, with its interval on the right side;
- **not supported** — the measurement contradicts it, or any effect is smaller than the smallest
  effect of interest fixed before the run;
- **holds only when** — true in part of the measured settings and false in another; the reason
  names the condition;
- **inconclusive** — the interval still admits both (too few seeds at this budget, or not
  significant after Holm's correction);
- **not testable here** — the claim is about a setting this lab cannot reproduce (transformers,
  ImageNet); nothing was measured, so nothing is refuted;
- **erratum** — the statement is wrong as written (a formula, code that fails, a false statement
  about a gradient, a misattributed number); the explanation gives the correct statement.

Each function takes what was measured and returns a :class:`Verdict` (the label and a sentence
saying why). They hold no knowledge of any particular claim, so the same rule judges every
claim of its kind; the tests feed them synthetic measurements to show each way they can come out.
A verdict that rests on rejecting a null hypothesis carries the test's raw ``p_value`` and a
``test`` key, so that the claims run can apply Holm's correction over the family of network
tests (:func:`holm_corrected`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from .statistics import ALPHA, Comparison

SUPPORTED = "supported"
NOT_SUPPORTED = "not supported"
HOLDS_WHEN = "holds only when"
INCONCLUSIVE = "inconclusive"
NOT_TESTABLE = "not testable here"
ERRATUM = "erratum"
VERDICTS = (SUPPORTED, NOT_SUPPORTED, HOLDS_WHEN, INCONCLUSIVE, NOT_TESTABLE, ERRATUM)


@dataclass(frozen=True)
class Verdict:
    label: str
    reason: str
    p_value: float | None = None  # raw p of the test the label rests on (None: no test)
    test: str | None = None  # that test's identity, shared by claims that rest on one test


def _significant(c: Comparison, test: str | None) -> tuple[float | None, str | None]:
    return (c.p_value, test) if test is not None else (None, None)


def better(c: Comparison, *, sesoi: float, what: str, test: str | None = None) -> Verdict:
    """Judge "a is better than b" from ``c`` = a − b over seeds (larger = better).

    Not supported when the interval lies below ``sesoi``, the smallest effect of interest (a is
    worse, or better by less than anything that matters); supported when it lies above 0 and
    the Wilcoxon p is below α; otherwise inconclusive. For a ratio
    (``c.ratio``) "above 0" reads "above 1" and ``sesoi`` is a ratio.
    """
    text = c.describe(what)
    none = 1.0 if c.ratio else 0.0
    if c.n < 3:
        return Verdict(INCONCLUSIVE, f"{text}; at least three seeds are needed")
    if c.high < sesoi:  # first: an effect too small to matter is no support, however consistent
        return Verdict(
            NOT_SUPPORTED, f"{text}; any advantage is below the smallest effect of interest {sesoi:g}"
        )
    if c.low > none and c.p_value < ALPHA:
        return Verdict(SUPPORTED, f"{text}; the interval is above {none:g}", *_significant(c, test))
    return Verdict(INCONCLUSIVE, f"{text}; the interval admits both no effect and one of {sesoi:g}")


def not_worse(c: Comparison, *, margin: float, what: str) -> Verdict:
    """Judge "a is no worse than b" (larger = better): supported when the interval lies above
    −``margin``, not supported when it lies below −``margin``, inconclusive in between."""
    text = c.describe(what)
    if c.n < 3:
        return Verdict(INCONCLUSIVE, f"{text}; at least three seeds are needed")
    if c.low > -margin:
        return Verdict(SUPPORTED, f"{text}; worse by less than the margin {margin:g} at most")
    if c.high < -margin:
        return Verdict(NOT_SUPPORTED, f"{text}; worse by more than the margin {margin:g}")
    return Verdict(INCONCLUSIVE, f"{text}; the interval straddles −{margin:g}")


def no_better(c: Comparison, *, sesoi: float, what: str, test: str | None = None) -> Verdict:
    """Judge "a is not better than b" (larger = better): supported when the interval lies below
    ``sesoi``; not supported when it lies above 0 with p below α; inconclusive otherwise."""
    text = c.describe(what)
    if c.n < 3:
        return Verdict(INCONCLUSIVE, f"{text}; at least three seeds are needed")
    if c.high < sesoi:
        return Verdict(SUPPORTED, f"{text}; any advantage is below the smallest effect of interest {sesoi:g}")
    if c.low > 0 and c.p_value < ALPHA:
        return Verdict(NOT_SUPPORTED, f"{text}; a is better", *_significant(c, test))
    return Verdict(INCONCLUSIVE, text)


def varies(c: Comparison, spread: tuple[float, float], *, margin: float, what: str) -> Verdict:
    """Judge "the effect of a over b is not consistent": supported when some seeds favour a and
    others b, each by more than ``margin`` (``spread`` = the smallest and largest per-seed
    difference); not supported when the interval of the mean excludes 0; inconclusive otherwise."""
    lo, hi = spread
    text = f"{c.describe(what)}; per-seed differences from {lo:+.3g} to {hi:+.3g}"
    if hi > margin and lo < -margin:
        return Verdict(SUPPORTED, f"{text}: seeds disagree in sign beyond {margin:g}")
    if c.n >= 3 and (c.low > 0 or c.high < 0):
        return Verdict(NOT_SUPPORTED, f"{text}: the effect is consistent")
    return Verdict(INCONCLUSIVE, text)


def at_least(
    value: float,
    threshold: float,
    *,
    what: str,
    interval: tuple[float, float] | None = None,
    interval_name: str = "95% CI",
) -> Verdict:
    """Judge "``value`` ≥ ``threshold``". With an ``interval`` around the value (a confidence
    interval, or the range of repeated measurements), the verdict is inconclusive while the
    interval straddles the threshold."""
    return _versus(value, threshold, what, interval, interval_name, above=True)


def at_most(
    value: float,
    threshold: float,
    *,
    what: str,
    interval: tuple[float, float] | None = None,
    interval_name: str = "95% CI",
) -> Verdict:
    """Judge "``value`` ≤ ``threshold``" (the mirror image of :func:`at_least`)."""
    return _versus(value, threshold, what, interval, interval_name, above=False)


def _versus(value, threshold, what, interval, interval_name, above: bool) -> Verdict:
    lo, hi = interval if interval is not None else (value, value)
    text = f"{what} = {value:.4g}" + (f" ({interval_name} [{lo:.4g}, {hi:.4g}])" if interval else "")
    if not math.isfinite(value):
        return Verdict(INCONCLUSIVE, f"{text}: no finite measurement")
    holds, fails = (lo >= threshold, hi < threshold) if above else (hi <= threshold, lo > threshold)
    sign_ok, sign_bad = ("≥", "<") if above else ("≤", ">")
    if holds:
        return Verdict(SUPPORTED, f"{text} {sign_ok} {threshold:g}")
    if fails:
        return Verdict(NOT_SUPPORTED, f"{text} {sign_bad} {threshold:g}")
    return Verdict(INCONCLUSIVE, f"{text}: the interval straddles {threshold:g}")


def observed(count: int, trials: int, *, what: str) -> Verdict:
    """Judge an existence claim ("sometimes X happens"): supported once X was seen; otherwise
    inconclusive, since not seeing something in a few runs does not show it never happens."""
    if count > 0:
        return Verdict(SUPPORTED, f"{what}: seen in {count} of {trials} runs")
    return Verdict(INCONCLUSIVE, f"{what}: not seen in {trials} runs at this budget")


def agrees(max_error: float, tol: float, *, what: str) -> Verdict:
    """Judge a stated identity or property: supported if the largest measured deviation is within
    ``tol``, not supported otherwise."""
    if math.isfinite(max_error) and max_error <= tol:
        return Verdict(SUPPORTED, f"{what}: largest deviation {max_error:.3g} ≤ tolerance {tol:.1g}")
    return Verdict(NOT_SUPPORTED, f"{what}: largest deviation {max_error:.3g} > tolerance {tol:.1g}")


def seed_formula(max_error: float, tol: float, *, what: str, failure: str | None = None) -> Verdict:
    """Judge a formula or code as a seed text writes it, against actlab's definition: an erratum
    if it disagrees beyond ``tol`` (or fails to evaluate: ``failure`` says how), else supported."""
    if failure:
        return Verdict(ERRATUM, f"{what}: {failure}")
    if math.isfinite(max_error) and max_error <= tol:
        return Verdict(SUPPORTED, f"{what}: agrees with actlab to {max_error:.3g} (tolerance {tol:.1g})")
    return Verdict(ERRATUM, f"{what}: disagrees with actlab by up to {max_error:.3g}")


def erratum(wrong: str, correct: str, *, evidence: str = "") -> Verdict:
    """A statement that is wrong as written: what is wrong, the correct statement, and (where
    code could check it) what the check measured."""
    return Verdict(
        ERRATUM, f"Wrong: {wrong} Correct: {correct}" + (f" Checked: {evidence}" if evidence else "")
    )


def not_testable(why: str) -> Verdict:
    """A claim about a setting this lab does not reproduce: nothing measured, nothing refuted."""
    return Verdict(NOT_TESTABLE, why)


def holds_when(parts: dict[str, Verdict], *, claim: str) -> Verdict:
    """One claim judged in several settings (``parts``: setting → verdict there). Supported or
    not supported when every setting agrees; "holds only when" when it is supported in some
    settings and refuted in others (the reason names both); inconclusive otherwise."""
    labels = {v.label for v in parts.values()}
    reasons = "; ".join(f"{setting}: {v.label} ({v.reason})" for setting, v in parts.items())
    yes = [s for s, v in parts.items() if v.label == SUPPORTED]
    no = [s for s, v in parts.items() if v.label == NOT_SUPPORTED]
    p = max((v.p_value for v in parts.values() if v.p_value is not None), default=None)
    tests = "+".join(sorted({v.test for v in parts.values() if v.test})) or None
    if labels == {SUPPORTED}:
        return Verdict(SUPPORTED, reasons, p, tests)
    if labels == {NOT_SUPPORTED}:
        return Verdict(NOT_SUPPORTED, reasons)
    if yes and no:
        return Verdict(
            HOLDS_WHEN, f"{claim} holds when {', '.join(yes)}, not when {', '.join(no)}. {reasons}", p, tests
        )
    return Verdict(INCONCLUSIVE, reasons)


def all_of(*verdicts: Verdict) -> Verdict:
    """A claim made of several parts: not supported if any part is refuted, supported if every
    part is supported, otherwise inconclusive. Reasons are joined in order; a supported whole
    keeps the largest p of its parts (the weakest link)."""
    labels = {v.label for v in verdicts}
    label = (
        NOT_SUPPORTED
        if NOT_SUPPORTED in labels or ERRATUM in labels
        else SUPPORTED
        if labels == {SUPPORTED}
        else INCONCLUSIVE
    )
    ps = [v.p_value for v in verdicts if v.p_value is not None]
    tests = "+".join(sorted({v.test for v in verdicts if v.test})) or None
    keep = label == SUPPORTED and ps
    return Verdict(
        label, "; ".join(v.reason for v in verdicts), max(ps) if keep else None, tests if keep else None
    )


def holm_corrected(verdict: Verdict, adjusted_p: float, family: int) -> Verdict:
    """The verdict after Holm's correction over ``family`` tests: a label that rested on a
    significant test whose adjusted p is no longer below α becomes inconclusive."""
    if verdict.p_value is None or adjusted_p < ALPHA:
        return verdict
    return replace(
        verdict,
        label=INCONCLUSIVE,
        p_value=None,
        test=None,
        reason=f"{verdict.reason}; not significant after Holm's correction over the {family} "
        f"network tests (adjusted p = {adjusted_p:.3g} ≥ {ALPHA:g})",
    )
