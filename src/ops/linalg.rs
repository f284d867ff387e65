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

/// Largest dim for which nalgebra's `gemm` skips `matrixmultiply` (its `SMALL_DIM`).
const SMALL_DIM: usize = 5;

/// Whether a product `(m x k) (k x n)` would miss nalgebra's fast path. There nalgebra falls
/// back to one strided `gemv` per output column, which for a thin factor (a bias added as
/// `ones(m x 1) · b(1 x n)`, or its VJP `onesᵀ dC`) costs one tiny `axpy` call per element;
/// the row-major loops below are contiguous and vectorize instead.
fn is_thin(m: usize, k: usize, n: usize) -> bool {
    m <= SMALL_DIM || k <= SMALL_DIM || n <= SMALL_DIM
}

/// `out (m x n) += a (m x k) · b (k x n)`, row-major, k in ascending order per entry.
fn thin_matmul_add<T: Copy + std::ops::AddAssign + std::ops::Mul<Output = T>>(
    a: &[T],
    b: &[T],
    out: &mut [T],
    k: usize,
    n: usize,
) {
    if k == 0 || n == 0 {
        return;
    }
    for (a_row, out_row) in a.chunks_exact(k).zip(out.chunks_exact_mut(n)) {
        for (&a_ik, b_row) in a_row.iter().zip(b.chunks_exact(n)) {
            for (o, &b_kj) in out_row.iter_mut().zip(b_row) {
                *o += a_ik * b_kj;
            }
        }
    }
}

/// `da (m x k) += dc (m x n) · bᵀ` for row-major `b (k x n)`: one dot product per entry.
fn thin_matmul_bt_add<T: Copy + std::ops::AddAssign + std::ops::Mul<Output = T>>(
    dc: &[T],
    b: &[T],
    da: &mut [T],
    k: usize,
    n: usize,
) {
    if k == 0 || n == 0 {
        return;
    }
    for (dc_row, da_row) in dc.chunks_exact(n).zip(da.chunks_exact_mut(k)) {
        for (da_ik, b_row) in da_row.iter_mut().zip(b.chunks_exact(n)) {
            for (&c, &bv) in dc_row.iter().zip(b_row) {
                *da_ik += c * bv;
            }
        }
    }
}

/// `db (k x n) += aᵀ · dc (m x n)` for row-major `a (m x k)`: rows of `dc` scaled and added.
fn thin_matmul_at_add<T: Copy + std::ops::AddAssign + std::ops::Mul<Output = T>>(
    a: &[T],
    dc: &[T],
    db: &mut [T],
    k: usize,
    n: usize,
) {
    if k == 0 || n == 0 {
        return;
    }
    for (a_row, dc_row) in a.chunks_exact(k).zip(dc.chunks_exact(n)) {
        for (&a_ik, db_row) in a_row.iter().zip(db.chunks_exact_mut(n)) {
            for (d, &c) in db_row.iter_mut().zip(dc_row) {
                *d += a_ik * c;
            }
        }
    }
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
            Self::MatMul { m, k, n } if is_thin(m, k, n) => {
                out.fill(T::zero());
                thin_matmul_add(inputs[0], inputs[1], out, k, n);
            }
            Self::MatMul { m, k, n } => {
                let (a, b) = (matrix(inputs[0], m, k), matrix(inputs[1], k, n));
                matrix_mut(out, m, n).gemm(T::one(), &a, &b, T::zero());
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
            Self::MatMul { m, k, n } if is_thin(m, k, n) => {
                if input == 0 {
                    thin_matmul_bt_add(grad_out, inputs[1], grad_in, k, n);
                } else {
                    thin_matmul_at_add(inputs[0], grad_out, grad_in, k, n);
                }
            }
            // dA += dC Bᵀ
            Self::MatMul { m, k, n } if input == 0 => {
                let (dc, bt) = (matrix(grad_out, m, n), transposed(inputs[1], k, n));
                matrix_mut(grad_in, m, k).gemm(T::one(), &dc, &bt, T::one());
            }
            // dB += Aᵀ dC
            Self::MatMul { m, k, n } => {
                let (at, dc) = (transposed(inputs[0], m, k), matrix(grad_out, m, n));
                matrix_mut(grad_in, k, n).gemm(T::one(), &at, &dc, T::one());
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
