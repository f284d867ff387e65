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
    /// What disagreed: the derivative, its finiteness, or the rule's write contract.
    pub mismatch: Mismatch,
    /// For a [`Mismatch::Derivative`], which side central finite differences of the
    /// kernel's values side with: the VJP rule is wrong, or the kernel's derivative (its
    /// dual-number path) is.
    pub blame: Blame,
    /// `<w, J_k v>` from the kernel on dual numbers (for a write-contract failure: the
    /// entry the rule should have left).
    pub forward: f64,
    /// `<J_kᵀ w, v>` from the VJP rule (for a write-contract failure: the entry it left).
    pub reverse: f64,
    /// Their relative difference.
    pub rel_error: f64,
    /// The relative tolerance it exceeded: the node's noise floor over the size of its
    /// terms (see the [module docs](super)).
    pub tolerance: f64,
}

/// Which side of a disagreement the third witness (central finite differences of the
/// kernel's values, which trust neither derivative) finds wrong.
///
/// ```
/// use tygrad::prelude::*;
/// use tygrad::check::Blame;
/// struct DropsTangent; // its kernel forgets the tangent, its VJP is right
/// impl CustomOp<f64> for DropsTangent {
///     fn name(&self) -> &'static str { "DropsTangentBackward" }
///     fn eval<T: Elem<f64>>(&self, i: &[&[T]], o: &mut [T]) { o[0] = T::constant(i[0][0].real() * 2.0); }
///     fn vjp<T: Elem<f64>>(&self, _: usize, _: &[&[T]], _: &[T], g: &[T], gi: &mut [T]) {
///         gi[0] += g[0] * 2.0;
///     }
/// }
/// Graph::with(|g| {
///     let x = g.param(Tensor::<Rank0>::from(1.0));
///     let failure = x.custom_unary::<Rank0, _>(DropsTangent).check_vjps().unwrap_err();
///     assert_eq!((failure.op, failure.blame), ("DropsTangentBackward", Blame::Kernel));
/// });
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Blame {
    /// Finite differences agree with forward mode: the VJP rule is wrong.
    VjpRule,
    /// Finite differences agree with the VJP rule: the kernel's dual-number derivative is
    /// wrong (a kernel that drops its tangent, through `.real()` or `constant`).
    Kernel,
    /// Not decided (another kind of mismatch, or finite differences too close to both or
    /// to neither).
    Unknown,
}

/// What a [`NodeFailure`] found wrong.
///
/// ```
/// use tygrad::prelude::*;
/// use tygrad::check::Mismatch;
/// struct Assigns; // `=` where the contract says `+=`
/// impl CustomOp<f64> for Assigns {
///     fn name(&self) -> &'static str { "AssignsBackward" }
///     fn eval<T: Elem<f64>>(&self, i: &[&[T]], o: &mut [T]) { o[0] = i[0][0] * 2.0; }
///     fn vjp<T: Elem<f64>>(&self, _: usize, _: &[&[T]], _: &[T], g: &[T], gi: &mut [T]) {
///         gi[0] = g[0] * 2.0;
///     }
/// }
/// Graph::with(|g| {
///     let x = g.param(Tensor::<Rank0>::from(1.0));
///     let failure = x.custom_unary::<Rank0, _>(Assigns).check_vjps().unwrap_err();
///     assert_eq!((failure.op, failure.mismatch), ("AssignsBackward", Mismatch::Overwrites));
/// });
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mismatch {
    /// The VJP rule's `<Jᵀ w, v>` differs from the kernel's `<w, J v>` by more than the
    /// node's noise floor.
    Derivative,
    /// One side is finite and the other is not (NaN or infinite).
    NonFinite,
    /// Asked to add, the rule overwrote (or otherwise changed) what `grad_in` held.
    Overwrites,
    /// Asked to assign, the rule left an entry of `grad_in` unwritten.
    LeavesEntries,
}

impl fmt::Display for NodeFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.mismatch {
            Mismatch::Derivative => {}
            Mismatch::NonFinite => {
                return write!(
                    f,
                    "the VJP of `{}` (node #{}, dims {:?}) disagrees with the derivative of \
                     its forward kernel for input {} on finiteness: <w, J v> = {:e} (forward \
                     mode), <Jᵀ w, v> = {:e} (VJP rule)",
                    self.op, self.node, self.dims, self.input, self.forward, self.reverse
                );
            }
            Mismatch::Overwrites | Mismatch::LeavesEntries => {
                let what = if self.mismatch == Mismatch::Overwrites {
                    "asked to add into grad_in, it overwrote what was there"
                } else {
                    "asked to assign grad_in, it left an entry unwritten"
                };
                return write!(
                    f,
                    "the VJP of `{}` (node #{}, dims {:?}) breaks the write contract for input \
                     {}: {what} (expected {:e}, found {:e}); a custom VJP must add (`+=`)",
                    self.op, self.node, self.dims, self.input, self.forward, self.reverse
                );
            }
        }
        write!(
            f,
            "the VJP of `{}` (node #{}, dims {:?}) disagrees with the derivative of its forward \
             kernel for input {}: <w, J v> = {:e} (forward mode), <Jᵀ w, v> = {:e} (VJP rule), \
             relative error {:.2e} > tolerance {:.0e}{}",
            self.op,
            self.node,
            self.dims,
            self.input,
            self.forward,
            self.reverse,
            self.rel_error,
            self.tolerance,
            match self.blame {
                Blame::VjpRule =>
                    "; finite differences agree with forward mode: the VJP rule \
                                   is wrong",
                Blame::Kernel =>
                    "; finite differences agree with the VJP rule: the kernel's \
                                  derivative is wrong (does it drop its tangent?)",
                Blame::Unknown => "",
            }
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
    /// The nominal relative tolerance of the float type
    /// ([`Tolerances::forward_vs_reverse`](super::Tolerances::forward_vs_reverse)), for
    /// reference; the verdict compares `|forward - reverse|` with `noise_floor`.
    pub tolerance: f64,
    /// The absolute disagreement that rounding in this computation can produce (see the
    /// [module docs](super)): the test passes when `|forward - reverse|` is at most this.
    pub noise_floor: f64,
    /// Whether the per-node checks of every node ran (they do when the graph-wide test is
    /// inconclusive: it fails, a side is not finite, or it could not resolve a `1e-8`
    /// relative error in some node; custom ops are always checked).
    pub nodes_checked: bool,
    /// Whether both sides agree: `|forward - reverse| <= noise_floor` (or both not finite)
    /// and no node disagrees locally.
    pub passed: bool,
    /// On failure, the first node (in recorded order) whose VJP disagrees with its kernel,
    /// if the per-node checks found one.
    pub culprit: Option<NodeFailure>,
}

impl fmt::Display for CheckReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verdict = if self.passed { "passed" } else { "FAILED" };
        let within = (self.forward - self.reverse).abs() <= self.noise_floor;
        let relation = if within { "<=" } else { ">" };
        write!(
            f,
            "backward check {verdict} from node #{}: <seed, J u> = {:e} (forward mode), \
             <Jᵀ seed, u> = {:e} (reverse mode), difference {:.2e} {relation} noise floor {:.2e} \
             (relative error {:.2e})",
            self.output,
            self.forward,
            self.reverse,
            (self.forward - self.reverse).abs(),
            self.noise_floor,
            self.rel_error
        )?;
        if !self.passed {
            match &self.culprit {
                Some(culprit) => write!(f, "; {culprit}")?,
                None => write!(
                    f,
                    "; every node's VJP agrees with its kernel locally, so the disagreement \
                     comes from how the sweeps combine them (a kernel that drops its tangent, \
                     or one side finite and the other not)"
                )?,
            }
        }
        Ok(())
    }
}
