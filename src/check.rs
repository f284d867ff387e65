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

use crate::forward::{ArrayNumel, Jacobian, dot, end_of, jvp_raw};
use crate::graph::{Graph, IsLeaf, IsParam, Kind, NodeId, Tape, Var, evaluate};
use crate::ops::{GradWrite, MAX_ARITY, Op};
use crate::scalar::Float;
use crate::shape::{ScalarShape, Shape};
use crate::tensor::Tensor;
use num_dual::Dual;
use std::fmt;

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

/// A node whose VJP rule disagrees with the derivative of its forward kernel, found by the
/// per-node checks.
///
/// ```
/// use tygrad::prelude::*;
/// struct WrongDouble;
/// impl CustomOp<f64> for WrongDouble {
///     fn name(&self) -> &'static str { "WrongDoubleBackward" }
///     fn eval<T: Elem<f64>>(&self, i: &[&[T]], o: &mut [T]) { o[0] = i[0][0] * 2.0; }
///     fn vjp<T: Elem<f64>>(&self, _: usize, _: &[&[T]], _: &[T], g: &[T], gi: &mut [T]) {
///         gi[0] += g[0] * 3.0; // should be 2
///     }
/// }
/// Graph::with(|g| {
///     let x = g.param(Tensor::<Rank0>::from(1.0));
///     let y = x.custom_unary::<Rank0, _>(WrongDouble).sin();
///     let failure = y.check_vjps().unwrap_err();
///     assert_eq!((failure.op, failure.node, failure.input), ("WrongDoubleBackward", 1, 0));
/// });
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct NodeFailure {
    /// The node's id (its position in the graph, as in [`Graph::to_dot`]).
    pub node: usize,
    /// The node's op name (its `grad_fn`).
    pub op: &'static str,
    /// The node's dims.
    pub dims: &'static [usize],
    /// Which input's VJP disagrees (0 or 1).
    pub input: usize,
    /// `<w, J_k v>` from the kernel on dual numbers.
    pub forward: f64,
    /// `<J_kᵀ w, v>` from the VJP rule.
    pub reverse: f64,
    /// Their relative difference.
    pub rel_error: f64,
    /// The tolerance it exceeded.
    pub tolerance: f64,
}

impl fmt::Display for NodeFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.forward.is_finite() && !self.reverse.is_finite() {
            // Not a wrong rule: both modes agree that the derivative is not a number here.
            return write!(
                f,
                "`{}` (node #{}, dims {:?}) has a non-finite derivative for input {} in both \
                 modes (forward {:e}, VJP rule {:e}): an input is outside the op's domain or \
                 overflowed, so there is nothing to compare",
                self.op, self.node, self.dims, self.input, self.forward, self.reverse
            );
        }
        write!(
            f,
            "the VJP of `{}` (node #{}, dims {:?}) disagrees with the derivative of its forward \
             kernel for input {}: <w, J v> = {:e} (forward mode), <Jᵀ w, v> = {:e} (VJP rule), \
             relative error {:.2e} > tolerance {:.0e}",
            self.op,
            self.node,
            self.dims,
            self.input,
            self.forward,
            self.reverse,
            self.rel_error,
            self.tolerance
        )
    }
}

/// The outcome of a dot-product test of one backward call: `<seed, J u>` by forward mode
/// against `<Jᵀ seed, u>` by reverse mode, for a random `u`.
///
/// ```
/// use tygrad::prelude::*;
/// Graph::with(|g| {
///     let x = g.param(Tensor::<Rank1<3>>::from([2.0, 2.0, 2.0]));
///     let report = (x * 2.0).backward_with_checked(&Tensor::from([0.1, 1.0, 10.0]));
///     assert!(report.passed);
///     assert!(report.to_string().starts_with("backward check passed"));
///     assert_eq!(x.grad().as_slice(), &[0.2, 2.0, 20.0]);
/// });
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct CheckReport {
    /// The id of the output node the backward call started from.
    pub output: usize,
    /// `<seed, J u>`, by one dual-number pass through the kernels.
    pub forward: f64,
    /// `<Jᵀ seed, u>`, from the gradients the backward call computed.
    pub reverse: f64,
    /// `|forward - reverse|` over the sum of the absolute terms of both dot products (0 if
    /// both are zero; NaN if a derivative is NaN, which fails the check).
    pub rel_error: f64,
    /// The tolerance used ([`Tolerances::forward_vs_reverse`]).
    pub tolerance: f64,
    /// Whether `rel_error <= tolerance`.
    pub passed: bool,
    /// On failure, the first node (in recorded order) whose VJP disagrees with its kernel,
    /// if the per-node checks found one.
    pub culprit: Option<NodeFailure>,
}

impl fmt::Display for CheckReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verdict = if self.passed { "passed" } else { "FAILED" };
        let relation = if self.passed { "<=" } else { ">" };
        write!(
            f,
            "backward check {verdict} from node #{}: <seed, J u> = {:e} (forward mode), \
             <Jᵀ seed, u> = {:e} (reverse mode), relative error {:.2e} {relation} tolerance {:.0e}",
            self.output, self.forward, self.reverse, self.rel_error, self.tolerance
        )?;
        if !self.passed {
            match &self.culprit {
                Some(culprit) => write!(f, "; {culprit}")?,
                None => write!(
                    f,
                    "; every node's VJP agrees with its kernel locally, so the disagreement \
                     comes from non-finite values or from how the reverse sweep combines them"
                )?,
            }
        }
        Ok(())
    }
}

/// Relative agreement of the Jacobians of the three witnesses, from [`Var::check_jacobians`].
///
/// ```
/// use tygrad::prelude::*;
/// Graph::with(|g| {
///     let x = g.param(Tensor::<Rank1<2>>::from([0.5, 1.5]));
///     let check = x.exp().check_jacobians(x);
///     assert!(check.passed, "{check:?}");
/// });
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct JacobianCheck {
    /// [`Jacobian::relative_error`] between forward and reverse mode.
    pub forward_vs_reverse: f64,
    /// [`Jacobian::relative_error`] between forward mode and central finite differences.
    pub forward_vs_finite_differences: f64,
    /// The tolerances used.
    pub tolerances: Tolerances,
    /// Whether both errors are within their tolerances.
    pub passed: bool,
}

/// splitmix64: a tiny, well-mixed generator for the checks' random directions (no
/// dependency, reproducible from its seed).
pub(crate) struct SplitMix64(u64);

impl SplitMix64 {
    pub(crate) fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[-1, 1)`.
    pub(crate) fn symmetric<F: Float>(&mut self) -> F {
        let unit = (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        F::of_f64(2.0 * unit - 1.0)
    }

    fn vector<F: Float>(&mut self, len: usize) -> Vec<F> {
        (0..len).map(|_| self.symmetric()).collect()
    }
}

/// A per-call seed: the output node and the bits of the backward seed, mixed.
fn call_seed<F: Float>(output: NodeId, seed: &[F]) -> u64 {
    let mut mix = SplitMix64::new(u64::from(output));
    let mut state = mix.next_u64();
    for &s in seed {
        state ^= s.as_f64().to_bits();
        state = SplitMix64::new(state).next_u64();
    }
    state
}

/// `|a - b| / scale`, 0 when both sides are exactly equal (including `0 / 0`).
fn relative(a: f64, b: f64, scale: f64) -> f64 {
    let diff = (a - b).abs();
    if diff == 0.0 { 0.0 } else { diff / scale }
}

/// The dot-product test of the backward call that just ran from `output` with `seed`.
///
/// Reads `Jᵀ seed` from the tape's adjoints at the parameters the sweep reached: a sweep that
/// is to be checked keeps parameters' shares in their adjoints (not only in the gradients,
/// which hold earlier calls' sums too), and it overwrites each adjoint on its first
/// contribution, so afterwards each reached parameter's adjoint is exactly this call's
/// contribution to its gradient. A parameter the
/// sweep did not reach does not influence the output (its slot holds an older call's
/// adjoint), so it gets no direction: its share of both sides is zero.
pub(crate) fn dot_product_test<F: Float>(
    tape: &Tape<F>,
    output: NodeId,
    seed: &[F],
) -> CheckReport {
    let tolerance = Tolerances::of::<F>().forward_vs_reverse;
    let mut rng = SplitMix64::new(call_seed(output, seed));
    let mut directions: Vec<(NodeId, Vec<F>)> = Vec::new();
    let (mut reverse, mut scale) = (0.0f64, 0.0f64);
    for (id, node) in tape.nodes[..=output as usize].iter().enumerate() {
        if let (Op::Param { .. }, true) = (&node.op, tape.reached[id] == tape.epoch) {
            let u: Vec<F> = rng.vector(node.len);
            for (&adjoint, &ui) in tape.adjoints[node.range()].iter().zip(&u) {
                let term = (adjoint * ui).as_f64();
                reverse += term;
                scale += term.abs();
            }
            directions.push((id as NodeId, u));
        }
    }
    let borrowed: Vec<(NodeId, &[F])> = directions
        .iter()
        .map(|(id, u)| (*id, u.as_slice()))
        .collect();
    let ju = jvp_raw(tape, output, &borrowed);
    let mut forward = 0.0f64;
    for (&s, &j) in seed.iter().zip(&ju) {
        let term = (s * j).as_f64();
        forward += term;
        scale += term.abs();
    }
    let rel_error = relative(forward, reverse, scale);
    let passed = rel_error <= tolerance;
    let culprit = if passed {
        None
    } else {
        check_nodes(tape, output, &mut rng).err()
    };
    CheckReport {
        output: output as usize,
        forward,
        reverse,
        rel_error,
        tolerance,
        passed,
        culprit,
    }
}

/// The per-node checks: every computed node `output` depends on, in recorded order, each
/// input needing a gradient compared locally; the first disagreement is returned.
pub(crate) fn check_nodes<F: Float>(
    tape: &Tape<F>,
    output: NodeId,
    rng: &mut SplitMix64,
) -> Result<(), NodeFailure> {
    let tolerance = Tolerances::of::<F>().forward_vs_reverse;
    let nodes = &tape.nodes[..=output as usize];
    // Which nodes the output depends on (inputs always precede their consumers).
    let mut needed = vec![false; nodes.len()];
    needed[output as usize] = true;
    for (id, node) in nodes.iter().enumerate().rev() {
        if needed[id] {
            for &input in node.inputs() {
                needed[input as usize] = true;
            }
        }
    }
    for (id, node) in nodes.iter().enumerate() {
        if !needed[id] || node.op.is_leaf() || !node.requires_grad {
            continue;
        }
        let mut inputs: [&[F]; MAX_ARITY] = [&[]; MAX_ARITY];
        for (slot, &input) in inputs.iter_mut().zip(node.inputs()) {
            *slot = tape.value(input);
        }
        let inputs = &inputs[..node.arity as usize];
        let out = &tape.values[node.full_range()];
        let w: Vec<F> = rng.vector(node.len);
        for (k, &input) in node.inputs().iter().enumerate() {
            if !tape.nodes[input as usize].requires_grad {
                continue;
            }
            let v: Vec<F> = rng.vector(inputs[k].len());
            // Forward mode, locally: the kernel on dual numbers, moving input k along v.
            let dual_inputs: Vec<Vec<Dual<F>>> = inputs
                .iter()
                .enumerate()
                .map(|(j, x)| {
                    x.iter()
                        .enumerate()
                        .map(|(i, &xi)| Dual::new(xi, if j == k { v[i] } else { F::zero() }))
                        .collect()
                })
                .collect();
            let dual_refs: Vec<&[Dual<F>]> = dual_inputs.iter().map(Vec::as_slice).collect();
            let mut dual_out = vec![Dual::new(F::zero(), F::zero()); node.len + node.scratch];
            node.op.eval(&dual_refs, &mut dual_out);
            let jv: Vec<F> = dual_out[..node.len].iter().map(|d| d.eps).collect();
            // Reverse mode, locally: the VJP rule seeded with w.
            let mut grad_in = vec![F::zero(); inputs[k].len()];
            node.op
                .vjp(k, inputs, out, &w, &mut grad_in, GradWrite::Add);
            let forward = dot(&w, &jv).as_f64();
            let reverse = dot(&grad_in, &v).as_f64();
            let scale: f64 = w
                .iter()
                .zip(&jv)
                .map(|(a, b)| (*a * *b).as_f64().abs())
                .sum::<f64>()
                + grad_in
                    .iter()
                    .zip(&v)
                    .map(|(a, b)| (*a * *b).as_f64().abs())
                    .sum::<f64>();
            let rel_error = relative(forward, reverse, scale);
            // NaN fails too.
            let agrees = rel_error <= tolerance;
            if !agrees {
                return Err(NodeFailure {
                    node: id,
                    op: node.op.name(),
                    dims: node.dims,
                    input: k,
                    forward,
                    reverse,
                    rel_error,
                    tolerance,
                });
            }
        }
    }
    Ok(())
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
            self.graph.backward_from(self.id, seed, true);
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
        check_nodes(&tape, self.id, &mut rng)
    }

    /// The Jacobian `d self / d x` by central finite differences, from the kernels' values
    /// alone: `2 numel(x)` plain forward passes with step `h = ε^(1/3) max(1, |x_j|)`
    /// (accurate to about `ε^(2/3)`, `1e-10` relative for `f64` on smooth functions; wrong
    /// near kinks). Nothing in the graph changes.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank1<2>>::from([0.3, 0.8]));
    ///     let y = x.sin();
    ///     let fd = y.jacobian_fd(x);
    ///     assert!(fd.relative_error(&y.jacobian_fwd(x)) < 1e-6);
    /// });
    /// ```
    pub fn jacobian_fd<SIn: ArrayNumel, KIn: IsLeaf>(
        &self,
        x: Var<'g, SIn, F, KIn>,
    ) -> Jacobian<S, SIn, F>
    where
        S: ArrayNumel,
    {
        let tape = self.graph.fresh_tape();
        let mut jacobian = Jacobian::zeros();
        if x.id > self.id {
            return jacobian;
        }
        let end = end_of(&tape.nodes, self.id);
        let nodes = &tape.nodes[..=self.id as usize];
        let out = tape.nodes[self.id as usize].range();
        let start = tape.nodes[x.id as usize].offset;
        let cube_root_eps = num_traits::Float::cbrt(<F as num_traits::Float>::epsilon());
        let mut values = tape.values[..end].to_vec();
        for j in 0..SIn::NUMEL {
            let xj = tape.values[start + j];
            let h = cube_root_eps * num_traits::Float::max(F::one(), num_traits::Float::abs(xj));
            let (up, down) = (xj + h, xj - h);
            values[start + j] = up;
            evaluate(nodes, &mut values);
            let plus = values[out.clone()].to_vec();
            values[start + j] = down;
            evaluate(nodes, &mut values);
            // The step actually taken, after rounding `xj ± h`.
            let step = up - down;
            for (i, (&p, &m)) in plus.iter().zip(&values[out.clone()]).enumerate() {
                jacobian[(i, j)] = (p - m) / step;
            }
            values[start + j] = xj;
        }
        jacobian
    }

    /// The three witnesses on `d self / d x`: forward mode against reverse mode, and forward
    /// mode against central finite differences, each within the default
    /// [`Tolerances`] for `F`. Costs `numel(x)` dual passes, `numel(self)` reverse sweeps and
    /// `2 numel(x)` plain passes.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank2<2, 2>>::from([[0.5, 1.0], [1.5, 2.0]]));
    ///     let check = x.matmul(x).sigmoid().check_jacobians(x);
    ///     assert!(check.passed, "{check:?}");
    /// });
    /// ```
    pub fn check_jacobians<SIn: ArrayNumel, KIn: IsParam + IsLeaf>(
        &self,
        x: Var<'g, SIn, F, KIn>,
    ) -> JacobianCheck
    where
        S: ArrayNumel,
    {
        let tolerances = Tolerances::of::<F>();
        let forward = self.jacobian_fwd(x);
        let forward_vs_reverse = forward.relative_error(&self.jacobian_rev(x));
        let forward_vs_finite_differences = forward.fd_error(&self.jacobian_fd(x));
        JacobianCheck {
            forward_vs_reverse,
            forward_vs_finite_differences,
            tolerances,
            passed: forward_vs_reverse <= tolerances.forward_vs_reverse
                && forward_vs_finite_differences <= tolerances.finite_differences,
        }
    }
}
