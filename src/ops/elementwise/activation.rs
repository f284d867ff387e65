//! Activation functions, elementwise: `sigmoid`, `relu`, `leaky_relu`, `softplus`. Each op is
//! one [`unary_op!`] definition (see `ops::define`).

use crate::ops::define::unary_op;
use crate::ops::math::{
    sigmoid_slope_from_x, sigmoid_unsaturated, stable_sigmoid, stable_softplus,
};
use crate::scalar::{Elem, Float};

unary_op! {
    "Logistic sigmoid `1 / (1 + e⁻ˣ)`, elementwise, in a form that stays finite for any \
     input; its slope `y (1 - y)`, or `σ(x) σ(-x)` where the output saturates."
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank0>::from(0.0));
    ///     let y = x.sigmoid();
    ///     y.backward();
    ///     assert_eq!((y.item(), x.grad().item()), (0.5, 0.25));
    /// });
    /// ```
    fn sigmoid() => Sigmoid() as "SigmoidBackward";
    value |x| stable_sigmoid(x);
    slope |_, y, _| y * (T::one() - y);
    saturated unless |y| sigmoid_unsaturated(y) => |x, y| sigmoid_slope_from_x(x, y);
    checked at [0.25, -0.5, 3.0];
}

unary_op! {
    "`max(x, 0)`, elementwise. At the kink `x = 0` the gradient is 0 (as PyTorch)."
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank1<3>>::from([-1.0, 0.0, 2.0]));
    ///     x.relu().sum().backward();
    ///     assert_eq!(x.grad().as_slice(), &[0.0, 0.0, 1.0]);
    /// });
    /// ```
    fn relu() => Relu() as "ReluBackward";
    // At the kink the kernel picks the same branch as the slope.
    // `x · 0` would make `relu(-inf)` NaN; a NaN input stays NaN.
    value |x| if x.real() > F::zero() || x.real().is_nan() { x } else { T::zero() };
    slope |x, _, _| if x.real() > F::zero() { T::one() } else { T::zero() };
    checked at [0.25, -0.5, 2.0];
}

unary_op! {
    "`x` for `x > 0`, else `slope · x`, elementwise. At `x = 0` the gradient is `slope`."
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank1<2>>::from([-2.0, 3.0]));
    ///     let y = x.leaky_relu(0.1);
    ///     y.sum().backward();
    ///     assert_eq!(y.value().as_slice(), &[-0.2, 3.0]);
    ///     assert_eq!(x.grad().as_slice(), &[0.1, 1.0]);
    /// });
    /// ```
    fn leaky_relu(slope: F) => LeakyRelu<F>(slope: F) as "LeakyReluBackward";
    value |x| if x.real() > F::zero() { x } else { x * slope };
    slope |x, _, _| if x.real() > F::zero() { T::one() } else { T::constant(slope) };
    checked at [0.25, -0.5, 2.0] with (0.1);
}

unary_op! {
    "`ln(1 + eˣ)`, elementwise, in a form that stays finite for any input; slope `σ(x)`."
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank1<2>>::from([0.0, 1000.0]));
    ///     let y = x.softplus();
    ///     y.sum().backward();
    ///     assert_eq!(y.value().as_slice(), &[2f64.ln(), 1000.0]);
    ///     assert_eq!(x.grad().as_slice(), &[0.5, 1.0]);
    /// });
    /// ```
    fn softplus() => Softplus() as "SoftplusBackward";
    value |x| stable_softplus(x);
    slope |x, _, _| stable_sigmoid(x);
    checked at [0.25, -0.5, 2.0];
}
