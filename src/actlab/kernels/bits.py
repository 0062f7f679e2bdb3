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
