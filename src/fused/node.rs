//! The nodes of a fused graph: each a type, each op's value and derivative side by side.
//!
//! A node computes one element of its output from the argument, and returns beside the value
//! what its reverse step needs (its *local*: the children's locals and the local partial
//! derivatives). The reverse step hands each child the adjoint times that partial. Every node
//! is a small `Copy` type and every call is static, so after inlining one element's forward
//! and reverse steps are the straight-line code a person would write by hand.

use crate::ops::elementwise::{
    ln_or_nan, ln_slope, sigmoid_slope_from_x, sigmoid_unsaturated, stable_sigmoid,
    stable_softplus, tanh_slope_from_x, tanh_unsaturated,
};
use crate::scalar::{Elem, Float};
use crate::shape::Shape;
use std::marker::PhantomData;

/// One node of a fused graph, evaluated one output element at a time.
///
/// `at(x, i)` returns element `i` (row-major) of the node's output for the argument `x`, and
/// the local values its reverse step needs; `back(local, adjoint, grad, i)` adds
/// `adjoint · ∂(element i)/∂x` into `grad`. Both are generic over the scalar, so the same node
/// runs on `f64` (values, reverse mode) and on dual numbers (forward mode, and reverse mode
/// over dual numbers for Hessian-vector products).
///
/// Users build nodes through [`Fused`](super::Fused)'s methods and operators, not by hand.
///
/// ```
/// use tygrad::fused::{self, Input, Node};
/// use tygrad::prelude::*;
/// let f = fused::function(|x: Input<Rank1<2>>| x.square());
/// let x = [3.0, 4.0];
/// let (y1, local) = f.node().at(&x, 1);
/// assert_eq!(y1, 16.0);
/// let mut grad = [0.0; 2];
/// f.node().back(local, 1.0, &mut grad, 1);
/// assert_eq!(grad, [0.0, 8.0]);
/// ```
pub trait Node<F: Float>: Copy {
    /// The shape of the argument the graph is a function of.
    type Arg: Shape;
    /// What one element's reverse step needs from its forward step.
    type Local<T: Elem<F>>: Copy;

    /// Element `i` of this node's output, and the locals of its reverse step.
    fn at<T: Elem<F>>(&self, x: &[T], i: usize) -> (T, Self::Local<T>);

    /// Adds `adjoint · ∂(element i)/∂x` into `grad`, from the locals `at(x, i)` returned.
    fn back<T: Elem<F>>(&self, local: Self::Local<T>, adjoint: T, grad: &mut [T], i: usize);
}

/// The argument itself: element `i` is `x[i]`.
pub struct Arg<X: Shape, F: Float = f64>(PhantomData<(X, F)>);

impl<X: Shape, F: Float> Arg<X, F> {
    pub(crate) fn new() -> Self {
        Arg(PhantomData)
    }
}

impl<X: Shape, F: Float> Clone for Arg<X, F> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<X: Shape, F: Float> Copy for Arg<X, F> {}

impl<X: Shape, F: Float> Node<F> for Arg<X, F> {
    type Arg = X;
    type Local<T: Elem<F>> = ();

    #[inline(always)]
    fn at<T: Elem<F>>(&self, x: &[T], i: usize) -> (T, ()) {
        (x[i], ())
    }

    #[inline(always)]
    fn back<T: Elem<F>>(&self, _: (), adjoint: T, grad: &mut [T], i: usize) {
        grad[i] += adjoint;
    }
}

/// A slice of its child: element `i` is the child's element `i + START · STRIDE` (row-major:
/// `STRIDE` is 1 for a slice of a vector, the row length for a slice of rows). Both are
/// constants, so the compiler sees every index and drops the bounds checks.
#[derive(Clone, Copy)]
pub struct Offset<E, const START: usize, const STRIDE: usize>(pub(crate) E);

impl<F: Float, E: Node<F>, const START: usize, const STRIDE: usize> Node<F>
    for Offset<E, START, STRIDE>
{
    type Arg = E::Arg;
    type Local<T: Elem<F>> = E::Local<T>;

    #[inline(always)]
    fn at<T: Elem<F>>(&self, x: &[T], i: usize) -> (T, E::Local<T>) {
        self.0.at(x, i + START * STRIDE)
    }

    #[inline(always)]
    fn back<T: Elem<F>>(&self, local: E::Local<T>, adjoint: T, grad: &mut [T], i: usize) {
        self.0.back(local, adjoint, grad, i + START * STRIDE)
    }
}

/// A function of one scalar: its value and its derivative, computed together (so that
/// `exp`, `tanh` or `sigmoid` reuse their value, and `sin` gets `cos` from one `sin_cos`).
///
/// ```
/// use tygrad::fused::{Unary, node::Sin};
/// let (value, slope) = Unary::<f64>::apply(&Sin, 0.0f64);
/// assert_eq!((value, slope), (0.0, 1.0));
/// ```
pub trait Unary<F: Float>: Copy {
    /// `(f(x), f'(x))`.
    fn apply<T: Elem<F>>(&self, x: T) -> (T, T);
}

/// A [`Unary`] function applied to every element of its child.
#[derive(Clone, Copy)]
pub struct MapNode<E, U> {
    pub(crate) child: E,
    pub(crate) function: U,
}

impl<F: Float, E: Node<F>, U: Unary<F>> Node<F> for MapNode<E, U> {
    type Arg = E::Arg;
    type Local<T: Elem<F>> = (E::Local<T>, T);

    #[inline(always)]
    fn at<T: Elem<F>>(&self, x: &[T], i: usize) -> (T, Self::Local<T>) {
        let (input, local) = self.child.at(x, i);
        let (value, slope) = self.function.apply(input);
        (value, (local, slope))
    }

    #[inline(always)]
    fn back<T: Elem<F>>(&self, local: Self::Local<T>, adjoint: T, grad: &mut [T], i: usize) {
        let (child, slope) = local;
        self.child.back(child, adjoint * slope, grad, i)
    }
}

/// A function of two scalars: its value and both partial derivatives.
///
/// ```
/// use tygrad::fused::{Binary, node::Times};
/// assert_eq!(Binary::<f64>::apply(&Times, 3.0f64, 4.0), (12.0, 4.0, 3.0));
/// ```
pub trait Binary<F: Float>: Copy {
    /// `(f(a, b), ∂f/∂a, ∂f/∂b)`.
    fn apply<T: Elem<F>>(&self, a: T, b: T) -> (T, T, T);
}

/// A [`Binary`] function of two children, element by element.
#[derive(Clone, Copy)]
pub struct ZipNode<A, B, O> {
    pub(crate) left: A,
    pub(crate) right: B,
    pub(crate) function: O,
}

impl<F: Float, A: Node<F>, B: Node<F, Arg = A::Arg>, O: Binary<F>> Node<F> for ZipNode<A, B, O> {
    type Arg = A::Arg;
    type Local<T: Elem<F>> = (A::Local<T>, B::Local<T>, T, T);

    #[inline(always)]
    fn at<T: Elem<F>>(&self, x: &[T], i: usize) -> (T, Self::Local<T>) {
        let (a, left) = self.left.at(x, i);
        let (b, right) = self.right.at(x, i);
        let (value, da, db) = self.function.apply(a, b);
        (value, (left, right, da, db))
    }

    #[inline(always)]
    fn back<T: Elem<F>>(&self, local: Self::Local<T>, adjoint: T, grad: &mut [T], i: usize) {
        let (left, right, da, db) = local;
        self.left.back(left, adjoint * da, grad, i);
        self.right.back(right, adjoint * db, grad, i);
    }
}

/// Defines a [`Unary`] marker type (with or without a scalar parameter) from its value and
/// slope, written once here beside each other.
macro_rules! unary {
    ($(#[$doc:meta])* $name:ident, |$x:ident| $body:expr) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, Default)]
        pub struct $name;
        impl<F: Float> Unary<F> for $name {
            #[inline(always)]
            fn apply<T: Elem<F>>(&self, $x: T) -> (T, T) {
                $body
            }
        }
    };
    ($(#[$doc:meta])* $name:ident($c:ident), |$x:ident| $body:expr) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug)]
        pub struct $name<F>(pub F);
        impl<F: Float> Unary<F> for $name<F> {
            #[inline(always)]
            fn apply<T: Elem<F>>(&self, $x: T) -> (T, T) {
                let $c = self.0;
                $body
            }
        }
    };
}

unary!(
    /// `-x`.
    Negate, |x| (-x, -T::one())
);
unary!(
    /// `x + c`.
    AddScalar(c), |x| (x + c, T::one())
);
unary!(
    /// `x - c`.
    SubScalar(c), |x| (x - c, T::one())
);
unary!(
    /// `c - x`.
    RsubScalar(c), |x| (T::constant(c) - x, -T::one())
);
unary!(
    /// `x · c`.
    MulScalar(c), |x| (x * c, T::constant(c))
);
unary!(
    /// `x / c`.
    DivScalar(c), |x| (x / c, T::constant(F::one() / c))
);
unary!(
    /// `c / x`, slope `-c / x²`.
    RdivScalar(c), |x| {
        let y = T::constant(c) / x;
        (y, -y / x)
    }
);
unary!(
    /// `x²`, slope `2x`.
    Square, |x| (x * x, x + x)
);
/// `xⁿ` for an integer `n`, slope `n xⁿ⁻¹`.
#[derive(Clone, Copy, Debug)]
pub struct Powi(pub i32);
impl<F: Float> Unary<F> for Powi {
    #[inline(always)]
    fn apply<T: Elem<F>>(&self, x: T) -> (T, T) {
        match self.0 {
            // `0 · x⁻¹` would be NaN at 0; the slope of a constant is 0 everywhere.
            0 => (T::one(), T::zero()),
            n => (x.powi(n), x.powi(n - 1) * F::of_f64(f64::from(n))),
        }
    }
}
unary!(
    /// `√x`, slope `1 / (2 √x)`.
    Sqrt, |x| {
        let y = x.sqrt();
        (y, (y + y).recip())
    }
);
unary!(
    /// `eˣ`, its own slope.
    Exp, |x| {
        let y = x.exp();
        (y, y)
    }
);
unary!(
    /// `ln x`, slope `1 / x`; both NaN below 0, as the graph's `ln`.
    Ln, |x| (ln_or_nan(x), ln_slope(x))
);
unary!(
    /// `sin x`, slope `cos x` (one `sin_cos`).
    Sin, |x| x.sin_cos()
);
unary!(
    /// `cos x`, slope `-sin x` (one `sin_cos`).
    Cos, |x| {
        let (sin, cos) = x.sin_cos();
        (cos, -sin)
    }
);
unary!(
    /// `tanh x`, slope `1 - tanh² x`, or sech² x from `x` where `tanh` saturates, as the
    /// graph's rule (accurate on dual numbers too).
    Tanh, |x| {
        let y = x.tanh_accurate();
        if tanh_unsaturated(y) {
            (y, T::one() - y * y)
        } else {
            (y, tanh_slope_from_x(x))
        }
    }
);
unary!(
    /// The logistic function `σ(x) = 1 / (1 + e⁻ˣ)` in its overflow-free form, slope
    /// `σ (1 - σ)`, or `σ(x) σ(-x)` from `x` where `σ` saturates, as the graph's rule.
    Sigmoid, |x| {
        let y = stable_sigmoid(x);
        if sigmoid_unsaturated(y) {
            (y, y * (T::one() - y))
        } else {
            (y, sigmoid_slope_from_x(x, y))
        }
    }
);
unary!(
    /// `ln(1 + eˣ)` in its overflow-free form, slope `σ(x)`.
    Softplus, |x| (stable_softplus(x), stable_sigmoid(x))
);
unary!(
    /// `max(x, 0)`, slope 0 at the kink (as the graph's `relu`).
    Relu, |x| {
        if x.real() > F::zero() {
            (x, T::one())
        } else {
            (x * F::zero(), T::zero())
        }
    }
);
unary!(
    /// `|x|`, slope `sign x` (0 at 0, as the graph's `abs`).
    Abs, |x| {
        if x.real() > F::zero() {
            (x, T::one())
        } else if x.real() < F::zero() {
            (-x, -T::one())
        } else {
            (x * F::zero(), T::zero())
        }
    }
);

/// Defines a [`Binary`] marker type from its value and partial derivatives.
macro_rules! binary {
    ($(#[$doc:meta])* $name:ident, |$a:ident, $b:ident| $body:expr) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, Default)]
        pub struct $name;
        impl<F: Float> Binary<F> for $name {
            #[inline(always)]
            fn apply<T: Elem<F>>(&self, $a: T, $b: T) -> (T, T, T) {
                $body
            }
        }
    };
}

binary!(
    /// `a + b`.
    Plus, |a, b| (a + b, T::one(), T::one())
);
binary!(
    /// `a - b`.
    Minus, |a, b| (a - b, T::one(), -T::one())
);
binary!(
    /// `a · b`.
    Times, |a, b| (a * b, b, a)
);
binary!(
    /// `a / b`, partials `1 / b` and `-a / b²`.
    Quotient, |a, b| {
        let y = a / b;
        (y, b.recip(), -y / b)
    }
);
