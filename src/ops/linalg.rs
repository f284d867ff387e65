//! Linear algebra: matrix product, matrix-vector product, outer product and transpose.
//!
//! Shape rules: `Rank2<M, K> x Rank2<K, N> -> Rank2<M, N>` (inner sizes must agree, or it
//! does not compile), `Rank2<M, N> x Rank1<N> -> Rank1<M>`, `Rank1<M> x Rank1<N> ->
//! Rank2<M, N>` and `Rank2<M, N> -> Rank2<N, M>`. A vector is viewed as an `n x 1` column,
//! so every product, forward and backward, is one call of [`gemm`] on strided views of the
//! row-major buffers: a transpose is a view, never a copy.

use super::gemm::{Strided, gemm};
use super::{GradWrite, Op, Rule, VjpIn};
use crate::graph::{Kind, Var};
use crate::scalar::{Elem, Float};
use crate::shape::{Rank1, Rank2};

/// A linear-algebra op, with the dims it was recorded with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Linalg {
    /// `(m x k) (k x n) -> (m x n)`
    MatMul { m: usize, k: usize, n: usize },
    /// `(m x n) (n) -> (m)`
    MatVec { m: usize, n: usize },
    /// `(m) (n) -> (m x n)`
    Outer { m: usize, n: usize },
    /// `(m x n) -> (n x m)`
    Transpose { m: usize, n: usize },
}

impl<F: Float> Rule<F> for Linalg {
    fn label(&self) -> &'static str {
        match self {
            Self::MatMul { .. } => "MatMulBackward",
            Self::MatVec { .. } => "MatVecBackward",
            Self::Outer { .. } => "OuterBackward",
            Self::Transpose { .. } => "TransposeBackward",
        }
    }

    #[inline]
    fn eval<T: Elem<F>>(&self, inputs: &[&[T]], out: &mut [T]) {
        match *self {
            Self::MatMul { m, k, n } => {
                let a = Strided::row_major(inputs[0], m, k);
                let b = Strided::row_major(inputs[1], k, n);
                gemm(a, b, out, false);
            }
            Self::MatVec { m, n } => {
                let a = Strided::row_major(inputs[0], m, n);
                gemm(a, Strided::row_major(inputs[1], n, 1), out, false);
            }
            Self::Outer { m, n } => {
                let a = Strided::row_major(inputs[0], m, 1);
                gemm(a, Strided::row_major(inputs[1], 1, n), out, false);
            }
            Self::Transpose { m, n } => {
                let a = inputs[0];
                for i in 0..m {
                    for j in 0..n {
                        out[j * m + i] = a[i * n + j];
                    }
                }
            }
        }
    }

    #[inline]
    fn vjp<T: Elem<F>>(&self, input: usize, at: VjpIn<'_, T>, grad_in: &mut [T], write: GradWrite) {
        let VjpIn {
            inputs, grad_out, ..
        } = at;
        let accumulate = write == GradWrite::Add;
        match *self {
            // dA += dC Bᵀ
            Self::MatMul { m, k, n } if input == 0 => {
                let dc = Strided::row_major(grad_out, m, n);
                gemm(
                    dc,
                    Strided::transposed(inputs[1], k, n),
                    grad_in,
                    accumulate,
                );
            }
            // dB += Aᵀ dC
            Self::MatMul { m, k, n } => {
                let dc = Strided::row_major(grad_out, m, n);
                gemm(
                    Strided::transposed(inputs[0], m, k),
                    dc,
                    grad_in,
                    accumulate,
                );
            }
            // dA += dy xᵀ
            Self::MatVec { m, n } if input == 0 => {
                let dy = Strided::row_major(grad_out, m, 1);
                gemm(dy, Strided::row_major(inputs[1], 1, n), grad_in, accumulate);
            }
            // dx += Aᵀ dy
            Self::MatVec { m, n } => {
                let dy = Strided::row_major(grad_out, m, 1);
                gemm(
                    Strided::transposed(inputs[0], m, n),
                    dy,
                    grad_in,
                    accumulate,
                );
            }
            // da += dC b
            Self::Outer { m, n } if input == 0 => {
                let dc = Strided::row_major(grad_out, m, n);
                gemm(dc, Strided::row_major(inputs[1], n, 1), grad_in, accumulate);
            }
            // db += dCᵀ a
            Self::Outer { m, n } => {
                let dct = Strided::transposed(grad_out, m, n);
                gemm(
                    dct,
                    Strided::row_major(inputs[0], m, 1),
                    grad_in,
                    accumulate,
                );
            }
            Self::Transpose { m, n } => {
                write.prepare(grad_in);
                for i in 0..m {
                    for j in 0..n {
                        grad_in[i * n + j] += grad_out[j * m + i];
                    }
                }
            }
        }
    }
}

impl<'g, const M: usize, const K: usize, F: Float, Kd: Kind> Var<'g, Rank2<M, K>, F, Kd> {
    /// Matrix product `self · rhs`. Inner sizes that differ do not compile.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let a = g.param(Tensor::<Rank2<1, 2>>::from([[1.0, 2.0]]));
    ///     let b = g.param(Tensor::<Rank2<2, 1>>::from([[3.0], [4.0]]));
    ///     let c = a.matmul(b);
    ///     c.sum().backward();
    ///     assert_eq!(c.value()[[0, 0]], 11.0);
    ///     assert_eq!(a.grad().as_slice(), &[3.0, 4.0]);
    ///     assert_eq!(b.grad().as_slice(), &[1.0, 2.0]);
    /// });
    /// ```
    pub fn matmul<const N: usize, Kr: Kind>(
        self,
        rhs: Var<'g, Rank2<K, N>, F, Kr>,
    ) -> Var<'g, Rank2<M, N>, F> {
        let op = Linalg::MatMul { m: M, k: K, n: N };
        self.graph.push(Op::Linalg(op), &[self.id, rhs.id])
    }

    /// The transpose.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let a = g.param(Tensor::<Rank2<2, 3>>::from([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]));
    ///     let t = a.transpose();
    ///     assert_eq!(t.value(), Tensor::from([[1.0, 4.0], [2.0, 5.0], [3.0, 6.0]]));
    /// });
    /// ```
    pub fn transpose(self) -> Var<'g, Rank2<K, M>, F> {
        let op = Linalg::Transpose { m: M, n: K };
        self.graph.push(Op::Linalg(op), &[self.id])
    }
}

impl<'g, const M: usize, const N: usize, F: Float, Kd: Kind> Var<'g, Rank2<M, N>, F, Kd> {
    /// Matrix-vector product `self · x`: `Rank2<M, N> x Rank1<N> -> Rank1<M>`. A vector of
    /// another length does not compile.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let a = g.param(Tensor::<Rank2<2, 3>>::from([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]));
    ///     let x = g.param(Tensor::<Rank1<3>>::from([1.0, 0.0, -1.0]));
    ///     let y = a.matvec(x);
    ///     assert_eq!(y.value().as_slice(), &[-2.0, -2.0]);
    ///     y.backward_with(&Tensor::from([1.0, 2.0]));
    ///     assert_eq!(x.grad().as_slice(), &[9.0, 12.0, 15.0]);
    ///     assert_eq!(a.grad(), Tensor::from([[1.0, 0.0, -1.0], [2.0, 0.0, -2.0]]));
    /// });
    /// ```
    pub fn matvec<Kr: Kind>(self, x: Var<'g, Rank1<N>, F, Kr>) -> Var<'g, Rank1<M>, F> {
        let op = Linalg::MatVec { m: M, n: N };
        self.graph.push(Op::Linalg(op), &[self.id, x.id])
    }
}

impl<'g, const M: usize, F: Float, Kd: Kind> Var<'g, Rank1<M>, F, Kd> {
    /// Outer product `self · otherᵀ`: `Rank1<M> x Rank1<N> -> Rank2<M, N>`, with
    /// `out[i, j] = self[i] * other[j]`.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let a = g.param(Tensor::<Rank1<2>>::from([1.0, 2.0]));
    ///     let b = g.param(Tensor::<Rank1<3>>::from([3.0, 4.0, 5.0]));
    ///     let c = a.outer(b);
    ///     assert_eq!(c.value(), Tensor::from([[3.0, 4.0, 5.0], [6.0, 8.0, 10.0]]));
    ///     c.sum().backward();
    ///     assert_eq!(a.grad().as_slice(), &[12.0, 12.0]);
    ///     assert_eq!(b.grad().as_slice(), &[3.0, 3.0, 3.0]);
    /// });
    /// ```
    pub fn outer<const N: usize, Kr: Kind>(
        self,
        other: Var<'g, Rank1<N>, F, Kr>,
    ) -> Var<'g, Rank2<M, N>, F> {
        let op = Linalg::Outer { m: M, n: N };
        self.graph.push(Op::Linalg(op), &[self.id, other.id])
    }
}
