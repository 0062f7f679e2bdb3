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
S000 = "000_d14a610ce6b66109.txt"  # lecture notes: sigmoid ... maxout, softmax, advice
S001 = "001_cc45506a8512a7e0.txt"  # blog: sigmoid, ReLU, leaky, softplus, GELU, argmax, softmax
S002 = "002_5cb0df118655b8fb.txt"  # blog: Keras usage, step, linear, sigmoid, tanh, ReLU
S003 = "003_1f5deba7c94eebd9.txt"  # dev.to "day 03": Python code for each activation
S004 = "004_306ab8118a3ac9fc.txt"  # blog: deriving gradients of each activation


@dataclass(frozen=True)
class Budget:
    """How much computing a claims run may spend: ``tiny`` for tests, ``small`` (a few minutes on
    two cores, inside ``actlab report``) and ``full`` (the published directions; hours).

    ``seeds``, ``epochs`` and ``max_train`` also size the report's activation comparison.
    """

    name: str
    seeds: int  # the report's comparison: runs per activation
    epochs: int  # the report's comparison: epochs
    max_train: int | None  # training samples used (None: all)
    claim_seeds: int  # paired seeds per configuration of a claims experiment
    tuning_seeds: int  # other seeds, on which learning rates are chosen
    dataset: str  # the data the network claims are measured on
    width: int  # hidden units per dense layer
    depths: tuple[int, ...]  # vanishing/exploding: hidden layers
    scales: tuple[float, ...]  # vanishing/exploding: initial weights × the usual scale
    probe_depth: int  # gradient probes during training: hidden layers
    probe_epochs: int
    dying_lrs: tuple[float, ...]  # dying units: Adam learning rates swept
    dying_epochs: int
    speed_lrs: tuple[float, ...]  # ReLU vs tanh: SGD + momentum learning rates
    speed_epochs: int  # the most epochs a run may take to reach the target
    smooth_depth: int  # Swish/GELU/ELU vs ReLU: hidden layers
    smooth_lrs: tuple[float, ...]  # Adam learning rates tried per activation
    smooth_epochs: int  # the most epochs; early stopping ends runs before
    patience: int  # epochs without a better validation loss before stopping
    batch_sizes: tuple[int, ...]  # of the Swish-in-every-batch-size claim
    timing_repeats: int  # interleaved rounds of each compute-cost timing
    timing_size: int  # elements per timed call
    cnn: bool  # also run the convolutional experiments
    xor_epochs: int = 60  # the linear-collapse runs on XOR


BUDGETS = {
    "tiny": Budget(
        "tiny",
        seeds=2,
        epochs=3,
        max_train=300,
        claim_seeds=3,
        tuning_seeds=1,
        dataset="digits",
        width=16,
        depths=(2, 4),
        scales=(0.5, 1.0, 2.0),
        probe_depth=3,
        probe_epochs=2,
        dying_lrs=(1e-3, 0.05),
        dying_epochs=2,
        speed_lrs=(0.01, 0.1),
        speed_epochs=4,
        smooth_depth=2,
        smooth_lrs=(1e-3,),
        smooth_epochs=3,
        patience=2,
        batch_sizes=(32, 128),
        timing_repeats=3,
        timing_size=10_000,
        cnn=False,
        xor_epochs=4,
    ),
    "small": Budget(
        "small",
        seeds=4,
        epochs=12,
        max_train=2000,
        claim_seeds=10,
        tuning_seeds=1,
        dataset="mnist1d",
        width=64,
        depths=(2, 5, 10, 20),
        scales=(0.5, 1.0, 2.0),
        probe_depth=10,
        probe_epochs=5,
        dying_lrs=(1e-3, 1e-2, 1e-1),
        dying_epochs=4,
        speed_lrs=(0.003, 0.01, 0.03),
        speed_epochs=30,
        smooth_depth=4,
        smooth_lrs=(3e-4, 1e-3, 3e-3),
        smooth_epochs=15,
        patience=3,
        batch_sizes=(32, 128),
        timing_repeats=15,
        timing_size=1_000_000,
        cnn=False,
        xor_epochs=30,
    ),
    "full": Budget(
        "full",
        seeds=10,
        epochs=30,
        max_train=None,
        claim_seeds=20,
        tuning_seeds=2,
        dataset="mnist1d",
        width=128,
        depths=(2, 5, 10, 20, 30),
        scales=(0.5, 1.0, 2.0),
        probe_depth=20,
        probe_epochs=15,
        dying_lrs=(1e-3, 3e-3, 1e-2, 3e-2, 1e-1),
        dying_epochs=10,
        speed_lrs=(0.003, 0.01, 0.03, 0.1),
        speed_epochs=40,
        smooth_depth=6,
        smooth_lrs=(3e-4, 1e-3, 3e-3),
        smooth_epochs=60,
        patience=6,
        batch_sizes=(32, 128, 512),
        timing_repeats=41,
        timing_size=1_000_000,
        cnn=True,
        xor_epochs=60,
    ),
}


def budget_named(budget: str | Budget) -> Budget:
    if isinstance(budget, Budget):
        return budget
    if budget not in BUDGETS:
        raise ParameterError(f"unknown budget {budget!r}; expected one of {', '.join(BUDGETS)}")
    return BUDGETS[budget]


@dataclass
class Finding:
    """The outcome of one check: what was measured, the figures, the verdict, and context.

    ``setting`` names where a network claim was measured ("MNIST-1D, 4-layer MLP of 64, Adam,
    8 seeds"); ``plots`` are the figure files behind the verdict.
    """

    check: str
    figures: dict[str, Any]
    verdict: Verdict
    note: str = ""
    setting: str = ""
    plots: list[str] = field(default_factory=list)


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
    scheduler: str | None = None  # a Dask scheduler address: the experiments' runs go there
    figures: str | None = None  # a folder for the figures (None: no figures drawn)
    cells: int = 0  # training runs the experiments asked for ...
    cells_resumed: int = 0  # ... and how many of them were already in the results folder
    repair: bool = False  # set damaged lines of those files aside instead of refusing them
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
