//! Cross-checks of reverse mode against forward mode and finite differences.
//!
//! Forward mode differentiates the op kernels themselves (see [`crate::forward`]); the VJP
//! rules of reverse mode are separate, hand-written derivatives. Where the two agree, the
//! gradient is right up to rounding; where they differ, a VJP rule is wrong.
//!
//! # The checks and what they cost
//!
//! - **Dot-product test** ([`Var::backward_checked`], [`Var::backward_with_checked`], and
//!   every backward call under [`Graph::set_check_backward`] / [`Graph::with_checked`]): for a
//!   random direction `u` over every parameter, `<seed, J u>` (one dual pass, forward mode)
//!   must equal `<Jᵀ seed, u>` (the adjoints this backward call just computed). Cost: one dual
//!   pass over the nodes up to the output (about 2-4 plain forward passes) plus one random
//!   number per parameter element. `u` comes from an in-crate splitmix64 generator seeded by
//!   the output node and the seed, so a check is reproducible.
//! - **Per-node checks** ([`Var::check_vjps`], and automatically when a dot-product test
//!   fails): for every node the output depends on, seed its output with a random vector `w`
//!   and compare, for each input `k` that needs a gradient, `<w, J_k v>` (its kernel on dual
//!   numbers along a random `v`) with `<J_kᵀ w, v>` (its VJP rule), locally. The first node
//!   that disagrees is named, with its op, id and dims. Cost: one local kernel evaluation on
//!   dual numbers and one VJP call per (node, input) pair: about one dual pass and one
//!   backward over the graph.
//! - **Full Jacobians** ([`Var::jacobian_fwd`] vs [`Var::jacobian_rev`], and
//!   [`Var::check_jacobians`]): `numel(in)` dual passes against `numel(out)` reverse sweeps;
//!   for small shapes, entry by entry.
//! - **Central finite differences** ([`Var::jacobian_fd`]): a third witness that trusts
//!   neither the kernels' derivatives nor the VJP rules, only the kernels' values:
//!   `2 numel(in)` plain forward passes.
//!
//! The tests themselves (the dot-product test of a backward call and the per-node checks)
//! are in one file, the reports they return in another; the full Jacobians and their
//! comparison, [`JacobianCheck`] included, live with the [`Jacobian`](crate::Jacobian) type
//! (re-exported here). This file holds the [`Tolerances`] and the public entry points on
//! [`Graph`] and [`Var`].
//!
//! # Tolerances
//!
//! Relative errors are measured against the size of the terms (the sum of the absolute
//! products for a dot product, the largest entry for a Jacobian), so that cancellation does
//! not turn rounding into a false alarm. The defaults ([`Tolerances::of`]):
//!
//! | witness | `f64` | `f32` | why |
//! |---|---|---|---|
//! | forward vs reverse | `1e-10` | `1e-4` | both exact up to rounding: single ops agree to about `1e-13` (the property tests assert `1e-12` per op), but rounding grows with depth and conditioning (random 8-op chains reach a few `1e-12`); a wrong VJP rule is off by `1e-3` to `1` |
//! | against finite differences | `1e-6` | `2e-2` | step `h = ε^(1/3) max(1, |x|)` leaves a truncation plus rounding error of order `ε^(2/3)`, measured by [`Jacobian::fd_error`](crate::forward::Jacobian::fd_error): relative above 1, absolute below, since the rounding noise does not shrink with the derivative |
//!
//! ```
//! use tygrad::prelude::*;
//! Graph::with(|g| {
//!     let x = g.param(Tensor::<Rank1<3>>::from([0.5, 1.0, 2.0]));
//!     let loss = (x.ln() * x.sin()).sum();
//!     let report = loss.backward_checked();
//!     assert!(report.passed, "{report}");
//!     assert!(report.rel_error <= 1e-12);
//! });
//! ```

mod dot_tests;
mod nodes;
mod report;

pub use crate::jacobian::JacobianCheck;
pub use report::{CheckReport, Mismatch, NodeFailure};

pub(crate) use dot_tests::SplitMix64;

/// The factor `κ` of every noise floor (see the [module docs](self)): rounding bounds per
/// operation are a few ulps; 32 leaves room for the constants, and is still six orders of
/// magnitude below a `1e-8` relative error in `f64`.
pub const NOISE_FACTOR: f64 = 32.0;

use crate::graph::{Graph, Kind, NodeId, Var};
use crate::scalar::Float;
use crate::shape::{ScalarShape, Shape};
use crate::tensor::Tensor;
use dot_tests::{call_seed, dot_product_test};
use nodes::{Scope, check_nodes};

/// The default tolerances of the checks, for a float type (see the [module docs](self)).
///
/// ```
/// use tygrad::prelude::*;
/// let t = Tolerances::of::<f64>();
/// assert_eq!((t.forward_vs_reverse, t.finite_differences), (1e-10, 1e-6));
/// assert_eq!(Tolerances::of::<f32>().forward_vs_reverse, 1e-4);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Tolerances {
    /// Largest relative error allowed between forward and reverse mode (both exact up to
    /// rounding).
    pub forward_vs_reverse: f64,
    /// Largest relative error allowed between an AD derivative and central finite
    /// differences.
    pub finite_differences: f64,
}

impl Tolerances {
    /// The defaults for `F`: `1e-10` / `1e-6` for `f64`, `1e-4` / `2e-2` for `f32`.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// assert_eq!(Tolerances::of::<f32>().finite_differences, 2e-2);
    /// ```
    pub fn of<F: Float>() -> Self {
        if <F as num_traits::Float>::epsilon().as_f64() < 1e-10 {
            Tolerances {
                forward_vs_reverse: 1e-10,
                finite_differences: 1e-6,
            }
        } else {
            Tolerances {
                forward_vs_reverse: 1e-4,
                finite_differences: 2e-2,
            }
        }
    }
}

/// `diff / scale`, but 0 when `diff` is exactly 0 (including `0 / 0`): the relative
/// difference every check reports, from the dot-product tests to
/// [`Jacobian::relative_error`](crate::Jacobian::relative_error).
pub(crate) fn relative_difference(diff: f64, scale: f64) -> f64 {
    if diff == 0.0 { 0.0 } else { diff / scale }
}

/// The body of `Graph::after_backward`: under the graph-wide switch, cross-check the backward
/// call that just ran, and panic with the report if it disagrees.
pub(crate) fn after_backward<F: Float>(graph: &Graph<'_, F>, output: NodeId, seed: &[F]) {
    let report = {
        let tape = graph.tape();
        if !tape.check_backward {
            return;
        }
        dot_product_test(&tape, output, seed)
    };
    if !report.passed {
        panic!("tygrad: {report}");
    }
}

/// Turns the graph-wide switch off for the life of the guard, then restores it (also when a
/// kernel panics).
struct SwitchOff<'a, 'g, F: Float> {
    graph: &'a Graph<'g, F>,
    was: bool,
}

impl<'a, 'g, F: Float> SwitchOff<'a, 'g, F> {
    fn new(graph: &'a Graph<'g, F>) -> Self {
        let was = std::mem::replace(&mut graph.tape_mut().check_backward, false);
        SwitchOff { graph, was }
    }
}

impl<F: Float> Drop for SwitchOff<'_, '_, F> {
    fn drop(&mut self) {
        self.graph.tape_mut().check_backward = self.was;
    }
}

impl<F: Float> Graph<'_, F> {
    /// Runs `build` with a fresh graph on which every backward call is cross-checked against
    /// forward mode (see [`set_check_backward`](Self::set_check_backward)).
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with_checked(|g| {
    ///     let x = g.param(Tensor::<Rank2<2, 2>>::ones());
    ///     let out = ((x + 2.0) * (x + 2.0) * 3.0).mean();
    ///     out.backward(); // panics if a VJP disagrees with its kernel
    ///     assert_eq!(x.grad(), Tensor::full(4.5));
    /// });
    /// ```
    pub fn with_checked<R>(build: impl for<'g> FnOnce(&'g Graph<'g, F>) -> R) -> R {
        Graph::with(|g| {
            g.set_check_backward(true);
            build(g)
        })
    }

    /// Turns the cross-check of every backward call on or off. When on, each `backward` /
    /// `backward_with` also runs the dot-product test (one dual pass, see the
    /// [module docs](crate::check)) and panics on a disagreement, naming the op whose VJP
    /// disagrees with its forward kernel.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     g.set_check_backward(true);
    ///     assert!(g.check_backward());
    ///     let x = g.param(Tensor::<Rank0>::from(2.0));
    ///     x.powi(3).backward();
    ///     assert_eq!(x.grad().item(), 12.0);
    /// });
    /// ```
    pub fn set_check_backward(&self, on: bool) {
        self.tape_mut().check_backward = on;
    }

    /// Whether every backward call is cross-checked.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::<f64>::with(|g| assert!(!g.check_backward()));
    /// Graph::<f64>::with_checked(|g| assert!(g.check_backward()));
    /// ```
    pub fn check_backward(&self) -> bool {
        self.tape().check_backward
    }
}

impl<'g, S: Shape, F: Float, K: Kind> Var<'g, S, F, K> {
    /// [`backward`](Self::backward), then the dot-product test of that call against forward
    /// mode; returns the report instead of panicking (even under the graph-wide switch).
    /// Gradients accumulate as with `backward`.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank2<2, 2>>::ones());
    ///     let out = ((x + 2.0) * (x + 2.0) * 3.0).mean();
    ///     let report = out.backward_checked();
    ///     assert!(report.passed, "{report}");
    ///     assert_eq!(x.grad(), Tensor::full(4.5));
    /// });
    /// ```
    pub fn backward_checked(&self) -> CheckReport
    where
        S: ScalarShape,
    {
        self.checked_from(&[F::one()])
    }

    /// [`backward_with`](Self::backward_with), then the dot-product test of that call against
    /// forward mode; returns the report instead of panicking (even under the graph-wide
    /// switch).
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank1<2>>::from([1.0, 2.0]));
    ///     let report = x.exp().backward_with_checked(&Tensor::from([1.0, -1.0]));
    ///     assert!(report.passed, "{report}");
    /// });
    /// ```
    pub fn backward_with_checked(&self, seed: &Tensor<S, F>) -> CheckReport {
        self.checked_from(seed.as_slice())
    }

    fn checked_from(&self, seed: &[F]) -> CheckReport {
        {
            let _off = SwitchOff::new(self.graph);
            self.graph.backward_from(self.id, seed);
        }
        dot_product_test(&self.graph.tape(), self.id, seed)
    }

    /// The per-node checks alone: for every node this one depends on, its VJP rule against
    /// the dual-number derivative of its kernel, locally, along random directions. Returns
    /// the first node that disagrees. Gradients are untouched.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank2<2, 3>>::ones());
    ///     let y = x.matmul(x.transpose()).tanh().mean();
    ///     assert_eq!(y.check_vjps(), Ok(()));
    /// });
    /// ```
    pub fn check_vjps(&self) -> Result<(), NodeFailure> {
        let tape = self.graph.fresh_tape();
        let mut rng = SplitMix64::new(call_seed::<F>(self.id, &[]));
        check_nodes(&tape, self.id, &mut rng, Scope::All)
    }
}
