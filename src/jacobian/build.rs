//! The three ways to build a [`Jacobian`] of a recorded graph, and their cross-check.
//!
//! Forward mode fills it column by column (one dual pass per input element), reverse mode
//! row by row (one reverse sweep per output element), central finite differences column by
//! column from plain forward passes; [`Var::check_jacobians`] compares the three entry by
//! entry. The passes themselves are [`crate::forward`]'s; this file only shapes their
//! results into Jacobians, through `Jacobian::from_columns` and `Jacobian::from_rows`.

use super::{ArrayNumel, Jacobian};
use crate::check::Tolerances;
use crate::forward::end_of;
use crate::graph::{IsLeaf, IsParam, Kind, ReverseInput, Var, evaluate};
use crate::scalar::Float;
use crate::shape::Shape;
use crate::workspace::{forward_columns, reverse_rows};

/// Relative agreement of the Jacobians of the three witnesses, from [`Var::check_jacobians`].
///
/// ```
/// use tygrad::prelude::*;
/// Graph::with(|g| {
///     let x = g.param(Tensor::<Rank1<2>>::from([0.5, 1.5]));
///     let check = x.exp().check_jacobians(x);
///     assert!(check.passed, "{check:?}");
/// });
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct JacobianCheck {
    /// [`Jacobian::relative_error`] between forward and reverse mode.
    pub forward_vs_reverse: f64,
    /// [`Jacobian::fd_error`] between forward mode and central finite differences.
    pub forward_vs_finite_differences: f64,
    /// The tolerances used.
    pub tolerances: Tolerances,
    /// Whether both errors are within their tolerances.
    pub passed: bool,
}

impl<'g, S: Shape, F: Float, K: Kind> Var<'g, S, F, K> {
    /// The Jacobian `d self / d x` by forward mode: dual numbers carrying
    /// [`TANGENTS`](crate::scalar::TANGENTS) (eight) tangents at once, so one pass through the
    /// kernels per eight elements of `x` (cheap when `x` is small: one pass for a 7-joint
    /// arm; a one-tangent pass when `x` has one element). `x` can be any leaf.
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
        let mut jacobian = Jacobian::zeros();
        self.jacobian_fwd_into(x, &mut jacobian);
        jacobian
    }

    /// [`jacobian_fwd`](Self::jacobian_fwd) into a Jacobian the caller keeps (every entry
    /// is overwritten). Its buffers stay with the graph, so on a replayed graph this
    /// allocates nothing.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let q = g.param(Tensor::<Rank1<2>>::from([0.0, 1.0]));
    ///     let p = q.sin() * 2.0;
    ///     let mut j = Jacobian::zeros();
    ///     for angle in [0.0, 0.5] {
    ///         q.set_value(&Tensor::from([angle, 1.0]));
    ///         p.jacobian_fwd_into(q, &mut j);
    ///         assert_eq!(j[(0, 0)], 2.0 * f64::cos(angle));
    ///         assert_eq!(j[(0, 1)], 0.0);
    ///     }
    /// });
    /// ```
    pub fn jacobian_fwd_into<SIn: ArrayNumel, KIn: IsLeaf>(
        &self,
        x: Var<'g, SIn, F, KIn>,
        jacobian: &mut Jacobian<S, SIn, F>,
    ) where
        S: ArrayNumel,
    {
        // No replay first: the pass computes every value it reads from the leaves, which
        // are always current.
        let mut tape = self.graph.tape_mut();
        forward_columns(&mut tape, self.id, x.id, |row, column, entry| {
            jacobian[(row, column)] = entry
        });
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
    pub fn jacobian_rev<SIn: ArrayNumel, KIn: ReverseInput>(
        &self,
        x: Var<'g, SIn, F, KIn>,
    ) -> Jacobian<S, SIn, F>
    where
        S: ArrayNumel,
    {
        let mut jacobian = Jacobian::zeros();
        self.jacobian_rev_into(x, &mut jacobian);
        jacobian
    }

    /// [`jacobian_rev`](Self::jacobian_rev) into a Jacobian the caller keeps (every entry
    /// is overwritten). The sweeps' buffers stay with the graph, so on a replayed graph this
    /// allocates nothing.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank1<2>>::from([1.0, 2.0]));
    ///     let y = (x * x).sum();
    ///     let mut j = Jacobian::zeros();
    ///     y.jacobian_rev_into(x, &mut j);
    ///     assert_eq!(j.row(0), &[2.0, 4.0]);
    ///     x.set_value(&Tensor::from([3.0, -1.0]));
    ///     y.jacobian_rev_into(x, &mut j);
    ///     assert_eq!(j.row(0), &[6.0, -2.0]);
    /// });
    /// ```
    pub fn jacobian_rev_into<SIn: ArrayNumel, KIn: ReverseInput>(
        &self,
        x: Var<'g, SIn, F, KIn>,
        jacobian: &mut Jacobian<S, SIn, F>,
    ) where
        S: ArrayNumel,
    {
        let mut tape = self.graph.fresh_tape_mut_for(self.id);
        let x_offset = tape.nodes[x.id as usize].op.grad_offset();
        // A row stays zero if its sweep never reaches `x`.
        for i in 0..S::NUMEL {
            jacobian.row_mut(i).fill(F::zero());
        }
        reverse_rows(&mut tape, self.id, |i, offset, adjoint| {
            if offset == x_offset {
                jacobian.row_mut(i).copy_from_slice(adjoint);
            }
        });
    }

    /// The Jacobian `d self / d x` by central finite differences, from the kernels' values
    /// alone: `2 numel(x)` plain forward passes with step `h = ε^(1/3) max(1, |x_j|)`
    /// (accurate to about `ε^(2/3)`, `1e-10` relative for `f64` on smooth functions; wrong
    /// near kinks). Nothing in the graph changes.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank1<2>>::from([0.3, 0.8]));
    ///     let y = x.sin();
    ///     let fd = y.jacobian_fd(x);
    ///     assert!(fd.relative_error(&y.jacobian_fwd(x)) < 1e-6);
    /// });
    /// ```
    pub fn jacobian_fd<SIn: ArrayNumel, KIn: IsLeaf>(
        &self,
        x: Var<'g, SIn, F, KIn>,
    ) -> Jacobian<S, SIn, F>
    where
        S: ArrayNumel,
    {
        let tape = self.graph.fresh_tape_for(self.id);
        if x.id > self.id {
            return Jacobian::zeros();
        }
        let end = end_of(&tape.nodes, self.id);
        let nodes = &tape.nodes[..=self.id as usize];
        let out = tape.nodes[self.id as usize].range();
        let start = tape.nodes[x.id as usize].offset;
        let cube_root_eps = num_traits::Float::cbrt(<F as num_traits::Float>::epsilon());
        let mut values = tape.values[..end].to_vec();
        Jacobian::from_columns(|j| {
            let xj = tape.values[start + j];
            let h = cube_root_eps * num_traits::Float::max(F::one(), num_traits::Float::abs(xj));
            let (up, down) = (xj + h, xj - h);
            values[start + j] = up;
            evaluate(nodes, &mut values);
            let plus = values[out.clone()].to_vec();
            values[start + j] = down;
            evaluate(nodes, &mut values);
            // The step actually taken, after rounding `xj ± h`.
            let step = up - down;
            let column: Vec<F> = plus
                .iter()
                .zip(&values[out.clone()])
                .map(|(&p, &m)| (p - m) / step)
                .collect();
            values[start + j] = xj;
            column
        })
    }

    /// The three witnesses on `d self / d x`: forward mode against reverse mode, and forward
    /// mode against central finite differences, each within the default
    /// [`Tolerances`] for `F`. Costs `numel(x)` dual passes, `numel(self)` reverse sweeps and
    /// `2 numel(x)` plain passes.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank2<2, 2>>::from([[0.5, 1.0], [1.5, 2.0]]));
    ///     let check = x.matmul(x).sigmoid().check_jacobians(x);
    ///     assert!(check.passed, "{check:?}");
    /// });
    /// ```
    pub fn check_jacobians<SIn: ArrayNumel, KIn: IsParam + IsLeaf>(
        &self,
        x: Var<'g, SIn, F, KIn>,
    ) -> JacobianCheck
    where
        S: ArrayNumel,
    {
        let tolerances = Tolerances::of::<F>();
        let forward = self.jacobian_fwd(x);
        let forward_vs_reverse = forward.relative_error(&self.jacobian_rev(x));
        let forward_vs_finite_differences = forward.fd_error(&self.jacobian_fd(x));
        JacobianCheck {
            forward_vs_reverse,
            forward_vs_finite_differences,
            tolerances,
            passed: forward_vs_reverse <= tolerances.forward_vs_reverse
                && forward_vs_finite_differences <= tolerances.finite_differences,
        }
    }
}
