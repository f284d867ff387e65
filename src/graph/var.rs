//! Typed handles to the nodes of a graph.

use super::{Graph, NodeId};
use crate::scalar::Float;
use crate::shape::{Rank0, Shape};
use crate::tensor::Tensor;
use std::fmt;
use std::marker::PhantomData;

/// What a node is: a parameter, a constant, or a computed node. A type-level tag on [`Var`],
/// so that asking a computed node for its gradient is a compile error.
pub mod kind {
    /// A leaf that wants a gradient (PyTorch `requires_grad=True`): made by
    /// [`Graph::param`](crate::Graph::param).
    #[derive(Clone, Copy, Debug, Default)]
    pub struct Param;
    /// A leaf that wants no gradient: made by [`Graph::constant`](crate::Graph::constant).
    #[derive(Clone, Copy, Debug, Default)]
    pub struct Constant;
    /// A node computed by an op from other nodes.
    #[derive(Clone, Copy, Debug, Default)]
    pub struct Computed;
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::kind::Param {}
    impl Sealed for super::kind::Constant {}
    impl Sealed for super::kind::Computed {}
}

/// The kind of a node: [`kind::Param`], [`kind::Constant`] or [`kind::Computed`].
///
/// ```
/// use tygrad::prelude::*;
/// fn any_kind<K: Kind>(_: K) {}
/// any_kind(tygrad::kind::Param);
/// ```
pub trait Kind: sealed::Sealed + Copy + fmt::Debug + Default + 'static {}
impl Kind for kind::Param {}
impl Kind for kind::Constant {}
impl Kind for kind::Computed {}

/// Marks parameters: the only nodes that store a gradient.
///
/// ```
/// use tygrad::prelude::*;
/// fn only_params<K: IsParam>() {}
/// only_params::<tygrad::kind::Param>();
/// ```
#[diagnostic::on_unimplemented(
    message = "only a parameter stores a gradient, but this node is a `{Self}` node",
    label = "`grad()` needs a node made by `g.param(..)`",
    note = "as in PyTorch, where a non-leaf tensor's `.grad` is `None`, tygrad keeps gradients only for parameters",
    note = "make the input a parameter with `g.param(tensor)`, or seed this node with `backward_with` to get the gradients of the parameters it depends on"
)]
pub trait IsParam: ReverseInput {}
#[diagnostic::do_not_recommend]
impl IsParam for kind::Param {}

/// Marks leaves (parameters and constants): the nodes whose value can be set for a replay,
/// the bound of [`Var::set_value`] and [`Var::set_value_from_slice`].
///
/// ```
/// use tygrad::prelude::*;
/// fn only_leaves<K: IsLeaf>() {}
/// only_leaves::<tygrad::kind::Constant>();
/// ```
#[diagnostic::on_unimplemented(
    message = "`set_value` replaces the value of a leaf (`g.param(..)` or `g.constant(..)`), but this node is `{Self}`",
    label = "this node's value is computed from its inputs",
    note = "set the values of the leaves it depends on instead; the next read or backward call replays the graph"
)]
pub trait IsLeaf: Kind {}
#[diagnostic::do_not_recommend]
impl IsLeaf for kind::Param {}
#[diagnostic::do_not_recommend]
impl IsLeaf for kind::Constant {}

/// Marks parameters for [`Var::update`]: the only nodes with a gradient to step with.
///
/// ```
/// use tygrad::prelude::*;
/// fn steppable<K: Updatable>() {}
/// steppable::<tygrad::kind::Param>();
/// ```
#[diagnostic::on_unimplemented(
    message = "`update` steps a parameter with its gradient, but this node is a `{Self}` node",
    label = "`update` needs a node made by `g.param(..)`",
    note = "only parameters accumulate a gradient; to give a constant a new value call `set_value(&tensor)`, and a computed node follows its inputs"
)]
pub trait Updatable: Kind {}
#[diagnostic::do_not_recommend]
impl Updatable for kind::Param {}

/// Marks parameters for [`Var::zero_grad`].
///
/// ```
/// use tygrad::prelude::*;
/// fn zeroable<K: ZeroGradable>() {}
/// zeroable::<tygrad::kind::Param>();
/// ```
#[diagnostic::on_unimplemented(
    message = "`zero_grad` clears a parameter's gradient, but this node is a `{Self}` node, which has none",
    label = "`zero_grad` needs a node made by `g.param(..)`",
    note = "to clear every gradient of the graph call `g.zero_grad()`"
)]
pub trait ZeroGradable: Kind {}
#[diagnostic::do_not_recommend]
impl ZeroGradable for kind::Param {}

/// Marks parameters as the inputs of reverse-mode derivatives ([`Var::hvp`],
/// [`Var::jacobian_rev`] and their two-input forms): the reverse sweep reaches only nodes that
/// want a gradient.
///
/// ```
/// use tygrad::prelude::*;
/// fn reverse_input<K: ReverseInput>() {}
/// reverse_input::<tygrad::kind::Param>();
/// ```
#[diagnostic::on_unimplemented(
    message = "reverse-mode derivatives (`hvp`, `jacobian_rev`) are taken with respect to a parameter, but this node is a `{Self}` node",
    label = "the reverse sweep reaches only nodes made by `g.param(..)`",
    note = "make the input a parameter with `g.param(tensor)`, or use forward mode (`jacobian_fwd`, `hessian`, `jvp`), which takes any leaf"
)]
pub trait ReverseInput: Kind {}
#[diagnostic::do_not_recommend]
impl ReverseInput for kind::Param {}

/// A handle to a node of a [`Graph`], whose shape `S` is part of its type.
///
/// `Var` is `Copy`: use a node as often as you like, with operators and methods, without
/// cloning. `F` is the element type (`f64` by default); `K` says whether the node is a
/// parameter, a constant or a computed node (see [`kind`]).
///
/// **Functions of your own** take `Var<'g, S>` (a computed node, the default kind) and are
/// called with `x.node()` on a parameter or constant: the kinds are different types (only
/// a parameter has [`grad`](Var::grad)), and without `.node()` the call is an E0308
/// "expected `Var<'_, Rank1<_>>`, found `Var<'_, Rank1<5>, f64, Param>`". The same holds
/// for an array of handles of mixed kinds (`stack([x.node(), y * 2.0])`). The guide
/// ([`crate::guide`]) has the rest: sizes, floats, `N - 1`, and the compiler's messages.
///
/// ```
/// use tygrad::prelude::*;
/// fn energy<'g, const N: usize>(x: Var<'g, Rank1<N>>) -> Var<'g, Rank0> {
///     (x * x).sum() * 0.5
/// }
/// Graph::with(|g| {
///     let x = g.param(Tensor::<Rank1<2>>::from([3.0, 4.0]));
///     energy(x.node()).backward();
///     assert_eq!(x.grad().as_slice(), &[3.0, 4.0]);
/// });
/// ```
///
/// ```compile_fail
/// use tygrad::prelude::*;
/// fn energy<'g, const N: usize>(x: Var<'g, Rank1<N>>) -> Var<'g, Rank0> { x.sum() }
/// Graph::with(|g| {
///     let x = g.param(Tensor::<Rank1<2>>::zeros());
///     let _ = energy(x); // error[E0308]: expected `Var<'_, Rank1<_>>`, found `Var<'_, Rank1<2>, f64, Param>`
/// });
/// ```
///
/// The operators' examples:
///
/// ```
/// use tygrad::prelude::*;
/// Graph::with(|g| {
///     let x = g.param(Tensor::<Rank2<2, 2>>::ones());
///     let y = x + 2.0;
///     let z = y * y * 3.0;
///     let out = z.mean();
///     out.backward();
///     assert_eq!(out.item(), 27.0);
///     assert_eq!(x.grad(), Tensor::full(4.5));
/// });
/// ```
pub struct Var<'g, S: Shape, F: Float = f64, K: Kind = kind::Computed> {
    pub(crate) graph: &'g Graph<'g, F>,
    pub(crate) id: NodeId,
    marker: PhantomData<(S, K)>,
}

impl<S: Shape, F: Float, K: Kind> Clone for Var<'_, S, F, K> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<S: Shape, F: Float, K: Kind> Copy for Var<'_, S, F, K> {}

impl<S: Shape, F: Float, K: Kind> fmt::Debug for Var<'_, S, F, K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Var(#{} {:?} {:?} {:?})",
            self.id,
            K::default(),
            S::DIMS,
            self.grad_fn().unwrap_or("leaf")
        )
    }
}

impl<'g, S: Shape, F: Float, K: Kind> Var<'g, S, F, K> {
    pub(crate) fn new(graph: &'g Graph<'g, F>, id: NodeId) -> Self {
        Var {
            graph,
            id,
            marker: PhantomData,
        }
    }

    /// The graph this node belongs to.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank0>::from(1.0));
    ///     assert_eq!(x.graph().len(), 1);
    /// });
    /// ```
    pub fn graph(&self) -> &'g Graph<'g, F> {
        self.graph
    }

    /// The same node seen as a computed node, forgetting that it is a parameter or constant
    /// (useful to store handles of different kinds together).
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank0>::from(1.0));
    ///     let nodes: [Var<Rank0>; 2] = [x.node(), x + 1.0];
    ///     assert_eq!(nodes[1].item(), 2.0);
    /// });
    /// ```
    pub fn node(self) -> Var<'g, S, F> {
        Var::new(self.graph, self.id)
    }

    /// The node's current value (replaying first, if a leaf changed, the nodes it depends on).
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank1<3>>::from([2.0, 2.0, 2.0]));
    ///     assert_eq!((x * 2.0).value().as_slice(), &[4.0, 4.0, 4.0]);
    /// });
    /// ```
    #[track_caller]
    pub fn value(&self) -> Tensor<S, F> {
        Tensor::from_vec_unchecked(self.graph.fresh_tape_for(self.id).value(self.id).to_vec())
    }

    /// Copies the node's current value into `out`, without allocating.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank1<2>>::from([1.0, 2.0]));
    ///     let mut out = Tensor::zeros();
    ///     (x + 1.0).value_into(&mut out);
    ///     assert_eq!(out.as_slice(), &[2.0, 3.0]);
    /// });
    /// ```
    #[track_caller]
    pub fn value_into(&self, out: &mut Tensor<S, F>) {
        out.as_mut_slice()
            .copy_from_slice(self.graph.fresh_tape_for(self.id).value(self.id));
    }

    /// The name of the op that produced this node (PyTorch's `grad_fn`), `None` for a leaf.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank1<2>>::ones());
    ///     assert_eq!(x.grad_fn(), None);
    ///     assert_eq!((x + 2.0).grad_fn(), Some("AddScalarBackward"));
    ///     assert_eq!((x * x).grad_fn(), Some("MulBackward"));
    ///     assert_eq!((x * x).mean().grad_fn(), Some("MeanBackward"));
    /// });
    /// ```
    #[track_caller]
    pub fn grad_fn(&self) -> Option<&'static str> {
        let tape = self.graph.tape();
        let op = &tape.nodes[self.id as usize].op;
        (!op.is_leaf()).then(|| op.name())
    }

    /// The accumulated gradient of this parameter: the sum over all backward calls since it
    /// was last zeroed. Only parameters have one; on any other node this does not compile.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank1<3>>::from([2.0, 2.0, 2.0]));
    ///     let y = x * 2.0;
    ///     let seed = Tensor::from([0.1, 1.0, 10.0]);
    ///     y.backward_with(&seed);
    ///     y.backward_with(&seed);
    ///     assert_eq!(x.grad().as_slice(), &[0.4, 4.0, 40.0]);
    /// });
    /// ```
    #[track_caller]
    pub fn grad(&self) -> Tensor<S, F>
    where
        K: IsParam,
    {
        let mut out = Tensor::zeros();
        self.grad_into(&mut out);
        out
    }

    /// Copies the accumulated gradient of this parameter into `out`, without allocating.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank0>::from(3.0));
    ///     (x * x).backward();
    ///     let mut grad = Tensor::zeros();
    ///     x.grad_into(&mut grad);
    ///     assert_eq!(grad.item(), 6.0);
    /// });
    /// ```
    #[track_caller]
    pub fn grad_into(&self, out: &mut Tensor<S, F>)
    where
        K: IsParam,
    {
        match self.graph.tape().grad(self.id) {
            Some(grad) => out.as_mut_slice().copy_from_slice(grad),
            None => out.as_mut_slice().fill(F::zero()),
        }
    }

    /// Lends this parameter's accumulated gradient (row-major) to `read`, without copying
    /// it: for using the gradient where it is (a norm, a checksum, a custom update).
    ///
    /// The graph is lent out meanwhile: recording nodes, reading values or calling backward
    /// from inside `read` panics and says so.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank1<2>>::from([3.0, 4.0]));
    ///     (x * x).sum().backward();
    ///     let norm = x.with_grad(|grad| grad.iter().map(|d| d * d).sum::<f64>().sqrt());
    ///     assert_eq!(norm, 10.0);
    /// });
    /// ```
    #[track_caller]
    pub fn with_grad<R>(&self, read: impl FnOnce(&[F]) -> R) -> R
    where
        K: IsParam,
    {
        if self.graph.tape().grads_cleared {
            self.graph.tape_mut().settle_grads();
        }
        let tape = self.graph.tape();
        read(&tape.grads[tape.grad_range(self.id)])
    }

    /// Updates this parameter in place from its gradient, element by element:
    /// `value[i] = step(value[i], grad[i])`. A gradient-descent step, without a copy or an
    /// allocation; nodes computed from the parameter are replayed at the next read or
    /// backward call, as after [`set_value`](Self::set_value).
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank1<2>>::from([1.0, -2.0]));
    ///     let loss = (x * x).sum();
    ///     loss.backward();
    ///     x.update(|x, dx| x - 0.25 * dx);
    ///     assert_eq!(x.value().as_slice(), &[0.5, -1.0]);
    ///     assert_eq!(loss.item(), 1.25);
    /// });
    /// ```
    #[track_caller]
    pub fn update(&self, mut step: impl FnMut(F, F) -> F)
    where
        K: Updatable,
    {
        let mut guard = self.graph.tape_mut();
        let tape = &mut *guard;
        let (value_range, grad_range) = (
            tape.nodes[self.id as usize].range(),
            tape.grad_range(self.id),
        );
        let values = &mut tape.values[value_range];
        if tape.grads_cleared {
            values.iter_mut().for_each(|v| *v = step(*v, F::zero()));
        } else {
            for (v, &d) in values.iter_mut().zip(&tape.grads[grad_range]) {
                *v = step(*v, d);
            }
        }
        tape.mark_stale();
    }

    /// Clears this parameter's accumulated gradient (PyTorch's `x.grad.data.zero_()`).
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank0>::from(3.0));
    ///     (x * x).backward();
    ///     x.zero_grad();
    ///     assert_eq!(x.grad().item(), 0.0);
    /// });
    /// ```
    #[track_caller]
    pub fn zero_grad(&self)
    where
        K: ZeroGradable,
    {
        let mut tape = self.graph.tape_mut();
        if !tape.grads_cleared {
            let range = tape.grad_range(self.id);
            tape.grads[range].fill(F::zero());
        }
    }

    /// Replaces this leaf's value. Nodes computed from it are replayed, in place, at the next
    /// read, backward call or [`Graph::forward`]: a graph is built once and reused.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank0>::from(1.0));
    ///     let y = (x * x).sum();
    ///     for (input, slope) in [(1.0, 2.0), (5.0, 10.0)] {
    ///         x.set_value(&Tensor::from(input));
    ///         g.zero_grad();
    ///         y.backward();
    ///         assert_eq!(x.grad().item(), slope);
    ///     }
    /// });
    /// ```
    #[track_caller]
    pub fn set_value(&self, value: &Tensor<S, F>)
    where
        K: IsLeaf,
    {
        self.set_value_from_slice(value.as_slice())
            .expect("a tensor always holds its shape's element count");
    }

    /// Replaces this leaf's value from a row-major slice; a slice of the wrong length is an
    /// error and changes nothing.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.constant(Tensor::<Rank1<2>>::zeros());
    ///     assert!(x.set_value_from_slice(&[1.0, 2.0]).is_ok());
    ///     assert!(x.set_value_from_slice(&[1.0]).is_err());
    ///     assert_eq!(x.value().as_slice(), &[1.0, 2.0]);
    /// });
    /// ```
    #[track_caller]
    pub fn set_value_from_slice(&self, value: &[F]) -> Result<(), crate::tensor::ShapeError>
    where
        K: IsLeaf,
    {
        if value.len() != S::NUMEL {
            return Err(crate::tensor::ShapeError {
                expected: S::NUMEL,
                found: value.len(),
                dims: S::DIMS,
            });
        }
        let mut guard = self.graph.tape_mut();
        let tape = &mut *guard;
        let range = tape.nodes[self.id as usize].range();
        tape.values[range].copy_from_slice(value);
        tape.mark_stale();
        Ok(())
    }
}

impl<F: Float, K: Kind> Var<'_, Rank0, F, K> {
    /// The value of a scalar node.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank1<2>>::from([1.0, 2.0]));
    ///     assert_eq!(x.sum().item(), 3.0);
    /// });
    /// ```
    #[track_caller]
    pub fn item(&self) -> F {
        self.graph.fresh_tape_for(self.id).value(self.id)[0]
    }
}
