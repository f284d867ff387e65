//! Runs one variant of one workload a given number of times, for instruction counts under
//! `valgrind --tool=callgrind` (the machine's wall-clock times are noisy):
//!
//! ```text
//! cargo bench -p tygrad-benches --bench callgrind --no-run
//! valgrind --tool=callgrind target/release/deps/callgrind-<hash> W2-4096 replay 100
//! ```
//!
//! Workloads: W1, W2-16, W2-4096, W3-2, W3-1024, W4, W5; variants: hand, primal, replay, rebuild,
//! and fused for W1-W3. W6: hand, primal, num_dual, jacobian_rev, jacobian_fwd,
//! lifted_rev, lifted_fwd (the arm as one `Var::lift` node), small_rev, small_fwd (the arm
//! as a `tygrad::small` graph, right to left) and num_dual_rtl (num-dual on that same
//! right-to-left function); W7: hand,
//! primal, num_dual, hessian, hvp, fused_hvp, fused_hessian. Under
//! `cargo bench` (no arguments) it does nothing. It also prints the wall-clock time per run
//! in its own process, which `benches/fresh_process.py` uses to time each workload as a
//! user's program runs it (one fresh process each, glibc's default allocator settings).

use std::hint::black_box;
use tygrad::prelude::*;

// The reference values in it are for `gradients` and the tests, not this driver.
#[allow(dead_code)]
#[path = "common/small.rs"]
mod small;
#[path = "common/workloads.rs"]
mod workloads;
use workloads::*;

fn w2<const N: usize>(variant: &str, runs: usize) -> f64 {
    let x = w2::input::<N>();
    let mut grad = vec![0.0; N];
    let mut tgrad = Tensor::zeros();
    let mut acc = 0.0;
    match variant {
        "hand" => (0..runs).for_each(|_| acc += w2::hand(black_box(x.as_slice()), &mut grad)),
        "primal" => (0..runs).for_each(|_| acc += w2::primal(black_box(x.as_slice()))),
        "replay" => Graph::with(|g| {
            let t = w2::Tygrad::build(g, &x);
            (0..runs).for_each(|_| acc += t.replay(black_box(&x)));
        }),
        "rebuild" => (0..runs).for_each(|_| acc += w2::tygrad_rebuild(black_box(&x), &mut tgrad)),
        "fused" => {
            let f = w2::fused::<N>();
            (0..runs).for_each(|_| acc += f.value_and_grad(black_box(&x), &mut tgrad));
        }
        _ => panic!("unknown variant {variant}"),
    }
    acc
}

/// W3 at one size: `$module` is the size's tygrad module (`w3::n2`, `w3::n1024`).
macro_rules! w3 {
    ($n:literal, $module:ident, $variant:expr, $runs:expr) => {{
        let x = w3::input::<$n>();
        let mut grad = vec![0.0; $n];
        let mut tgrad = Tensor::zeros();
        let mut acc = 0.0;
        match $variant {
            "hand" => (0..$runs).for_each(|_| acc += w3::hand(black_box(x.as_slice()), &mut grad)),
            "primal" => (0..$runs).for_each(|_| acc += w3::primal(black_box(x.as_slice()))),
            "replay" => Graph::with(|g| {
                let t = w3::$module::Tygrad::build(g, &x);
                (0..$runs).for_each(|_| acc += t.replay(black_box(&x)));
            }),
            "rebuild" => (0..$runs)
                .for_each(|_| acc += w3::$module::tygrad_rebuild(black_box(&x), &mut tgrad)),
            "fused" => {
                let f = w3::$module::fused();
                (0..$runs).for_each(|_| acc += f.value_and_grad(black_box(&x), &mut tgrad));
            }
            variant => panic!("unknown variant {variant}"),
        }
        acc
    }};
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [workload, variant, runs] = args.as_slice() else {
        return;
    };
    let runs: usize = runs.parse().expect("a run count");
    let start = std::time::Instant::now();
    let acc = match workload.as_str() {
        "W1" => {
            let x = w1::input();
            let mut grad = vec![0.0; w1::NUMEL];
            let mut tgrad = Tensor::zeros();
            let mut acc = 0.0;
            match variant.as_str() {
                "hand" => {
                    (0..runs).for_each(|_| acc += w1::hand(black_box(x.as_slice()), &mut grad))
                }
                "primal" => (0..runs).for_each(|_| acc += w1::primal(black_box(x.as_slice()))),
                "replay" => Graph::with(|g| {
                    let t = w1::Tygrad::build(g, &x);
                    (0..runs).for_each(|_| acc += t.replay(black_box(&x)));
                }),
                "rebuild" => {
                    (0..runs).for_each(|_| acc += w1::tygrad_rebuild(black_box(&x), &mut tgrad))
                }
                "fused" => {
                    let f = w1::fused();
                    (0..runs).for_each(|_| acc += f.value_and_grad(black_box(&x), &mut tgrad))
                }
                _ => panic!("unknown variant {variant}"),
            }
            acc
        }
        "W2-16" => w2::<16>(variant, runs),
        "W2-4096" => w2::<4096>(variant, runs),
        "W3-2" => w3!(2, n2, variant.as_str(), runs),
        "W3-1024" => w3!(1024, n1024, variant.as_str(), runs),
        "W4" => {
            let inp = w4::inputs();
            let mut scratch = w4::Scratch::new();
            let mut grad = vec![0.0; w4::NUMEL];
            let mut acc = 0.0;
            match variant.as_str() {
                "hand" => (0..runs)
                    .for_each(|_| acc += w4::hand(black_box(&inp), &mut scratch, &mut grad)),
                "primal" => {
                    (0..runs).for_each(|_| acc += w4::primal(black_box(&inp), &mut scratch))
                }
                "replay" => Graph::with(|g| {
                    let t = w4::Tygrad::build(g, &inp);
                    (0..runs).for_each(|_| acc += t.replay(black_box(&inp)));
                }),
                "rebuild" => {
                    (0..runs).for_each(|_| acc += w4::tygrad_rebuild(black_box(&inp), &mut grad))
                }
                _ => panic!("unknown variant {variant}"),
            }
            acc
        }
        "W5" => {
            let inp = w5::inputs();
            let mut scratch = w5::Scratch::new();
            let mut grad = vec![0.0; w5::NUMEL];
            let mut acc = 0.0;
            match variant.as_str() {
                "hand" => (0..runs)
                    .for_each(|_| acc += w5::hand(black_box(&inp), &mut scratch, &mut grad)),
                "primal" => {
                    (0..runs).for_each(|_| acc += w5::primal(black_box(&inp), &mut scratch))
                }
                "replay" => Graph::with(|g| {
                    let t = w5::Tygrad::build(g, &inp);
                    (0..runs).for_each(|_| acc += t.replay(black_box(&inp)));
                }),
                "rebuild" => {
                    (0..runs).for_each(|_| acc += w5::tygrad_rebuild(black_box(&inp), &mut grad))
                }
                _ => panic!("unknown variant {variant}"),
            }
            acc
        }
        "W6" => {
            use small::w6;
            let q = w6::input();
            let mut jac = vec![0.0; w6::NUMEL];
            let mut acc = 0.0;
            match variant.as_str() {
                "hand" => (0..runs).for_each(|_| acc += w6::hand(black_box(&q), &mut jac)),
                "primal" => (0..runs).for_each(|_| acc += w6::primal(black_box(&q))),
                "num_dual" => (0..runs).for_each(|_| acc += w6::num_dual(black_box(&q), &mut jac)),
                "num_dual_rtl" => (0..runs)
                    .for_each(|_| acc += w6::num_dual_right_to_left(black_box(&q), &mut jac)),
                "small_rev" | "small_fwd" => {
                    let mut arm = w6::small_arm();
                    let mut jacobian = Jacobian::zeros();
                    let qt = Tensor::from(q);
                    let way = if variant == "small_rev" {
                        w6::small_rev
                    } else {
                        w6::small_fwd
                    };
                    for _ in 0..runs {
                        acc += way(&mut arm, black_box(&qt), &mut jacobian, &mut jac);
                    }
                }
                "jacobian_rev" | "jacobian_fwd" | "lifted_rev" | "lifted_fwd" => Graph::with(|g| {
                    let t = if variant.starts_with("lifted") {
                        w6::Tygrad::build_lifted(g, &q)
                    } else {
                        w6::Tygrad::build(g, &q)
                    };
                    for _ in 0..runs {
                        acc += if variant.ends_with("rev") {
                            t.jacobian_rev(black_box(&q), &mut jac)
                        } else {
                            t.jacobian_fwd(black_box(&q), &mut jac)
                        };
                    }
                }),
                _ => panic!("unknown variant {variant}"),
            }
            acc
        }
        "W7" => {
            use small::w7;
            let x = w7::input();
            let mut hess = vec![0.0; w7::NUMEL];
            let mut acc = 0.0;
            let f = w7::fused();
            match variant.as_str() {
                "hand" => (0..runs).for_each(|_| acc += w7::hand(black_box(&x), &mut hess)),
                "primal" => (0..runs).for_each(|_| acc += w7::primal(black_box(&x))),
                "num_dual" => (0..runs).for_each(|_| acc += w7::num_dual(black_box(&x), &mut hess)),
                "fused_hvp" => {
                    (0..runs).for_each(|_| acc += w7::fused_hvp(&f, black_box(&x), &mut hess))
                }
                "fused_hessian" => {
                    let (xt, mut h) = (Tensor::from(x), Jacobian::zeros());
                    (0..runs)
                        .for_each(|_| acc += w7::fused_hessian_into(&f, black_box(&xt), &mut h))
                }
                "hessian" | "hvp" => Graph::with(|g| {
                    let t = w7::Tygrad::build(g, &x);
                    for _ in 0..runs {
                        acc += if variant == "hessian" {
                            t.hessian(black_box(&x), &mut hess)
                        } else {
                            t.hvp(black_box(&x), &mut hess)
                        };
                    }
                }),
                _ => panic!("unknown variant {variant}"),
            }
            acc
        }
        _ => panic!("unknown workload {workload}"),
    };
    // Wall-clock time per run in this process, setup included (what `fresh_process.py`
    // reads: a workload in a fresh process, as a user's program runs it).
    let ns_per_run = start.elapsed().as_nanos() as f64 / runs as f64;
    println!(
        "{workload} {variant} x{runs}: mean loss {}, {ns_per_run:.1} ns/run",
        acc / runs as f64
    );
}
