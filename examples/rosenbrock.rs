//! Minimising the Rosenbrock function `f(x, y) = (1 - x)² + 100 (y - x²)²` from the classic
//! start `(-1.2, 1)`, by gradient descent with a backtracking (Armijo) line search.
//!
//! The point is one `Rank1<2>` parameter; its components are taken out with `get::<I>()`
//! (an index checked at compile time). The graph is built once: each
//! trial point of the line search is a `set_value` and a replayed `item()`, each accepted
//! point a `zero_grad` and a `backward`. Run with `cargo run --example rosenbrock`.

use tygrad::prelude::*;

/// Stop once the gradient is this small.
const GRADIENT_TOLERANCE: f64 = 1e-9;
const MAX_STEPS: usize = 200_000;

/// Armijo's sufficient-decrease constant: accept a step that achieves this fraction of the
/// decrease the gradient promises.
const ARMIJO: f64 = 1e-4;

fn main() {
    Graph::with(|g| {
        let point = g.param(Tensor::<Rank1<2>>::from([-1.2, 1.0]));
        let x = point.get::<0>();
        let y = point.get::<1>();
        let valley = y - x * x;
        let f = (1.0 - x).square() + 100.0 * valley * valley;

        // The gradient at the start, against the analytic one:
        // (-2 (1 - x) - 400 x (y - x²), 200 (y - x²)) = (-215.6, -88) at (-1.2, 1).
        f.backward();
        let start_gradient = point.grad();
        println!("f(-1.2, 1) = {:.4}, gradient = {start_gradient}", f.item());
        assert!((f.item() - 24.2).abs() < 1e-12);
        assert!((start_gradient[[0]] + 215.6).abs() < 1e-12);
        assert!((start_gradient[[1]] + 88.0).abs() < 1e-12);

        let mut step_size = 1e-3;
        let mut steps = 0;
        loop {
            let (here, value) = (point.value(), f.item());
            g.zero_grad();
            f.backward();
            let gradient = point.grad();
            let slope: f64 = gradient.iter().map(|d| d * d).sum();
            if slope.sqrt() < GRADIENT_TOLERANCE || steps == MAX_STEPS {
                break;
            }
            // Try a longer step than last time, then halve it until it decreases f enough.
            step_size *= 2.0;
            loop {
                point.set_value(&here.zip_map(&gradient, |p, d| p - step_size * d));
                if f.item() <= value - ARMIJO * step_size * slope {
                    break;
                }
                step_size /= 2.0;
            }
            steps += 1;
            if steps.is_power_of_two() {
                println!("step {steps:6}: f = {:.3e} at {}", f.item(), point.value());
            }
        }

        let minimiser = point.value();
        let gradient_norm = point.grad().iter().map(|d| d * d).sum::<f64>().sqrt();
        let (x_min, y_min) = (minimiser[[0]], minimiser[[1]]);
        println!(
            "after {steps} steps: f = {:.3e} at ({x_min:.10}, {y_min:.10}), |∇f| = {gradient_norm:.1e}",
            f.item()
        );

        // Near the minimum f is quadratic with Hessian [[802, -400], [-400, 200]], whose smallest
        // eigenvalue is about 0.4, so a point with |∇f| = ε lies within about ε / 0.4 of (1, 1):
        // a gradient below 1e-9 puts the minimiser within 1e-8; assert 1e-7 for margin.
        assert!(
            gradient_norm < GRADIENT_TOLERANCE,
            "no convergence in {MAX_STEPS} steps"
        );
        assert!(
            (minimiser[[0]] - 1.0).abs() < 1e-7,
            "x = {}",
            minimiser[[0]]
        );
        assert!(
            (minimiser[[1]] - 1.0).abs() < 1e-7,
            "y = {}",
            minimiser[[1]]
        );
    });
}
