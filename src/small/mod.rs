//! Small graphs: functions of several inputs over whole small tensors (a robot's forward
//! kinematics, a physics residual), compiled by rustc, in both modes.
//!
//! A [`Graph`](crate::Graph) pays its interpreter per node, forward and backward (a few
//! nanoseconds each): most of the cost of a function built from 4x4 transforms. A
//! [fused graph](crate::fused) is compiled, but elementwise over one argument. A small graph
//! is compiled *and* has whole-tensor nodes: elements picked out of the argument
//! ([`Small::get`], [`Small::slice`]), elementwise ops, a scalar times a tensor
//! ([`Small::times`]), matrix products ([`Small::matmul`], [`Small::matvec`]), constants
//! ([`constant`]) and [`Small::sum`]. Its structure is its type, so rustc monomorphises and
//! inlines the whole function: no tape, no dispatch, sizes known to the compiler. Each node's
//! value sits in a region of a workspace kept with the function, at a place that follows
//! from the types (so every index is a constant once inlined); each node's reverse step
//! reads its children's values there.
//!
//! Both modes run the same nodes, generic over the scalar:
//! - reverse mode: [`SmallFn::vjp`], [`SmallFn::jacobian_rev_into`] (one forward pass, one
//!   reverse pass per output element, nothing allocated) and, for a scalar function,
//!   [`SmallFn::value_and_grad`];
//! - forward mode on [`num_dual`]'s dual numbers: [`SmallFn::jvp`] and
//!   [`SmallFn::jacobian_fwd_into`] (eight tangents per pass);
//! - the cross-check: [`SmallFn::check_vjp`] compares `<w, J u>` by forward mode with
//!   `<Jᵀ w, u>` by reverse mode, for directions drawn from the argument.
//!
//! The graph is a tree: a node used twice is a copy, computed twice (`Clone`, and `Copy`
//! when it holds no constant). Build shared parts once as constants where they are
//! constants, and write a long chain out (each step has its own type, so a `for` loop over
//! steps does not compile; a generic helper function per step does).
//!
//! ```
//! use tygrad::prelude::*;
//! use tygrad::small::{self, Input, Small, SmallNode};
//!
//! // A planar two-link arm: the hand's position from the two joint angles.
//! // One link: `length · (cos θ, sin θ)`, generic over the node that computes θ.
//! fn link<E: SmallNode<f64, Arg = Rank1<2>, Out = Rank0> + Copy>(
//!     angle: Small<Rank0, E>,
//!     length: f64,
//! ) -> Small<Rank1<2>, impl SmallNode<f64, Arg = Rank1<2>, Out = Rank1<2>>> {
//!     angle.cos().times(small::constant(Tensor::from([length, 0.0])))
//!         + angle.sin().times(small::constant(Tensor::from([0.0, length])))
//! }
//! let mut arm = small::function(|q: Input<Rank1<2>>| {
//!     let (a, b) = (q.get::<0>(), q.get::<1>());
//!     link(a, 1.0) + link(a + b, 0.5)
//! });
//!
//! let q = Tensor::from([0.0, std::f64::consts::FRAC_PI_2]);
//! let p = arm.value(&q);
//! assert!((p[[0]] - 1.0).abs() < 1e-15 && (p[[1]] - 0.5).abs() < 1e-15);
//!
//! let mut jacobian = Jacobian::zeros();
//! arm.jacobian_rev_into(&q, &mut jacobian);
//! assert!((jacobian[(0, 0)] + 0.5).abs() < 1e-15 && (jacobian[(1, 0)] - 1.0).abs() < 1e-15);
//! assert!(arm.check_vjp(&q).passed);
//! ```
//!
//! Shapes are checked as everywhere in tygrad:
//!
//! ```compile_fail
//! use tygrad::prelude::*;
//! use tygrad::small::{self, Input};
//! // A 3x2 matrix times a vector of 3: mismatched types.
//! let f = small::function(|x: Input<Rank1<3>>| {
//!     small::constant(Tensor::<Rank2<3, 2>>::zeros()).matvec(x)
//! });
//! ```

mod function;
pub mod node;
pub mod product;

pub use function::SmallFn;
pub use node::{Argument, Constant, Map, Pick, SmallNode, Sum};
pub use product::{MatMul, MatVec, Product, Scale, Zip};

use crate::fused::Unary;
use crate::fused::node::{Minus, Plus, Quotient, Times};
use crate::scalar::Float;
use crate::shape::{IndexInBounds, Rank0, Rank1, Rank2, SameShape, Shape, SliceInBounds};
use crate::tensor::Tensor;
use std::marker::PhantomData;

/// A node of a small graph whose output has shape `S`, its structure `E` a type (see the
/// [module docs](self)).
///
/// ```
/// use tygrad::prelude::*;
/// use tygrad::small::{self, Input};
/// let mut f = small::function(|x: Input<Rank1<2>>| x.exp().sum());
/// assert_eq!(f.value(&Tensor::from([0.0, 0.0])).item(), 2.0);
/// ```
pub struct Small<S: Shape, E, F: Float = f64> {
    node: E,
    types: PhantomData<(S, F)>,
}

impl<S: Shape, E: Clone, F: Float> Clone for Small<S, E, F> {
    fn clone(&self) -> Self {
        Small {
            node: self.node.clone(),
            types: PhantomData,
        }
    }
}
impl<S: Shape, E: Copy, F: Float> Copy for Small<S, E, F> {}

/// The argument of a small graph of shape `X`, as [`function`] hands it to its closure.
///
/// ```
/// use tygrad::prelude::*;
/// use tygrad::small::{self, Input};
/// let mut identity = small::function(|x: Input<Rank1<2>>| x);
/// assert_eq!(identity.value(&Tensor::from([1.0, 2.0])).as_slice(), &[1.0, 2.0]);
/// ```
pub type Input<X, F = f64> = Small<X, Argument<X, F>, F>;

/// Builds a small graph once: `build` receives the argument and returns the output node.
///
/// ```
/// use tygrad::prelude::*;
/// use tygrad::small::{self, Input};
/// let mut f = small::function(|x: Input<Rank1<3>>| (x * x).sum());
/// let mut grad = Tensor::zeros();
/// let value = f.value_and_grad(&Tensor::from([1.0, 2.0, 3.0]), &mut grad);
/// assert_eq!((value, grad.as_slice()), (14.0, &[2.0, 4.0, 6.0][..]));
/// ```
pub fn function<X: Shape, S: Shape, E: SmallNode<F, Arg = X, Out = S>, F: Float>(
    build: impl FnOnce(Input<X, F>) -> Small<S, E, F>,
) -> SmallFn<X, S, E, F> {
    SmallFn::new(build(Small::new(Argument::new())).node)
}

/// A constant tensor as a node.
///
/// ```
/// use tygrad::prelude::*;
/// use tygrad::small::{self, Input};
/// let mut f = small::function(|x: Input<Rank1<2>>| x + small::constant(Tensor::from([1.0, 2.0])));
/// assert_eq!(f.value(&Tensor::from([1.0, 1.0])).as_slice(), &[2.0, 3.0]);
/// ```
pub fn constant<X: Shape, S: Shape, F: Float>(
    tensor: Tensor<S, F>,
) -> Small<S, Constant<X, S, F>, F> {
    Small::new(Constant::new(tensor))
}

impl<S: Shape, E: SmallNode<F, Out = S>, F: Float> Small<S, E, F> {
    fn new(node: E) -> Self {
        Small {
            node,
            types: PhantomData,
        }
    }

    /// Applies a [`Unary`] function (its value and its slope) to every element: the way to
    /// add an elementwise function of your own, as in a fused graph.
    ///
    /// ```
    /// use tygrad::fused::Unary;
    /// use tygrad::prelude::*;
    /// use tygrad::scalar::Elem;
    /// use tygrad::small::{self, Input};
    /// /// `x³`, its slope `3x²`.
    /// #[derive(Clone, Copy)]
    /// struct Cube;
    /// impl Unary<f64> for Cube {
    ///     fn apply<T: Elem<f64>>(&self, x: T) -> (T, T) {
    ///         (x * x * x, x * x * 3.0)
    ///     }
    /// }
    /// let mut f = small::function(|x: Input<Rank1<2>>| x.map(Cube).sum());
    /// assert!(f.check_vjp(&Tensor::from([0.5, -2.0])).passed);
    /// ```
    pub fn map<U: Unary<F>>(self, function: U) -> Small<S, Map<E, U>, F> {
        Small::new(Map::new(self.node, function))
    }

    /// The sum of every element, a scalar.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// use tygrad::small::{self, Input};
    /// let mut f = small::function(|x: Input<Rank2<2, 2>>| x.sum());
    /// assert_eq!(f.value(&Tensor::from([[1.0, 2.0], [3.0, 4.0]])).item(), 10.0);
    /// ```
    pub fn sum(self) -> Small<Rank0, Sum<E>, F> {
        Small::new(Sum::new(self.node))
    }
}

impl<E: SmallNode<F, Out = Rank0>, F: Float> Small<Rank0, E, F> {
    /// This scalar times every element of `tensor`: `out[i] = self · tensor[i]` (as
    /// [`Var::times`](crate::Var::times)).
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// use tygrad::small::{self, Input};
    /// let mut f = small::function(|x: Input<Rank1<2>>| {
    ///     x.get::<0>().times(small::constant(Tensor::from([[1.0, 2.0], [3.0, 4.0]])))
    /// });
    /// let y = f.value(&Tensor::from([2.0, 0.0]));
    /// assert_eq!(y, Tensor::from([[2.0, 4.0], [6.0, 8.0]]));
    /// ```
    pub fn times<S: Shape, B: SmallNode<F, Arg = E::Arg, Out = S>>(
        self,
        tensor: Small<S, B, F>,
    ) -> Small<S, Scale<E, B>, F> {
        Small::new(Scale::new(self.node, tensor.node))
    }
}

impl<const N: usize, E: SmallNode<F, Out = Rank1<N>>, F: Float> Small<Rank1<N>, E, F> {
    /// Element `I` as a scalar; an index past the end does not compile.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// use tygrad::small::{self, Input};
    /// let mut f = small::function(|x: Input<Rank1<3>>| x.get::<2>());
    /// assert_eq!(f.value(&Tensor::from([1.0, 2.0, 3.0])).item(), 3.0);
    /// ```
    pub fn get<const I: usize>(self) -> Small<Rank0, Pick<E, Rank0, I>, F>
    where
        Rank1<N>: IndexInBounds<I>,
    {
        Small::new(Pick::new(self.node))
    }

    /// Elements `START..START + LEN`; a slice past the end does not compile.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// use tygrad::small::{self, Input};
    /// let mut f = small::function(|x: Input<Rank1<4>>| x.slice::<1, 2>());
    /// assert_eq!(f.value(&Tensor::from([1.0, 2.0, 3.0, 4.0])).as_slice(), &[2.0, 3.0]);
    /// ```
    pub fn slice<const START: usize, const LEN: usize>(
        self,
    ) -> Small<Rank1<LEN>, Pick<E, Rank1<LEN>, START>, F>
    where
        Rank1<N>: SliceInBounds<START, LEN>,
    {
        Small::new(Pick::new(self.node))
    }
}

impl<const M: usize, const K: usize, E: SmallNode<F, Out = Rank2<M, K>>, F: Float>
    Small<Rank2<M, K>, E, F>
{
    /// The matrix product `(M x K) (K x N) -> (M x N)`; inner sizes that differ do not
    /// compile.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// use tygrad::small::{self, Input};
    /// let mut f = small::function(|a: Input<Rank2<1, 2>>| {
    ///     a.matmul(small::constant(Tensor::from([[1.0, 0.0, 2.0], [0.0, 1.0, 3.0]])))
    /// });
    /// let y = f.value(&Tensor::from([[1.0, 1.0]]));
    /// assert_eq!(y, Tensor::from([[1.0, 1.0, 5.0]]));
    /// ```
    pub fn matmul<const N: usize, B: SmallNode<F, Arg = E::Arg, Out = Rank2<K, N>>>(
        self,
        rhs: Small<Rank2<K, N>, B, F>,
    ) -> Small<Rank2<M, N>, MatMul<E, B, M, K, N>, F> {
        Small::new(Product::new(self.node, rhs.node))
    }

    /// The matrix-vector product `(M x K) (K) -> (M)`; sizes that differ do not compile.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// use tygrad::small::{self, Input};
    /// let mut f = small::function(|x: Input<Rank1<2>>| {
    ///     small::constant(Tensor::from([[1.0, 2.0], [3.0, 4.0]])).matvec(x)
    /// });
    /// assert_eq!(f.value(&Tensor::from([1.0, 1.0])).as_slice(), &[3.0, 7.0]);
    /// ```
    pub fn matvec<B: SmallNode<F, Arg = E::Arg, Out = Rank1<K>>>(
        self,
        x: Small<Rank1<K>, B, F>,
    ) -> Small<Rank1<M>, MatVec<E, B, M, K>, F> {
        Small::new(Product::new(self.node, x.node))
    }
}

/// `a + b`, `a - b`, `a * b`, `a / b` between two nodes of one shape (elementwise).
macro_rules! binary_operators {
    ($($trait:ident, $method:ident => $op:ident;)*) => {$(
        // Generic over the right operand's shape, behind `SameShape`: a mismatch is one
        // sentence naming both shapes, not a list of every `Add` impl.
        impl<S: Shape, S2: Shape, A, B, F: Float> std::ops::$trait<Small<S2, B, F>>
            for Small<S, A, F>
        where
            S: SameShape<S2>,
            A: SmallNode<F, Out = S>,
            B: SmallNode<F, Arg = A::Arg, Out = S2>,
        {
            type Output = Small<S, Zip<A, B, $op>, F>;
            fn $method(self, right: Small<S2, B, F>) -> Self::Output {
                Small::new(Zip::new(self.node, right.node, $op))
            }
        }
    )*};
}

binary_operators! {
    Add, add => Plus;
    Sub, sub => Minus;
    Mul, mul => Times;
    Div, div => Quotient;
}
