//! Least-squares linear regression `y = w x + b`, fitted by gradient descent, with the fitted
//! values printed beside the observed ones.
//!
//! The model is written as a matrix product: `X θ` with a design matrix `X = [x, 1]` (a
//! constant) and `θ = [w, b]` (a parameter). The graph is built once; each step replays it:
//! `zero_grad`, `backward`, then a gradient step on the parameter in place (`update`). The
//! result is checked against the closed-form solution of the normal equations.
//! Run with `cargo run --example linear_regression`.

use tygrad::prelude::*;

const XS: [f64; 6] = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0];
const YS: [f64; 6] = [1.1, 2.9, 5.2, 7.1, 8.8, 11.0];

/// The least-squares line through the data: `w = cov(x, y) / var(x)`, `b = mean(y) - w mean(x)`.
fn closed_form() -> (f64, f64) {
    let n = XS.len() as f64;
    let (mean_x, mean_y) = (XS.iter().sum::<f64>() / n, YS.iter().sum::<f64>() / n);
    let cov: f64 = XS
        .iter()
        .zip(&YS)
        .map(|(x, y)| (x - mean_x) * (y - mean_y))
        .sum();
    let var: f64 = XS.iter().map(|x| (x - mean_x).powi(2)).sum();
    let w = cov / var;
    (w, mean_y - w * mean_x)
}

fn main() {
    // The loss's Hessian is 2 XᵀX / 6, with eigenvalues about 19.7 and 0.59: a step of 0.09 is
    // below the stability limit 2 / 19.7, and shrinks the slow direction's error by a factor
    // 1 - 0.09 * 0.59 ≈ 0.947 per step, so 400 steps take an error of order 1 below 1e-9.
    const LEARNING_RATE: f64 = 0.09;
    const STEPS: usize = 400;

    let (w, b, fitted_values) = Graph::with(|g| {
        let design = g.constant(Tensor::<Rank2<6, 2>>::from_fn(|[i, j]| {
            if j == 0 { XS[i] } else { 1.0 }
        }));
        let targets = g.constant(Tensor::<Rank2<6, 1>>::from_fn(|[i, _]| YS[i]));
        let theta = g.param(Tensor::<Rank2<2, 1>>::zeros());

        let fitted_values = design.matmul(theta);
        let residual = fitted_values - targets;
        let loss = (residual * residual).mean();

        for step in 0..=STEPS {
            g.zero_grad();
            loss.backward();
            if step % 50 == 0 {
                println!("step {step:3}: loss = {:.9}", loss.item());
            }
            theta.update(|p, dp| p - LEARNING_RATE * dp);
        }
        let fitted = theta.value();
        (fitted[[0, 0]], fitted[[1, 0]], fitted_values.value())
    });

    let (w_exact, b_exact) = closed_form();
    println!("gradient descent: w = {w:.9}, b = {b:.9}");
    println!("closed form:      w = {w_exact:.9}, b = {b_exact:.9}");
    println!("     x   observed     fitted   residual");
    for (i, (x, y)) in XS.iter().zip(&YS).enumerate() {
        let fit = fitted_values[[i, 0]];
        println!("{x:6.1} {y:10.3} {fit:10.3} {:10.3}", y - fit);
        assert!((fit - (w_exact * x + b_exact)).abs() < 1e-6);
    }
    assert!((w - w_exact).abs() < 1e-6, "w = {w}, expected {w_exact}");
    assert!((b - b_exact).abs() < 1e-6, "b = {b}, expected {b_exact}");
}
