//! Stochastic gradient descent, with momentum (heavy ball or Nesterov) and weight decay.

use super::{Constant, Optimizer, Schedule, for_each_param, param_len, size_state};
use crate::graph::Graph;
use crate::scalar::Float;

/// Stochastic gradient descent (PyTorch's `torch.optim.SGD` without dampening). For each
/// parameter element `p` with gradient `g`, at step `t` with learning rate `lr = schedule(t)`:
///
/// ```text
/// d = g + weight_decay · p
/// b = d                      at the first step, else  b = momentum · b + d
/// d = b                      (heavy ball),  or  d = d + momentum · b  (Nesterov)
/// p = p - lr · d
/// ```
///
/// With `momentum = 0` (the default) this is plain gradient descent and keeps no state.
///
/// ```
/// use tygrad::prelude::*;
/// use tygrad::optim::{Optimizer, Sgd};
/// Graph::with(|g| {
///     let x = g.param(Tensor::<Rank1<2>>::from([1.0, -1.0]));
///     let loss = (x * x).sum() * 0.5;            // gradient x
///     let mut sgd = Sgd::new(0.1).momentum(0.9);
///     loss.backward();
///     sgd.step(g);                               // b = g, x = x - 0.1 g
///     assert_eq!(x.value().as_slice(), &[0.9, -0.9]);
/// });
/// ```
#[derive(Clone, Debug)]
pub struct Sgd<F: Float = f64, L: Schedule = Constant> {
    schedule: L,
    momentum: f64,
    nesterov: bool,
    weight_decay: f64,
    /// The momentum buffer `b`, one entry per parameter element (empty without momentum).
    velocity: Vec<F>,
    steps: usize,
}

impl<F: Float> Sgd<F, Constant> {
    /// Plain gradient descent with a constant learning rate.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// use tygrad::optim::{Optimizer, Sgd};
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank0>::from(2.0));
    ///     (x * x).backward();                    // gradient 4
    ///     Sgd::new(0.25).step(g);
    ///     assert_eq!(x.value().item(), 1.0);
    /// });
    /// ```
    pub fn new(lr: f64) -> Self {
        Sgd {
            schedule: Constant(lr),
            momentum: 0.0,
            nesterov: false,
            weight_decay: 0.0,
            velocity: Vec::new(),
            steps: 0,
        }
    }
}

impl<F: Float, L: Schedule> Sgd<F, L> {
    /// Heavy-ball momentum `momentum` (PyTorch's `momentum`, typically 0.9).
    ///
    /// ```
    /// use tygrad::optim::Sgd;
    /// let sgd: Sgd = Sgd::new(0.1).momentum(0.9);
    /// assert_eq!(sgd.momentum_factor(), 0.9);
    /// ```
    pub fn momentum(mut self, momentum: f64) -> Self {
        self.momentum = momentum;
        self
    }

    /// Nesterov momentum instead of heavy ball (needs a non-zero [`momentum`](Self::momentum)).
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// use tygrad::optim::{Optimizer, Sgd};
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank0>::from(1.0));
    ///     let loss = x * 2.0;                    // gradient 2
    ///     let mut sgd = Sgd::new(0.1).momentum(0.5).nesterov();
    ///     loss.backward();
    ///     sgd.step(g);                           // b = 2, d = 2 + 0.5 · 2 = 3
    ///     assert!((x.value().item() - 0.7).abs() < 1e-15);
    /// });
    /// ```
    pub fn nesterov(mut self) -> Self {
        self.nesterov = true;
        self
    }

    /// L2 weight decay: `weight_decay · p` added to each gradient.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// use tygrad::optim::{Optimizer, Sgd};
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank0>::from(2.0));
    ///     g.zero_grad();                          // zero gradient: only the decay acts
    ///     Sgd::new(0.5).weight_decay(0.1).step(g);
    ///     assert!((x.value().item() - 1.9).abs() < 1e-15);
    /// });
    /// ```
    pub fn weight_decay(mut self, weight_decay: f64) -> Self {
        self.weight_decay = weight_decay;
        self
    }

    /// The same optimizer with the learning rate of step `t` taken from `schedule` (a
    /// [`Schedule`] or a closure of the step count).
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// use tygrad::optim::{Optimizer, Sgd};
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank0>::from(0.0));
    ///     let loss = x * 1.0;                    // gradient 1
    ///     let mut sgd = Sgd::new(0.0).schedule(|t: usize| 1.0 / (t + 1) as f64);
    ///     for _ in 0..2 {
    ///         g.zero_grad();
    ///         loss.backward();
    ///         sgd.step(g);
    ///     }
    ///     assert_eq!(x.value().item(), -1.5);    // -(1 + 1/2)
    /// });
    /// ```
    pub fn schedule<L2: Schedule>(self, schedule: L2) -> Sgd<F, L2> {
        Sgd {
            schedule,
            momentum: self.momentum,
            nesterov: self.nesterov,
            weight_decay: self.weight_decay,
            velocity: self.velocity,
            steps: self.steps,
        }
    }

    /// The momentum factor.
    ///
    /// ```
    /// use tygrad::optim::Sgd;
    /// assert_eq!(Sgd::<f64>::new(0.1).momentum_factor(), 0.0);
    /// ```
    pub fn momentum_factor(&self) -> f64 {
        self.momentum
    }

    /// The learning rate the next step will use.
    ///
    /// ```
    /// use tygrad::optim::{Sgd, StepDecay};
    /// let sgd: Sgd<f64, _> = Sgd::new(0.0).schedule(StepDecay { lr: 1.0, gamma: 0.1, every: 5 });
    /// assert_eq!(sgd.lr(), 1.0);
    /// ```
    pub fn lr(&self) -> f64 {
        self.schedule.lr(self.steps)
    }
}

impl<F: Float, L: Schedule> Optimizer<F> for Sgd<F, L> {
    fn step(&mut self, graph: &Graph<'_, F>) {
        let lr = F::of_f64(self.lr());
        let decay = F::of_f64(self.weight_decay);
        let mu = F::of_f64(self.momentum);
        let (first, nesterov) = (self.steps == 0, self.nesterov);
        if self.momentum == 0.0 {
            for_each_param(graph, |values, grads, _| {
                for (p, &g) in values.iter_mut().zip(grads) {
                    *p -= lr * (g + decay * *p);
                }
            });
        } else {
            size_state(&mut self.velocity, param_len(graph));
            let velocity = &mut self.velocity;
            for_each_param(graph, |values, grads, offset| {
                let state = &mut velocity[offset..offset + values.len()];
                for ((p, &g), b) in values.iter_mut().zip(grads).zip(state) {
                    let d = g + decay * *p;
                    *b = if first { d } else { mu * *b + d };
                    *p -= lr * if nesterov { d + mu * *b } else { *b };
                }
            });
        }
        self.steps += 1;
    }

    fn steps(&self) -> usize {
        self.steps
    }
}
