//! Linear algebra: matrix product, matrix-vector product, outer product and transpose.
//!
//! Shape rules: `Rank2<M, K> x Rank2<K, N> -> Rank2<M, N>` (inner sizes must agree, or it
//! does not compile), `Rank2<M, N> x Rank1<N> -> Rank1<M>`, `Rank1<M> x Rank1<N> ->
//! Rank2<M, N>` and `Rank2<M, N> -> Rank2<N, M>`. A vector is viewed as an `n x 1` column,
//! so every product, forward and backward, is one `gemm`.
//!
//! Tensors are row-major; nalgebra is column-major. Rather than copying, the kernels view
//! each buffer as an nalgebra matrix with explicit strides (a row-major `M x N` matrix has
//! row stride `N` and column stride 1; its transpose is the same buffer with the strides
//! swapped), so products go through nalgebra's `gemm`, which hands `f32`/`f64` products with
//! every dim above 5 to the `matrixmultiply` kernels.
//!
//! nalgebra 0.35's other `gemm` path (small dims, and dual numbers) mishandles a left operand
//! whose columns are strided: `axcpy_uninit` takes the strided bounding box's length as the
//! element count and reads and writes out of bounds (nalgebra issue #1616, unfixed as of
//! 0.35.0). Every product below is therefore oriented so that its left operand has
//! contiguous columns (a transposed view, or a single row or column), computing `Pᵀ = Rᵀ Lᵀ`
//! where that is the way; [`gemm`] copies the left operand in the one case no orientation
//! avoids (`dA = dC Bᵀ` off the `matrixmultiply` path) and is the only caller of nalgebra's
//! `gemm` here.

use super::Op;
use crate::graph::{Kind, Var};
use crate::scalar::{Elem, Float};
use crate::shape::{Rank1, Rank2};
use nalgebra::{Dyn, MatrixView, MatrixViewMut};
use std::any::TypeId;

type View<'a, T> = MatrixView<'a, T, Dyn, Dyn, Dyn, Dyn>;
type ViewMut<'a, T> = MatrixViewMut<'a, T, Dyn, Dyn, Dyn, Dyn>;

/// A row-major `rows x cols` buffer as a matrix.
fn matrix<T: nalgebra::Scalar>(data: &[T], rows: usize, cols: usize) -> View<'_, T> {
    View::from_slice_with_strides_generic(data, Dyn(rows), Dyn(cols), Dyn(cols), Dyn(1))
}

/// The transpose (`cols x rows`) of a row-major `rows x cols` buffer, without copying. Its
/// columns are contiguous, which makes it a safe left operand for [`gemm`].
fn transposed<T: nalgebra::Scalar>(data: &[T], rows: usize, cols: usize) -> View<'_, T> {
    View::from_slice_with_strides_generic(data, Dyn(cols), Dyn(rows), Dyn(1), Dyn(cols))
}

fn matrix_mut<T: nalgebra::Scalar>(data: &mut [T], rows: usize, cols: usize) -> ViewMut<'_, T> {
    ViewMut::from_slice_with_strides_generic(data, Dyn(rows), Dyn(cols), Dyn(cols), Dyn(1))
}

/// The transpose (`cols x rows`) of a row-major `rows x cols` output buffer.
fn transposed_mut<T: nalgebra::Scalar>(data: &mut [T], rows: usize, cols: usize) -> ViewMut<'_, T> {
    ViewMut::from_slice_with_strides_generic(data, Dyn(cols), Dyn(rows), Dyn(1), Dyn(cols))
}

/// `out = a · b + beta · out` by nalgebra's `gemm`, never handing its fallback path a left
/// operand with strided columns (nalgebra issue #1616; see the module docs).
fn gemm<F: Float, T: Elem<F>>(mut out: ViewMut<'_, T>, a: View<'_, T>, b: View<'_, T>, beta: T) {
    let (rows, inner) = a.shape();
    // The conditions under which nalgebra 0.35 multiplies with `matrixmultiply`, which
    // honours strides.
    let float =
        TypeId::of::<T>() == TypeId::of::<f64>() || TypeId::of::<T>() == TypeId::of::<f32>();
    let blocked = float && rows > 5 && inner > 5 && out.ncols() > 5;
    if blocked || rows <= 1 || a.strides().0 == 1 {
        out.gemm(T::one(), &a, &b, beta);
    } else {
        out.gemm(T::one(), &a.clone_owned(), &b, beta);
    }
}

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

impl Linalg {
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Self::MatMul { .. } => "MatMulBackward",
            Self::MatVec { .. } => "MatVecBackward",
            Self::Outer { .. } => "OuterBackward",
            Self::Transpose { .. } => "TransposeBackward",
        }
    }

    #[inline]
    pub(crate) fn forward<F: Float, T: Elem<F>>(&self, inputs: &[&[T]], out: &mut [T]) {
        let zero = T::zero();
        match *self {
            // Cᵀ = Bᵀ Aᵀ
            Self::MatMul { m, k, n } => {
                let (bt, at) = (transposed(inputs[1], k, n), transposed(inputs[0], m, k));
                gemm(transposed_mut(out, m, n), bt, at, zero);
            }
            // yᵀ = xᵀ Aᵀ
            Self::MatVec { m, n } => {
                let (xt, at) = (transposed(inputs[1], n, 1), transposed(inputs[0], m, n));
                gemm(transposed_mut(out, m, 1), xt, at, zero);
            }
            // C = a bᵀ
            Self::Outer { m, n } => {
                let (a, bt) = (matrix(inputs[0], m, 1), transposed(inputs[1], n, 1));
                gemm(matrix_mut(out, m, n), a, bt, zero);
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

    /// Adds input `input`'s share of the VJP to `grad_in`: each product accumulates
    /// (`beta = 1`).
    #[inline]
    pub(crate) fn vjp<F: Float, T: Elem<F>>(
        &self,
        input: usize,
        inputs: &[&[T]],
        grad_out: &[T],
        grad_in: &mut [T],
    ) {
        let one = T::one();
        match *self {
            // dA += dC Bᵀ (no orientation gives a contiguous left operand: `gemm` copies
            // dC when off the `matrixmultiply` path)
            Self::MatMul { m, k, n } if input == 0 => {
                let (dc, bt) = (matrix(grad_out, m, n), transposed(inputs[1], k, n));
                gemm(matrix_mut(grad_in, m, k), dc, bt, one);
            }
            // dB += Aᵀ dC
            Self::MatMul { m, k, n } => {
                let (at, dc) = (transposed(inputs[0], m, k), matrix(grad_out, m, n));
                gemm(matrix_mut(grad_in, k, n), at, dc, one);
            }
            // dA += dy xᵀ
            Self::MatVec { m, n } if input == 0 => {
                let (dy, xt) = (matrix(grad_out, m, 1), transposed(inputs[1], n, 1));
                gemm(matrix_mut(grad_in, m, n), dy, xt, one);
            }
            // dx += Aᵀ dy
            Self::MatVec { m, n } => {
                let (at, dy) = (transposed(inputs[0], m, n), matrix(grad_out, m, 1));
                gemm(matrix_mut(grad_in, n, 1), at, dy, one);
            }
            // daᵀ += bᵀ dCᵀ
            Self::Outer { m, n } if input == 0 => {
                let (bt, dct) = (transposed(inputs[1], n, 1), transposed(grad_out, m, n));
                gemm(transposed_mut(grad_in, m, 1), bt, dct, one);
            }
            // db += dCᵀ a
            Self::Outer { m, n } => {
                let (dct, a) = (transposed(grad_out, m, n), matrix(inputs[0], m, 1));
                gemm(matrix_mut(grad_in, n, 1), dct, a, one);
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
