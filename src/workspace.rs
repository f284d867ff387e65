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
//!
//! The passes on dual numbers here evaluate only the nodes their output depends on, by the
//! ancestor lists the tape keeps for its replays ([`Tape::fresh`]), and read the tape's
//! values only at the leaves: they compute every other value themselves, so they need no
//! replay first.

use crate::forward::end_of;
use crate::graph::{NodeId, NodeRecord, Tape, evaluate_ancestors, heap_bytes};
use crate::reverse::SweepBuffers;
use crate::scalar::{Elem, Float, MultiDual, TANGENTS};
use num_dual::{Dual, HyperDual};

/// The buffers of one graph's Jacobian and Hessian passes (see the module docs).
pub(crate) struct Workspace<F: Float> {
    /// Values on multi-tangent dual numbers, laid out like the tape's values.
    multi: Vec<MultiDual<F>>,
    /// Values on dual numbers of one tangent, laid out like the tape's values (see
    /// [`dual_pass`]).
    pub(crate) dual: Vec<Dual<F>>,
    /// Values on hyper-dual numbers, laid out like the tape's values.
    hyper: Vec<HyperDual<F>>,
    /// The buffers of the Jacobians' reverse sweeps (the graph's own stay untouched).
    sweep: SweepBuffers<F>,
    /// A seed of the output's size.
    seed: Vec<F>,
}

impl<F: Float> Workspace<F> {
    pub(crate) fn new() -> Self {
        Workspace {
            multi: Vec::new(),
            dual: Vec::new(),
            hyper: Vec::new(),
            sweep: SweepBuffers::new(),
            seed: Vec::new(),
        }
    }

    /// The bytes of capacity of its buffers (the tape pool keeps no tape above a cap).
    pub(crate) fn capacity_bytes(&self) -> usize {
        heap_bytes(&self.multi)
            + heap_bytes(&self.dual)
            + heap_bytes(&self.hyper)
            + heap_bytes(&self.seed)
            + self.sweep.capacity_bytes()
    }
}

/// Lifts the values of the leaves up to `output` into `buffer` as scalars of type `T` with
/// no derivative part, sizing it for the prefix that matters. Computed nodes are left as they
/// are: every pass evaluates them before reading them.
fn lift_leaves<F: Float, T: Elem<F>>(
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

/// A pass on scalars of type `T` over the nodes `output` depends on, in one of the
/// workspace's buffers, its leaves lifted from the tape's values: the prologue every pass on
/// dual numbers shares.
struct LiftedPass<'t, F: Float, T> {
    nodes: &'t [NodeRecord<F>],
    ancestors: Option<&'t [NodeId]>,
    output: NodeId,
    values: &'t mut Vec<T>,
}

impl<'t, F: Float, T: Elem<F>> LiftedPass<'t, F, T> {
    /// Lifts the leaves up to `output` into the buffer `pick` chooses.
    fn new(
        tape: &'t mut Tape<F>,
        output: NodeId,
        pick: impl FnOnce(&'t mut Workspace<F>) -> &'t mut Vec<T>,
    ) -> Self {
        let Tape {
            nodes,
            values: tape_values,
            fresh,
            workspace,
            ..
        } = tape;
        let values = pick(workspace);
        lift_leaves(nodes, tape_values, output, values);
        LiftedPass {
            nodes,
            ancestors: fresh.ancestors_of(nodes, output),
            output,
            values,
        }
    }

    /// Evaluates the output's ancestors on the buffer's current leaves.
    fn evaluate(&mut self) {
        evaluate_ancestors(self.nodes, self.ancestors, self.output, self.values);
    }
}

/// One forward-mode pass into the workspace's dual buffer (`tape.workspace.dual`): every value
/// `output` depends on, on dual numbers, when each leaf in `tangents` moves along its
/// direction (every other leaf stays put). Directions of nodes recorded after `output`
/// cannot influence it and are ignored.
pub(crate) fn dual_pass<F: Float>(tape: &mut Tape<F>, output: NodeId, tangents: &[(NodeId, &[F])]) {
    let mut pass = LiftedPass::new(tape, output, |workspace| &mut workspace.dual);
    for &(node, direction) in tangents {
        if node > output {
            continue;
        }
        let range = pass.nodes[node as usize].range();
        for (value, &d) in pass.values[range].iter_mut().zip(direction) {
            value.eps += d;
        }
    }
    pass.evaluate();
}

/// Forward mode over `input`'s elements, [`TANGENTS`] columns per pass (one [`dual_pass`]
/// for an input of one element, where eight tangents would carry seven zeros):
/// `write(row, column, entry)` for every entry of `d output / d input`, zeros included.
pub(crate) fn forward_columns<F: Float>(
    tape: &mut Tape<F>,
    output: NodeId,
    input: NodeId,
    mut write: impl FnMut(usize, usize, F),
) {
    let x = tape.nodes[input as usize].range();
    let out = tape.nodes[output as usize].range();
    if input > output {
        // Recorded after the output: it cannot influence it.
        for row in 0..out.len() {
            for column in 0..x.len() {
                write(row, column, F::zero());
            }
        }
        return;
    }
    if x.len() == 1 {
        dual_pass(tape, output, &[(input, &[F::one()])]);
        for (row, v) in tape.workspace.dual[out].iter().enumerate() {
            write(row, 0, v.eps);
        }
        return;
    }
    let mut pass = LiftedPass::new(tape, output, |workspace| &mut workspace.multi);
    for first in (0..x.len()).step_by(TANGENTS) {
        let width = TANGENTS.min(x.len() - first);
        let chunk = x.start + first..x.start + first + width;
        for (t, v) in pass.values[chunk.clone()].iter_mut().enumerate() {
            *v = MultiDual::from_re(v.re).derivative(t);
        }
        pass.evaluate();
        for (row, v) in pass.values[out.clone()].iter().enumerate() {
            for t in 0..width {
                let entry = v.eps.0.as_ref().map_or(F::zero(), |tangents| tangents[t]);
                write(row, first + t, entry);
            }
        }
        for v in &mut pass.values[chunk] {
            *v = MultiDual::from_re(v.re);
        }
    }
}

/// Reverse mode, one sweep per element of `output` in the workspace's buffers (the graph's
/// adjoints and gradients untouched): `at_param(row, grad_offset, adjoint)` at each parameter
/// that output element `row` depends on. The tape's values must be fresh for `output`.
pub(crate) fn reverse_rows<F: Float>(
    tape: &mut Tape<F>,
    output: NodeId,
    mut at_param: impl FnMut(usize, usize, &[F]),
) {
    let Tape {
        nodes,
        values,
        workspace: Workspace { sweep, seed, .. },
        ..
    } = tape;
    let rows = nodes[output as usize].len;
    seed.clear();
    seed.resize(rows, F::zero());
    for row in 0..rows {
        seed[row] = F::one();
        sweep.sweep_to_params(nodes, values, output, seed, |offset, adjoint| {
            at_param(row, offset, adjoint)
        });
        seed[row] = F::zero();
    }
}

/// The Hessian of the scalar `output` over the elements of `input` by forward over forward
/// mode (no VJP rule involved): one hyper-dual pass per pair `i <= j`, `write(i, j, entry)`
/// for each (the caller mirrors it).
pub(crate) fn hessian_entries<F: Float>(
    tape: &mut Tape<F>,
    output: NodeId,
    input: NodeId,
    mut write: impl FnMut(usize, usize, F),
) {
    let x = tape.nodes[input as usize].range();
    let out = tape.nodes[output as usize].offset;
    let mut pass = LiftedPass::new(tape, output, |workspace| &mut workspace.hyper);
    for i in 0..x.len() {
        for j in i..x.len() {
            pass.values[x.start + i].eps1 = F::one();
            pass.values[x.start + j].eps2 = F::one();
            pass.evaluate();
            write(i, j, pass.values[out].eps1eps2);
            pass.values[x.start + i].eps1 = F::zero();
            pass.values[x.start + j].eps2 = F::zero();
        }
    }
}
