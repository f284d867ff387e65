//! The graph: an arena of typed nodes, built once and replayed.
//!
//! A [`Graph`] owns every node of one computation: its op, its input node ids, and the
//! offset of its value in one flat buffer. Handles ([`Var`]) are `Copy` and carry the node's
//! shape in their type and a branded, invariant lifetime `'g` tied to the graph, so that
//! mixing nodes of two graphs, or letting a node outlive its graph, does not compile.
//!
//! Nodes are evaluated as they are added (eagerly), so [`Var::value`] works at once. Setting a
//! leaf's value marks the graph stale; the next read or backward call of a node replays the
//! nodes it depends on (not the others: see the `replay` module), and [`Graph::forward`]
//! every node, in recorded order, in place and without allocating. Nothing here recurses, so
//! a chain of a million nodes is as safe as a chain of three.

mod dot;
mod pool;
mod replay;
pub(crate) use pool::heap_bytes;
pub(crate) use replay::evaluate_ancestors;
mod var;

pub use var::{IsLeaf, IsParam, Kind, ReverseInput, Updatable, Var, ZeroGradable, kind};

use crate::ops::{MAX_ARITY, Op};
use crate::scalar::{Elem, Float};
use crate::shape::Shape;
use crate::tensor::Tensor;
use std::cell::{Ref, RefCell, RefMut};
use std::marker::PhantomData;

/// Index of a node in its graph's arena.
pub(crate) type NodeId = u32;

/// One recorded node: what computed it, from which nodes, and where its value lives.
pub(crate) struct NodeRecord<F: Float> {
    pub(crate) op: Op<F>,
    pub(crate) inputs: [NodeId; MAX_ARITY],
    pub(crate) arity: u8,
    /// Start of this node's value (and adjoint) in the flat buffers.
    pub(crate) offset: usize,
    /// Number of elements.
    pub(crate) len: usize,
    /// Elements after the value that the kernel fills for its VJP rule to read (`cos x`
    /// beside `sin x`), so the backward pass does not compute them again; usually 0. The
    /// adjoint buffer keeps the same layout (its scratch part unused).
    pub(crate) scratch: usize,
    /// The node's dims, for introspection and messages.
    pub(crate) dims: &'static [usize],
    /// Whether any parameter is upstream: the reverse sweep skips nodes that need no gradient.
    pub(crate) requires_grad: bool,
    /// Each input's value span and gradient route, copied from the inputs when this node is
    /// recorded: the replay and the reverse sweep read them here instead of looking up each
    /// input's record (one indirection and a cache line less per input, per node, per call).
    pub(crate) input_slots: [InputSlot; MAX_ARITY],
}

/// Where one input's value lives, and where its share of the gradient goes.
#[derive(Clone, Copy, Default)]
pub(crate) struct InputSlot {
    /// Start of the input's value (and adjoint) in the flat buffers.
    pub(crate) offset: usize,
    /// The input's element count.
    pub(crate) len: usize,
    /// Where the reverse sweep sends this input's share of the VJP.
    pub(crate) route: GradRoute,
}

impl InputSlot {
    pub(crate) fn range(&self) -> std::ops::Range<usize> {
        self.offset..self.offset + self.len
    }
}

/// Where the reverse sweep sends an input's share of a VJP.
#[derive(Clone, Copy, Default, PartialEq, Eq)]
pub(crate) enum GradRoute {
    /// No parameter upstream: no share is computed.
    #[default]
    None,
    /// A computed node: its adjoint.
    Adjoint,
    /// A parameter: straight into its gradient slot at this offset (or its adjoint, when a
    /// check needs this call's share on its own).
    Param(usize),
}

impl<F: Float> NodeRecord<F> {
    pub(crate) fn range(&self) -> std::ops::Range<usize> {
        self.offset..self.offset + self.len
    }

    /// The value and the scratch after it: what the kernel writes and the VJP rule reads.
    pub(crate) fn full_range(&self) -> std::ops::Range<usize> {
        self.offset..self.offset + self.len + self.scratch
    }

    pub(crate) fn inputs(&self) -> &[NodeId] {
        &self.inputs[..self.arity as usize]
    }
}

/// The arena behind a [`Graph`]: nodes, their values, and the reverse pass's buffers.
pub(crate) struct Tape<F: Float> {
    pub(crate) nodes: Vec<NodeRecord<F>>,
    pub(crate) values: Vec<F>,
    /// Accumulated gradients of the parameters, one slot per parameter element.
    pub(crate) grads: Vec<F>,
    /// A [`Graph::zero_grad`] is pending: every gradient is zero and `grads` holds garbage.
    /// The next sweep overwrites the slots it reaches and zeroes the rest, which saves a pass
    /// over every gradient (and, for products, reading the zeroed slots back).
    pub(crate) grads_cleared: bool,
    /// The parameters' node ids, in recorded order.
    pub(crate) params: Vec<NodeId>,
    /// The scratch of the graph's own reverse sweeps (adjoints laid out like `values`, the
    /// marks of which nodes a sweep reached and which adjoints it held as one number).
    pub(crate) sweep: crate::reverse::SweepBuffers<F>,
    /// Which computed values are up to date with the leaves (see [`replay`]).
    pub(crate) fresh: replay::Freshness,
    /// Cross-check every backward call against forward mode (see [`crate::check`]).
    pub(crate) check_backward: bool,
    /// Buffers of the Jacobian and Hessian passes, kept for the next call.
    pub(crate) workspace: crate::workspace::Workspace<F>,
}

impl<F: Float> Tape<F> {
    fn new() -> Self {
        Tape {
            nodes: Vec::new(),
            values: Vec::new(),
            grads: Vec::new(),
            grads_cleared: false,
            params: Vec::new(),
            sweep: crate::reverse::SweepBuffers::new(),
            fresh: replay::Freshness::default(),
            check_backward: false,
            workspace: crate::workspace::Workspace::new(),
        }
    }

    pub(crate) fn value(&self, id: NodeId) -> &[F] {
        &self.values[self.nodes[id as usize].range()]
    }

    /// The accumulated gradient of parameter `id`, or `None` while a [`Graph::zero_grad`] is
    /// pending (every gradient is zero).
    pub(crate) fn grad(&self, id: NodeId) -> Option<&[F]> {
        (!self.grads_cleared).then(|| &self.grads[self.grad_range(id)])
    }

    /// Where parameter `id`'s gradient lives in `grads`.
    pub(crate) fn grad_range(&self, id: NodeId) -> std::ops::Range<usize> {
        let node = &self.nodes[id as usize];
        let offset = node.op.grad_offset();
        offset..offset + node.len
    }

    /// Carries out a pending lazy [`Graph::zero_grad`] now, for a reader that needs the
    /// zeros in memory.
    pub(crate) fn settle_grads(&mut self) {
        if self.grads_cleared {
            self.grads.fill(F::zero());
            self.grads_cleared = false;
        }
    }
}

/// Evaluates one node's kernel from its inputs' values, writing its own value in place.
///
/// Generic over the scalar: the same kernels run on `F` (values) and on dual numbers
/// (forward mode). Inputs always precede the node in the buffer, so the split below gives
/// shared access to every input and unique access to the output.
#[inline]
pub(crate) fn evaluate_node<F: Float, T: Elem<F>>(node: &NodeRecord<F>, values: &mut [T]) {
    if node.op.is_leaf() {
        return;
    }
    let (before, from_node) = values.split_at_mut(node.offset);
    // An unused slot is the empty span 0..0, so both can be sliced without a branch.
    let [first, second] = &node.input_slots;
    let inputs: [&[T]; MAX_ARITY] = [&before[first.range()], &before[second.range()]];
    node.op.eval(
        &inputs[..node.arity as usize],
        &mut from_node[..node.len + node.scratch],
    );
}

/// Evaluates every node in recorded order (leaves keep their values).
pub(crate) fn evaluate<F: Float, T: Elem<F>>(nodes: &[NodeRecord<F>], values: &mut [T]) {
    for node in nodes {
        evaluate_node(node, values);
    }
}

/// A computation graph over elements of type `F` (`f64` by default, or `f32`).
///
/// Create one with [`Graph::with`]; every handle made inside the closure is tied to it.
///
/// ```
/// use tygrad::prelude::*;
/// Graph::with(|g| {
///     let x = g.param(Tensor::<Rank1<3>>::from([1.0, 2.0, 3.0]));
///     let loss = (x * x).sum();
///     loss.backward();
///     assert_eq!(loss.item(), 14.0);
///     assert_eq!(x.grad().as_slice(), &[2.0, 4.0, 6.0]);
/// });
/// ```
pub struct Graph<'g, F: Float = f64> {
    /// Owned by [`Graph::with`], which gives it back to the thread's pool (see `pool`).
    tape: &'g RefCell<Tape<F>>,
    /// Invariant in `'g`: two graphs never share a brand, so their handles cannot mix.
    brand: PhantomData<fn(&'g ()) -> &'g ()>,
}

impl<F: Float> Graph<'_, F> {
    /// Runs `build` with a fresh graph; handles cannot leave the closure.
    ///
    /// The graph starts empty but reuses the buffers of a graph that ended earlier on the
    /// same thread (up to two are kept per float type, none above 64 MiB), so that a program
    /// building one graph per gradient does not allocate, and fault in, its buffers anew
    /// each time.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// let grad = Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank0>::from(3.0));
    ///     (x * x).backward();
    ///     x.grad().item()
    /// });
    /// assert_eq!(grad, 6.0);
    /// ```
    ///
    /// Each call brands its handles with a lifetime of its own, which is how a handle of one
    /// graph is kept from reaching another. The borrow checker reports a violation in its
    /// own words, which do not mention graphs:
    /// - returning a `Var` from the closure, or pushing one into a `Vec` declared outside it:
    ///   "borrowed data escapes outside of closure" (`tests/ui/fail_var_escapes.rs`). Return
    ///   values instead (`x.value()`, `x.grad()`, `y.item()`), or do the work inside;
    /// - combining the nodes of two graphs (`a + b` with `a` from `g1`, `b` from `g2`,
    ///   nested `Graph::with` calls): a lifetime error that may point at `g2.param(..)`
    ///   rather than at the line that mixes them, with a note on variance
    ///   (`tests/ui/fail_mix_graphs.rs`). Build each computation in one graph.
    ///
    /// ```compile_fail
    /// use tygrad::prelude::*;
    /// let escaped = Graph::with(|g| g.param(Tensor::<Rank0>::from(1.0))); // does not compile
    /// ```
    pub fn with<R>(build: impl for<'g> FnOnce(&'g Graph<'g, F>) -> R) -> R {
        // The buffers of an earlier graph on this thread, if one was dropped (see `pool`).
        let tape = pool::take();
        let result = build(&Graph {
            tape: &tape,
            brand: PhantomData,
        });
        pool::give_back(tape);
        result
    }
}

impl<'g, F: Float> Graph<'g, F> {
    /// Shared access to the tape. Every access goes through here or [`Self::tape_mut`], so
    /// that a graph used from inside one of its own closures ([`Var::with_grad`],
    /// [`Var::update`]) fails with a message that names the cause.
    #[track_caller]
    pub(crate) fn tape(&self) -> Ref<'_, Tape<F>> {
        match self.tape.try_borrow() {
            Ok(tape) => tape,
            Err(_) => reentered(),
        }
    }

    /// Unique access to the tape (see [`Self::tape`]).
    #[track_caller]
    pub(crate) fn tape_mut(&self) -> RefMut<'_, Tape<F>> {
        match self.tape.try_borrow_mut() {
            Ok(tape) => tape,
            Err(_) => reentered(),
        }
    }

    /// The tape with every value up to date.
    #[track_caller]
    pub(crate) fn fresh_tape(&self) -> Ref<'_, Tape<F>> {
        let tape = self.tape();
        if tape.fresh.all() {
            return tape;
        }
        drop(tape);
        self.tape_mut().refresh();
        self.tape()
    }

    /// The tape with `output`'s value, and that of every node it depends on, up to date;
    /// other nodes may be stale (see [`replay`]).
    #[track_caller]
    pub(crate) fn fresh_tape_for(&self, output: NodeId) -> Ref<'_, Tape<F>> {
        let tape = self.tape();
        if tape.is_fresh(output) {
            return tape;
        }
        drop(tape);
        self.tape_mut().refresh_for(output);
        self.tape()
    }

    /// [`Self::fresh_tape_for`], borrowed uniquely: for the passes that also write the
    /// tape's workspace.
    #[track_caller]
    pub(crate) fn fresh_tape_mut_for(&self, output: NodeId) -> RefMut<'_, Tape<F>> {
        let mut tape = self.tape_mut();
        tape.refresh_for(output);
        tape
    }

    /// Adds a leaf holding `value`.
    fn leaf<S: Shape, K: Kind>(&'g self, value: &Tensor<S, F>, param: bool) -> Var<'g, S, F, K> {
        let mut tape = self.tape_mut();
        let offset = tape.values.len();
        tape.values.extend_from_slice(value.as_slice());
        let op = if param {
            let grad_offset = tape.grads.len();
            tape.grads.resize(grad_offset + S::NUMEL, F::zero());
            Op::Param { grad_offset }
        } else {
            Op::Constant
        };
        let id = tape.nodes.len();
        if param {
            tape.params.push(node_id(id));
        }
        tape.fresh.push(true);
        tape.nodes.push(NodeRecord {
            op,
            inputs: [0; MAX_ARITY],
            arity: 0,
            offset,
            len: S::NUMEL,
            scratch: 0,
            dims: S::DIMS,
            requires_grad: param,
            input_slots: Default::default(),
        });
        Var::new(self, node_id(id))
    }

    /// A parameter: a leaf whose gradient is accumulated by backward calls (PyTorch's
    /// `requires_grad=True`).
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank2<2, 2>>::ones());
    ///     assert_eq!(x.value(), Tensor::ones());
    ///     assert_eq!(x.grad(), Tensor::zeros());
    /// });
    /// ```
    pub fn param<S: Shape>(&'g self, value: Tensor<S, F>) -> Var<'g, S, F, kind::Param> {
        self.leaf(&value, true)
    }

    /// A constant: a leaf that wants no gradient (data, targets). Its value can still be
    /// replaced with [`Var::set_value`] before a replay.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let c = g.constant(Tensor::<Rank1<2>>::from([1.0, 2.0]));
    ///     assert_eq!(c.grad_fn(), None);
    ///     assert_eq!(c.value().as_slice(), &[1.0, 2.0]);
    /// });
    /// ```
    pub fn constant<S: Shape>(&'g self, value: Tensor<S, F>) -> Var<'g, S, F, kind::Constant> {
        self.leaf(&value, false)
    }

    /// Records a computed node and evaluates it at once.
    #[track_caller]
    pub(crate) fn push<S: Shape>(&'g self, op: Op<F>, inputs: &[NodeId]) -> Var<'g, S, F> {
        Var::new(self, self.push_sized(op, inputs, S::NUMEL, S::DIMS))
    }

    /// Records a computed node of `len` elements whose shape has no type of its own (an
    /// intermediate of an op built from several nodes, such as [`crate::stack`]'s joins),
    /// seen as a vector of `len`.
    #[track_caller]
    pub(crate) fn push_flat(&'g self, op: Op<F>, inputs: &[NodeId], len: usize) -> NodeId {
        self.push_sized(op, inputs, len, flat_dims(len))
    }

    /// Records a computed node of `len` elements with dims `dims` and evaluates it at once.
    #[track_caller]
    fn push_sized(
        &'g self,
        op: Op<F>,
        inputs: &[NodeId],
        len: usize,
        dims: &'static [usize],
    ) -> NodeId {
        let mut guard = self.tape_mut();
        let tape = &mut *guard;
        // The inputs must be up to date; after a change of the leaves that is rare enough
        // (nodes are recorded before the replays) to replay every stale node.
        if !tape.fresh.all() && !inputs.iter().all(|&input| tape.is_fresh(input)) {
            tape.refresh();
        }
        let offset = tape.values.len();
        let scratch = op.scratch_len(len);
        tape.values.resize(offset + len + scratch, F::zero());
        let mut ids = [0; MAX_ARITY];
        let mut requires_grad = false;
        let mut input_slots = [InputSlot::default(); MAX_ARITY];
        // One pass over the inputs, element by element (a `copy_from_slice` of the ids was a
        // call to `memcpy` per node).
        for ((id, slot), &input) in ids.iter_mut().zip(&mut input_slots).zip(inputs) {
            *id = input;
            let record = &tape.nodes[input as usize];
            requires_grad |= record.requires_grad;
            let route = match record.op {
                _ if !record.requires_grad => GradRoute::None,
                Op::Param { grad_offset } => GradRoute::Param(grad_offset),
                _ => GradRoute::Adjoint,
            };
            *slot = InputSlot {
                offset: record.offset,
                len: record.len,
                route,
            };
        }
        let node = NodeRecord {
            op,
            inputs: ids,
            arity: inputs.len() as u8,
            offset,
            len,
            scratch,
            dims,
            requires_grad,
            input_slots,
        };
        evaluate_node(&node, &mut tape.values);
        let id = tape.nodes.len();
        tape.nodes.push(node);
        tape.fresh.push(false);
        node_id(id)
    }

    /// Recomputes every node from the current leaf values, in recorded order, in place.
    ///
    /// Reads and backward calls replay by themselves what they depend on, so calling this is
    /// only needed to time or force the forward pass. It allocates nothing.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank0>::from(2.0));
    ///     let y = x * x;
    ///     x.set_value(&Tensor::from(3.0));
    ///     g.forward();
    ///     assert_eq!(y.item(), 9.0);
    /// });
    /// ```
    #[track_caller]
    pub fn forward(&self) {
        self.tape_mut().replay_all();
    }

    /// Clears the accumulated gradient of every parameter.
    ///
    /// It costs nothing at once: the next backward call writes over the gradients it
    /// reaches instead of adding to them, and zeroes the others.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank0>::from(2.0));
    ///     (x * 3.0).backward();
    ///     g.zero_grad();
    ///     assert_eq!(x.grad().item(), 0.0);
    /// });
    /// ```
    #[track_caller]
    pub fn zero_grad(&self) {
        self.tape_mut().grads_cleared = true;
    }

    /// Number of nodes recorded so far (leaves included).
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank0>::from(2.0));
    ///     let _ = x + 1.0;
    ///     assert_eq!(g.len(), 2);
    /// });
    /// ```
    #[track_caller]
    pub fn len(&self) -> usize {
        self.tape().nodes.len()
    }

    /// Whether no node has been recorded yet.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::<f64>::with(|g| assert!(g.is_empty()));
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The panic of a graph used while it is lent out.
#[cold]
#[track_caller]
fn reentered() -> ! {
    panic!(
        "tygrad: this graph is in use by one of its own closures (`Var::with_grad`, \
         `Var::update`): record nodes, read values and call backward outside the closure"
    )
}

/// The lengths an unnamed intermediate node is shown with (`[len]`), for lengths below 4096.
static FLAT_LENGTHS: [usize; 4096] = {
    let mut lengths = [0; 4096];
    let mut i = 0;
    while i < lengths.len() {
        lengths[i] = i;
        i += 1;
    }
    lengths
};

/// The dims `[len]` of an intermediate node, as a static slice (empty past 4095 elements:
/// the dims only label the node in reports and DOT output).
fn flat_dims(len: usize) -> &'static [usize] {
    FLAT_LENGTHS.get(len..len + 1).unwrap_or(&[])
}

/// Converts an arena index to a node id, refusing graphs beyond `u32::MAX` nodes.
fn node_id(index: usize) -> NodeId {
    NodeId::try_from(index).expect("a tygrad graph holds at most u32::MAX nodes")
}

impl<F: Float> Graph<'_, F> {
    /// Hook run after every backward sweep: under the graph-wide switch, the forward-mode
    /// cross-check (see [`crate::check`]).
    pub(crate) fn after_backward(&self, output: NodeId, seed: &[F]) {
        crate::check::after_backward(self, output, seed);
    }
}
