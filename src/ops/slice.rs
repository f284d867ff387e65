//! Selecting and joining: slices, single elements, concatenation and stacking.
//!
//! Shape rules, with every bound checked at compile time through typenum (so `cargo check`
//! rejects an out-of-range slice with a message naming the numbers):
//! - `Rank1<N>.slice::<START, LEN>() -> Rank1<LEN>`, where `START + LEN <= N`;
//! - `Rank2<M, N>.slice_rows::<START, LEN>() -> Rank2<LEN, N>`, where `START + LEN <= M`;
//! - `Rank1<N>.get::<I>() -> Rank0`, where `I < N`;
//! - `Rank1<A>.concat(Rank1<B>) -> Rank1<C>`, where `A + B == C` (`C` usually inferred);
//! - `Rank1<N>.stack(Rank1<N>) -> Rank2<2, N>`.
//!
//! Row-major layout makes each selection one contiguous range of the input, and each join
//! two contiguous ranges of the output; the VJPs add the adjoint back into those ranges.
//! Dims past typenum's range (see [`crate::shape::TypedNumel`]) are not supported here.

use super::{GradWrite, Op, Rule, VjpIn};
use crate::graph::{Kind, Var};
use crate::scalar::{Elem, Float};
use crate::shape::{ConcatLen, IndexInBounds, Rank0, Rank1, Rank2, SliceInBounds};

/// A selection of a contiguous range, or a join of two inputs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Select {
    /// Elements `start..start + out.len()` of a vector.
    Slice { start: usize },
    /// Rows of a matrix: the same, with `start` counted in elements (first row times `n`).
    SliceRows { start: usize },
    /// One element.
    Get { index: usize },
    /// `[a, b]`, where `a` has `first_len` elements.
    Concat { first_len: usize },
    /// Two vectors of `n` elements as the rows of a `2 x n` matrix.
    Stack { n: usize },
}

impl Select {
    /// Where the selected range starts in the input, or where the second input starts in
    /// the output of a join.
    fn offset(&self) -> usize {
        match *self {
            Self::Slice { start } | Self::SliceRows { start } | Self::Get { index: start } => start,
            Self::Concat { first_len: split } | Self::Stack { n: split } => split,
        }
    }

    fn is_join(&self) -> bool {
        matches!(self, Self::Concat { .. } | Self::Stack { .. })
    }
}

impl<F: Float> Rule<F> for Select {
    fn label(&self) -> &'static str {
        match self {
            Self::Slice { .. } => "SliceBackward",
            Self::SliceRows { .. } => "SliceRowsBackward",
            Self::Get { .. } => "GetBackward",
            Self::Concat { .. } => "ConcatBackward",
            Self::Stack { .. } => "StackBackward",
        }
    }

    #[inline]
    fn eval<T: Elem<F>>(&self, inputs: &[&[T]], out: &mut [T]) {
        let offset = self.offset();
        if self.is_join() {
            out[..offset].copy_from_slice(inputs[0]);
            out[offset..].copy_from_slice(inputs[1]);
        } else {
            out.copy_from_slice(&inputs[0][offset..offset + out.len()]);
        }
    }

    #[inline]
    fn vjp<T: Elem<F>>(&self, k: usize, at: VjpIn<'_, T>, grad_in: &mut [T], write: GradWrite) {
        let VjpIn { grad_out, .. } = at;
        let offset = self.offset();
        // A slice writes only part of its input's adjoint: when assigning, the rest is zeroed
        // (and the part itself assigned, not zeroed then added).
        if !self.is_join() && write == GradWrite::Assign {
            let (before, rest) = grad_in.split_at_mut(offset);
            let (part, after) = rest.split_at_mut(grad_out.len());
            before.fill(T::zero());
            after.fill(T::zero());
            part.copy_from_slice(grad_out);
            return;
        }
        let (from, to) = if self.is_join() {
            let part = if k == 0 {
                &grad_out[..offset]
            } else {
                &grad_out[offset..]
            };
            (part, &mut grad_in[..])
        } else {
            (grad_out, &mut grad_in[offset..offset + grad_out.len()])
        };
        write.map(from, to, |g| g);
    }
}

impl<'g, const N: usize, F: Float, K: Kind> Var<'g, Rank1<N>, F, K> {
    /// Elements `START..START + LEN` as a vector of `LEN`. A range past the end does not
    /// compile (`START + LEN <= N` is checked through typenum). The gradient flows back into
    /// the selected elements; the others get 0.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank1<4>>::from([1.0, 2.0, 3.0, 4.0]));
    ///     let tail = x.slice::<1, 3>();
    ///     assert_eq!(tail.value().as_slice(), &[2.0, 3.0, 4.0]);
    ///     tail.backward_with(&Tensor::from([10.0, 20.0, 30.0]));
    ///     assert_eq!(x.grad().as_slice(), &[0.0, 10.0, 20.0, 30.0]);
    /// });
    /// ```
    ///
    /// Out of bounds, it does not compile:
    ///
    /// ```compile_fail
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank1<4>>::zeros());
    ///     let _ = x.slice::<2, 3>(); // error: slice `2..2 + 3` is out of bounds for `Rank1<4>`
    /// });
    /// ```
    pub fn slice<const START: usize, const LEN: usize>(self) -> Var<'g, Rank1<LEN>, F>
    where
        Rank1<N>: SliceInBounds<START, LEN>,
    {
        let op = Select::Slice { start: START };
        self.graph.push(Op::Select(op), &[self.id])
    }

    /// Element `I` as a scalar node; an index past the end does not compile (`I < N` is
    /// checked through typenum).
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank1<3>>::from([1.0, 2.0, 3.0]));
    ///     let last = x.get::<2>();
    ///     last.backward();
    ///     assert_eq!(last.item(), 3.0);
    ///     assert_eq!(x.grad().as_slice(), &[0.0, 0.0, 1.0]);
    /// });
    /// ```
    ///
    /// ```compile_fail
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank1<3>>::zeros());
    ///     let _ = x.get::<3>(); // error: index 3 is out of bounds for `Rank1<3>`
    /// });
    /// ```
    pub fn get<const I: usize>(self) -> Var<'g, Rank0, F>
    where
        Rank1<N>: IndexInBounds<I>,
    {
        let op = Select::Get { index: I };
        self.graph.push(Op::Select(op), &[self.id])
    }

    /// This vector followed by `other`: `Rank1<N> ++ Rank1<B> -> Rank1<C>`, where
    /// `N + B == C` is checked through typenum (`C` is usually inferred, or annotated).
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let a = g.param(Tensor::<Rank1<2>>::from([1.0, 2.0]));
    ///     let b = g.param(Tensor::<Rank1<1>>::from([3.0]));
    ///     let c: Var<Rank1<3>> = a.concat(b);
    ///     assert_eq!(c.value().as_slice(), &[1.0, 2.0, 3.0]);
    ///     c.backward_with(&Tensor::from([4.0, 5.0, 6.0]));
    ///     assert_eq!(a.grad().as_slice(), &[4.0, 5.0]);
    ///     assert_eq!(b.grad().as_slice(), &[6.0]);
    /// });
    /// ```
    ///
    /// A result length that is not the sum does not compile:
    ///
    /// ```compile_fail
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let a = g.param(Tensor::<Rank1<2>>::zeros());
    ///     let c: Var<Rank1<5>> = a.concat(a); // error: cannot concatenate `Rank1<2>` and `Rank1<2>` into `Rank1<5>`
    /// });
    /// ```
    pub fn concat<const B: usize, const C: usize, K2: Kind>(
        self,
        other: Var<'g, Rank1<B>, F, K2>,
    ) -> Var<'g, Rank1<C>, F>
    where
        Rank1<N>: ConcatLen<B, C>,
    {
        let op = Select::Concat { first_len: N };
        self.graph.push(Op::Select(op), &[self.id, other.id])
    }

    /// This vector and `other` as the two rows of a `2 x N` matrix.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let a = g.param(Tensor::<Rank1<2>>::from([1.0, 2.0]));
    ///     let b = g.param(Tensor::<Rank1<2>>::from([3.0, 4.0]));
    ///     let m = a.stack(b);
    ///     assert_eq!(m.value(), Tensor::from([[1.0, 2.0], [3.0, 4.0]]));
    ///     m.backward_with(&Tensor::from([[1.0, 2.0], [3.0, 4.0]]));
    ///     assert_eq!(b.grad().as_slice(), &[3.0, 4.0]);
    /// });
    /// ```
    pub fn stack<K2: Kind>(self, other: Var<'g, Rank1<N>, F, K2>) -> Var<'g, Rank2<2, N>, F> {
        let op = Select::Stack { n: N };
        self.graph.push(Op::Select(op), &[self.id, other.id])
    }
}

impl<'g, const M: usize, const N: usize, F: Float, K: Kind> Var<'g, Rank2<M, N>, F, K> {
    /// Rows `START..START + LEN` as a `LEN x N` matrix. A range past the last row does not
    /// compile (`START + LEN <= M` is checked through typenum).
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank2<3, 2>>::from([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]));
    ///     let rows = x.slice_rows::<1, 2>();
    ///     assert_eq!(rows.value(), Tensor::from([[3.0, 4.0], [5.0, 6.0]]));
    ///     rows.sum().backward();
    ///     assert_eq!(x.grad(), Tensor::from([[0.0, 0.0], [1.0, 1.0], [1.0, 1.0]]));
    /// });
    /// ```
    pub fn slice_rows<const START: usize, const LEN: usize>(self) -> Var<'g, Rank2<LEN, N>, F>
    where
        Rank2<M, N>: SliceInBounds<START, LEN>,
    {
        let op = Select::SliceRows { start: START * N };
        self.graph.push(Op::Select(op), &[self.id])
    }
}
