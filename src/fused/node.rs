//! The nodes of a fused graph: each a type, each op's value and derivative side by side.
//!
//! A node computes one element of its output from the argument, and returns beside the value
//! what its reverse step needs (its *local*: the children's locals and the local partial
//! derivatives). The reverse step hands each child the adjoint times that partial. Every node
//! is a small `Copy` type and every call is static, so after inlining one element's forward
//! and reverse steps are the straight-line code a person would write by hand.
//!
//! The op types (`Sin`, `Powi`, `Times`, ...) are the crate's op definitions themselves (see
//! `CONTRIBUTING.md`): the same value function and derivative rule a `Graph` runs, so the two
//! engines cannot drift apart.

pub use crate::ops::binary::defs::*;
pub use crate::ops::elementwise::defs::*;
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

    /// Calls `visit` with every position of the argument that element `i` reads (a position
    /// may come more than once): the sparsity a Hessian can exploit, since each element's
    /// second derivatives involve only these. Generic, not `dyn`, so that after inlining the
    /// positions are `i` plus constants the compiler sees (a `dyn` visitor, e.g.
    /// `&mut |p| ..` as `&mut dyn FnMut(usize)`, is accepted too).
    fn reads<V: FnMut(usize) + ?Sized>(&self, i: usize, visit: &mut V);
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

    #[inline(always)]
    fn reads<V: FnMut(usize) + ?Sized>(&self, i: usize, visit: &mut V) {
        visit(i)
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

    #[inline(always)]
    fn reads<V: FnMut(usize) + ?Sized>(&self, i: usize, visit: &mut V) {
        self.0.reads(i + START * STRIDE, visit)
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

    #[inline(always)]
    fn reads<V: FnMut(usize) + ?Sized>(&self, i: usize, visit: &mut V) {
        self.child.reads(i, visit)
    }
}

/// A function of two scalars: its value and both partial derivatives.
///
/// ```
/// use tygrad::fused::{Binary, node::Times};
/// assert_eq!(Binary::<f64>::apply(&Times, 3.0f64, 4.0), (12.0, 4.0, 3.0));
/// ```
pub trait Binary<F: Float>: Copy {
    /// `Some((∂f/∂a, ∂f/∂b))` where both partials are constants (`+`, `-`): a small graph
    /// then keeps no partials and its reverse step is a copy or a negation.
    const CONSTANT_PARTIALS: Option<(f64, f64)> = None;

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

    #[inline(always)]
    fn reads<V: FnMut(usize) + ?Sized>(&self, i: usize, visit: &mut V) {
        self.left.reads(i, visit);
        self.right.reads(i, visit);
    }
}
