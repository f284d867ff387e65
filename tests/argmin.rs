//! The `argmin` feature: L-BFGS and Newton's method (argmin's trust-region Newton, the Newton
//! system solved by Steihaug's conjugate gradients) on Rosenbrock from (-1.2, 1), and
//! Gauss-Newton (the same trust-region method on the Gauss-Newton Hessian) on a residual
//! problem with a known solution. Each runs until its cost is below a target that puts the
//! point within 1e-8 of the minimiser (near (1, 1), f ≈ ½ dᵀ H d with H's smallest
//! eigenvalue about 0.4, so f < 1e-18 means |d| < 3e-9).
#![cfg(feature = "argmin")]

use argmin::core::{Executor, Gradient, Hessian, Jacobian, State, TerminationReason};
use argmin::solver::linesearch::MoreThuenteLineSearch;
use argmin::solver::quasinewton::LBFGS;
use argmin::solver::trustregion::{Steihaug, TrustRegion};
use tygrad::optim::argmin::{LeastSquares, Minimize};
use tygrad::prelude::*;

fn rosenbrock<'g, K: Kind>(p: Var<'g, Rank1<2>, f64, K>) -> Var<'g, Rank0> {
    let (x, y) = (p.get::<0>(), p.get::<1>());
    (1.0 - x).square() + 100.0 * (y - x * x).square()
}

#[test]
fn problem_derivatives_are_the_analytic_ones() {
    Graph::with(|g| {
        let p = g.param(Tensor::<Rank1<2>>::zeros());
        let problem = Minimize::new(p, rosenbrock(p));
        let at = vec![-1.2, 1.0];
        let grad = problem.gradient(&at).unwrap();
        // (-2 (1 - x) - 400 x (y - x²), 200 (y - x²)) = (-215.6, -88)
        assert!((grad[0] + 215.6).abs() < 1e-12 && (grad[1] + 88.0).abs() < 1e-12);
        let h = problem.hessian(&at).unwrap();
        // [[2 - 400 (y - 3 x²), -400 x], [-400 x, 200]]
        let hand = [[2.0 - 400.0 * (1.0 - 3.0 * 1.44), 480.0], [480.0, 200.0]];
        for i in 0..2 {
            for j in 0..2 {
                assert!((h[i][j] - hand[i][j]).abs() < 1e-10, "{h:?}");
            }
        }
        assert_eq!(
            p.grad(),
            Tensor::zeros(),
            "the graph's gradients are untouched"
        );
    });
}

#[test]
fn lbfgs_solves_rosenbrock() {
    Graph::with(|g| {
        let p = g.param(Tensor::<Rank1<2>>::zeros());
        let solver = LBFGS::new(MoreThuenteLineSearch::new(), 7);
        let result = Executor::new(Minimize::new(p, rosenbrock(p)), solver)
            .configure(|state| {
                state
                    .param(vec![-1.2, 1.0])
                    .max_iters(200)
                    .target_cost(1e-18)
            })
            .run()
            .unwrap();
        let state = result.state();
        let best = state.get_best_param().unwrap();
        println!("L-BFGS: {} iterations, {best:?}", state.get_iter());
        assert!(
            (best[0] - 1.0).abs() < 1e-8 && (best[1] - 1.0).abs() < 1e-8,
            "{best:?}"
        );
        // It stops at the target or at its own gradient tolerance, never at the limit.
        assert!(!matches!(
            state.get_termination_reason(),
            Some(TerminationReason::MaxItersReached)
        ));
    });
}

#[test]
fn newton_solves_rosenbrock() {
    Graph::with(|g| {
        let p = g.param(Tensor::<Rank1<2>>::zeros());
        let solver = TrustRegion::new(Steihaug::new().with_max_iters(10));
        let result = Executor::new(Minimize::new(p, rosenbrock(p)), solver)
            .configure(|state| {
                state
                    .param(vec![-1.2, 1.0])
                    .max_iters(100)
                    .target_cost(1e-18)
            })
            .run()
            .unwrap();
        let state = result.state();
        let best = state.get_best_param().unwrap();
        println!(
            "Newton (trust region): {} iterations, {best:?}, {:?}",
            state.get_iter(),
            state.get_termination_reason()
        );
        assert!(
            (best[0] - 1.0).abs() < 1e-8 && (best[1] - 1.0).abs() < 1e-8,
            "{best:?}"
        );
        assert!(matches!(
            state.get_termination_reason(),
            Some(TerminationReason::TargetCostReached)
        ));
    });
}

#[test]
fn gauss_newton_fits_an_exponential() {
    // y = a exp(b t) sampled without noise at a = 2, b = -0.5: the residuals vanish there.
    const T: [f64; 6] = [0.0, 0.5, 1.0, 1.5, 2.0, 3.0];
    Graph::with(|g| {
        let p = g.param(Tensor::<Rank1<2>>::zeros());
        let t = g.constant(Tensor::<Rank1<6>>::from(T));
        let y = g.constant(Tensor::<Rank1<6>>::from(T.map(|t| 2.0 * (-0.5 * t).exp())));
        let model = p.get::<0>().broadcast() * (p.get::<1>().broadcast() * t).exp();
        let problem = LeastSquares::new(p, model - y);
        // The Jacobian's rows are (exp(b t), a t exp(b t)).
        let j = problem.jacobian(&vec![1.0, 0.0]).unwrap();
        assert_eq!(j[3], vec![1.0, 1.5]);
        let solver = TrustRegion::new(Steihaug::new().with_max_iters(10));
        let result = Executor::new(problem, solver)
            .configure(|state| {
                state
                    .param(vec![1.0, 0.0])
                    .max_iters(100)
                    .target_cost(1e-20)
            })
            .run()
            .unwrap();
        let state = result.state();
        let best = state.get_best_param().unwrap();
        println!("Gauss-Newton: {} iterations, {best:?}", state.get_iter());
        assert!(
            (best[0] - 2.0).abs() < 1e-8 && (best[1] + 0.5).abs() < 1e-8,
            "{best:?}"
        );
        assert!(matches!(
            state.get_termination_reason(),
            Some(TerminationReason::TargetCostReached)
        ));
    });
}
