//! Adam and AdamW.

use super::{Constant, Optimizer, Schedule, for_each_param, param_len, size_state};
use crate::graph::Graph;
use crate::scalar::Float;

/// Adam (Kingma and Ba), and AdamW (Loshchilov and Hutter) with decoupled weight decay, as
/// PyTorch's `torch.optim.Adam` and `AdamW`. For each parameter element `p` with gradient
/// `g`, at step `t = 1, 2, ...` with learning rate `lr`:
///
/// ```text
/// p = p (1 - lr · weight_decay)        (AdamW)   or   g = g + weight_decay · p   (Adam)
/// m = β1 m + (1 - β1) g
/// v = β2 v + (1 - β2) g²
/// p = p - lr · (m / (1 - β1^t)) / (sqrt(v / (1 - β2^t)) + ε)
/// ```
///
/// Defaults: `β1 = 0.9`, `β2 = 0.999`, `ε = 1e-8`, no weight decay. The moments are sized
/// to the graph's parameters at the first step; later steps allocate nothing.
///
/// ```
/// use tygrad::prelude::*;
/// use tygrad::optim::{Adam, Optimizer};
/// Graph::with(|g| {
///     let x = g.param(Tensor::<Rank1<2>>::from([1.0, -3.0]));
///     (x * x).sum().backward();
///     Adam::new(0.1).step(g);
///     // The first step moves each element by about lr, against its gradient's sign.
///     let moved = x.value();
///     assert!((moved[0] - 0.9).abs() < 1e-8 && (moved[1] + 2.9).abs() < 1e-8);
/// });
/// ```
#[derive(Clone, Debug)]
pub struct Adam<F: Float = f64, L: Schedule = Constant> {
    schedule: L,
    beta1: f64,
    beta2: f64,
    eps: f64,
    weight_decay: f64,
    decoupled: bool,
    /// First moments, one per parameter element.
    m: Vec<F>,
    /// Second moments, one per parameter element.
    v: Vec<F>,
    steps: usize,
}

impl<F: Float> Adam<F, Constant> {
    /// Adam with learning rate `lr` and the default betas and epsilon.
    ///
    /// ```
    /// use tygrad::optim::Adam;
    /// let adam: Adam = Adam::new(1e-3);
    /// assert_eq!(adam.lr(), 1e-3);
    /// ```
    pub fn new(lr: f64) -> Self {
        Adam {
            schedule: Constant(lr),
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            weight_decay: 0.0,
            decoupled: false,
            m: Vec::new(),
            v: Vec::new(),
            steps: 0,
        }
    }

    /// AdamW: Adam with decoupled weight decay, each step shrinking every parameter by the
    /// factor `1 - lr · weight_decay` before the Adam step (PyTorch's default decay is 0.01).
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// use tygrad::optim::{Adam, Optimizer};
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank0>::from(2.0));
    ///     g.zero_grad();                          // zero gradient: only the decay acts
    ///     Adam::adamw(0.1, 0.5).step(g);
    ///     assert!((x.value().item() - 1.9).abs() < 1e-15);
    /// });
    /// ```
    pub fn adamw(lr: f64, weight_decay: f64) -> Self {
        let mut adam = Self::new(lr);
        adam.weight_decay = weight_decay;
        adam.decoupled = true;
        adam
    }
}

impl<F: Float, L: Schedule> Adam<F, L> {
    /// The moments' decay rates `β1` and `β2`.
    ///
    /// ```
    /// use tygrad::optim::Adam;
    /// let adam: Adam = Adam::new(1e-3).betas(0.8, 0.99);
    /// assert_eq!(adam.lr(), 1e-3);
    /// ```
    pub fn betas(mut self, beta1: f64, beta2: f64) -> Self {
        self.beta1 = beta1;
        self.beta2 = beta2;
        self
    }

    /// The `ε` added to the denominator.
    ///
    /// ```
    /// use tygrad::optim::Adam;
    /// let adam: Adam = Adam::new(1e-3).eps(1e-10);
    /// assert_eq!(adam.lr(), 1e-3);
    /// ```
    pub fn eps(mut self, eps: f64) -> Self {
        self.eps = eps;
        self
    }

    /// L2 weight decay as in PyTorch's `Adam`: `weight_decay · p` added to each gradient
    /// (for AdamW's decoupled form, build with [`Adam::adamw`]).
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// use tygrad::optim::{Adam, Optimizer};
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank0>::from(2.0));
    ///     g.zero_grad();                          // the decay alone is the gradient: 0.2
    ///     Adam::new(0.1).weight_decay(0.1).step(g);
    ///     assert!((x.value().item() - 1.9).abs() < 1e-7);
    /// });
    /// ```
    pub fn weight_decay(mut self, weight_decay: f64) -> Self {
        self.weight_decay = weight_decay;
        self
    }

    /// The same optimizer with the learning rate of step `t` (0 for the first step) taken
    /// from `schedule`.
    ///
    /// ```
    /// use tygrad::optim::{Adam, CosineAnnealing};
    /// let adam: Adam<f64, _> =
    ///     Adam::new(0.0).schedule(CosineAnnealing { lr: 0.1, min_lr: 0.0, period: 10 });
    /// assert_eq!(adam.lr(), 0.1);
    /// ```
    pub fn schedule<L2: Schedule>(self, schedule: L2) -> Adam<F, L2> {
        Adam {
            schedule,
            beta1: self.beta1,
            beta2: self.beta2,
            eps: self.eps,
            weight_decay: self.weight_decay,
            decoupled: self.decoupled,
            m: self.m,
            v: self.v,
            steps: self.steps,
        }
    }

    /// The learning rate the next step will use.
    ///
    /// ```
    /// use tygrad::optim::Adam;
    /// assert_eq!(Adam::<f64>::new(0.01).lr(), 0.01);
    /// ```
    pub fn lr(&self) -> f64 {
        self.schedule.lr(self.steps)
    }
}

impl<F: Float, L: Schedule> Optimizer<F> for Adam<F, L> {
    fn step(&mut self, graph: &Graph<'_, F>) {
        let lr = self.lr();
        let t = (self.steps + 1) as i32;
        let of = F::of_f64;
        let (b1, b2, eps) = (of(self.beta1), of(self.beta2), of(self.eps));
        let (bias1, bias2) = (of(1.0 - self.beta1.powi(t)), of(1.0 - self.beta2.powi(t)));
        let (shrink, l2) = if self.decoupled {
            (of(1.0 - lr * self.weight_decay), F::zero())
        } else {
            (F::one(), of(self.weight_decay))
        };
        let lr = of(lr);
        let len = param_len(graph);
        size_state(&mut self.m, len);
        size_state(&mut self.v, len);
        let (ms, vs) = (&mut self.m, &mut self.v);
        for_each_param(graph, |values, grads, offset| {
            let range = offset..offset + values.len();
            let state = ms[range.clone()].iter_mut().zip(&mut vs[range]);
            for ((p, &g), (m, v)) in values.iter_mut().zip(grads).zip(state) {
                let g = g + l2 * *p;
                *p *= shrink;
                *m = b1 * *m + (F::one() - b1) * g;
                *v = b2 * *v + (F::one() - b2) * g * g;
                *p -= lr * (*m / bias1) / (num_traits::Float::sqrt(*v / bias2) + eps);
            }
        });
        self.steps += 1;
    }

    fn steps(&self) -> usize {
        self.steps
    }
}
