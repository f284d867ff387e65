//! The [`Jacobian`] type: a matrix `d out / d in` whose two sizes are in its type, with the
//! products and measures of difference the rest of the crate needs.
//!
//! Jacobians are built three ways, by forward mode (one column per input element), by
//! reverse mode (one row per output element) and by central finite differences, and
//! compared entry by entry to cross-check those witnesses. All of that lives here and in
//! `build`, so that [`crate::forward`] keeps the dual-number passes and [`crate::check`]
//! the dot-product tests, each calling into this module for anything Jacobian-shaped. The
//! public paths are the old ones: `tygrad::forward::{ArrayNumel, Jacobian}` and
//! `tygrad::check::JacobianCheck` are re-exports.

mod build;
pub(crate) mod multi;

pub use build::JacobianCheck;

use crate::check::relative_difference;
use crate::forward::dot;
use crate::scalar::Float;
use crate::shape::TypedNumel;
use crate::tensor::Tensor;
use generic_array::{ArrayLength, GenericArray};
use std::fmt;
use std::marker::PhantomData;
use std::ops::{Index, IndexMut};

/// A shape whose element count is a [`typenum`] number that can size a
/// [`GenericArray`]: the shapes a [`Jacobian`] can be built over (every shape whose dims are
/// within typenum's range). Implemented automatically.
///
/// ```
/// use tygrad::prelude::*;
/// fn rows<Out: ArrayNumel, In: ArrayNumel>(j: &Jacobian<Out, In>) -> usize { j.nrows() }
/// Graph::with(|g| {
///     let x = g.param(Tensor::<Rank1<3>>::ones());
///     assert_eq!(rows(&(x * 2.0).jacobian_fwd(x)), 3);
/// });
/// ```
pub trait ArrayNumel: TypedNumel<Numel: ArrayLength> {}
impl<S> ArrayNumel for S
where
    S: TypedNumel,
    S::Numel: ArrayLength,
{
}

/// One row of a Jacobian: `numel(In)` entries, sized by typenum.
type Row<In, F> = GenericArray<F, <In as TypedNumel>::Numel>;

/// A Jacobian `d out / d in`: `numel(Out)` rows by `numel(In)` columns, both sizes in the
/// type (a [`GenericArray`] of rows), indexed `[(row, column)]` with row-major flat indices
/// of the output and input tensors. A Hessian is a `Jacobian<S, S>`.
///
/// ```
/// use tygrad::prelude::*;
/// Graph::with(|g| {
///     let x = g.param(Tensor::<Rank1<2>>::from([1.0, 2.0]));
///     let y = x * x;
///     let j: Jacobian<Rank1<2>, Rank1<2>> = y.jacobian_fwd(x);
///     assert_eq!((j[(0, 0)], j[(0, 1)], j[(1, 1)]), (2.0, 0.0, 4.0));
///     assert_eq!(j.to_dmatrix(), nalgebra::dmatrix![2.0, 0.0; 0.0, 4.0]);
/// });
/// ```
pub struct Jacobian<Out: ArrayNumel, In: ArrayNumel, F: Float = f64> {
    /// `numel(Out)` rows, on the heap: a `Rank1<1024> -> Rank1<1024>` Jacobian is 8 MiB,
    /// more than a thread's stack.
    rows: Vec<Row<In, F>>,
    shapes: PhantomData<(Out, In)>,
}

impl<Out: ArrayNumel, In: ArrayNumel, F: Float> Jacobian<Out, In, F> {
    /// The all-zero Jacobian.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// let j = Jacobian::<Rank1<2>, Rank0>::zeros();
    /// assert_eq!((j.nrows(), j.ncols(), j[(1, 0)]), (2, 1, 0.0));
    /// ```
    pub fn zeros() -> Self {
        Jacobian {
            rows: (0..Out::NUMEL).map(|_| GenericArray::default()).collect(),
            shapes: PhantomData,
        }
    }

    /// The Jacobian whose column `j` is `column(j)` (`numel(Out)` entries), computed in order
    /// `j = 0, 1, ...`: how forward mode and finite differences build it, one input
    /// direction at a time.
    pub(crate) fn from_columns<C: IntoIterator<Item = F>>(
        mut column: impl FnMut(usize) -> C,
    ) -> Self {
        let mut jacobian = Self::zeros();
        for j in 0..In::NUMEL {
            for (row, c) in jacobian.rows.iter_mut().zip(column(j)) {
                row[j] = c;
            }
        }
        jacobian
    }

    /// The Jacobian whose row `i` is written by `row(i, row)` into a zeroed row, in order
    /// `i = 0, 1, ...`: how reverse mode builds it, one output direction at a time.
    pub(crate) fn from_rows(mut row: impl FnMut(usize, &mut [F])) -> Self {
        let mut jacobian = Self::zeros();
        for (i, r) in jacobian.rows.iter_mut().enumerate() {
            row(i, r);
        }
        jacobian
    }

    /// Number of rows: the output's element count.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// assert_eq!(Jacobian::<Rank2<2, 3>, Rank0>::zeros().nrows(), 6);
    /// ```
    pub fn nrows(&self) -> usize {
        Out::NUMEL
    }

    /// Number of columns: the input's element count.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// assert_eq!(Jacobian::<Rank0, Rank1<4>>::zeros().ncols(), 4);
    /// ```
    pub fn ncols(&self) -> usize {
        In::NUMEL
    }

    /// The rows (`numel(Out)` of them, kept on the heap), each a typenum-sized array.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank1<2>>::from([3.0, 4.0]));
    ///     let j = (x * x).sum().jacobian_rev(x);
    ///     assert_eq!(j.rows()[0].as_slice(), &[6.0, 8.0]);
    /// });
    /// ```
    pub fn rows(&self) -> &[Row<In, F>] {
        &self.rows
    }

    /// Row `i`: the derivatives of output element `i` with respect to every input element
    /// (the gradient of that element).
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank1<2>>::from([3.0, 4.0]));
    ///     assert_eq!((x * x).jacobian_fwd(x).row(1), &[0.0, 8.0]);
    /// });
    /// ```
    pub fn row(&self, i: usize) -> &[F] {
        &self.rows[i]
    }

    /// Row `i`, to write in place.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// let mut j = Jacobian::<Rank1<2>, Rank1<2>>::zeros();
    /// j.row_mut(1).copy_from_slice(&[5.0, 6.0]);
    /// assert_eq!(j[(1, 0)], 5.0);
    /// ```
    pub fn row_mut(&mut self, i: usize) -> &mut [F] {
        &mut self.rows[i]
    }

    /// The Jacobian as an nalgebra matrix (`numel(Out) x numel(In)`).
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank1<2>>::from([3.0, 4.0]));
    ///     let m = (x * 2.0).sum().jacobian_fwd(x).to_dmatrix();
    ///     assert_eq!(m, nalgebra::dmatrix![2.0, 2.0]);
    /// });
    /// ```
    pub fn to_dmatrix(&self) -> nalgebra::DMatrix<F> {
        nalgebra::DMatrix::from_fn(Out::NUMEL, In::NUMEL, |i, j| self.rows[i][j])
    }

    /// The Jacobian-vector product `J u` (what one forward-mode pass computes).
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank1<2>>::from([3.0, 4.0]));
    ///     let j = (x * x).jacobian_fwd(x);
    ///     assert_eq!(j.mul_tensor(&Tensor::from([1.0, 1.0])).as_slice(), &[6.0, 8.0]);
    /// });
    /// ```
    pub fn mul_tensor(&self, u: &Tensor<In, F>) -> Tensor<Out, F> {
        let data = self.rows.iter().map(|row| dot(row, u.as_slice())).collect();
        Tensor::from_vec_unchecked(data)
    }

    /// The vector-Jacobian product `Jᵀ seed` (what one backward call accumulates).
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank1<3>>::from([2.0, 2.0, 2.0]));
    ///     let j = (x * 2.0).jacobian_fwd(x);
    ///     let grad = j.transpose_mul(&Tensor::from([0.1, 1.0, 10.0]));
    ///     assert_eq!(grad.as_slice(), &[0.2, 2.0, 20.0]);
    /// });
    /// ```
    pub fn transpose_mul(&self, seed: &Tensor<Out, F>) -> Tensor<In, F> {
        let mut data = vec![F::zero(); In::NUMEL];
        for (row, &s) in self.rows.iter().zip(seed.as_slice()) {
            for (d, &j) in data.iter_mut().zip(row.iter()) {
                *d += s * j;
            }
        }
        Tensor::from_vec_unchecked(data)
    }

    /// The largest entry, in absolute value (0 for an empty or all-zero Jacobian).
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank1<2>>::from([3.0, -4.0]));
    ///     assert_eq!((x * x).jacobian_fwd(x).max_abs(), 8.0);
    /// });
    /// ```
    pub fn max_abs(&self) -> f64 {
        self.entries().fold(0.0, |m, x| m.max(x.as_f64().abs()))
    }

    /// The norm-wise relative difference to `other`: the largest entry-wise difference over
    /// the largest entry of either Jacobian (0 when both are zero, NaN if any entry is NaN).
    /// Measuring against the largest entry keeps rounding in tiny entries from counting as
    /// disagreement.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank1<2>>::from([0.3, 0.7]));
    ///     let y = x.sin() * x.exp();
    ///     assert!(y.jacobian_fwd(x).relative_error(&y.jacobian_rev(x)) < 1e-12);
    /// });
    /// ```
    pub fn relative_error(&self, other: &Self) -> f64 {
        relative_difference(
            self.max_difference(other),
            self.max_abs().max(other.max_abs()),
        )
    }

    /// The difference to a finite-difference Jacobian `fd`: the largest entry-wise difference
    /// over the largest entry of either Jacobian, but over no less than 1 (NaN if any entry
    /// is NaN). Finite differences carry rounding noise of order `ε |f| / h` that does not
    /// shrink with the derivative, so a purely relative measure would fail a correct
    /// gradient whose entries all happen to be tiny; below 1 the measure is absolute.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank1<2>>::from([0.3, 0.7]));
    ///     let y = (x * 1e-9).sin();
    ///     assert!(y.jacobian_fwd(x).fd_error(&y.jacobian_fd(x)) < 1e-6);
    /// });
    /// ```
    pub fn fd_error(&self, fd: &Self) -> f64 {
        self.max_difference(fd) / self.max_abs().max(fd.max_abs()).max(1.0)
    }

    /// The largest entry-wise difference, NaN if any difference is NaN.
    fn max_difference(&self, other: &Self) -> f64 {
        let mut diff = 0.0f64;
        for (a, b) in self.entries().zip(other.entries()) {
            let d = (a.as_f64() - b.as_f64()).abs();
            if d.is_nan() {
                return f64::NAN;
            }
            diff = diff.max(d);
        }
        diff
    }

    /// Every entry, row by row.
    fn entries(&self) -> impl Iterator<Item = F> + '_ {
        self.rows.iter().flat_map(|row| row.iter().copied())
    }
}

impl<Out: ArrayNumel, In: ArrayNumel, F: Float> Index<(usize, usize)> for Jacobian<Out, In, F> {
    type Output = F;
    fn index(&self, (i, j): (usize, usize)) -> &F {
        &self.rows[i][j]
    }
}

impl<Out: ArrayNumel, In: ArrayNumel, F: Float> IndexMut<(usize, usize)> for Jacobian<Out, In, F> {
    fn index_mut(&mut self, (i, j): (usize, usize)) -> &mut F {
        &mut self.rows[i][j]
    }
}

impl<Out: ArrayNumel, In: ArrayNumel, F: Float> Clone for Jacobian<Out, In, F> {
    fn clone(&self) -> Self {
        Jacobian {
            rows: self.rows.clone(),
            shapes: PhantomData,
        }
    }
}

impl<Out: ArrayNumel, In: ArrayNumel, F: Float> PartialEq for Jacobian<Out, In, F> {
    fn eq(&self, other: &Self) -> bool {
        self.rows == other.rows
    }
}

impl<Out: ArrayNumel, In: ArrayNumel, F: Float> fmt::Display for Jacobian<Out, In, F> {
    /// `jacobian([[a, b], [c, d]])`, four decimals unless a precision is given.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let precision = f.precision().unwrap_or(4);
        write!(f, "jacobian([")?;
        for (i, row) in self.rows.iter().enumerate() {
            write!(f, "{}[", if i > 0 { ", " } else { "" })?;
            for (j, x) in row.iter().enumerate() {
                write!(f, "{}{:.precision$}", if j > 0 { ", " } else { "" }, x)?;
            }
            write!(f, "]")?;
        }
        write!(f, "])")
    }
}

impl<Out: ArrayNumel, In: ArrayNumel, F: Float> fmt::Debug for Jacobian<Out, In, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Jacobian<{:?}, {:?}>{}", Out::DIMS, In::DIMS, self)
    }
}
