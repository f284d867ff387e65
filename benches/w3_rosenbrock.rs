//! W3 (Rosenbrock) through tygrad, in the same criterion groups (`W3-2`, `W3-1024`) as the
//! hand/primal/num-dual baselines of `benches/gradients.rs`.
//!
//! Needs `Var::slice::<START, LEN>()`; enabled in Cargo.toml (drop `required-features`) once
//! that op is merged. Before timing, it checks tygrad's gradient against the hand-written one
//! (the other workloads are checked in `tests/bench_workloads.rs`).

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use tygrad::prelude::*;

#[path = "common/workloads.rs"]
mod workloads;
use workloads::*;

/// The Rosenbrock graph for one `N` (`M = N - 1` terms; stable Rust cannot write `N - 1` in a
/// generic const argument).
macro_rules! rosenbrock {
    ($module:ident, $n:literal, $m:literal) => {
        mod $module {
            use super::*;

            pub struct Tygrad<'g> {
                pub graph: &'g Graph<'g>,
                pub x: Var<'g, Rank1<$n>, f64, kind::Param>,
                pub loss: Var<'g, Rank0>,
            }

            impl<'g> Tygrad<'g> {
                pub fn build(g: &'g Graph<'g>, x: &Tensor<Rank1<$n>>) -> Self {
                    let x = g.param(x.clone());
                    let head = x.slice::<0, $m>();
                    let tail = x.slice::<1, $m>();
                    let loss =
                        ((tail - head.square()).square() * 100.0 + (1.0 - head).square()).sum();
                    Tygrad { graph: g, x, loss }
                }

                pub fn gradient(&self, x: &Tensor<Rank1<$n>>, grad: &mut Tensor<Rank1<$n>>) -> f64 {
                    self.x.set_value(x);
                    self.graph.zero_grad();
                    self.loss.backward();
                    self.x.grad_into(grad);
                    self.loss.item()
                }
            }

            pub fn rebuild(x: &Tensor<Rank1<$n>>, grad: &mut Tensor<Rank1<$n>>) -> f64 {
                Graph::with(|g| {
                    let t = Tygrad::build(g, x);
                    t.loss.backward();
                    t.x.grad_into(grad);
                    t.loss.item()
                })
            }
        }
    };
}
rosenbrock!(rosen2, 2, 1);
rosenbrock!(rosen1024, 1024, 1023);

/// Panics unless tygrad agrees with the hand-written gradient to 1e-10 relative.
fn check(name: &str, x: &[f64], loss: f64, grad: &[f64]) {
    let mut hand = vec![0.0; x.len()];
    let hand_loss = w3::hand(x, &mut hand);
    let scale = hand.iter().fold(1e-300_f64, |m, g| m.max(g.abs()));
    assert!(
        (loss - hand_loss).abs() <= 1e-10 * hand_loss.abs(),
        "{name}: loss {loss} vs {hand_loss}"
    );
    for (i, (t, h)) in grad.iter().zip(&hand).enumerate() {
        assert!(
            (t - h).abs() <= 1e-10 * h.abs().max(1e-3 * scale),
            "{name}: grad[{i}] {t} vs {h}"
        );
    }
    println!(
        "{name:<8} {:<24} loss = {loss:>22.15e}   checksum = {:>22.15e}",
        "tygrad",
        checksum(grad)
    );
}

fn w3(c: &mut Criterion) {
    let x = w3::input::<2>();
    let mut grad = Tensor::zeros();
    check(
        "W3-2",
        x.as_slice(),
        rosen2::rebuild(&x, &mut grad),
        grad.as_slice(),
    );
    let mut group = c.benchmark_group("W3-2");
    Graph::with(|g| {
        let t = rosen2::Tygrad::build(g, &x);
        group.bench_function("tygrad_replay", |b| {
            b.iter(|| t.gradient(black_box(&x), &mut grad))
        });
    });
    group.bench_function("tygrad_rebuild", |b| {
        b.iter(|| rosen2::rebuild(black_box(&x), &mut grad))
    });
    group.finish();

    let x = w3::input::<1024>();
    let mut grad = Tensor::zeros();
    check(
        "W3-1024",
        x.as_slice(),
        rosen1024::rebuild(&x, &mut grad),
        grad.as_slice(),
    );
    let mut group = c.benchmark_group("W3-1024");
    Graph::with(|g| {
        let t = rosen1024::Tygrad::build(g, &x);
        group.bench_function("tygrad_replay", |b| {
            b.iter(|| t.gradient(black_box(&x), &mut grad))
        });
    });
    group.bench_function("tygrad_rebuild", |b| {
        b.iter(|| rosen1024::rebuild(black_box(&x), &mut grad))
    });
    group.finish();
}

criterion_group!(benches, w3);
criterion_main!(benches);
