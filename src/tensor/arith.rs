//! Arithmetic on tensors, elementwise: `a + b`, `a - b`, `a * b`, `a / b` for tensors of one
//! shape (owned or borrowed), `-a`, and a scalar on either side (`a * c`, `c * a`, ...), plus
//! the compound assignments. An update such as `x - 0.1 * dx` needs no graph.
//!
//! Operands of two shapes are rejected with [`SameShape`]'s message, as for nodes.

// One macro writes every operator from its symbol, so `*a = *a + c` stands for each `op=`.
#![allow(clippy::assign_op_pattern)]

use super::Tensor;
use crate::scalar::Float;
use crate::shape::{SameShape, Shape};
use std::ops::{Add, AddAssign, Div, DivAssign, Mul, MulAssign, Neg, Sub, SubAssign};

/// `tensor (op) tensor` in each ownership combination and `tensor (op) scalar` on the
/// right, generic over the float; `scalar (op) tensor` for `f64` and `f32`.
macro_rules! tensor_arithmetic {
    ($($trait:ident, $method:ident, $assign:ident, $assign_method:ident, $op:tt;)*) => {$(
        impl<S: Shape, S2: Shape, F: Float> $trait<&Tensor<S2, F>> for &Tensor<S, F>
        where
            S: SameShape<S2>,
        {
            type Output = Tensor<S, F>;
            fn $method(self, rhs: &Tensor<S2, F>) -> Tensor<S, F> {
                let data = self.iter().zip(rhs.iter()).map(|(&a, &b)| a $op b).collect();
                Tensor::from_vec_unchecked(data)
            }
        }
        impl<S: Shape, S2: Shape, F: Float> $trait<Tensor<S2, F>> for Tensor<S, F>
        where
            S: SameShape<S2>,
        {
            type Output = Tensor<S, F>;
            fn $method(self, rhs: Tensor<S2, F>) -> Tensor<S, F> {
                &self $op &rhs
            }
        }
        impl<S: Shape, S2: Shape, F: Float> $trait<&Tensor<S2, F>> for Tensor<S, F>
        where
            S: SameShape<S2>,
        {
            type Output = Tensor<S, F>;
            fn $method(self, rhs: &Tensor<S2, F>) -> Tensor<S, F> {
                &self $op rhs
            }
        }
        impl<S: Shape, S2: Shape, F: Float> $trait<Tensor<S2, F>> for &Tensor<S, F>
        where
            S: SameShape<S2>,
        {
            type Output = Tensor<S, F>;
            fn $method(self, rhs: Tensor<S2, F>) -> Tensor<S, F> {
                self $op &rhs
            }
        }
        impl<S: Shape, F: Float> $trait<F> for &Tensor<S, F> {
            type Output = Tensor<S, F>;
            fn $method(self, c: F) -> Tensor<S, F> {
                self.map(|a| a $op c)
            }
        }
        impl<S: Shape, F: Float> $trait<F> for Tensor<S, F> {
            type Output = Tensor<S, F>;
            fn $method(mut self, c: F) -> Tensor<S, F> {
                self.iter_mut().for_each(|a| *a = *a $op c);
                self
            }
        }
        impl<S: Shape, S2: Shape, F: Float> $assign<&Tensor<S2, F>> for Tensor<S, F>
        where
            S: SameShape<S2>,
        {
            fn $assign_method(&mut self, rhs: &Tensor<S2, F>) {
                self.iter_mut().zip(rhs.iter()).for_each(|(a, &b)| *a = *a $op b);
            }
        }
        impl<S: Shape, F: Float> $assign<F> for Tensor<S, F> {
            fn $assign_method(&mut self, c: F) {
                self.iter_mut().for_each(|a| *a = *a $op c);
            }
        }
        tensor_arithmetic!(@left $trait, $method, $op, f64);
        tensor_arithmetic!(@left $trait, $method, $op, f32);
    )*};
    (@left $trait:ident, $method:ident, $op:tt, $float:ty) => {
        impl<S: Shape> $trait<&Tensor<S, $float>> for $float {
            type Output = Tensor<S, $float>;
            fn $method(self, t: &Tensor<S, $float>) -> Tensor<S, $float> {
                t.map(|a| self $op a)
            }
        }
        impl<S: Shape> $trait<Tensor<S, $float>> for $float {
            type Output = Tensor<S, $float>;
            fn $method(self, mut t: Tensor<S, $float>) -> Tensor<S, $float> {
                t.iter_mut().for_each(|a| *a = self $op *a);
                t
            }
        }
    };
}

tensor_arithmetic! {
    Add, add, AddAssign, add_assign, +;
    Sub, sub, SubAssign, sub_assign, -;
    Mul, mul, MulAssign, mul_assign, *;
    Div, div, DivAssign, div_assign, /;
}

/// `-a`, elementwise.
///
/// ```
/// use tygrad::prelude::*;
/// let a = Tensor::<Rank1<2>>::from([1.0, -2.0]);
/// assert_eq!((-&a).as_slice(), &[-1.0, 2.0]);
/// assert_eq!((-a).as_slice(), &[-1.0, 2.0]);
/// ```
impl<S: Shape, F: Float> Neg for &Tensor<S, F> {
    type Output = Tensor<S, F>;
    fn neg(self) -> Tensor<S, F> {
        self.map(|a| -a)
    }
}

/// `-a`, elementwise (see `-&a`).
impl<S: Shape, F: Float> Neg for Tensor<S, F> {
    type Output = Tensor<S, F>;
    fn neg(self) -> Tensor<S, F> {
        -&self
    }
}

#[cfg(test)]
mod tests {
    use crate::prelude::*;

    #[test]
    fn tensor_arithmetic_elementwise_and_with_scalars() {
        let x = Tensor::<Rank1<3>>::from([1.0, 2.0, 3.0]);
        let dx = Tensor::<Rank1<3>>::from([10.0, -10.0, 0.5]);
        assert_eq!((&x - 0.1 * &dx).as_slice(), &[0.0, 3.0, 2.95]);
        assert_eq!((&x * &dx).as_slice(), &[10.0, -20.0, 1.5]);
        assert_eq!((&dx / &x).as_slice(), &[10.0, -5.0, 0.5 / 3.0]);
        assert_eq!((x.clone() + dx.clone()).as_slice(), &[11.0, -8.0, 3.5]);
        assert_eq!((1.0 - &x).as_slice(), &[0.0, -1.0, -2.0]);
        assert_eq!((6.0 / x.clone()).as_slice(), &[6.0, 3.0, 2.0]);
        assert_eq!((x.clone() / 2.0).as_slice(), &[0.5, 1.0, 1.5]);
        let mut y = x.clone();
        y -= &dx;
        y *= 2.0;
        y += 1.0;
        y /= &Tensor::full(2.0);
        assert_eq!(y.as_slice(), &[-8.5, 12.5, 3.0]);
        let m = Tensor::<Rank2<2, 2>, f32>::from([[1.0, 2.0], [3.0, 4.0]]);
        assert_eq!((2.0f32 * &m - &m).as_slice(), m.as_slice());
    }

    #[test]
    fn generic_over_the_float() {
        fn step<F: Float, S: Shape>(x: &Tensor<S, F>, dx: &Tensor<S, F>, lr: F) -> Tensor<S, F> {
            x - &(dx * lr)
        }
        let x = Tensor::<Rank1<2>, f32>::from([1.0, 2.0]);
        assert_eq!(step(&x, &x, 0.5).as_slice(), &[0.5, 1.0]);
    }
}
