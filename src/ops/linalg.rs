//! Linear algebra: matrix product and transpose.
//!
//! Shape rules: `Rank2<M, K> x Rank2<K, N> -> Rank2<M, N>` (inner sizes must agree, or it
//! does not compile) and `Rank2<M, N> -> Rank2<N, M>`.
//!
//! Tensors are row-major; nalgebra is column-major. Rather than copying, the kernels view
//! each buffer as an nalgebra matrix with explicit strides (a row-major `M x N` matrix has
//! row stride `N` and column stride 1; its transpose is the same buffer with the strides
//! swapped), so products go through nalgebra's `gemm`, which hands `f32`/`f64` products of
//! any size above 5 to the `matrixmultiply` kernels.
//!
//! Why the products are written the way they are: nalgebra 0.35's fallback `gemm` path (dims
//! up to 5, and every non-`f32`/`f64` scalar such as dual numbers) walks each column of its
//! *left* operand as a contiguous slice, and reads and writes out of bounds when that column
//! has a row stride other than 1. So the left operand of every `gemm` here is a buffer seen
//! column-major (a row-major `A` read as the column-major `Aᵀ`, unit row stride): the forward
//! pass computes `Cᵀ = Bᵀ Aᵀ`, `dB` is `dBᵀ += dCᵀ A`, and `dA = dC Bᵀ` uses `gemm_tr`,
//! whose dot products index by stride.

use super::Op;
use crate::graph::{Kind, Var};
use crate::scalar::{Elem, Float};
use crate::shape::Rank2;
use nalgebra::{Dyn, MatrixView, MatrixViewMut};

type View<'a, T> = MatrixView<'a, T, Dyn, Dyn, Dyn, Dyn>;
type ViewMut<'a, T> = MatrixViewMut<'a, T, Dyn, Dyn, Dyn, Dyn>;

/// A row-major `rows x cols` buffer as a matrix.
fn matrix<T: nalgebra::Scalar>(data: &[T], rows: usize, cols: usize) -> View<'_, T> {
    View::from_slice_with_strides_generic(data, Dyn(rows), Dyn(cols), Dyn(cols), Dyn(1))
}

/// The transpose (`cols x rows`) of a row-major `rows x cols` buffer, without copying.
fn transposed<T: nalgebra::Scalar>(data: &[T], rows: usize, cols: usize) -> View<'_, T> {
    View::from_slice_with_strides_generic(data, Dyn(cols), Dyn(rows), Dyn(1), Dyn(cols))
}

fn matrix_mut<T: nalgebra::Scalar>(data: &mut [T], rows: usize, cols: usize) -> ViewMut<'_, T> {
    ViewMut::from_slice_with_strides_generic(data, Dyn(rows), Dyn(cols), Dyn(cols), Dyn(1))
}

/// The transpose (`cols x rows`) of a mutable row-major `rows x cols` buffer, without copying.
fn transposed_mut<T: nalgebra::Scalar>(data: &mut [T], rows: usize, cols: usize) -> ViewMut<'_, T> {
    ViewMut::from_slice_with_strides_generic(data, Dyn(cols), Dyn(rows), Dyn(1), Dyn(cols))
}

/// A linear-algebra op, with the dims it was recorded with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Linalg {
    /// `(m x k) (k x n) -> (m x n)`
    MatMul { m: usize, k: usize, n: usize },
    /// `(m x n) -> (n x m)`
    Transpose { m: usize, n: usize },
}

impl Linalg {
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Self::MatMul { .. } => "MatMulBackward",
            Self::Transpose { .. } => "TransposeBackward",
        }
    }

    #[inline]
    pub(crate) fn forward<F: Float, T: Elem<F>>(&self, inputs: &[&[T]], out: &mut [T]) {
        match *self {
            Self::MatMul { m, k, n } => {
                // Cᵀ = Bᵀ Aᵀ: each row-major buffer read column-major is its transpose.
                let (bt, at) = (transposed(inputs[1], k, n), transposed(inputs[0], m, k));
                transposed_mut(out, m, n).gemm(T::one(), &bt, &at, T::zero());
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
    pub(crate) fn vjp<F: Float, T: Elem<F>>(
        &self,
        input: usize,
        inputs: &[&[T]],
        grad_out: &[T],
        grad_in: &mut [T],
    ) {
        match *self {
            // dA += dC Bᵀ, as `gemm_tr`: (dCᵀ)ᵀ Bᵀ
            Self::MatMul { m, k, n } if input == 0 => {
                let (dct, bt) = (transposed(grad_out, m, n), transposed(inputs[1], k, n));
                matrix_mut(grad_in, m, k).gemm_tr(T::one(), &dct, &bt, T::one());
            }
            // dB += Aᵀ dC, as dBᵀ += dCᵀ A
            Self::MatMul { m, k, n } => {
                let (dct, a) = (transposed(grad_out, m, n), matrix(inputs[0], m, k));
                transposed_mut(grad_in, k, n).gemm(T::one(), &dct, &a, T::one());
            }
            Self::Transpose { m, n } => {
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
