//! A built graph replays without touching the heap: after one warm-up, `set_value`,
//! `forward`, `zero_grad`, `backward` / `backward_with`, `grad_into`, `with_grad` and
//! `update` allocate nothing, and neither do the `_into` Jacobians and Hessians.
//!
//! A counting global allocator sees every allocation of this test binary and counts those of
//! the calling thread (the test harness allocates on other threads meanwhile).

use tygrad::prelude::*;

#[path = "common/counting_alloc.rs"]
mod counting_alloc;
use counting_alloc::allocations_during;

const REPLAYS: usize = 100;

#[test]
fn seed_replay_allocates_nothing() {
    Graph::with(|g| {
        let x = g.param(Tensor::<Rank2<2, 2>>::ones());
        let y = x + 2.0;
        let z = y * y * 3.0;
        let out = z.mean();
        let inputs: Vec<Tensor<Rank2<2, 2>>> = (0..REPLAYS)
            .map(|i| Tensor::full(i as f64 / 10.0))
            .collect();
        let seed = Tensor::from([[0.1, 1.0], [10.0, 100.0]]);
        let mut grad = Tensor::zeros();
        let mut value = Tensor::zeros();
        let step = |input: &Tensor<Rank2<2, 2>>, grad: &mut Tensor<Rank2<2, 2>>| {
            x.set_value(input);
            g.forward();
            g.zero_grad();
            out.backward();
            x.grad_into(grad);
        };
        step(&inputs[0], &mut grad); // warm-up: the reverse pass sizes its buffers once
        z.backward_with(&seed);
        let count = allocations_during(|| {
            for input in &inputs {
                step(input, &mut grad);
                z.backward_with(&seed);
                z.value_into(&mut value);
                let _ = out.item();
            }
        });
        assert_eq!(count, 0, "{count} allocations in {REPLAYS} replays");
        // The replays computed real gradients: `grad` holds d out/dx = 1.5 (v + 2) of the last
        // input; the seeded backward then added seed · dz/dx = 6 (v + 2) seed elementwise.
        let v = (REPLAYS - 1) as f64 / 10.0;
        assert_eq!(grad, Tensor::full(1.5 * (v + 2.0)));
        x.grad_into(&mut grad);
        for (&g_i, &s) in grad.as_slice().iter().zip(seed.as_slice()) {
            assert!((g_i - (1.5 + 6.0 * s) * (v + 2.0)).abs() < 1e-9 * g_i.abs());
        }
    });
}

/// An MLP-like graph: matmul, a bias added through a rank-one product, relu, squared error.
/// Widths of at most 5 take tygrad's own row-major product loops.
#[test]
fn small_mlp_replay_allocates_nothing() {
    Graph::with(|g| {
        let x = g.constant(Tensor::<Rank2<4, 3>>::from_fn(|[i, j]| {
            (i as f64 - j as f64) / 3.0
        }));
        let target = g.constant(Tensor::<Rank2<4, 2>>::from_fn(|[i, j]| {
            (i + j) as f64 / 4.0
        }));
        let w1 = g.param(Tensor::<Rank2<3, 5>>::from_fn(|[i, j]| {
            ((i * 5 + j) as f64).sin()
        }));
        let b1 = g.param(Tensor::<Rank1<5>>::full(0.1));
        let w2 = g.param(Tensor::<Rank2<5, 2>>::from_fn(|[i, j]| {
            ((i * 2 + j) as f64).cos()
        }));
        let ones = g.constant(Tensor::<Rank2<4, 1>>::ones());
        let h = (x.matmul(w1) + ones.matmul(b1.reshape::<Rank2<1, 5>>())).relu();
        let loss = (h.matmul(w2) - target).square().mean();
        let mut grads = (Tensor::zeros(), Tensor::zeros(), Tensor::zeros());
        let inputs: Vec<Tensor<Rank2<4, 3>>> = (0..=REPLAYS)
            .map(|i| Tensor::full(i as f64 / 50.0))
            .collect();
        let mut step = |input: &Tensor<Rank2<4, 3>>| {
            x.set_value(input);
            g.forward();
            g.zero_grad();
            loss.backward();
            w1.grad_into(&mut grads.0);
            b1.grad_into(&mut grads.1);
            w2.grad_into(&mut grads.2);
            // A gradient-descent step in place, and a read of a gradient where it lies.
            w2.update(|w, dw| w - 0.01 * dw);
            assert!(b1.with_grad(|grad| grad.iter().all(|d| d.is_finite())));
        };
        step(&inputs[REPLAYS]);
        let count = allocations_during(|| inputs[..REPLAYS].iter().for_each(&mut step));
        assert_eq!(count, 0, "{count} allocations in {REPLAYS} replays");
        assert!(grads.2.as_slice().iter().any(|&g| g != 0.0));
    });
}

/// Above 5 in every dim, products run the packed kernel (`src/ops/gemm.rs`), whose packing
/// buffer is kept per thread: after the first replay, a replay of W4's network and of W5's
/// 128 x 128 products allocates nothing (with `matrixmultiply` each product allocated one).
#[test]
fn large_product_replays_allocate_nothing() {
    Graph::with(|g| {
        let x = g.constant(Tensor::<Rank2<64, 32>>::from_fn(|[i, j]| {
            ((i * 32 + j) as f64).sin()
        }));
        let y = g.constant(Tensor::<Rank2<64, 10>>::from_fn(|[i, j]| {
            ((i * 10 + j) as f64).cos()
        }));
        let w1 = g.param(Tensor::<Rank2<32, 64>>::from_fn(|[i, j]| {
            0.1 * ((i * 64 + j) as f64).cos()
        }));
        let w2 = g.param(Tensor::<Rank2<64, 10>>::from_fn(|[i, j]| {
            0.1 * ((i + j) as f64).sin()
        }));
        let loss = (x.matmul(w1).relu().matmul(w2) - y).square().mean();
        let mut grad = Tensor::zeros();
        let new_w1 = Tensor::full(0.05);
        let mut step = || {
            w1.set_value(&new_w1);
            g.forward();
            g.zero_grad();
            loss.backward();
            w1.grad_into(&mut grad);
        };
        step();
        let count = allocations_during(|| (0..REPLAYS).for_each(|_| step()));
        assert_eq!(count, 0, "{count} allocations in {REPLAYS} replays");
        assert!(grad.as_slice().iter().any(|&g| g != 0.0));
    });
    Graph::with(|g| {
        let a = g.param(Tensor::<Rank2<128, 128>>::from_fn(|[i, j]| {
            0.05 * ((i * 128 + j) as f64).sin()
        }));
        let b = g.param(Tensor::<Rank2<128, 128>>::from_fn(|[i, j]| {
            0.05 * ((i * 128 + j) as f64 + 0.5).cos()
        }));
        let loss = a.matmul(b).tanh().sum();
        let mut grad = Tensor::zeros();
        let mut step = || {
            g.forward();
            g.zero_grad();
            loss.backward();
            b.grad_into(&mut grad);
        };
        step();
        let count = allocations_during(|| (0..REPLAYS).for_each(|_| step()));
        assert_eq!(count, 0, "{count} allocations in {REPLAYS} replays");
        assert!(grad.as_slice().iter().any(|&g| g != 0.0));
    });
}

/// A fused graph's reverse pass is one loop over the elements with no buffer between nodes:
/// `value_and_grad` and `value` allocate nothing, on the first call as on every other (no
/// warm-up), for a sum over slices of a vector and for a mean over slices of rows.
#[test]
fn fused_value_and_grad_allocates_nothing() {
    use tygrad::fused::{self, Input};
    let rosenbrock = fused::function(|x: Input<Rank1<5>>| {
        let (head, tail) = (x.slice::<0, 4>(), x.slice::<1, 4>());
        ((tail - head.square()).square() * 100.0 + (1.0 - head).square()).sum()
    });
    let rows = fused::function(|x: Input<Rank2<3, 2>>| {
        (x.slice_rows::<0, 2>().sin() * x.slice_rows::<1, 2>().exp()
            / (x.slice_rows::<1, 2>().square() + 1.0))
            .mean()
    });
    let inputs: Vec<Tensor<Rank1<5>>> = (0..REPLAYS)
        .map(|i| Tensor::from_fn(|[j]: [usize; 1]| (i as f64 / 10.0 - j as f64).sin()))
        .collect();
    let matrices: Vec<Tensor<Rank2<3, 2>>> = (0..REPLAYS)
        .map(|i| Tensor::from_fn(|[j, k]: [usize; 2]| (i + 2 * j + k) as f64 / 50.0))
        .collect();
    let (mut grad, mut grad_rows) = (Tensor::zeros(), Tensor::zeros());
    let mut total = 0.0;
    let count = allocations_during(|| {
        for (x, m) in inputs.iter().zip(&matrices) {
            total += rosenbrock.value_and_grad(x, &mut grad);
            total += rosenbrock.value(x);
            total += rows.value_and_grad(m, &mut grad_rows);
            total += rows.value(m);
        }
    });
    assert_eq!(count, 0, "{count} allocations in {REPLAYS} replays");
    assert!(total.is_finite());
    // The replays computed real gradients: the last input's, against the tape graph's.
    let expected = Graph::with(|g| {
        let x = g.param(inputs[REPLAYS - 1].clone());
        let (head, tail) = (x.slice::<0, 4>(), x.slice::<1, 4>());
        ((tail - head.square()).square() * 100.0 + (1.0 - head).square())
            .sum()
            .backward();
        x.grad()
    });
    for (&fused, &tape) in grad.as_slice().iter().zip(expected.as_slice()) {
        assert!(
            (fused - tape).abs() <= 1e-12 * tape.abs().max(1.0),
            "{fused} vs {tape}"
        );
    }
    assert_eq!(grad_rows, rows.grad(&matrices[REPLAYS - 1]));
}

/// Jacobians and Hessians of a replayed graph, into matrices the caller keeps: after one
/// warm-up (which sizes the graph's workspace), `jacobian_fwd_into` (an input of 12: two
/// eight-tangent passes), `jacobian_rev_into` and `hessian_into` allocate nothing.
#[test]
fn jacobians_and_hessians_into_kept_matrices_allocate_nothing() {
    Graph::with(|g| {
        let x = g.param(Tensor::<Rank1<12>>::from(std::array::from_fn(|i| {
            0.1 * i as f64
        })));
        let y = (x.sin() * x).softmax();
        let loss = (y * y).sum();
        let mut jacobian = Jacobian::zeros();
        let mut jacobian_rev = Jacobian::zeros();
        let mut hessian = Jacobian::zeros();
        let inputs: Vec<Tensor<Rank1<12>>> = (0..REPLAYS)
            .map(|r| Tensor::from(std::array::from_fn(|i| 0.01 * (r + i) as f64)))
            .collect();
        let mut step = |input: &Tensor<Rank1<12>>| {
            x.set_value(input);
            y.jacobian_fwd_into(x, &mut jacobian);
            y.jacobian_rev_into(x, &mut jacobian_rev);
            loss.hessian_into(x, &mut hessian);
        };
        step(&inputs[0]); // warm-up: the workspace is sized once
        let count = allocations_during(|| inputs.iter().for_each(&mut step));
        assert_eq!(count, 0, "{count} allocations in {REPLAYS} replays");
        // Real Jacobians: the two modes agree at the last input; the Hessian (forward over
        // forward) matches Hessian-vector products (forward over reverse), column by column.
        assert!(jacobian.relative_error(&jacobian_rev) < 1e-14);
        assert!(jacobian.max_abs() > 0.01);
        let h = hessian.to_dmatrix();
        for j in 0..12 {
            let unit = Tensor::from(std::array::from_fn(|i| f64::from(i == j)));
            let column = loss.hvp(x, &unit);
            for (i, &entry) in column.as_slice().iter().enumerate() {
                assert!((h[(i, j)] - entry).abs() < 1e-12, "({i}, {j})");
            }
        }
        assert!(h.abs().max() > 0.01);
    });
}

/// A fused graph's dense Hessian into a Jacobian the caller keeps: `hessian_into` works on
/// stack arrays sized by the argument's shape, so it allocates nothing, on the first call as
/// on every other, through a sum over slices of a vector and a mean over slices of rows.
#[test]
fn fused_hessian_into_allocates_nothing() {
    use tygrad::fused::{self, Input};
    let rosenbrock = fused::function(|x: Input<Rank1<5>>| {
        let (head, tail) = (x.slice::<0, 4>(), x.slice::<1, 4>());
        ((tail - head.square()).square() * 100.0 + (1.0 - head).square()).sum()
    });
    let rows = fused::function(|x: Input<Rank2<3, 2>>| {
        (x.slice_rows::<0, 2>().sin() * x.slice_rows::<1, 2>().exp()).mean()
    });
    let inputs: Vec<Tensor<Rank1<5>>> = (0..REPLAYS)
        .map(|i| Tensor::from_fn(|[j]: [usize; 1]| (i as f64 / 10.0 - j as f64).sin()))
        .collect();
    let matrices: Vec<Tensor<Rank2<3, 2>>> = (0..REPLAYS)
        .map(|i| Tensor::from_fn(|[j, k]: [usize; 2]| (i + 2 * j + k) as f64 / 50.0))
        .collect();
    let (mut h, mut h_rows) = (Jacobian::zeros(), Jacobian::zeros());
    let count = allocations_during(|| {
        for (x, m) in inputs.iter().zip(&matrices) {
            rosenbrock.hessian_into(x, &mut h);
            rows.hessian_into(m, &mut h_rows);
        }
    });
    assert_eq!(count, 0, "{count} allocations in {REPLAYS} replays");
    // The replays computed real Hessians: the last input's, against Rosenbrock's closed form
    // (tridiagonal) and against the allocating `hessian`.
    let x = inputs[REPLAYS - 1].as_slice();
    for i in 0..5 {
        for j in 0..5 {
            let expected = match (i, j) {
                _ if i == j => {
                    let mut d = if i > 0 { 200.0 } else { 0.0 };
                    if i < 4 {
                        d += 2.0 + 1200.0 * x[i] * x[i] - 400.0 * x[i + 1];
                    }
                    d
                }
                _ if j == i + 1 => -400.0 * x[i],
                _ if i == j + 1 => -400.0 * x[j],
                _ => 0.0,
            };
            let got = h[(i, j)];
            assert!(
                (got - expected).abs() <= 1e-12 * expected.abs().max(1.0),
                "H[{i}][{j}]: {got} vs {expected}"
            );
        }
    }
    assert_eq!(h_rows, rows.hessian(&matrices[REPLAYS - 1]));
}

/// A planar two-link arm, lifted: joint angles to the hand's position.
struct TwoLinkArm;

impl Lift for TwoLinkArm {
    type In = Rank1<2>;
    type Out = Rank1<2>;
    fn eval<T: num_dual::DualNum<Primitive = f64> + Copy>(&self, q: &[T], hand: &mut [T]) {
        let q01 = q[0] + q[1];
        hand[0] = q[0].cos() + q01.cos() * 0.5;
        hand[1] = q[0].sin() + q01.sin() * 0.5;
    }
}

/// Through a lifted node too (its VJP's dual buffers are on the stack): after a warm-up,
/// both Jacobians of the arm and the Hessian of its reach allocate nothing.
#[test]
fn jacobians_through_a_lifted_node_allocate_nothing() {
    Graph::with(|g| {
        let q = g.param(Tensor::<Rank1<2>>::from([0.3, 0.4]));
        let hand = q.lift(TwoLinkArm);
        let reach = (hand * hand).sum();
        let (mut fwd, mut rev, mut hessian) =
            (Jacobian::zeros(), Jacobian::zeros(), Jacobian::zeros());
        let angles: Vec<Tensor<Rank1<2>>> = (0..REPLAYS)
            .map(|r| Tensor::from([0.01 * r as f64, 0.5 - 0.01 * r as f64]))
            .collect();
        let mut step = |angle: &Tensor<Rank1<2>>| {
            q.set_value(angle);
            hand.jacobian_fwd_into(q, &mut fwd);
            hand.jacobian_rev_into(q, &mut rev);
            reach.hessian_into(q, &mut hessian);
        };
        step(&angles[0]);
        let count = allocations_during(|| angles.iter().for_each(&mut step));
        assert_eq!(count, 0, "{count} allocations in {REPLAYS} replays");
        // At the last angles: d hand_x / d q1 = -sin(q0 + q1) / 2, by both modes; the reach
        // |hand|² = 1.25 + cos q1 has d² / dq1² = -cos q1 and no dependence on q0.
        let [q0, q1] = [
            0.01 * (REPLAYS - 1) as f64,
            0.5 - 0.01 * (REPLAYS - 1) as f64,
        ];
        assert!((fwd[(0, 1)] + (q0 + q1).sin() * 0.5).abs() < 1e-15);
        assert!(fwd.relative_error(&rev) < 1e-15);
        assert!((hessian[(1, 1)] + q1.cos()).abs() < 1e-13);
        assert!(hessian[(0, 0)].abs() < 1e-13);
    });
}
