//! Element types: the primitive floats a graph stores ([`Float`]) and the scalars its kernels
//! run on ([`Elem`]): the float itself for values and reverse mode, a dual number over it for
//! forward mode.
//!
//! Every op's kernel and VJP rule is written once, generic over `T: Elem<F>`. Running the same
//! kernels on [`num_dual::Dual`] numbers differentiates them directly, which is what lets
//! forward mode witness every reverse-mode rule (see [`crate::check`]).

use crate::ops::custom::DynCustomOp;
use num_dual::{Dual, DualNum, DualNumFloat, HyperDual};
use std::fmt::{Debug, Display, LowerExp};

mod sealed {
    pub trait Sealed {}
    impl Sealed for f32 {}
    impl Sealed for f64 {}
    impl<F> Sealed for num_dual::Dual<F> {}
    impl<F> Sealed for num_dual::HyperDual<F> {}
}

/// The primitive floating-point type a graph and its tensors store: `f64` (the default) or
/// `f32`.
///
/// ```
/// use tygrad::prelude::*;
/// fn twice<F: Float>(x: F) -> F { x + x }
/// assert_eq!(twice(1.5f32), 3.0);
/// ```
pub trait Float:
    DualNumFloat
    + Elem<Self>
    + nalgebra::RealField
    + Default
    + Display
    + Debug
    + LowerExp
    + approx::RelativeEq<Epsilon = Self>
    + sealed::Sealed
{
    /// Converts an `f64` constant into this type (rounding for `f32`).
    fn of_f64(x: f64) -> Self;
    /// Widens this value to `f64` (for reports and printing).
    fn as_f64(self) -> f64;
}

impl Float for f64 {
    #[inline]
    fn of_f64(x: f64) -> Self {
        x
    }
    #[inline]
    fn as_f64(self) -> f64 {
        self
    }
}

impl Float for f32 {
    #[inline]
    fn of_f64(x: f64) -> Self {
        x as f32
    }
    #[inline]
    fn as_f64(self) -> f64 {
        self as f64
    }
}

/// A scalar the graph's kernels run on: the graph's float `F` itself, the dual number
/// `Dual<F>` whose derivative part carries a tangent through the same kernels, or the
/// hyper-dual number `HyperDual<F>` that carries two tangents and their mixed second
/// derivative (used by [`Var::hessian`](crate::Var::hessian)).
///
/// The trait is sealed: the set of scalar types is fixed so that custom ops, which users
/// write generically, can be stored behind a trait object and still run in both modes.
///
/// ```
/// use tygrad::prelude::*;
/// use num_dual::Dual64;
/// fn cube<T: Elem<f64>>(x: T) -> T { x * x * x }
/// let d = cube(Dual64::new(2.0, 1.0));
/// assert_eq!((d.re, d.eps), (8.0, 12.0));
/// ```
pub trait Elem<F: DualNumFloat>:
    DualNum<Primitive = F>
    + Copy
    + nalgebra::Scalar
    + nalgebra::ClosedAddAssign
    + nalgebra::ClosedMulAssign
    + Send
    + Sync
    + sealed::Sealed
{
    /// The real (primal) part of the scalar.
    fn real(self) -> F;
    /// A scalar with real part `x` and no derivative part.
    fn constant(x: F) -> Self;
    /// The hyperbolic tangent, accurate for dual numbers too: num-dual computes it as
    /// `sinh / cosh`, whose derivative cancels (relative error about `ε cosh² x`) and whose
    /// value is NaN past `|x| ≈ 710`. Floats use their own `tanh`; dual numbers use an
    /// `expm1` form that neither cancels nor overflows (the kernels call this, not `tanh`).
    #[doc(hidden)]
    fn tanh_accurate(self) -> Self {
        dual_tanh(self)
    }
    /// Runs a custom op's kernel on buffers of this scalar type (picks the
    /// instantiation of [`CustomOp::eval`](crate::CustomOp::eval) for `Self`).
    #[doc(hidden)]
    fn custom_eval(op: &dyn DynCustomOp<F>, inputs: &[&[Self]], out: &mut [Self]);
    /// Runs a custom op's VJP rule on buffers of this scalar type.
    #[doc(hidden)]
    fn custom_vjp(
        op: &dyn DynCustomOp<F>,
        k: usize,
        inputs: &[&[Self]],
        out: &[Self],
        grad_out: &[Self],
        grad_in: &mut [Self],
    );
}

/// `tanh x = sign(x) · (-m) / (2 + m)` with `m = expm1(-2|x|)`: no cancellation for small
/// `|x|` (thanks to `expm1`), no overflow for large `|x|` (`m` stays in `(-1, 0]`), and its
/// derivative through dual arithmetic is `4 e / (1 + e)²` with `e = e^{-2|x|}`: no cancellation
/// either.
#[inline]
pub(crate) fn dual_tanh<F: DualNumFloat, T: DualNum<Primitive = F> + Copy>(x: T) -> T {
    let m = (-(x + x).abs()).exp_m1();
    let t = -m / (m + F::TWO);
    // The sign bit, as num-dual's `abs` reads it: at `-0.0` both take the negative branch,
    // so the slope there is 1, not -1.
    if x.re().is_sign_negative() { -t } else { t }
}

/// The custom-op dispatch of one scalar type: `$eval` / `$vjp` are the matching methods of
/// [`DynCustomOp`], for the graph float `$float`.
macro_rules! custom_dispatch {
    ($float:ty, $eval:ident, $vjp:ident) => {
        #[inline]
        fn custom_eval(op: &dyn DynCustomOp<$float>, inputs: &[&[Self]], out: &mut [Self]) {
            op.$eval(inputs, out)
        }
        #[inline]
        fn custom_vjp(
            op: &dyn DynCustomOp<$float>,
            k: usize,
            inputs: &[&[Self]],
            out: &[Self],
            grad_out: &[Self],
            grad_in: &mut [Self],
        ) {
            op.$vjp(k, inputs, out, grad_out, grad_in)
        }
    };
}

/// `Elem<F>` for a primitive float `F` itself.
macro_rules! elem_primitive {
    ($($float:ty),*) => {$(
        impl Elem<$float> for $float {
            #[inline]
            fn real(self) -> $float {
                self
            }
            #[inline]
            fn constant(x: $float) -> Self {
                x
            }
            #[inline]
            fn tanh_accurate(self) -> Self {
                self.tanh()
            }
            custom_dispatch!($float, eval_real, vjp_real);
        }
    )*};
}
elem_primitive!(f32, f64);

impl<F: Float> Elem<F> for Dual<F> {
    #[inline]
    fn real(self) -> F {
        self.re
    }
    #[inline]
    fn constant(x: F) -> Self {
        Dual::new(x, F::zero())
    }
    custom_dispatch!(F, eval_dual, vjp_dual);
}

impl<F: Float> Elem<F> for HyperDual<F> {
    #[inline]
    fn real(self) -> F {
        self.re
    }
    #[inline]
    fn constant(x: F) -> Self {
        HyperDual::from_re(x)
    }
    custom_dispatch!(F, eval_hyper, vjp_hyper);
}
