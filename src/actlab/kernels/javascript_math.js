// The elementary functions of actlab's traced kernels, in JavaScript (see kernels/javascript.py).
// The browser's Math functions are used where JavaScript has them (V8, SpiderMonkey and
// JavaScriptCore compute them to within an ulp); erfc, which JavaScript lacks, is the algorithm
// of actlab.core.special with its coefficients, which kernels/javascript.py writes in below.
"use strict";
const ActlabMath = (function () {
  const R = /*ERFC_R*/[];  // erf(√s)/√s − 1 on s ∈ [0, 1], Chebyshev coefficients
  const K = /*ERFC_K*/[];  // z·erfcx(z) on t = 1/(1 + z/2) ∈ [0, 2/3], Chebyshev coefficients
  const UNDERFLOW = /*ERFC_UNDERFLOW*/0;
  const f32 = new Float32Array(1);

  // Σ c_j T_j(u) by Clenshaw's recurrence, as numpy.polynomial.chebyshev.chebval computes it.
  function chebval(u, c) {
    if (c.length === 1) return c[0];
    const u2 = 2 * u;
    let c0 = c[c.length - 2], c1 = c[c.length - 1];
    for (let i = 3; i <= c.length; i++) {
      const tmp = c0;
      c0 = c[c.length - i] - c1;
      c1 = tmp + c1 * u2;
    }
    return c0 + c1 * u;
  }

  // erfc(x) = 1 − erf(x) = (2/√π) ∫ₓ^∞ e^{−t²} dt: for z = |x| ≤ 1, (1 − z) − z·R(z²); above,
  // e^{−z²}·K(t)/z with z² split exactly as z_h² + δ (z_h: z rounded to 24 bits).
  function erfc(x) {
    if (x !== x) return x;
    const z = Math.abs(x);
    if (z <= 1) {
      const zr = z * chebval(2 * (z * z) - 1, R);
      return x < 0 ? 1 + (z + zr) : (1 - z) - zr;
    }
    const zf = Math.min(z, UNDERFLOW);
    const t = 1 / (1 + 0.5 * zf);
    f32[0] = zf;
    const zh = f32[0];
    const delta = (zf - zh) * (zf + zh);
    const tail = Math.exp(-zh * zh) * (Math.exp(-delta) * chebval((t - 1 / 3) / (1 / 3), K)) / zf;
    return x < 0 ? 2 - tail : tail;
  }

  return Object.freeze({exp: Math.exp, expm1: Math.expm1, log1p: Math.log1p, tanh: Math.tanh,
                        cosh: Math.cosh, sqrt: Math.sqrt, hypot: Math.hypot, erfc});
})();
