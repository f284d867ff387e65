//! Fused graphs: a whole computation as one type, compiled by rustc into one loop.
//!
//! A [`Graph`](crate::Graph) records nodes at run time and replays them through an
//! interpreter: any shape, any op, but each node costs a dispatch and a pass over its
//! buffer, forward and backward (a few nanoseconds per node). For the small, elementwise
//! functions at the heart of optimisation and physics code (an energy, a residual, a test
//! function like Rosenbrock's) that overhead is most of the cost. A fused graph is the same
//! kind of expression, written with the same methods and operators, whose structure is its
//! *type*: `(x + 2.0).square()` is a
//! `Fused<Rank1<4>, MapNode<MapNode<Arg<Rank1<4>>, AddScalar<f64>>, Square>>`.
//! rustc monomorphises and inlines it, so evaluating it is one loop over the output's
//! elements, and each element's forward step and reverse step are the straight-line code a
//! person would write by hand: no tape, no buffers between nodes, no allocation.
//!
//! What a fused graph holds:
//! - **one argument** `x` ([`function`] hands it to the closure that builds the graph), a
//!   tensor whose shape is part of the type;
//! - elementwise ops on it ([`Fused::square`], [`Fused::exp`], `+ - * /` between two fused
//!   graphs of the same shape or with a scalar, ...), and slices of it ([`Fused::slice`],
//!   [`Fused::slice_rows`]), each checked by the compiler as on a [`Var`];
//! - at the end, optionally, a [`sum`](Fused::sum) or a [`mean`](Fused::mean), which makes a
//!   scalar function ([`Reduced`]).
//!
//! Both modes run on the same graph, because every node is generic over the scalar:
//! - reverse mode: [`Reduced::value_and_grad`] (the gradient of a scalar function, which
//!   exists only once the graph is reduced to a scalar), and [`Fused::vjp`] for the
//!   vector-Jacobian product of a non-scalar one, whose seed must have its output's shape;
//! - forward mode, on [`num_dual`]'s dual numbers: [`Reduced::jvp`] and [`Fused::jvp`], and
//!   forward over reverse (the reverse steps run on dual numbers) for Hessian-vector
//!   products ([`Reduced::hvp`]) and the dense Hessian, element by element on the positions
//!   each reads ([`Reduced::hessian`], and [`Reduced::hessian_into`], which allocates nothing);
//! - the cross-check: [`Reduced::check_gradient`] compares `<∇f, u>` from reverse mode with
//!   the forward-mode derivative along a random `u`.
//!
//! A graph is built once and replayed on new arguments, each call a pure function of `x`:
//! `value_and_grad` *writes* the gradient (like JAX's `value_and_grad`, unlike a graph's
//! accumulating `backward`). What needs more than one argument, a matrix product, a reduction
//! in the middle, or the PyTorch-style workflow (`backward`, accumulation, `zero_grad`,
//! introspection) is the [`Graph`](crate::Graph)'s job, and the two meet: [`Var::apply`]
//! records a fused graph as one node of a [`Graph`](crate::Graph) (`FusedBackward`), whose
//! kernel and VJP are the fused graph's own forward and reverse steps, so a fused energy
//! term or activation sits inside a larger graph, checked like every other node.
//!
//! ```
//! use tygrad::fused::{self, Input};
//! use tygrad::prelude::*;
//!
//! // Rosenbrock's function, built once.
//! let rosenbrock = fused::function(|x: Input<Rank1<3>>| {
//!     let (head, tail) = (x.slice::<0, 2>(), x.slice::<1, 2>());
//!     ((tail - head.square()).square() * 100.0 + (1.0 - head).square()).sum()
//! });
//!
//! // Replayed: one loop, no allocation.
//! let mut grad = Tensor::zeros();
//! let value = rosenbrock.value_and_grad(&Tensor::from([1.0, 1.0, 1.0]), &mut grad);
//! assert_eq!((value, grad.as_slice()), (0.0, &[0.0, 0.0, 0.0][..]));
//!
//! let value = rosenbrock.value_and_grad(&Tensor::from([0.0, 0.0, 0.0]), &mut grad);
//! assert_eq!((value, grad.as_slice()), (2.0, &[-2.0, -2.0, 0.0][..]));
//!
//! // Every gradient can be checked against forward mode.
//! assert!(rosenbrock.check_gradient(&Tensor::from([0.3, -1.2, 2.0])).passed);
//! ```
//!
//! Shapes are checked as everywhere in tygrad:
//!
//! ```compile_fail
//! use tygrad::fused::{self, Input};
//! use tygrad::prelude::*;
//! // `Rank1<2>` plus `Rank1<3>`: mismatched types.
//! let f = fused::function(|x: Input<Rank1<3>>| x.slice::<0, 2>() + x);
//! ```

mod hessian;
pub mod node;
mod reduced;

pub use reduced::{GradientCheck, Reduced, ScalarOutput};

pub use node::{Arg, Binary, Node, Unary};
pub use node::{MapNode, Offset, ZipNode};

use crate::graph::{Kind, Var};
use crate::ops::GradOut;
use crate::ops::custom::CustomOp;
use crate::scalar::{Elem, Float};
use crate::shape::{Rank1, Rank2, SameShape, Shape, SliceInBounds};
use crate::tensor::Tensor;
use num_dual::Dual;
use std::marker::PhantomData;

/// A fused graph whose output has shape `S`: an elementwise function of the argument, whose
/// structure `E` is a type (see the [module docs](self)).
///
/// ```
/// use tygrad::fused::{self, Input};
/// use tygrad::prelude::*;
/// let f = fused::function(|x: Input<Rank1<2>>| x.exp() * 2.0);
/// assert_eq!(f.eval(&Tensor::from([0.0, 0.0])).as_slice(), &[2.0, 2.0]);
/// ```
pub struct Fused<S: Shape, E, F: Float = f64> {
    node: E,
    _types: PhantomData<(S, F)>,
}

impl<S: Shape, E: Copy, F: Float> Clone for Fused<S, E, F> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<S: Shape, E: Copy, F: Float> Copy for Fused<S, E, F> {}

/// The argument of a fused graph of shape `X`, as [`function`] hands it to its closure.
///
/// ```
/// use tygrad::fused::{self, Input};
/// use tygrad::prelude::*;
/// let identity = fused::function(|x: Input<Rank2<2, 2>>| x);
/// let x = Tensor::from([[1.0, 2.0], [3.0, 4.0]]);
/// assert_eq!(identity.eval(&x), x);
/// ```
pub type Input<X, F = f64> = Fused<X, Arg<X, F>, F>;

/// Builds a fused graph: `build` receives the argument and returns the graph (a [`Fused`]
/// function of it, or a [`Reduced`] scalar one), which can then be evaluated and
/// differentiated on any number of arguments.
///
/// ```
/// use tygrad::fused::{self, Input};
/// use tygrad::prelude::*;
/// let energy = fused::function(|x: Input<Rank1<3>>| (x.square() * 0.5).sum());
/// let mut grad = Tensor::zeros();
/// assert_eq!(energy.value_and_grad(&Tensor::from([1.0, 2.0, 3.0]), &mut grad), 7.0);
/// assert_eq!(grad.as_slice(), &[1.0, 2.0, 3.0]);
/// ```
pub fn function<X: Shape, F: Float, R>(build: impl FnOnce(Input<X, F>) -> R) -> R {
    build(Fused::new(Arg::new()))
}

impl<S: Shape, E: Node<F>, F: Float> Fused<S, E, F> {
    fn new(node: E) -> Self {
        Fused {
            node,
            _types: PhantomData,
        }
    }

    /// The root node: its type is the whole graph.
    ///
    /// ```
    /// use tygrad::fused::{self, Input, Node};
    /// use tygrad::prelude::*;
    /// let f = fused::function(|x: Input<Rank1<1>>| x * 3.0);
    /// assert_eq!(f.node().at(&[2.0], 0).0, 6.0);
    /// ```
    pub fn node(&self) -> &E {
        &self.node
    }

    /// Applies a [`Unary`] function (its value and its slope) to every element: the way to
    /// add an elementwise function of your own. Its value is differentiated by forward mode
    /// and its slope serves reverse mode, so [`Reduced::check_gradient`] witnesses the slope.
    ///
    /// ```
    /// use tygrad::fused::{self, Input, Unary};
    /// use tygrad::prelude::*;
    /// /// `x³`, its slope `3x²`.
    /// #[derive(Clone, Copy)]
    /// struct Cube;
    /// impl Unary<f64> for Cube {
    ///     fn apply<T: Elem<f64>>(&self, x: T) -> (T, T) {
    ///         (x * x * x, x * x * 3.0)
    ///     }
    /// }
    /// let f = fused::function(|x: Input<Rank1<2>>| x.map(Cube).sum());
    /// assert_eq!(f.grad(&Tensor::from([1.0, 2.0])).as_slice(), &[3.0, 12.0]);
    /// assert!(f.check_gradient(&Tensor::from([0.3, -0.8])).passed);
    /// ```
    pub fn map<U: Unary<F>>(self, function: U) -> Fused<S, MapNode<E, U>, F> {
        Fused::new(MapNode {
            child: self.node,
            function,
        })
    }

    /// Applies a [`Binary`] function (its value and both partials) to the elements of `self`
    /// and `right` at each position: the way to add a binary function of your own.
    ///
    /// ```
    /// use tygrad::fused::{self, Binary, Input};
    /// use tygrad::prelude::*;
    /// /// `a² + b²`, its partials `2a` and `2b`.
    /// #[derive(Clone, Copy)]
    /// struct SquaredNorm;
    /// impl Binary<f64> for SquaredNorm {
    ///     fn apply<T: Elem<f64>>(&self, a: T, b: T) -> (T, T, T) {
    ///         (a * a + b * b, a + a, b + b)
    ///     }
    /// }
    /// let f = fused::function(|x: Input<Rank1<3>>| {
    ///     x.slice::<0, 2>().zip_with(x.slice::<1, 2>(), SquaredNorm).sum()
    /// });
    /// assert_eq!(f.grad(&Tensor::from([1.0, 2.0, 3.0])).as_slice(), &[2.0, 8.0, 6.0]);
    /// ```
    pub fn zip_with<B: Node<F, Arg = E::Arg>, O: Binary<F>>(
        self,
        right: Fused<S, B, F>,
        function: O,
    ) -> Fused<S, ZipNode<E, B, O>, F> {
        Fused::new(ZipNode {
            left: self.node,
            right: right.node,
            function,
        })
    }

    /// The output for the argument `x`.
    ///
    /// ```
    /// use tygrad::fused::{self, Input};
    /// use tygrad::prelude::*;
    /// let f = fused::function(|x: Input<Rank1<2>>| x.square());
    /// assert_eq!(f.eval(&Tensor::from([3.0, -2.0])).as_slice(), &[9.0, 4.0]);
    /// ```
    pub fn eval(&self, x: &Tensor<E::Arg, F>) -> Tensor<S, F> {
        let mut out = Tensor::zeros();
        self.values_into(x.as_slice(), out.as_mut_slice());
        out
    }

    /// Every output element, on any scalar type.
    #[inline(always)]
    fn values_into<T: Elem<F>>(&self, x: &[T], out: &mut [T]) {
        for (i, out) in out.iter_mut().enumerate() {
            *out = self.node.at(x, i).0;
        }
    }

    /// One pass: adds `Jᵀ seed` into `grad`, handing each output element to `value` on the
    /// way. The seed is a slice, or one number for every element (a reduction's adjoint:
    /// then no element waits for another, and none is read from memory).
    #[inline(always)]
    fn pull_back<T: Elem<F>>(
        &self,
        x: &[T],
        seed: impl GradOut<T>,
        grad: &mut [T],
        mut value: impl FnMut(usize, T),
    ) {
        for (i, adjoint) in (0..S::NUMEL).zip(seed.elements()) {
            let (y, local) = self.node.at(x, i);
            value(i, y);
            self.node.back(local, adjoint, grad, i);
        }
    }

    /// The vector-Jacobian product: writes `Jᵀ seed` into `grad` (the seed has the output's
    /// shape, checked by the compiler) and returns the output.
    ///
    /// ```
    /// use tygrad::fused::{self, Input};
    /// use tygrad::prelude::*;
    /// let f = fused::function(|x: Input<Rank1<3>>| x * 2.0);
    /// let mut grad = Tensor::zeros();
    /// f.vjp(&Tensor::from([2.0, 2.0, 2.0]), &Tensor::from([0.1, 1.0, 10.0]), &mut grad);
    /// assert_eq!(grad.as_slice(), &[0.2, 2.0, 20.0]);
    /// ```
    pub fn vjp(
        &self,
        x: &Tensor<E::Arg, F>,
        seed: &Tensor<S, F>,
        grad: &mut Tensor<E::Arg, F>,
    ) -> Tensor<S, F> {
        let grad = grad.as_mut_slice();
        grad.fill(F::zero());
        let mut out = Tensor::zeros();
        let values = out.as_mut_slice();
        self.pull_back(x.as_slice(), seed.as_slice(), grad, |i, y| values[i] = y);
        out
    }

    /// Forward mode: the output and its directional derivative `J u` along `tangent`, by
    /// one pass on dual numbers.
    ///
    /// ```
    /// use tygrad::fused::{self, Input};
    /// use tygrad::prelude::*;
    /// let f = fused::function(|x: Input<Rank1<2>>| x.square());
    /// let (y, dy) = f.jvp(&Tensor::from([3.0, 4.0]), &Tensor::from([1.0, 0.5]));
    /// assert_eq!((y.as_slice(), dy.as_slice()), (&[9.0, 16.0][..], &[6.0, 4.0][..]));
    /// ```
    pub fn jvp(
        &self,
        x: &Tensor<E::Arg, F>,
        tangent: &Tensor<E::Arg, F>,
    ) -> (Tensor<S, F>, Tensor<S, F>) {
        let x = duals(x, tangent);
        let out: Tensor<S, Dual<F>> = flat(|i| self.node.at(&x, i).0);
        (out.map(|d| d.re), out.map(|d| d.eps))
    }

    /// The value and the gradient of a fused graph whose output is already a scalar (its
    /// argument a `Rank0`): as [`Reduced::value_and_grad`]. On any other output it does not
    /// compile, and the message says to reduce first or to call [`Self::vjp`].
    ///
    /// ```
    /// use tygrad::fused::{self, Input};
    /// use tygrad::prelude::*;
    /// let f = fused::function(|x: Input<Rank0>| x.sin() * 2.0);
    /// let mut grad = Tensor::zeros();
    /// assert_eq!(f.value_and_grad(&Tensor::from(0.0), &mut grad), 0.0);
    /// assert_eq!(grad.item(), 2.0);
    /// ```
    ///
    /// ```compile_fail
    /// use tygrad::fused::{self, Input};
    /// use tygrad::prelude::*;
    /// let f = fused::function(|x: Input<Rank1<2>>| x.square());
    /// let mut grad = Tensor::zeros();
    /// f.value_and_grad(&Tensor::from([1.0, 2.0]), &mut grad); // error: not a scalar function
    /// ```
    pub fn value_and_grad(&self, x: &Tensor<E::Arg, F>, grad: &mut Tensor<E::Arg, F>) -> F
    where
        S: ScalarOutput,
    {
        self.sum().value_and_grad(x, grad)
    }

    /// Reduces to a scalar function: the sum of every element.
    ///
    /// ```
    /// use tygrad::fused::{self, Input};
    /// use tygrad::prelude::*;
    /// let f = fused::function(|x: Input<Rank1<3>>| x.sum());
    /// assert_eq!(f.value(&Tensor::from([1.0, 2.0, 3.0])), 6.0);
    /// ```
    pub fn sum(self) -> Reduced<S, E, F> {
        Reduced {
            graph: self,
            scale: F::one(),
        }
    }

    /// Reduces to a scalar function: the mean of every element.
    ///
    /// ```
    /// use tygrad::fused::{self, Input};
    /// use tygrad::prelude::*;
    /// let f = fused::function(|x: Input<Rank1<4>>| x.mean());
    /// assert_eq!(f.value(&Tensor::from([1.0, 2.0, 3.0, 6.0])), 3.0);
    /// ```
    pub fn mean(self) -> Reduced<S, E, F> {
        Reduced {
            graph: self,
            scale: F::of_f64(1.0 / S::NUMEL as f64),
        }
    }
}

impl<const N: usize, E: Node<F>, F: Float> Fused<Rank1<N>, E, F> {
    /// Elements `START..START + LEN`; out of bounds does not compile (as [`Var::slice`]).
    ///
    /// [`Var::slice`]: crate::Var::slice
    ///
    /// ```
    /// use tygrad::fused::{self, Input};
    /// use tygrad::prelude::*;
    /// let f = fused::function(|x: Input<Rank1<3>>| x.slice::<1, 2>().sum());
    /// let mut grad = Tensor::zeros();
    /// assert_eq!(f.value_and_grad(&Tensor::from([1.0, 2.0, 3.0]), &mut grad), 5.0);
    /// assert_eq!(grad.as_slice(), &[0.0, 1.0, 1.0]);
    /// ```
    pub fn slice<const START: usize, const LEN: usize>(
        self,
    ) -> Fused<Rank1<LEN>, Offset<E, START, 1>, F>
    where
        Rank1<N>: SliceInBounds<START, LEN>,
    {
        Fused::new(Offset(self.node))
    }
}

impl<const M: usize, const N: usize, E: Node<F>, F: Float> Fused<Rank2<M, N>, E, F> {
    /// Rows `START..START + LEN`; out of bounds does not compile (as [`Var::slice_rows`]).
    ///
    /// [`Var::slice_rows`]: crate::Var::slice_rows
    ///
    /// ```
    /// use tygrad::fused::{self, Input};
    /// use tygrad::prelude::*;
    /// let f = fused::function(|x: Input<Rank2<3, 2>>| x.slice_rows::<1, 2>().sum());
    /// let mut grad = Tensor::zeros();
    /// let x = Tensor::from([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]);
    /// assert_eq!(f.value_and_grad(&x, &mut grad), 18.0);
    /// assert_eq!(grad, Tensor::from([[0.0, 0.0], [1.0, 1.0], [1.0, 1.0]]));
    /// ```
    pub fn slice_rows<const START: usize, const LEN: usize>(
        self,
    ) -> Fused<Rank2<LEN, N>, Offset<E, START, N>, F>
    where
        Rank2<M, N>: SliceInBounds<START, LEN>,
    {
        Fused::new(Offset(self.node))
    }
}

/// `a + b`, `a - b`, `a * b`, `a / b` between two fused graphs of the same shape and
/// argument.
macro_rules! binary_operators {
    ($($trait:ident, $method:ident => $node:ident;)*) => {$(
        // Generic over the right operand's shape, behind `SameShape`: a mismatch is one
        // sentence naming both shapes, not a list of every `Add` impl.
        impl<S: Shape, S2: Shape, A: Node<F>, B: Node<F, Arg = A::Arg>, F: Float>
            std::ops::$trait<Fused<S2, B, F>> for Fused<S, A, F>
        where
            S: SameShape<S2>,
        {
            type Output = Fused<S, ZipNode<A, B, node::$node>, F>;
            fn $method(self, right: Fused<S2, B, F>) -> Self::Output {
                Fused::new(ZipNode {
                    left: self.node,
                    right: right.node,
                    function: node::$node,
                })
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

/// `-x`, `x ± c`, `c ± x`, `x * c`, `c * x`, `x / c`, `c / x` for a scalar `c` of the graph's
/// float type.
macro_rules! scalar_operators {
    ($float:ty) => {
        impl<S: Shape, E: Node<$float>> std::ops::Neg for Fused<S, E, $float> {
            type Output = Fused<S, MapNode<E, node::Negate>, $float>;
            fn neg(self) -> Self::Output {
                self.map(node::Negate)
            }
        }
        scalar_operators!(@op $float, Add, add, AddScalar, AddScalar);
        scalar_operators!(@op $float, Sub, sub, SubScalar, RsubScalar);
        scalar_operators!(@op $float, Mul, mul, MulScalar, MulScalar);
        scalar_operators!(@op $float, Div, div, DivScalar, RdivScalar);
    };
    (@op $float:ty, $trait:ident, $method:ident, $x_op_c:ident, $c_op_x:ident) => {
        impl<S: Shape, E: Node<$float>> std::ops::$trait<$float> for Fused<S, E, $float> {
            type Output = Fused<S, MapNode<E, node::$x_op_c<$float>>, $float>;
            fn $method(self, c: $float) -> Self::Output {
                self.map(node::$x_op_c(c))
            }
        }
        impl<S: Shape, E: Node<$float>> std::ops::$trait<Fused<S, E, $float>> for $float {
            type Output = Fused<S, MapNode<E, node::$c_op_x<$float>>, $float>;
            fn $method(self, x: Fused<S, E, $float>) -> Self::Output {
                x.map(node::$c_op_x(self))
            }
        }
    };
}
scalar_operators!(f64);
scalar_operators!(f32);

/// A tensor whose element at each row-major position `i` is `f(i)`.
fn flat<S: Shape, T>(f: impl FnMut(usize) -> T) -> Tensor<S, T> {
    Tensor::from_vec_unchecked((0..S::NUMEL).map(f).collect())
}

/// A fused graph as a function a [`Graph`](crate::Graph) can record as one node
/// ([`Var::apply`]): its argument's shape and its output's shape.
///
/// ```
/// use tygrad::fused::{self, FusedFn, Input};
/// use tygrad::prelude::*;
/// fn output_len<G: FusedFn<f64>>(_: &G) -> usize { G::Output::NUMEL }
/// let f = fused::function(|x: Input<Rank1<3>>| x.slice::<0, 2>());
/// assert_eq!(output_len(&f), 2);
/// assert_eq!(output_len(&f.sum()), 1);
/// ```
pub trait FusedFn<F: Float>: CustomOp<F> {
    /// The shape of the argument.
    type Arg: Shape;
    /// The shape of the output (`Rank0` for a [`Reduced`] one).
    type Output: Shape;
}

impl<S: Shape, E: Node<F> + 'static, F: Float> FusedFn<F> for Fused<S, E, F> {
    type Arg = E::Arg;
    type Output = S;
}

/// As a graph node: the kernel evaluates every element, the VJP runs each element's reverse
/// step with its share of the adjoint.
impl<S: Shape, E: Node<F> + 'static, F: Float> CustomOp<F> for Fused<S, E, F> {
    fn name(&self) -> &'static str {
        "FusedBackward"
    }

    fn eval<T: Elem<F>>(&self, inputs: &[&[T]], out: &mut [T]) {
        self.values_into(inputs[0], out);
    }

    fn vjp<T: Elem<F>>(&self, _: usize, x: &[&[T]], _: &[T], g: &[T], gi: &mut [T]) {
        self.pull_back(x[0], g, gi, |_, _| {});
    }
}

impl<'g, X: Shape, F: Float, K: Kind> Var<'g, X, F, K> {
    /// Records the fused graph `f` applied to this node as one node of the graph
    /// (`FusedBackward`): one loop forward, one loop backward, and forward mode, Hessians and
    /// the cross-checks run `f`'s own steps on dual numbers, as for any op. `f`'s argument
    /// must have this node's shape.
    ///
    /// ```
    /// use tygrad::fused::{self, Input};
    /// use tygrad::prelude::*;
    /// let rosenbrock = fused::function(|x: Input<Rank1<3>>| {
    ///     let (head, tail) = (x.slice::<0, 2>(), x.slice::<1, 2>());
    ///     ((tail - head.square()).square() * 100.0 + (1.0 - head).square()).sum()
    /// });
    /// Graph::with_checked(|g| {
    ///     let x = g.param(Tensor::from([0.0, 0.0, 0.0]));
    ///     let loss = x.apply(rosenbrock) * 0.5; // checked against forward mode
    ///     loss.backward();
    ///     assert_eq!(loss.grad_fn(), Some("MulScalarBackward"));
    ///     assert_eq!(loss.item(), 1.0);
    ///     assert_eq!(x.grad().as_slice(), &[-1.0, -1.0, 0.0]);
    /// });
    /// ```
    pub fn apply<G: FusedFn<F, Arg = X>>(self, f: G) -> Var<'g, G::Output, F> {
        self.custom_unary(f)
    }
}

/// The argument as dual numbers whose derivative parts are `tangent`.
fn duals<X: Shape, F: Float>(x: &Tensor<X, F>, tangent: &Tensor<X, F>) -> Vec<Dual<F>> {
    x.iter()
        .zip(tangent.iter())
        .map(|(&re, &eps)| Dual::new(re, eps))
        .collect()
}
