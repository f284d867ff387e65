//! The reverse sweep keeps an adjoint that is one number in every element (below a `sum` or
//! a `mean`, passed on through additions and scalings) as that number, and writes it out only
//! where a rule needs it or where it meets a written one. These cases mix the two kinds on one
//! node in every order, on the plain sweep and on the cross-checked one (which keeps the
//! parameters' shares in their adjoints), and compare with analytic gradients.

use tygrad::prelude::*;

const X: [f64; 5] = [0.5, -1.0, 2.0, 0.25, -3.0];

mod common;
use common::both_sweeps;

fn assert_grad(x: Var<'_, Rank1<5>, f64, kind::Param>, expected: impl Fn(f64) -> f64) {
    let grad = x.grad();
    for (i, &xi) in X.iter().enumerate() {
        let want = expected(xi);
        assert!(
            (grad[i] - want).abs() <= 1e-14 * want.abs().max(1.0),
            "element {i}: {} vs {want}",
            grad[i]
        );
    }
}

#[test]
fn one_number_first_then_a_written_share() {
    // h gets sum's share (one number) before the product's (written out).
    both_sweeps(|g| {
        let x = g.param(Tensor::<Rank1<5>>::from(X));
        let h = x * 2.0;
        let loss = (h * h).sum() + h.sum();
        loss.backward();
        // d/dx (4x² + 2x) = 8x + 2
        assert_grad(x, |x| 8.0 * x + 2.0);
    });
}

#[test]
fn a_written_share_first_then_one_number() {
    both_sweeps(|g| {
        let x = g.param(Tensor::<Rank1<5>>::from(X));
        let h = x * 2.0;
        let loss = h.sum() + (h * h).sum();
        loss.backward();
        assert_grad(x, |x| 8.0 * x + 2.0);
    });
}

#[test]
fn two_numbers_add_up_and_pass_through_scalings() {
    both_sweeps(|g| {
        let x = g.param(Tensor::<Rank1<5>>::from(X));
        let h = (x - 1.0) / 4.0;
        let loss = h.sum() * 3.0 - h.mean() + (-h).sum();
        loss.backward();
        // Every element: (3 - 1/5 - 1) / 4
        assert_grad(x, |_| (3.0 - 0.2 - 1.0) / 4.0);
    });
}

#[test]
fn one_number_meets_a_rule_that_needs_it_written() {
    // tanh's rule reads its adjoint element by element: the mean's share is written out.
    both_sweeps(|g| {
        let x = g.param(Tensor::<Rank1<5>>::from(X));
        let loss = (x.tanh() + 1.0).mean();
        loss.backward();
        assert_grad(x, |x| (1.0 - x.tanh().powi(2)) / 5.0);
    });
}

#[test]
fn subtraction_passes_the_negated_number_to_its_right() {
    both_sweeps(|g| {
        let x = g.param(Tensor::<Rank1<5>>::from(X));
        let c = g.constant(Tensor::<Rank1<5>>::from([1.0, 2.0, 3.0, 4.0, 5.0]));
        let y = g.param(Tensor::<Rank1<5>>::from(X));
        let loss = (c - x).sum() + (x.square() - y).mean();
        loss.backward();
        assert_grad(x, |x| -1.0 + 2.0 * x / 5.0);
        assert_grad(y, |_| -0.2);
    });
}

#[test]
fn repeated_calls_and_replays_keep_the_numbers() {
    both_sweeps(|g| {
        let x = g.param(Tensor::<Rank1<5>>::from(X));
        let h = x.square() * 0.5;
        let loss = h.sum() + (h * x).mean();
        for _ in 0..3 {
            g.zero_grad();
            loss.backward();
            // d/dx (x²/2 + x³/10) = x + 3x²/10
            assert_grad(x, |x| x + 0.3 * x * x);
        }
        loss.backward();
        let doubled = x.grad();
        for (i, &xi) in X.iter().enumerate() {
            assert!((doubled[i] - 2.0 * (xi + 0.3 * xi * xi)).abs() < 1e-13);
        }
    });
}

#[test]
fn seeded_non_scalar_outputs_and_second_derivatives() {
    both_sweeps(|g| {
        let x = g.param(Tensor::<Rank1<5>>::from(X));
        // A seed that is not one number, on a vector output with a broadcast sum below it.
        let y = x.square().reshape::<Rank1<5>>() + x.sum().broadcast::<Rank1<5>>();
        let seed = Tensor::from([1.0, 0.0, -1.0, 2.0, 0.5]);
        y.backward_with(&seed);
        let total: f64 = seed.iter().sum();
        let grad = x.grad();
        for (i, &xi) in X.iter().enumerate() {
            assert_eq!(grad[i], 2.0 * xi * seed[i] + total);
        }
        // Forward over reverse runs the same sweep on dual numbers.
        let f = (x.square() * 0.5 + x).sum() * 2.0 + x.mean();
        let v = Tensor::from([1.0, 2.0, 3.0, 4.0, 5.0]);
        let hv = f.hvp(x, &v);
        // Hessian of sum(x²) + 2 sum(x) + mean(x): 2 I.
        for i in 0..5 {
            assert!((hv[i] - 2.0 * v[i]).abs() < 1e-14);
        }
    });
}

#[test]
fn a_held_number_feeds_rules_that_read_memory() {
    // Each scalar term gets its adjoint from the addition above as one number, and each
    // term's rule (dot, norm, max, broadcast) reads it from memory.
    both_sweeps(|g| {
        let x = g.param(Tensor::<Rank1<5>>::from(X));
        let y = g.constant(Tensor::<Rank1<5>>::from([1.0, 2.0, 3.0, 4.0, 5.0]));
        let loss = x.dot(y)
            + x.norm()
            + x.max() * 2.0
            + x.sum().broadcast::<Rank1<5>>().sum()
            + x.square().sum().sqrt();
        loss.backward();
        let norm = X.iter().map(|v| v * v).sum::<f64>().sqrt();
        let grad = x.grad();
        for (i, &xi) in X.iter().enumerate() {
            let argmax = if i == 2 { 2.0 } else { 0.0 };
            let want = (i + 1) as f64 + 2.0 * xi / norm + argmax + 5.0;
            assert!((grad[i] - want).abs() < 1e-14, "{i}: {} vs {want}", grad[i]);
        }
    });
}
