//! Shared numerics: the numerically careful forms the op definitions call, each written once
//! here (overflow-free sigmoid and softplus, `ln` with its NaN policy, the saturated slopes of
//! `tanh` and `sigmoid`, a scaled `hypot`). Every function is generic over the scalar, so
//! forward mode differentiates exactly these forms.

use crate::scalar::{Elem, Float};

/// Logistic function in the form that cannot overflow: `exp` only ever sees `-|x|`.
#[inline]
pub(crate) fn stable_sigmoid<F: Float, T: Elem<F>>(x: T) -> T {
    if x.real() >= F::zero() {
        (T::one() + (-x).exp()).recip()
    } else {
        let e = x.exp();
        e.div_accurate(T::one() + e)
    }
}

/// `ln(1 + exp(x))` without overflow: `max(x, 0) + ln(1 + exp(-|x|))`.
#[inline]
pub(crate) fn stable_softplus<F: Float, T: Elem<F>>(x: T) -> T {
    if x.real() > F::zero() {
        x + (-x).exp().ln_1p()
    } else {
        x.exp().ln_1p()
    }
}

/// `ln x`, NaN below 0 in both parts (the dual `ln` would give a finite slope `1/x`).
#[inline]
pub(crate) fn ln_or_nan<F: Float, T: Elem<F>>(x: T) -> T {
    if x.real() < F::zero() {
        x * F::nan()
    } else if x.real() == F::zero() {
        // Both zeros: `-inf` with slope `+inf` (the dual `1 / -0.0` would be `-inf`).
        x.taylor(F::neg_infinity(), F::infinity(), F::neg_infinity())
    } else {
        x.ln()
    }
}

/// The slope of [`ln_or_nan`]: `1 / x`, NaN below 0, `+inf` at both zeros.
#[inline]
pub(crate) fn ln_slope<F: Float, T: Elem<F>>(x: T) -> T {
    if x.real() < F::zero() {
        T::constant(F::nan())
    } else if x.real() == F::zero() {
        T::constant(F::infinity())
    } else {
        x.recip()
    }
}

/// `ln(1 + x)`, accurate for small `x`, NaN below -1 in both parts (as [`ln_or_nan`]).
#[inline]
pub(crate) fn ln_1p_or_nan<F: Float, T: Elem<F>>(x: T) -> T {
    if x.real() < -F::one() {
        x * F::nan()
    } else {
        x.ln_1p()
    }
}

/// The slope of [`ln_1p_or_nan`]: `1 / (1 + x)`, NaN below -1.
#[inline]
pub(crate) fn ln_1p_slope<F: Float, T: Elem<F>>(x: T) -> T {
    if x.real() < -F::one() {
        T::constant(F::nan())
    } else {
        (x + F::one()).recip()
    }
}

// `1 - y²` and `y (1 - y)`, the slopes of `tanh` and `sigmoid` from their output, are cheap
// but cancel as the output saturates (relative error about ε / (1 - |y|)); past |y| = 0.9 the
// slope comes from `x` instead, at the cost of one `exp`, so it keeps full relative precision.

/// Whether `tanh`'s slope may be taken from its output `y` (`1 - y²`).
#[inline]
pub(crate) fn tanh_unsaturated<F: Float, T: Elem<F>>(y: T) -> bool {
    num_traits::Float::abs(y.real()) < F::of_f64(0.9)
}

/// `tanh`'s slope from `x`: sech² x = 4 e^{-2|x|} / (1 + e^{-2|x|})².
#[inline]
pub(crate) fn tanh_slope_from_x<F: Float, T: Elem<F>>(x: T) -> T {
    let e = (-(x + x).abs()).exp();
    let d = T::one() + e;
    e * F::of_f64(4.0) / (d * d)
}

/// Whether `sigmoid`'s slope may be taken from its output `y` (`y (1 - y)`).
#[inline]
pub(crate) fn sigmoid_unsaturated<F: Float, T: Elem<F>>(y: T) -> bool {
    y.real() < F::of_f64(0.9)
}

/// `sigmoid`'s slope from `x` and `y = σ(x)`: σ(x) σ(-x), with σ(-x) = e^{-x} / (1 + e^{-x})
/// (for the saturated side, `x > 0`).
#[inline]
pub(crate) fn sigmoid_slope_from_x<F: Float, T: Elem<F>>(x: T, y: T) -> T {
    let e = (-x).exp();
    y * e / (T::one() + e)
}

/// `√(a² + b²)` without overflow or underflow: both scaled by the larger magnitude `s` (a
/// constant, so the tangents pass through unscaled), `s √((a/s)² + (b/s)²)`; 0 at the origin.
#[inline]
pub(crate) fn stable_hypot<F: Float, T: Elem<F>>(a: T, b: T) -> T {
    let (ra, rb) = (
        num_traits::Float::abs(a.real()),
        num_traits::Float::abs(b.real()),
    );
    let scale = if ra > rb || rb.is_nan() { ra } else { rb };
    if scale == F::zero() {
        return a * F::zero() + b * F::zero();
    }
    if !scale.is_finite() {
        // An infinite or NaN operand: the naive form gives the IEEE answer (inf or NaN).
        return (a * a + b * b).sqrt();
    }
    // One operand below √ε of the other: `|big| + small² / (2 |big|)`, whose tangent
    // `small · d small / |big|` does not underflow where the scaled square's would (the
    // value is `|big|` to the last bit either way).
    let (big, small, ratio) = if ra >= rb {
        (a, b, rb / ra)
    } else {
        (b, a, ra / rb)
    };
    if ratio < F::of_f64(1e-8) {
        let big = if big.real() < F::zero() { -big } else { big };
        return big + small * small.div_accurate(big + big);
    }
    if scale < tiny_scale::<F>() {
        return tiny_norm(&[a, b], scale);
    }
    let (sa, sb) = (a / scale, b / scale);
    (sa * sa + sb * sb).sqrt() * scale
}

/// Below this a scale's reciprocal could overflow a tangent divided by it: `2⁻⁵⁰⁰` for
/// `f64`; for `f32` (whose range ends at `2¹²⁸`), `2⁻⁶⁰`.
#[inline]
fn tiny_scale<F: Float>() -> F {
    if <F as num_traits::Float>::max_value().as_f64() > 1e300 {
        F::of_f64(2f64.powi(-500))
    } else {
        F::of_f64(2f64.powi(-60))
    }
}

/// The L2 norm of elements whose largest magnitude `scale` is below [`tiny_scale`]: the
/// value from the scaled squares in `F`, the tangent as `Σ (xᵢ / ‖x‖) ẋᵢ` with each weight
/// `(xᵢ / s) / ‖x / s‖` formed in `F` (`ẋ / s` would overflow: `1 / 5e-324` is past
/// `f64::MAX`). First order only: a Hessian there has entries of order `1 / ‖x‖`, past the
/// range anyway.
fn tiny_norm<F: Float, T: Elem<F>>(x: &[T], scale: F) -> T {
    let squares = x.iter().fold(F::zero(), |acc, xi| {
        let r = xi.real() / scale;
        acc + r * r
    });
    let root = num_traits::Float::sqrt(squares);
    x.iter().fold(T::constant(root * scale), |acc, &xi| {
        let weight = (xi.real() / scale) / root;
        acc + (xi - T::constant(xi.real())) * weight
    })
}

/// `∂ hypot(a, b) / ∂a = a / hypot(a, b)`, and 0 at the origin (a subgradient, as `norm`).
#[inline]
pub(crate) fn hypot_partial<F: Float, T: Elem<F>>(a: T, y: T) -> T {
    if y.real() == F::zero() {
        T::zero()
    } else {
        a / y
    }
}

/// The L2 norm, scaled by the largest magnitude (a constant, so the derivative is exact) so
/// that the squares neither overflow nor underflow. At zero it is a zero without tangent,
/// matching the VJP's choice of 0 as the gradient there (where `sqrt` has none).
pub(crate) fn stable_norm<F: Float, T: Elem<F>>(x: &[T]) -> T {
    let scale = x.iter().fold(F::zero(), |m, xi| {
        let v = xi.real();
        let a = if v < F::zero() { -v } else { v };
        if a > m || a.is_nan() { a } else { m }
    });
    if scale == F::zero() {
        return T::zero();
    }
    if !scale.is_finite() {
        // An infinite or NaN element: the naive form gives the IEEE answer (inf or NaN).
        return x.iter().fold(T::zero(), |acc, &xi| acc + xi * xi).sqrt();
    }
    if scale < tiny_scale::<F>() {
        return tiny_norm(x, scale);
    }
    let sum = x.iter().fold(T::zero(), |acc, &xi| {
        let s = xi / scale;
        acc + s * s
    });
    sum.sqrt() * scale
}
