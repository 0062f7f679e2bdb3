"""Vector-valued activations: they map a whole axis at once (softmax, argmax, maxout, sparsemax)."""

from __future__ import annotations

import math

from ..core import Definition, Param, ParameterError, Reference, register
from ._shared import check_grad_out, move_back, move_to_last

INF = math.inf
AXIS = Param("axis", -1, "the axis the activation works along", integer=True)
_BRIDLE = Reference(
    "J. S. Bridle",
    1990,
    "Probabilistic Interpretation of Feedforward Classification Network Outputs, with "
    "Relationships to Statistical Pattern Recognition",
    "https://doi.org/10.1007/978-3-642-76153-9_28",
)


def _shifted_logits(x, o, axis):
    """x − max(x) along the axis, with the limits of rows that hold infinities.

    A row whose maximum is +inf puts all its mass, in equal shares, on its +inf entries (the limit
    as those entries grow together); a row that is all −inf is uniform (the limit of a row of equal
    entries, as softmax is shift-invariant). NaN anywhere in a row makes the whole row NaN. An
    axis of length 0 has nothing to normalise: the result is as empty as the input.
    """
    if x.shape[axis] == 0:
        return x
    m = o.max(x, axis=axis, keepdims=True)
    finite_m = o.where(o.isinf(m), 0.0, m)
    z = x - finite_m
    z = o.where(m == INF, o.where(x == INF, 0.0, -INF), z)
    return o.where(m == -INF, 0.0, z)


def _softmax(x, o, axis):
    r"""Softmax: :math:`f(x)_i = \frac{e^{x_i}}{\sum_j e^{x_j}}` along ``axis``."""
    e = o.exp(_shifted_logits(x, o, axis))
    return e / o.sum(e, axis=axis, keepdims=True)


def _softmax_vjp(x, g, o, axis, name="softmax"):
    check_grad_out(g, x.shape, name)
    p = _softmax(x, o, axis)
    return p * (g - o.sum(g * p, axis=axis, keepdims=True))


register(
    Definition(
        name="softmax",
        family="normalising",
        elementwise=False,
        summary="Turns a vector of scores into probabilities: exponentiate and normalise.",
        forward=_softmax,
        vjp=_softmax_vjp,
        params=(AXIS,),
        latex=r"\frac{e^{x_i}}{\sum_j e^{x_j}}",
        latex_derivative=r"\frac{\partial f_i}{\partial x_j} = f_i(\delta_{ij} - f_j)",
        output_range=(0.0, 1.0),
        monotonic=True,
        zero_centred=False,
        smoothness="C∞",
        saturates=(),
        uses=("multiclass output",),
        init="glorot",
        reference=_BRIDLE,
        guidance="The output for one-of-K classification, trained with cross-entropy: their combined "
        "gradient is simply p − y. Computed with the maximum subtracted, so it never overflows.",
        mp_forward=lambda mp, row, axis: [mp.exp(v) / mp.fsum(mp.exp(w) for w in row) for v in row],
    )
)


def _log_softmax(x, o, axis):
    r"""Log-softmax: :math:`f(x)_i = x_i - \log\sum_j e^{x_j}` along ``axis``."""
    z = _shifted_logits(x, o, axis)
    return z - o.log(o.sum(o.exp(z), axis=axis, keepdims=True))


def _log_softmax_vjp(x, g, o, axis):
    check_grad_out(g, x.shape, "log_softmax")
    return g - o.exp(_log_softmax(x, o, axis)) * o.sum(g, axis=axis, keepdims=True)


register(
    Definition(
        name="log_softmax",
        family="normalising",
        aliases=("logsoftmax",),
        elementwise=False,
        summary="The logarithm of softmax, computed directly so small probabilities keep their digits.",
        forward=_log_softmax,
        vjp=_log_softmax_vjp,
        params=(AXIS,),
        latex=r"x_i - \log\sum_j e^{x_j}",
        latex_derivative=r"\frac{\partial f_i}{\partial x_j} = \delta_{ij} - \operatorname{softmax}(x)_j",
        output_range=(-INF, 0.0),
        monotonic=True,
        zero_centred=False,
        smoothness="C∞",
        saturates=(),
        uses=("multiclass output",),
        init="glorot",
        reference=_BRIDLE,
        guidance="Pair it with a negative log-likelihood loss; log(softmax(x)) gives -inf once a "
        "probability underflows, log_softmax does not.",
        mp_forward=lambda mp, row, axis: [v - mp.log(mp.fsum(mp.exp(w) for w in row)) for v in row],
    )
)


def _softmin(x, o, axis):
    r"""Softmin: :math:`f(x)_i = \frac{e^{-x_i}}{\sum_j e^{-x_j}}` along ``axis``."""
    return _softmax(-x, o, axis)


register(
    Definition(
        name="softmin",
        family="normalising",
        elementwise=False,
        summary="softmax(−x): probabilities that favour the smallest entries.",
        forward=_softmin,
        vjp=lambda x, g, o, axis: -_softmax_vjp(-x, g, o, axis, "softmin"),
        params=(AXIS,),
        latex=r"\frac{e^{-x_i}}{\sum_j e^{-x_j}}",
        latex_derivative=r"\frac{\partial f_i}{\partial x_j} = -f_i(\delta_{ij} - f_j)",
        output_range=(0.0, 1.0),
        monotonic=False,
        zero_centred=False,
        smoothness="C∞",
        saturates=(),
        uses=("multiclass output",),
        init="glorot",
        reference=_BRIDLE,
        guidance="Turns costs or distances into probabilities (soft nearest neighbour, attention over "
        "distances).",
        mp_forward=lambda mp, row, axis: [mp.exp(-v) / mp.fsum(mp.exp(-w) for w in row) for v in row],
    )
)


def _argmax(x, o, axis):
    r"""One-hot argmax: :math:`f(x)_i = 1` if :math:`i = \arg\max_j x_j` (the first one on ties), else 0."""
    n = x.shape[axis]
    if n == 0:  # no entry to pick: as empty as the input
        return x
    idx = o.argmax(x, axis=axis, keepdims=True)
    shape = [1] * x.ndim
    shape[axis] = n
    positions = o.reshape(o.arange(n), tuple(shape))
    onehot = o.astype(positions == idx, x.dtype)
    has_nan = o.any(o.isnan(x), axis=axis, keepdims=True)
    return o.where(has_nan, math.nan, onehot)


register(
    Definition(
        name="argmax",
        family="normalising",
        elementwise=False,
        differentiable=False,
        summary="One-hot of the largest entry: the hard decision softmax approximates.",
        forward=_argmax,
        params=(AXIS,),
        latex=r"\mathbb{1}\left[i = \arg\max_j x_j\right]",
        latex_derivative=r"0 \text{ almost everywhere (no useful gradient)}",
        output_range=(0.0, 1.0),
        monotonic=True,
        zero_centred=False,
        smoothness="discontinuous",
        saturates=(),
        uses=("multiclass output",),
        init="glorot",
        kink_convention="ties go to the first maximum (as numpy.argmax); a row with NaN is all NaN",
        reference=Reference(
            "I. Goodfellow, Y. Bengio, A. Courville",
            2016,
            "Deep Learning, section 6.2.2.3",
            "https://www.deeplearningbook.org/contents/mlp.html",
        ),
        guidance="Use it to read off a prediction, never inside training: it is piecewise constant, so "
        "its gradient is zero wherever it exists and backward through it is an error here. "
        "It also hides how close the runner-up was.",
        mp_forward=lambda mp, row, axis: [
            mp.mpf(int(i == max(range(len(row)), key=lambda j: (row[j], -j)))) for i in range(len(row))
        ],
    )
)


def _pieces_view(x, o, pieces, axis):
    n = x.shape[axis]
    if n % pieces:
        raise ParameterError(
            f"parameter 'pieces' = {pieces} does not divide the axis length {n}; expected a divisor of {n}"
        )
    z = move_to_last(x, axis, o)
    return o.reshape(z, (*z.shape[:-1], n // pieces, pieces))


def _maxout(x, o, pieces, axis):
    r"""Maxout: :math:`f(x)_i = \max_{j < k} x_{ik + j}`: the maximum over each group of ``pieces`` consecutive entries."""
    return move_back(o.max(_pieces_view(x, o, pieces, axis), axis=-1), axis, o)


def _maxout_vjp(x, g, o, pieces, axis):
    v = _pieces_view(x, o, pieces, axis)
    check_grad_out(g, (*x.shape[:axis], x.shape[axis] // pieces, *x.shape[axis + 1 :]), "maxout")
    # The gradient goes to the first maximum of each group, as for argmax.
    idx = o.argmax(v, axis=-1, keepdims=True)
    hit = o.astype(o.reshape(o.arange(pieces), (1,) * (v.ndim - 1) + (pieces,)) == idx, x.dtype)
    grad = hit * o.expand_dims(move_to_last(g, axis, o), axis=-1)
    grad = o.reshape(grad, (*v.shape[:-2], v.shape[-2] * pieces))
    return move_back(grad, axis, o)


register(
    Definition(
        name="maxout",
        family="piecewise linear",
        elementwise=False,
        summary="The maximum of k linear pieces: divides an axis into groups of k and keeps each group's max.",
        forward=_maxout,
        vjp=_maxout_vjp,
        params=(
            Param(
                "pieces",
                2,
                "k, the number of pieces per unit; must divide the axis length",
                low=1,
                integer=True,
            ),
            AXIS,
        ),
        latex=r"\max_{j = 1..k}\left(w_j^\top x + b_j\right)",
        latex_derivative=r"\frac{\partial f}{\partial z_j} = \mathbb{1}\left[j = \arg\max_l z_l\right]",
        output_range=(-INF, INF),
        monotonic=True,
        zero_centred=False,
        smoothness="C0",
        saturates=(),
        uses=("hidden",),
        init="glorot",
        kink_convention="on ties the gradient goes to the first maximum",
        reference=Reference(
            "I. J. Goodfellow, D. Warde-Farley, M. Mirza, A. Courville, Y. Bengio",
            2013,
            "Maxout Networks",
            "https://arxiv.org/abs/1302.4389",
        ),
        guidance="Learns its own convex piecewise-linear activation; ReLU and leaky ReLU are special "
        "cases (a zero piece, or a piece with slope alpha). Costs k times the weights of the "
        "layer before it.",
        mp_forward=lambda mp, row, pieces, axis: [
            max(row[i : i + pieces]) for i in range(0, len(row), pieces)
        ],
    )
)


def _sparsemax(x, o, axis):
    r"""Sparsemax: :math:`f(x) = \arg\min_{p \in \Delta} \lVert p - x \rVert^2`, i.e.
    :math:`f(x)_i = \max(x_i - \tau(x), 0)` with :math:`\tau` chosen so the entries sum to 1."""
    z = move_to_last(_shifted_logits(x, o, axis), axis, o)
    n = z.shape[-1]
    zs = -o.sort(-z, axis=-1)  # descending
    k = o.astype(o.arange(1, n + 1), z.dtype)
    cs = o.cumulative_sum(zs, axis=-1)
    # The support is the prefix of sorted entries with 1 + k z_(k) > Σ_{j<=k} z_(j).
    in_support = o.astype(1.0 + k * zs > cs, z.dtype)
    size = o.sum(in_support, axis=-1, keepdims=True)
    tau = (o.sum(o.where(in_support > 0, zs, 0.0), axis=-1, keepdims=True) - 1.0) / size
    return move_back(o.maximum(z - tau, 0.0), axis, o)


def _sparsemax_vjp(x, g, o, axis):
    check_grad_out(g, x.shape, "sparsemax")
    support = o.astype(_sparsemax(x, o, axis) > 0, g.dtype)
    size = o.sum(support, axis=axis, keepdims=True)
    return support * (g - o.sum(g * support, axis=axis, keepdims=True) / size)


def _mp_sparsemax(mp, row, axis):
    zs = sorted(row, reverse=True)
    cs, k = mp.mpf(0), 0
    for j, v in enumerate(zs, start=1):
        if 1 + j * v > cs + v:
            cs, k = cs + v, j
        else:
            break
    tau = (cs - 1) / k
    return [max(v - tau, 0) for v in row]


register(
    Definition(
        name="sparsemax",
        family="normalising",
        elementwise=False,
        summary="Euclidean projection onto the probability simplex: like softmax but with exact zeros.",
        forward=_sparsemax,
        vjp=_sparsemax_vjp,
        params=(AXIS,),
        latex=r"\max(x_i - \tau(x), 0),\ \sum_i f_i = 1",
        latex_derivative=r"\frac{\partial f_i}{\partial x_j} = s_i\left(\delta_{ij} - \frac{s_j}{|S|}\right),\ s = \mathbb{1}[f > 0]",
        output_range=(0.0, 1.0),
        monotonic=True,
        zero_centred=False,
        smoothness="C0",
        saturates=(),
        uses=("multiclass output", "multilabel output"),
        init="glorot",
        reference=Reference(
            "A. F. T. Martins, R. F. Astudillo",
            2016,
            "From Softmax to Sparsemax: A Sparse Model of Attention and Multi-Label Classification",
            "https://arxiv.org/abs/1602.02068",
        ),
        guidance="Gives sparse probabilities (many exactly 0), useful for attention you want to read "
        "and for multi-label outputs. Piecewise linear, so its gradient is cheap.",
        mp_forward=_mp_sparsemax,
    )
)
