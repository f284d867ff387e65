//! Owned tensors whose shape is part of their type.

use crate::shape::{Rank0, Rank1, Rank2, Shape};
use std::fmt;
use std::marker::PhantomData;
use std::ops::{Index, IndexMut};

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

/// TEMPORARY until merge.
#[derive(Debug)]
pub struct ShapeError {
    /// expected
    pub expected: usize,
    /// found
    pub found: usize,
}
