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
//!   times a plain forward pass) per *input direction*, or per eight of them for a whole
//!   Jacobian (its dual numbers carry eight tangents): use it when there are few inputs and
//!   many outputs, or when you want `J u` for one direction.
//! - **Reverse mode** ([`Var::backward_with`], [`Var::jacobian_rev`]) costs one reverse sweep
//!   per *output direction*: use it when there are few outputs, typically a scalar loss with
//!   many parameters.
//!
//! | call | cost |
//! |---|---|
//! | [`Var::jvp`] | one dual pass over the nodes up to the output |
//! | [`Var::jacobian_fwd`] | `ceil(numel(in) / 8)` passes on dual numbers carrying eight tangents |
//! | [`Var::jacobian_rev`] | `numel(out)` reverse sweeps |
//! | [`Var::hessian`] | `numel(in) (numel(in) + 1) / 2` hyper-dual passes (forward-over-forward) |
//! | [`Var::hvp`] | one dual pass and one dual reverse sweep (forward-over-reverse) |
//! | [`Var::hessian2`] | every block over two inputs ([`Hessian2`]): `n (n + 1) / 2` hyper-dual passes, `n = numel(a) + numel(b)` |
//! | [`Var::hvp2`] | over two parameters: one dual pass and one dual reverse sweep |
//! | [`Var::jacobian_fwd2`], [`Var::jacobian_rev2`] | over two inputs: a forward Jacobian each, or `numel(out)` sweeps |
//!
//! The Jacobians and the Hessian also come as `_into` calls ([`Var::jacobian_fwd_into`],
//! [`Var::jacobian_rev_into`], [`Var::hessian_into`]) that overwrite a matrix the caller
//! keeps; their buffers stay with the graph, so on a replayed graph they allocate nothing.
//!
//! [`Var::hessian`] uses only the kernels (hyper-dual numbers carry two tangents and their
//! mixed second derivative), while [`Var::hvp`] runs the reverse sweep, VJP rules included, on
//! dual numbers; their agreement checks the VJP rules' own derivatives.
//!
//! None of these calls touches the parameters' accumulated gradients.
//!
//! This module holds the passes: one dual-number pass ([`Var::jvp`]), one reverse sweep in
//! private buffers, and the two second-order ones. The [`Jacobian`] type and the routines
//! that assemble whole Jacobians from those passes (forward columns, reverse rows, finite
//! differences, and their comparison) live in one place of their own, shared with
//! [`crate::check`], and are re-exported here.
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

pub use crate::jacobian::multi::Hessian2;
pub use crate::jacobian::{ArrayNumel, Jacobian};

use crate::graph::{Graph, IsLeaf, Kind, NodeId, NodeRecord, ReverseInput, Tape, Var};
use crate::reverse::SweepBuffers;
use crate::scalar::{Elem, Float};
use crate::shape::{HessianOutput, HvpOutput, Shape};
use crate::tensor::Tensor;
use crate::workspace::{dual_pass, hessian_entries};
use num_dual::Dual;
use std::fmt;
use std::marker::PhantomData;

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

/// One forward-mode pass ([`dual_pass`]), keeping only the tangent of `output`: `J u` for
/// the directions in `tangents`.
pub(crate) fn jvp_raw<F: Float>(
    tape: &mut Tape<F>,
    output: NodeId,
    tangents: &[(NodeId, &[F])],
) -> Vec<F> {
    dual_pass(tape, output, tangents);
    tape.workspace.dual[tape.nodes[output as usize].range()]
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
    private_sweep(nodes, values, output, seed, at_param);
}

/// What [`private_sweep`] leaves: every node's adjoint laid out like the values, and per
/// node whether the sweep reached it and, if its adjoint is one number everywhere (held as
/// that number, not written out), the number.
pub(crate) struct PrivateSweep<T> {
    /// The adjoints, laid out like the values (a uniform one is not written out).
    pub(crate) adjoints: Vec<T>,
    /// Per node: whether the sweep reached it.
    pub(crate) reached: Vec<bool>,
    /// Per node: its adjoint where that is one number everywhere.
    pub(crate) uniform: Vec<Option<T>>,
}

/// The reverse sweep behind [`vjp_raw`] and the checks' per-node adjoints: from `output`
/// seeded with `seed`, in buffers of its own.
pub(crate) fn private_sweep<F: Float, T: Elem<F>>(
    nodes: &[NodeRecord<F>],
    values: &[T],
    output: NodeId,
    seed: &[T],
    at_param: impl FnMut(usize, &[T]),
) -> PrivateSweep<T> {
    let mut buffers = SweepBuffers::new();
    buffers.sweep_to_params(nodes, values, output, seed, at_param);
    let count = output as usize + 1;
    PrivateSweep {
        reached: (0..count).map(|id| buffers.reached(id)).collect(),
        uniform: (0..count).map(|id| buffers.uniform(id)).collect(),
        adjoints: buffers.adjoints,
    }
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
        // No replay first: the pass computes every value it reads from the leaves.
        let mut tape = self.graph.tape_mut();
        let directions: Vec<(NodeId, &[F])> = tangents
            .iter()
            .map(|t| (t.node, t.direction.as_slice()))
            .collect();
        Tensor::from_vec_unchecked(jvp_raw(&mut tape, self.id, &directions))
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
        S: HessianOutput,
    {
        let mut hessian = Jacobian::zeros();
        self.hessian_into(x, &mut hessian);
        hessian
    }

    /// [`hessian`](Self::hessian) into a matrix the caller keeps (every entry is
    /// overwritten). The hyper-dual buffer stays with the graph, so on a replayed graph this
    /// allocates nothing.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank1<2>>::from([1.0, 2.0]));
    ///     let y = (x * x * x).sum(); // Hessian diag(6 x)
    ///     let mut h = Jacobian::zeros();
    ///     y.hessian_into(x, &mut h);
    ///     assert_eq!(h.to_dmatrix(), nalgebra::dmatrix![6.0, 0.0; 0.0, 12.0]);
    /// });
    /// ```
    pub fn hessian_into<SIn: ArrayNumel, KIn: IsLeaf>(
        &self,
        x: Var<'g, SIn, F, KIn>,
        hessian: &mut Jacobian<SIn, SIn, F>,
    ) where
        S: HessianOutput,
    {
        // No replay first: the passes compute every value they read from the leaves.
        let mut tape = self.graph.tape_mut();
        if x.id > self.id {
            for i in 0..SIn::NUMEL {
                hessian.row_mut(i).fill(F::zero());
            }
            return;
        }
        hessian_entries(&mut tape, self.id, x.id, |i, j, entry| {
            hessian[(i, j)] = entry;
            hessian[(j, i)] = entry;
        });
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
    pub fn hvp<SIn: Shape, KIn: ReverseInput>(
        &self,
        x: Var<'g, SIn, F, KIn>,
        v: &Tensor<SIn, F>,
    ) -> Tensor<SIn, F>
    where
        S: HvpOutput,
    {
        // No replay first: the dual pass computes every value the sweep reads.
        let mut tape = self.graph.tape_mut();
        let mut result = vec![F::zero(); SIn::NUMEL];
        if x.id > self.id {
            return Tensor::from_vec_unchecked(result);
        }
        dual_pass(&mut tape, self.id, &[(x.id, v.as_slice())]);
        let x_offset = tape.nodes[x.id as usize].op.grad_offset();
        let seed = [Dual::new(F::one(), F::zero())];
        let values = &tape.workspace.dual;
        vjp_raw(&tape.nodes, values, self.id, &seed, |offset, adjoint| {
            if offset == x_offset {
                for (r, a) in result.iter_mut().zip(adjoint) {
                    *r = a.eps;
                }
            }
        });
        Tensor::from_vec_unchecked(result)
    }
}
