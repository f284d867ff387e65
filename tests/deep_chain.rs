//! A chain of a million nodes builds, replays and backpropagates without recursion (no stack
//! overflow), and its gradient is the analytic one.

use tygrad::prelude::*;

/// Half the nodes scale by `RATE`, half add 0: `y = x · RATE^(N/2)`, so `dy/dx = RATE^(N/2)`.
const NODES: usize = 1_000_000;
const RATE: f64 = 1.000_001;

#[test]
fn million_node_chain_backpropagates_analytically() {
    Graph::with(|g| {
        let x = g.param(Tensor::<Rank0>::from(2.0));
        let mut y = x.node();
        for _ in 0..NODES / 2 {
            y = y * RATE + 0.0;
        }
        assert_eq!(g.len(), NODES + 1);
        y.backward();
        let slope = ((NODES / 2) as f64 * RATE.ln_1p_exact()).exp();
        let relative = |a: f64, b: f64| ((a - b) / b).abs();
        // Each of the 500,000 products rounds once: the error stays far below 1e-9.
        assert!(
            relative(x.grad().item(), slope) < 1e-9,
            "{} vs {slope}",
            x.grad().item()
        );
        assert!(
            relative(y.item(), 2.0 * slope) < 1e-9,
            "{} vs {}",
            y.item(),
            2.0 * slope
        );

        // The same chain replayed for a new input: same slope, accumulated until zeroed.
        x.set_value(&Tensor::from(-3.0));
        y.backward();
        assert!(relative(x.grad().item(), 2.0 * slope) < 1e-9);
        g.zero_grad();
        y.backward();
        assert!(relative(x.grad().item(), slope) < 1e-9);
        assert!(relative(y.item(), -3.0 * slope) < 1e-9);
    });
}

/// `ln(RATE)` from `ln_1p` of the exact increment, so the reference carries no rounding of
/// `RATE - 1`.
trait Ln1pExact {
    fn ln_1p_exact(self) -> f64;
}

impl Ln1pExact for f64 {
    fn ln_1p_exact(self) -> f64 {
        (self - 1.0).ln_1p()
    }
}
