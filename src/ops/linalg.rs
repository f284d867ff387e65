//! Linear algebra: matrix product and transpose.
//!
//! Shape rules: `Rank2<M, K> x Rank2<K, N> -> Rank2<M, N>` (inner sizes must agree, or it
//! does not compile) and `Rank2<M, N> -> Rank2<N, M>`.
//!
//! Tensors are row-major; nalgebra is column-major. Rather than copying, the kernels read
//! each row-major buffer column-major, which gives its transpose (`C = A B` is computed as
//! `Cᵀ = Bᵀ Aᵀ`), so products go through nalgebra's `gemm`, which hands `f32`/`f64` products
//! of any size above 5 to the `matrixmultiply` kernels. The output and left operand of every
//! `gemm` are contiguous: nalgebra 0.35's generic path (dual numbers, small dims) indexes out
//! of bounds otherwise.

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

/// A buffer read column-major as a `rows x cols` matrix: the transpose of the row-major
/// `cols x rows` matrix it holds. Contiguous, so safe as any gemm operand.
fn column_major<T: nalgebra::Scalar>(data: &[T], rows: usize, cols: usize) -> View<'_, T> {
    View::from_slice_with_strides_generic(data, Dyn(rows), Dyn(cols), Dyn(1), Dyn(rows))
}

fn column_major_mut<T: nalgebra::Scalar>(
    data: &mut [T],
    rows: usize,
    cols: usize,
) -> ViewMut<'_, T> {
    ViewMut::from_slice_with_strides_generic(data, Dyn(rows), Dyn(cols), Dyn(1), Dyn(rows))
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
            // C = A B computed as Cᵀ = Bᵀ Aᵀ: a row-major buffer read column-major is its
            // transpose, so every operand is a contiguous column-major view. (nalgebra 0.35's
            // generic gemm path, taken for dual numbers and for dims <= 5, indexes out of
            // bounds when the output or left operand has a row stride > 1.)
            Self::MatMul { m, k, n } => {
                let (bt, at) = (column_major(inputs[1], n, k), column_major(inputs[0], k, m));
                column_major_mut(out, n, m).gemm(T::one(), &bt, &at, T::zero());
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
            // dA += dC Bᵀ, as dAᵀ += (Bᵀ)ᵀ dCᵀ: `gemm_tr` reads its transposed left operand
            // through dot products, which honour any stride.
            Self::MatMul { m, k, n } if input == 0 => {
                let (bt, dct) = (column_major(inputs[1], n, k), column_major(grad_out, n, m));
                column_major_mut(grad_in, k, m).gemm_tr(T::one(), &bt, &dct, T::one());
            }
            // dB += Aᵀ dC, as dBᵀ += dCᵀ A (output and left operand contiguous; the right
            // operand is only read element by element, so its strides are safe).
            Self::MatMul { m, k, n } => {
                let (dct, a) = (column_major(grad_out, n, m), matrix(inputs[0], m, k));
                column_major_mut(grad_in, n, k).gemm(T::one(), &dct, &a, T::one());
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
