//! A multilayer perceptron (2 -> 16 tanh -> 16 tanh -> 2) classifying the two-moons data set,
//! trained with `optim::Adam` on minibatches of 32.
//!
//! The data (two interleaved half circles with Gaussian noise) is generated in code from a
//! fixed seed. The network is built once, as a graph over one minibatch: each step swaps the
//! next minibatch into its two constants (`set_value`, in place), then `zero_grad`,
//! `backward` and `adam.step(g)`; the graph replays itself. The loss (softmax cross-entropy)
//! is printed per epoch, and the accuracy on the training set and on a held-out test set
//! generated from another seed, each measured through the same graph. Run with
//! `cargo run --release --example mlp`.

use std::time::Instant;
use tygrad::prelude::*;

const BATCH: usize = 32;
const BATCHES: usize = 16;
/// Training points (both moons together).
const TRAIN: usize = BATCH * BATCHES;
const EPOCHS: usize = 60;
const NOISE: f64 = 0.15;

/// A 64-bit linear congruential generator (Knuth's MMIX constants): reproducible without a
/// random-number dependency.
struct Lcg(u64);

impl Lcg {
    /// Uniform in [0, 1).
    fn uniform(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Standard normal, by Box-Muller.
    fn normal(&mut self) -> f64 {
        let (u, v) = (1.0 - self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }
}

/// `n` points of two moons (scikit-learn's `make_moons`): class 0 on the upper half circle
/// of radius 1 about (0, 0), class 1 on the lower one about (1, 0.5), alternating, with noise.
fn two_moons(n: usize, rng: &mut Lcg) -> Vec<([f64; 2], usize)> {
    (0..n)
        .map(|i| {
            let class = i % 2;
            let t = std::f64::consts::PI * rng.uniform();
            let (x, y) = if class == 0 {
                (t.cos(), t.sin())
            } else {
                (1.0 - t.cos(), 0.5 - t.sin())
            };
            ([x + NOISE * rng.normal(), y + NOISE * rng.normal()], class)
        })
        .collect()
}

/// Weights uniform in ±sqrt(6 / (fan_in + fan_out)) (Glorot).
fn glorot<const I: usize, const O: usize>(rng: &mut Lcg) -> Tensor<Rank2<I, O>> {
    let bound = (6.0 / (I + O) as f64).sqrt();
    Tensor::from_fn(|_| bound * (2.0 * rng.uniform() - 1.0))
}

fn main() {
    let started = Instant::now();
    let mut rng = Lcg(2024);
    let mut train = two_moons(TRAIN, &mut rng);
    let test = two_moons(1024, &mut Lcg(7));

    Graph::with(|g| {
        let inputs = g.constant(Tensor::<Rank2<BATCH, 2>>::zeros());
        let targets = g.constant(Tensor::<Rank2<BATCH, 2>>::zeros());
        let w1 = g.param(glorot::<2, 16>(&mut rng));
        let b1 = g.param(Tensor::<Rank1<16>>::zeros());
        let w2 = g.param(glorot::<16, 16>(&mut rng));
        let b2 = g.param(Tensor::<Rank1<16>>::zeros());
        let w3 = g.param(glorot::<16, 2>(&mut rng));
        let b3 = g.param(Tensor::<Rank1<2>>::zeros());

        let h1 = inputs.matmul(w1).add_row(b1).tanh();
        let h2 = h1.matmul(w2).add_row(b2).tanh();
        let logits = h2.matmul(w3).add_row(b3);
        let loss = logits.cross_entropy(targets);

        // The minibatch buffers, filled in place and copied into the graph's constants.
        let mut batch_x = Tensor::<Rank2<BATCH, 2>>::zeros();
        let mut batch_y = Tensor::<Rank2<BATCH, 2>>::zeros();
        let mut load = |points: &[([f64; 2], usize)]| {
            for (i, (point, class)) in points.iter().enumerate() {
                batch_x.as_mut_slice()[2 * i..2 * i + 2].copy_from_slice(point);
                batch_y.as_mut_slice()[2 * i..2 * i + 2].copy_from_slice(&if *class == 0 {
                    [1.0, 0.0]
                } else {
                    [0.0, 1.0]
                });
            }
            inputs.set_value(&batch_x);
            targets.set_value(&batch_y);
        };

        let mut adam = Adam::new(0.01);
        for epoch in 1..=EPOCHS {
            // Fisher-Yates shuffle, then one pass over the minibatches.
            for i in (1..train.len()).rev() {
                let j = (rng.uniform() * (i + 1) as f64) as usize;
                train.swap(i, j);
            }
            let mut total = 0.0;
            for batch in train.chunks_exact(BATCH) {
                load(batch);
                g.zero_grad();
                loss.backward();
                total += loss.item();
                adam.step(g);
            }
            if epoch % 5 == 0 || epoch == 1 {
                println!("epoch {epoch:3}: mean loss {:.4}", total / BATCHES as f64);
            }
        }

        // Accuracy through the same graph, a minibatch at a time.
        let mut accuracy = |points: &[([f64; 2], usize)]| {
            let mut correct = 0;
            for batch in points.chunks_exact(BATCH) {
                load(batch);
                let scores = logits.value();
                for (i, (_, class)) in batch.iter().enumerate() {
                    let predicted = usize::from(scores[[i, 1]] > scores[[i, 0]]);
                    correct += usize::from(predicted == *class);
                }
            }
            correct as f64 / points.len() as f64
        };
        let train_accuracy = accuracy(&train);
        let test_accuracy = accuracy(&test);
        let elapsed = started.elapsed();
        println!(
            "accuracy: train {:.1}%, test {:.1}% ({} Adam steps, {:.2?})",
            100.0 * train_accuracy,
            100.0 * test_accuracy,
            adam.steps(),
            elapsed
        );
        assert!(test_accuracy > 0.95, "test accuracy {test_accuracy}");
    });
}
