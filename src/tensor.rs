//! Owned tensors whose shape is part of their type.

use crate::shape::{Rank0, Rank1, Rank2, Rank3, Rank4, Shape};
use nalgebra::{SMatrix, SVector};
use std::fmt;
use std::marker::PhantomData;
use std::ops::{Index, IndexMut};

/// The error returned when a slice or vector has the wrong number of elements for a shape.
///
/// ```
/// use tygrad::prelude::*;
/// use tygrad::tensor::ShapeError;
/// let err: ShapeError = Tensor::<Rank2<2, 3>>::from_slice(&[1.0; 5]).unwrap_err();
/// assert_eq!((err.expected, err.found), (6, 5));
/// assert_eq!(
///     err.to_string(),
///     "a tensor of shape [2, 3] needs 6 elements, but the slice has 5"
/// );
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShapeError {
    /// The number of elements the shape needs (`S::NUMEL`).
    pub expected: usize,
    /// The number of elements given.
    pub found: usize,
    /// The dims of the target shape (`S::DIMS`), for the message.
    pub dims: &'static [usize],
}

impl fmt::Display for ShapeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plural = if self.expected == 1 { "" } else { "s" };
        write!(
            f,
            "a tensor of shape {:?} needs {} element{plural}, but the slice has {}",
            self.dims, self.expected, self.found
        )
    }
}

impl std::error::Error for ShapeError {}

/// An owned tensor of shape `S` with elements of type `T` (default `f64`), stored row-major.
///
/// ```
/// use tygrad::prelude::*;
/// let t = Tensor::<Rank2<2, 2>>::from([[1.0, 2.0], [3.0, 4.0]]);
/// assert_eq!(t.as_slice(), &[1.0, 2.0, 3.0, 4.0]);
/// ```
#[derive(Clone, PartialEq)]
pub struct Tensor<S: Shape, T = f64> {
    data: Vec<T>,
    shape: PhantomData<S>,
}

impl<S: Shape, T> Tensor<S, T> {
    /// Wraps a vector already known to hold `S::NUMEL` elements.
    pub(crate) fn from_vec_unchecked(data: Vec<T>) -> Self {
        debug_assert_eq!(data.len(), S::NUMEL);
        Tensor {
            data,
            shape: PhantomData,
        }
    }

    /// The elements in row-major order.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// assert_eq!(Tensor::<Rank1<2>>::from([1.0, 2.0]).as_slice(), &[1.0, 2.0]);
    /// ```
    pub fn as_slice(&self) -> &[T] {
        &self.data
    }

    /// The elements in row-major order, mutably.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// let mut t = Tensor::<Rank1<2>>::zeros();
    /// t.as_mut_slice()[1] = 5.0;
    /// assert_eq!(t.as_slice(), &[0.0, 5.0]);
    /// ```
    pub fn as_mut_slice(&mut self) -> &mut [T] {
        &mut self.data
    }
}

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
        S::Index: Default + AsMut<[usize]>,
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

    /// The elements in row-major order, as a vector.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// let t = Tensor::<Rank2<2, 2>>::from([[1.0, 2.0], [3.0, 4.0]]);
    /// assert_eq!(t.into_vec(), vec![1.0, 2.0, 3.0, 4.0]);
    /// ```
    pub fn into_vec(self) -> Vec<T> {
        self.data
    }

    /// The number of elements, `S::NUMEL`.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// assert_eq!(Tensor::<Rank3<2, 3, 4>>::zeros().numel(), 24);
    /// assert_eq!(Tensor::<Rank0>::from(1.0).numel(), 1);
    /// ```
    pub const fn numel(&self) -> usize {
        S::NUMEL
    }

    /// The dims, outermost first, `S::DIMS`.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// assert_eq!(Tensor::<Rank2<2, 3>>::zeros().shape(), &[2, 3]);
    /// assert!(Tensor::<Rank0>::from(1.0).shape().is_empty());
    /// ```
    pub const fn shape(&self) -> &'static [usize] {
        S::DIMS
    }

    /// The element at a multi-index, or `None` if it is out of range.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// let t = Tensor::<Rank2<2, 2>>::from([[1.0, 2.0], [3.0, 4.0]]);
    /// assert_eq!(t.get([0, 1]), Some(&2.0));
    /// assert_eq!(t.get([2, 0]), None);
    /// ```
    pub fn get(&self, index: S::Index) -> Option<&T> {
        S::flat_index(index).map(|i| &self.data[i])
    }

    /// The element at a multi-index mutably, or `None` if it is out of range.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// let mut t = Tensor::<Rank2<2, 2>>::zeros();
    /// *t.get_mut([1, 0]).unwrap() = 7.0;
    /// assert_eq!(t.as_slice(), &[0.0, 0.0, 7.0, 0.0]);
    /// assert!(t.get_mut([0, 2]).is_none());
    /// ```
    pub fn get_mut(&mut self, index: S::Index) -> Option<&mut T> {
        S::flat_index(index).map(|i| &mut self.data[i])
    }

    /// An iterator over the elements in row-major order.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// let t = Tensor::<Rank2<2, 2>>::from([[1.0, 2.0], [3.0, 4.0]]);
    /// assert_eq!(t.iter().sum::<f64>(), 10.0);
    /// ```
    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.data.iter()
    }

    /// A mutable iterator over the elements in row-major order.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// let mut t = Tensor::<Rank1<3>>::ones();
    /// t.iter_mut().for_each(|x| *x *= 2.0);
    /// assert_eq!(t.as_slice(), &[2.0; 3]);
    /// ```
    pub fn iter_mut(&mut self) -> std::slice::IterMut<'_, T> {
        self.data.iter_mut()
    }

    /// A new tensor of the same shape with `f` applied to each element.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// let t = Tensor::<Rank1<3>>::from([1.0, 2.0, 3.0]);
    /// let u: Tensor<Rank1<3>, bool> = t.map(|x| x > 1.5);
    /// assert_eq!(u.as_slice(), &[false, true, true]);
    /// ```
    pub fn map<U, F>(&self, f: F) -> Tensor<S, U>
    where
        T: Clone,
        F: FnMut(T) -> U,
    {
        Tensor::from_vec_unchecked(self.data.iter().cloned().map(f).collect())
    }

    /// A new tensor of the same shape with `f` applied to each pair of elements of `self`
    /// and `other` at the same position.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// let a = Tensor::<Rank1<3>>::from([1.0, 2.0, 3.0]);
    /// let b = Tensor::<Rank1<3>>::from([10.0, 20.0, 30.0]);
    /// assert_eq!(a.zip_map(&b, |x, y| x + y).as_slice(), &[11.0, 22.0, 33.0]);
    /// ```
    pub fn zip_map<U, V, F>(&self, other: &Tensor<S, U>, mut f: F) -> Tensor<S, V>
    where
        T: Clone,
        U: Clone,
        F: FnMut(T, U) -> V,
    {
        Tensor::from_vec_unchecked(
            self.data
                .iter()
                .zip(&other.data)
                .map(|(a, b)| f(a.clone(), b.clone()))
                .collect(),
        )
    }
}

/// Iterates over the elements in row-major order.
///
/// ```
/// use tygrad::prelude::*;
/// let t = Tensor::<Rank1<3>>::from([1.0, 2.0, 3.0]);
/// let mut total = 0.0;
/// for x in &t {
///     total += x;
/// }
/// assert_eq!(total, 6.0);
/// ```
impl<'a, S: Shape, T> IntoIterator for &'a Tensor<S, T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.data.iter()
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

impl<T: Copy> Tensor<Rank0, T> {
    /// The value of a 0-d tensor.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// assert_eq!(Tensor::<Rank0>::from(27.0).item(), 27.0);
    /// ```
    pub fn item(&self) -> T {
        self.data[0]
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

/// Plain `usize` indexing into a vector.
///
/// ```
/// use tygrad::prelude::*;
/// let t = Tensor::<Rank1<3>>::from([1.0, 2.0, 3.0]);
/// assert_eq!(t[2], 3.0);
/// ```
impl<const N: usize, T> Index<usize> for Tensor<Rank1<N>, T> {
    type Output = T;
    fn index(&self, i: usize) -> &T {
        match self.data.get(i) {
            Some(x) => x,
            None => panic!("index {i} is out of bounds for shape [{N}]"),
        }
    }
}

/// Plain mutable `usize` indexing into a vector.
///
/// ```
/// use tygrad::prelude::*;
/// let mut t = Tensor::<Rank1<3>>::zeros();
/// t[1] = 5.0;
/// assert_eq!(t.as_slice(), &[0.0, 5.0, 0.0]);
/// ```
impl<const N: usize, T> IndexMut<usize> for Tensor<Rank1<N>, T> {
    fn index_mut(&mut self, i: usize) -> &mut T {
        match self.data.get_mut(i) {
            Some(x) => x,
            None => panic!("index {i} is out of bounds for shape [{N}]"),
        }
    }
}

impl<S: Shape, T> Index<[usize; 0]> for Tensor<S, T>
where
    S: Shape<Index = [usize; 0]>,
{
    type Output = T;
    fn index(&self, _: [usize; 0]) -> &T {
        &self.data[0]
    }
}

macro_rules! impl_index {
    ($($r:literal),*) => {$(
        impl<S: Shape<Index = [usize; $r]>, T> Index<[usize; $r]> for Tensor<S, T> {
            type Output = T;
            fn index(&self, index: [usize; $r]) -> &T {
                match S::flat_index(index) {
                    Some(i) => &self.data[i],
                    None => panic!("index {index:?} is out of bounds for shape {:?}", S::DIMS),
                }
            }
        }
        impl<S: Shape<Index = [usize; $r]>, T> IndexMut<[usize; $r]> for Tensor<S, T> {
            fn index_mut(&mut self, index: [usize; $r]) -> &mut T {
                match S::flat_index(index) {
                    Some(i) => &mut self.data[i],
                    None => panic!("index {index:?} is out of bounds for shape {:?}", S::DIMS),
                }
            }
        }
    )*};
}
impl_index!(1, 2, 3, 4);

impl<S: Shape, T: fmt::Debug> fmt::Debug for Tensor<S, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Tensor<{:?}>({:?})", S::DIMS, self.data)
    }
}

/// Writes `data` (of the given dims) as nested brackets, each element formatted by `elem`.
fn write_nested<T>(
    f: &mut fmt::Formatter<'_>,
    data: &[T],
    dims: &[usize],
    elem: &dyn Fn(&mut fmt::Formatter<'_>, &T) -> fmt::Result,
) -> fmt::Result {
    match dims.split_first() {
        None => elem(f, &data[0]),
        Some((&n, rest)) => {
            let stride: usize = rest.iter().product();
            write!(f, "[")?;
            for i in 0..n {
                if i > 0 {
                    write!(f, ", ")?;
                }
                write_nested(f, &data[i * stride..(i + 1) * stride], rest, elem)?;
            }
            write!(f, "]")
        }
    }
}

/// Prints like PyTorch: `tensor([[4.5000, 4.5000], [4.5000, 4.5000]])`, four decimals unless
/// a precision is given (`{:.2}`).
impl<S: Shape, T: fmt::Display> fmt::Display for Tensor<S, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let precision = f.precision().unwrap_or(4);
        write!(f, "tensor(")?;
        write_nested(f, &self.data, S::DIMS, &|f, x| write!(f, "{x:.precision$}"))?;
        write!(f, ")")
    }
}

/// Elementwise absolute-difference equality, for `approx::assert_abs_diff_eq!`.
///
/// ```
/// use tygrad::prelude::*;
/// let a = Tensor::<Rank1<2>>::from([1.0, 2.0]);
/// let b = Tensor::<Rank1<2>>::from([1.0, 2.0 + 1e-10]);
/// approx::assert_abs_diff_eq!(a, b, epsilon = 1e-9);
/// approx::assert_abs_diff_ne!(a, b, epsilon = 1e-11);
/// ```
impl<S: Shape + PartialEq, T: approx::AbsDiffEq> approx::AbsDiffEq for Tensor<S, T>
where
    T::Epsilon: Clone,
{
    type Epsilon = T::Epsilon;

    fn default_epsilon() -> T::Epsilon {
        T::default_epsilon()
    }

    fn abs_diff_eq(&self, other: &Self, epsilon: T::Epsilon) -> bool {
        self.data
            .iter()
            .zip(&other.data)
            .all(|(a, b)| a.abs_diff_eq(b, epsilon.clone()))
    }
}

/// Elementwise relative equality, for `approx::assert_relative_eq!`.
///
/// ```
/// use tygrad::prelude::*;
/// let a = Tensor::<Rank2<1, 2>>::from([[1.0, 1e6]]);
/// let b = Tensor::<Rank2<1, 2>>::from([[1.0, 1e6 + 1e-4]]);
/// approx::assert_relative_eq!(a, b, epsilon = 1e-12, max_relative = 1e-9);
/// approx::assert_relative_ne!(a, b, epsilon = 1e-12, max_relative = 1e-12);
/// ```
impl<S: Shape + PartialEq, T: approx::RelativeEq> approx::RelativeEq for Tensor<S, T>
where
    T::Epsilon: Clone,
{
    fn default_max_relative() -> T::Epsilon {
        T::default_max_relative()
    }

    fn relative_eq(&self, other: &Self, epsilon: T::Epsilon, max_relative: T::Epsilon) -> bool {
        self.data
            .iter()
            .zip(&other.data)
            .all(|(a, b)| a.relative_eq(b, epsilon.clone(), max_relative.clone()))
    }
}

/// Elementwise equality up to units in the last place, for `approx::assert_ulps_eq!`.
///
/// ```
/// use tygrad::prelude::*;
/// let a = Tensor::<Rank1<2>>::from([1.0, 0.1 + 0.2]);
/// let b = Tensor::<Rank1<2>>::from([1.0, 0.3]);
/// approx::assert_ulps_eq!(a, b, max_ulps = 1);
/// assert_ne!(a, b);
/// ```
impl<S: Shape + PartialEq, T: approx::UlpsEq> approx::UlpsEq for Tensor<S, T>
where
    T::Epsilon: Clone,
{
    fn default_max_ulps() -> u32 {
        T::default_max_ulps()
    }

    fn ulps_eq(&self, other: &Self, epsilon: T::Epsilon, max_ulps: u32) -> bool {
        self.data
            .iter()
            .zip(&other.data)
            .all(|(a, b)| a.ulps_eq(b, epsilon.clone(), max_ulps))
    }
}

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
