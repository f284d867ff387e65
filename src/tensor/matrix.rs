//! Conversions between tensors and nalgebra's static matrices and vectors: `From` both
//! ways, and `to_matrix` / `to_vector`. nalgebra is column-major and tensors are
//! row-major, so these go by index, `[i, j]` to `(i, j)`, not by memory layout.

use super::Tensor;
use crate::forward::{ArrayNumel, Jacobian};
use crate::scalar::Float;
use crate::shape::{Rank0, Rank1, Rank2};
use nalgebra::{SMatrix, SVector};

/// A tensor from a (column-major) nalgebra matrix: element `(i, j)` lands at `[i, j]`.
///
/// ```
/// use tygrad::prelude::*;
/// let m = nalgebra::SMatrix::<f64, 2, 3>::new(1.0, 2.0, 3.0, 4.0, 5.0, 6.0);
/// let t = Tensor::<Rank2<2, 3>>::from(m);
/// assert_eq!(t[[1, 0]], 4.0);
/// assert_eq!(t.as_slice(), &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
/// ```
impl<const M: usize, const N: usize, T: nalgebra::Scalar> From<SMatrix<T, M, N>>
    for Tensor<Rank2<M, N>, T>
{
    fn from(m: SMatrix<T, M, N>) -> Self {
        Self::from_fn(|[i, j]| m[(i, j)].clone())
    }
}

/// A (column-major) nalgebra matrix from a tensor: element `[i, j]` lands at `(i, j)`.
///
/// ```
/// use tygrad::prelude::*;
/// let t = Tensor::<Rank2<2, 3>>::from([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]);
/// let m = nalgebra::SMatrix::<f64, 2, 3>::from(t);
/// assert_eq!(m[(1, 0)], 4.0);
/// ```
impl<const M: usize, const N: usize, T: nalgebra::Scalar> From<Tensor<Rank2<M, N>, T>>
    for SMatrix<T, M, N>
{
    fn from(t: Tensor<Rank2<M, N>, T>) -> Self {
        t.to_matrix()
    }
}

/// A vector tensor from an nalgebra column vector.
///
/// An `SVector<T, N>` is also an `SMatrix<T, N, 1>`, so it converts into `Rank2<N, 1>` as
/// well: name the target shape.
///
/// ```
/// use tygrad::prelude::*;
/// let v = nalgebra::SVector::<f64, 3>::new(1.0, 2.0, 3.0);
/// let t = Tensor::<Rank1<3>>::from(v);
/// assert_eq!(t.as_slice(), &[1.0, 2.0, 3.0]);
/// let column = Tensor::<Rank2<3, 1>>::from(v);
/// assert_eq!(column[[2, 0]], 3.0);
/// ```
impl<const N: usize, T: nalgebra::Scalar> From<SVector<T, N>> for Tensor<Rank1<N>, T> {
    fn from(v: SVector<T, N>) -> Self {
        Self::from_vec_unchecked(v.iter().cloned().collect())
    }
}

/// An nalgebra column vector from a vector tensor.
///
/// ```
/// use tygrad::prelude::*;
/// let v = nalgebra::SVector::<f64, 3>::from(Tensor::<Rank1<3>>::from([1.0, 2.0, 3.0]));
/// assert_eq!(v, nalgebra::SVector::<f64, 3>::new(1.0, 2.0, 3.0));
/// ```
impl<const N: usize, T: nalgebra::Scalar> From<Tensor<Rank1<N>, T>> for SVector<T, N> {
    fn from(t: Tensor<Rank1<N>, T>) -> Self {
        t.to_vector()
    }
}

impl<const M: usize, const N: usize, T: nalgebra::Scalar> Tensor<Rank2<M, N>, T> {
    /// This matrix as a (column-major) nalgebra matrix, element `[i, j]` at `(i, j)`.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// let t = Tensor::<Rank2<2, 3>>::from([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]);
    /// let m = t.to_matrix();
    /// assert_eq!(m[(0, 2)], 3.0);
    /// assert_eq!(m.transpose()[(2, 0)], 3.0);
    /// ```
    pub fn to_matrix(&self) -> SMatrix<T, M, N> {
        SMatrix::from_row_slice(&self.data)
    }
}

impl<const N: usize, T: nalgebra::Scalar> Tensor<Rank1<N>, T> {
    /// This vector as an nalgebra column vector.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// let v = Tensor::<Rank1<2>>::from([1.0, 2.0]).to_vector();
    /// assert_eq!(v.dot(&v), 5.0);
    /// ```
    pub fn to_vector(&self) -> SVector<T, N> {
        SVector::from_column_slice(&self.data)
    }
}

impl<const M: usize, const N: usize, F: Float> Jacobian<Rank1<M>, Rank1<N>, F>
where
    Rank1<M>: ArrayNumel,
    Rank1<N>: ArrayNumel,
{
    /// This Jacobian of a `Rank1<N> -> Rank1<M>` function (or a Hessian, `M = N`) as a
    /// static `M x N` nalgebra matrix: both sizes are known, so no `DMatrix` is needed.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank1<2>>::from([1.0, 2.0]));
    ///     let y = (x * x * x).sum();
    ///     let h: nalgebra::SMatrix<f64, 2, 2> = y.hessian(x).to_smatrix();
    ///     let step = h.lu().solve(&y.jacobian_rev(x).to_smatrix().transpose()).unwrap();
    ///     assert_eq!(step, nalgebra::vector![0.5, 1.0]); // a Newton step of sum x³
    /// });
    /// ```
    pub fn to_smatrix(&self) -> SMatrix<F, M, N> {
        SMatrix::from_fn(|i, j| self[(i, j)])
    }
}

impl<const N: usize, F: Float> Jacobian<Rank0, Rank1<N>, F>
where
    Rank1<N>: ArrayNumel,
{
    /// This Jacobian of a `Rank1<N> -> Rank0` function (a gradient as a row) as a static
    /// `1 x N` nalgebra matrix.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank1<2>>::from([1.0, 2.0]));
    ///     let j: nalgebra::SMatrix<f64, 1, 2> = (x * x).sum().jacobian_fwd(x).to_smatrix();
    ///     assert_eq!(j, nalgebra::matrix![2.0, 4.0]);
    /// });
    /// ```
    pub fn to_smatrix(&self) -> SMatrix<F, 1, N> {
        SMatrix::from_fn(|i, j| self[(i, j)])
    }
}

/// A Jacobian (or Hessian) whose both shapes are vectors, as a static nalgebra matrix (see
/// [`Jacobian::to_smatrix`]).
///
/// ```
/// use tygrad::prelude::*;
/// Graph::with(|g| {
///     let x = g.param(Tensor::<Rank1<2>>::from([1.0, 2.0]));
///     let m = nalgebra::SMatrix::<f64, 2, 2>::from((x * 3.0).jacobian_fwd(x));
///     assert_eq!(m, nalgebra::matrix![3.0, 0.0; 0.0, 3.0]);
/// });
/// ```
impl<const M: usize, const N: usize, F: Float> From<Jacobian<Rank1<M>, Rank1<N>, F>>
    for SMatrix<F, M, N>
where
    Rank1<M>: ArrayNumel,
    Rank1<N>: ArrayNumel,
{
    fn from(j: Jacobian<Rank1<M>, Rank1<N>, F>) -> Self {
        j.to_smatrix()
    }
}
