//! Buffers a graph keeps for its Jacobians and Hessians, so that computing one again on a
//! replayed graph allocates nothing.
//!
//! A Jacobian by reverse mode is one reverse sweep per output element, each in buffers the
//! size of the tape (adjoints, marks); by forward mode, passes over the tape on dual numbers.
//! Made afresh per call, those buffers were most of the cost of a small Jacobian (a robot
//! arm's 3x7 Jacobian spent about 5 of its 8 µs allocating and zeroing them). The
//! [`Workspace`] lives in the tape and grows with it; each `_into` call
//! ([`Var::jacobian_fwd_into`](crate::Var::jacobian_fwd_into),
//! [`Var::jacobian_rev_into`](crate::Var::jacobian_rev_into),
//! [`Var::hessian_into`](crate::Var::hessian_into)) borrows it for its duration.

use crate::forward::end_of;
use crate::graph::{NodeId, NodeRecord, ancestors, evaluate, evaluate_node};
use crate::reverse::SweepBuffers;
use crate::scalar::{Elem, Float, MultiDual, TANGENTS};
use num_dual::{Dual, HyperDual};

/// The buffers of one graph's Jacobian and Hessian passes (see the module docs).
pub(crate) struct Workspace<F: Float> {
    /// Values on multi-tangent dual numbers, laid out like the tape's values.
    pub(crate) multi: Vec<MultiDual<F>>,
    /// Values on dual numbers of one tangent (a Jacobian over a single input element).
    pub(crate) dual: Vec<Dual<F>>,
    /// Values on hyper-dual numbers, laid out like the tape's values.
    pub(crate) hyper: Vec<HyperDual<F>>,
    /// The buffers of the Jacobians' reverse sweeps (the graph's own stay untouched).
    pub(crate) sweep: SweepBuffers<F>,
    /// A seed of the output's size.
    pub(crate) seed: Vec<F>,
    /// Which nodes the passes evaluate: the computed ancestors of the output they were last
    /// made for (see [`planned`]).
    plan: Option<(NodeId, Option<Vec<NodeId>>)>,
    /// Scratch of [`ancestors`].
    needed: Vec<u32>,
    mark: u32,
}

impl<F: Float> Workspace<F> {
    /// The bytes of capacity of its buffers (the tape pool keeps no tape above a cap).
    pub(crate) fn capacity_bytes(&self) -> usize {
        fn bytes<T>(v: &Vec<T>) -> usize {
            v.capacity() * size_of::<T>()
        }
        bytes(&self.multi)
            + bytes(&self.dual)
            + bytes(&self.hyper)
            + bytes(&self.seed)
            + bytes(&self.needed)
            + self
                .plan
                .as_ref()
                .and_then(|(_, list)| list.as_ref())
                .map_or(0, bytes)
            + self.sweep.capacity_bytes()
    }

    /// Evaluates, on `values`, the computed nodes that `output` depends on, in recorded
    /// order (see [`planned`]).
    pub(crate) fn evaluate_for<T: Elem<F>>(
        &mut self,
        nodes: &[NodeRecord<F>],
        output: NodeId,
        values: &mut [T],
    ) {
        let plan = planned(
            &mut self.plan,
            &mut self.needed,
            &mut self.mark,
            nodes,
            output,
        );
        evaluate_planned(nodes, plan, output, values);
    }

    /// Drops the cached ancestor list, for a tape that is reused by a new graph.
    pub(crate) fn forget_plan(&mut self) {
        self.plan = None;
    }

    pub(crate) fn new() -> Self {
        Workspace {
            multi: Vec::new(),
            dual: Vec::new(),
            hyper: Vec::new(),
            sweep: SweepBuffers::new(),
            seed: Vec::new(),
            plan: None,
            needed: Vec::new(),
            mark: 0,
        }
    }
}

/// The computed nodes a pass to `output` must evaluate, in recorded order (`None`: all of
/// them up to `output`, the plain loop), as a replay does: a pass skips a branch of the graph
/// that `output` does not depend on. Kept in `slot` for the last output asked (a node's
/// ancestors never change as the graph grows), so a repeated call allocates nothing.
fn planned<'a, F: Float>(
    slot: &'a mut Option<(NodeId, Option<Vec<NodeId>>)>,
    needed: &mut Vec<u32>,
    mark: &mut u32,
    nodes: &[NodeRecord<F>],
    output: NodeId,
) -> Option<&'a [NodeId]> {
    if slot.as_ref().is_none_or(|(o, _)| *o != output) {
        *slot = Some((output, ancestors(nodes, output, needed, mark)));
    }
    slot.as_ref().and_then(|(_, list)| list.as_deref())
}

/// Evaluates the nodes of `plan` (see [`planned`]) up to `output` on `values`.
fn evaluate_planned<F: Float, T: Elem<F>>(
    nodes: &[NodeRecord<F>],
    plan: Option<&[NodeId]>,
    output: NodeId,
    values: &mut [T],
) {
    match plan {
        None => evaluate(&nodes[..=output as usize], values),
        Some(ids) => ids
            .iter()
            .for_each(|&id| evaluate_node(&nodes[id as usize], values)),
    }
}

/// Lifts the values of the leaves up to `output` into `buffer` as scalars of type `T` with
/// no derivative part, sizing it for the prefix that matters. Computed nodes are left as they
/// are: every pass evaluates them before reading them.
pub(crate) fn lift_leaves<F: Float, T: Elem<F>>(
    nodes: &[NodeRecord<F>],
    values: &[F],
    output: NodeId,
    buffer: &mut Vec<T>,
) {
    let end = end_of(nodes, output);
    if buffer.len() < end {
        buffer.resize(end, T::zero());
    }
    for node in &nodes[..=output as usize] {
        if node.op.is_leaf() {
            for (lifted, &v) in buffer[node.range()].iter_mut().zip(&values[node.range()]) {
                *lifted = T::constant(v);
            }
        }
    }
}

/// Forward mode over `input`'s elements, [`TANGENTS`] columns per pass (one tangent for an
/// input of one element, where eight would carry seven zeros): `write(row, column, entry)`
/// for every entry of `d output / d input`, zeros included. `tape_values` are the tape's
/// values; only its leaves' are read, since the pass computes every node itself.
pub(crate) fn forward_columns<F: Float>(
    nodes: &[NodeRecord<F>],
    tape_values: &[F],
    workspace: &mut Workspace<F>,
    output: NodeId,
    input: NodeId,
    mut write: impl FnMut(usize, usize, F),
) {
    let x = nodes[input as usize].range();
    let out = nodes[output as usize].range();
    if input > output {
        // Recorded after the output: it cannot influence it.
        for row in 0..out.len() {
            for column in 0..x.len() {
                write(row, column, F::zero());
            }
        }
        return;
    }
    let Workspace {
        multi,
        dual,
        plan,
        needed,
        mark,
        ..
    } = workspace;
    let plan = planned(plan, needed, mark, nodes, output);
    if x.len() == 1 {
        let values = dual;
        lift_leaves(nodes, tape_values, output, values);
        values[x.start].eps = F::one();
        evaluate_planned(nodes, plan, output, values);
        for (row, v) in values[out].iter().enumerate() {
            write(row, 0, v.eps);
        }
        values[x.start].eps = F::zero();
        return;
    }
    let values = multi;
    lift_leaves(nodes, tape_values, output, values);
    for first in (0..x.len()).step_by(TANGENTS) {
        let width = TANGENTS.min(x.len() - first);
        let chunk = x.start + first..x.start + first + width;
        for (t, v) in values[chunk.clone()].iter_mut().enumerate() {
            *v = MultiDual::from_re(v.re).derivative(t);
        }
        evaluate_planned(nodes, plan, output, values);
        for (row, v) in values[out.clone()].iter().enumerate() {
            for t in 0..width {
                let entry = v.eps.0.as_ref().map_or(F::zero(), |tangents| tangents[t]);
                write(row, first + t, entry);
            }
        }
        for v in &mut values[chunk] {
            *v = MultiDual::from_re(v.re);
        }
    }
}

/// The Hessian of the scalar `output` over the elements of `input` by forward over forward
/// mode (no VJP rule involved): one hyper-dual pass per pair `i <= j`, `write(i, j, entry)`
/// for each (the caller mirrors it). `tape_values` are the tape's values; only its leaves' are
/// read, since the passes compute every value they read.
pub(crate) fn hessian_entries<F: Float>(
    nodes: &[NodeRecord<F>],
    tape_values: &[F],
    workspace: &mut Workspace<F>,
    output: NodeId,
    input: NodeId,
    mut write: impl FnMut(usize, usize, F),
) {
    let Workspace {
        hyper: values,
        plan,
        needed,
        mark,
        ..
    } = workspace;
    let plan = planned(plan, needed, mark, nodes, output);
    lift_leaves(nodes, tape_values, output, values);
    let x = nodes[input as usize].range();
    let out = nodes[output as usize].offset;
    for i in 0..x.len() {
        for j in i..x.len() {
            values[x.start + i].eps1 = F::one();
            values[x.start + j].eps2 = F::one();
            evaluate_planned(nodes, plan, output, values);
            write(i, j, values[out].eps1eps2);
            values[x.start + i].eps1 = F::zero();
            values[x.start + j].eps2 = F::zero();
        }
    }
}
