//! Cross-checks of reverse mode against forward mode and finite differences: a witness you
//! can leave on.
//!
//! Forward mode differentiates the op kernels themselves (see [`crate::forward`]); the VJP
//! rules of reverse mode are separate, hand-written derivatives. Where the two agree, the
//! gradient is right up to rounding; where they differ, a VJP rule (or a kernel) is wrong.
//!
//! # What the witness guarantees
//!
//! - **No false alarms from rounding.** A disagreement is compared with the rounding the
//!   computation itself can produce (the *noise floor*, below), not with a fixed relative
//!   tolerance: a gradient that is mathematically 0 and computes to `1e-16`, a denormal
//!   gradient, a saturated softmax all pass. In the crate's tests, 100,000 random chains of
//!   up to ten ops (32 kinds: every elementwise op, softmax and log-softmax, products, powers and quotients of
//!   the parameter, inputs from `1e-150` to `1e150`, a third of them leaving their domain;
//!   `cargo test --release --test witness -- --ignored`) give no alarm. That needs forward
//!   mode to see the same values as the plain pass, bit for bit (a last-bit difference is
//!   amplified by any large product downstream): the kernels' dual paths keep the float's
//!   own `tanh` and `a / b` values.
//! - **NaN and infinity are values.** Where a value is already NaN or infinite (`ln` of a
//!   negative, a logit masked at `-inf`), its entries take no part and the rest is compared;
//!   where both modes' derivatives are non-finite, that is agreement. Where every value of a
//!   node is finite and one mode's derivative is not, the node is named
//!   ([`Mismatch::NonFinite`]), unless the finite side is within `2¹⁰` of overflow (the
//!   other overflowed one step earlier: the same number past the range).
//! - **A `1e-8` relative error in any one node's VJP is found, whatever the other terms'
//!   sizes.** The graph-wide test resolves such an error only where the node's own share
//!   stands `1e9 / √len` above the floor; wherever it does not (another parameter's term
//!   dwarfs it, a side is not finite, some value is not finite), or the test fails, the
//!   per-node checks run on every node, each with a floor of its own. Custom ops (the users'
//!   code) are always checked per node. The crate's mutation tests plant, for each op
//!   family, a VJP off by `1e-8` relative, by a sign, and one that assigns instead of adding,
//!   beside a term `1e4` times larger: all 18 are found and named (`tests/mutation.rs`).
//! - **The write contract.** Each per-node check also calls the rule with `grad_in`
//!   pre-filled with random values of the share's size (`GradWrite::Add` must add to them:
//!   an assigning custom VJP is [`Mismatch::Overwrites`]) and filled with NaN (`Assign` must
//!   write every entry: [`Mismatch::LeavesEntries`]).
//! - **Checking never changes a result.** The checked backward is the plain sweep, bit for
//!   bit; the check runs its own sweeps in private buffers.
//!
//! - **Blame by a third witness.** When a node's two sides disagree, central finite
//!   differences of its kernel's values along the same direction say which one is wrong
//!   ([`NodeFailure::blame`]: the VJP rule, or the kernel's dual-number path, as a kernel
//!   that drops its tangent); where they cannot tell (a `1e-8` error is below their own
//!   `1e-10`), the blame stays [`Blame::Unknown`].
//!
//! What it does not see: a kernel and its VJP rule that are wrong in the same way (both from
//! one wrong formula), and errors below the floor (a few hundred ulps of the terms). A
//! graph-wide disagreement that no node shows locally (a broken sweep) fails with no
//! culprit; [`Var::jacobian_fd`] then gives the third witness for the whole graph.
//!
//! # The noise floor
//!
//! With `ε` the float's epsilon, `tiny` its smallest normal number, `κ` =
//! [`NOISE_FACTOR`] (32), `ā` each node's adjoint (from a private reverse sweep), `ṫ` its
//! tangent (from the dual pass), and `width` `1 + √(largest input length of a node)`:
//!
//! ```text
//! floor = κ (ε width Σ_nodes [ Σ|ā ṫ| + Σ_inputs k Σ|(J_kᵀ ā) ṫ_k| ]
//!            + tiny Σ_nodes [ elements + ‖ā‖₁ + ‖ṫ‖₁ + ‖ā‖₁ max_k ‖ṫ_k‖∞ ])
//! ```
//!
//! The first sum is what rounding at each node can move either side by: the node's own
//! terms and each input's share of them (where adjoints or tangents of several paths meet
//! and cancel, the shares are large while the sum is small). The second allows for a
//! tangent, an adjoint or a slope that falls below the normal range and flushes to zero in
//! one mode only. The test passes when `|<seed, J u> - <Jᵀ seed, u>| <= floor`.
//!
//! Per node (input `k`, random `w` over the output and `v` over the input): the floor is
//! `κ (ε width (Σ|w ⊙ J_k v| + Σ|(J_kᵀ w) ⊙ v|) + measured + tiny (elements))`, where
//! `measured` is the rounding actually observed: both sides are linear in their direction,
//! so each is evaluated again on a random split of it (`v = v₁ + v₂`, `w = w₁ + w₂`) and the
//! difference of the halves' sum from the whole is added (it catches cancellation inside a
//! kernel). [`NodeFailure::tolerance`] reports the floor over the terms.
//!
//! # What the checks cost
//!
//! - **Graph-wide test** ([`Var::backward_checked`], [`Var::backward_with_checked`], and
//!   every backward call under [`Graph::set_check_backward`] / [`Graph::with_checked`]): one
//!   dual pass over the nodes up to the output, one private reverse sweep, and one more VJP
//!   call per (node, input) for the floor: about 2-4 plain forward passes and two backward
//!   passes on top of the backward call itself. `u` comes from an in-crate splitmix64
//!   generator seeded by the output node and the seed, so a check is reproducible.
//! - **Per-node checks** ([`Var::check_vjps`], and whenever the graph-wide test is
//!   inconclusive): per (node, input), five local kernel evaluations on dual numbers and
//!   seven VJP calls (the comparison, the split directions and the two write modes; two
//!   more of each where a derivative is not finite): about five dual passes and seven
//!   backward passes. The first node that disagrees is named,
//!   with its op, id, dims and what disagreed ([`Mismatch`]).
//! - **Full Jacobians** ([`Var::jacobian_fwd`] vs [`Var::jacobian_rev`], and
//!   [`Var::check_jacobians`]): `numel(in)` dual passes against `numel(out)` reverse sweeps.
//! - **Central finite differences** ([`Var::jacobian_fd`]): a third witness that trusts
//!   neither the kernels' derivatives nor the VJP rules, only the kernels' values:
//!   `2 numel(in)` plain forward passes.
//!
//! With the switch off, nothing of this runs: a plain `backward` costs what it did.
//!
//! # Tolerances of the Jacobian comparisons
//!
//! Full Jacobians are compared entry by entry against the size of the largest entry
//! ([`Tolerances::of`]):
//!
//! | witness | `f64` | `f32` | why |
//! |---|---|---|---|
//! | forward vs reverse | `1e-10` | `1e-4` | both exact up to rounding; reported as [`CheckReport::tolerance`] for reference |
//! | against finite differences | `1e-6` | `2e-2` | step `h = ε^(1/3) max(1, |x|)` leaves a truncation plus rounding error of order `ε^(2/3)`, measured by [`Jacobian::fd_error`](crate::forward::Jacobian::fd_error): relative above 1, absolute below, since the rounding noise does not shrink with the derivative |
//!
//! ```
//! use tygrad::prelude::*;
//! Graph::with(|g| {
//!     let x = g.param(Tensor::<Rank1<3>>::from([0.5, 1.0, 2.0]));
//!     let loss = (x.ln() * x.sin()).sum();
//!     let report = loss.backward_checked();
//!     assert!(report.passed, "{report}");
//!     assert!((report.forward - report.reverse).abs() <= report.noise_floor);
//! });
//! ```

mod dot_tests;
mod nodes;
mod report;
mod second;

pub use crate::jacobian::JacobianCheck;
pub use report::{Blame, CheckReport, Mismatch, NodeFailure};
pub use second::HvpCheck;

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
        let tape = self.graph.fresh_tape_for(self.id);
        let mut rng = SplitMix64::new(call_seed::<F>(self.id, &[]));
        check_nodes(&tape, self.id, &mut rng, Scope::All)
    }
}
