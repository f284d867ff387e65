//! The ops: one definition each, in one file per family, and one interface ([`Rule`]) through
//! which the `Graph` runs every family.
//!
//! An elementwise op (unary or binary) is one `unary_op!` / `binary_op!` item ([`define`]): its
//! method, label, value function, derivative rule, options and docs, from which both engines
//! (the `Graph`'s kernel and VJP, the fused graph's node), forward mode and the registry come;
//! its registration is one name in its family's registry list. Any other op is a variant of
//! its family's enum with its arms in the family's `impl Rule`. `CONTRIBUTING.md` has the
//! recipe for each, step by step.
//!
//! Every kernel is written once for any `T: Elem<F>`: run on `F` it computes values; run on
//! dual numbers it *is* forward mode. The derivative rules are separate, hand-written
//! derivatives; forward mode differentiates the kernels themselves, which makes it a witness
//! for every VJP (see [`crate::check`]). Shared numerics live in [`math`].

pub(crate) mod axis;
pub(crate) mod binary;
pub(crate) mod broadcast;
pub(crate) mod custom;
pub(crate) mod define;
#[cfg(test)]
mod dual_agreement;
pub(crate) mod elementwise;
pub(crate) mod gemm;
pub(crate) mod lift;
pub(crate) mod lift_real;
pub(crate) mod linalg;
pub(crate) mod math;
pub(crate) mod nn;
pub(crate) mod reduce;
pub(crate) mod reshape;
pub(crate) mod sin_cos;
pub(crate) mod slice;
pub(crate) mod stack;

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
    Assemble(stack::Assemble),
    SinCos(sin_cos::SinCos),
    /// A user-defined op (see [`custom::CustomOp`]).
    Custom(custom::Custom<F>),
}

/// What a VJP rule reads: the inputs' values, the output's value (followed by the node's
/// scratch, see [`Rule::scratch_len`]) and the output's adjoint.
#[derive(Clone, Copy)]
pub(crate) struct VjpIn<'a, T> {
    /// The inputs' values, in order.
    pub(crate) inputs: &'a [&'a [T]],
    /// The output's value and scratch.
    pub(crate) out: &'a [T],
    /// The output's adjoint.
    pub(crate) grad_out: &'a [T],
}

/// The one interface of every op family: a kernel generic over the scalar, a VJP rule with
/// one signature and one convention for writing shares, and the facts the reverse sweep
/// asks of an op. [`Op`] forwards each method to its family's rule, written once per method
/// (see `each_family!`).
pub(crate) trait Rule<F: Float> {
    /// The `grad_fn` label (`MulBackward`, ...).
    fn label(&self) -> &'static str;

    /// How many elements the kernel keeps after a value of `len` for its VJP rule (see
    /// `NodeRecord::scratch`).
    fn scratch_len(&self, _len: usize) -> usize {
        0
    }

    /// The kernel: computes the op's value from its inputs' values (`out` also holds the
    /// node's scratch, see [`Rule::scratch_len`]). Run on `F` it computes values, on dual
    /// numbers it is forward mode.
    fn eval<T: Elem<F>>(&self, inputs: &[&[T]], out: &mut [T]);

    /// Writes input `k`'s share of the vector-Jacobian product into `grad_in`, per `write`:
    /// every rule honours both modes (a rule that only adds calls [`GradWrite::prepare`]
    /// first), given what it reads ([`VjpIn`]).
    fn vjp<T: Elem<F>>(&self, k: usize, at: VjpIn<'_, T>, grad_in: &mut [T], write: GradWrite);

    /// Input `k`'s share of the VJP when the output's adjoint is the same number `g` in
    /// every element, if that share is again one number for every element of the input:
    /// the reverse sweep then passes it on without writing it out (see
    /// [`crate::reverse`]). The arithmetic is exactly that of the op's VJP rule per element.
    fn uniform_share<T: Elem<F>>(&self, _k: usize, _g: T, _input_len: usize) -> Option<T> {
        None
    }

    /// Whether [`Rule::vjp_uniform`] takes an adjoint that is one number everywhere as it is.
    fn takes_uniform_adjoint(&self) -> bool {
        false
    }

    /// [`Rule::vjp`] for an output adjoint that is `g` in every element, not written out;
    /// only for rules that [take it](Rule::takes_uniform_adjoint).
    fn vjp_uniform<T: Elem<F>>(
        &self,
        _inputs: &[&[T]],
        _out: &[T],
        _g: T,
        _grad_in: &mut [T],
        _write: GradWrite,
    ) {
        unreachable!("the sweep writes the adjoint out for this op")
    }
}

/// `match` over the families of an [`Op`]: `$body` with `$rule` bound to the family's
/// [`Rule`], `$leaf` for the leaves.
macro_rules! each_family {
    ($op:expr, $rule:ident => $body:expr, leaf => $leaf:expr) => {
        match $op {
            Op::Param { .. } | Op::Constant => $leaf,
            Op::Elementwise($rule) => $body,
            Op::Binary($rule) => $body,
            Op::Reduce($rule) => $body,
            Op::Linalg($rule) => $body,
            Op::Reshape($rule) => $body,
            Op::Broadcast($rule) => $body,
            Op::Axis($rule) => $body,
            Op::Select($rule) => $body,
            Op::Nn($rule) => $body,
            Op::Assemble($rule) => $body,
            Op::SinCos($rule) => $body,
            Op::Custom($rule) => $body,
        }
    };
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

    /// See [`Rule::scratch_len`].
    pub(crate) fn scratch_len(&self, len: usize) -> usize {
        each_family!(self, rule => Rule::<F>::scratch_len(rule, len), leaf => 0)
    }

    /// See [`Rule::uniform_share`].
    #[inline]
    pub(crate) fn uniform_share<T: Elem<F>>(&self, k: usize, g: T, input_len: usize) -> Option<T> {
        each_family!(self, rule => Rule::<F>::uniform_share(rule, k, g, input_len), leaf => None)
    }

    /// See [`Rule::takes_uniform_adjoint`].
    #[inline]
    pub(crate) fn takes_uniform_adjoint(&self) -> bool {
        each_family!(self, rule => Rule::<F>::takes_uniform_adjoint(rule), leaf => false)
    }

    /// See [`Rule::vjp_uniform`].
    #[inline]
    pub(crate) fn vjp_uniform<T: Elem<F>>(
        &self,
        inputs: &[&[T]],
        out: &[T],
        g: T,
        grad_in: &mut [T],
        write: GradWrite,
    ) {
        each_family!(self, rule => Rule::<F>::vjp_uniform(rule, inputs, out, g, grad_in, write), leaf => ())
    }

    /// The `grad_fn` name of the op (`MulBackward`, ...).
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Op::Param { .. } => "Param",
            Op::Constant => "Constant",
            _ => each_family!(self, rule => Rule::<F>::label(rule), leaf => unreachable!()),
        }
    }

    /// See [`Rule::eval`]; a leaf keeps its value.
    #[inline]
    pub(crate) fn eval<T: Elem<F>>(&self, inputs: &[&[T]], out: &mut [T]) {
        each_family!(self, rule => Rule::<F>::eval(rule, inputs, out), leaf => ())
    }

    /// See [`Rule::vjp`]; a leaf has no inputs.
    #[inline]
    pub(crate) fn vjp<T: Elem<F>>(
        &self,
        k: usize,
        at: VjpIn<'_, T>,
        grad_in: &mut [T],
        write: GradWrite,
    ) {
        each_family!(self, rule => Rule::<F>::vjp(rule, k, at, grad_in, write), leaf => ())
    }
}
