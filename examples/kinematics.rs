//! Inverse kinematics: a planar arm of three links reaching a target, by Levenberg-Marquardt
//! on the residual `r(q) = position(q) - target` through its Jacobian (forward mode), and,
//! with the `argmin` feature, the same problem solved by argmin's trust-region Gauss-Newton.
//!
//! The arm's joint angles are one `Rank1<3>` parameter, taken apart with `unstack`; the
//! hand's position is put together with `stack`. The graph is built once: each iteration sets
//! the angles, replays, and reads the residual and its 2x3 Jacobian. Run with
//! `cargo run --example kinematics` (and `--features argmin` for the second solver).

use nalgebra::{Matrix3, Vector3};
use tygrad::prelude::*;

const LINKS: [f64; 3] = [1.0, 0.8, 0.5];
const TARGET: [f64; 2] = [1.2, 1.0];
const START: [f64; 3] = [0.1, 0.2, 0.3];

/// The hand's position, `Σ_i L_i (cos θ_i, sin θ_i)` with `θ_i = q_0 + ... + q_i`.
fn hand<'g, K: Kind>(q: Var<'g, Rank1<3>, f64, K>) -> Var<'g, Rank1<2>> {
    let [q0, q1, q2] = q.unstack();
    let (t1, t2) = (q0 + q1, q0 + q1 + q2);
    let x = LINKS[0] * q0.cos() + LINKS[1] * t1.cos() + LINKS[2] * t2.cos();
    let y = LINKS[0] * q0.sin() + LINKS[1] * t1.sin() + LINKS[2] * t2.sin();
    stack([x, y])
}

fn main() {
    Graph::with(|g| {
        let q = g.param(Tensor::<Rank1<3>>::from(START));
        let target = g.constant(Tensor::<Rank1<2>>::from(TARGET));
        let residual = hand(q) - target;

        // Levenberg-Marquardt: solve (JᵀJ + λ I) δ = -Jᵀ r; accept the step if |r| shrinks
        // (and trust the model more: λ / 3), otherwise reject it and damp more (λ · 2).
        let mut lambda = 1e-2;
        let mut angles = Vector3::from(START);
        let norm = |r: &Tensor<Rank1<2>>| r.iter().map(|x| x * x).sum::<f64>().sqrt();
        let mut error = norm(&residual.value());
        let mut iterations = 0;
        while error > 1e-12 && iterations < 100 {
            iterations += 1;
            let r = residual.value();
            let j = residual.jacobian_fwd(q).to_dmatrix(); // 2x3, by dual numbers
            let jt_r = j.transpose() * nalgebra::DVector::from_row_slice(r.as_slice());
            let normal = j.transpose() * &j;
            let damped: Matrix3<f64> =
                Matrix3::from_fn(|a, b| normal[(a, b)]) + Matrix3::identity() * lambda;
            let step = damped
                .cholesky()
                .expect("JᵀJ + λI is positive definite")
                .solve(&-Vector3::new(jt_r[0], jt_r[1], jt_r[2]));
            let trial = angles + step;
            q.set_value(&Tensor::from([trial[0], trial[1], trial[2]]));
            let trial_error = norm(&residual.value());
            if trial_error < error {
                (angles, error) = (trial, trial_error);
                lambda /= 3.0;
            } else {
                q.set_value(&Tensor::from([angles[0], angles[1], angles[2]]));
                lambda *= 2.0;
            }
            println!("LM {iterations:2}: |r| = {error:.3e}, λ = {lambda:.1e}");
        }
        let reached = hand(q).value();
        println!(
            "Levenberg-Marquardt: joint angles {}, hand at {reached} (target {TARGET:?}) after {iterations} iterations",
            q.value()
        );
        assert!(error < 1e-12, "|r| = {error}");

        #[cfg(feature = "argmin")]
        {
            use argmin::core::{Executor, State};
            use argmin::solver::trustregion::{Steihaug, TrustRegion};
            use tygrad::optim::argmin::LeastSquares;

            let problem = LeastSquares::new(q, residual);
            let solver = TrustRegion::new(Steihaug::new().with_max_iters(10));
            let result = Executor::new(problem, solver)
                .configure(|state| {
                    state
                        .param(START.to_vec())
                        .max_iters(100)
                        .target_cost(1e-24)
                })
                .run()
                .expect("argmin runs");
            let state = result.state();
            let best = state.get_best_param().expect("a best point");
            q.set_value(&Tensor::from([best[0], best[1], best[2]]));
            let error = norm(&residual.value());
            println!(
                "argmin Gauss-Newton (trust region): joint angles {best:?}, |r| = {error:.1e} after {} iterations",
                state.get_iter()
            );
            assert!(error < 1e-10, "|r| = {error}");
        }
    });
}
