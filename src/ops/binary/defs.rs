//! The binary ops, each one [`binary_op!`] definition (see `ops::define`).

use crate::ops::define::binary_op;
use crate::ops::math::{hypot_partial, stable_hypot};
use crate::scalar::{Elem, Float};

binary_op! {
    "`a + b`, elementwise."
    op => Plus as "AddBackward";
    value |a, b| a + b;
    d_a |_, _, _| T::one();
    d_b |_, _, _| T::one();
    constant partials (1.0, 1.0);
    checked at [0.25, 0.5, 2.0, -1.0];
}

binary_op! {
    "`a - b`, elementwise."
    op => Minus as "SubBackward";
    value |a, b| a - b;
    d_a |_, _, _| T::one();
    d_b |_, _, _| -T::one();
    constant partials (1.0, -1.0);
    checked at [0.25, 0.5, 2.0, -1.0];
}

binary_op! {
    "`a · b`, elementwise."
    op => Times as "MulBackward";
    value |a, b| a * b;
    d_a |_, b, _| b;
    d_b |a, _, _| a;
    checked at [0.25, 0.5, 2.0, -1.0];
}

binary_op! {
    "`a / b`, elementwise; partials `1 / b` and `-a / b²`, computed as `-y / b`."
    op => Quotient as "DivBackward";
    // `div_accurate`: num-dual's quotient forms `b²` (overflow past 1e154, NaN for an
    // infinite `b`).
    value |a, b| a.div_accurate(b);
    d_a |_, b, _| T::one().div_accurate(b);
    d_b |_, b, y| -(y.div_accurate(b));
    checked at [0.25, 0.5, 2.0, -1.0];
}

binary_op! {
    "Elementwise maximum; where the two are equal the gradient goes to `self`."
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let a = g.param(Tensor::<Rank1<2>>::from([1.0, 5.0]));
    ///     let b = g.param(Tensor::<Rank1<2>>::from([3.0, 2.0]));
    ///     let m = a.maximum(b);
    ///     m.sum().backward();
    ///     assert_eq!(m.value().as_slice(), &[3.0, 5.0]);
    ///     assert_eq!(a.grad().as_slice(), &[0.0, 1.0]);
    ///     assert_eq!(b.grad().as_slice(), &[1.0, 0.0]);
    /// });
    /// ```
    fn maximum => Maximum as "MaximumBackward";
    // Ties go to the first operand, in the value and in the partials alike.
    value |a, b| if a.real() >= b.real() { a } else { b };
    d_a |a, b, _| if a.real() >= b.real() { T::one() } else { T::zero() };
    d_b |a, b, _| if a.real() >= b.real() { T::zero() } else { T::one() };
    checked at [0.25, 0.5, 2.0, -1.0];
}

binary_op! {
    "Elementwise minimum; where the two are equal the gradient goes to `self`."
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let a = g.param(Tensor::<Rank1<2>>::from([1.0, 5.0]));
    ///     let b = g.constant(Tensor::<Rank1<2>>::from([3.0, 2.0]));
    ///     a.minimum(b).sum().backward();
    ///     assert_eq!(a.grad().as_slice(), &[1.0, 0.0]);
    /// });
    /// ```
    fn minimum => Minimum as "MinimumBackward";
    value |a, b| if a.real() <= b.real() { a } else { b };
    d_a |a, b, _| if a.real() <= b.real() { T::one() } else { T::zero() };
    d_b |a, b, _| if a.real() <= b.real() { T::zero() } else { T::one() };
    checked at [0.25, 0.5, 2.0, -1.0];
}

binary_op! {
    "Elementwise `self ^ exponent` with a tensor exponent; defined for a positive base \
     (partials `b aᵇ⁻¹` and `aᵇ ln a`)."
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let a = g.param(Tensor::<Rank0>::from(2.0));
    ///     let b = g.param(Tensor::<Rank0>::from(3.0));
    ///     let y = a.pow(b);
    ///     y.backward();
    ///     assert_eq!(y.item(), 8.0);
    ///     assert_eq!(a.grad().item(), 12.0);
    ///     assert!((b.grad().item() - 8.0 * 2f64.ln()).abs() < 1e-12);
    /// });
    /// ```
    fn pow => Pow as "PowBackward";
    // `pow_accurate`: the float's `powf` value in forward mode too.
    value |a, b| a.pow_accurate(b);
    // `y / a` first: `b y` overflows near the top of the range where the slope does not.
    d_a |a, b, y| b * (y / a);
    d_b |a, _, y| y * a.ln();
    checked at [0.25, 0.5, 2.0, -1.0];
}

binary_op! {
    "`√(a² + b²)`, elementwise, without overflow or underflow for large or small operands; \
     partials `a / y` and `b / y` (0 at the origin, a subgradient)."
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let a = g.param(Tensor::<Rank1<2>>::from([3.0, 3e200]));
    ///     let b = g.param(Tensor::<Rank1<2>>::from([4.0, 4e200]));
    ///     let r = a.hypot(b);
    ///     r.sum().backward();
    ///     assert_eq!(r.value()[0], 5.0);
    ///     assert!((r.value()[1] / 5e200 - 1.0).abs() < 1e-15);   // a² alone would overflow
    ///     assert_eq!(a.grad()[0], 0.6);
    ///     assert!((b.grad()[1] - 0.8).abs() < 1e-15);
    /// });
    /// ```
    fn hypot => Hypot as "HypotBackward";
    value |a, b| stable_hypot(a, b);
    d_a |a, _, y| hypot_partial(a, y);
    d_b |_, b, y| hypot_partial(b, y);
    checked at [0.25, 0.5, 2.0, -1.0];
}
