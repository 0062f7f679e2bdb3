"""Bit-level helpers for numba: reinterpret a float's bits as an integer and back, fused multiply-add.

LLVM turns each into one instruction (or none), so loops that use them still vectorise; the
libm routines they replace (``ldexp``, ``frexp``, ``fma``) are opaque calls that would not.
"""

from __future__ import annotations

from llvmlite import ir
from numba import types
from numba.extending import intrinsic


def _float_to_bits(src, dst, llvm_dst):
    @intrinsic
    def cast(typingctx, value):
        if value != src:
            return None

        def codegen(context, builder, signature, args):
            return builder.bitcast(args[0], llvm_dst)

        return dst(src), codegen

    return cast


def _bits_to_float(dst, llvm_int, llvm_dst):
    # numba widens integer arithmetic to 64 bits; the low bits are the ones meant.
    @intrinsic
    def cast(typingctx, value):
        if not isinstance(value, types.Integer):
            return None

        def codegen(context, builder, signature, args):
            v = args[0]
            if v.type.width > llvm_int.width:
                v = builder.trunc(v, llvm_int)
            return builder.bitcast(v, llvm_dst)

        return dst(value), codegen

    return cast


f32_bits = _float_to_bits(types.float32, types.int32, ir.IntType(32))
f32_from_bits = _bits_to_float(types.float32, ir.IntType(32), ir.FloatType())
f64_bits = _float_to_bits(types.float64, types.int64, ir.IntType(64))
f64_from_bits = _bits_to_float(types.float64, ir.IntType(64), ir.DoubleType())


@intrinsic
def fma(typingctx, a, b, c):
    """a·b + c rounded once (IEEE fusedMultiplyAdd); all three of one float type."""
    if not (a == b == c and isinstance(a, types.Float)):
        return None

    def codegen(context, builder, signature, args):
        return builder.fma(*args)

    return a(a, b, c), codegen


def _as_width(builder, n, int_t):
    if n.type.width > int_t.width:
        return builder.trunc(n, int_t)
    return builder.sext(n, int_t) if n.type.width < int_t.width else n


def _power_of_two(builder, e, float_t):
    """2^e for an integer e (LLVM value of the float's width) in the normal exponent range."""
    width, mantissa, bias = (32, 23, 127) if isinstance(float_t, ir.FloatType) else (64, 52, 1023)
    int_t = ir.IntType(width)
    biased = builder.add(e, ir.Constant(int_t, bias))
    return builder.bitcast(builder.shl(biased, ir.Constant(int_t, mantissa)), float_t)


# The integer work below is done at the float's own width: numba would widen it to 64 bits,
# which halves the vector lanes of a float32 loop.


@intrinsic
def pow2(typingctx, like, k):
    """2^k, of the float type of ``like``, for an integer k in the normal exponent range
    (float32: [-126, 127], float64: [-1022, 1023])."""
    if not (isinstance(like, types.Float) and isinstance(k, types.Integer)):
        return None

    def codegen(context, builder, signature, args):
        float_t = args[0].type
        int_t = ir.IntType(32 if isinstance(float_t, ir.FloatType) else 64)
        return _power_of_two(builder, _as_width(builder, args[1], int_t), float_t)

    return like(like, k), codegen


@intrinsic
def ldexp(typingctx, p, k):
    """p·2^k for a float p in [1/2, 2] and an integer k in twice the normal exponent range.
    Scaled by 2^(k//2), then 2^(k − k//2), so that neither factor overflows and a subnormal
    result is rounded once."""
    if not (isinstance(p, types.Float) and isinstance(k, types.Integer)):
        return None

    def codegen(context, builder, signature, args):
        value, n = args
        int_t = ir.IntType(32 if isinstance(value.type, ir.FloatType) else 64)
        n = _as_width(builder, n, int_t)
        half = builder.ashr(n, ir.Constant(int_t, 1))
        rest = builder.sub(n, half)
        scaled = builder.fmul(value, _power_of_two(builder, half, value.type))
        return builder.fmul(scaled, _power_of_two(builder, rest, value.type))

    return p(p, k), codegen
