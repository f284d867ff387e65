//! Minimising the Rosenbrock function `f(x, y) = (1 - x)² + 100 (y - x²)²` from the classic
//! start `(-1.2, 1)` to within 1e-8 of its minimiser `(1, 1)`, three ways, each with its
//! iteration count: gradient descent, Newton's method (the Hessian from the dual-number
//! path), and L-BFGS from argmin (with `--features argmin`).
//!
//! Gradient descent with a backtracking (Armijo) line search runs twice:
//!
//! - on a [`Graph`]: the point is one `Rank1<2>` parameter whose components are taken out
//!   with `get::<I>()` (an index checked at compile time). The graph is built once: each
//!   trial point of the line search is a `set_value` and a replayed `item()`, each accepted
//!   point a `zero_grad` and a `backward`;
//! - on a fused graph (`tygrad::fused`): the same function over two slices of the point,
//!   compiled into one loop; `value` for trial points, `value_and_grad` for accepted ones.
//!
//! Both take the same steps to the same minimiser. Newton's method takes the Hessian of the
//! same graph by forward-over-forward mode (`hessian`) and solves the 2x2 Newton system,
//! halving a step that would not decrease `f`. Run with `cargo run --example rosenbrock`
//! (`--features argmin` adds L-BFGS).

use tygrad::fused::{self, Input};
use tygrad::prelude::*;

/// Stop once every coordinate is this close to the minimiser (1, 1).
const TOLERANCE: f64 = 1e-8;
const MAX_STEPS: usize = 200_000;

/// Armijo's sufficient-decrease constant: accept a step that achieves this fraction of the
/// decrease the gradient promises.
const ARMIJO: f64 = 1e-4;

type Point = Tensor<Rank1<2>>;

/// The largest distance of a coordinate from the minimiser's.
fn distance(p: &Point) -> f64 {
    p.iter().fold(0.0f64, |d, x| d.max((x - 1.0).abs()))
}

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
        if distance(&here) < TOLERANCE || steps == MAX_STEPS {
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
        distance(&here) < TOLERANCE,
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
        start.clone(),
        |p| rosenbrock.value(p),
        |p, grad| rosenbrock.value_and_grad(p, grad),
    );

    println!("Newton's method on the Graph:");
    let (newton, newton_steps) = Graph::with(|g| {
        let point = g.param(start.clone());
        let (x, y) = (point.get::<0>(), point.get::<1>());
        let f = (1.0 - x).square() + 100.0 * (y - x * x).square();
        let mut steps = 0;
        while distance(&point.value()) >= TOLERANCE && steps < 100 {
            g.zero_grad();
            f.backward();
            let gradient = point.grad();
            let h = f.hessian(point); // forward-over-forward: hyper-dual numbers
            let hessian = nalgebra::Matrix2::new(h[(0, 0)], h[(0, 1)], h[(1, 0)], h[(1, 1)]);
            let newton_step = hessian
                .lu()
                .solve(&nalgebra::Vector2::new(gradient[0], gradient[1]))
                .expect("the Hessian is invertible along the path");
            let (here, value) = (point.value(), f.item());
            let mut length = 1.0;
            loop {
                point.set_value(&Point::from([
                    here[0] - length * newton_step[0],
                    here[1] - length * newton_step[1],
                ]));
                if f.item() < value || length < 1e-10 {
                    break;
                }
                length /= 2.0;
            }
            steps += 1;
            println!(
                "  step {steps:2}: f = {:.3e} at {} (step length {length})",
                f.item(),
                point.value()
            );
        }
        (point.value(), steps)
    });

    #[cfg(feature = "argmin")]
    let lbfgs = {
        use argmin::core::{Executor, State};
        use argmin::solver::linesearch::MoreThuenteLineSearch;
        use argmin::solver::quasinewton::LBFGS;
        use tygrad::optim::argmin::Minimize;

        println!("L-BFGS (argmin) on the Graph:");
        Graph::with(|g| {
            let point = g.param(start.clone());
            let (x, y) = (point.get::<0>(), point.get::<1>());
            let f = (1.0 - x).square() + 100.0 * (y - x * x).square();
            // Near (1, 1), f ≈ ½ dᵀ H d with H's smallest eigenvalue about 0.4: f < 1e-18
            // puts the point within 3e-9.
            let result = Executor::new(
                Minimize::new(point, f),
                LBFGS::new(MoreThuenteLineSearch::new(), 7),
            )
            .configure(|state| {
                state
                    .param(vec![-1.2, 1.0])
                    .max_iters(200)
                    .target_cost(1e-18)
            })
            .run()
            .expect("argmin runs");
            let state = result.state();
            let best = state.get_best_param().expect("a best point");
            (Point::from([best[0], best[1]]), state.get_iter() as usize)
        })
    };

    #[cfg(feature = "argmin")]
    let lbfgs = Some(("L-BFGS (argmin)", lbfgs.0, lbfgs.1));
    #[cfg(not(feature = "argmin"))]
    let lbfgs = None;
    let results: Vec<(&str, Point, usize)> = [
        ("gradient descent (graph)", on_graph, graph_steps),
        ("gradient descent (fused)", fused, fused_steps),
        ("Newton", newton, newton_steps),
    ]
    .into_iter()
    .chain(lbfgs)
    .collect();
    for (name, minimiser, steps) in &results {
        println!("{name}: {steps} iterations to {minimiser} (within {TOLERANCE:e} of (1, 1))");
        assert!(distance(minimiser) < TOLERANCE, "{name}: {minimiser}");
    }
    // The two gradient descents compute the same numbers up to rounding, so they take
    // (nearly) the same path.
    assert!(graph_steps.abs_diff(fused_steps) <= graph_steps / 100 + 1);
}
