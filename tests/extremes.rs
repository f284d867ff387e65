//! Op definitions at extreme inputs, in both engines and both modes: each a defect once,
//! fixed in the one definition both engines share.

use tygrad::fused::{self, Input};
use tygrad::prelude::*;

/// Value, reverse-mode slope and forward-mode slope of `op` at `x` on a `Graph`.
fn graph_at(op: impl for<'g> Fn(Var<'g, Rank0>) -> Var<'g, Rank0>, x: f64) -> [f64; 3] {
    Graph::with(|g| {
        let p = g.param(Tensor::<Rank0>::from(x));
        let y = op(p.node());
        y.backward();
        let forward = y.jvp(&[p.tangent(&Tensor::from(1.0))]).item();
        [y.item(), p.grad().item(), forward]
    })
}

/// The same three numbers on a fused graph.
macro_rules! fused_at {
    (|$x:ident| $op:expr, $at:expr) => {{
        let f = fused::function(|$x: Input<Rank0>| $op);
        let x = Tensor::from($at);
        let mut grad = Tensor::zeros();
        let value = f.value_and_grad(&x, &mut grad);
        let (_, forward) = f.sum().jvp(&x, &Tensor::from(1.0));
        [value, grad.item(), forward]
    }};
}

#[test]
fn tanh_at_negative_zero_has_slope_one_in_both_modes() {
    // Forward mode once branched on `re < 0` where num-dual's `abs` reads the sign bit.
    let [value, reverse, forward] = graph_at(|x| x.tanh(), -0.0);
    assert_eq!((value, reverse, forward), (0.0, 1.0, 1.0));
    let [value, reverse, forward] = fused_at!(|x| x.tanh(), -0.0);
    assert_eq!((value, reverse, forward), (0.0, 1.0, 1.0));
}

#[test]
fn relu_at_negative_infinity_is_zero_with_slope_zero() {
    // `x · 0` gave NaN at -inf.
    assert_eq!(graph_at(|x| x.relu(), f64::NEG_INFINITY), [0.0, 0.0, 0.0]);
    assert_eq!(fused_at!(|x| x.relu(), f64::NEG_INFINITY), [0.0, 0.0, 0.0]);
    assert_eq!(
        graph_at(|x| x.relu(), f64::INFINITY)[..2],
        [f64::INFINITY, 1.0]
    );
    // A NaN input stays NaN: no finite-looking value.
    assert!(graph_at(|x| x.relu(), f64::NAN)[0].is_nan());
    assert!(fused_at!(|x| x.relu(), f64::NAN)[0].is_nan());
}

#[test]
fn powf_zero_is_one_with_slope_zero_at_zero_and_denormals() {
    // `0 · x⁻¹` gave NaN at 0 and at denormals.
    for x in [0.0, -0.0, 5e-324, 1e-310, 2.0] {
        assert_eq!(graph_at(|x| x.powf(0.0), x), [1.0, 0.0, 0.0], "at {x:e}");
        assert_eq!(fused_at!(|x| x.powf(0.0), x), [1.0, 0.0, 0.0], "at {x:e}");
    }
}

#[test]
fn hypot_neither_overflows_nor_underflows() {
    Graph::with(|g| {
        let a = g.param(Tensor::<Rank1<3>>::from([3e300, 3e-300, 0.0]));
        let b = g.param(Tensor::<Rank1<3>>::from([4e300, 4e-300, 0.0]));
        let r = a.hypot(b);
        r.sum().backward();
        let rel = |x: f64, y: f64| ((x - y) / y).abs();
        assert!(rel(r.value()[0], 5e300) < 1e-15 && rel(r.value()[1], 5e-300) < 1e-15);
        assert_eq!(r.value()[2], 0.0);
        for i in 0..2 {
            assert!(rel(a.grad()[i], 0.6) < 1e-15 && rel(b.grad()[i], 0.8) < 1e-15);
        }
        // At the origin the subgradient 0, as `norm`.
        assert_eq!((a.grad()[2], b.grad()[2]), (0.0, 0.0));
    });
}

#[test]
fn log1p_and_expm1_keep_small_arguments() {
    let [value, reverse, forward] = graph_at(|x| x.log1p(), 1e-300);
    assert_eq!((value, reverse, forward), (1e-300, 1.0, 1.0));
    let [value, reverse, forward] = graph_at(|x| x.expm1(), 1e-300);
    assert_eq!((value, reverse, forward), (1e-300, 1.0, 1.0));
    // Below -1 `log1p` is NaN in value and slope, as `ln` below 0.
    let [value, reverse, _] = graph_at(|x| x.log1p(), -2.0);
    assert!(value.is_nan() && reverse.is_nan());
}

#[test]
fn asinh_slope_stays_finite_and_nonzero_for_large_arguments() {
    let [value, reverse, _] = graph_at(|x| x.asinh(), 1e200);
    assert!((value - (2e200f64).ln()).abs() < 1e-12 * value);
    assert!((reverse * 1e200 - 1.0).abs() < 1e-15);
}
