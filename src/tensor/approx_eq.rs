//! Approximate equality of tensors for the `approx` crate's macros, element by element
//! (absolute difference, relative difference, units in the last place).

use super::Tensor;
use crate::shape::Shape;

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
