//! Making tensors: constants (`full`, `ones`, `zeros`, `Default`), `from_fn` over
//! multi-indices, checked copies of slices and vectors (the [`ShapeError`] path), and
//! conversions from scalars and nested arrays up to rank 4.

use super::{ShapeError, Tensor};
use crate::shape::{Rank0, Rank1, Rank2, Rank3, Rank4, Shape};

impl<S: Shape, T> Tensor<S, T> {
    /// The error for a source of `found` elements.
    fn shape_error(found: usize) -> ShapeError {
        ShapeError {
            expected: S::NUMEL,
            found,
            dims: S::DIMS,
        }
    }

    /// A tensor with every element equal to `value`.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// let t = Tensor::<Rank2<2, 2>>::full(4.5);
    /// assert_eq!(t.as_slice(), &[4.5; 4]);
    /// ```
    pub fn full(value: T) -> Self
    where
        T: Clone,
    {
        Self::from_vec_unchecked(vec![value; S::NUMEL])
    }

    /// A tensor of ones.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// assert_eq!(Tensor::<Rank1<3>>::ones().as_slice(), &[1.0; 3]);
    /// ```
    pub fn ones() -> Self
    where
        T: Clone + num_traits::One,
    {
        Self::full(T::one())
    }

    /// A tensor whose element at each multi-index is `f(index)`; `f` is called once per
    /// element, in row-major order.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// let t = Tensor::<Rank2<2, 3>>::from_fn(|[i, j]| (10 * i + j) as f64);
    /// assert_eq!(t.as_slice(), &[0.0, 1.0, 2.0, 10.0, 11.0, 12.0]);
    /// ```
    pub fn from_fn<F>(mut f: F) -> Self
    where
        F: FnMut(S::Index) -> T,
    {
        let mut data = Vec::with_capacity(S::NUMEL);
        let mut index = S::Index::default();
        for flat in 0..S::NUMEL {
            if flat > 0 {
                // Advance the odometer: bump the innermost axis, carrying outwards.
                for (i, &d) in index.as_mut().iter_mut().zip(S::DIMS).rev() {
                    *i += 1;
                    if *i < d {
                        break;
                    }
                    *i = 0;
                }
            }
            data.push(f(index));
        }
        Self::from_vec_unchecked(data)
    }

    /// A tensor holding a copy of `data` (row-major), or an error if `data` does not have
    /// exactly `S::NUMEL` elements.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// let t = Tensor::<Rank2<2, 2>>::from_slice(&[1.0, 2.0, 3.0, 4.0]).unwrap();
    /// assert_eq!(t[[1, 0]], 3.0);
    /// assert!(Tensor::<Rank2<2, 2>>::from_slice(&[1.0, 2.0]).is_err());
    /// ```
    pub fn from_slice(data: &[T]) -> Result<Self, ShapeError>
    where
        T: Clone,
    {
        if data.len() == S::NUMEL {
            Ok(Self::from_vec_unchecked(data.to_vec()))
        } else {
            Err(Self::shape_error(data.len()))
        }
    }

    /// A tensor taking ownership of `data` (row-major), or an error if `data` does not have
    /// exactly `S::NUMEL` elements.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// let t = Tensor::<Rank1<3>>::from_vec(vec![1.0, 2.0, 3.0]).unwrap();
    /// assert_eq!(t.into_vec(), vec![1.0, 2.0, 3.0]);
    /// let err = Tensor::<Rank1<3>>::from_vec(vec![1.0]).unwrap_err();
    /// assert_eq!((err.expected, err.found), (3, 1));
    /// ```
    pub fn from_vec(data: Vec<T>) -> Result<Self, ShapeError> {
        if data.len() == S::NUMEL {
            Ok(Self::from_vec_unchecked(data))
        } else {
            Err(Self::shape_error(data.len()))
        }
    }
}

/// A tensor of zeros.
///
/// ```
/// use tygrad::prelude::*;
/// assert_eq!(Tensor::<Rank2<1, 2>>::default().as_slice(), &[0.0, 0.0]);
/// ```
impl<S: Shape, T: Clone + num_traits::Zero> Default for Tensor<S, T> {
    fn default() -> Self {
        Self::full(T::zero())
    }
}

impl<S: Shape, T: Copy + num_traits::Zero> Tensor<S, T> {
    /// A tensor of zeros.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// assert_eq!(Tensor::<Rank1<3>>::zeros().as_slice(), &[0.0; 3]);
    /// ```
    pub fn zeros() -> Self {
        Self::from_vec_unchecked(vec![T::zero(); S::NUMEL])
    }
}

impl<T> From<T> for Tensor<Rank0, T> {
    fn from(x: T) -> Self {
        Self::from_vec_unchecked(vec![x])
    }
}

impl<const N: usize, T> From<[T; N]> for Tensor<Rank1<N>, T> {
    fn from(a: [T; N]) -> Self {
        Self::from_vec_unchecked(Vec::from(a))
    }
}

impl<const M: usize, const N: usize, T> From<[[T; N]; M]> for Tensor<Rank2<M, N>, T> {
    fn from(a: [[T; N]; M]) -> Self {
        Self::from_vec_unchecked(a.into_iter().flatten().collect())
    }
}

/// A rank-3 tensor from nested arrays, outermost axis first.
///
/// ```
/// use tygrad::prelude::*;
/// let t = Tensor::<Rank3<2, 1, 2>>::from([[[1.0, 2.0]], [[3.0, 4.0]]]);
/// assert_eq!(t[[1, 0, 1]], 4.0);
/// assert_eq!(t.as_slice(), &[1.0, 2.0, 3.0, 4.0]);
/// ```
impl<const A: usize, const B: usize, const C: usize, T> From<[[[T; C]; B]; A]>
    for Tensor<Rank3<A, B, C>, T>
{
    fn from(a: [[[T; C]; B]; A]) -> Self {
        Self::from_vec_unchecked(a.into_iter().flatten().flatten().collect())
    }
}

/// A rank-4 tensor from nested arrays, outermost axis first.
///
/// ```
/// use tygrad::prelude::*;
/// let t = Tensor::<Rank4<1, 2, 1, 2>>::from([[[[1.0, 2.0]], [[3.0, 4.0]]]]);
/// assert_eq!(t[[0, 1, 0, 0]], 3.0);
/// assert_eq!(t.as_slice(), &[1.0, 2.0, 3.0, 4.0]);
/// ```
impl<const A: usize, const B: usize, const C: usize, const D: usize, T> From<[[[[T; D]; C]; B]; A]>
    for Tensor<Rank4<A, B, C, D>, T>
{
    fn from(a: [[[[T; D]; C]; B]; A]) -> Self {
        Self::from_vec_unchecked(a.into_iter().flatten().flatten().flatten().collect())
    }
}
