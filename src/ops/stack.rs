//! Building tensors from nodes and taking them apart: [`stack`] of scalars into a vector
//! (or of rows into a matrix), [`unstack`](Var::unstack) back into an array of handles, and
//! element, row and column access on matrices.
//!
//! Shape rules:
//! - `stack([Var<Rank0>; N]) -> Rank1<N>`, `stack([Var<Rank1<C>>; N]) -> Rank2<N, C>`,
//!   `stack([Var<Rank2<R, C>>; N]) -> Rank3<N, R, C>` (see [`Stack`]);
//! - `Rank1<N>.unstack() -> [Var<Rank0>; N]`, `Rank2<M, N>.unstack() -> [Var<Rank1<N>>; M]`;
//! - `Rank1<N>.head::<M>()`, `.tail::<M>() -> Rank1<M>` (`M <= N`), `.diff::<M>() -> Rank1<M>`
//!   and `.pairs::<M>() -> (Rank1<M>, Rank1<M>)` (`M + 1 == N`, see [`OneShorter`]);
//! - `Rank2<M, N>.get::<I, J>() -> Rank0` (`I < M`, `J < N`), `.row::<I>() -> Rank1<N>`,
//!   `.col::<J>() -> Rank1<M>`, `.cols::<START, LEN>() -> Rank2<M, LEN>`, every index
//!   checked at compile time through typenum.
//!
//! A stack of `N` inputs is a balanced tree of `N - 1` joins (each op takes at most two
//! inputs), so its values take `N log N` elements, not `N²`; every join is labelled
//! `StackBackward`. The VJP of a join hands each input its part of the adjoint; that of a
//! column selection adds the adjoint back into the selected columns.

use super::slice::Select;
use super::{GradWrite, Op, Rule, VjpIn};
use crate::graph::{Kind, NodeId, Var};
use crate::scalar::{Elem, Float};
use crate::shape::{IndexInBounds, OneShorter, Rank0, Rank1, Rank2, SliceInBounds, Stack};

/// A join of a stack's tree, or a selection of columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Assemble {
    /// `[a, b]` (or `a` alone, with one input), where `a` has `first_len` elements.
    Join { first_len: usize },
    /// Columns `start..start + len` of a row-major matrix with `n` columns.
    Columns { start: usize, len: usize, n: usize },
    /// Neighbour differences of a vector: `out[i] = x[i + 1] - x[i]`.
    Diff,
}

impl<F: Float> Rule<F> for Assemble {
    fn label(&self) -> &'static str {
        match self {
            Self::Join { .. } => "StackBackward",
            Self::Columns { .. } => "ColumnsBackward",
            Self::Diff => "DiffBackward",
        }
    }

    #[inline]
    fn eval<T: Elem<F>>(&self, inputs: &[&[T]], out: &mut [T]) {
        match *self {
            Self::Join { first_len } => {
                let (first, second) = out.split_at_mut(first_len);
                first.copy_from_slice(inputs[0]);
                if let Some(b) = inputs.get(1) {
                    second.copy_from_slice(b);
                }
            }
            Self::Columns { start, len, n } => {
                for (o_row, x_row) in out.chunks_exact_mut(len).zip(inputs[0].chunks_exact(n)) {
                    o_row.copy_from_slice(&x_row[start..start + len]);
                }
            }
            Self::Diff => {
                for (o, pair) in out.iter_mut().zip(inputs[0].windows(2)) {
                    *o = pair[1] - pair[0];
                }
            }
        }
    }

    #[inline]
    fn vjp<T: Elem<F>>(&self, k: usize, at: VjpIn<'_, T>, grad_in: &mut [T], write: GradWrite) {
        let VjpIn { grad_out, .. } = at;
        match *self {
            Self::Join { first_len } => {
                let (first, second) = grad_out.split_at(first_len);
                write.map(if k == 0 { first } else { second }, grad_in, |g| g);
            }
            Self::Columns { start, len, n } => {
                write.prepare(grad_in);
                for (g_row, gi_row) in grad_out.chunks_exact(len).zip(grad_in.chunks_exact_mut(n)) {
                    for (gi, &g) in gi_row[start..start + len].iter_mut().zip(g_row) {
                        *gi += g;
                    }
                }
            }
            Self::Diff => {
                write.prepare(grad_in);
                for (i, &g) in grad_out.iter().enumerate() {
                    grad_in[i] -= g;
                    grad_in[i + 1] += g;
                }
            }
        }
    }
}

/// Stacks `N` nodes of one shape along a new first axis: scalars into a vector, vectors into
/// the rows of a matrix (NumPy's `np.stack`). The gradient of each input is its part of the
/// output's gradient. `N` must be at least 1 (checked when the code is built).
///
/// ```
/// use tygrad::prelude::*;
/// Graph::with(|g| {
///     let q = g.param(Tensor::<Rank0>::from(0.5));
///     let (s, c) = q.sin_cos();
///     let zero = g.constant(Tensor::<Rank0>::from(0.0));
///     // A rotation about z, one row at a time.
///     let r = stack([stack([c, -s, zero.node()]), stack([s, c, zero.node()]), stack([zero.node(), zero.node(), zero + 1.0])]);
///     assert_eq!(r.value()[[1, 0]], 0.5f64.sin());
///     r.sum().backward();
///     assert!((q.grad().item() - (-2.0 * 0.5f64.sin())).abs() < 1e-15);
///     let v: Var<Rank1<2>> = stack([q.node(), c]);
///     assert_eq!(v.grad_fn(), Some("StackBackward"));
/// });
/// ```
#[track_caller]
pub fn stack<'g, S: Stack, F: Float, K: Kind, const N: usize>(
    items: [Var<'g, S, F, K>; N],
) -> Var<'g, S::Stacked<N>, F> {
    const { assert!(N > 0, "`stack` needs at least one node") };
    let graph = items[0].graph;
    // Each entry: a node and its element count. Pairs are joined level by level.
    let mut level: Vec<(NodeId, usize)> = items.iter().map(|v| (v.id, S::NUMEL)).collect();
    while level.len() > 2 {
        level = level
            .chunks(2)
            .map(|pair| match *pair {
                [(a, a_len), (b, b_len)] => {
                    let op = Op::Assemble(Assemble::Join { first_len: a_len });
                    (graph.push_flat(op, &[a, b], a_len + b_len), a_len + b_len)
                }
                [single] => single,
                _ => unreachable!("chunks of two"),
            })
            .collect();
    }
    let first_len = level[0].1;
    let ids: Vec<NodeId> = level.iter().map(|&(id, _)| id).collect();
    graph.push(Op::Assemble(Assemble::Join { first_len }), &ids)
}

impl<'g, const N: usize, F: Float, K: Kind> Var<'g, Rank1<N>, F, K> {
    /// The elements of this vector as `N` scalar nodes (the inverse of [`stack`]).
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let q = g.param(Tensor::<Rank1<3>>::from([1.0, 2.0, 3.0]));
    ///     let [a, b, c] = q.unstack();
    ///     let y = a * b * c;
    ///     y.backward();
    ///     assert_eq!(y.item(), 6.0);
    ///     assert_eq!(q.grad().as_slice(), &[6.0, 3.0, 2.0]);
    /// });
    /// ```
    pub fn unstack(self) -> [Var<'g, Rank0, F>; N] {
        std::array::from_fn(|index| {
            let op = Op::Select(Select::Get { index });
            self.graph.push(op, &[self.id])
        })
    }

    /// The first `M` elements (`x[..M]`); `M` past the length does not compile.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank1<3>>::from([1.0, 2.0, 3.0]));
    ///     let h = x.head::<2>();
    ///     assert_eq!(h.value().as_slice(), &[1.0, 2.0]);
    ///     h.sum().backward();
    ///     assert_eq!(x.grad().as_slice(), &[1.0, 1.0, 0.0]);
    /// });
    /// ```
    pub fn head<const M: usize>(self) -> Var<'g, Rank1<M>, F>
    where
        Rank1<N>: SliceInBounds<0, M>,
    {
        let op = Op::Select(Select::Slice { start: 0 });
        self.graph.push(op, &[self.id])
    }

    /// The last `M` elements (`x[N - M..]`); `M` past the length does not compile.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank1<3>>::from([1.0, 2.0, 3.0]));
    ///     let t = x.tail::<2>();
    ///     assert_eq!(t.value().as_slice(), &[2.0, 3.0]);
    ///     t.sum().backward();
    ///     assert_eq!(x.grad().as_slice(), &[0.0, 1.0, 1.0]);
    /// });
    /// ```
    pub fn tail<const M: usize>(self) -> Var<'g, Rank1<M>, F>
    where
        Rank1<N>: SliceInBounds<0, M>,
    {
        let op = Op::Select(Select::Slice { start: N - M });
        self.graph.push(op, &[self.id])
    }

    /// The neighbour differences `x[i + 1] - x[i]`, a vector of `M = N - 1`, in one node.
    /// `M` is pinned by the type ([`OneShorter`]): a wrong `M` does not compile, and in
    /// concrete code it is inferred from where the result goes.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// // A neighbour term generic over the length: one where-clause, and `M` is checked.
    /// fn roughness<'g, const N: usize, const M: usize>(x: Var<'g, Rank1<N>>) -> Var<'g, Rank0>
    /// where
    ///     Rank1<N>: OneShorter<M>,
    /// {
    ///     x.diff::<M>().square().sum()
    /// }
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank1<3>>::from([1.0, 2.0, 4.0]));
    ///     let r = roughness::<3, 2>(x.node());
    ///     assert_eq!(r.item(), 5.0);
    ///     r.backward();
    ///     assert_eq!(x.grad().as_slice(), &[-2.0, 2.0 - 4.0, 4.0]);
    /// });
    /// ```
    ///
    /// ```compile_fail
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank1<5>>::zeros());
    ///     let _ = x.diff::<3>(); // error: `Rank1<3>` is not one element shorter than `Rank1<5>`
    /// });
    /// ```
    pub fn diff<const M: usize>(self) -> Var<'g, Rank1<M>, F>
    where
        Rank1<N>: OneShorter<M>,
    {
        self.graph.push(Op::Assemble(Assemble::Diff), &[self.id])
    }

    /// The neighbour pairs as two vectors of `M = N - 1`: `(x[..M], x[1..])`, for a
    /// neighbour term other than a difference (`M` checked as for [`Var::diff`]).
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank1<3>>::from([1.0, 2.0, 4.0]));
    ///     let (left, right): (Var<Rank1<2>>, _) = x.pairs();
    ///     let y = (left * right).sum(); // 1·2 + 2·4
    ///     assert_eq!(y.item(), 10.0);
    ///     y.backward();
    ///     assert_eq!(x.grad().as_slice(), &[2.0, 1.0 + 4.0, 2.0]);
    /// });
    /// ```
    pub fn pairs<const M: usize>(self) -> (Var<'g, Rank1<M>, F>, Var<'g, Rank1<M>, F>)
    where
        Rank1<N>: OneShorter<M>,
    {
        let part = |start| {
            let op = Op::Select(Select::Slice { start });
            self.graph.push(op, &[self.id])
        };
        (part(0), part(1))
    }
}

impl<'g, const M: usize, const N: usize, F: Float, K: Kind> Var<'g, Rank2<M, N>, F, K> {
    /// The rows of this matrix as `M` vector nodes (the inverse of [`stack`]).
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank2<2, 2>>::from([[1.0, 2.0], [3.0, 4.0]]));
    ///     let [top, bottom] = x.unstack();
    ///     assert_eq!(bottom.value().as_slice(), &[3.0, 4.0]);
    ///     top.dot(bottom).backward();
    ///     assert_eq!(x.grad(), Tensor::from([[3.0, 4.0], [1.0, 2.0]]));
    /// });
    /// ```
    pub fn unstack(self) -> [Var<'g, Rank1<N>, F>; M] {
        std::array::from_fn(|i| {
            let op = Op::Select(Select::SliceRows { start: i * N });
            self.graph.push(op, &[self.id])
        })
    }

    /// Element `(I, J)` as a scalar node; an index past either axis does not compile.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank2<2, 3>>::from([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]));
    ///     let e = x.get::<1, 2>();
    ///     e.backward();
    ///     assert_eq!(e.item(), 6.0);
    ///     assert_eq!(x.grad(), Tensor::from([[0.0, 0.0, 0.0], [0.0, 0.0, 1.0]]));
    /// });
    /// ```
    ///
    /// ```compile_fail
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank2<2, 3>>::zeros());
    ///     let _ = x.get::<2, 0>(); // error: index 2 is out of bounds for `Rank1<2>`
    /// });
    /// ```
    pub fn get<const I: usize, const J: usize>(self) -> Var<'g, Rank0, F>
    where
        Rank1<M>: IndexInBounds<I>,
        Rank1<N>: IndexInBounds<J>,
    {
        let op = Op::Select(Select::Get { index: I * N + J });
        self.graph.push(op, &[self.id])
    }

    /// Row `I` as a vector node; a row past the last does not compile.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank2<2, 2>>::from([[1.0, 2.0], [3.0, 4.0]]));
    ///     let r = x.row::<1>();
    ///     assert_eq!(r.value().as_slice(), &[3.0, 4.0]);
    ///     r.sum().backward();
    ///     assert_eq!(x.grad(), Tensor::from([[0.0, 0.0], [1.0, 1.0]]));
    /// });
    /// ```
    pub fn row<const I: usize>(self) -> Var<'g, Rank1<N>, F>
    where
        Rank1<M>: IndexInBounds<I>,
    {
        let op = Op::Select(Select::SliceRows { start: I * N });
        self.graph.push(op, &[self.id])
    }

    /// Column `J` as a vector node; a column past the last does not compile.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank2<2, 3>>::from([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]));
    ///     let c = x.col::<2>();
    ///     assert_eq!(c.value().as_slice(), &[3.0, 6.0]);
    ///     c.backward_with(&Tensor::from([10.0, 20.0]));
    ///     assert_eq!(x.grad(), Tensor::from([[0.0, 0.0, 10.0], [0.0, 0.0, 20.0]]));
    /// });
    /// ```
    pub fn col<const J: usize>(self) -> Var<'g, Rank1<M>, F>
    where
        Rank1<N>: IndexInBounds<J>,
    {
        let op = Assemble::Columns {
            start: J,
            len: 1,
            n: N,
        };
        self.graph.push(Op::Assemble(op), &[self.id])
    }

    /// Columns `START..START + LEN` as an `M x LEN` matrix; a range past the last column
    /// does not compile.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank2<2, 3>>::from([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]));
    ///     let c = x.cols::<1, 2>();
    ///     assert_eq!(c.value(), Tensor::from([[2.0, 3.0], [5.0, 6.0]]));
    ///     c.sum().backward();
    ///     assert_eq!(x.grad(), Tensor::from([[0.0, 1.0, 1.0], [0.0, 1.0, 1.0]]));
    /// });
    /// ```
    pub fn cols<const START: usize, const LEN: usize>(self) -> Var<'g, Rank2<M, LEN>, F>
    where
        Rank1<N>: SliceInBounds<START, LEN>,
    {
        let op = Assemble::Columns {
            start: START,
            len: LEN,
            n: N,
        };
        self.graph.push(Op::Assemble(op), &[self.id])
    }
}
