//! The second-order witness: a Hessian-vector product by forward-over-reverse ([`Var::hvp`],
//! the VJP rules run on dual numbers) against one by forward-over-forward (hyper-dual
//! numbers through the kernels alone), as one dot product `<w, H v>`.

use super::NOISE_FACTOR;
use super::dot_tests::{SplitMix64, call_seed, epsilon, tiny};
use crate::graph::{IsParam, Kind, NodeId, Var, evaluate};
use crate::scalar::Float;
use crate::shape::{ScalarShape, Shape};
use crate::tensor::Tensor;
use num_dual::HyperDual;
use std::fmt;

/// The outcome of [`Var::check_hvp`]: `<w, H v>` by forward-over-reverse and by
/// forward-over-forward, for random `v` and `w`.
///
/// ```
/// use tygrad::prelude::*;
/// Graph::with(|g| {
///     let x = g.param(Tensor::<Rank1<3>>::from([0.5, -1.0, 2.0]));
///     let y = (x.sin() * x.exp()).sum();
///     let check = y.check_hvp(x);
///     assert!(check.passed, "{check}");
/// });
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct HvpCheck {
    /// `<w, H v>` with `H v` from [`Var::hvp`]: the reverse sweep (VJP rules included) on
    /// dual numbers.
    pub forward_over_reverse: f64,
    /// `<w, H v>` from one hyper-dual pass through the kernels (tangents `v` and `w`).
    pub forward_over_forward: f64,
    /// The disagreement rounding can produce: `κ ε (1 + √n)` times the size of the terms,
    /// plus the rounding measured on a random split of `v` and of `w` (as the per-node
    /// checks of the [module docs](super)), plus `n` times the smallest normal number.
    pub noise_floor: f64,
    /// Whether they agree within the floor (both non-finite is agreement).
    pub passed: bool,
}

impl fmt::Display for HvpCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verdict = if self.passed { "passed" } else { "FAILED" };
        write!(
            f,
            "Hessian-vector check {verdict}: <w, H v> = {:e} (forward over reverse, the VJP \
             rules on dual numbers), {:e} (forward over forward, the kernels alone), noise \
             floor {:.2e}",
            self.forward_over_reverse, self.forward_over_forward, self.noise_floor
        )?;
        if !self.passed {
            write!(
                f,
                "; a VJP rule's own derivative is wrong (a rule built from `.real()`, or \
                 one that is right only on floats)"
            )?;
        }
        Ok(())
    }
}

impl<'g, S: Shape, F: Float, K: Kind> Var<'g, S, F, K> {
    /// `<w, H v>` by forward-over-forward: one hyper-dual pass with `x` moving along `v` and
    /// `w`.
    fn hyper_pass(&self, x: NodeId, v: &[F], w: &[F]) -> f64 {
        let tape = self.graph.fresh_tape_for(self.id);
        let nodes = &tape.nodes[..=self.id as usize];
        let end = nodes[self.id as usize].full_range().end;
        let mut values: Vec<HyperDual<F>> = tape.values[..end]
            .iter()
            .map(|&value| HyperDual::from_re(value))
            .collect();
        if x <= self.id {
            let range = tape.nodes[x as usize].range();
            for ((value, &a), &b) in values[range].iter_mut().zip(v).zip(w) {
                value.eps1 = a;
                value.eps2 = b;
            }
        }
        evaluate(nodes, &mut values);
        values[nodes[self.id as usize].range()][0].eps1eps2.as_f64()
    }

    /// The second-order witness: the Hessian-vector product by forward-over-reverse
    /// ([`hvp`](Self::hvp), which runs the VJP rules on dual numbers) against
    /// forward-over-forward (hyper-dual numbers through the kernels alone), as `<w, H v>`
    /// for random `v` and `w` over `x`. It catches a VJP rule that is right on floats but
    /// not differentiable (built from `.real()`), which the first-order checks cannot see.
    /// Cost: three `hvp`s and three hyper-dual passes. Gradients are untouched.
    ///
    /// Its floor is coarser than the first-order one: it knows the size of the final terms
    /// and the rounding measured on split directions, not each node's terms. Every built-in
    /// op passes at ordinary inputs (`tests/second_order.rs`); over the crate's 100,000
    /// random chains it disagrees on 398 of the 63,369 whose gradients are finite, mostly where
    /// second derivatives underflow (magnitudes past `1e±100`) or where the Hessian cancels
    /// far below its terms. There no `NaN` or infinity is masked either: read a failure as
    /// a lead, not a verdict.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank1<2>>::from([1.0, 2.0]));
    ///     let check = x.powi(3).sum().check_hvp(x);
    ///     assert!(check.passed, "{check}");
    ///     assert!(check.forward_over_reverse != 0.0);
    /// });
    /// ```
    pub fn check_hvp<SIn: Shape, KIn: IsParam>(&self, x: Var<'g, SIn, F, KIn>) -> HvpCheck
    where
        S: ScalarShape,
    {
        let mut rng = SplitMix64::new(call_seed::<F>(self.id, &[]) ^ u64::from(x.id));
        let n = SIn::NUMEL;
        let draw = |rng: &mut SplitMix64| -> Vec<F> { (0..n).map(|_| rng.symmetric()).collect() };
        let (v, w) = (draw(&mut rng), draw(&mut rng));
        let split = |d: &[F], rng: &mut SplitMix64| -> (Vec<F>, Vec<F>) {
            let a: Vec<F> = d.iter().map(|&x| x * F::of_f64(rng.unit())).collect();
            let b = d.iter().zip(&a).map(|(&x, &y)| x - y).collect();
            (a, b)
        };
        let reverse = |v: &[F]| -> (f64, f64) {
            let hv = self.hvp(x, &Tensor::from_vec_unchecked(v.to_vec()));
            let terms = hv.as_slice().iter().zip(&w);
            let dot = terms.clone().map(|(&h, &w)| (h * w).as_f64()).sum::<f64>();
            let size = terms
                .map(|(&h, &w)| (h * w).as_f64().abs())
                .filter(|t| t.is_finite())
                .sum::<f64>();
            (dot, size)
        };
        let (forward_over_reverse, size) = reverse(&v);
        let forward_over_forward = self.hyper_pass(x.id, &v, &w);
        let (v1, v2) = split(&v, &mut rng);
        let (w1, w2) = split(&w, &mut rng);
        let measured_reverse = forward_over_reverse - reverse(&v1).0 - reverse(&v2).0;
        let measured_forward =
            forward_over_forward - self.hyper_pass(x.id, &v, &w1) - self.hyper_pass(x.id, &v, &w2);
        let measured = measured_reverse.abs() + measured_forward.abs();
        let measured = if measured.is_finite() { measured } else { 0.0 };
        let width = 1.0 + (n as f64).sqrt();
        let noise_floor = NOISE_FACTOR
            * (epsilon::<F>() * width * (size + forward_over_forward.abs())
                + measured
                + n as f64 * tiny::<F>());
        let finite = forward_over_reverse.is_finite() && forward_over_forward.is_finite();
        let passed = if finite {
            (forward_over_reverse - forward_over_forward).abs() <= noise_floor
        } else {
            !forward_over_reverse.is_finite() && !forward_over_forward.is_finite()
        };
        HvpCheck {
            forward_over_reverse,
            forward_over_forward,
            noise_floor,
            passed,
        }
    }
}
