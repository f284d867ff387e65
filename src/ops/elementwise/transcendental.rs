//! Exponentials, logarithms, trigonometric and hyperbolic functions, elementwise. Each op is
//! one [`unary_op!`] definition (see `ops::define`); the careful numerics are in `ops::math`.

use crate::ops::define::unary_op;
use crate::ops::math::{
    ln_1p_or_nan, ln_1p_slope, ln_or_nan, ln_slope, stable_hypot, tanh_slope_from_x,
    tanh_unsaturated,
};
use crate::scalar::{Elem, Float};

unary_op! {
    "`eˣ`, elementwise."
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank0>::from(0.0));
    ///     x.exp().backward();
    ///     assert_eq!(x.grad().item(), 1.0);
    /// });
    /// ```
    fn exp() => Exp() as "ExpBackward";
    value |x| x.exp();
    slope |_, y, _| y;
    checked at [0.25, 0.5, 2.0];
}

unary_op! {
    "`eˣ - 1`, elementwise, accurate for small `x` (where `exp(x) - 1` cancels)."
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank1<2>>::from([1e-10, 0.0]));
    ///     let y = x.expm1();
    ///     y.sum().backward();
    ///     assert!((y.value()[0] / 1.00000000005e-10 - 1.0).abs() < 1e-15);
    ///     assert!((x.grad()[0] - 1.0000000001).abs() < 1e-15);
    /// });
    /// ```
    fn expm1() => Expm1() as "Expm1Backward";
    value |x| x.exp_m1();
    // `y + 1` cancels as `y` nears -1 (it is 0 from x ≈ -37 on, where eˣ is not); there the
    // slope is eˣ itself.
    slope |x, y, _| if y.real() < F::of_f64(-0.5) { x.exp() } else { y + F::one() };
    checked at [0.25, -0.5, 2.0];
}

unary_op! {
    "Natural logarithm, elementwise; NaN for `x < 0` and `-inf` at 0, as `f64::ln`. Below \
     0 the gradient is NaN too (not the formula `1/x`), so a domain error cannot hide."
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank0>::from(2.0));
    ///     x.ln().backward();
    ///     assert_eq!(x.grad().item(), 0.5);
    /// });
    /// ```
    fn ln() => Ln() as "LnBackward";
    value |x| ln_or_nan(x);
    slope |x, _, _| ln_slope(x);
    checked at [0.25, 0.5, 2.0];
}

unary_op! {
    "`ln(1 + x)`, elementwise, accurate for small `x` (where `ln(1 + x)` loses `x`); NaN \
     below -1 in value and gradient, as `ln` below 0."
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank1<2>>::from([1e-20, 1.0]));
    ///     let y = x.log1p();
    ///     y.sum().backward();
    ///     assert_eq!(y.value().as_slice(), &[1e-20, 2f64.ln()]);
    ///     assert_eq!(x.grad().as_slice(), &[1.0, 0.5]);
    /// });
    /// ```
    fn log1p() => Log1p() as "Log1pBackward";
    value |x| ln_1p_or_nan(x);
    slope |x, _, _| ln_1p_slope(x);
    checked at [0.25, -0.5, 2.0];
}

unary_op! {
    "Sine, elementwise."
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank0>::from(0.0));
    ///     x.sin().backward();
    ///     assert_eq!(x.grad().item(), 1.0);
    /// });
    /// ```
    fn sin() => Sin() as "SinBackward";
    // One `sin_cos` costs about what one of them costs; the slope then reads the kept `cos`.
    value |x| x.sin_cos();
    keeps: true;
    slope |_, _, cos| cos;
    checked at [0.25, 0.5, 2.0];
}

unary_op! {
    "Cosine, elementwise."
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank0>::from(0.0));
    ///     x.cos().backward();
    ///     assert_eq!(x.grad().item(), 0.0);
    /// });
    /// ```
    fn cos() => Cos() as "CosBackward";
    value |x| {
        let (sin, cos) = x.sin_cos();
        (cos, sin)
    };
    keeps: true;
    slope |_, _, sin| -sin;
    checked at [0.25, 0.5, 2.0];
}

unary_op! {
    "Tangent, elementwise."
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank0>::from(0.0));
    ///     x.tan().backward();
    ///     assert_eq!(x.grad().item(), 1.0);
    /// });
    /// ```
    fn tan() => Tan() as "TanBackward";
    // `tan_accurate`: the float's `tan` value in forward mode too (num-dual's is sin / cos).
    value |x| x.tan_accurate();
    slope |_, y, _| T::one() + y * y;
    checked at [0.25, 0.5, 1.0];
}

unary_op! {
    "Arctangent, elementwise; slope `1 / (1 + x²)`."
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank1<2>>::from([0.0, 1.0]));
    ///     let y = x.atan();
    ///     y.sum().backward();
    ///     assert_eq!(y.value().as_slice(), &[0.0, std::f64::consts::FRAC_PI_4]);
    ///     assert_eq!(x.grad().as_slice(), &[1.0, 0.5]);
    /// });
    /// ```
    fn atan() => Atan() as "AtanBackward";
    value |x| x.atan();
    slope |x, _, _| (x * x + F::one()).recip();
    checked at [0.25, -0.5, 2.0];
}

unary_op! {
    "Inverse hyperbolic sine, elementwise; slope `1 / √(1 + x²)`, without overflow for \
     large `|x|`."
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank1<2>>::from([0.0, 1e200]));
    ///     let y = x.asinh();
    ///     y.sum().backward();
    ///     assert_eq!(y.value()[0], 0.0);
    ///     assert_eq!(x.grad()[0], 1.0);
    ///     assert!((x.grad()[1] / 1e-200 - 1.0).abs() < 1e-15);
    /// });
    /// ```
    fn asinh() => Asinh() as "AsinhBackward";
    // `asinh_accurate`: num-dual's slope `1 / √(1 + x²)` is 0 past |x| ≈ 1e154.
    value |x| x.asinh_accurate();
    slope |x, _, _| stable_hypot(x, T::one()).recip();
    checked at [0.25, -0.5, 2.0];
}

unary_op! {
    "Hyperbolic tangent, elementwise; its slope `1 - y²` from the output, or sech² x from \
     `x` where the output saturates (past |y| = 0.9), so it keeps full relative precision."
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank0>::from(0.0));
    ///     x.tanh().backward();
    ///     assert_eq!(x.grad().item(), 1.0);
    /// });
    /// ```
    fn tanh() => Tanh() as "TanhBackward";
    value |x| x.tanh_accurate();
    slope |_, y, _| T::one() - y * y;
    saturated unless |y| tanh_unsaturated(y) => |x, _| tanh_slope_from_x(x);
    checked at [0.25, 0.5, 2.0];
}
