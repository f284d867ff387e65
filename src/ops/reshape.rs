//! Reshape: the same elements in row-major order under another shape.
//!
//! Shape rule: `Var<S> -> Var<S2>` where `S: SameNumel<S2>`, checked through typenum so that
//! `cargo check` already rejects a reshape that changes the element count.

use super::{GradWrite, Op};
use crate::graph::{Kind, Var};
use crate::scalar::{Elem, Float};
use crate::shape::{SameNumel, Shape};

/// A copy of the input under a new shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Reshape;

impl Reshape {
    pub(crate) fn name(&self) -> &'static str {
        "ReshapeBackward"
    }

    #[inline]
    pub(crate) fn forward<F: Float, T: Elem<F>>(&self, x: &[T], out: &mut [T]) {
        out.copy_from_slice(x);
    }

    #[inline]
    pub(crate) fn vjp<F: Float, T: Elem<F>>(
        &self,
        grad_out: &[T],
        grad_in: &mut [T],
        write: GradWrite,
    ) {
        match write {
            GradWrite::Add => {
                for (gi, &go) in grad_in.iter_mut().zip(grad_out) {
                    *gi += go;
                }
            }
            GradWrite::Assign => grad_in.copy_from_slice(grad_out),
        }
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
