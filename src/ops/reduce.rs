//! Reductions of all elements to a scalar: sum, mean, max, min, the L2 norm, and the dot
//! product of two nodes of the same shape.
//!
//! Shape rule: `Var<S> -> Var<Rank0>` (and `Var<S> . Var<S> -> Var<Rank0>` for `dot`).
//! Reductions along one axis of a matrix live in `axis`.

use super::math::stable_norm;
use super::{GradWrite, Op, Rule, VjpIn};
use crate::graph::{Kind, Var};
use crate::scalar::{Elem, Float};
use crate::shape::{Rank0, Shape};

/// A reduction of all elements to one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Reduce {
    Sum,
    Mean,
    Max,
    Min,
    /// The L2 (Euclidean) norm.
    Norm,
    /// `sum(a * b)` of two inputs of the same shape.
    Dot,
}

/// The position of the first largest (`largest = true`) or first smallest element; a NaN
/// element wins over any number (so a NaN input gives a NaN result, as `torch.max`).
/// `None` for an empty input.
pub(crate) fn arg_extreme<F: Float, T: Elem<F>>(x: &[T], largest: bool) -> Option<usize> {
    let mut best = 0;
    let mut best_value = x.first()?.real();
    for (i, xi) in x.iter().enumerate().skip(1) {
        if best_value.is_nan() {
            break;
        }
        let v = xi.real();
        let better = if largest {
            v > best_value
        } else {
            v < best_value
        };
        if better || v.is_nan() {
            best = i;
            best_value = v;
        }
    }
    Some(best)
}

/// Eight running partial sums: the additions of a single running sum wait on each other
/// (about 4 cycles each), eight independent ones keep the adder busy, and the rounding error
/// grows with `n / 8` rather than `n`. Below eight elements it is the plain left-to-right sum.
const LANES: usize = 8;

/// The sum of `x` over [`LANES`] partial sums (see there).
pub(crate) fn lane_sum<F: Float, T: Elem<F>>(x: &[T]) -> T {
    let chunks = x.chunks_exact(LANES);
    let rest = chunks.remainder();
    let mut acc = [T::zero(); LANES];
    for chunk in chunks {
        for (a, &xi) in acc.iter_mut().zip(chunk) {
            *a += xi;
        }
    }
    rest.iter().fold(combine(acc), |total, &xi| total + xi)
}

/// `sum(a * b)` over [`LANES`] partial sums (see there).
pub(crate) fn lane_dot<F: Float, T: Elem<F>>(a: &[T], b: &[T]) -> T {
    let (chunks_a, chunks_b) = (a.chunks_exact(LANES), b.chunks_exact(LANES));
    let rest = chunks_a.remainder().iter().zip(chunks_b.remainder());
    let mut acc = [T::zero(); LANES];
    for (ca, cb) in chunks_a.zip(chunks_b) {
        for ((s, &ai), &bi) in acc.iter_mut().zip(ca).zip(cb) {
            *s += ai * bi;
        }
    }
    rest.fold(combine(acc), |total, (&ai, &bi)| total + ai * bi)
}

/// The partial sums added pairwise.
fn combine<F: Float, T: Elem<F>>(acc: [T; LANES]) -> T {
    ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]))
}

impl<F: Float> Rule<F> for Reduce {
    fn label(&self) -> &'static str {
        match self {
            Self::Sum => "SumBackward",
            Self::Mean => "MeanBackward",
            Self::Max => "MaxBackward",
            Self::Min => "MinBackward",
            Self::Norm => "NormBackward",
            Self::Dot => "DotBackward",
        }
    }

    #[inline]
    fn eval<T: Elem<F>>(&self, inputs: &[&[T]], out: &mut [T]) {
        let x = inputs[0];
        let sum = || lane_sum(x);
        out[0] = match self {
            Self::Sum => sum(),
            Self::Mean => sum() / F::of_f64(x.len() as f64),
            // The value of the first extreme element itself, so that its tangent (and only
            // its) passes through, as in the VJP.
            Self::Max => arg_extreme(x, true).map_or(T::constant(F::neg_infinity()), |i| x[i]),
            Self::Min => arg_extreme(x, false).map_or(T::constant(F::infinity()), |i| x[i]),
            Self::Norm => stable_norm(x),
            Self::Dot => lane_dot(x, inputs[1]),
        };
    }

    #[inline]
    fn vjp<T: Elem<F>>(&self, k: usize, at: VjpIn<'_, T>, grad_in: &mut [T], write: GradWrite) {
        let VjpIn {
            inputs,
            out,
            grad_out,
        } = at;
        let g = grad_out[0];
        let x = inputs[0];
        match self {
            Self::Sum | Self::Mean => {
                let g = match self {
                    Self::Mean => g / F::of_f64(x.len() as f64),
                    _ => g,
                };
                write.fill(grad_in, g);
            }
            Self::Max | Self::Min => {
                write.prepare(grad_in);
                if let Some(i) = arg_extreme(x, matches!(self, Self::Max)) {
                    grad_in[i] += g;
                }
            }
            Self::Norm => {
                let norm = out[0];
                // x / |x|, and 0 at x = 0 (a subgradient; `sqrt` has no derivative there).
                let tiny = F::min_positive_value() / F::epsilon();
                if norm.real() >= tiny {
                    write.map(x, grad_in, |xi| g * xi / norm);
                } else if norm.real() != F::zero() {
                    // A norm near or below the normal range has lost its digits: the
                    // quotient by the largest magnitude `s`, `(x / s) / ‖x / s‖`, keeps them.
                    let scale = x.iter().fold(F::zero(), |m, xi| {
                        let a = num_traits::Float::abs(xi.real());
                        if a > m { a } else { m }
                    });
                    let scaled = x.iter().fold(T::zero(), |acc, &xi| {
                        let r = xi / scale;
                        acc + r * r
                    });
                    let root = scaled.sqrt();
                    write.map(x, grad_in, |xi| g * (xi / scale) / root);
                } else {
                    write.prepare(grad_in);
                }
            }
            Self::Dot => write.map(inputs[1 - k], grad_in, |o| g * o),
        }
    }

    fn uniform_share<T: Elem<F>>(&self, _k: usize, g: T, input_len: usize) -> Option<T> {
        match self {
            Self::Sum => Some(g),
            Self::Mean => Some(g / F::of_f64(input_len as f64)),
            _ => None,
        }
    }
}

impl<'g, S: Shape, F: Float, K: Kind> Var<'g, S, F, K> {
    fn reduce(self, op: Reduce) -> Var<'g, Rank0, F> {
        self.graph.push(Op::Reduce(op), &[self.id])
    }

    /// The sum of all elements, as a scalar node.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank2<2, 2>>::from([[1.0, 2.0], [3.0, 4.0]]));
    ///     let s = x.sum();
    ///     s.backward();
    ///     assert_eq!(s.item(), 10.0);
    ///     assert_eq!(x.grad(), Tensor::ones());
    /// });
    /// ```
    pub fn sum(self) -> Var<'g, Rank0, F> {
        self.reduce(Reduce::Sum)
    }

    /// The mean of all elements, as a scalar node.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank1<4>>::from([1.0, 2.0, 3.0, 6.0]));
    ///     let m = x.mean();
    ///     m.backward();
    ///     assert_eq!(m.item(), 3.0);
    ///     assert_eq!(x.grad(), Tensor::full(0.25));
    /// });
    /// ```
    pub fn mean(self) -> Var<'g, Rank0, F> {
        self.reduce(Reduce::Mean)
    }

    /// The largest element, as a scalar node. The gradient goes to the *first* largest
    /// element only (ties do not share it); a NaN element makes the result NaN.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank1<4>>::from([1.0, 5.0, 5.0, 2.0]));
    ///     let m = x.max();
    ///     m.backward();
    ///     assert_eq!(m.item(), 5.0);
    ///     assert_eq!(x.grad().as_slice(), &[0.0, 1.0, 0.0, 0.0]);
    /// });
    /// ```
    pub fn max(self) -> Var<'g, Rank0, F> {
        self.reduce(Reduce::Max)
    }

    /// The smallest element, as a scalar node. The gradient goes to the *first* smallest
    /// element only (ties do not share it); a NaN element makes the result NaN.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank1<3>>::from([3.0, -1.0, -1.0]));
    ///     let m = x.min();
    ///     m.backward();
    ///     assert_eq!(m.item(), -1.0);
    ///     assert_eq!(x.grad().as_slice(), &[0.0, 1.0, 0.0]);
    /// });
    /// ```
    pub fn min(self) -> Var<'g, Rank0, F> {
        self.reduce(Reduce::Min)
    }

    /// The L2 (Euclidean) norm `√(Σ xᵢ²)` of all elements, as a scalar node. Computed with a
    /// scale, so it neither overflows nor underflows for large or tiny elements. The gradient
    /// is `x / |x|`, and 0 at `x = 0` (where the norm has no derivative).
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank1<2>>::from([3.0, 4.0]));
    ///     let n = x.norm();
    ///     n.backward();
    ///     assert_eq!(n.item(), 5.0);
    ///     assert_eq!(x.grad().as_slice(), &[0.6, 0.8]);
    /// });
    /// ```
    pub fn norm(self) -> Var<'g, Rank0, F> {
        self.reduce(Reduce::Norm)
    }

    /// The dot product `Σ selfᵢ · otherᵢ` of two nodes of the same shape, as a scalar node.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let a = g.param(Tensor::<Rank1<3>>::from([1.0, 2.0, 3.0]));
    ///     let b = g.param(Tensor::<Rank1<3>>::from([4.0, 5.0, 6.0]));
    ///     let d = a.dot(b);
    ///     d.backward();
    ///     assert_eq!(d.item(), 32.0);
    ///     assert_eq!(a.grad().as_slice(), &[4.0, 5.0, 6.0]);
    ///     assert_eq!(b.grad().as_slice(), &[1.0, 2.0, 3.0]);
    /// });
    /// ```
    pub fn dot<K2: Kind>(self, other: Var<'g, S, F, K2>) -> Var<'g, Rank0, F> {
        self.graph
            .push(Op::Reduce(Reduce::Dot), &[self.id, other.id])
    }
}
