//! Owned tensors whose shape is part of their type.
//!
//! This file holds the [`Tensor`] type itself, its [`ShapeError`], and reading and writing
//! elements (slices, iterators, `map`, indexing by multi-index). The rest is split by what
//! it adds: `construct` makes tensors (constants, `from_fn`, checked slices and vectors,
//! nested arrays), `display` prints them, `approx_eq` compares them with the `approx`
//! crate, and `matrix` converts to and from nalgebra's static matrices and vectors.

mod approx_eq;
mod arith;
mod construct;
mod display;
mod matrix;

use crate::shape::{Rank0, Rank1, Shape};
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

/// Plain `usize` indexing into a vector.
///
/// ```
/// use tygrad::prelude::*;
/// let t = Tensor::<Rank1<3>>::from([1.0, 2.0, 3.0]);
/// assert_eq!(t[2], 3.0);
/// ```
impl<const N: usize, T> Index<usize> for Tensor<Rank1<N>, T> {
    type Output = T;
    #[track_caller]
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
    #[track_caller]
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
    #[track_caller]
    fn index(&self, _: [usize; 0]) -> &T {
        &self.data[0]
    }
}

macro_rules! impl_index {
    ($($r:literal),*) => {$(
        impl<S: Shape<Index = [usize; $r]>, T> Index<[usize; $r]> for Tensor<S, T> {
            type Output = T;
            #[track_caller]
            fn index(&self, index: [usize; $r]) -> &T {
                match S::flat_index(index) {
                    Some(i) => &self.data[i],
                    None => panic!("index {index:?} is out of bounds for shape {:?}", S::DIMS),
                }
            }
        }
        impl<S: Shape<Index = [usize; $r]>, T> IndexMut<[usize; $r]> for Tensor<S, T> {
            #[track_caller]
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
