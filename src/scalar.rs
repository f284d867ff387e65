//! Element types: the primitive floats a graph stores ([`Float`]) and the scalars its kernels
//! run on ([`Elem`]): the float itself for values and reverse mode, a dual number over it for
//! forward mode.
//!
//! Every op's kernel and VJP rule is written once, generic over `T: Elem<F>`. Running the same
//! kernels on [`num_dual::Dual`] numbers differentiates them directly, which is what lets
//! forward mode witness every reverse-mode rule (see [`crate::check`]).

use num_dual::{Dual, DualNum, DualNumFloat};
use std::fmt::{Debug, Display, LowerExp};

mod sealed {
    pub trait Sealed {}
    impl Sealed for f32 {}
    impl Sealed for f64 {}
    impl<F> Sealed for num_dual::Dual<F> {}
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

/// A scalar the graph's kernels run on: the graph's float `F` itself, or the dual number
/// `Dual<F>` whose derivative part carries a tangent through the same kernels.
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
}

impl Elem<f64> for f64 {
    #[inline]
    fn real(self) -> f64 {
        self
    }
    #[inline]
    fn constant(x: f64) -> Self {
        x
    }
}

impl Elem<f32> for f32 {
    #[inline]
    fn real(self) -> f32 {
        self
    }
    #[inline]
    fn constant(x: f32) -> Self {
        x
    }
}

impl<F: Float> Elem<F> for Dual<F> {
    #[inline]
    fn real(self) -> F {
        self.re
    }
    #[inline]
    fn constant(x: F) -> Self {
        Dual::new(x, F::zero())
    }
}
