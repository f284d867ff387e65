//! Reverse mode: `backward`, `backward_with`, and gradient accumulation.
//!
//! One sweep over the recorded order, from the output back to the leaves. Each node's VJP
//! rule (beside its forward kernel in `ops/`) adds its inputs' shares of the adjoint; a node
//! is visited only if the output depends on it and a parameter is upstream of it. At a
//! parameter leaf, the adjoint is added to the parameter's gradient, which accumulates across
//! calls until zeroed, as in PyTorch.

use crate::graph::{Kind, NodeId, NodeRecord, Var};
use crate::ops::MAX_ARITY;
use crate::scalar::{Elem, Float};
use crate::shape::{ScalarShape, Shape};
use crate::tensor::Tensor;

/// Propagates adjoints from `output` back through every node it depends on.
///
/// `adjoints` must hold the seed at `output`; everything below `output` may hold garbage:
/// a node's adjoint is zeroed when the sweep first reaches it, just before its first
/// contribution is added. (Why: zeroing the whole prefix up front touched every buffer twice,
/// and for large graphs the first touch came long before the use, out of cache; nodes the
/// output does not depend on, or that need no gradient, are now never touched at all.)
/// `reached` must be `false` up to `output`. At each parameter reached,
/// `at_param(grad_offset, adjoint)` is called. Generic over the scalar: run on dual numbers
/// it is forward-over-reverse.
pub(crate) fn reverse_sweep<F: Float, T: Elem<F>>(
    nodes: &[NodeRecord<F>],
    values: &[T],
    adjoints: &mut [T],
    reached: &mut [bool],
    output: NodeId,
    mut at_param: impl FnMut(usize, &[T]),
) {
    reached[output as usize] = true;
    for index in (0..=output as usize).rev() {
        if !reached[index] {
            continue;
        }
        let node = &nodes[index];
        match node.op {
            crate::ops::Op::Param { grad_offset } => {
                at_param(grad_offset, &adjoints[node.range()]);
                continue;
            }
            crate::ops::Op::Constant => continue,
            _ => {}
        }
        let (before, from_node) = adjoints.split_at_mut(node.offset);
        let grad_out = &from_node[..node.len];
        let mut inputs: [&[T]; MAX_ARITY] = [&[]; MAX_ARITY];
        for (slot, &input) in inputs.iter_mut().zip(node.inputs()) {
            *slot = &values[nodes[input as usize].range()];
        }
        let inputs = &inputs[..node.arity as usize];
        let out = &values[node.range()];
        for (k, &input) in node.inputs().iter().enumerate() {
            let input_node = &nodes[input as usize];
            if !input_node.requires_grad {
                continue;
            }
            let grad_in = &mut before[input_node.range()];
            let first_visit = !std::mem::replace(&mut reached[input as usize], true);
            if first_visit {
                grad_in.fill(T::zero());
            }
            node.op.vjp(k, inputs, out, grad_out, grad_in);
        }
    }
}

impl<'g, F: Float> crate::Graph<'g, F> {
    /// Runs one reverse sweep from `output` seeded with `seed`, accumulating into the
    /// parameters' gradients. Allocates only when the graph grew since the last call.
    pub(crate) fn backward_from(&self, output: NodeId, seed: &[F]) {
        {
            let mut guard = self.tape_mut();
            let tape = &mut *guard;
            tape.refresh();
            let out = &tape.nodes[output as usize];
            if tape.adjoints.len() < tape.values.len() {
                tape.adjoints.resize(tape.values.len(), F::zero());
            }
            if tape.reached.len() < tape.nodes.len() {
                tape.reached.resize(tape.nodes.len(), false);
            }
            tape.adjoints[out.range()].copy_from_slice(seed);
            tape.reached[..=output as usize].fill(false);
            let grads = &mut tape.grads;
            reverse_sweep(
                &tape.nodes,
                &tape.values,
                &mut tape.adjoints,
                &mut tape.reached,
                output,
                |offset, adjoint| {
                    for (g, &a) in grads[offset..offset + adjoint.len()]
                        .iter_mut()
                        .zip(adjoint)
                    {
                        *g += a;
                    }
                },
            );
        }
        self.after_backward(output, seed);
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
