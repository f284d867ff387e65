//! Small graphs (`tygrad::small`): each node's reverse step against closed forms, reverse
//! mode against forward mode as a quickcheck property, the argument used many times, views
//! of computed nodes, constants, the identity function, extreme inputs, and no allocation
//! after the first call. (Every elementwise op is also checked against forward mode by its
//! own generated doc test on `Small`.)

use quickcheck::{QuickCheck, TestResult};
use tygrad::prelude::*;
use tygrad::small::{self, Input};

#[path = "common/counting_alloc.rs"]
mod counting_alloc;
use counting_alloc::allocations_during;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-13 * (1.0 + a.abs().max(b.abs()))
}

fn assert_all_close(name: &str, got: &[f64], want: &[f64]) {
    assert_eq!(got.len(), want.len(), "{name}");
    for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
        assert!(close(g, w), "{name}[{i}]: {g} vs {w}");
    }
}

#[test]
fn matmul_vjp_is_g_b_transposed_and_a_transposed_g() {
    // Y = X B with B constant: dX = G Bᵀ.
    let b = [[1.0, -2.0], [0.5, 3.0], [4.0, 0.25]];
    let mut right =
        small::function(|x: Input<Rank2<2, 3>>| x.matmul(small::constant(Tensor::from(b))));
    let x = Tensor::from([[0.3, -1.0, 2.0], [1.5, 0.2, -0.7]]);
    let seed = Tensor::from([[1.0, 2.0], [-3.0, 0.5]]);
    let mut grad = Tensor::zeros();
    right.vjp(&x, &seed, &mut grad);
    let g = seed.as_slice();
    let want: Vec<f64> = (0..6)
        .map(|e| {
            let (i, p) = (e / 3, e % 3);
            (0..2).map(|j| g[i * 2 + j] * b[p][j]).sum()
        })
        .collect();
    assert_all_close("dX of X B", grad.as_slice(), &want);

    // Y = A X with A constant: dX = Aᵀ G.
    let a = [[2.0, -1.0], [0.5, 1.5], [1.0, 1.0]];
    let mut left =
        small::function(|x: Input<Rank2<2, 3>>| small::constant(Tensor::from(a)).matmul(x));
    let seed = Tensor::from([[1.0, 0.0, 2.0], [0.5, -1.0, 3.0], [1.0, 1.0, 1.0]]);
    left.vjp(&x, &seed, &mut grad);
    let g = seed.as_slice();
    let want: Vec<f64> = (0..6)
        .map(|e| {
            let (p, j) = (e / 3, e % 3);
            (0..3).map(|i| a[i][p] * g[i * 3 + j]).sum()
        })
        .collect();
    assert_all_close("dX of A X", grad.as_slice(), &want);
    assert!(left.check_vjp(&x).passed && right.check_vjp(&x).passed);
}

#[test]
fn x_transposed_x_accumulates_both_uses_of_the_argument() {
    // f(x) = xᵀ M x with M constant: ∇f = (M + Mᵀ) x; `x` is read by two nodes.
    let m = [[1.0, 2.0, 0.0], [-1.0, 3.0, 0.5], [0.0, 4.0, -2.0]];
    let mut f = small::function(|x: Input<Rank1<3>>| {
        (x * small::constant(Tensor::from(m)).matvec(x)).sum()
    });
    let x = Tensor::from([0.5, -1.5, 2.0]);
    let mut grad = Tensor::zeros();
    let value = f.value_and_grad(&x, &mut grad);
    let xs = x.as_slice();
    let mx: Vec<f64> = (0..3)
        .map(|i| (0..3).map(|j| m[i][j] * xs[j]).sum())
        .collect();
    assert!(close(value, (0..3).map(|i| xs[i] * mx[i]).sum()));
    let want: Vec<f64> = (0..3)
        .map(|i| (0..3).map(|j| (m[i][j] + m[j][i]) * xs[j]).sum())
        .collect();
    assert_all_close("∇ xᵀMx", grad.as_slice(), &want);
    // Called again, the gradient is written afresh, not accumulated.
    f.value_and_grad(&x, &mut grad);
    assert_all_close("∇ xᵀMx, again", grad.as_slice(), &want);
}

#[test]
fn views_of_computed_nodes_minus_and_quotient() {
    // y = (exp(x)[1..3] - x[0..2]) / x[1..3]: slices of a computed node and of the argument,
    // a difference (constant partials ±1) and a quotient.
    let mut f = small::function(|x: Input<Rank1<3>>| {
        (x.exp().slice::<1, 2>() - x.slice::<0, 2>()) / x.slice::<1, 2>()
    });
    let x = Tensor::from([0.3, -0.8, 1.7]);
    let xs = x.as_slice();
    let mut jacobian = Jacobian::zeros();
    f.jacobian_rev_into(&x, &mut jacobian);
    for i in 0..2 {
        let (u, v) = (xs[i + 1].exp() - xs[i], xs[i + 1]);
        let mut row = [0.0; 3];
        row[i] = -1.0 / v;
        row[i + 1] = xs[i + 1].exp() / v - u / (v * v);
        assert_all_close(&format!("row {i}"), jacobian.row(i), &row);
        assert!(close(f.output()[[i]], u / v));
    }
    let mut forward = Jacobian::zeros();
    f.jacobian_fwd_into(&x, &mut forward);
    assert!(
        forward.relative_error(&jacobian) < 1e-15,
        "{forward} vs {jacobian}"
    );
}

#[test]
fn the_identity_and_a_constant_term() {
    let mut identity = small::function(|x: Input<Rank1<2>>| x);
    let mut jacobian = Jacobian::zeros();
    identity.jacobian_rev_into(&Tensor::from([3.0, 4.0]), &mut jacobian);
    assert_eq!(jacobian.rows(), &[[1.0, 0.0].into(), [0.0, 1.0].into()]);
    // A constant term changes the value, not the derivative; a constant-only branch is
    // skipped by the reverse pass.
    let mut shifted = small::function(|x: Input<Rank1<2>>| {
        x.square() + small::constant(Tensor::from([1.0, 2.0])).exp()
    });
    let x = Tensor::from([3.0, 4.0]);
    shifted.jacobian_rev_into(&x, &mut jacobian);
    assert_eq!(jacobian.rows(), &[[6.0, 0.0].into(), [0.0, 8.0].into()]);
    assert_eq!(
        shifted.value(&x).as_slice(),
        &[9.0 + 1.0f64.exp(), 16.0 + 2.0f64.exp()]
    );
}

#[test]
fn extreme_inputs_keep_forward_and_reverse_exact() {
    // Huge and tiny arguments: the products and `tanh` saturate; both modes still agree.
    let mut f = small::function(|x: Input<Rank1<3>>| {
        small::constant(Tensor::from([[1.0, -2.0, 0.5], [0.25, 1.0, -1.0]])).matvec(x.tanh() * x)
    });
    for x in [
        [1e300, -1e-300, 0.0],
        [-30.0, 30.0, 1e-8],
        [1e154, 1e-154, -1e154],
    ] {
        let x = Tensor::from(x);
        let (mut reverse, mut forward) = (Jacobian::zeros(), Jacobian::zeros());
        f.jacobian_rev_into(&x, &mut reverse);
        f.jacobian_fwd_into(&x, &mut forward);
        assert_eq!(reverse, forward, "at {x:?}");
        assert!(
            reverse.rows().iter().flatten().all(|e| e.is_finite()),
            "{reverse}"
        );
    }
}

#[test]
fn reverse_mode_agrees_with_forward_mode_on_random_arguments() {
    // A function with every kind of node: views, maps, products, scalar times tensor, sums.
    fn property(seed: Vec<i32>) -> TestResult {
        if seed.len() < 4 {
            return TestResult::discard();
        }
        let x: [f64; 4] = std::array::from_fn(|i| f64::from(seed[i] % 3000) / 1000.0);
        let mut f = small::function(|x: Input<Rank1<4>>| {
            let m = small::constant(Tensor::from([[1.0, 0.5], [-0.5, 2.0], [0.0, 1.0]]));
            let v = x.slice::<0, 2>().sin() * x.slice::<2, 2>().exp();
            let w = m.matvec(v).tanh();
            x.get::<3>().times(w)
                + x.sum()
                    .cos()
                    .times(small::constant(Tensor::from([1.0, 2.0, 3.0])))
        });
        let x = Tensor::from(x);
        let (mut reverse, mut forward) = (Jacobian::zeros(), Jacobian::zeros());
        f.jacobian_rev_into(&x, &mut reverse);
        f.jacobian_fwd_into(&x, &mut forward);
        let error = reverse.relative_error(&forward);
        TestResult::from_bool(error < 1e-13 && f.check_vjp(&x).passed)
    }
    QuickCheck::new()
        .tests(300)
        .quickcheck(property as fn(Vec<i32>) -> TestResult);
}

#[test]
fn no_call_allocates_after_the_first() {
    let mut f = small::function(|x: Input<Rank1<3>>| {
        small::constant(Tensor::from([[1.0, 2.0, 3.0], [0.0, -1.0, 1.0]])).matvec(x.sin())
    });
    let x = Tensor::from([0.1, 0.2, 0.3]);
    let (mut reverse, mut forward) = (Jacobian::zeros(), Jacobian::zeros());
    let (mut out, mut grad, seed) = (Tensor::zeros(), Tensor::zeros(), Tensor::from([1.0, 2.0]));
    f.jacobian_fwd_into(&x, &mut forward); // sizes the dual-number buffers once
    let count = allocations_during(|| {
        for _ in 0..10 {
            f.jacobian_rev_into(&x, &mut reverse);
            f.jacobian_fwd_into(&x, &mut forward);
            f.value_into(&x, &mut out);
            f.vjp(&x, &seed, &mut grad);
        }
    });
    assert_eq!(count, 0, "{count} allocations");
    assert_eq!(reverse, forward);
    assert!(close(grad[[0]], 0.1f64.cos() * 1.0), "{grad:?}");
}
