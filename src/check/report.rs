//! What the checks report: [`CheckReport`] for the dot-product test of a backward call,
//! [`NodeFailure`] for the node the per-node checks found at fault, each with a `Display`
//! that says what disagreed and why.

use std::fmt;

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
    /// The node's id (its position in the graph, as in [`Graph::to_dot`](crate::Graph::to_dot)).
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
    /// The tolerance used
    /// ([`Tolerances::forward_vs_reverse`](super::Tolerances::forward_vs_reverse)).
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
