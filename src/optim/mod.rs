//! Optimizers: gradient steps on every parameter of a graph, in place.
//!
//! An optimizer reads the gradients that the latest backward calls accumulated and moves
//! each parameter of the [`Graph`] in place, as PyTorch's `optimizer.step()` does: call
//! [`Graph::zero_grad`], then `backward`, then [`Optimizer::step`]. The state an optimizer
//! keeps per parameter element (a momentum buffer, Adam's two moments) is sized once, at the
//! first step, to the graph's parameters; later steps allocate nothing. Nodes computed from
//! the parameters are replayed at the next read or backward call, as after
//! [`Var::update`](crate::Var::update).
//!
//! - [`Sgd`]: stochastic gradient descent with optional momentum (heavy ball or Nesterov) and
//!   L2 weight decay;
//! - [`Adam`]: Adam, and AdamW with decoupled weight decay ([`Adam::adamw`]);
//! - learning-rate schedules: any [`Schedule`], a plain closure `Fn(usize) -> f64` of the
//!   step count, or one of [`StepDecay`], [`ExponentialDecay`], [`CosineAnnealing`],
//!   [`Warmup`].
//!
//! The update rules are PyTorch's (`torch.optim.SGD`, `Adam`, `AdamW`), element by element.
//!
//! With the `argmin` cargo feature, `tygrad::optim::argmin` exposes a graph as an `argmin`
//! problem (cost, gradient, Hessian, residuals and their Jacobian), for L-BFGS, Newton-CG,
//! trust regions and Gauss-Newton.
//!
//! ```
//! use tygrad::prelude::*;
//! use tygrad::optim::{Adam, Optimizer};
//! Graph::with(|g| {
//!     let x = g.param(Tensor::<Rank1<2>>::from([3.0, -2.0]));
//!     let loss = ((x - 1.0).square()).sum();   // minimum at (1, 1)
//!     let mut adam = Adam::new(0.1);
//!     for _ in 0..500 {
//!         g.zero_grad();
//!         loss.backward();
//!         adam.step(g);
//!     }
//!     assert!(loss.item() < 1e-6);
//! });
//! ```

mod adam;
#[cfg(feature = "argmin")]
pub mod argmin;
mod schedule;
mod sgd;

pub use adam::Adam;
pub use schedule::{Constant, CosineAnnealing, ExponentialDecay, Schedule, StepDecay, Warmup};
pub use sgd::Sgd;

use crate::graph::Graph;
use crate::scalar::Float;

/// Something that moves the parameters of a graph from their gradients.
///
/// ```
/// use tygrad::prelude::*;
/// use tygrad::optim::{Optimizer, Sgd};
/// fn train<O: Optimizer<f64>>(mut opt: O) -> f64 {
///     Graph::with(|g| {
///         let x = g.param(Tensor::<Rank0>::from(4.0));
///         let loss = x * x;
///         for _ in 0..100 {
///             g.zero_grad();
///             loss.backward();
///             opt.step(g);
///         }
///         x.value().item()
///     })
/// }
/// assert!(train(Sgd::new(0.1)).abs() < 1e-8);
/// ```
pub trait Optimizer<F: Float> {
    /// One step on every parameter of `graph`, from the gradients accumulated in it (a
    /// pending [`Graph::zero_grad`] reads as zero gradients).
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// use tygrad::optim::{Optimizer, Sgd};
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank0>::from(1.0));
    ///     (x * 3.0).backward();
    ///     Sgd::new(0.5).step(g);
    ///     assert_eq!(x.value().item(), -0.5);
    /// });
    /// ```
    fn step(&mut self, graph: &Graph<'_, F>);

    /// How many steps have been taken.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// use tygrad::optim::{Adam, Optimizer};
    /// Graph::with(|g| {
    ///     let _x = g.param(Tensor::<Rank0>::from(1.0));
    ///     let mut adam = Adam::new(0.1);
    ///     adam.step(g);
    ///     assert_eq!(Optimizer::<f64>::steps(&adam), 1);
    /// });
    /// ```
    fn steps(&self) -> usize;
}

/// Runs `update(values, grads, state_offset)` on each parameter of `graph`, with the
/// parameter's values, its accumulated gradient and the position of its first element in a
/// state buffer sized by [`param_len`] (the gradients' layout). Marks the graph stale.
pub(crate) fn for_each_param<F: Float>(
    graph: &Graph<'_, F>,
    mut update: impl FnMut(&mut [F], &[F], usize),
) {
    let mut guard = graph.tape_mut();
    guard.settle_grads();
    let tape = &mut *guard;
    for &id in &tape.params {
        let node = &tape.nodes[id as usize];
        let offset = node.op.grad_offset();
        let grads = &tape.grads[offset..offset + node.len];
        update(&mut tape.values[node.range()], grads, offset);
    }
    tape.mark_stale();
}

/// The number of parameter elements of `graph`: the length of an optimizer's state buffers.
pub(crate) fn param_len<F: Float>(graph: &Graph<'_, F>) -> usize {
    graph.tape().grads.len()
}

/// Sizes `buffer` to the graph's parameters (zeros), only when they changed: after the first
/// step this allocates nothing.
pub(crate) fn size_state<F: Float>(buffer: &mut Vec<F>, len: usize) {
    if buffer.len() != len {
        buffer.resize(len, F::zero());
    }
}
