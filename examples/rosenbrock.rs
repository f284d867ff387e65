//! Minimising the Rosenbrock function `f(x, y) = (1 - x)² + 100 (y - x²)²` from the classic
//! start `(-1.2, 1)`, by gradient descent with a backtracking (Armijo) line search, twice:
//!
//! - on a [`Graph`]: the point is one `Rank1<2>` parameter whose components are taken out
//!   with `get::<I>()` (an index checked at compile time). The graph is built once: each
//!   trial point of the line search is a `set_value` and a replayed `item()`, each accepted
//!   point a `zero_grad` and a `backward`;
//! - on a fused graph (`tygrad::fused`): the same function over two slices of the point,
//!   compiled into one loop; `value` for trial points, `value_and_grad` for accepted ones.
//!
//! Both take the same steps to the same minimiser. Run with `cargo run --example rosenbrock`.

use tygrad::fused::{self, Input};
use tygrad::prelude::*;

/// Stop once the gradient is this small.
const GRADIENT_TOLERANCE: f64 = 1e-9;
const MAX_STEPS: usize = 200_000;

/// Armijo's sufficient-decrease constant: accept a step that achieves this fraction of the
/// decrease the gradient promises.
const ARMIJO: f64 = 1e-4;

type Point = Tensor<Rank1<2>>;

/// Gradient descent from `start`, given `f` and its gradient; returns the minimiser and the
/// number of steps.
fn descend(
    start: Point,
    mut value: impl FnMut(&Point) -> f64,
    mut value_and_grad: impl FnMut(&Point, &mut Point) -> f64,
) -> (Point, usize) {
    let mut here = start;
    let mut gradient = Point::zeros();
    let mut step_size = 1e-3;
    let mut steps = 0;
    loop {
        let f = value_and_grad(&here, &mut gradient);
        let slope: f64 = gradient.iter().map(|d| d * d).sum();
        if slope.sqrt() < GRADIENT_TOLERANCE || steps == MAX_STEPS {
            break;
        }
        // Try a longer step than last time, then halve it until it decreases f enough.
        step_size *= 2.0;
        let mut trial = here.zip_map(&gradient, |p, d| p - step_size * d);
        while value(&trial) > f - ARMIJO * step_size * slope {
            step_size /= 2.0;
            trial = here.zip_map(&gradient, |p, d| p - step_size * d);
        }
        here = trial;
        steps += 1;
        if steps.is_power_of_two() {
            println!("  step {steps:6}: f = {:.3e} at {here}", value(&here));
        }
    }
    assert!(
        gradient.iter().map(|d| d * d).sum::<f64>().sqrt() < GRADIENT_TOLERANCE,
        "no convergence in {MAX_STEPS} steps"
    );
    (here, steps)
}

fn main() {
    let start = Point::from([-1.2, 1.0]);

    println!("On a Graph:");
    let (on_graph, graph_steps) = Graph::with(|g| {
        let point = g.param(start.clone());
        let x = point.get::<0>();
        let y = point.get::<1>();
        let valley = y - x * x;
        let f = (1.0 - x).square() + 100.0 * valley * valley;

        // The gradient at the start, against the analytic one:
        // (-2 (1 - x) - 400 x (y - x²), 200 (y - x²)) = (-215.6, -88) at (-1.2, 1).
        f.backward();
        let start_gradient = point.grad();
        println!(
            "  f(-1.2, 1) = {:.4}, gradient = {start_gradient}",
            f.item()
        );
        assert!((f.item() - 24.2).abs() < 1e-12);
        assert!((start_gradient[[0]] + 215.6).abs() < 1e-12);
        assert!((start_gradient[[1]] + 88.0).abs() < 1e-12);

        descend(
            start.clone(),
            |p| {
                point.set_value(p);
                f.item()
            },
            |p, grad| {
                point.set_value(p);
                g.zero_grad();
                f.backward();
                point.grad_into(grad);
                f.item()
            },
        )
    });

    println!("On a fused graph:");
    let rosenbrock = fused::function(|p: Input<Rank1<2>>| {
        let (x, y) = (p.slice::<0, 1>(), p.slice::<1, 1>());
        ((1.0 - x).square() + 100.0 * (y - x.square()).square()).sum()
    });
    let (fused, fused_steps) = descend(
        start,
        |p| rosenbrock.value(p),
        |p, grad| rosenbrock.value_and_grad(p, grad),
    );

    for (name, minimiser, steps) in [
        ("graph", &on_graph, graph_steps),
        ("fused", &fused, fused_steps),
    ] {
        println!("{name}: after {steps} steps, minimiser {minimiser}");
        // Near the minimum f is quadratic with Hessian [[802, -400], [-400, 200]], whose
        // smallest eigenvalue is about 0.4, so a point with |∇f| = ε lies within about ε / 0.4
        // of (1, 1): a gradient below 1e-9 puts the minimiser within 1e-8; assert 1e-7.
        for &coordinate in minimiser.iter() {
            assert!((coordinate - 1.0).abs() < 1e-7, "{name}: {minimiser}");
        }
    }
    // The two compute the same numbers up to rounding, so they take (nearly) the same path.
    assert!(graph_steps.abs_diff(fused_steps) <= graph_steps / 100 + 1);
}
