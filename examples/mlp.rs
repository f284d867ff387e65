//! A tiny multilayer perceptron (2 inputs, 8 tanh hidden units, 1 output) learning XOR by
//! full-batch gradient descent on the mean squared error.
//!
//! The network is built once as a graph over the four examples; every training step replays
//! it (`zero_grad`, `backward`, then an in-place `update` of each parameter). Run with
//! `cargo run --example mlp`.

use tygrad::prelude::*;

/// The loss's curvature along the output weights is about 2 (|h|² + 1) / 4 with up to 8 hidden
/// activations |h| <= 1, so steps above ~0.2 can diverge (0.5 does, from this start).
const LEARNING_RATE: f64 = 0.1;
const STEPS: usize = 1000;

/// Deterministic weights in [-1, 1) (a fixed hash of the position), so the run is reproducible
/// without a random-number dependency.
fn init<S: Shape>(seed: u64) -> Tensor<S>
where
    S::Index: Default + AsMut<[usize]>,
{
    let mut state = seed;
    Tensor::from_fn(|_| {
        // One step of a 64-bit linear congruential generator (Knuth's MMIX constants).
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
    })
}

/// One gradient-descent step on a parameter: `p <- p - learning_rate * dL/dp`.
fn descend<S: Shape>(p: Var<'_, S, f64, kind::Param>) {
    p.update(|w, dw| w - LEARNING_RATE * dw);
}

fn main() {
    Graph::with(|g| {
        let inputs = g.constant(Tensor::<Rank2<4, 2>>::from([
            [0.0, 0.0],
            [0.0, 1.0],
            [1.0, 0.0],
            [1.0, 1.0],
        ]));
        let targets = g.constant(Tensor::<Rank2<4, 1>>::from([[0.0], [1.0], [1.0], [0.0]]));

        let w1 = g.param(init::<Rank2<2, 8>>(1));
        let b1 = g.param(Tensor::<Rank1<8>>::zeros());
        let w2 = g.param(init::<Rank2<8, 1>>(2));
        let b2 = g.param(Tensor::<Rank1<1>>::zeros());

        // `add_row` adds the bias row to every example (an explicit, typed broadcast).
        let hidden = inputs.matmul(w1).add_row(b1).tanh();
        let output = hidden.matmul(w2).add_row(b2);
        let error = output - targets;
        let loss = (error * error).mean();

        let initial_loss = loss.item();
        for step in 0..=STEPS {
            g.zero_grad();
            loss.backward();
            if step % 100 == 0 {
                println!("step {step:4}: loss = {:.3e}", loss.item());
            }
            descend(w1);
            descend(b1);
            descend(w2);
            descend(b2);
        }

        let predictions = output.value();
        println!("predictions for (0,0), (0,1), (1,0), (1,1):\n{predictions}");
        let final_loss = loss.item();
        assert!(
            final_loss < 1e-6 && final_loss < initial_loss,
            "loss {initial_loss} -> {final_loss}"
        );
        for (prediction, target) in predictions.iter().zip(targets.value().iter()) {
            assert!(
                (prediction - target).abs() < 1e-3,
                "{prediction} vs {target}"
            );
        }
    });
}
