//! Every op's VJP against the derivative that dual numbers compute from its forward kernel:
//! the property forward mode and the cross-checks rely on. Each case seeds one parameter
//! element at a time, so the whole gradient is compared entry by entry.

use crate::graph::{Graph, Var, evaluate};
use crate::ops::Op;
use crate::prelude::*;
use num_dual::Dual64;

/// Builds a scalar output with `build`, runs `backward`, then for every parameter element
/// compares the accumulated gradient with a forward-mode pass seeded at that element.
fn dual_agrees(build: impl for<'g> FnOnce(&'g Graph<'g>) -> Var<'g, Rank0>) {
    Graph::with(|g| {
        let y = build(g);
        y.backward();
        let tape = g.tape();
        let out = tape.nodes[y.id as usize].offset;
        let mut checked = 0;
        for node in &tape.nodes {
            let Op::Param { grad_offset } = node.op else {
                continue;
            };
            for e in 0..node.len {
                let mut duals: Vec<Dual64> =
                    tape.values.iter().map(|&v| Dual64::from_re(v)).collect();
                duals[node.offset + e].eps = 1.0;
                evaluate(&tape.nodes, &mut duals);
                let forward = duals[out].eps;
                let reverse = tape.grads[grad_offset + e];
                let tolerance = 1e-10 * (1.0 + forward.abs().max(reverse.abs()));
                assert!(
                    (forward - reverse).abs() <= tolerance
                        || (forward.is_nan() && reverse.is_nan()),
                    "{}: forward {forward} vs reverse {reverse} at element {e}",
                    tape.nodes[y.id as usize].op.name()
                );
                checked += 1;
            }
        }
        assert!(checked > 0, "no parameter was checked");
    });
}

fn v3() -> Tensor<Rank1<3>> {
    Tensor::from([0.3, -1.2, 2.1])
}

fn m23() -> Tensor<Rank2<2, 3>> {
    Tensor::from([[0.5, -1.0, 1.5], [2.0, 0.25, -0.75]])
}

/// A fixed, non-uniform weighting so that a wrong index or axis shows up.
fn weights<S: Shape>() -> Tensor<S> {
    Tensor::from_vec((0..S::NUMEL).map(|i| 0.5 + 0.37 * i as f64).collect()).unwrap()
}

fn weighted<'g, S: Shape>(y: Var<'g, S>) -> Var<'g, Rank0> {
    let w = y.graph().constant(weights::<S>());
    (y * w).sum()
}

#[test]
fn broadcasts() {
    dual_agrees(|g| {
        let s = g.param(Tensor::<Rank0>::from(1.5));
        weighted::<Rank2<2, 3>>(s.broadcast())
    });
    dual_agrees(|g| weighted(g.param(v3()).broadcast_rows::<2>()));
    dual_agrees(|g| weighted(g.param(v3()).broadcast_cols::<4>()));
    dual_agrees(|g| weighted(g.param(m23()).add_row(g.param(v3()))));
}

#[test]
fn reductions() {
    dual_agrees(|g| g.param(m23()).max() * 2.0);
    dual_agrees(|g| g.param(m23()).min() * 2.0);
    dual_agrees(|g| g.param(m23()).norm());
    dual_agrees(|g| g.param(Tensor::<Rank1<2>>::zeros()).norm());
    dual_agrees(|g| g.param(Tensor::<Rank1<2>>::from([3e200, -4e200])).norm() * 1e-200);
    dual_agrees(|g| g.param(m23()).dot(g.param(m23().map(|v| v * 2.0))));
    dual_agrees(|g| weighted(g.param(m23()).sum_axis0()));
    dual_agrees(|g| weighted(g.param(m23()).sum_axis1()));
    dual_agrees(|g| weighted(g.param(m23()).mean_axis0()));
    dual_agrees(|g| weighted(g.param(m23()).mean_axis1()));
}

#[test]
fn linear_algebra() {
    dual_agrees(|g| weighted(g.param(m23()).matvec(g.param(v3()))));
    // Small shapes take the plain loops, large f64 ones the packed kernel; dual numbers
    // always take the plain loops (see `ops/gemm.rs`).
    dual_agrees(|g| {
        weighted(
            g.param(m23())
                .matmul(g.param(m23().map(|v| v - 0.5)).transpose()),
        )
    });
    dual_agrees(|g| {
        let a = g.param(
            Tensor::<Rank2<7, 6>>::from_vec((0..42).map(|i| (i as f64 * 0.7).sin()).collect())
                .unwrap(),
        );
        let b = g.param(
            Tensor::<Rank2<6, 8>>::from_vec((0..48).map(|i| (i as f64 * 0.3).cos()).collect())
                .unwrap(),
        );
        weighted(a.matmul(b))
    });
    dual_agrees(|g| {
        let a = g.param(
            Tensor::<Rank2<7, 6>>::from_vec((0..42).map(|i| (i as f64 * 0.7).sin()).collect())
                .unwrap(),
        );
        let x = g
            .param(Tensor::<Rank1<6>>::from_vec((0..6).map(|i| i as f64 - 2.5).collect()).unwrap());
        weighted(a.matvec(x).outer(x))
    });
    dual_agrees(|g| {
        weighted(
            g.param(v3())
                .outer(g.param(Tensor::<Rank1<2>>::from([1.5, -0.5]))),
        )
    });
}

#[test]
fn selections() {
    dual_agrees(|g| weighted(g.param(v3()).slice::<1, 2>()));
    dual_agrees(|g| weighted(g.param(m23()).transpose().slice_rows::<1, 2>()));
    dual_agrees(|g| g.param(v3()).get::<1>() * 3.0);
    dual_agrees(|g| {
        let c: Var<Rank1<5>> = g
            .param(v3())
            .concat(g.param(Tensor::<Rank1<2>>::from([4.0, 5.0])));
        weighted(c)
    });
    dual_agrees(|g| weighted(g.param(v3()).stack(g.param(v3().map(|v| v * 0.5)))));
}

#[test]
fn nn_ops_moderate_and_large() {
    for scale in [1.0, 1e3] {
        let x = v3().map(|v| v * scale);
        let m = m23().map(|v| v * scale);
        dual_agrees(|g| weighted(g.param(x.clone()).softmax()));
        dual_agrees(|g| weighted(g.param(m.clone()).softmax()));
        dual_agrees(|g| weighted(g.param(x.clone()).log_softmax()));
        dual_agrees(|g| weighted(g.param(m.clone()).log_softmax()));
        dual_agrees(|g| g.param(x.clone()).logsumexp());
        dual_agrees(|g| weighted(g.param(m.clone()).logsumexp()));
        let t = Tensor::<Rank1<3>>::from([0.2, 0.5, 0.3]);
        dual_agrees(|g| g.param(x.clone()).cross_entropy(g.param(t.clone())));
        let t2 = Tensor::<Rank2<2, 3>>::from([[0.0, 1.0, 0.0], [0.6, 0.0, 0.4]]);
        dual_agrees(|g| g.param(m.clone()).cross_entropy(g.param(t2.clone())));
        dual_agrees(|g| {
            g.param(m.clone())
                .mse_loss(g.param(m23().map(|v| v * -0.5)))
        });
    }
}

#[test]
fn elementwise_domain_and_stop_gradient() {
    dual_agrees(|g| {
        let x = g.param(v3());
        (x * x.stop_gradient()).sum()
    });
    dual_agrees(|g| g.param(v3().map(f64::abs)).ln().sum());
    dual_agrees(|g| g.param(v3().map(f64::abs)).sqrt().sum());
    dual_agrees(|g| g.param(v3().map(|v| v * 1e3)).softplus().sum());
    dual_agrees(|g| g.param(v3().map(|v| v * 1e3)).sigmoid().sum());
}

/// Outside the domain (`ln`, `sqrt` of a negative number) the value is NaN and so is the
/// slope, in both modes: reverse mode gives NaN to the offending element (the others keep
/// their finite gradient), and forward mode, where `0 · NaN = NaN`, gives NaN in every
/// direction. Never a finite-looking wrong slope such as `1/x`.
#[test]
fn out_of_domain_is_nan_in_both_modes() {
    let x = Tensor::<Rank1<2>>::from([4.0, -1.0]);
    for op in [0, 1] {
        Graph::with(|g| {
            let p = g.param(x.clone());
            let y = if op == 0 { p.ln() } else { p.sqrt() };
            let out = y.sum();
            out.backward();
            assert!(out.item().is_nan());
            let grad = p.grad();
            // 1/4 for ln, 1/(2·√4) for sqrt.
            assert_eq!(grad[[0]], 0.25);
            assert!(grad[[1]].is_nan());
            let tape = g.tape();
            let mut duals: Vec<Dual64> = tape.values.iter().map(|&v| Dual64::from_re(v)).collect();
            duals[tape.nodes[p.id as usize].offset + 1].eps = 1.0;
            evaluate(&tape.nodes, &mut duals);
            let y_at = tape.nodes[y.id as usize].offset;
            assert!(duals[y_at + 1].re.is_nan() && duals[y_at + 1].eps.is_nan());
        });
    }
}
