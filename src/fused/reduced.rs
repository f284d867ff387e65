//! Scalar functions: a fused graph reduced by a `sum` or a `mean`, with its gradient, its
//! Hessian-vector product and its check against forward mode.

use super::{Fused, FusedFn, Node, duals, flat};
use crate::check::{SplitMix64, Tolerances};
use crate::ops::Uniform;
use crate::ops::custom::CustomOp;
use crate::scalar::{Elem, Float};
use crate::shape::{Rank0, Shape};
use crate::tensor::Tensor;
use num_dual::Dual;
use std::fmt;

/// Marks the 0-d shape: the only output shape whose fused graph has a gradient without a
/// reduction or a seed.
///
/// ```
/// use tygrad::fused::ScalarOutput;
/// use tygrad::prelude::*;
/// fn needs_scalar<S: ScalarOutput>() {}
/// needs_scalar::<Rank0>();
/// ```
#[diagnostic::on_unimplemented(
    message = "`value_and_grad` needs a scalar function, but this fused graph's output has shape `{Self}`",
    label = "this output is not a scalar",
    note = "reduce the output to a scalar first, with `.sum()` or `.mean()`,",
    note = "or call `vjp(&x, &seed, &mut grad)` with a seed `Tensor<{Self}>` for the vector-Jacobian product"
)]
pub trait ScalarOutput: Shape {}
#[diagnostic::do_not_recommend]
impl ScalarOutput for Rank0 {}

/// A fused graph reduced to a scalar by [`Fused::sum`] or [`Fused::mean`]: a scalar function
/// of the argument, with its gradient.
///
/// ```
/// use tygrad::fused::{self, Input};
/// use tygrad::prelude::*;
/// // The seed session: mean(3 (x + 2)²) at x = 1 has gradient 6 (x + 2) / 4 = 4.5.
/// let seed = fused::function(|x: Input<Rank2<2, 2>>| ((x + 2.0).square() * 3.0).mean());
/// let mut grad = Tensor::zeros();
/// assert_eq!(seed.value_and_grad(&Tensor::ones(), &mut grad), 27.0);
/// assert_eq!(grad, Tensor::full(4.5));
/// ```
pub struct Reduced<S: Shape, E, F: Float = f64> {
    /// The fused graph being reduced.
    pub(super) graph: Fused<S, E, F>,
    /// 1 for a sum, `1 / numel` for a mean.
    pub(super) scale: F,
}

impl<S: Shape, E: Copy, F: Float> Clone for Reduced<S, E, F> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<S: Shape, E: Copy, F: Float> Copy for Reduced<S, E, F> {}

impl<S: Shape, E: Node<F>, F: Float> Reduced<S, E, F> {
    /// The reduction at `x`, on any scalar type.
    #[inline(always)]
    fn total<T: Elem<F>>(&self, x: &[T]) -> T {
        let mut total = T::zero();
        for i in 0..S::NUMEL {
            total += self.graph.node.at(x, i).0;
        }
        total * self.scale
    }

    /// One pass over the elements: adds `∇f · adjoint` into `grad`, each element's reverse
    /// step right after its forward step, and returns the value.
    #[inline(always)]
    fn accumulate<T: Elem<F>>(&self, x: &[T], adjoint: T, grad: &mut [T]) -> T {
        assert_argument_len::<E::Arg, T>(x, grad);
        let mut total = T::zero();
        let seed = Uniform(adjoint * self.scale);
        self.graph
            .pull_back(x, seed, grad, |_, value| total += value);
        total * self.scale
    }

    /// The value, and the gradient written over `grad`.
    #[inline(always)]
    fn sweep<T: Elem<F>>(&self, x: &[T], grad: &mut [T]) -> T {
        // First, so that the fill below is a few stores of known count, not a `memset` call.
        assert_argument_len::<E::Arg, T>(x, grad);
        grad.fill(T::zero());
        self.accumulate(x, T::one(), grad)
    }

    /// The value at `x`.
    ///
    /// ```
    /// use tygrad::fused::{self, Input};
    /// use tygrad::prelude::*;
    /// let f = fused::function(|x: Input<Rank1<2>>| x.square().sum());
    /// assert_eq!(f.value(&Tensor::from([3.0, 4.0])), 25.0);
    /// ```
    pub fn value(&self, x: &Tensor<E::Arg, F>) -> F {
        self.total(x.as_slice())
    }

    /// The value at `x`, and the gradient written into `grad` (overwritten, not added to).
    /// Allocates nothing.
    ///
    /// ```
    /// use tygrad::fused::{self, Input};
    /// use tygrad::prelude::*;
    /// let f = fused::function(|x: Input<Rank1<2>>| (x.sin() * 2.0).sum());
    /// let mut grad = Tensor::zeros();
    /// assert_eq!(f.value_and_grad(&Tensor::from([0.0, 0.0]), &mut grad), 0.0);
    /// assert_eq!(grad.as_slice(), &[2.0, 2.0]);
    /// ```
    pub fn value_and_grad(&self, x: &Tensor<E::Arg, F>, grad: &mut Tensor<E::Arg, F>) -> F {
        self.sweep(x.as_slice(), grad.as_mut_slice())
    }

    /// The gradient at `x`, in a new tensor.
    ///
    /// ```
    /// use tygrad::fused::{self, Input};
    /// use tygrad::prelude::*;
    /// let f = fused::function(|x: Input<Rank1<2>>| (x * 3.0).sum());
    /// assert_eq!(f.grad(&Tensor::from([1.0, 5.0])).as_slice(), &[3.0, 3.0]);
    /// ```
    pub fn grad(&self, x: &Tensor<E::Arg, F>) -> Tensor<E::Arg, F> {
        let mut grad = Tensor::zeros();
        self.value_and_grad(x, &mut grad);
        grad
    }

    /// Forward mode: the value and the directional derivative `∇f · u`, by one pass on dual
    /// numbers.
    ///
    /// ```
    /// use tygrad::fused::{self, Input};
    /// use tygrad::prelude::*;
    /// let f = fused::function(|x: Input<Rank1<2>>| x.square().sum());
    /// assert_eq!(f.jvp(&Tensor::from([3.0, 4.0]), &Tensor::from([1.0, 0.0])), (25.0, 6.0));
    /// ```
    pub fn jvp(&self, x: &Tensor<E::Arg, F>, u: &Tensor<E::Arg, F>) -> (F, F) {
        let total = self.total(&duals(x, u));
        (total.re, total.eps)
    }

    /// The Hessian-vector product `H v` at `x`: the reverse pass run on dual numbers whose
    /// tangent is `v` (forward over reverse), so it costs about two gradients.
    ///
    /// ```
    /// use tygrad::fused::{self, Input};
    /// use tygrad::prelude::*;
    /// // f = Σ x³ has H = diag(6 x).
    /// let f = fused::function(|x: Input<Rank1<2>>| x.powi(3).sum());
    /// let hv = f.hvp(&Tensor::from([1.0, 2.0]), &Tensor::from([1.0, 1.0]));
    /// assert_eq!(hv.as_slice(), &[6.0, 12.0]);
    /// ```
    pub fn hvp(&self, x: &Tensor<E::Arg, F>, v: &Tensor<E::Arg, F>) -> Tensor<E::Arg, F> {
        let x = duals(x, v);
        let mut grad = vec![Dual::from_re(F::zero()); x.len()];
        self.sweep(&x, &mut grad);
        flat(|i| grad[i].eps)
    }

    /// Checks the reverse-mode gradient at `x` against forward mode: `<∇f, u>` from
    /// [`Self::value_and_grad`] against the dual-number derivative along a random direction
    /// `u` (reproducible from `x`), within [`Tolerances::forward_vs_reverse`].
    ///
    /// ```
    /// use tygrad::fused::{self, Input};
    /// use tygrad::prelude::*;
    /// let f = fused::function(|x: Input<Rank1<3>>| (x.exp() / (1.0 + x.square())).sum());
    /// let check = f.check_gradient(&Tensor::from([0.1, -0.7, 1.3]));
    /// assert!(check.passed, "{check}");
    /// ```
    pub fn check_gradient(&self, x: &Tensor<E::Arg, F>) -> GradientCheck {
        let mut rng = GradientCheck::directions(0x7479_6772_6164, x.as_slice()); // "tygrad"
        let u: Tensor<E::Arg, F> = flat(|_| rng.symmetric());
        let grad = self.grad(x);
        let forward = self.jvp(x, &u).1.as_f64();
        GradientCheck::compare::<F>(forward, grad.as_slice(), u.as_slice())
    }
}

impl GradientCheck {
    /// A reproducible generator of check directions at the point `x`, seeded from `salt`
    /// and every coordinate of `x`.
    pub(crate) fn directions<F: Float>(salt: u64, x: &[F]) -> SplitMix64 {
        let mut seed = salt;
        for &xi in x {
            seed = SplitMix64::new(seed ^ xi.as_f64().to_bits()).next_u64();
        }
        SplitMix64::new(seed)
    }

    /// `forward` (a directional derivative by forward mode) against `<grad, u>` (the same
    /// from a reverse-mode gradient or VJP), relative to the absolute sum of the terms, within
    /// [`Tolerances::forward_vs_reverse`].
    pub(crate) fn compare<F: Float>(forward: f64, grad: &[F], u: &[F]) -> Self {
        let (mut reverse, mut scale) = (0.0f64, 0.0f64);
        for (&g, &ui) in grad.iter().zip(u) {
            let term = (g * ui).as_f64();
            reverse += term;
            scale += term.abs();
        }
        let diff = (forward - reverse).abs();
        let rel_error = if diff == 0.0 {
            0.0
        } else {
            diff / (scale + forward.abs())
        };
        let tolerance = Tolerances::of::<F>().forward_vs_reverse;
        GradientCheck {
            forward,
            reverse,
            rel_error,
            tolerance,
            passed: rel_error <= tolerance,
        }
    }
}

/// Always true for tensors of the argument's shape `X`; said so that the compiler knows the
/// lengths: it then drops the bounds checks of the nodes' constant offsets, and sizes fills.
#[inline(always)]
fn assert_argument_len<X: Shape, T>(x: &[T], grad: &[T]) {
    assert!(x.len() == X::NUMEL && grad.len() == X::NUMEL);
}

impl<S: Shape, E: Node<F> + 'static, F: Float> FusedFn<F> for Reduced<S, E, F> {
    type Arg = E::Arg;
    type Output = Rank0;
}

/// As a graph node: the kernel is the reduction, the VJP one sweep with the output's adjoint
/// (times `1 / numel` for a mean) for every element.
impl<S: Shape, E: Node<F> + 'static, F: Float> CustomOp<F> for Reduced<S, E, F> {
    fn name(&self) -> &'static str {
        "FusedBackward"
    }

    fn eval<T: Elem<F>>(&self, inputs: &[&[T]], out: &mut [T]) {
        out[0] = self.total(inputs[0]);
    }

    fn vjp<T: Elem<F>>(&self, _: usize, x: &[&[T]], _: &[T], g: &[T], gi: &mut [T]) {
        self.accumulate(x[0], g[0], gi);
    }
}

/// The verdict of [`Reduced::check_gradient`]: reverse mode's `<∇f, u>` against forward
/// mode's derivative along `u`.
///
/// ```
/// use tygrad::fused::{self, Input};
/// use tygrad::prelude::*;
/// let f = fused::function(|x: Input<Rank1<2>>| x.tanh().sum());
/// let check = f.check_gradient(&Tensor::from([0.5, -2.0]));
/// assert!(check.passed && check.rel_error <= 1e-14, "{check}");
/// assert!(check.to_string().starts_with("gradient check passed"));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GradientCheck {
    /// `∇f · u` by forward mode (one dual pass).
    pub forward: f64,
    /// `<∇f, u>` from the reverse-mode gradient.
    pub reverse: f64,
    /// `|forward - reverse|` over the sum of the absolute terms (0 when equal; NaN fails).
    pub rel_error: f64,
    /// The tolerance used ([`Tolerances::forward_vs_reverse`]).
    pub tolerance: f64,
    /// Whether `rel_error <= tolerance`.
    pub passed: bool,
}

impl fmt::Display for GradientCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (verdict, relation) = if self.passed {
            ("passed", "<=")
        } else {
            ("FAILED", ">")
        };
        write!(
            f,
            "gradient check {verdict}: ∇f·u = {:e} (forward mode), <∇f, u> = {:e} (reverse \
             mode), relative error {:.2e} {relation} tolerance {:.0e}",
            self.forward, self.reverse, self.rel_error, self.tolerance
        )
    }
}
