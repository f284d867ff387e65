//! The cross-check: dot-product tests on backward calls, the graph-wide switch catching a
//! wrong VJP and naming its op, per-node localisation, finite differences as third witness.

use std::panic::{AssertUnwindSafe, catch_unwind};
use tygrad::prelude::*;

/// `y = x²` elementwise, with a deliberately wrong VJP (`3x` instead of `2x`).
struct BadSquare;
impl CustomOp<f64> for BadSquare {
    fn name(&self) -> &'static str {
        "BadSquareBackward"
    }
    fn eval<T: Elem<f64>>(&self, inputs: &[&[T]], out: &mut [T]) {
        for (o, &x) in out.iter_mut().zip(inputs[0]) {
            *o = x * x;
        }
    }
    fn vjp<T: Elem<f64>>(
        &self,
        _k: usize,
        inputs: &[&[T]],
        _out: &[T],
        grad_out: &[T],
        grad_in: &mut [T],
    ) {
        for ((gi, &go), &x) in grad_in.iter_mut().zip(grad_out).zip(inputs[0]) {
            *gi += go * x * 3.0;
        }
    }
}

/// `a * b` elementwise whose VJP for `b` is wrong (it forgets the sign of `a`), right for `a`.
struct BadProduct;
impl CustomOp<f64> for BadProduct {
    fn name(&self) -> &'static str {
        "BadProductBackward"
    }
    fn eval<T: Elem<f64>>(&self, inputs: &[&[T]], out: &mut [T]) {
        for ((o, &a), &b) in out.iter_mut().zip(inputs[0]).zip(inputs[1]) {
            *o = a * b;
        }
    }
    fn vjp<T: Elem<f64>>(
        &self,
        k: usize,
        inputs: &[&[T]],
        _out: &[T],
        grad_out: &[T],
        grad_in: &mut [T],
    ) {
        for (i, gi) in grad_in.iter_mut().enumerate() {
            *gi += if k == 0 {
                grad_out[i] * inputs[1][i]
            } else {
                grad_out[i] * inputs[0][i].abs()
            };
        }
    }
}

#[path = "common/panics.rs"]
mod panics;
use panics::panic_message;

#[test]
#[should_panic(expected = "the VJP of `BadSquareBackward` (node #1, dims [3])")]
fn switch_catches_a_wrong_custom_vjp_and_names_it() {
    Graph::with_checked(|g| {
        let x = g.param(Tensor::<Rank1<3>>::from([1.0, -2.0, 0.5]));
        let y = x.custom_unary::<Rank1<3>, _>(BadSquare);
        y.sin().sum().backward();
    });
}

#[test]
fn switch_panic_message_in_full() {
    let message = panic_message(
        catch_unwind(|| {
            Graph::with(|g| {
                g.set_check_backward(true);
                let x = g.param(Tensor::<Rank1<2>>::from([1.0, 2.0]));
                let h = (x * 2.0).exp(); // nodes 1, 2: correct
                let y = h.custom_unary::<Rank1<2>, _>(BadSquare); // node 3: wrong
                y.backward_with(&Tensor::from([1.0, 1.0]));
            })
        })
        .unwrap_err(),
    );
    assert!(
        message.starts_with("tygrad: backward check FAILED from node #3"),
        "{message}"
    );
    assert!(
        message.contains(
            "the VJP of `BadSquareBackward` (node #3, dims [2]) disagrees with the derivative of its forward kernel for input 0"
        ),
        "{message}"
    );
}

#[test]
fn switch_off_lets_the_wrong_gradient_through_and_checked_call_reports_it() {
    Graph::with(|g| {
        let x = g.param(Tensor::<Rank1<2>>::from([1.0, 2.0]));
        let y = x.custom_unary::<Rank1<2>, _>(BadSquare).sum();
        // Off (the default): the wrong VJP gives 3x, silently.
        y.backward();
        assert_eq!(x.grad().as_slice(), &[3.0, 6.0]);
        g.zero_grad();
        // The checked call accumulates the same gradient and reports the disagreement.
        let report = y.backward_checked();
        assert_eq!(x.grad().as_slice(), &[3.0, 6.0]);
        assert!(!report.passed);
        assert!(report.rel_error > 0.01, "{report}");
        // <seed, J u> = 2 (x . u) while <Jᵀ seed, u> = 3 (x . u): ratio 3/2 exactly.
        assert!(
            (report.reverse / report.forward - 1.5).abs() < 1e-12,
            "{report}"
        );
        let culprit = report.culprit.clone().unwrap();
        assert_eq!(
            (culprit.op, culprit.node, culprit.dims, culprit.input),
            ("BadSquareBackward", 1, &[2usize][..], 0)
        );
        assert!((culprit.reverse / culprit.forward - 1.5).abs() < 1e-12);
        assert!(report.to_string().contains("`BadSquareBackward`"));
    });
}

#[test]
fn checked_call_returns_a_report_even_with_the_switch_on() {
    Graph::with_checked(|g| {
        let x = g.param(Tensor::<Rank1<2>>::from([1.0, 2.0]));
        let y = x.custom_unary::<Rank1<2>, _>(BadSquare).sum();
        let report = y.backward_checked();
        assert!(!report.passed);
        // The switch is still on afterwards.
        assert!(g.check_backward());
        let caught = catch_unwind(AssertUnwindSafe(|| y.backward()));
        assert!(panic_message(caught.unwrap_err()).contains("BadSquareBackward"));
    });
}

#[test]
fn per_node_check_names_the_input_whose_vjp_is_wrong() {
    Graph::with(|g| {
        let a = g.param(Tensor::<Rank1<3>>::from([-1.0, 2.0, -3.0]));
        let b = g.param(Tensor::<Rank1<3>>::from([0.5, 0.25, 2.0]));
        let p = a.custom_binary::<Rank1<3>, _, _, _>(b, BadProduct);
        let loss = p.tanh().sum();
        let failure = loss.check_vjps().unwrap_err();
        assert_eq!(
            (failure.op, failure.node, failure.input),
            ("BadProductBackward", 2, 1)
        );
        // With b as a constant, input 1 needs no gradient: nothing wrong is used.
        let c = g.constant(Tensor::<Rank1<3>>::from([0.5, 0.25, 2.0]));
        let q = a
            .custom_binary::<Rank1<3>, _, _, _>(c, BadProduct)
            .tanh()
            .sum();
        assert_eq!(q.check_vjps(), Ok(()));
        let report = q.backward_checked();
        assert!(report.passed, "{report}");
        // And the gradient is then right: d/da tanh(a c) = c (1 - tanh²).
        let expected: Vec<f64> = [(-1.0, 0.5), (2.0, 0.25), (-3.0, 2.0)]
            .iter()
            .map(|&(a, c): &(f64, f64)| c * (1.0 - (a * c).tanh().powi(2)))
            .collect();
        for (got, want) in a.grad().as_slice().iter().zip(&expected) {
            assert!((got - want).abs() < 1e-15);
        }
    });
}

#[test]
fn every_built_in_op_passes_its_per_node_check() {
    Graph::with_checked(|g| {
        let x = g.param(Tensor::<Rank2<2, 3>>::from([
            [0.5, 1.5, 0.3],
            [0.7, 1.1, 0.9],
        ]));
        let w = g.param(Tensor::<Rank2<3, 2>>::from([
            [0.2, -0.4],
            [1.3, 0.6],
            [-0.8, 0.1],
        ]));
        let e = x.exp() + x.ln() * x.sqrt() - x.sin() / x.cos().abs() + x.tan() * x.tanh();
        let f = e.sigmoid().softplus().relu() * x.leaky_relu(0.1).clamp(-5.0, 5.0);
        let m = f.matmul(w).transpose().reshape::<Rank1<4>>();
        let p = m
            .pow(m.square() + 1.0)
            .maximum(m * 0.5)
            .minimum(m.powi(2) + 3.0);
        let s = (p.powf(1.5) + (2.0 / p) - (1.0 - p) + (p - 0.5) / 4.0 + (-p)).mean();
        assert_eq!(s.check_vjps(), Ok(()));
        let report = s.backward_checked();
        assert!(report.passed, "{report}");
        assert!(report.rel_error <= 1e-12);
        s.backward(); // under the switch too
        let check = s.check_jacobians(x);
        assert!(check.passed, "{check:?}");
    });
}

#[test]
fn report_display_when_passing() {
    Graph::with(|g| {
        let x = g.param(Tensor::<Rank0>::from(2.0));
        let report = (x * x).backward_checked();
        assert!(report.passed);
        assert_eq!(report.output, 1);
        assert_eq!(report.tolerance, 1e-10);
        let text = report.to_string();
        assert!(
            text.starts_with("backward check passed from node #1: <seed, J u> = "),
            "{text}"
        );
        assert!(text.contains("difference 0.00e0 <= noise floor"), "{text}");
        assert!(
            report.noise_floor > 0.0 && report.noise_floor < 1e-12,
            "{text}"
        );
        // Forward and reverse agree exactly here: both are 4 u.
        assert_eq!(report.forward, report.reverse);
        assert_eq!(report.rel_error, 0.0);
    });
}

#[test]
fn the_random_direction_is_reproducible_and_depends_on_the_seed() {
    let run = |seed: [f64; 2]| {
        Graph::with(|g| {
            let x = g.param(Tensor::<Rank1<2>>::from([1.0, 2.0]));
            x.exp().backward_with_checked(&Tensor::from(seed)).forward
        })
    };
    assert_eq!(run([1.0, 1.0]), run([1.0, 1.0]));
    assert_ne!(run([1.0, 1.0]), run([1.0, 2.0]));
}

#[test]
fn finite_differences_agree_within_documented_tolerance() {
    Graph::with_checked(|g| {
        let x = g.param(Tensor::<Rank1<3>>::from([0.3, 1.7, -0.9]));
        let y = (x.sin() * x.exp()).sigmoid();
        let fd = y.jacobian_fd(x);
        let fwd = y.jacobian_fwd(x);
        let err = fd.relative_error(&fwd);
        assert!(err <= Tolerances::of::<f64>().finite_differences, "{err:e}");
        // And it is a genuine witness: far from exact, far from wrong.
        assert!(err > 1e-14, "{err:e}");
        // The diagonal, analytically: s (1 - s) (cos x + sin x) e^x.
        for (i, &xi) in [0.3f64, 1.7, -0.9].iter().enumerate() {
            let s = 1.0 / (1.0 + (-(xi.sin() * xi.exp())).exp());
            let d = s * (1.0 - s) * (xi.cos() + xi.sin()) * xi.exp();
            assert!((fwd[(i, i)] - d).abs() <= 1e-14 * d.abs().max(1.0));
            assert!((fd[(i, i)] - d).abs() <= 1e-8 * d.abs().max(1.0));
        }
        // Finite differences see the wrong custom VJP as wrong too.
        let z = x.custom_unary::<Rank1<3>, _>(BadSquare);
        let wrong = z.jacobian_rev(x);
        assert!(wrong.relative_error(&z.jacobian_fd(x)) > 0.3);
        assert!(z.jacobian_fwd(x).relative_error(&z.jacobian_fd(x)) < 1e-6);
    });
}

#[test]
fn f32_graphs_use_looser_tolerances() {
    Graph::<f32>::with_checked(|g| {
        let x = g.param(Tensor::<Rank1<4>, f32>::from([0.1f32, 0.5, 1.0, 2.0]));
        let y = (x.tanh() * x.ln() + x.sqrt()).sum();
        y.backward(); // passes under the switch at the f32 tolerance
        let report = y.backward_checked();
        assert!(report.passed, "{report}");
        assert_eq!(report.tolerance, 1e-4);
        let check = y.check_jacobians(x);
        assert!(check.passed, "{check:?}");
        assert_eq!(check.tolerances, Tolerances::of::<f32>());
    });
}
