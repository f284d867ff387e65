//! Arithmetic, elementwise: negation and the scalar operators, powers, roots, `abs`, `clamp`
//! and `stop_gradient`. Each op is one [`unary_op!`] definition (see `ops::define`).

use crate::ops::define::unary_op;
use crate::scalar::{Elem, Float};

unary_op! {
    "`-x`, elementwise."
    op () => Negate() as "NegBackward";
    value |x| -x;
    slope |_, _, _| -T::one();
    constant |g| -g;
    checked at [0.25, 0.5, 2.0];
}

unary_op! {
    "`x + c` (and `c + x`) for a scalar `c`, elementwise."
    op () => AddScalar<F>(c: F) as "AddScalarBackward";
    value |x| x + c;
    slope |_, _, _| T::one();
    constant |g| g;
    checked at [0.25, 0.5, 2.0];
}

unary_op! {
    "`x - c` for a scalar `c`, elementwise."
    op () => SubScalar<F>(c: F) as "SubScalarBackward";
    value |x| x - c;
    slope |_, _, _| T::one();
    constant |g| g;
    checked at [0.25, 0.5, 2.0];
}

unary_op! {
    "`c - x` for a scalar `c`, elementwise."
    op () => RsubScalar<F>(c: F) as "RsubScalarBackward";
    value |x| T::constant(c) - x;
    slope |_, _, _| -T::one();
    constant |g| -g;
    checked at [0.25, 0.5, 2.0];
}

unary_op! {
    "`x · c` (and `c · x`) for a scalar `c`, elementwise."
    op () => MulScalar<F>(c: F) as "MulScalarBackward";
    value |x| x * c;
    slope |_, _, _| T::constant(c);
    constant |g| g * c;
    checked at [0.25, 0.5, 2.0];
}

unary_op! {
    "`x / c` for a scalar `c`, elementwise."
    op () => DivScalar<F>(c: F) as "DivScalarBackward";
    value |x| x / c;
    slope |_, _, _| T::constant(F::one() / c);
    constant |g| g / c;
    checked at [0.25, 0.5, 2.0];
}

unary_op! {
    "`c / x` for a scalar `c`, elementwise; slope `-c / x²`, computed as `-y / x`."
    op () => RdivScalar<F>(c: F) as "RdivScalarBackward";
    value |x| T::constant(c).div_accurate(x);
    slope |x, y, _| -(y / x);
    checked at [0.25, 0.5, 2.0];
}

unary_op! {
    "`x²`, elementwise."
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank1<2>>::from([3.0, -1.0]));
    ///     let y = x.square();
    ///     y.sum().backward();
    ///     assert_eq!(y.value().as_slice(), &[9.0, 1.0]);
    ///     assert_eq!(x.grad().as_slice(), &[6.0, -2.0]);
    /// });
    /// ```
    fn square() => Square() as "SquareBackward";
    value |x| x * x;
    slope |x, _, _| x + x;
    checked at [0.25, 0.5, 2.0];
}

unary_op! {
    "`xⁿ` for an integer `n`, elementwise (`x⁰ = 1` with slope 0 everywhere, 0 included)."
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank0>::from(2.0));
    ///     let y = x.powi(3);
    ///     y.backward();
    ///     assert_eq!((y.item(), x.grad().item()), (8.0, 12.0));
    /// });
    /// ```
    fn powi(n: i32) => Powi(n: i32) as "PowiBackward";
    // `powi_accurate`: num-dual's `powi` forms `re^(n-3) re³`, which overflows or underflows
    // in forward mode where the result does not.
    value |x| if n == 0 { T::one() } else { x.powi_accurate(n) };
    // `0 · x⁻¹` would be NaN at 0; the slope of a constant is 0 everywhere.
    slope |x, _, _| if n == 0 {
        T::zero()
    } else {
        x.powi_accurate(n - 1) * F::of_f64(f64::from(n))
    };
    checked at [0.25, 0.5, 2.0] with (3);
}

unary_op! {
    "`xᵖ` for a real `p`, elementwise; NaN for negative `x` unless `p` is whole (as `powf`); \
     `x⁰ = 1` with slope 0 everywhere."
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank0>::from(4.0));
    ///     let y = x.powf(1.5);
    ///     y.backward();
    ///     assert_eq!((y.item(), x.grad().item()), (8.0, 3.0));
    /// });
    /// ```
    fn powf(p: F) => Powf<F>(p: F) as "PowfBackward";
    // `x⁰ = 1` everywhere: `0 · x⁻¹` would make the slope NaN at 0 and at denormals.
    value |x| if p == F::zero() { T::one() } else { x.powf_accurate(p) };
    slope |x, _, _| if p == F::zero() { T::zero() } else { x.powf_accurate(p - F::one()) * p };
    checked at [0.25, 0.5, 2.0] with (1.5);
}

unary_op! {
    "`√x`, elementwise; NaN for `x < 0`, as `f64::sqrt`, and then its gradient is NaN too. \
     At 0 the gradient is `+inf`."
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank0>::from(4.0));
    ///     x.sqrt().backward();
    ///     assert_eq!(x.grad().item(), 0.25);
    /// });
    /// ```
    fn sqrt() => Sqrt() as "SqrtBackward";
    // `sqrt_accurate`: num-dual's slope `√re · (1/re) / 2` overflows for denormals, and is
    // `-inf` at `-0.0`.
    value |x| x.sqrt_accurate();
    slope |_, y, _| if y.real() == F::zero() {
        T::constant(F::infinity())
    } else {
        (y + y).recip()
    };
    checked at [0.25, 0.5, 2.0];
}

unary_op! {
    "`|x|`, elementwise. At `x = 0` the gradient is 0."
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank1<3>>::from([-2.0, 0.0, 3.0]));
    ///     x.abs().sum().backward();
    ///     assert_eq!(x.grad().as_slice(), &[-1.0, 0.0, 1.0]);
    /// });
    /// ```
    fn abs() => Abs() as "AbsBackward";
    // At the kink the kernel picks the same branch as the slope.
    value |x| if x.real() > F::zero() {
        x
    } else if x.real() < F::zero() {
        -x
    } else {
        x * F::zero()
    };
    slope |x, _, _| if x.real() > F::zero() {
        T::one()
    } else if x.real() < F::zero() {
        -T::one()
    } else {
        T::zero()
    };
    checked at [0.25, -0.5, 2.0];
}

unary_op! {
    "Clamps each element into `[min, max]`. The gradient is 1 inside the closed interval \
     (bounds included) and 0 outside."
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank1<3>>::from([-2.0, 0.5, 3.0]));
    ///     let y = x.clamp(0.0, 1.0);
    ///     y.sum().backward();
    ///     assert_eq!(y.value().as_slice(), &[0.0, 0.5, 1.0]);
    ///     assert_eq!(x.grad().as_slice(), &[0.0, 1.0, 0.0]);
    /// });
    /// ```
    fn clamp(min: F, max: F) => Clamp<F>(min: F, max: F) as "ClampBackward";
    value |x| if x.real() < min {
        T::constant(min)
    } else if x.real() > max {
        T::constant(max)
    } else {
        x
    };
    slope |x, _, _| if x.real() < min || x.real() > max { T::zero() } else { T::one() };
    checked at [0.25, -0.5, 2.0] with (0.0, 1.0);
}

unary_op! {
    "The same value, with no gradient flowing back through it (JAX `stop_gradient`, \
     PyTorch `detach`): the node's inputs get 0 from it, in reverse and in forward mode."
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank0>::from(3.0));
    ///     let y = x * x.stop_gradient();
    ///     y.backward();
    ///     assert_eq!(y.item(), 9.0);
    ///     assert_eq!(x.grad().item(), 3.0);
    /// });
    /// ```
    fn stop_gradient() => StopGradient() as "StopGradient";
    // A constant: no tangent, so forward mode agrees with the VJP's zero.
    value |x| T::constant(x.real());
    slope |_, _, _| T::zero();
    blocks: true;
    checked at [0.25, 0.5, 2.0];
}
