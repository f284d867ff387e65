//! Element types: the primitive floats a graph stores ([`Float`]) and the scalars its kernels
//! run on ([`Elem`]): the float itself for values and reverse mode, a dual number over it for
//! forward mode.
//!
//! Every op's kernel and VJP rule is written once, generic over `T: Elem<F>`. Running the same
//! kernels on [`num_dual::Dual`] numbers differentiates them directly, which is what lets
//! forward mode witness every reverse-mode rule (see [`crate::check`]).

use crate::ops::custom::DynCustomOp;
use crate::ops::gemm::{Strided, packed_gemm};
use nalgebra::Const;
use num_dual::{Derivative, Dual, DualNum, DualNumFloat, DualVec, HyperDual};
use std::fmt::{Debug, Display, LowerExp};

mod sealed {
    pub trait Sealed {}
    impl Sealed for f32 {}
    impl Sealed for f64 {}
    impl<F> Sealed for num_dual::Dual<F> {}
    impl<F> Sealed for num_dual::HyperDual<F> {}
    impl<F: nalgebra::Scalar> Sealed for super::MultiDual<F> {}
}

/// How many tangents one multi-tangent forward pass carries: [`Var::jacobian_fwd`] over an
/// input of `n` elements makes `ceil(n / TANGENTS)` passes (one for a robot arm's 7 joints).
/// Eight `f64` tangents are one or two cache lines per number, and enough that the kernels'
/// dispatch and loop set-up, paid once per node per pass, stop mattering.
///
/// [`Var::jacobian_fwd`]: crate::Var::jacobian_fwd
///
/// ```
/// assert_eq!(tygrad::scalar::TANGENTS, 8);
/// ```
pub const TANGENTS: usize = 8;

/// A dual number carrying [`TANGENTS`] tangents at once (num-dual's `DualSVec`): forward mode
/// that computes up to eight columns of a Jacobian in one pass through the kernels. Its
/// derivative part is `None` for a constant, which keeps the arithmetic of everything that
/// does not depend on the input at the cost of a float.
///
/// ```
/// use tygrad::scalar::MultiDual;
/// let x = MultiDual::<f64>::from_re(2.0).derivative(1); // x moves along tangent 1
/// let y = x * x * 3.0;
/// let tangents = y.eps.0.unwrap();
/// assert_eq!((y.re, tangents[0], tangents[1]), (12.0, 0.0, 12.0));
/// ```
pub type MultiDual<F> = DualVec<F, Const<TANGENTS>>;

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
/// `Dual<F>` whose derivative part carries a tangent through the same kernels, the
/// [`MultiDual<F>`] that carries eight (used by [`Var::jacobian_fwd`](crate::Var::jacobian_fwd)),
/// or the hyper-dual number `HyperDual<F>` that carries two tangents and their mixed second
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
    /// `f(x)` from `f` and its first two derivatives at `x`'s real part, `f0 = f(re)`,
    /// `f1 = f'(re)`, `f2 = f''(re)`: exact for dual and hyper-dual numbers (their
    /// derivative parts square to zero past the second order), and only `f0` for a float.
    /// A derivative part that is exactly zero stays zero (no `0 · inf`). The accurate
    /// kernels below build on it.
    #[doc(hidden)]
    fn taylor(self, f0: F, f1: F, f2: F) -> Self;
    /// `xᵖ`, accurate for dual numbers too: num-dual computes `re^(p-3) re³` (overflow,
    /// underflow and `0 · inf`); here each derivative is one `powf` of its own. Floats use
    /// their own `powf`.
    #[doc(hidden)]
    fn powf_accurate(self, p: F) -> Self {
        let a = self.real();
        let f1 = p * a.powf(p - F::one());
        let f2 = p * (p - F::one()) * a.powf(p - F::TWO);
        self.taylor(a.powf(p), f1, f2)
    }
    /// `xⁿ`, accurate for dual numbers too (as [`powf_accurate`](Self::powf_accurate)).
    #[doc(hidden)]
    fn powi_accurate(self, n: i32) -> Self {
        let a = self.real();
        let nf = <F as num_traits::NumCast>::from(n).unwrap_or_else(F::nan);
        let f1 = nf * a.powi(n - 1);
        let f2 = nf * (nf - F::one()) * a.powi(n - 2);
        self.taylor(a.powi(n), f1, f2)
    }
    /// `out (+)= a · b` by the packed SIMD product (`ops/gemm.rs`), for `f32` and `f64`;
    /// `false`, with nothing written, for dual numbers, whose products run plain loops.
    #[doc(hidden)]
    fn packed_product(
        _a: Strided<'_, Self>,
        _b: Strided<'_, Self>,
        _out: &mut [Self],
        _accumulate: bool,
    ) -> bool {
        false
    }
    /// `√x`, accurate for dual numbers too: num-dual's slope `√re · (1/re) / 2` overflows
    /// for denormal `re`; here `1 / (2 √re)`, and `+inf` at both zeros.
    #[doc(hidden)]
    fn sqrt_accurate(self) -> Self {
        let a = self.real();
        let root = a.sqrt();
        if a == F::zero() {
            return self.taylor(root, F::infinity(), F::neg_infinity());
        }
        let r = root.recip();
        let f1 = r / F::TWO;
        let f2 = -(r * r * r) / (F::TWO + F::TWO);
        self.taylor(root, f1, f2)
    }
    /// `self^b` with the float's own `powf` value: num-dual's `powd` is `exp(b ln a)`, whose
    /// value is off by about `|b ln a| ε` relative (amplified by anything large downstream).
    /// Every derivative part of `exp(..)` carries the value as a factor, so num-dual's parts
    /// are rescaled by `powf / exp(b ln a)`: the same chain rule, without `exp`'s
    /// conditioning.
    #[doc(hidden)]
    fn pow_accurate(self, b: Self) -> Self {
        let naive = self.powd(b);
        let y = self.real().powf(b.real());
        let ratio = y / naive.real();
        if ratio.is_finite() && naive.real() != F::zero() {
            (naive * ratio).with_real(y)
        } else {
            naive.with_real(y)
        }
    }
    /// `tan x` with the float's own `tan` value (num-dual's is `sin / cos`).
    #[doc(hidden)]
    fn tan_accurate(self) -> Self {
        self.tan().with_real(self.real().tan())
    }
    /// This number with its real part replaced (derivative parts kept).
    #[doc(hidden)]
    fn with_real(self, re: F) -> Self;
    /// `asinh x`, accurate for dual numbers too: num-dual's slope `1 / √(1 + x²)` is 0 past
    /// `|x| ≈ 1e154`, where `x²` overflows; here the derivatives come from the float's
    /// overflow-free `hypot` (`asinh'' = -x asinh'³`). Floats use their own `asinh`.
    #[doc(hidden)]
    fn asinh_accurate(self) -> Self {
        let a = self.real();
        let slope = F::one() / num_traits::Float::hypot(a, F::one());
        self.taylor(a.asinh(), slope, -a * slope * slope * slope)
    }
    /// `self / b`, accurate for dual numbers too: num-dual forms `b²` (overflow past 1e154,
    /// NaN for an infinite `b`) and its value is `a · (1 / b)`, an ulp off the float's
    /// `a / b` (which moves everything downstream of a large product); a dual quotient is
    /// `q + (ȧ - q ḃ) / b` with `q = a / b`.
    #[doc(hidden)]
    fn div_accurate(self, b: Self) -> Self {
        self / b
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
            #[inline]
            fn taylor(self, f0: $float, _: $float, _: $float) -> Self {
                f0
            }
            #[inline]
            fn powf_accurate(self, p: $float) -> Self {
                self.powf(p)
            }
            #[inline]
            fn powi_accurate(self, n: i32) -> Self {
                self.powi(n)
            }
            #[inline]
            fn sqrt_accurate(self) -> Self {
                self.sqrt()
            }
            #[inline]
            fn packed_product(
                a: Strided<'_, Self>,
                b: Strided<'_, Self>,
                out: &mut [Self],
                accumulate: bool,
            ) -> bool {
                packed_gemm(a, b, out, accumulate);
                true
            }
            #[inline]
            fn asinh_accurate(self) -> Self {
                self.asinh()
            }
            #[inline]
            fn pow_accurate(self, b: Self) -> Self {
                self.powf(b)
            }
            #[inline]
            fn tan_accurate(self) -> Self {
                self.tan()
            }
            #[inline]
            fn with_real(self, re: $float) -> Self {
                re
            }
            custom_dispatch!($float, eval_real, vjp_real);
        }
    )*};
}
elem_primitive!(f32, f64);

/// `f · d`, but 0 where the derivative part `d` is 0 (no `0 · inf = NaN` for a direction
/// that does not move).
#[inline]
fn scaled<F: Float>(f: F, d: F) -> F {
    if d == F::zero() { F::zero() } else { f * d }
}

/// The methods every dual type's `Elem` impl shares, through its real part `re`: reading it,
/// replacing it, and `tanh` with the value bit for bit as the float's own (a last-bit
/// difference would move everything downstream of a large product) and the derivative
/// parts from [`dual_tanh`].
macro_rules! real_part_methods {
    () => {
        #[inline]
        fn real(self) -> F {
            self.re
        }
        #[inline]
        fn with_real(mut self, re: F) -> Self {
            self.re = re;
            self
        }
        #[inline]
        fn tanh_accurate(self) -> Self {
            let mut t = dual_tanh(self);
            t.re = num_traits::Float::tanh(self.re);
            t
        }
    };
}

impl<F: Float> Elem<F> for Dual<F> {
    real_part_methods!();
    #[inline]
    fn constant(x: F) -> Self {
        Dual::new(x, F::zero())
    }
    #[inline]
    fn taylor(self, f0: F, f1: F, _: F) -> Self {
        Dual::new(f0, scaled(f1, self.eps))
    }
    #[inline]
    fn div_accurate(self, b: Self) -> Self {
        let q = self.re / b.re;
        if !b.re.is_finite() || b.re == F::zero() {
            // `x / ±inf`: the quotient's slope `(ȧ - q ḃ) / b` is 0 for a finite
            // numerator; at 0 the plain form gives the IEEE answer.
            return if b.re.is_infinite() && self.re.is_finite() {
                Dual::new(q, F::zero())
            } else {
                self / b
            };
        }
        Dual::new(q, (self.eps - scaled(q, b.eps)) / b.re)
    }
    custom_dispatch!(F, eval_dual, vjp_dual);
}

impl<F: Float> Elem<F> for HyperDual<F> {
    real_part_methods!();
    #[inline]
    fn constant(x: F) -> Self {
        HyperDual::from_re(x)
    }
    #[inline]
    fn div_accurate(self, b: Self) -> Self {
        // The value as the float's `a / b`; the derivative parts as num-dual's.
        let mut q = self / b;
        q.re = self.re / b.re;
        q
    }
    #[inline]
    fn taylor(self, f0: F, f1: F, f2: F) -> Self {
        let mixed = scaled(f1, self.eps1eps2) + scaled(f2, self.eps1 * self.eps2);
        HyperDual::new(f0, scaled(f1, self.eps1), scaled(f1, self.eps2), mixed)
    }
    custom_dispatch!(F, eval_hyper, vjp_hyper);
}

/// Each tangent of `eps` through `f` (a constant's `None` stays `None`).
#[inline]
fn map_tangents<F: Float>(
    eps: &Derivative<F, Const<TANGENTS>, nalgebra::U1>,
    f: impl FnMut(F) -> F,
) -> Derivative<F, Const<TANGENTS>, nalgebra::U1> {
    Derivative::new(eps.0.map(|e| e.map(f)))
}

/// The same accuracy rules as [`Dual`]'s, tangent by tangent: the first-order part of a
/// `MultiDual` is exactly that of eight `Dual`s, so a Jacobian by multi-tangent passes is the
/// Jacobian by single passes, bit for bit up to the sign of a zero (a constant's tangents
/// are `None`, never `-0 · x`; `tests/registry.rs` checks every op).
impl<F: Float> Elem<F> for MultiDual<F> {
    real_part_methods!();
    #[inline]
    fn constant(x: F) -> Self {
        DualVec::from_re(x)
    }
    #[inline]
    fn taylor(self, f0: F, f1: F, _: F) -> Self {
        DualVec::new(f0, map_tangents(&self.eps, |d| scaled(f1, d)))
    }
    #[inline]
    fn div_accurate(self, b: Self) -> Self {
        let q = self.re / b.re;
        if !b.re.is_finite() || b.re == F::zero() {
            return if b.re.is_infinite() && self.re.is_finite() {
                DualVec::from_re(q)
            } else {
                self / b
            };
        }
        // `(ȧ - q ḃ) / b` per tangent, as for `Dual`.
        let eps = match (self.eps.0, b.eps.0) {
            (None, None) => None,
            (Some(a), None) => Some(a.map(|d| d / b.re)),
            (None, Some(bd)) => Some(bd.map(|d| (F::zero() - scaled(q, d)) / b.re)),
            (Some(a), Some(bd)) => Some(a.zip_map(&bd, |x, y| (x - scaled(q, y)) / b.re)),
        };
        DualVec::new(q, Derivative::new(eps))
    }
    custom_dispatch!(F, eval_multi, vjp_multi);
}
