//! Explicit broadcasting: a scalar to any shape, a row or a column vector to a matrix.
//!
//! Shape rules: `Rank0 -> S`; `Rank1<N> -> Rank2<M, N>` (the row repeated `M` times);
//! `Rank1<M> -> Rank2<M, N>` (the column repeated `N` times); and the fused bias add
//! `Rank2<M, N> + Rank1<N> -> Rank2<M, N>`; a scalar node with a node of any shape
//! (`s.times(x)`, `s.plus(x)`, `s.minus(x)`, `x.minus_scalar(s)`: `Rank0 (op) S -> S`). Nothing broadcasts implicitly: the binary ops
//! want equal shapes, and these ops say which axis is repeated. The target's size is a type
//! parameter, usually inferred from where the result goes.
//!
//! The VJP of a broadcast sums the output's adjoint over the repeated axis.

use super::{GradWrite, Op, Rule, VjpIn};
use crate::graph::{Kind, Var};
use crate::scalar::{Elem, Float};
use crate::shape::{Rank0, Rank1, Rank2, Shape};

/// A broadcast, with the dims it was recorded with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Broadcast {
    /// One element repeated over the whole output.
    Scalar,
    /// A row of `n` repeated as rows: `out[i, j] = x[j]`.
    Rows { n: usize },
    /// A column repeated as `n` columns: `out[i, j] = x[i]`.
    Cols { n: usize },
    /// `out[i, j] = a[i, j] + b[j]`: a matrix plus a row (bias add), one node.
    AddRow { n: usize },
    /// A tensor and a scalar node: `out[i] = x[i] (op) s`, inputs `(x, s)`.
    WithScalar(ScalarArith),
}

/// The arithmetic of a tensor node `x` with a scalar node `s` ([`Broadcast::WithScalar`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ScalarArith {
    /// `s * x`.
    Mul,
    /// `s + x`.
    Add,
    /// `s - x`.
    Sub,
    /// `x - s`.
    SubFrom,
}

impl<F: Float> Rule<F> for Broadcast {
    fn label(&self) -> &'static str {
        match self {
            Self::Scalar => "BroadcastScalarBackward",
            Self::Rows { .. } => "BroadcastRowsBackward",
            Self::Cols { .. } => "BroadcastColsBackward",
            Self::AddRow { .. } => "AddRowBackward",
            Self::WithScalar(ScalarArith::Mul) => "MulScalarNodeBackward",
            Self::WithScalar(ScalarArith::Add) => "AddScalarNodeBackward",
            Self::WithScalar(ScalarArith::Sub) => "RsubScalarNodeBackward",
            Self::WithScalar(ScalarArith::SubFrom) => "SubScalarNodeBackward",
        }
    }

    #[inline]
    fn eval<T: Elem<F>>(&self, inputs: &[&[T]], out: &mut [T]) {
        if out.is_empty() {
            // A zero-length axis (rows or columns of length 0): nothing to write, and no
            // chunk of length 0 to walk.
            return;
        }
        let x = inputs[0];
        match *self {
            Self::Scalar => out.fill(x[0]),
            Self::Rows { n } => {
                for row in out.chunks_exact_mut(n) {
                    row.copy_from_slice(x);
                }
            }
            Self::Cols { n } => {
                for (row, &xi) in out.chunks_exact_mut(n).zip(x) {
                    row.fill(xi);
                }
            }
            Self::AddRow { n } => {
                let b = inputs[1];
                for (o_row, a_row) in out.chunks_exact_mut(n).zip(x.chunks_exact(n)) {
                    for ((o, &a), &bj) in o_row.iter_mut().zip(a_row).zip(b) {
                        *o = a + bj;
                    }
                }
            }
            Self::WithScalar(arith) => {
                let s = inputs[1][0];
                for (o, &xi) in out.iter_mut().zip(x) {
                    *o = match arith {
                        ScalarArith::Mul => s * xi,
                        ScalarArith::Add => s + xi,
                        ScalarArith::Sub => s - xi,
                        ScalarArith::SubFrom => xi - s,
                    };
                }
            }
        }
    }

    #[inline]
    fn vjp<T: Elem<F>>(&self, k: usize, at: VjpIn<'_, T>, grad_in: &mut [T], write: GradWrite) {
        let VjpIn { grad_out, .. } = at;
        if grad_out.is_empty() {
            // An empty output: every input's share is zero.
            write.prepare(grad_in);
            return;
        }
        match (*self, k) {
            (Self::Scalar, _) => {
                write.prepare(grad_in);
                grad_in[0] += grad_out.iter().fold(T::zero(), |acc, &g| acc + g);
            }
            // The row was repeated down the rows: sum the adjoint over them (axis 0).
            (Self::Rows { n }, _) | (Self::AddRow { n }, 1) => {
                write.prepare(grad_in);
                for row in grad_out.chunks_exact(n) {
                    for (gi, &g) in grad_in.iter_mut().zip(row) {
                        *gi += g;
                    }
                }
            }
            (Self::AddRow { .. }, _) => write.map(grad_out, grad_in, |g| g),
            (Self::WithScalar(arith), 0) => {
                let s = at.inputs[1][0];
                match arith {
                    ScalarArith::Mul => write.map(grad_out, grad_in, |g| g * s),
                    ScalarArith::Add | ScalarArith::SubFrom => write.map(grad_out, grad_in, |g| g),
                    ScalarArith::Sub => write.map(grad_out, grad_in, |g| -g),
                }
            }
            (Self::WithScalar(arith), _) => {
                let x = at.inputs[0];
                let total = match arith {
                    ScalarArith::Mul => grad_out
                        .iter()
                        .zip(x)
                        .fold(T::zero(), |acc, (&g, &xi)| acc + g * xi),
                    _ => grad_out.iter().fold(T::zero(), |acc, &g| acc + g),
                };
                let share = if arith == ScalarArith::SubFrom {
                    -total
                } else {
                    total
                };
                write.prepare(grad_in);
                grad_in[0] += share;
            }
            // The column was repeated along the columns: sum each row (axis 1).
            (Self::Cols { n }, _) => {
                write.prepare(grad_in);
                for (gi, row) in grad_in.iter_mut().zip(grad_out.chunks_exact(n)) {
                    *gi += row.iter().fold(T::zero(), |acc, &g| acc + g);
                }
            }
        }
    }
}

impl<'g, F: Float, K: Kind> Var<'g, Rank0, F, K> {
    /// This scalar repeated over shape `S` (often inferred). The gradient is the sum of the
    /// output's gradient.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let s = g.param(Tensor::<Rank0>::from(2.0));
    ///     let x = g.constant(Tensor::<Rank1<3>>::from([1.0, 2.0, 3.0]));
    ///     let y = x * s.broadcast();
    ///     y.sum().backward();
    ///     assert_eq!(y.value().as_slice(), &[2.0, 4.0, 6.0]);
    ///     assert_eq!(s.grad().item(), 6.0);
    /// });
    /// ```
    pub fn broadcast<S: Shape>(self) -> Var<'g, S, F> {
        self.graph
            .push(Op::Broadcast(Broadcast::Scalar), &[self.id])
    }

    fn with_tensor<S: Shape, K2: Kind>(
        self,
        arith: ScalarArith,
        x: Var<'g, S, F, K2>,
    ) -> Var<'g, S, F> {
        let op = Op::Broadcast(Broadcast::WithScalar(arith));
        self.graph.push(op, &[x.id, self.id])
    }

    /// This scalar node times every element of the node `x`, in one node (no broadcast
    /// node): `out[i] = self * x[i]`.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let s = g.param(Tensor::<Rank0>::from(2.0));
    ///     let m = g.param(Tensor::<Rank2<2, 2>>::from([[1.0, 2.0], [3.0, 4.0]]));
    ///     let y = s.times(m);
    ///     assert_eq!(y.value(), Tensor::from([[2.0, 4.0], [6.0, 8.0]]));
    ///     y.sum().backward();
    ///     assert_eq!(s.grad().item(), 10.0);
    ///     assert_eq!(m.grad(), Tensor::full(2.0));
    /// });
    /// ```
    pub fn times<S: Shape, K2: Kind>(self, x: Var<'g, S, F, K2>) -> Var<'g, S, F> {
        self.with_tensor(ScalarArith::Mul, x)
    }

    /// This scalar node plus every element of the node `x`: `out[i] = self + x[i]`.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let s = g.param(Tensor::<Rank0>::from(2.0));
    ///     let v = g.param(Tensor::<Rank1<3>>::from([1.0, 2.0, 3.0]));
    ///     let y = s.plus(v);
    ///     assert_eq!(y.value().as_slice(), &[3.0, 4.0, 5.0]);
    ///     y.sum().backward();
    ///     assert_eq!(s.grad().item(), 3.0);
    ///     assert_eq!(v.grad().as_slice(), &[1.0, 1.0, 1.0]);
    /// });
    /// ```
    pub fn plus<S: Shape, K2: Kind>(self, x: Var<'g, S, F, K2>) -> Var<'g, S, F> {
        self.with_tensor(ScalarArith::Add, x)
    }

    /// This scalar node minus every element of the node `x`: `out[i] = self - x[i]` (for
    /// `x[i] - self`, see [`Var::minus_scalar`]).
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let s = g.param(Tensor::<Rank0>::from(2.0));
    ///     let v = g.param(Tensor::<Rank1<2>>::from([1.0, 5.0]));
    ///     let y = s.minus(v);
    ///     assert_eq!(y.value().as_slice(), &[1.0, -3.0]);
    ///     y.sum().backward();
    ///     assert_eq!(s.grad().item(), 2.0);
    ///     assert_eq!(v.grad().as_slice(), &[-1.0, -1.0]);
    /// });
    /// ```
    pub fn minus<S: Shape, K2: Kind>(self, x: Var<'g, S, F, K2>) -> Var<'g, S, F> {
        self.with_tensor(ScalarArith::Sub, x)
    }
}

impl<'g, S: Shape, F: Float, K: Kind> Var<'g, S, F, K> {
    /// Every element of this node minus the scalar node `s`: `out[i] = self[i] - s` (for
    /// `s - self[i]`, see [`Var::minus`]; for `s * x` and `s + x`, [`Var::times`] and
    /// [`Var::plus`]).
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let v = g.param(Tensor::<Rank1<2>>::from([1.0, 5.0]));
    ///     let s = g.param(Tensor::<Rank0>::from(2.0));
    ///     let y = v.minus_scalar(s);
    ///     assert_eq!(y.value().as_slice(), &[-1.0, 3.0]);
    ///     y.sum().backward();
    ///     assert_eq!(s.grad().item(), -2.0);
    ///     assert_eq!(v.grad().as_slice(), &[1.0, 1.0]);
    /// });
    /// ```
    pub fn minus_scalar<K2: Kind>(self, s: Var<'g, Rank0, F, K2>) -> Var<'g, S, F> {
        s.with_tensor(ScalarArith::SubFrom, self)
    }
}

impl<'g, const N: usize, F: Float, K: Kind> Var<'g, Rank1<N>, F, K> {
    /// This vector as every row of an `M x N` matrix: `out[i, j] = self[j]`. The gradient
    /// sums the output's gradient over the rows (axis 0).
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let b = g.param(Tensor::<Rank1<2>>::from([1.0, 2.0]));
    ///     let rows = b.broadcast_rows::<3>();
    ///     assert_eq!(rows.value(), Tensor::from([[1.0, 2.0], [1.0, 2.0], [1.0, 2.0]]));
    ///     rows.sum().backward();
    ///     assert_eq!(b.grad().as_slice(), &[3.0, 3.0]);
    /// });
    /// ```
    pub fn broadcast_rows<const M: usize>(self) -> Var<'g, Rank2<M, N>, F> {
        let op = Broadcast::Rows { n: N };
        self.graph.push(Op::Broadcast(op), &[self.id])
    }

    /// This vector (of length `M = N` here) as every column of an `N x C` matrix:
    /// `out[i, j] = self[i]`. The gradient sums the output's gradient over the columns
    /// (axis 1).
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let c = g.param(Tensor::<Rank1<2>>::from([1.0, 2.0]));
    ///     let cols = c.broadcast_cols::<3>();
    ///     assert_eq!(cols.value(), Tensor::from([[1.0, 1.0, 1.0], [2.0, 2.0, 2.0]]));
    ///     cols.backward_with(&Tensor::from([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]));
    ///     assert_eq!(c.grad().as_slice(), &[6.0, 15.0]);
    /// });
    /// ```
    pub fn broadcast_cols<const C: usize>(self) -> Var<'g, Rank2<N, C>, F> {
        let op = Broadcast::Cols { n: C };
        self.graph.push(Op::Broadcast(op), &[self.id])
    }
}

impl<'g, const M: usize, const N: usize, F: Float, K: Kind> Var<'g, Rank2<M, N>, F, K> {
    /// Adds the row `row` to every row of this matrix (a bias add), in one node:
    /// `out[i, j] = self[i, j] + row[j]`. Same values and gradients as
    /// `self + row.broadcast_rows()`.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.constant(Tensor::<Rank2<2, 2>>::from([[1.0, 2.0], [3.0, 4.0]]));
    ///     let b = g.param(Tensor::<Rank1<2>>::from([10.0, 20.0]));
    ///     let y = x.add_row(b);
    ///     y.sum().backward();
    ///     assert_eq!(y.value(), Tensor::from([[11.0, 22.0], [13.0, 24.0]]));
    ///     assert_eq!(b.grad().as_slice(), &[2.0, 2.0]);
    /// });
    /// ```
    pub fn add_row<K2: Kind>(self, row: Var<'g, Rank1<N>, F, K2>) -> Var<'g, Rank2<M, N>, F> {
        let op = Broadcast::AddRow { n: N };
        self.graph.push(Op::Broadcast(op), &[self.id, row.id])
    }
}
