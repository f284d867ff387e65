//! The ops: one file per family, each with its shape rule (the typed methods on
//! [`Var`](crate::Var)), its forward kernel (generic over the scalar) and its VJP rule side by
//! side.
//!
//! Adding an op touches its family's file and the one registration point below, [`Op`].
//!
//! Every kernel is written once for any `T: Elem<F>`: run on `F` it computes values; run on
//! dual numbers it *is* forward mode. The VJP rules are separate, hand-written derivatives;
//! forward mode differentiates the kernels themselves, which makes it a witness for every
//! VJP (see [`crate::check`]).

pub(crate) mod axis;
pub(crate) mod binary;
pub(crate) mod broadcast;
pub(crate) mod custom;
#[cfg(test)]
mod dual_agreement;
pub(crate) mod elementwise;
pub(crate) mod linalg;
pub(crate) mod nn;
pub(crate) mod reduce;
pub(crate) mod reshape;
pub(crate) mod slice;

use crate::scalar::{Elem, Float};

/// The largest number of inputs an op takes.
pub(crate) const MAX_ARITY: usize = 2;

/// How a VJP rule writes an input's share into `grad_in`.
///
/// The reverse sweep passes `Assign` for an input's first contribution in a sweep (its
/// adjoint then holds garbage from an earlier call) and `Add` for later ones and for
/// gradient slots. Assigning saves zero-filling the adjoint and reading it back: one pass
/// over every intermediate buffer. Rules that cannot cheaply overwrite (they write only part
/// of `grad_in`, or add several terms per entry) call [`GradWrite::prepare`] and add.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum GradWrite {
    /// `grad_in += share`.
    Add,
    /// `grad_in = share` (every entry of `grad_in` is written).
    Assign,
}

impl GradWrite {
    /// Zero-fills `grad_in` for a rule that only adds, when asked to assign.
    #[inline]
    pub(crate) fn prepare<T: Copy + num_traits::Zero>(self, grad_in: &mut [T]) {
        if self == GradWrite::Assign {
            grad_in.fill(T::zero());
        }
    }

    /// `Assign` for a share that is to be written over `grad_in` (`overwrite`), else `Add`.
    #[inline]
    pub(crate) fn overwrite_if(overwrite: bool) -> Self {
        if overwrite {
            GradWrite::Assign
        } else {
            GradWrite::Add
        }
    }

    /// `grad_in[i] (+)= share` for every `i`.
    #[inline]
    pub(crate) fn fill<T: Copy + std::ops::AddAssign>(self, grad_in: &mut [T], share: T) {
        self.map(Uniform(share), grad_in, |g| g);
    }

    /// `grad_in[i] (+)= share(grad_out[i])` over the whole of `grad_in`, as one tight loop
    /// per mode.
    #[inline(always)]
    pub(crate) fn map<T: Copy + std::ops::AddAssign>(
        self,
        grad_out: impl GradOut<T>,
        grad_in: &mut [T],
        share: impl Fn(T) -> T,
    ) {
        let zipped = grad_in.iter_mut().zip(grad_out.elements());
        match self {
            GradWrite::Add => zipped.for_each(|(gi, go)| *gi += share(go)),
            GradWrite::Assign => zipped.for_each(|(gi, go)| *gi = share(go)),
        }
    }
}

/// An output adjoint as the VJP rules read it: written out element by element (a slice), or
/// one number for every element ([`Uniform`]), as the reverse sweep keeps the adjoint below
/// a `sum` or `mean` (see [`crate::reverse`]). Read as one number, it costs the rule no pass
/// over memory; the arithmetic per element is the same.
pub(crate) trait GradOut<T: Copy>: Copy {
    /// The elements `range`.
    fn part(self, range: std::ops::Range<usize>) -> Self;
    /// The elements in order (as many as asked for, for [`Uniform`]).
    fn elements(self) -> impl Iterator<Item = T>;
}

impl<T: Copy> GradOut<T> for &[T] {
    #[inline(always)]
    fn part(self, range: std::ops::Range<usize>) -> Self {
        &self[range]
    }
    #[inline(always)]
    fn elements(self) -> impl Iterator<Item = T> {
        self.iter().copied()
    }
}

/// An adjoint that is the same number in every element.
#[derive(Clone, Copy)]
pub(crate) struct Uniform<T>(pub(crate) T);

impl<T: Copy> GradOut<T> for Uniform<T> {
    #[inline(always)]
    fn part(self, _: std::ops::Range<usize>) -> Self {
        self
    }
    #[inline(always)]
    fn elements(self) -> impl Iterator<Item = T> {
        std::iter::repeat(self.0)
    }
}

/// Every op a node can record: the registration point of the op families.
pub(crate) enum Op<F: Float> {
    /// A leaf whose gradient accumulates at `grad_offset` in the gradient buffer.
    Param {
        grad_offset: usize,
    },
    /// A leaf that wants no gradient.
    Constant,
    Elementwise(elementwise::Elementwise<F>),
    Binary(binary::Binary),
    Reduce(reduce::Reduce),
    Linalg(linalg::Linalg),
    Reshape(reshape::Reshape),
    Broadcast(broadcast::Broadcast),
    Axis(axis::AxisReduce),
    Select(slice::Select),
    Nn(nn::Nn),
    /// A user-defined op (see [`custom::CustomOp`]).
    Custom(custom::Custom<F>),
}

impl<F: Float> Op<F> {
    pub(crate) fn is_leaf(&self) -> bool {
        matches!(self, Op::Param { .. } | Op::Constant)
    }

    /// Where a parameter's gradient lives; only called on parameter nodes.
    pub(crate) fn grad_offset(&self) -> usize {
        match self {
            Op::Param { grad_offset } => *grad_offset,
            _ => unreachable!("only parameters have a gradient slot (enforced by `IsParam`)"),
        }
    }

    /// How many elements the kernel keeps after a value of `len` for its VJP rule (see
    /// `NodeRecord::scratch`).
    pub(crate) fn scratch_len(&self, len: usize) -> usize {
        match self {
            Op::Elementwise(op) => op.scratch_len(len),
            _ => 0,
        }
    }

    /// Input `k`'s share of the VJP when the output's adjoint is the same number `g` in
    /// every element, if that share is again one number for every element of the input:
    /// the reverse sweep then passes it on without writing it out (see
    /// [`crate::reverse`]). The arithmetic is exactly that of the op's VJP rule per element.
    #[inline]
    pub(crate) fn uniform_share<T: Elem<F>>(&self, k: usize, g: T, input_len: usize) -> Option<T> {
        match self {
            Op::Reduce(reduce::Reduce::Sum) | Op::Reshape(_) => Some(g),
            Op::Reduce(reduce::Reduce::Mean) => Some(g / F::of_f64(input_len as f64)),
            Op::Binary(op) => op.uniform_share(k, g),
            Op::Elementwise(op) => op.uniform_share(g),
            _ => None,
        }
    }

    /// Whether [`Op::vjp_uniform`] takes an adjoint that is one number everywhere as it is.
    #[inline]
    pub(crate) fn takes_uniform_adjoint(&self) -> bool {
        matches!(self, Op::Elementwise(_))
    }

    /// [`Op::vjp`] for an output adjoint that is `g` in every element, not written out; only
    /// for ops that [take it](Op::takes_uniform_adjoint).
    #[inline]
    pub(crate) fn vjp_uniform<T: Elem<F>>(
        &self,
        inputs: &[&[T]],
        out: &[T],
        g: T,
        grad_in: &mut [T],
        write: GradWrite,
    ) {
        match self {
            Op::Elementwise(op) => op.vjp(inputs[0], out, Uniform(g), grad_in, write),
            _ => unreachable!("the sweep writes the adjoint out for this op"),
        }
    }

    /// The `grad_fn` name of the op (`MulBackward`, ...).
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Op::Param { .. } => "Param",
            Op::Constant => "Constant",
            Op::Elementwise(op) => op.name(),
            Op::Binary(op) => op.name(),
            Op::Reduce(op) => op.name(),
            Op::Linalg(op) => op.name(),
            Op::Reshape(op) => op.name(),
            Op::Broadcast(op) => op.name(),
            Op::Axis(op) => op.name(),
            Op::Select(op) => op.name(),
            Op::Nn(op) => op.name(),
            Op::Custom(op) => op.name(),
        }
    }

    /// Computes the op's value from its inputs' values (`out` also holds the node's scratch,
    /// see [`Op::scratch_len`]).
    #[inline]
    pub(crate) fn forward<T: Elem<F>>(&self, inputs: &[&[T]], out: &mut [T]) {
        match self {
            Op::Param { .. } | Op::Constant => {}
            Op::Elementwise(op) => op.forward(inputs[0], out),
            Op::Binary(op) => op.forward(inputs[0], inputs[1], out),
            Op::Reduce(op) => op.forward(inputs, out),
            Op::Linalg(op) => op.forward(inputs, out),
            Op::Reshape(op) => op.forward(inputs[0], out),
            Op::Broadcast(op) => op.forward(inputs, out),
            Op::Axis(op) => op.forward(inputs[0], out),
            Op::Select(op) => op.forward(inputs, out),
            Op::Nn(op) => op.forward(inputs, out),
            Op::Custom(op) => op.forward(inputs, out),
        }
    }

    /// Writes input `k`'s share of the vector-Jacobian product into `grad_in` (added or
    /// assigned, per `write`), given the inputs' values, the output's value `out` and the
    /// output's adjoint `grad_out`.
    #[inline]
    pub(crate) fn vjp<T: Elem<F>>(
        &self,
        k: usize,
        inputs: &[&[T]],
        out: &[T],
        grad_out: &[T],
        grad_in: &mut [T],
        write: GradWrite,
    ) {
        match self {
            Op::Param { .. } | Op::Constant => {}
            Op::Elementwise(op) => op.vjp(inputs[0], out, grad_out, grad_in, write),
            Op::Binary(op) => op.vjp(k, inputs, out, grad_out, grad_in, write),
            Op::Reduce(op) => op.vjp(k, inputs, out, grad_out, grad_in, write),
            Op::Linalg(op) => op.vjp(k, inputs, grad_out, grad_in, write),
            Op::Reshape(op) => op.vjp(grad_out, grad_in, write),
            Op::Broadcast(op) => op.vjp(k, grad_out, grad_in, write),
            Op::Select(op) => op.vjp(k, grad_out, grad_in, write),
            // These rules only add (custom ops by their documented contract).
            Op::Axis(op) => {
                write.prepare(grad_in);
                op.vjp(grad_out, grad_in)
            }
            Op::Nn(op) => {
                write.prepare(grad_in);
                op.vjp(k, inputs, out, grad_out, grad_in)
            }
            Op::Custom(op) => {
                write.prepare(grad_in);
                op.vjp(k, inputs, out, grad_out, grad_in)
            }
        }
    }
}
