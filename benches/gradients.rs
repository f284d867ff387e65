//! One full gradient of each workload of `shared/bench-workloads.md`, six ways:
//! `hand` (analytic gradient in plain Rust), `primal` (the loss alone), `tygrad_replay` (a
//! graph built once; `set_value`, `zero_grad`, `backward`, the gradient lent out),
//! `tygrad_fused` (W1-W3: the same expression as a fused graph built once,
//! `value_and_grad`), `tygrad_rebuild` (`Graph::with` inside the timed closure) and
//! `num_dual` (forward mode).
//!
//! Results and the command that reproduces them: `benches/RESULTS.md`.

use criterion::{BenchmarkGroup, Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::time::Duration;
use tygrad::prelude::*;

#[path = "common/small.rs"]
mod small;
#[path = "common/workloads.rs"]
mod workloads;
use workloads::*;

/// Prints one implementation's loss and checksum, to compare implementations across runs.
fn report(workload: &str, variant: &str, loss: f64, grad: &[f64]) {
    println!(
        "{workload:<8} {variant:<24} loss = {loss:>22.15e}   checksum = {:>22.15e}",
        checksum(grad)
    );
}

type Group<'a> = BenchmarkGroup<'a, criterion::measurement::WallTime>;

fn w1(c: &mut Criterion) {
    let x = w1::input();
    let mut grad = vec![0.0; w1::NUMEL];
    let mut tgrad = Tensor::zeros();
    let name = "W1";
    report(name, "hand", w1::hand(x.as_slice(), &mut grad), &grad);
    report(
        name,
        "num_dual SVector<4>",
        w1::num_dual(x.as_slice(), &mut grad),
        &grad,
    );
    report(
        name,
        "tygrad",
        w1::tygrad_rebuild(&x, &mut tgrad),
        tgrad.as_slice(),
    );
    let loss = w1::fused().value_and_grad(&x, &mut tgrad);
    report(name, "tygrad fused", loss, tgrad.as_slice());

    let mut group = c.benchmark_group(name);
    group.bench_function("hand", |b| {
        b.iter(|| w1::hand(black_box(x.as_slice()), &mut grad))
    });
    group.bench_function("primal", |b| b.iter(|| w1::primal(black_box(x.as_slice()))));
    Graph::with(|g| {
        let t = w1::Tygrad::build(g, &x);
        group.bench_function("tygrad_replay", |b| b.iter(|| t.replay(black_box(&x))));
    });
    let fused = w1::fused();
    group.bench_function("tygrad_fused", |b| {
        b.iter(|| fused.value_and_grad(black_box(&x), &mut tgrad))
    });
    group.bench_function("tygrad_rebuild", |b| {
        b.iter(|| w1::tygrad_rebuild(black_box(&x), &mut tgrad))
    });
    group.bench_function("num_dual", |b| {
        b.iter(|| w1::num_dual(black_box(x.as_slice()), &mut grad))
    });
    group.finish();
}

/// num-dual's flavour for W2 and W3: all N directions at once in a static vector (small N) or
/// a dynamic one (large N).
#[derive(Clone, Copy)]
enum NumDual {
    Static,
    Dynamic,
}

fn w2_at<const N: usize>(c: &mut Criterion, flavour: NumDual) {
    let x = w2::input::<N>();
    let mut grad = vec![0.0; N];
    let mut tgrad = Tensor::zeros();
    let name = format!("W2-{N}");
    let num_dual = |x: &[f64], grad: &mut [f64]| match flavour {
        NumDual::Static => w2::num_dual_static::<N>(x, grad),
        NumDual::Dynamic => w2::num_dual_dynamic(x, grad),
    };
    let flavour_name = match flavour {
        NumDual::Static => format!("num_dual SVector<{N}>"),
        NumDual::Dynamic => "num_dual DVector".to_string(),
    };
    report(&name, "hand", w2::hand(x.as_slice(), &mut grad), &grad);
    report(
        &name,
        &flavour_name,
        num_dual(x.as_slice(), &mut grad),
        &grad,
    );
    report(
        &name,
        "num_dual Dual64 per elem",
        w2::num_dual_separable(x.as_slice(), &mut grad),
        &grad,
    );
    report(
        &name,
        "tygrad",
        w2::tygrad_rebuild(&x, &mut tgrad),
        tgrad.as_slice(),
    );
    let loss = w2::fused::<N>().value_and_grad(&x, &mut tgrad);
    report(&name, "tygrad fused", loss, tgrad.as_slice());

    let mut group = c.benchmark_group(&name);
    group.bench_function("hand", |b| {
        b.iter(|| w2::hand(black_box(x.as_slice()), &mut grad))
    });
    group.bench_function("primal", |b| b.iter(|| w2::primal(black_box(x.as_slice()))));
    Graph::with(|g| {
        let t = w2::Tygrad::build(g, &x);
        group.bench_function("tygrad_replay", |b| b.iter(|| t.replay(black_box(&x))));
    });
    let fused = w2::fused::<N>();
    group.bench_function("tygrad_fused", |b| {
        b.iter(|| fused.value_and_grad(black_box(&x), &mut tgrad))
    });
    group.bench_function("tygrad_rebuild", |b| {
        b.iter(|| w2::tygrad_rebuild(black_box(&x), &mut tgrad))
    });
    group.bench_function("num_dual_separable", |b| {
        b.iter(|| w2::num_dual_separable(black_box(x.as_slice()), &mut grad))
    });
    slow_tail(&mut group, flavour);
    group.bench_function("num_dual", |b| {
        b.iter(|| num_dual(black_box(x.as_slice()), &mut grad))
    });
    group.finish();
}

/// The O(N²) dynamic num-dual runs take ~0.1 s each: fewer samples keep the run short.
fn slow_tail(group: &mut Group<'_>, flavour: NumDual) {
    if let NumDual::Dynamic = flavour {
        group
            .sample_size(10)
            .warm_up_time(Duration::from_millis(500));
    }
}

fn w2(c: &mut Criterion) {
    w2_at::<16>(c, NumDual::Static);
    w2_at::<4096>(c, NumDual::Dynamic);
}

/// W3 at one size: `$module` is the size's tygrad module (`w3::n2`, `w3::n1024`).
macro_rules! w3_at {
    ($c:expr, $n:literal, $module:ident, $flavour:expr) => {{
        let c: &mut Criterion = $c;
        let flavour: NumDual = $flavour;
        let x = w3::input::<$n>();
        let mut grad = vec![0.0; $n];
        let mut tgrad = Tensor::zeros();
        let name = format!("W3-{}", $n);
        let num_dual = |x: &[f64], grad: &mut [f64]| match flavour {
            NumDual::Static => w3::num_dual_static::<$n>(x, grad),
            NumDual::Dynamic => w3::num_dual_dynamic(x, grad),
        };
        report(&name, "hand", w3::hand(x.as_slice(), &mut grad), &grad);
        report(&name, "num_dual", num_dual(x.as_slice(), &mut grad), &grad);
        report(
            &name,
            "tygrad",
            w3::$module::tygrad_rebuild(&x, &mut tgrad),
            tgrad.as_slice(),
        );
        let loss = w3::$module::fused().value_and_grad(&x, &mut tgrad);
        report(&name, "tygrad fused", loss, tgrad.as_slice());

        let mut group = c.benchmark_group(&name);
        group.bench_function("hand", |b| {
            b.iter(|| w3::hand(black_box(x.as_slice()), &mut grad))
        });
        group.bench_function("primal", |b| b.iter(|| w3::primal(black_box(x.as_slice()))));
        Graph::with(|g| {
            let t = w3::$module::Tygrad::build(g, &x);
            group.bench_function("tygrad_replay", |b| b.iter(|| t.replay(black_box(&x))));
        });
        let fused = w3::$module::fused();
        group.bench_function("tygrad_fused", |b| {
            b.iter(|| fused.value_and_grad(black_box(&x), &mut tgrad))
        });
        group.bench_function("tygrad_rebuild", |b| {
            b.iter(|| w3::$module::tygrad_rebuild(black_box(&x), &mut tgrad))
        });
        slow_tail(&mut group, flavour);
        group.bench_function("num_dual", |b| {
            b.iter(|| num_dual(black_box(x.as_slice()), &mut grad))
        });
        group.finish();
    }};
}

fn w3(c: &mut Criterion) {
    w3_at!(c, 2, n2, NumDual::Static);
    w3_at!(c, 1024, n1024, NumDual::Dynamic);
}

fn w4(c: &mut Criterion) {
    let inp = w4::inputs();
    let mut scratch = w4::Scratch::new();
    let mut grad = vec![0.0; w4::NUMEL];
    let name = "W4";
    report(name, "hand", w4::hand(&inp, &mut scratch, &mut grad), &grad);
    report(name, "tygrad", w4::tygrad_rebuild(&inp, &mut grad), &grad);

    let mut group = c.benchmark_group(name);
    group.bench_function("hand", |b| {
        b.iter(|| w4::hand(black_box(&inp), &mut scratch, &mut grad))
    });
    group.bench_function("primal", |b| {
        b.iter(|| w4::primal(black_box(&inp), &mut scratch))
    });
    Graph::with(|g| {
        let t = w4::Tygrad::build(g, &inp);
        group.bench_function("tygrad_replay", |b| b.iter(|| t.replay(black_box(&inp))));
    });
    group.bench_function("tygrad_rebuild", |b| {
        b.iter(|| w4::tygrad_rebuild(black_box(&inp), &mut grad))
    });
    group.finish();
}

fn w5(c: &mut Criterion) {
    let inp = w5::inputs();
    let mut scratch = w5::Scratch::new();
    let mut grad = vec![0.0; w5::NUMEL];
    let name = "W5";
    report(name, "hand", w5::hand(&inp, &mut scratch, &mut grad), &grad);
    report(name, "tygrad", w5::tygrad_rebuild(&inp, &mut grad), &grad);

    let mut group = c.benchmark_group(name);
    group.bench_function("hand", |b| {
        b.iter(|| w5::hand(black_box(&inp), &mut scratch, &mut grad))
    });
    group.bench_function("primal", |b| {
        b.iter(|| w5::primal(black_box(&inp), &mut scratch))
    });
    Graph::with(|g| {
        let t = w5::Tygrad::build(g, &inp);
        group.bench_function("tygrad_replay", |b| b.iter(|| t.replay(black_box(&inp))));
    });
    group.bench_function("tygrad_rebuild", |b| {
        b.iter(|| w5::tygrad_rebuild(black_box(&inp), &mut grad))
    });
    group.finish();
}

fn w6(c: &mut Criterion) {
    use small::w6;
    let q = w6::input();
    let mut jac = vec![0.0; w6::NUMEL];
    let name = "W6";
    println!(
        "{name:<8} {:<24} loss = {:>22.15e}   checksum = {:>22.15e}",
        "reference",
        w6::SUM_P,
        w6::CHECKSUM
    );
    report(name, "hand", w6::hand(&q, &mut jac), &jac);
    report(name, "num_dual", w6::num_dual(&q, &mut jac), &jac);
    let mut group = c.benchmark_group(name);
    group.bench_function("hand", |b| b.iter(|| w6::hand(black_box(&q), &mut jac)));
    group.bench_function("primal", |b| b.iter(|| w6::primal(black_box(&q))));
    group.bench_function("num_dual", |b| {
        b.iter(|| w6::num_dual(black_box(&q), &mut jac))
    });
    report(
        name,
        "num_dual_rtl",
        w6::num_dual_right_to_left(&q, &mut jac),
        &jac,
    );
    group.bench_function("num_dual_rtl", |b| {
        b.iter(|| w6::num_dual_right_to_left(black_box(&q), &mut jac))
    });
    let mut arm = w6::small_arm();
    let mut jacobian = Jacobian::zeros();
    let qt = Tensor::from(q);
    for reverse in [true, false] {
        let way = if reverse {
            "tygrad_small_rev"
        } else {
            "tygrad_small_fwd"
        };
        let mut run = |q: &Tensor<Rank1<7>>, jac: &mut [f64]| {
            if reverse {
                w6::small_rev(&mut arm, q, &mut jacobian, jac)
            } else {
                w6::small_fwd(&mut arm, q, &mut jacobian, jac)
            }
        };
        let sum_p = run(&qt, &mut jac);
        report(name, way, sum_p, &jac);
        group.bench_function(way, |b| b.iter(|| run(black_box(&qt), &mut jac)));
    }
    for (way, lifted) in [("", false), ("_lifted", true)] {
        Graph::with(|g| {
            let t = if lifted {
                w6::Tygrad::build_lifted(g, &q)
            } else {
                w6::Tygrad::build(g, &q)
            };
            let (rev, fwd) = (
                format!("tygrad{way}_jacobian_rev"),
                format!("tygrad{way}_jacobian_fwd"),
            );
            report(name, &rev, t.jacobian_rev(&q, &mut jac), &jac);
            report(name, &fwd, t.jacobian_fwd(&q, &mut jac), &jac);
            group.bench_function(rev.as_str(), |b| {
                b.iter(|| t.jacobian_rev(black_box(&q), &mut jac))
            });
            group.bench_function(fwd.as_str(), |b| {
                b.iter(|| t.jacobian_fwd(black_box(&q), &mut jac))
            });
        });
    }
    group.finish();
}

fn w7(c: &mut Criterion) {
    use small::w7;
    let x = w7::input();
    let mut hess = vec![0.0; w7::NUMEL];
    let name = "W7";
    println!(
        "{name:<8} {:<24} loss = {:>22.15e}   checksum = {:>22.15e}",
        "reference",
        w7::VALUE,
        w7::CHECKSUM
    );
    report(name, "hand", w7::hand(&x, &mut hess), &hess);
    report(name, "num_dual", w7::num_dual(&x, &mut hess), &hess);
    let f = w7::fused();
    report(
        name,
        "tygrad_fused_hvp",
        w7::fused_hvp(&f, &x, &mut hess),
        &hess,
    );
    let mut group = c.benchmark_group(name);
    group.bench_function("hand", |b| b.iter(|| w7::hand(black_box(&x), &mut hess)));
    group.bench_function("primal", |b| b.iter(|| w7::primal(black_box(&x))));
    group.bench_function("num_dual", |b| {
        b.iter(|| w7::num_dual(black_box(&x), &mut hess))
    });
    group.bench_function("tygrad_fused_hvp", |b| {
        b.iter(|| w7::fused_hvp(&f, black_box(&x), &mut hess))
    });
    report(
        name,
        "tygrad_fused_hessian",
        w7::fused_hessian(&f, &x, &mut hess),
        &hess,
    );
    let (xt, mut h) = (Tensor::from(x), Jacobian::zeros());
    group.bench_function("tygrad_fused_hessian", |b| {
        b.iter(|| w7::fused_hessian_into(&f, black_box(&xt), &mut h))
    });
    Graph::with(|g| {
        let t = w7::Tygrad::build(g, &x);
        report(name, "tygrad_hessian", t.hessian(&x, &mut hess), &hess);
        report(name, "tygrad_hvp", t.hvp(&x, &mut hess), &hess);
        group.bench_function("tygrad_hessian", |b| {
            b.iter(|| t.hessian(black_box(&x), &mut hess))
        });
        group.bench_function("tygrad_hvp", |b| b.iter(|| t.hvp(black_box(&x), &mut hess)));
    });
    group.finish();
}

criterion_group!(benches, w1, w2, w3, w4, w5, w6, w7);
criterion_main!(benches);
