//! Derivatives over two inputs at once: the Hessian of a scalar over a pair of parameters,
//! every block including the cross terms (JAX's `hessian(f, argnums=(0, 1))`), its
//! Hessian-vector product, and Jacobians over a pair of leaves.
//!
//! Each block is a typed [`Jacobian`] over its two shapes, so the shapes of the two inputs may
//! differ. The blocks are what packing both inputs into one vector parameter and slicing it
//! would give, without changing the graph: the Hessian comes from hyper-dual passes over the
//! packed index pairs (forward-over-forward, no VJP rule involved), the Hessian-vector
//! product from one dual pass and one dual reverse sweep (forward-over-reverse).

use super::{ArrayNumel, Jacobian};
use crate::forward::{end_of, vjp_raw};
use crate::graph::{IsLeaf, Kind, NodeId, ReverseInput, Tape, Var, evaluate};
use crate::scalar::Float;
use crate::shape::{HessianOutput, HvpOutput, Shape};
use crate::tensor::Tensor;
use crate::workspace::{dual_pass, reverse_rows};
use num_dual::{Dual, HyperDual};

/// The Hessian of a scalar `f(a, b)` over two inputs, as four typed blocks:
/// `aa = ∂²f/∂a²`, `ab = ∂²f/∂a∂b` (rows over `a`, columns over `b`), `ba = abᵀ` and
/// `bb = ∂²f/∂b²`. Made by [`Var::hessian2`].
///
/// ```
/// use tygrad::prelude::*;
/// Graph::with(|g| {
///     let a = g.param(Tensor::<Rank0>::from(2.0));
///     let b = g.param(Tensor::<Rank1<2>>::from([1.0, 3.0]));
///     let f = a * a * b.sum();                     // ∂²f/∂a∂b_j = 2 a
///     let h = f.hessian2(a, b);
///     assert_eq!(h.aa[(0, 0)], 8.0);               // 2 Σ b
///     assert_eq!(h.ab.row(0), &[4.0, 4.0]);
///     assert_eq!(h.ba[(1, 0)], 4.0);
///     assert_eq!(h.bb.max_abs(), 0.0);
/// });
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Hessian2<A: ArrayNumel, B: ArrayNumel, F: Float = f64> {
    /// `∂²f / ∂a ∂a`.
    pub aa: Jacobian<A, A, F>,
    /// `∂²f / ∂a ∂b`: row `i` over `a`'s elements, column `j` over `b`'s.
    pub ab: Jacobian<A, B, F>,
    /// `∂²f / ∂b ∂a`, the transpose of `ab`.
    pub ba: Jacobian<B, A, F>,
    /// `∂²f / ∂b ∂b`.
    pub bb: Jacobian<B, B, F>,
}

impl<A: ArrayNumel, B: ArrayNumel, F: Float> Hessian2<A, B, F> {
    /// The whole Hessian over the packed vector `(a, b)` (row-major elements of `a`, then of
    /// `b`): `[[aa, ab], [ba, bb]]`, `(numel(a) + numel(b))` square.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let a = g.param(Tensor::<Rank0>::from(1.0));
    ///     let b = g.param(Tensor::<Rank0>::from(2.0));
    ///     let h = (a * b).hessian2(a, b).to_dmatrix();
    ///     assert_eq!(h, nalgebra::dmatrix![0.0, 1.0; 1.0, 0.0]);
    /// });
    /// ```
    pub fn to_dmatrix(&self) -> nalgebra::DMatrix<F> {
        let (na, nb) = (A::NUMEL, B::NUMEL);
        nalgebra::DMatrix::from_fn(na + nb, na + nb, |i, j| match (i < na, j < na) {
            (true, true) => self.aa[(i, j)],
            (true, false) => self.ab[(i, j - na)],
            (false, true) => self.ba[(i - na, j)],
            (false, false) => self.bb[(i - na, j - na)],
        })
    }
}

/// The packed Hessian of `output` over the elements of `leaves` (in order, row-major), by
/// hyper-dual passes over the pairs `i <= j`: `n × n` entries, row-major. A leaf recorded
/// after `output` cannot influence it: its rows and columns are zero.
fn packed_hessian<F: Float>(tape: &Tape<F>, output: NodeId, leaves: &[NodeId]) -> (usize, Vec<F>) {
    // Where packed element k lives in the value buffer, if it can move the output.
    let positions: Vec<Option<usize>> = leaves
        .iter()
        .flat_map(|&leaf| {
            let range = tape.nodes[leaf as usize].range();
            let live = leaf <= output;
            range.map(move |p| live.then_some(p))
        })
        .collect();
    let n = positions.len();
    let mut hessian = vec![F::zero(); n * n];
    let end = end_of(&tape.nodes, output);
    let mut values: Vec<HyperDual<F>> = tape.values[..end]
        .iter()
        .map(|&v| HyperDual::from_re(v))
        .collect();
    let out = tape.nodes[output as usize].offset;
    for i in 0..n {
        let Some(pi) = positions[i] else { continue };
        for j in i..n {
            let Some(pj) = positions[j] else { continue };
            values[pi].eps1 = F::one();
            values[pj].eps2 = F::one();
            evaluate(&tape.nodes[..=output as usize], &mut values);
            let second = values[out].eps1eps2;
            hessian[i * n + j] = second;
            hessian[j * n + i] = second;
            values[pi].eps1 = F::zero();
            values[pj].eps2 = F::zero();
        }
    }
    (n, hessian)
}

/// The block of rows `rows..` and columns `cols..` of a packed `n × n` matrix, typed.
fn block<R: ArrayNumel, C: ArrayNumel, F: Float>(
    packed: &[F],
    n: usize,
    rows: usize,
    cols: usize,
) -> Jacobian<R, C, F> {
    Jacobian::from_rows(|i, row| {
        let start = (rows + i) * n + cols;
        row.copy_from_slice(&packed[start..start + C::NUMEL]);
    })
}

impl<'g, S: Shape, F: Float, K: Kind> Var<'g, S, F, K> {
    /// The Hessian of this scalar over two leaves `a` and `b`, every block including the
    /// cross terms ([`Hessian2`]), by forward-over-forward mode: one hyper-dual pass per pair
    /// of packed elements `i <= j`, `n (n + 1) / 2` passes for `n = numel(a) + numel(b)`. The
    /// result is the Hessian of the packed formulation (one vector parameter sliced into `a`
    /// and `b`); the graph and the gradients are untouched.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let w = g.param(Tensor::<Rank1<2>>::from([1.0, 2.0]));
    ///     let x = g.constant(Tensor::<Rank1<2>>::from([3.0, 4.0]));
    ///     let loss = (w * x).sum().square();            // (w · x)²
    ///     let h = loss.hessian2(w, x);
    ///     assert_eq!(h.aa.row(0), &[18.0, 24.0]);       // 2 x xᵀ
    ///     // ∂²/∂w_i∂x_j = 2 (x_i w_j + δ_ij (w · x)), with w · x = 11
    ///     assert_eq!(h.ab.row(0), &[2.0 * (3.0 + 11.0), 2.0 * 3.0 * 2.0]);
    /// });
    /// ```
    pub fn hessian2<A: ArrayNumel, B: ArrayNumel, KA: IsLeaf, KB: IsLeaf>(
        &self,
        a: Var<'g, A, F, KA>,
        b: Var<'g, B, F, KB>,
    ) -> Hessian2<A, B, F>
    where
        S: HessianOutput,
    {
        let tape = self.graph.fresh_tape_for(self.id);
        let (n, packed) = packed_hessian(&tape, self.id, &[a.id, b.id]);
        let na = A::NUMEL;
        Hessian2 {
            aa: block(&packed, n, 0, 0),
            ab: block(&packed, n, 0, na),
            ba: block(&packed, n, na, 0),
            bb: block(&packed, n, na, na),
        }
    }

    /// The Hessian-vector product of this scalar over two parameters:
    /// `(aa va + ab vb, ba va + bb vb)`, by forward-over-reverse mode (one dual pass with the
    /// tangents `va` at `a` and `vb` at `b`, then the reverse sweep on dual numbers), about
    /// two backward calls whatever the sizes. The gradients are untouched.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let a = g.param(Tensor::<Rank0>::from(2.0));
    ///     let b = g.param(Tensor::<Rank1<2>>::from([1.0, 3.0]));
    ///     let f = a * a * b.sum();
    ///     let (ha, hb) = f.hvp2(a, b, &Tensor::from(1.0), &Tensor::from([0.0, 1.0]));
    ///     assert_eq!(ha.item(), 8.0 + 4.0);              // aa · 1 + ab · (0, 1)
    ///     assert_eq!(hb.as_slice(), &[4.0, 4.0]);        // ba · 1 + bb · (0, 1)
    /// });
    /// ```
    pub fn hvp2<A: Shape, B: Shape, KA: ReverseInput, KB: ReverseInput>(
        &self,
        a: Var<'g, A, F, KA>,
        b: Var<'g, B, F, KB>,
        va: &Tensor<A, F>,
        vb: &Tensor<B, F>,
    ) -> (Tensor<A, F>, Tensor<B, F>)
    where
        S: HvpOutput,
    {
        // No replay first: the dual pass computes every value the sweep reads.
        let mut tape = self.graph.tape_mut();
        let (mut ha, mut hb) = (vec![F::zero(); A::NUMEL], vec![F::zero(); B::NUMEL]);
        dual_pass(
            &mut tape,
            self.id,
            &[(a.id, va.as_slice()), (b.id, vb.as_slice())],
        );
        let offsets = [a.id, b.id].map(|id| tape.nodes[id as usize].op.grad_offset());
        let seed = [Dual::new(F::one(), F::zero())];
        let values = &tape.workspace.dual;
        vjp_raw(&tape.nodes, values, self.id, &seed, |offset, adjoint| {
            for (k, out) in [&mut ha, &mut hb].into_iter().enumerate() {
                if offset == offsets[k] {
                    for (h, d) in out.iter_mut().zip(adjoint) {
                        *h = d.eps;
                    }
                }
            }
        });
        (
            Tensor::from_vec_unchecked(ha),
            Tensor::from_vec_unchecked(hb),
        )
    }

    /// The Jacobians `(d self / d a, d self / d b)` over two leaves, by forward mode: one
    /// pass on eight-tangent dual numbers per eight elements of `a`, and of `b`.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let a = g.param(Tensor::<Rank1<2>>::from([1.0, 2.0]));
    ///     let b = g.constant(Tensor::<Rank0>::from(3.0));
    ///     let y = a * b.broadcast();                            // a scaled by b
    ///     let (ja, jb) = y.jacobian_fwd2(a, b);
    ///     assert_eq!(ja.row(1), &[0.0, 3.0]);
    ///     assert_eq!((jb[(0, 0)], jb[(1, 0)]), (1.0, 2.0));
    /// });
    /// ```
    pub fn jacobian_fwd2<A: ArrayNumel, B: ArrayNumel, KA: IsLeaf, KB: IsLeaf>(
        &self,
        a: Var<'g, A, F, KA>,
        b: Var<'g, B, F, KB>,
    ) -> (Jacobian<S, A, F>, Jacobian<S, B, F>)
    where
        S: ArrayNumel,
    {
        (self.jacobian_fwd(a), self.jacobian_fwd(b))
    }

    /// The Jacobians `(d self / d a, d self / d b)` over two parameters, by reverse mode: one
    /// reverse sweep per output element gives the rows of both.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let a = g.param(Tensor::<Rank1<2>>::from([1.0, 2.0]));
    ///     let b = g.param(Tensor::<Rank0>::from(3.0));
    ///     let y = a * b.broadcast();
    ///     let (ja, jb) = y.jacobian_rev2(a, b);
    ///     assert_eq!(ja, y.jacobian_fwd(a));
    ///     assert_eq!(jb.to_dmatrix(), nalgebra::dmatrix![1.0; 2.0]);
    /// });
    /// ```
    pub fn jacobian_rev2<A: ArrayNumel, B: ArrayNumel, KA: ReverseInput, KB: ReverseInput>(
        &self,
        a: Var<'g, A, F, KA>,
        b: Var<'g, B, F, KB>,
    ) -> (Jacobian<S, A, F>, Jacobian<S, B, F>)
    where
        S: ArrayNumel,
    {
        let mut tape = self.graph.fresh_tape_mut_for(self.id);
        let offsets = [a.id, b.id].map(|id| tape.nodes[id as usize].op.grad_offset());
        let (mut ja, mut jb) = (Jacobian::<S, A, F>::zeros(), Jacobian::<S, B, F>::zeros());
        reverse_rows(&mut tape, self.id, |i, offset, adjoint| {
            if offset == offsets[0] {
                ja.row_mut(i).copy_from_slice(adjoint);
            }
            if offset == offsets[1] {
                jb.row_mut(i).copy_from_slice(adjoint);
            }
        });
        (ja, jb)
    }
}
