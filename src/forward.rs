//! Forward mode: dual-number evaluation of the graph, Jacobian-vector products, full
//! Jacobians in both modes, Hessians and Hessian-vector products.
//!
//! Every op kernel is generic over the scalar. Evaluating the recorded graph on
//! [`num_dual::Dual`] numbers whose derivative parts hold a direction `u` at the leaves gives,
//! in the derivative part of any node, the Jacobian-vector product `J u`: forward mode. It
//! differentiates the very kernels that compute the values and shares nothing with the
//! hand-written VJP rules, which is why it can witness every reverse gradient (see
//! [`crate::check`]).
//!
//! # Forward or reverse?
//!
//! - **Forward mode** ([`Var::jvp`], [`Var::jacobian_fwd`]) costs one dual pass (about 2-4
//!   times a plain forward pass) per *input direction*: use it when there are few inputs and
//!   many outputs, or when you want `J u` for one direction.
//! - **Reverse mode** ([`Var::backward_with`], [`Var::jacobian_rev`]) costs one reverse sweep
//!   per *output direction*: use it when there are few outputs, typically a scalar loss with
//!   many parameters.
//!
//! | call | cost |
//! |---|---|
//! | [`Var::jvp`] | one dual pass over the nodes up to the output |
//! | [`Var::jacobian_fwd`] | `numel(in)` dual passes |
//! | [`Var::jacobian_rev`] | `numel(out)` reverse sweeps |
//! | [`Var::hessian`] | `numel(in) (numel(in) + 1) / 2` hyper-dual passes (forward-over-forward) |
//! | [`Var::hvp`] | one dual pass and one dual reverse sweep (forward-over-reverse) |
//!
//! [`Var::hessian`] uses only the kernels (hyper-dual numbers carry two tangents and their
//! mixed second derivative), while [`Var::hvp`] runs the reverse sweep, VJP rules included, on
//! dual numbers; their agreement checks the VJP rules' own derivatives.
//!
//! None of these calls touches the parameters' accumulated gradients.
//!
//! ```
//! use tygrad::prelude::*;
//! Graph::with(|g| {
//!     let x = g.param(Tensor::<Rank1<2>>::from([1.0, 2.0]));
//!     let y = (x * x).sum();
//!     // d y along (1, 0) is 2 x_0.
//!     assert_eq!(y.jvp(&[x.tangent(&Tensor::from([1.0, 0.0]))]).item(), 2.0);
//!     assert_eq!(y.jacobian_fwd(x), y.jacobian_rev(x));
//!     assert_eq!(y.hessian(x)[(0, 0)], 2.0);
//! });
//! ```

use crate::graph::{Graph, IsLeaf, IsParam, Kind, NodeId, NodeRecord, Tape, Var, evaluate};
use crate::reverse::{ParamSink, Reached, reverse_sweep};
use crate::scalar::{Elem, Float};
use crate::shape::{ScalarShape, Shape, TypedNumel};
use crate::tensor::Tensor;
use generic_array::{ArrayLength, GenericArray};
use num_dual::{Dual, HyperDual};
use std::fmt;
use std::marker::PhantomData;
use std::ops::{Index, IndexMut};

/// A shape whose element count is a [`typenum`] number that can size a
/// [`GenericArray`]: the shapes a [`Jacobian`] can be built over (every shape whose dims are
/// within typenum's range). Implemented automatically.
///
/// ```
/// use tygrad::prelude::*;
/// fn rows<Out: ArrayNumel, In: ArrayNumel>(j: &Jacobian<Out, In>) -> usize { j.nrows() }
/// Graph::with(|g| {
///     let x = g.param(Tensor::<Rank1<3>>::ones());
///     assert_eq!(rows(&(x * 2.0).jacobian_fwd(x)), 3);
/// });
/// ```
pub trait ArrayNumel: TypedNumel<Numel: ArrayLength> {}
impl<S> ArrayNumel for S
where
    S: TypedNumel,
    S::Numel: ArrayLength,
{
}

/// The rows of a Jacobian: `numel(Out)` rows of `numel(In)` entries, sized by typenum.
type Rows<Out, In, F> =
    GenericArray<GenericArray<F, <In as TypedNumel>::Numel>, <Out as TypedNumel>::Numel>;

/// A Jacobian `d out / d in`: `numel(Out)` rows by `numel(In)` columns, both sizes in the
/// type (a [`GenericArray`] of rows), indexed `[(row, column)]` with row-major flat indices
/// of the output and input tensors. A Hessian is a `Jacobian<S, S>`.
///
/// ```
/// use tygrad::prelude::*;
/// Graph::with(|g| {
///     let x = g.param(Tensor::<Rank1<2>>::from([1.0, 2.0]));
///     let y = x * x;
///     let j: Jacobian<Rank1<2>, Rank1<2>> = y.jacobian_fwd(x);
///     assert_eq!((j[(0, 0)], j[(0, 1)], j[(1, 1)]), (2.0, 0.0, 4.0));
///     assert_eq!(j.to_dmatrix(), nalgebra::dmatrix![2.0, 0.0; 0.0, 4.0]);
/// });
/// ```
pub struct Jacobian<Out: ArrayNumel, In: ArrayNumel, F: Float = f64> {
    rows: Rows<Out, In, F>,
    shapes: PhantomData<(Out, In)>,
}

impl<Out: ArrayNumel, In: ArrayNumel, F: Float> Jacobian<Out, In, F> {
    /// The all-zero Jacobian.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// let j = Jacobian::<Rank1<2>, Rank0>::zeros();
    /// assert_eq!((j.nrows(), j.ncols(), j[(1, 0)]), (2, 1, 0.0));
    /// ```
    pub fn zeros() -> Self {
        Jacobian {
            rows: GenericArray::default(),
            shapes: PhantomData,
        }
    }

    /// Number of rows: the output's element count.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// assert_eq!(Jacobian::<Rank2<2, 3>, Rank0>::zeros().nrows(), 6);
    /// ```
    pub fn nrows(&self) -> usize {
        Out::NUMEL
    }

    /// Number of columns: the input's element count.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// assert_eq!(Jacobian::<Rank0, Rank1<4>>::zeros().ncols(), 4);
    /// ```
    pub fn ncols(&self) -> usize {
        In::NUMEL
    }

    /// The rows, as a typenum-sized array of typenum-sized arrays.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank1<2>>::from([3.0, 4.0]));
    ///     let j = (x * x).sum().jacobian_rev(x);
    ///     assert_eq!(j.rows()[0].as_slice(), &[6.0, 8.0]);
    /// });
    /// ```
    pub fn rows(&self) -> &Rows<Out, In, F> {
        &self.rows
    }

    /// Row `i`: the derivatives of output element `i` with respect to every input element
    /// (the gradient of that element).
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank1<2>>::from([3.0, 4.0]));
    ///     assert_eq!((x * x).jacobian_fwd(x).row(1), &[0.0, 8.0]);
    /// });
    /// ```
    pub fn row(&self, i: usize) -> &[F] {
        &self.rows[i]
    }

    /// The Jacobian as an nalgebra matrix (`numel(Out) x numel(In)`).
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank1<2>>::from([3.0, 4.0]));
    ///     let m = (x * 2.0).sum().jacobian_fwd(x).to_dmatrix();
    ///     assert_eq!(m, nalgebra::dmatrix![2.0, 2.0]);
    /// });
    /// ```
    pub fn to_dmatrix(&self) -> nalgebra::DMatrix<F> {
        nalgebra::DMatrix::from_fn(Out::NUMEL, In::NUMEL, |i, j| self.rows[i][j])
    }

    /// The Jacobian-vector product `J u` (what one forward-mode pass computes).
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank1<2>>::from([3.0, 4.0]));
    ///     let j = (x * x).jacobian_fwd(x);
    ///     assert_eq!(j.mul_tensor(&Tensor::from([1.0, 1.0])).as_slice(), &[6.0, 8.0]);
    /// });
    /// ```
    pub fn mul_tensor(&self, u: &Tensor<In, F>) -> Tensor<Out, F> {
        let data = self.rows.iter().map(|row| dot(row, u.as_slice())).collect();
        Tensor::from_vec_unchecked(data)
    }

    /// The vector-Jacobian product `Jᵀ seed` (what one backward call accumulates).
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank1<3>>::from([2.0, 2.0, 2.0]));
    ///     let j = (x * 2.0).jacobian_fwd(x);
    ///     let grad = j.transpose_mul(&Tensor::from([0.1, 1.0, 10.0]));
    ///     assert_eq!(grad.as_slice(), &[0.2, 2.0, 20.0]);
    /// });
    /// ```
    pub fn transpose_mul(&self, seed: &Tensor<Out, F>) -> Tensor<In, F> {
        let mut data = vec![F::zero(); In::NUMEL];
        for (row, &s) in self.rows.iter().zip(seed.as_slice()) {
            for (d, &j) in data.iter_mut().zip(row.iter()) {
                *d += s * j;
            }
        }
        Tensor::from_vec_unchecked(data)
    }

    /// The largest entry, in absolute value (0 for an empty or all-zero Jacobian).
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank1<2>>::from([3.0, -4.0]));
    ///     assert_eq!((x * x).jacobian_fwd(x).max_abs(), 8.0);
    /// });
    /// ```
    pub fn max_abs(&self) -> f64 {
        self.entries().fold(0.0, |m, x| m.max(x.as_f64().abs()))
    }

    /// The norm-wise relative difference to `other`: the largest entry-wise difference over
    /// the largest entry of either Jacobian (0 when both are zero, NaN if any entry is NaN).
    /// Measuring against the largest entry keeps rounding in tiny entries from counting as
    /// disagreement.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank1<2>>::from([0.3, 0.7]));
    ///     let y = x.sin() * x.exp();
    ///     assert!(y.jacobian_fwd(x).relative_error(&y.jacobian_rev(x)) < 1e-12);
    /// });
    /// ```
    pub fn relative_error(&self, other: &Self) -> f64 {
        let diff = self.max_difference(other);
        if diff == 0.0 {
            0.0
        } else {
            diff / self.max_abs().max(other.max_abs())
        }
    }

    /// The difference to a finite-difference Jacobian `fd`: the largest entry-wise difference
    /// over the largest entry of either Jacobian, but over no less than 1 (NaN if any entry
    /// is NaN). Finite differences carry rounding noise of order `ε |f| / h` that does not
    /// shrink with the derivative, so a purely relative measure would fail a correct
    /// gradient whose entries all happen to be tiny; below 1 the measure is absolute.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank1<2>>::from([0.3, 0.7]));
    ///     let y = (x * 1e-9).sin();
    ///     assert!(y.jacobian_fwd(x).fd_error(&y.jacobian_fd(x)) < 1e-6);
    /// });
    /// ```
    pub fn fd_error(&self, fd: &Self) -> f64 {
        self.max_difference(fd) / self.max_abs().max(fd.max_abs()).max(1.0)
    }

    /// The largest entry-wise difference, NaN if any difference is NaN.
    fn max_difference(&self, other: &Self) -> f64 {
        let mut diff = 0.0f64;
        for (a, b) in self.entries().zip(other.entries()) {
            let d = (a.as_f64() - b.as_f64()).abs();
            if d.is_nan() {
                return f64::NAN;
            }
            diff = diff.max(d);
        }
        diff
    }

    /// Every entry, row by row.
    fn entries(&self) -> impl Iterator<Item = F> + '_ {
        self.rows.iter().flat_map(|row| row.iter().copied())
    }
}

impl<Out: ArrayNumel, In: ArrayNumel, F: Float> Index<(usize, usize)> for Jacobian<Out, In, F> {
    type Output = F;
    fn index(&self, (i, j): (usize, usize)) -> &F {
        &self.rows[i][j]
    }
}

impl<Out: ArrayNumel, In: ArrayNumel, F: Float> IndexMut<(usize, usize)> for Jacobian<Out, In, F> {
    fn index_mut(&mut self, (i, j): (usize, usize)) -> &mut F {
        &mut self.rows[i][j]
    }
}

impl<Out: ArrayNumel, In: ArrayNumel, F: Float> Clone for Jacobian<Out, In, F> {
    fn clone(&self) -> Self {
        Jacobian {
            rows: self.rows.clone(),
            shapes: PhantomData,
        }
    }
}

impl<Out: ArrayNumel, In: ArrayNumel, F: Float> PartialEq for Jacobian<Out, In, F> {
    fn eq(&self, other: &Self) -> bool {
        self.rows == other.rows
    }
}

impl<Out: ArrayNumel, In: ArrayNumel, F: Float> fmt::Display for Jacobian<Out, In, F> {
    /// `jacobian([[a, b], [c, d]])`, four decimals unless a precision is given.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let precision = f.precision().unwrap_or(4);
        write!(f, "jacobian([")?;
        for (i, row) in self.rows.iter().enumerate() {
            write!(f, "{}[", if i > 0 { ", " } else { "" })?;
            for (j, x) in row.iter().enumerate() {
                write!(f, "{}{:.precision$}", if j > 0 { ", " } else { "" }, x)?;
            }
            write!(f, "]")?;
        }
        write!(f, "])")
    }
}

impl<Out: ArrayNumel, In: ArrayNumel, F: Float> fmt::Debug for Jacobian<Out, In, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Jacobian<{:?}, {:?}>{}", Out::DIMS, In::DIMS, self)
    }
}

/// A direction for one leaf, for [`Var::jvp`]: made by [`Var::tangent`], tied to the leaf's
/// graph.
///
/// ```
/// use tygrad::prelude::*;
/// Graph::with(|g| {
///     let x = g.param(Tensor::<Rank1<2>>::from([1.0, 2.0]));
///     let t: Tangent = x.tangent(&Tensor::from([1.0, 1.0]));
///     assert_eq!((x * 3.0).jvp(&[t]).as_slice(), &[3.0, 3.0]);
/// });
/// ```
#[derive(Clone)]
pub struct Tangent<'g, F: Float = f64> {
    node: NodeId,
    direction: Vec<F>,
    /// Ties the tangent to its graph (the brand is invariant, as in `Var`).
    brand: PhantomData<&'g Graph<'g, F>>,
}

impl<F: Float> fmt::Debug for Tangent<'_, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Tangent(#{} {:?})", self.node, self.direction)
    }
}

/// `Σ a_i b_i`.
pub(crate) fn dot<F: Float>(a: &[F], b: &[F]) -> F {
    a.iter().zip(b).fold(F::zero(), |acc, (&x, &y)| acc + x * y)
}

/// End (exclusive) of `output`'s value in the flat buffer: only the prefix up to it matters.
pub(crate) fn end_of<F: Float>(nodes: &[NodeRecord<F>], output: NodeId) -> usize {
    nodes[output as usize].full_range().end
}

/// One forward-mode pass: the tangent of `output` when each leaf in `tangents` moves along
/// its direction (every other leaf stays put). Directions of nodes recorded after `output`
/// cannot influence it and are ignored.
pub(crate) fn jvp_raw<F: Float>(
    tape: &Tape<F>,
    output: NodeId,
    tangents: &[(NodeId, &[F])],
) -> Vec<F> {
    let end = end_of(&tape.nodes, output);
    let mut values: Vec<Dual<F>> = tape.values[..end]
        .iter()
        .map(|&v| Dual::new(v, F::zero()))
        .collect();
    for &(node, direction) in tangents {
        if node > output {
            continue;
        }
        let range = tape.nodes[node as usize].range();
        for (value, &d) in values[range].iter_mut().zip(direction) {
            value.eps += d;
        }
    }
    evaluate(&tape.nodes[..=output as usize], &mut values);
    values[tape.nodes[output as usize].range()]
        .iter()
        .map(|v| v.eps)
        .collect()
}

/// One reverse sweep from `output` seeded with `seed`, in private buffers (the graph's
/// adjoints and gradients are untouched); `at_param(grad_offset, adjoint)` at each parameter.
pub(crate) fn vjp_raw<F: Float, T: Elem<F>>(
    nodes: &[NodeRecord<F>],
    values: &[T],
    output: NodeId,
    seed: &[T],
    at_param: impl FnMut(usize, &[T]),
) {
    let end = end_of(nodes, output);
    let mut adjoints = vec![T::zero(); end];
    adjoints[nodes[output as usize].range()].copy_from_slice(seed);
    let mut marks = vec![0; output as usize + 1];
    let mut uniform_marks = vec![0; output as usize + 1];
    let mut uniform_values = vec![T::zero(); output as usize + 1];
    let reached = Reached {
        marks: &mut marks,
        uniform_marks: &mut uniform_marks,
        uniform_values: &mut uniform_values,
        epoch: 1,
    };
    reverse_sweep(
        nodes,
        values,
        &mut adjoints,
        reached,
        output,
        ParamSink::Adjoints(at_param),
    );
}

impl<'g, S: Shape, F: Float, K: Kind> Var<'g, S, F, K> {
    /// A direction for this leaf, to pass to [`jvp`](Self::jvp). Only leaves (parameters and
    /// constants) take a tangent: a computed node's tangent follows from its inputs'.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let c = g.constant(Tensor::<Rank0>::from(3.0));
    ///     let y = c * c;
    ///     assert_eq!(y.jvp(&[c.tangent(&Tensor::from(1.0))]).item(), 6.0);
    /// });
    /// ```
    pub fn tangent(&self, direction: &Tensor<S, F>) -> Tangent<'g, F>
    where
        K: IsLeaf,
    {
        Tangent {
            node: self.id,
            direction: direction.as_slice().to_vec(),
            brand: PhantomData,
        }
    }

    /// The Jacobian-vector product: the tangent of this node when the given leaves move along
    /// their tangents (leaves not listed stay put), by one dual-number pass through the
    /// forward kernels. Tangents for the same leaf add up.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let a = g.param(Tensor::<Rank1<2>>::from([1.0, 2.0]));
    ///     let b = g.param(Tensor::<Rank1<2>>::from([3.0, 4.0]));
    ///     let y = a * b;
    ///     let t = y.jvp(&[a.tangent(&Tensor::from([1.0, 0.0])), b.tangent(&Tensor::from([0.0, 1.0]))]);
    ///     // d(a b) = b da + a db
    ///     assert_eq!(t.as_slice(), &[3.0, 2.0]);
    /// });
    /// ```
    pub fn jvp(&self, tangents: &[Tangent<'g, F>]) -> Tensor<S, F> {
        let tape = self.graph.fresh_tape();
        let directions: Vec<(NodeId, &[F])> = tangents
            .iter()
            .map(|t| (t.node, t.direction.as_slice()))
            .collect();
        Tensor::from_vec_unchecked(jvp_raw(&tape, self.id, &directions))
    }

    /// The Jacobian `d self / d x` by forward mode: one dual pass per element of `x` (cheap
    /// when `x` is small). `x` can be any leaf.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank2<2, 2>>::ones());
    ///     let out = ((x + 2.0) * (x + 2.0) * 3.0).mean();
    ///     let j = out.jacobian_fwd(x);
    ///     assert_eq!(j.row(0), &[4.5, 4.5, 4.5, 4.5]);
    /// });
    /// ```
    pub fn jacobian_fwd<SIn: ArrayNumel, KIn: IsLeaf>(
        &self,
        x: Var<'g, SIn, F, KIn>,
    ) -> Jacobian<S, SIn, F>
    where
        S: ArrayNumel,
    {
        let tape = self.graph.fresh_tape();
        let mut jacobian = Jacobian::zeros();
        let mut direction = vec![F::zero(); SIn::NUMEL];
        for j in 0..SIn::NUMEL {
            direction[j] = F::one();
            let column = jvp_raw(&tape, self.id, &[(x.id, &direction)]);
            direction[j] = F::zero();
            for (i, c) in column.into_iter().enumerate() {
                jacobian[(i, j)] = c;
            }
        }
        jacobian
    }

    /// The Jacobian `d self / d x` by reverse mode: one reverse sweep per element of `self`
    /// (cheap when the output is small). `x` must be a parameter, since the reverse sweep
    /// visits only nodes that need a gradient. The parameters' gradients are untouched.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank1<2>>::from([1.0, 2.0]));
    ///     let y = x * x * x;
    ///     let j = y.jacobian_rev(x);
    ///     assert_eq!((j[(0, 0)], j[(1, 1)], j[(0, 1)]), (3.0, 12.0, 0.0));
    ///     assert_eq!(x.grad(), Tensor::zeros());
    /// });
    /// ```
    pub fn jacobian_rev<SIn: ArrayNumel, KIn: IsParam>(
        &self,
        x: Var<'g, SIn, F, KIn>,
    ) -> Jacobian<S, SIn, F>
    where
        S: ArrayNumel,
    {
        let tape = self.graph.fresh_tape();
        let x_offset = tape.nodes[x.id as usize].op.grad_offset();
        let mut jacobian = Jacobian::<S, SIn, F>::zeros();
        let mut seed = vec![F::zero(); S::NUMEL];
        for i in 0..S::NUMEL {
            seed[i] = F::one();
            let row = &mut jacobian.rows[i];
            vjp_raw(
                &tape.nodes,
                &tape.values,
                self.id,
                &seed,
                |offset, adjoint| {
                    if offset == x_offset {
                        row.copy_from_slice(adjoint);
                    }
                },
            );
            seed[i] = F::zero();
        }
        jacobian
    }

    /// The Hessian `d² self / d x²` of a scalar output, by forward-over-forward mode:
    /// hyper-dual numbers carry two unit directions and their mixed second derivative through
    /// the forward kernels, one pass per pair `i <= j` (`n (n + 1) / 2` passes). No VJP rule
    /// is involved, so it witnesses [`hvp`](Self::hvp).
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank1<2>>::from([1.0, 2.0]));
    ///     let xs = x.sum();
    ///     let y = xs * xs * xs; // (x0 + x1)³: every second derivative is 6 (x0 + x1)
    ///     let h = y.hessian(x);
    ///     assert_eq!(h.to_dmatrix(), nalgebra::dmatrix![18.0, 18.0; 18.0, 18.0]);
    /// });
    /// ```
    pub fn hessian<SIn: ArrayNumel, KIn: IsLeaf>(
        &self,
        x: Var<'g, SIn, F, KIn>,
    ) -> Jacobian<SIn, SIn, F>
    where
        S: ScalarShape,
    {
        let tape = self.graph.fresh_tape();
        let end = end_of(&tape.nodes, self.id);
        let lift = |values: &[F]| -> Vec<HyperDual<F>> {
            values.iter().map(|&v| HyperDual::from_re(v)).collect()
        };
        let mut hessian = Jacobian::zeros();
        let x_range = tape.nodes[x.id as usize].range();
        if x.id > self.id {
            return hessian;
        }
        let out = tape.nodes[self.id as usize].offset;
        let mut values = lift(&tape.values[..end]);
        for i in 0..SIn::NUMEL {
            for j in i..SIn::NUMEL {
                values[x_range.start + i].eps1 = F::one();
                values[x_range.start + j].eps2 = F::one();
                evaluate(&tape.nodes[..=self.id as usize], &mut values);
                let second = values[out].eps1eps2;
                hessian[(i, j)] = second;
                hessian[(j, i)] = second;
                values[x_range.start + i].eps1 = F::zero();
                values[x_range.start + j].eps2 = F::zero();
            }
        }
        hessian
    }

    /// The Hessian-vector product `(d² self / d x²) v` of a scalar output, by
    /// forward-over-reverse mode: one dual pass with tangent `v` at `x`, then the reverse
    /// sweep (the VJP rules) run on dual numbers. Costs about two backward calls, whatever
    /// the size of `x`. `x` must be a parameter; its gradient is untouched.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank1<2>>::from([1.0, 2.0]));
    ///     let y = (x * x * x).sum(); // Hessian diag(6 x)
    ///     let hv = y.hvp(x, &Tensor::from([1.0, 1.0]));
    ///     assert_eq!(hv.as_slice(), &[6.0, 12.0]);
    /// });
    /// ```
    pub fn hvp<SIn: Shape, KIn: IsParam>(
        &self,
        x: Var<'g, SIn, F, KIn>,
        v: &Tensor<SIn, F>,
    ) -> Tensor<SIn, F>
    where
        S: ScalarShape,
    {
        let tape = self.graph.fresh_tape();
        let mut result = vec![F::zero(); SIn::NUMEL];
        if x.id > self.id {
            return Tensor::from_vec_unchecked(result);
        }
        let end = end_of(&tape.nodes, self.id);
        let mut values: Vec<Dual<F>> = tape.values[..end]
            .iter()
            .map(|&v| Dual::new(v, F::zero()))
            .collect();
        for (value, &d) in values[tape.nodes[x.id as usize].range()]
            .iter_mut()
            .zip(v.as_slice())
        {
            value.eps = d;
        }
        evaluate(&tape.nodes[..=self.id as usize], &mut values);
        let x_offset = tape.nodes[x.id as usize].op.grad_offset();
        let seed = [Dual::new(F::one(), F::zero())];
        vjp_raw(&tape.nodes, &values, self.id, &seed, |offset, adjoint| {
            if offset == x_offset {
                for (r, a) in result.iter_mut().zip(adjoint) {
                    *r = a.eps;
                }
            }
        });
        Tensor::from_vec_unchecked(result)
    }
}
