//! Learning-rate schedules: the learning rate as a function of the step count.

/// A learning rate for each step `t = 0, 1, 2, ...` (the number of steps taken before this
/// one). Implemented by plain closures `Fn(usize) -> f64` and by the schedules of this module.
///
/// ```
/// use tygrad::optim::Schedule;
/// let halving = |t: usize| 0.1 * 0.5f64.powi(t as i32);
/// assert_eq!(halving.lr(2), 0.025);
/// ```
pub trait Schedule {
    /// The learning rate of step `t`.
    ///
    /// ```
    /// use tygrad::optim::{Constant, Schedule};
    /// assert_eq!(Constant(0.01).lr(1000), 0.01);
    /// ```
    fn lr(&self, t: usize) -> f64;
}

impl<T: Fn(usize) -> f64> Schedule for T {
    fn lr(&self, t: usize) -> f64 {
        self(t)
    }
}

/// The same learning rate at every step.
///
/// ```
/// use tygrad::optim::{Constant, Schedule};
/// assert_eq!(Constant(0.5).lr(0), 0.5);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Constant(pub f64);

impl Schedule for Constant {
    fn lr(&self, _t: usize) -> f64 {
        self.0
    }
}

/// `lr · gamma^⌊t / every⌋`: the rate multiplied by `gamma` every `every` steps (PyTorch's
/// `StepLR`).
///
/// ```
/// use tygrad::optim::{Schedule, StepDecay};
/// let s = StepDecay { lr: 1.0, gamma: 0.5, every: 10 };
/// assert_eq!((s.lr(9), s.lr(10), s.lr(25)), (1.0, 0.5, 0.25));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StepDecay {
    /// The initial rate.
    pub lr: f64,
    /// The factor applied every `every` steps.
    pub gamma: f64,
    /// The period, in steps (at least 1).
    pub every: usize,
}

impl Schedule for StepDecay {
    fn lr(&self, t: usize) -> f64 {
        self.lr * self.gamma.powi((t / self.every.max(1)) as i32)
    }
}

/// `lr · gamma^t` (PyTorch's `ExponentialLR`).
///
/// ```
/// use tygrad::optim::{ExponentialDecay, Schedule};
/// let s = ExponentialDecay { lr: 2.0, gamma: 0.5 };
/// assert_eq!(s.lr(3), 0.25);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ExponentialDecay {
    /// The initial rate.
    pub lr: f64,
    /// The factor per step.
    pub gamma: f64,
}

impl Schedule for ExponentialDecay {
    fn lr(&self, t: usize) -> f64 {
        self.lr * self.gamma.powi(t as i32)
    }
}

/// Cosine annealing from `lr` down to `min_lr` over `period` steps, then `min_lr`:
/// `min_lr + (lr - min_lr) (1 + cos(π t / period)) / 2` (PyTorch's `CosineAnnealingLR`
/// without restarts).
///
/// ```
/// use tygrad::optim::{CosineAnnealing, Schedule};
/// let s = CosineAnnealing { lr: 1.0, min_lr: 0.0, period: 100 };
/// assert_eq!(s.lr(0), 1.0);
/// assert!((s.lr(50) - 0.5).abs() < 1e-15);
/// assert_eq!(s.lr(100), 0.0);
/// assert_eq!(s.lr(1000), 0.0);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CosineAnnealing {
    /// The rate at step 0.
    pub lr: f64,
    /// The rate from step `period` on.
    pub min_lr: f64,
    /// The length of the descent, in steps.
    pub period: usize,
}

impl Schedule for CosineAnnealing {
    fn lr(&self, t: usize) -> f64 {
        if t >= self.period {
            return self.min_lr;
        }
        let phase = std::f64::consts::PI * t as f64 / self.period as f64;
        self.min_lr + (self.lr - self.min_lr) * (1.0 + phase.cos()) / 2.0
    }
}

/// A linear warm-up over the first `steps` steps, from `lr(0) / steps` to the full rate,
/// then the schedule `then` (counting its steps from the end of the warm-up).
///
/// ```
/// use tygrad::optim::{Constant, Schedule, Warmup};
/// let s = Warmup { steps: 4, then: Constant(0.8) };
/// assert_eq!((s.lr(0), s.lr(1), s.lr(3), s.lr(4), s.lr(9)), (0.2, 0.4, 0.8, 0.8, 0.8));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Warmup<S> {
    /// The length of the warm-up, in steps.
    pub steps: usize,
    /// The schedule after it.
    pub then: S,
}

impl<S: Schedule> Schedule for Warmup<S> {
    fn lr(&self, t: usize) -> f64 {
        if t < self.steps {
            self.then.lr(0) * (t + 1) as f64 / self.steps as f64
        } else {
            self.then.lr(t - self.steps)
        }
    }
}
