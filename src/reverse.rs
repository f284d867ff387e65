//! Reverse mode: `backward`, `backward_with`, and gradient accumulation.
//!
//! One sweep over the recorded order, from the output back to the leaves. Each node's VJP
//! rule (beside its forward kernel in `ops/`) adds its inputs' shares of the adjoint; a node
//! is visited only if the output depends on it and a parameter is upstream of it. A
//! parameter's share is added straight into its gradient, which accumulates across calls
//! until zeroed, as in PyTorch.

use crate::forward::end_of;
use crate::graph::{GradRoute, InputSlot, Kind, NodeId, NodeRecord, Tape, Var, heap_bytes};
use crate::ops::{GradWrite, MAX_ARITY, Op, VjpIn};
use crate::scalar::{Elem, Float};
use crate::shape::{ScalarShape, Shape};
use crate::tensor::Tensor;

/// Where the reverse sweep puts the parameters' shares of `Jᵀ seed`.
pub(crate) enum ParamSink<'a, T, C> {
    /// Added straight into the gradient slots (`grads[grad_offset..]`) by the VJP rules that
    /// produce them: no adjoint buffer for parameters, no zero-fill, no separate add pass.
    /// With `cleared` (a lazy [`Graph::zero_grad`](crate::Graph::zero_grad) is pending, the
    /// slots hold garbage), a parameter's first share in the sweep is written over its slot.
    Grads { grads: &'a mut [T], cleared: bool },
    /// Kept in the parameters' adjoints, which then hold exactly this sweep's share, and
    /// handed to `at_param(grad_offset, adjoint)` (the dot-product test reads them afterwards;
    /// Jacobians copy them out).
    Adjoints(C),
}

/// The marks of one sweep: node `i` is reached iff `marks[i] == epoch`, and its adjoint is
/// the one number `uniform_values[i]` in every element, not written out, iff
/// `uniform_marks[i] == epoch` (0 is never an epoch).
pub(crate) struct Reached<'a, T> {
    pub(crate) marks: &'a mut [u32],
    pub(crate) uniform_marks: &'a mut [u32],
    pub(crate) uniform_values: &'a mut [T],
    pub(crate) epoch: u32,
}

/// Propagates adjoints from `output` back through every node it depends on.
///
/// `adjoints` must hold the seed at `output`; everything below `output` may hold garbage:
/// an input's first contribution in this sweep is written over its adjoint
/// ([`GradWrite::Assign`]), later ones are added. (Why: zero-filling each buffer before
/// adding touched it once more; zero-filling the whole prefix up front touched every buffer
/// twice, out of cache. Nodes the output does not depend on, or that need no gradient, are
/// never touched at all.) No mark below `output` may equal `reached.epoch`.
///
/// Uniform adjoints: a sum or a mean gives each input element the same share, and additions,
/// negations and scalings pass one number on as one number
/// ([`Op::uniform_share`]). The sweep keeps such an adjoint as that number and writes it
/// out only when a rule needs it in memory (or adds it where it meets a written one), so a
/// loss's `sum` or `mean` and the additions under it cost no pass over their inputs. The
/// arithmetic per element is unchanged: the numbers are those of the rules themselves.
///
/// Generic over the scalar: run on dual numbers it is forward-over-reverse.
pub(crate) fn reverse_sweep<F: Float, T: Elem<F>, C: FnMut(usize, &[T])>(
    nodes: &[NodeRecord<F>],
    values: &[T],
    adjoints: &mut [T],
    reached: Reached<'_, T>,
    output: NodeId,
    mut params: ParamSink<'_, T, C>,
) {
    let Reached {
        marks,
        uniform_marks,
        uniform_values,
        epoch,
    } = reached;
    marks[output as usize] = epoch;
    for index in (0..=output as usize).rev() {
        if marks[index] != epoch {
            continue;
        }
        let node = &nodes[index];
        // This node's adjoint, if the sweep holds it as one number (not written out).
        let held = (uniform_marks[index] == epoch).then(|| uniform_values[index]);
        if let Op::Param { grad_offset } = node.op {
            if let Some(g) = held {
                // Only under `Adjoints`: the callback reads the adjoint from memory.
                adjoints[node.range()].fill(g);
            }
            let adjoint = &adjoints[node.range()];
            match &mut params {
                // The VJP rules already wrote every other parameter's share into its slot;
                // only an output that is itself a parameter still holds its seed here.
                ParamSink::Grads { grads, cleared } if index == output as usize => {
                    GradWrite::overwrite_if(*cleared).map(
                        adjoint,
                        &mut grads[grad_offset..grad_offset + node.len],
                        |a| a,
                    );
                }
                ParamSink::Grads { .. } => {}
                ParamSink::Adjoints(at_param) => at_param(grad_offset, adjoint),
            }
            continue;
        }
        let slots = &node.input_slots[..node.arity as usize];
        let (before, from_node) = adjoints.split_at_mut(node.offset);
        // The adjoint as one number, where it is one (a scalar node's always is).
        let scalar = held.or_else(|| (node.len == 1).then(|| from_node[0]));
        let share =
            |k: usize, slot: &InputSlot| scalar.and_then(|g| node.op.uniform_share(k, g, slot.len));
        // Elementwise rules read a held adjoint as it is; for others it is written out once,
        // if any input's share needs it in memory.
        let read_held = held.filter(|_| node.op.takes_uniform_adjoint());
        if let (Some(g), None) = (held, read_held) {
            let needs_memory = slots
                .iter()
                .enumerate()
                .any(|(k, slot)| slot.route != GradRoute::None && share(k, slot).is_none());
            if needs_memory {
                from_node[..node.len].fill(g);
            }
        }
        let grad_out = &from_node[..node.len];
        let out = &values[node.full_range()];
        // An unused slot is the empty span 0..0, so both can be sliced without a branch.
        let [first, second] = &node.input_slots;
        let inputs: [&[T]; MAX_ARITY] = [&values[first.range()], &values[second.range()]];
        let inputs = &inputs[..node.arity as usize];
        let vjp = |k: usize, grad_in: &mut [T], write: GradWrite| match read_held {
            Some(g) => node.op.vjp_uniform(inputs, out, g, grad_in, write),
            None => {
                let at = VjpIn {
                    inputs,
                    out,
                    grad_out,
                };
                node.op.vjp(k, at, grad_in, write)
            }
        };
        for (k, slot) in slots.iter().enumerate() {
            if slot.route == GradRoute::None {
                continue;
            }
            // The input's first share in this sweep overwrites, later ones add.
            let input = node.inputs[k] as usize;
            let first = marks[input] != epoch;
            marks[input] = epoch;
            let input_uniform = !first && uniform_marks[input] == epoch;
            let share = share(k, slot);
            match (slot.route, &mut params, share) {
                (GradRoute::Param(grad_offset), ParamSink::Grads { grads, cleared }, _) => {
                    let grad_in = &mut grads[grad_offset..grad_offset + slot.len];
                    let write = GradWrite::overwrite_if(first && *cleared);
                    match share {
                        Some(s) => write.fill(grad_in, s),
                        None => vjp(k, grad_in, write),
                    }
                }
                (_, _, Some(s)) if first => {
                    uniform_marks[input] = epoch;
                    uniform_values[input] = s;
                }
                (_, _, Some(s)) if input_uniform => uniform_values[input] += s,
                (_, _, Some(s)) => GradWrite::Add.fill(&mut before[slot.range()], s),
                (_, _, None) => {
                    let grad_in = &mut before[slot.range()];
                    if input_uniform {
                        // Its earlier shares were one number: written out now, then added to.
                        grad_in.fill(uniform_values[input]);
                        uniform_marks[input] = 0;
                    }
                    let write = GradWrite::overwrite_if(first);
                    vjp(k, grad_in, write);
                }
            }
        }
    }
}

impl<F: Float> Tape<F> {
    /// Completes a lazy zero_grad after a sweep: every parameter the sweep reached
    /// had its slot overwritten; the others are zeroed now.
    fn zero_unreached_grads(&mut self) {
        for &param in &self.params {
            if !self.sweep.reached(param as usize) {
                let range = self.grad_range(param);
                self.grads[range].fill(F::zero());
            }
        }
        self.grads_cleared = false;
    }
}

/// The scratch of reverse sweeps, reused from sweep to sweep: the adjoints (laid out like the
/// values; a sweep tolerates garbage in them, since first writes assign) and the marks of
/// [`Reached`] (cleared by starting a new epoch, so nothing is zeroed between sweeps). The
/// graph's own backward calls, the Jacobians' sweeps (in the graph's workspace) and the
/// checks' private sweeps all run in one of these.
pub(crate) struct SweepBuffers<T> {
    pub(crate) adjoints: Vec<T>,
    marks: Vec<u32>,
    uniform_marks: Vec<u32>,
    uniform_values: Vec<T>,
    /// The mark of the latest sweep (0 is never a current epoch).
    epoch: u32,
}

impl<T: Copy + num_traits::Zero> SweepBuffers<T> {
    pub(crate) fn new() -> Self {
        SweepBuffers {
            adjoints: Vec::new(),
            marks: Vec::new(),
            uniform_marks: Vec::new(),
            uniform_values: Vec::new(),
            epoch: 0,
        }
    }

    /// Sizes the buffers for `adjoint_len` adjoint elements and `node_count` nodes (allocating
    /// only when they grew) and starts a new epoch of marks.
    #[inline]
    pub(crate) fn start(
        &mut self,
        adjoint_len: usize,
        node_count: usize,
    ) -> (&mut [T], Reached<'_, T>) {
        if self.adjoints.len() < adjoint_len {
            self.adjoints.resize(adjoint_len, T::zero());
        }
        if self.marks.len() < node_count {
            self.marks.resize(node_count, 0);
            self.uniform_marks.resize(node_count, 0);
            self.uniform_values.resize(node_count, T::zero());
        }
        self.epoch = self.epoch.wrapping_add(1);
        if self.epoch == 0 {
            // After 2³² sweeps the marks wrap: clear them once.
            self.marks.fill(0);
            self.uniform_marks.fill(0);
            self.epoch = 1;
        }
        let reached = Reached {
            marks: &mut self.marks,
            uniform_marks: &mut self.uniform_marks,
            uniform_values: &mut self.uniform_values,
            epoch: self.epoch,
        };
        (&mut self.adjoints, reached)
    }

    /// Whether the latest sweep reached node `id`.
    #[inline]
    pub(crate) fn reached(&self, id: usize) -> bool {
        self.marks[id] == self.epoch
    }

    /// Node `id`'s adjoint in the latest sweep where it is one number everywhere (held as
    /// that number, not written out).
    pub(crate) fn uniform(&self, id: usize) -> Option<T> {
        (self.reached(id) && self.uniform_marks[id] == self.epoch)
            .then_some(self.uniform_values[id])
    }

    pub(crate) fn capacity_bytes(&self) -> usize {
        heap_bytes(&self.adjoints)
            + heap_bytes(&self.uniform_values)
            + heap_bytes(&self.marks)
            + heap_bytes(&self.uniform_marks)
    }

    /// One sweep from `output` seeded with `seed`, the graph's gradients untouched:
    /// `at_param(grad_offset, adjoint)` at each parameter the output depends on.
    pub(crate) fn sweep_to_params<F: Float>(
        &mut self,
        nodes: &[NodeRecord<F>],
        values: &[T],
        output: NodeId,
        seed: &[T],
        at_param: impl FnMut(usize, &[T]),
    ) where
        T: Elem<F>,
    {
        let (adjoints, reached) = self.start(end_of(nodes, output), output as usize + 1);
        adjoints[nodes[output as usize].range()].copy_from_slice(seed);
        reverse_sweep(
            nodes,
            values,
            adjoints,
            reached,
            output,
            ParamSink::Adjoints(at_param),
        );
    }
}

impl<'g, F: Float> crate::Graph<'g, F> {
    /// Runs one reverse sweep from `output` seeded with `seed`, accumulating into the
    /// parameters' gradients, then the graph-wide cross-check if it is on. The sweep is the
    /// same with the check on or off (the check runs sweeps of its own, in private buffers),
    /// so a checked run gives the same bits as a plain one. One borrow of the tape for the
    /// sweep; allocates only when the graph grew.
    pub(crate) fn backward_from(&self, output: NodeId, seed: &[F]) {
        let check_after = {
            let mut guard = self.tape_mut();
            let tape = &mut *guard;
            tape.refresh_for_backward(output);
            let check_after = tape.check_backward;
            let (adjoints, reached) = tape.sweep.start(tape.values.len(), tape.nodes.len());
            adjoints[tape.nodes[output as usize].range()].copy_from_slice(seed);
            let cleared = tape.grads_cleared;
            let sink: ParamSink<'_, F, fn(usize, &[F])> = ParamSink::Grads {
                grads: &mut tape.grads,
                cleared,
            };
            reverse_sweep(&tape.nodes, &tape.values, adjoints, reached, output, sink);
            if cleared {
                // The pending zero_grad, for the parameters this sweep did not reach.
                tape.zero_unreached_grads();
            }
            check_after
        };
        if check_after {
            self.after_backward(output, seed);
        }
    }
}

impl<S: Shape, F: Float, K: Kind> Var<'_, S, F, K> {
    /// Backpropagates from this scalar output: adds `d self / d p` to the gradient of every
    /// parameter `p` it depends on. Only a 0-d output has it; reduce first (`.sum()`,
    /// `.mean()`) or use [`backward_with`](Self::backward_with).
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank2<2, 2>>::ones());
    ///     let out = ((x + 2.0) * (x + 2.0) * 3.0).mean();
    ///     out.backward();
    ///     assert_eq!(x.grad(), Tensor::full(4.5));
    /// });
    /// ```
    pub fn backward(&self)
    where
        S: ScalarShape,
    {
        self.graph.backward_from(self.id, &[F::one()]);
    }

    /// The vector-Jacobian product: adds `seedᵀ · d self / d p` to the gradient of every
    /// parameter `p`. The seed has this node's shape (a seed of another shape does not
    /// compile); it weights each output element.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank1<3>>::from([2.0, 2.0, 2.0]));
    ///     let y = x * 2.0;
    ///     y.backward_with(&Tensor::from([0.1, 1.0, 10.0]));
    ///     assert_eq!(x.grad().as_slice(), &[0.2, 2.0, 20.0]);
    /// });
    /// ```
    pub fn backward_with(&self, seed: &Tensor<S, F>) {
        self.graph.backward_from(self.id, seed.as_slice());
    }
}
