//! The benchmark workloads compute the same numbers in every implementation: tygrad (replayed,
//! rebuilt, and fused for W1-W3), the hand-written gradients and num-dual's forward mode agree to 1e-10
//! relative, so the timings in `benches/` compare equal work.

use tygrad::prelude::*;

#[path = "../benches/common/workloads.rs"]
mod workloads;
use workloads::*;

/// `actual` equals `expected` to 1e-10 relative, entries far below the gradient's largest
/// magnitude being compared relative to that magnitude (1e-13 of it).
fn assert_close(what: &str, actual: &[f64], expected: &[f64]) {
    assert_eq!(actual.len(), expected.len(), "{what}: lengths differ");
    let scale = expected.iter().fold(0.0_f64, |m, e| m.max(e.abs()));
    for (i, (a, e)) in actual.iter().zip(expected).enumerate() {
        let tolerance = 1e-10 * e.abs().max(1e-3 * scale);
        assert!(
            (a - e).abs() <= tolerance,
            "{what}: entry {i}: {a} vs {e} (difference {:e})",
            (a - e).abs()
        );
    }
}

fn assert_loss(what: &str, actual: f64, expected: f64) {
    assert!(
        (actual - expected).abs() <= 1e-10 * expected.abs(),
        "{what}: loss {actual} vs {expected}"
    );
}

#[test]
fn w1_seed_all_agree_on_4_5() {
    let x = w1::input();
    let mut hand = vec![0.0; w1::NUMEL];
    let loss = w1::hand(x.as_slice(), &mut hand);
    assert_eq!(loss, 27.0);
    assert_eq!(hand, [4.5; 4]);
    assert_eq!(w1::primal(x.as_slice()), 27.0);

    let mut dual = vec![0.0; w1::NUMEL];
    assert_loss("num-dual", w1::num_dual(x.as_slice(), &mut dual), loss);
    assert_close("num-dual", &dual, &hand);

    let mut rebuilt = Tensor::zeros();
    assert_loss("rebuild", w1::tygrad_rebuild(&x, &mut rebuilt), loss);
    assert_close("rebuild", rebuilt.as_slice(), &hand);

    let fused = w1::fused();
    let mut fused_grad = Tensor::zeros();
    assert_loss("fused", fused.value_and_grad(&x, &mut fused_grad), loss);
    assert_close("fused", fused_grad.as_slice(), &hand);
    let x2 = Tensor::full(-1.0);
    let mut expected = vec![0.0; w1::NUMEL];
    let loss2 = w1::hand(x2.as_slice(), &mut expected);
    assert_loss(
        "fused, new input",
        fused.value_and_grad(&x2, &mut fused_grad),
        loss2,
    );
    assert_close("fused, new input", fused_grad.as_slice(), &expected);

    Graph::with(|g| {
        let t = w1::Tygrad::build(g, &x);
        let mut replayed = Tensor::zeros();
        for _ in 0..3 {
            assert_loss("replay", t.gradient(&x, &mut replayed), loss);
            assert_close("replay", replayed.as_slice(), &hand);
        }
        // Replays follow a changed input.
        let x2 = Tensor::full(-1.0);
        let mut expected = vec![0.0; w1::NUMEL];
        let loss2 = w1::hand(x2.as_slice(), &mut expected);
        assert_loss("replay, new input", t.gradient(&x2, &mut replayed), loss2);
        assert_close("replay, new input", replayed.as_slice(), &expected);
    });
}

fn w2_agree<const N: usize>() {
    let x = w2::input::<N>();
    let mut hand = vec![0.0; N];
    let loss = w2::hand(x.as_slice(), &mut hand);
    assert_loss("primal", w2::primal(x.as_slice()), loss);

    let mut dual = vec![0.0; N];
    assert_loss(
        "num-dual dynamic",
        w2::num_dual_dynamic(x.as_slice(), &mut dual),
        loss,
    );
    assert_close("num-dual dynamic", &dual, &hand);
    assert_loss(
        "num-dual separable",
        w2::num_dual_separable(x.as_slice(), &mut dual),
        loss,
    );
    assert_close("num-dual separable", &dual, &hand);

    let mut rebuilt = Tensor::zeros();
    assert_loss("rebuild", w2::tygrad_rebuild(&x, &mut rebuilt), loss);
    assert_close("rebuild", rebuilt.as_slice(), &hand);

    let mut fused = Tensor::zeros();
    assert_loss(
        "fused",
        w2::fused::<N>().value_and_grad(&x, &mut fused),
        loss,
    );
    assert_close("fused", fused.as_slice(), &hand);

    Graph::with(|g| {
        let t = w2::Tygrad::build(g, &x);
        let mut replayed = Tensor::zeros();
        for _ in 0..2 {
            assert_loss("replay", t.gradient(&x, &mut replayed), loss);
            assert_close("replay", replayed.as_slice(), &hand);
        }
    });
}

#[test]
fn w2_elementwise_16_all_agree() {
    w2_agree::<16>();
    let x = w2::input::<16>();
    let (mut hand, mut dual) = (vec![0.0; 16], vec![0.0; 16]);
    let loss = w2::hand(x.as_slice(), &mut hand);
    assert_loss(
        "num-dual static",
        w2::num_dual_static::<16>(x.as_slice(), &mut dual),
        loss,
    );
    assert_close("num-dual static", &dual, &hand);
}

#[test]
fn w2_elementwise_4096_all_agree() {
    w2_agree::<4096>();
}

/// The baselines of W3 against each other (tygrad's side: [`w3_tygrad_agrees`]).
fn w3_agree<const N: usize>() {
    let x = w3::input::<N>();
    let mut hand = vec![0.0; N];
    let loss = w3::hand(x.as_slice(), &mut hand);
    assert_loss("primal", w3::primal(x.as_slice()), loss);
    let mut dual = vec![0.0; N];
    assert_loss(
        "num-dual dynamic",
        w3::num_dual_dynamic(x.as_slice(), &mut dual),
        loss,
    );
    assert_close("num-dual dynamic", &dual, &hand);
}

#[test]
fn w3_rosenbrock_baselines_agree() {
    w3_agree::<2>();
    w3_agree::<1024>();
    // The static flavour only for small N (its 1024-direction duals would fill the stack).
    let x = w3::input::<2>();
    let (mut hand, mut dual) = (vec![0.0; 2], vec![0.0; 2]);
    let loss = w3::hand(x.as_slice(), &mut hand);
    assert_loss(
        "num-dual static",
        w3::num_dual_static::<2>(x.as_slice(), &mut dual),
        loss,
    );
    assert_close("num-dual static", &dual, &hand);
    // N = 2 by hand: x = 1.5 [sin 0.11, sin 0.48].
    let (a, b) = (1.5 * 0.11f64.sin(), 1.5 * 0.48f64.sin());
    let mut grad = [0.0; 2];
    let loss = w3::hand(&[a, b], &mut grad);
    assert_eq!(loss, 100.0 * (b - a * a).powi(2) + (1.0 - a).powi(2));
    assert_eq!(
        grad,
        [
            -400.0 * a * (b - a * a) - 2.0 * (1.0 - a),
            200.0 * (b - a * a)
        ]
    );
}

/// tygrad's W3 (replayed, then rebuilt) against the hand-written gradient, at one size.
macro_rules! w3_tygrad_agrees {
    ($n:literal, $module:ident) => {{
        let x = w3::input::<$n>();
        let mut hand = vec![0.0; $n];
        let loss = w3::hand(x.as_slice(), &mut hand);
        let mut rebuilt = Tensor::zeros();
        assert_loss(
            "rebuild",
            w3::$module::tygrad_rebuild(&x, &mut rebuilt),
            loss,
        );
        assert_close("rebuild", rebuilt.as_slice(), &hand);
        let fused = w3::$module::fused();
        let mut fused_grad = Tensor::zeros();
        for _ in 0..2 {
            assert_loss("fused", fused.value_and_grad(&x, &mut fused_grad), loss);
            assert_close("fused", fused_grad.as_slice(), &hand);
        }
        Graph::with(|g| {
            let t = w3::$module::Tygrad::build(g, &x);
            let mut replayed = Tensor::zeros();
            for _ in 0..3 {
                assert_loss("replay", t.gradient(&x, &mut replayed), loss);
                assert_close("replay", replayed.as_slice(), &hand);
            }
            // Replays follow a changed input.
            let x2 = Tensor::<Rank1<$n>>::from_fn(|[i]| 0.3 - 0.01 * i as f64);
            let mut expected = vec![0.0; $n];
            let loss2 = w3::hand(x2.as_slice(), &mut expected);
            assert_loss("replay, new input", t.gradient(&x2, &mut replayed), loss2);
            assert_close("replay, new input", replayed.as_slice(), &expected);
            assert_loss(
                "fused, new input",
                fused.value_and_grad(&x2, &mut fused_grad),
                loss2,
            );
            assert_close("fused, new input", fused_grad.as_slice(), &expected);
        });
    }};
}

#[test]
fn w3_tygrad_agrees() {
    w3_tygrad_agrees!(2, n2);
    w3_tygrad_agrees!(1024, n1024);
}

#[test]
fn w4_mlp_all_agree() {
    let inp = w4::inputs();
    let mut scratch = w4::Scratch::new();
    let mut hand = vec![0.0; w4::NUMEL];
    let loss = w4::hand(&inp, &mut scratch, &mut hand);
    assert_loss("primal", w4::primal(&inp, &mut scratch), loss);

    let mut rebuilt = vec![0.0; w4::NUMEL];
    assert_loss("rebuild", w4::tygrad_rebuild(&inp, &mut rebuilt), loss);
    assert_close("rebuild", &rebuilt, &hand);

    Graph::with(|g| {
        let mut t = w4::Tygrad::build(g, &inp);
        let mut replayed = vec![0.0; w4::NUMEL];
        for _ in 0..2 {
            assert_loss("replay", t.gradient(&inp), loss);
            t.flat_gradient(&mut replayed);
            assert_close("replay", &replayed, &hand);
        }
    });
}

#[test]
fn w5_matmul_all_agree() {
    let inp = w5::inputs();
    let mut scratch = w5::Scratch::new();
    let mut hand = vec![0.0; w5::NUMEL];
    let loss = w5::hand(&inp, &mut scratch, &mut hand);
    assert_loss("primal", w5::primal(&inp, &mut scratch), loss);

    let mut rebuilt = vec![0.0; w5::NUMEL];
    assert_loss("rebuild", w5::tygrad_rebuild(&inp, &mut rebuilt), loss);
    assert_close("rebuild", &rebuilt, &hand);

    Graph::with(|g| {
        let mut t = w5::Tygrad::build(g, &inp);
        let mut replayed = vec![0.0; w5::NUMEL];
        for _ in 0..2 {
            assert_loss("replay", t.gradient(&inp), loss);
            t.flat_gradient(&mut replayed);
            assert_close("replay", &replayed, &hand);
        }
    });
}

#[path = "../benches/common/small.rs"]
mod small;

/// Also a guard on build cost: the arm is seven `+`-rooted steps deep, and this file builds
/// unoptimized, where a node whose reverse step called a child's from several branches once
/// made rustc run out of 24 GB (see `small::node::send`).
#[test]
fn w6_small_graph_arm_agrees_with_the_hand_written_jacobian_both_ways() {
    use small::w6;
    let mut arm = w6::small_arm();
    let mut jacobian = Jacobian::zeros();
    let (mut hand, mut jac) = (vec![0.0; w6::NUMEL], vec![0.0; w6::NUMEL]);
    // num-dual on the right-to-left formulation the small graph uses: the same function.
    let q = w6::input();
    let mut right_to_left = vec![0.0; w6::NUMEL];
    let sum_p = w6::num_dual_right_to_left(&q, &mut right_to_left);
    assert_loss("W6 num-dual, right to left", sum_p, w6::SUM_P);
    for q in [q, q.map(|x| 0.5 - x), q.map(|x| 3.0 * x)] {
        let sum_p = w6::hand(&q, &mut hand);
        let qt = Tensor::from(q);
        let rev = w6::small_rev(&mut arm, &qt, &mut jacobian, &mut jac);
        assert_close("W6 small jacobian_rev", &jac, &hand);
        assert!((rev - sum_p).abs() < 1e-14, "{rev} vs {sum_p}");
        let reverse = jac.clone();
        w6::small_fwd(&mut arm, &qt, &mut jacobian, &mut jac);
        assert_close("W6 small jacobian_fwd", &jac, &hand);
        // Reverse mode against forward mode, to rounding (1e-14 of the largest entry).
        let largest = jac.iter().fold(0.0_f64, |m, e| m.max(e.abs()));
        for (r, f) in reverse.iter().zip(&jac) {
            assert!(
                (r - f).abs() <= 1e-14 * largest,
                "reverse {r} vs forward {f}"
            );
        }
        let check = arm.check_vjp(&qt);
        assert!(check.passed, "{check}");
    }
}

#[test]
fn w6_arm_jacobian_every_way_agrees_with_the_hand_written_one() {
    use small::w6;
    let q = w6::input();
    let mut hand = vec![0.0; w6::NUMEL];
    let sum_p = w6::hand(&q, &mut hand);
    assert_loss("W6 hand", sum_p, w6::SUM_P);
    assert!(
        (checksum(&hand) - w6::CHECKSUM).abs() < 1e-12,
        "{}",
        checksum(&hand)
    );
    assert_loss("W6 primal", w6::primal(&q), w6::SUM_P);
    let mut jac = vec![0.0; w6::NUMEL];
    assert_loss("W6 num-dual", w6::num_dual(&q, &mut jac), w6::SUM_P);
    assert_close("W6 num-dual", &jac, &hand);
    for lifted in [false, true] {
        Graph::with_checked(|g| {
            let t = if lifted {
                w6::Tygrad::build_lifted(g, &q)
            } else {
                w6::Tygrad::build(g, &q)
            };
            // The arm from the graph's ops: 23 leaves and 57 computed nodes; lifted: 2.
            assert_eq!(g.len(), if lifted { 2 } else { 80 });
            let mut hand = hand.clone();
            assert_loss("W6 tygrad rev", t.jacobian_rev(&q, &mut jac), w6::SUM_P);
            assert_close("W6 tygrad jacobian_rev", &jac, &hand);
            let reverse = jac.clone();
            assert_loss("W6 tygrad fwd", t.jacobian_fwd(&q, &mut jac), w6::SUM_P);
            assert_close("W6 tygrad jacobian_fwd", &jac, &hand);
            // Reverse mode against forward mode, to rounding (1e-14 of the largest entry).
            let largest = jac.iter().fold(0.0_f64, |m, e| m.max(e.abs()));
            for (r, f) in reverse.iter().zip(&jac) {
                assert!(
                    (r - f).abs() <= 1e-14 * largest,
                    "reverse {r} vs forward {f}"
                );
            }
            // Replayed at another configuration (into the kept Jacobian), against the
            // hand-written one there, both ways.
            let q2 = q.map(|x| 0.5 - x);
            w6::hand(&q2, &mut hand);
            t.jacobian_rev(&q2, &mut jac);
            assert_close("W6 tygrad jacobian_rev, replayed", &jac, &hand);
            t.jacobian_fwd(&q2, &mut jac);
            assert_close("W6 tygrad jacobian_fwd, replayed", &jac, &hand);
        });
    }
}

#[test]
fn w7_rosenbrock_hessian_every_way_agrees_with_the_closed_form() {
    use small::w7;
    let x = w7::input();
    let mut hand = vec![0.0; w7::NUMEL];
    assert_loss("W7 hand", w7::hand(&x, &mut hand), w7::VALUE);
    assert!(
        (checksum(&hand) - w7::CHECKSUM).abs() < 1e-9,
        "{}",
        checksum(&hand)
    );
    assert_loss("W7 primal", w7::primal(&x), w7::VALUE);
    let mut hess = vec![0.0; w7::NUMEL];
    assert_loss("W7 num-dual", w7::num_dual(&x, &mut hess), w7::VALUE);
    assert_close("W7 num-dual", &hess, &hand);
    let f = w7::fused();
    assert_loss("W7 fused", w7::fused_hvp(&f, &x, &mut hess), w7::VALUE);
    assert_close("W7 fused hvp", &hess, &hand);
    assert_loss(
        "W7 fused hessian",
        w7::fused_hessian(&f, &x, &mut hess),
        w7::VALUE,
    );
    assert_close("W7 fused hessian", &hess, &hand);
    // The timed path: into a kept Jacobian (dirty from a first call at another point).
    let (xt, mut h) = (Tensor::from(x), Jacobian::zeros());
    w7::fused_hessian_into(&f, &Tensor::from(x.map(|v| v + 0.5)), &mut h);
    assert_loss(
        "W7 fused hessian_into",
        w7::fused_hessian_into(&f, &xt, &mut h),
        w7::VALUE,
    );
    let flat: Vec<f64> = (0..w7::N).flat_map(|i| h.row(i).to_vec()).collect();
    assert_close("W7 fused hessian_into", &flat, &hand);
    Graph::with(|g| {
        let t = w7::Tygrad::build(g, &x);
        assert_loss("W7 tygrad hessian", t.hessian(&x, &mut hess), w7::VALUE);
        assert_close("W7 tygrad hessian", &hess, &hand);
        assert_loss("W7 tygrad hvp", t.hvp(&x, &mut hess), w7::VALUE);
        assert_close("W7 tygrad hvp", &hess, &hand);
    });
}
