//! Elementwise binary ops between two nodes of the same shape.
//!
//! Shape rule: `Var<S> (op) Var<S> -> Var<S>`; operands of different shapes do not compile.
//! Broadcasting is explicit (see `broadcast`), never implied.

use super::{GradWrite, Op};
use crate::graph::{Kind, Var};
use crate::scalar::{Elem, Float};
use crate::shape::Shape;

/// An elementwise binary op.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Binary {
    Add,
    Sub,
    Mul,
    Div,
    Maximum,
    Minimum,
    Pow,
}

impl Binary {
    /// Input `k`'s share for an output adjoint of `g` everywhere, where it is `g` or `-g`
    /// everywhere (see [`super::Op::uniform_share`]).
    #[inline]
    pub(crate) fn uniform_share<T: std::ops::Neg<Output = T>>(&self, k: usize, g: T) -> Option<T> {
        match (self, k) {
            (Self::Add, _) | (Self::Sub, 0) => Some(g),
            (Self::Sub, _) => Some(-g),
            _ => None,
        }
    }

    pub(crate) fn name(&self) -> &'static str {
        match self {
            Self::Add => "AddBackward",
            Self::Sub => "SubBackward",
            Self::Mul => "MulBackward",
            Self::Div => "DivBackward",
            Self::Maximum => "MaximumBackward",
            Self::Minimum => "MinimumBackward",
            Self::Pow => "PowBackward",
        }
    }

    /// `out[i] = a[i] (op) b[i]`.
    #[inline]
    pub(crate) fn forward<F: Float, T: Elem<F>>(&self, a: &[T], b: &[T], out: &mut [T]) {
        fn zip<T: Copy>(a: &[T], b: &[T], out: &mut [T], f: impl Fn(T, T) -> T) {
            for ((o, &ai), &bi) in out.iter_mut().zip(a).zip(b) {
                *o = f(ai, bi);
            }
        }
        match self {
            Self::Add => zip(a, b, out, |a, b| a + b),
            Self::Sub => zip(a, b, out, |a, b| a - b),
            Self::Mul => zip(a, b, out, |a, b| a * b),
            Self::Div => zip(a, b, out, |a, b| a / b),
            // Ties go to the first operand, in the kernel and in the VJP alike.
            Self::Maximum => zip(a, b, out, |a, b| if a.real() >= b.real() { a } else { b }),
            Self::Minimum => zip(a, b, out, |a, b| if a.real() <= b.real() { a } else { b }),
            Self::Pow => zip(a, b, out, |a, b| a.powd(b)),
        }
    }

    /// Writes operand `k`'s share of the VJP (`k = 0` for `a = inputs[0]`, `1` for
    /// `b = inputs[1]`) into `grad_in`, added or assigned per `write`.
    #[inline]
    pub(crate) fn vjp<F: Float, T: Elem<F>>(
        &self,
        k: usize,
        inputs: &[&[T]],
        y: &[T],
        grad_out: &[T],
        grad_in: &mut [T],
        write: GradWrite,
    ) {
        let (a, b) = (inputs[0], inputs[1]);
        /// `grad_in[i] (+)= grad_out[i] * d(a[i], b[i], y[i])`, one loop per mode.
        #[inline(always)]
        fn chain<T: Copy + std::ops::AddAssign + std::ops::Mul<Output = T>>(
            a: &[T],
            b: &[T],
            y: &[T],
            g: &[T],
            gin: &mut [T],
            write: GradWrite,
            d: impl Fn(T, T, T) -> T,
        ) {
            // Zipped, not indexed: no bounds check per element, so the loop vectorizes.
            let zipped = gin.iter_mut().zip(g).zip(a).zip(b).zip(y);
            match write {
                GradWrite::Add => {
                    for ((((gi, &go), &ai), &bi), &yi) in zipped {
                        *gi += go * d(ai, bi, yi);
                    }
                }
                GradWrite::Assign => {
                    for ((((gi, &go), &ai), &bi), &yi) in zipped {
                        *gi = go * d(ai, bi, yi);
                    }
                }
            }
        }
        let (one, zero) = (T::one(), T::zero());
        match (self, k) {
            (Self::Add, _) | (Self::Sub, 0) => write.map(grad_out, grad_in, |go| go),
            (Self::Sub, _) => write.map(grad_out, grad_in, |go| -go),
            (Self::Mul, 0) => chain(a, b, y, grad_out, grad_in, write, |_, b, _| b),
            (Self::Mul, _) => chain(a, b, y, grad_out, grad_in, write, |a, _, _| a),
            (Self::Div, 0) => chain(a, b, y, grad_out, grad_in, write, |_, b, _| b.recip()),
            (Self::Div, _) => chain(a, b, y, grad_out, grad_in, write, |_, b, y| -(y / b)),
            (Self::Maximum, 0) => chain(a, b, y, grad_out, grad_in, write, |a, b, _| {
                if a.real() >= b.real() { one } else { zero }
            }),
            (Self::Maximum, _) => chain(a, b, y, grad_out, grad_in, write, |a, b, _| {
                if a.real() >= b.real() { zero } else { one }
            }),
            (Self::Minimum, 0) => chain(a, b, y, grad_out, grad_in, write, |a, b, _| {
                if a.real() <= b.real() { one } else { zero }
            }),
            (Self::Minimum, _) => chain(a, b, y, grad_out, grad_in, write, |a, b, _| {
                if a.real() <= b.real() { zero } else { one }
            }),
            (Self::Pow, 0) => chain(a, b, y, grad_out, grad_in, write, |a, b, y| b * y / a),
            (Self::Pow, _) => chain(a, b, y, grad_out, grad_in, write, |a, _, y| y * a.ln()),
        }
    }
}

impl<'g, S: Shape, F: Float, K: Kind> Var<'g, S, F, K> {
    pub(crate) fn binary<K2: Kind>(self, op: Binary, rhs: Var<'g, S, F, K2>) -> Var<'g, S, F> {
        self.graph.push(Op::Binary(op), &[self.id, rhs.id])
    }

    /// Elementwise maximum; where the two are equal the gradient goes to `self`.
    ///
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
    pub fn maximum<K2: Kind>(self, rhs: Var<'g, S, F, K2>) -> Var<'g, S, F> {
        self.binary(Binary::Maximum, rhs)
    }

    /// Elementwise minimum; where the two are equal the gradient goes to `self`.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let a = g.param(Tensor::<Rank1<2>>::from([1.0, 5.0]));
    ///     let b = g.constant(Tensor::<Rank1<2>>::from([3.0, 2.0]));
    ///     a.minimum(b).sum().backward();
    ///     assert_eq!(a.grad().as_slice(), &[1.0, 0.0]);
    /// });
    /// ```
    pub fn minimum<K2: Kind>(self, rhs: Var<'g, S, F, K2>) -> Var<'g, S, F> {
        self.binary(Binary::Minimum, rhs)
    }

    /// Elementwise `self ^ exponent` with a tensor exponent; defined for a positive base
    /// (it is computed as `exp(exponent * ln(self))`).
    ///
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
    pub fn pow<K2: Kind>(self, exponent: Var<'g, S, F, K2>) -> Var<'g, S, F> {
        self.binary(Binary::Pow, exponent)
    }
}

macro_rules! var_operators {
    ($($trait:ident, $method:ident, $op:ident;)*) => {$(
        impl<'g, S: Shape, F: Float, K: Kind, K2: Kind> std::ops::$trait<Var<'g, S, F, K2>>
            for Var<'g, S, F, K>
        {
            type Output = Var<'g, S, F>;
            fn $method(self, rhs: Var<'g, S, F, K2>) -> Self::Output {
                self.binary(Binary::$op, rhs)
            }
        }
    )*};
}
var_operators! {
    Add, add, Add;
    Sub, sub, Sub;
    Mul, mul, Mul;
    Div, div, Div;
}
