"""The claims checker's machinery: what a claim is, the budgets, and the shared experiment cache.

A claim is a statement from a seed text, the file it comes from, and a check: a function of the
run's :class:`Context` returning a :class:`Finding` — what was measured (``check``), the figures,
and the :class:`~actlab.lab.verdicts.Verdict` computed from them. Checks that rest on the same
experiment share it through :meth:`Context.measure`, so it runs once per claims run.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from ...core.errors import ParameterError
from ..verdicts import Verdict

# The seed texts (shared/seeds/), by file name.
S000 = "000_d14a610ce6b66109.txt"   # lecture notes: sigmoid ... maxout, softmax, advice
S001 = "001_cc45506a8512a7e0.txt"   # blog: sigmoid, ReLU, leaky, softplus, GELU, argmax, softmax
S002 = "002_5cb0df118655b8fb.txt"   # blog: Keras usage, step, linear, sigmoid, tanh, ReLU
S003 = "003_1f5deba7c94eebd9.txt"   # dev.to "day 03": Python code for each activation
S004 = "004_306ab8118a3ac9fc.txt"   # blog: deriving gradients of each activation


@dataclass(frozen=True)
class Budget:
    """How much computing a claims run may spend; ``tiny`` for tests, ``small`` for CI, ``full``."""

    name: str
    seeds: int            # independent runs per configuration
    epochs: int           # training epochs of the network experiments
    depths: tuple[int, ...]   # hidden-layer counts of the vanishing-gradient sweep
    width: int            # hidden units per layer
    batch_sizes: tuple[int, ...]  # of the Swish/GELU vs ReLU comparison
    max_train: int | None  # training samples used (None: all)
    timing_repeats: int   # repetitions of each compute-cost timing
    long_epochs: int      # epochs of the convergence-speed runs (slow activations need more)
    lr_grid: tuple[float, ...]  # SGD learning rates tried per activation before the speed runs


BUDGETS = {
    "tiny": Budget("tiny", seeds=2, epochs=3, depths=(2, 6), width=16, batch_sizes=(64,),
                   max_train=300, timing_repeats=3, long_epochs=4, lr_grid=(0.1, 0.3)),
    "small": Budget("small", seeds=4, epochs=12, depths=(2, 5, 10), width=32, batch_sizes=(32, 128),
                    max_train=None, timing_repeats=5, long_epochs=30, lr_grid=(0.03, 0.1, 0.3, 1.0)),
    "full": Budget("full", seeds=10, epochs=30, depths=(2, 4, 8, 12, 16), width=64,
                   batch_sizes=(16, 64, 256), max_train=None, timing_repeats=15, long_epochs=60,
                   lr_grid=(0.01, 0.03, 0.1, 0.3, 1.0)),
}


def budget_named(budget: str | Budget) -> Budget:
    if isinstance(budget, Budget):
        return budget
    if budget not in BUDGETS:
        raise ParameterError(f"unknown budget {budget!r}; expected one of {', '.join(BUDGETS)}")
    return BUDGETS[budget]


@dataclass
class Finding:
    """The outcome of one check: what was measured, the figures, the verdict, and context."""

    check: str
    figures: dict[str, Any]
    verdict: Verdict
    note: str = ""


@dataclass(frozen=True)
class Claim:
    id: str
    statement: str
    source: str
    evaluate: Callable[["Context"], Finding]
    needs_network: bool = False  # rests on actlab.nn training runs


@dataclass
class Context:
    """What checks share in one run: the budget, worker count, and the experiments measured so far."""

    budget: Budget
    n_jobs: int | None = 1
    progress: bool | None = None
    results: str | None = None  # a folder: each experiment's runs are saved there and resumed
    _cache: dict = field(default_factory=dict)

    def measure(self, experiment: Callable[["Context"], Any]) -> Any:
        """Run ``experiment(ctx)`` once per claims run and return its (cached) measurements."""
        if experiment not in self._cache:
            self._cache[experiment] = experiment(self)
        return self._cache[experiment]


CLAIMS: list[Claim] = []


def claim(id: str, source: str, statement: str, *, needs_network: bool = False):
    """Register ``fn(ctx) -> Finding`` as the check of a claim."""
    def register(fn: Callable[[Context], Finding]) -> Callable[[Context], Finding]:
        add_claim(Claim(id, statement, source, fn, needs_network))
        return fn
    return register


def add_claim(c: Claim) -> None:
    if any(existing.id == c.id for existing in CLAIMS):
        raise ValueError(f"claim id {c.id!r} is registered twice")
    CLAIMS.append(c)


def sources(*names: str) -> str:
    """Several seed files that make the same claim, as one ``source`` string."""
    return ", ".join(names)
