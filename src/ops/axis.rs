//! Sums and means along one axis of a matrix, with the result's shape in the type.
//!
//! Shape rules, for `x: Rank2<M, N>` (`M` rows, `N` columns):
//! - `x.sum_axis0()`, `x.mean_axis0()` reduce axis 0 (down each column, over the rows):
//!   `Rank2<M, N> -> Rank1<N>`, one value per column (NumPy `x.sum(axis=0)`).
//! - `x.sum_axis1()`, `x.mean_axis1()` reduce axis 1 (along each row, over the columns):
//!   `Rank2<M, N> -> Rank1<M>`, one value per row (NumPy `x.sum(axis=1)`).
//!
//! The VJP repeats the output's adjoint along the reduced axis (divided by its length for a
//! mean).

use super::{GradWrite, Op, Rule, VjpIn};
use crate::graph::{Kind, Var};
use crate::scalar::{Elem, Float};
use crate::shape::{Rank1, Rank2};

/// A reduction along one axis of a row-major `m x n` matrix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct AxisReduce {
    /// The axis reduced: 0 (over the rows) or 1 (over the columns).
    pub(crate) axis: u8,
    /// Divide by the reduced axis's length.
    pub(crate) mean: bool,
    pub(crate) m: usize,
    pub(crate) n: usize,
}

impl AxisReduce {
    /// The length of the reduced axis, as a float (the divisor of a mean).
    fn reduced_len<F: Float>(&self) -> F {
        F::of_f64(if self.axis == 0 { self.m } else { self.n } as f64)
    }
}

impl<F: Float> Rule<F> for AxisReduce {
    fn label(&self) -> &'static str {
        match (self.axis, self.mean) {
            (0, false) => "SumAxis0Backward",
            (0, true) => "MeanAxis0Backward",
            (_, false) => "SumAxis1Backward",
            (_, true) => "MeanAxis1Backward",
        }
    }

    #[inline]
    fn eval<T: Elem<F>>(&self, inputs: &[&[T]], out: &mut [T]) {
        let x = inputs[0];
        let n = self.n;
        if self.axis == 0 {
            out.fill(T::zero());
            for row in x.chunks_exact(n.max(1)) {
                for (o, &xi) in out.iter_mut().zip(row) {
                    *o += xi;
                }
            }
        } else {
            if n == 0 {
                // An empty row sums to 0.
                out.fill(T::zero());
            }
            for (o, row) in out.iter_mut().zip(x.chunks_exact(n.max(1))) {
                *o = row.iter().fold(T::zero(), |acc, &xi| acc + xi);
            }
        }
        if self.mean {
            let len = self.reduced_len::<F>();
            for o in out.iter_mut() {
                *o /= len;
            }
        }
    }

    #[inline]
    fn vjp<T: Elem<F>>(&self, _k: usize, at: VjpIn<'_, T>, grad_in: &mut [T], write: GradWrite) {
        let VjpIn { grad_out, .. } = at;
        write.prepare(grad_in);
        let scale = if self.mean {
            F::one() / self.reduced_len::<F>()
        } else {
            F::one()
        };
        for (row_index, row) in grad_in.chunks_exact_mut(self.n.max(1)).enumerate() {
            for (j, gi) in row.iter_mut().enumerate() {
                let g = if self.axis == 0 {
                    grad_out[j]
                } else {
                    grad_out[row_index]
                };
                *gi += g * scale;
            }
        }
    }
}

impl<'g, const M: usize, const N: usize, F: Float, K: Kind> Var<'g, Rank2<M, N>, F, K> {
    fn reduce_axis<S: crate::shape::Shape>(self, axis: u8, mean: bool) -> Var<'g, S, F> {
        let op = AxisReduce {
            axis,
            mean,
            m: M,
            n: N,
        };
        self.graph.push(Op::Axis(op), &[self.id])
    }

    /// Sums over axis 0 (over the rows, down each column): one sum per column,
    /// `Rank2<M, N> -> Rank1<N>`.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank2<2, 3>>::from([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]));
    ///     let s = x.sum_axis0();
    ///     assert_eq!(s.value().as_slice(), &[5.0, 7.0, 9.0]);
    ///     s.backward_with(&Tensor::from([1.0, 2.0, 3.0]));
    ///     assert_eq!(x.grad(), Tensor::from([[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]]));
    /// });
    /// ```
    pub fn sum_axis0(self) -> Var<'g, Rank1<N>, F> {
        self.reduce_axis(0, false)
    }

    /// Sums over axis 1 (over the columns, along each row): one sum per row,
    /// `Rank2<M, N> -> Rank1<M>`.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank2<2, 3>>::from([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]));
    ///     let s = x.sum_axis1();
    ///     assert_eq!(s.value().as_slice(), &[6.0, 15.0]);
    ///     s.backward_with(&Tensor::from([1.0, 2.0]));
    ///     assert_eq!(x.grad(), Tensor::from([[1.0, 1.0, 1.0], [2.0, 2.0, 2.0]]));
    /// });
    /// ```
    pub fn sum_axis1(self) -> Var<'g, Rank1<M>, F> {
        self.reduce_axis(1, false)
    }

    /// Means over axis 0 (over the rows, down each column): one mean per column,
    /// `Rank2<M, N> -> Rank1<N>`.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank2<2, 3>>::from([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]));
    ///     let m = x.mean_axis0();
    ///     assert_eq!(m.value().as_slice(), &[2.5, 3.5, 4.5]);
    ///     m.sum().backward();
    ///     assert_eq!(x.grad(), Tensor::full(0.5));
    /// });
    /// ```
    pub fn mean_axis0(self) -> Var<'g, Rank1<N>, F> {
        self.reduce_axis(0, true)
    }

    /// Means over axis 1 (over the columns, along each row): one mean per row,
    /// `Rank2<M, N> -> Rank1<M>`.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank2<2, 2>>::from([[1.0, 3.0], [4.0, 6.0]]));
    ///     let m = x.mean_axis1();
    ///     assert_eq!(m.value().as_slice(), &[2.0, 5.0]);
    ///     m.sum().backward();
    ///     assert_eq!(x.grad(), Tensor::full(0.5));
    /// });
    /// ```
    pub fn mean_axis1(self) -> Var<'g, Rank1<M>, F> {
        self.reduce_axis(1, true)
    }
}
