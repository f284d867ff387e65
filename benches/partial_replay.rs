//! Partial replay (issue 14): a W4-like training step (set the parameters, `zero_grad`,
//! `backward`, the gradients lent out, the loss read) in a graph that holds only its loss,
//! against the same step in a graph that also holds an evaluation branch ten times the
//! loss's size, which the loss does not depend on: recorded after the loss (the loss's
//! ancestors are then every node before it: the plain replay loop), or before it (the loss's
//! replay walks its cached list of ancestors, skipping the branch).
//!
//! The network is W4's (`relu(X W1 + b1) W2 + b2`, mean squared error; 32 inputs, 64 hidden,
//! 10 outputs). Sizes, in computed elements: the loss (batch 64) records 306 · 64 ≈ 19.6k;
//! the branch, the same network and error on an evaluation set of 640 rows, ≈ 196k.
//!
//! ```text
//! cargo bench -p tygrad-benches --bench partial_replay
//! ```
//!
//! With arguments it runs one variant a given number of times and prints ns/run instead (for
//! `valgrind --tool=callgrind`, whose instruction counts are stable where times are noisy):
//! `target/release/deps/partial_replay-<hash> after 2000` (`alone`, `after`, `before`).

use criterion::{Criterion, criterion_group};
use std::hint::black_box;
use std::time::Duration;
use tygrad::prelude::*;

const BATCH: usize = 64;
/// Rows of the evaluation set: ten times the training batch.
const EVAL_ROWS: usize = 10 * BATCH;
const IN: usize = 32;
const HIDDEN: usize = 64;
const OUT: usize = 10;

/// `scale · sin(0.37 (i + offset) + 0.11)` in row-major order (W4's fill).
fn filled<S: Shape>(offset: usize, scale: f64) -> Tensor<S> {
    Tensor::from_vec(
        (0..S::NUMEL)
            .map(|i| scale * (0.37 * (i + offset) as f64 + 0.11).sin())
            .collect(),
    )
    .expect("the fill has the shape's element count")
}

struct Params<'g> {
    w1: Var<'g, Rank2<IN, HIDDEN>, f64, kind::Param>,
    b1: Var<'g, Rank1<HIDDEN>, f64, kind::Param>,
    w2: Var<'g, Rank2<HIDDEN, OUT>, f64, kind::Param>,
    b2: Var<'g, Rank1<OUT>, f64, kind::Param>,
}

/// The values the timed step sets, as a training step would.
struct Values {
    w1: Tensor<Rank2<IN, HIDDEN>>,
    b1: Tensor<Rank1<HIDDEN>>,
    w2: Tensor<Rank2<HIDDEN, OUT>>,
    b2: Tensor<Rank1<OUT>>,
}

fn values() -> Values {
    Values {
        w1: filled(10000, 0.1),
        b1: filled(20000, 0.1),
        w2: filled(30000, 0.1),
        b2: filled(40000, 0.1),
    }
}

fn params<'g>(g: &'g Graph<'g>, v: &Values) -> Params<'g> {
    Params {
        w1: g.param(v.w1.clone()),
        b1: g.param(v.b1.clone()),
        w2: g.param(v.w2.clone()),
        b2: g.param(v.b2.clone()),
    }
}

/// W4's network and mean squared error on `ROWS` rows of data from `offset`.
fn mse<'g, const ROWS: usize>(g: &'g Graph<'g>, p: &Params<'g>, offset: usize) -> Var<'g, Rank0> {
    let x = g.constant(filled::<Rank2<ROWS, IN>>(offset, 1.0));
    let y = g.constant(filled::<Rank2<ROWS, OUT>>(offset + 5000, 1.0));
    let ones = g.constant(Tensor::<Rank2<ROWS, 1>>::ones());
    let h = (x.matmul(p.w1) + ones.matmul(p.b1.reshape::<Rank2<1, HIDDEN>>())).relu();
    let out = h.matmul(p.w2) + ones.matmul(p.b2.reshape::<Rank2<1, OUT>>());
    (out - y).square().mean()
}

/// Where the evaluation branch is recorded.
#[derive(Clone, Copy)]
enum Branch {
    None,
    AfterLoss,
    BeforeLoss,
}

/// Builds the graph and returns its training step (what is timed).
fn with_step<R>(branch: Branch, run: impl FnOnce(&mut dyn FnMut() -> f64) -> R) -> R {
    let v = values();
    Graph::with(|g| {
        let p = params(g, &v);
        let (loss, eval) = match branch {
            Branch::None => (mse::<BATCH>(g, &p, 0), None),
            Branch::AfterLoss => {
                let loss = mse::<BATCH>(g, &p, 0);
                (loss, Some(mse::<EVAL_ROWS>(g, &p, 100_000)))
            }
            Branch::BeforeLoss => {
                let eval = mse::<EVAL_ROWS>(g, &p, 100_000);
                (mse::<BATCH>(g, &p, 0), Some(eval))
            }
        };
        let mut step = || {
            p.w1.set_value(black_box(&v.w1));
            p.b1.set_value(&v.b1);
            p.w2.set_value(&v.w2);
            p.b2.set_value(&v.b2);
            g.zero_grad();
            loss.backward();
            p.w1.with_grad(|d| black_box(d[0]));
            p.b1.with_grad(|d| black_box(d[0]));
            p.w2.with_grad(|d| black_box(d[0]));
            p.b2.with_grad(|d| black_box(d[0]));
            loss.item()
        };
        let result = run(&mut step);
        // The branch is right when it is read after the loss's replays.
        if let Some(eval) = eval {
            black_box(eval.item());
        }
        result
    })
}

fn partial_replay(c: &mut Criterion) {
    let mut group = c.benchmark_group("partial_replay");
    group
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    for (name, branch) in [
        ("W4_loss_alone", Branch::None),
        ("W4_loss_then_10x_branch", Branch::AfterLoss),
        ("W4_10x_branch_then_loss", Branch::BeforeLoss),
    ] {
        with_step(branch, |step| {
            group.bench_function(name, |b| b.iter(&mut *step));
        });
    }
    group.finish();
}

criterion_group!(benches, partial_replay);

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [variant, runs] = args.as_slice() {
        let runs: usize = runs.parse().expect("a run count");
        let branch = match variant.as_str() {
            "alone" => Branch::None,
            "after" => Branch::AfterLoss,
            "before" => Branch::BeforeLoss,
            _ => panic!("unknown variant {variant}: alone, after or before"),
        };
        let start = std::time::Instant::now();
        let loss = with_step(branch, |step| (0..runs).map(|_| step()).sum::<f64>());
        let ns = start.elapsed().as_nanos() as f64 / runs as f64;
        println!(
            "{variant} x{runs}: mean loss {}, {ns:.1} ns/run",
            loss / runs as f64
        );
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
