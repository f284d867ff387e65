//! Reductions to a scalar.
//!
//! Shape rule: `Var<S> -> Var<Rank0>`.

use super::Op;
use crate::graph::{Kind, Var};
use crate::scalar::{Elem, Float};
use crate::shape::{Rank0, Shape};

/// A reduction of all elements to one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Reduce {
    Sum,
    Mean,
}

impl Reduce {
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Self::Sum => "SumBackward",
            Self::Mean => "MeanBackward",
        }
    }

    #[inline]
    pub(crate) fn forward<F: Float, T: Elem<F>>(&self, inputs: &[&[T]], out: &mut [T]) {
        let x = inputs[0];
        let sum = x.iter().fold(T::zero(), |acc, &xi| acc + xi);
        out[0] = match self {
            Self::Sum => sum,
            Self::Mean => sum / F::of_f64(x.len() as f64),
        };
    }

    #[inline]
    pub(crate) fn vjp<F: Float, T: Elem<F>>(
        &self,
        _k: usize,
        inputs: &[&[T]],
        _out: &[T],
        grad_out: &[T],
        grad_in: &mut [T],
    ) {
        let g = match self {
            Self::Sum => grad_out[0],
            Self::Mean => grad_out[0] / F::of_f64(inputs[0].len() as f64),
        };
        for gi in grad_in.iter_mut() {
            *gi += g;
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
}
