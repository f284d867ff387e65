//! `sin x` and `cos x` from one evaluation: [`Var::sin_cos`].
//!
//! Shape rule: `Var<S> -> (Var<S>, Var<S>)`. The pair is one node holding both halves (one
//! `sin_cos` per element); the two handles select its halves. The VJP of the pair is
//! `x̄ = s̄ cos x - c̄ sin x`, reading both halves from the pair's value.

use super::slice::Select;
use super::{GradWrite, Op, Rule, VjpIn};
use crate::graph::{Kind, Var};
use crate::scalar::{Elem, Float};
use crate::shape::Shape;

/// `[sin x, cos x]`: both halves of one `sin_cos`, for an input of `out.len() / 2` elements.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct SinCos;

impl<F: Float> Rule<F> for SinCos {
    fn label(&self) -> &'static str {
        "SinCosBackward"
    }

    #[inline]
    fn eval<T: Elem<F>>(&self, inputs: &[&[T]], out: &mut [T]) {
        let x = inputs[0];
        let (sin, cos) = out.split_at_mut(x.len());
        for ((s, c), &xi) in sin.iter_mut().zip(cos.iter_mut()).zip(x) {
            (*s, *c) = xi.sin_cos();
        }
    }

    #[inline]
    fn vjp<T: Elem<F>>(&self, _k: usize, at: VjpIn<'_, T>, grad_in: &mut [T], write: GradWrite) {
        let VjpIn { out, grad_out, .. } = at;
        let n = grad_in.len();
        let (sin, cos) = out[..2 * n].split_at(n);
        let (g_sin, g_cos) = grad_out.split_at(n);
        let terms = sin.iter().zip(cos).zip(g_sin.iter().zip(g_cos));
        let share = |((&s, &c), (&gs, &gc)): ((&T, &T), (&T, &T))| gs * c - gc * s;
        match write {
            GradWrite::Assign => grad_in
                .iter_mut()
                .zip(terms)
                .for_each(|(gi, t)| *gi = share(t)),
            GradWrite::Add => grad_in
                .iter_mut()
                .zip(terms)
                .for_each(|(gi, t)| *gi += share(t)),
        }
    }
}

impl<'g, S: Shape, F: Float, K: Kind> Var<'g, S, F, K> {
    /// `(sin x, cos x)`, elementwise, from one evaluation of both (as [`f64::sin_cos`]).
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let q = g.param(Tensor::<Rank1<2>>::from([0.0, 1.0]));
    ///     let (s, c) = q.sin_cos();
    ///     assert_eq!(s.value().as_slice(), &[0.0, 1.0f64.sin()]);
    ///     assert_eq!(c.value().as_slice(), &[1.0, 1.0f64.cos()]);
    ///     (s * 2.0 + c).sum().backward();   // d/dq = 2 cos q - sin q
    ///     assert_eq!(q.grad().as_slice(), &[2.0, 2.0 * 1.0f64.cos() - 1.0f64.sin()]);
    /// });
    /// ```
    pub fn sin_cos(self) -> (Var<'g, S, F>, Var<'g, S, F>) {
        let pair = self
            .graph
            .push_flat(Op::SinCos(SinCos), &[self.id], 2 * S::NUMEL);
        let half = |start| {
            self.graph
                .push(Op::Select(Select::Slice { start }), &[pair])
        };
        (half(0), half(S::NUMEL))
    }
}
