//! Reshape: the same elements in row-major order under another shape.
//!
//! Shape rule: `Var<S> -> Var<S2>` where `S: SameNumel<S2>`, checked through typenum so that
//! `cargo check` already rejects a reshape that changes the element count.

use super::{GradWrite, Op, Rule, VjpIn};
use crate::graph::{Kind, Var};
use crate::scalar::{Elem, Float};
use crate::shape::{SameNumel, Shape};

/// A copy of the input under a new shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Reshape;

impl<F: Float> Rule<F> for Reshape {
    fn label(&self) -> &'static str {
        "ReshapeBackward"
    }

    #[inline]
    fn eval<T: Elem<F>>(&self, inputs: &[&[T]], out: &mut [T]) {
        out.copy_from_slice(inputs[0]);
    }

    #[inline]
    fn vjp<T: Elem<F>>(&self, _k: usize, at: VjpIn<'_, T>, grad_in: &mut [T], write: GradWrite) {
        let VjpIn { grad_out, .. } = at;
        match write {
            GradWrite::Add => {
                for (gi, &go) in grad_in.iter_mut().zip(grad_out) {
                    *gi += go;
                }
            }
            GradWrite::Assign => grad_in.copy_from_slice(grad_out),
        }
    }

    fn uniform_share<T: Elem<F>>(&self, _k: usize, g: T, _input_len: usize) -> Option<T> {
        Some(g)
    }
}

impl<'g, S: Shape, F: Float, K: Kind> Var<'g, S, F, K> {
    /// The same elements, in row-major order, under shape `S2`. A target with a different
    /// element count does not compile.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank2<2, 3>>::from([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]));
    ///     let v = x.reshape::<Rank1<6>>();
    ///     assert_eq!(v.value().as_slice(), &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    ///     let m = v.reshape::<Rank2<3, 2>>();
    ///     assert_eq!(m.value()[[2, 0]], 5.0);
    /// });
    /// ```
    pub fn reshape<S2: Shape>(self) -> Var<'g, S2, F>
    where
        S: SameNumel<S2>,
    {
        self.graph.push(Op::Reshape(Reshape), &[self.id])
    }
}
