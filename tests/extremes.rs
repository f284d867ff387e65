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

/// `|got / want - 1| <= 1e-14`, or both equal (infinities, zeros).
fn close(got: f64, want: f64) -> bool {
    got == want || ((got / want) - 1.0).abs() <= 1e-14
}

#[test]
fn powers_are_exact_in_forward_mode_at_extreme_magnitudes() {
    // num-dual's `re^(n-3) re³` gave -inf, 0 or NaN at each of these.
    let cases: [(&str, f64, f64); 6] = [
        ("powi(-1) at 1e-80", 1e-80, -1e160),
        ("powi(-1) at 1e130", 1e130, -1e-260),
        ("powi(-2) at 1e70", 1e70, -2e-210),
        ("powf(0.5) at 1e130", 1e130, 0.5e-65),
        ("powf(1.5) at 0", 0.0, 0.0),
        ("sqrt at 1e-310", 1e-310, 0.5 / 1e-310f64.sqrt()),
    ];
    for (i, (what, x, slope)) in cases.into_iter().enumerate() {
        let [_, reverse, forward] = match i {
            0 | 1 => graph_at(|x| x.powi(-1), x),
            2 => graph_at(|x| x.powi(-2), x),
            3 => graph_at(|x| x.powf(0.5), x),
            4 => graph_at(|x| x.powf(1.5), x),
            _ => graph_at(|x| x.sqrt(), x),
        };
        assert!(
            close(forward, slope),
            "{what}: forward {forward:e}, want {slope:e}"
        );
        assert!(
            close(reverse, slope),
            "{what}: reverse {reverse:e}, want {slope:e}"
        );
    }
    let [_, reverse, forward] = fused_at!(|x| x.powi(-2), 1e70);
    assert!(
        close(forward, -2e-210) && close(reverse, -2e-210),
        "{forward:e} {reverse:e}"
    );
    // Hessians (hyper-dual numbers) too.
    Graph::with(|g| {
        let x = g.param(Tensor::<Rank0>::from(1e-80));
        let h = x.powi(-1).hessian(x)[(0, 0)];
        assert!(close(h, 2e240), "{h:e}");
    });
}

#[test]
fn division_by_infinity_has_slope_zero_in_forward_mode() {
    Graph::with(|g| {
        let a = g.param(Tensor::<Rank1<2>>::from([1.0, -3.0]));
        let b = g.constant(Tensor::<Rank1<2>>::from([f64::INFINITY, f64::NEG_INFINITY]));
        let q = a / b;
        q.sum().backward();
        assert_eq!(q.value().as_slice(), &[0.0, 0.0]);
        assert_eq!(a.grad().as_slice(), &[0.0, -0.0]);
        let t = q.jvp(&[a.tangent(&Tensor::from([1.0, 1.0]))]);
        assert!(t.as_slice().iter().all(|&d| d == 0.0), "{t:?}");
        // And a divisor past 1e154, whose square overflows.
        let c = g.constant(Tensor::<Rank1<2>>::from([1e200, 1e200]));
        let t = (a / c).jvp(&[a.tangent(&Tensor::from([1.0, 1.0]))]);
        assert!(close(t[0], 1e-200), "{t:?}");
    });
}

#[test]
fn sqrt_and_ln_have_slope_plus_infinity_at_both_zeros() {
    for x in [0.0, -0.0] {
        let [value, reverse, forward] = graph_at(|x| x.sqrt(), x);
        assert_eq!(
            (value, reverse, forward),
            (x, f64::INFINITY, f64::INFINITY),
            "sqrt at {x}"
        );
        let [value, reverse, forward] = graph_at(|x| x.ln(), x);
        assert_eq!(
            (value, reverse, forward),
            (f64::NEG_INFINITY, f64::INFINITY, f64::INFINITY),
            "ln at {x}"
        );
        let [_, reverse, forward] = fused_at!(|x| x.sqrt(), x);
        assert_eq!((reverse, forward), (f64::INFINITY, f64::INFINITY));
    }
}

#[test]
fn expm1_keeps_its_slope_far_below_zero() {
    // `y + 1` is 0 from x ≈ -37 on; eˣ is not.
    let [value, reverse, forward] = graph_at(|x| x.expm1(), -350.0);
    assert_eq!(value, -1.0);
    let want = (-350.0f64).exp();
    assert!(
        close(reverse, want) && close(forward, want),
        "{reverse:e} {forward:e}"
    );
}

#[test]
fn cross_entropy_keeps_its_value_and_gradient_for_large_logits() {
    let ln3 = 3f64.ln();
    for s in [1e6, 1e9, 1e15, 1e17, 1e300] {
        Graph::with_checked(|g| {
            let z = g.param(Tensor::<Rank1<3>>::from([s, s, s]));
            let t = g.param(Tensor::<Rank1<3>>::from([1.0, 0.0, 0.0]));
            let loss = z.cross_entropy(t);
            loss.backward();
            assert!(close(loss.item(), ln3), "at {s:e}: {}", loss.item());
            for i in 0..3 {
                assert!(close(t.grad()[i], ln3), "at {s:e}: {:?}", t.grad());
            }
            let third = 1.0 / 3.0;
            assert!((z.grad()[0] + 2.0 * third).abs() < 1e-15, "{:?}", z.grad());
            assert!((z.grad()[1] - third).abs() < 1e-15);
        });
    }
}

#[test]
fn cross_entropy_with_infinite_and_huge_logits() {
    Graph::with_checked(|g| {
        let z = g.param(Tensor::<Rank1<3>>::from([0.0, f64::NEG_INFINITY, 1.0]));
        let t = g.constant(Tensor::<Rank1<3>>::from([1.0, 0.0, 0.0]));
        let loss = z.cross_entropy(t);
        loss.backward();
        assert!(
            close(loss.item(), (1.0 + 1f64.exp()).ln()),
            "{}",
            loss.item()
        );
        assert_eq!(z.grad()[1], 0.0);
        let z = g.param(Tensor::<Rank1<3>>::from([1e308, 0.0, -1e308]));
        let loss = z.cross_entropy(t);
        loss.backward();
        assert_eq!(loss.item(), 0.0);
        assert_eq!(z.grad().as_slice(), &[0.0, 0.0, 0.0]);
    });
}

#[test]
fn norm_of_denormals_has_the_right_gradient() {
    Graph::with_checked(|g| {
        let x = g.param(Tensor::<Rank1<3>>::from([5e-324; 3]));
        let n = x.norm();
        n.backward();
        let want = 1.0 / 3f64.sqrt();
        for i in 0..3 {
            assert!((x.grad()[i] - want).abs() < 1e-15, "{:?}", x.grad());
        }
        let forward = n.jvp(&[x.tangent(&Tensor::from([1.0, 0.0, 0.0]))]).item();
        assert!((forward - want).abs() < 1e-15, "{forward}");
    });
}

#[test]
fn a_zero_length_last_axis_has_its_mathematical_value() {
    // Once a panic inside std ("chunk size must be non-zero").
    Graph::with_checked(|g| {
        let x = g.param(Tensor::<Rank1<0>>::zeros());
        assert_eq!(x.softmax().value().as_slice(), &[] as &[f64]);
        assert_eq!(x.log_softmax().value().as_slice(), &[] as &[f64]);
        assert_eq!(x.logsumexp().item(), f64::NEG_INFINITY);
        let t = g.constant(Tensor::<Rank1<0>>::zeros());
        let loss = x.cross_entropy(t);
        assert_eq!(loss.item(), 0.0);
        loss.backward();
        (x.softmax().sum() + x.log_softmax().sum()).backward();
        let m = g.param(Tensor::<Rank2<2, 0>>::zeros());
        let s = m.sum_axis1();
        assert_eq!(s.value().as_slice(), &[0.0, 0.0]);
        s.sum().backward();
        assert_eq!(m.logsumexp().value().as_slice(), &[f64::NEG_INFINITY; 2]);
    });
}

#[test]
fn a_large_jacobian_lives_on_the_heap() {
    // 1024 x 1024 f64 is 8 MiB: once a stack overflow of the main thread; here on a
    // spawned thread with a 2 MiB stack.
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(|| {
            Graph::with(|g| {
                let x = g.param(Tensor::<Rank1<1024>>::full(0.5));
                let j = (x * 3.0).jacobian_fwd(x);
                assert_eq!((j[(0, 0)], j[(5, 5)], j[(5, 6)]), (3.0, 3.0, 0.0));
            })
        })
        .unwrap()
        .join()
        .unwrap();
}

/// The extreme inputs of the table.
const POINTS: [f64; 16] = [
    0.0,
    -0.0,
    5e-324,
    -5e-324,
    1e-310,
    1e-300,
    -1e-300,
    1e-30,
    -1e-30,
    1e30,
    -1e30,
    1e300,
    -1e300,
    f64::INFINITY,
    f64::NEG_INFINITY,
    f64::NAN,
];

/// Equal (infinities and zeros included), both NaN, or within 1e-13 relative (1e-320
/// absolute for denormal references).
fn agrees(got: f64, want: f64) -> bool {
    got == want
        || (got.is_nan() && want.is_nan())
        || (got.is_finite()
            && want.is_finite()
            && (got - want).abs() <= 1e-13 * want.abs() + 1e-320)
}

/// `e^{-|x|} / (1 + e^{-|x|})²`: σ'(x), and sech²(x / 2) / 4.
fn logistic_slope(x: f64) -> f64 {
    let e = (-x.abs()).exp();
    e / ((1.0 + e) * (1.0 + e))
}

macro_rules! extreme_table {
    ($($name:literal: |$x:ident| $op:expr => |$r:ident| $reference:expr;)*) => {
        #[test]
        fn every_op_at_the_extremes_in_both_modes_and_both_engines() {
            let mut checked = 0;
            $(
                for x in POINTS {
                    let $r = x;
                    let (value, slope): (f64, f64) = $reference;
                    let graph = graph_at(|$x| $op, x);
                    let fused = fused_at!(|$x| $op, x);
                    for (engine, [v, reverse, forward]) in [("graph", graph), ("fused", fused)] {
                        assert!(agrees(v, value), "{} at {x:e} ({engine}): value {v:e}, want {value:e}", $name);
                        if !x.is_nan() {
                            assert!(agrees(reverse, slope), "{} at {x:e} ({engine}): reverse {reverse:e}, want {slope:e}", $name);
                            assert!(agrees(forward, slope), "{} at {x:e} ({engine}): forward {forward:e}, want {slope:e}", $name);
                        }
                    }
                    checked += 1;
                }
            )*
            assert_eq!(checked, POINTS.len() * [$($name),*].len());
        }
    };
}

extreme_table! {
    "exp": |x| x.exp() => |x| (x.exp(), x.exp());
    "expm1": |x| x.expm1() => |x| (x.exp_m1(), x.exp());
    "square": |x| x.square() => |x| (x * x, 2.0 * x);
    "powi(3)": |x| x.powi(3) => |x| (x.powi(3), 3.0 * x * x);
    "powi(-1)": |x| x.powi(-1) => |x| (1.0 / x, -(1.0 / x) / x);
    "abs": |x| x.abs() => |x| (x.abs(), if x > 0.0 { 1.0 } else if x < 0.0 { -1.0 } else { 0.0 });
    "relu": |x| x.relu() => |x| (if x > 0.0 || x.is_nan() { x } else { 0.0 }, if x > 0.0 { 1.0 } else { 0.0 });
    "tanh": |x| x.tanh() => |x| (x.tanh(), 4.0 * logistic_slope(2.0 * x));
    "sigmoid": |x| x.sigmoid() => |x| (
        if x >= 0.0 { 1.0 / (1.0 + (-x).exp()) } else { x.exp() / (1.0 + x.exp()) },
        logistic_slope(x),
    );
    "atan": |x| x.atan() => |x| (x.atan(), if x.abs() > 1e200 { 0.0 } else { 1.0 / (1.0 + x * x) });
    "asinh": |x| x.asinh() => |x| (
        x.asinh(),
        if x.abs() > 1e200 { 1.0 / x.abs() } else { 1.0 / (1.0 + x * x).sqrt() },
    );
    "sqrt": |x| x.sqrt() => |x| (
        x.sqrt(),
        if x < 0.0 { f64::NAN } else if x == 0.0 { f64::INFINITY } else { 0.5 / x.sqrt() },
    );
    "ln": |x| x.ln() => |x| (
        if x == 0.0 { f64::NEG_INFINITY } else { x.ln() },
        if x < 0.0 { f64::NAN } else if x == 0.0 { f64::INFINITY } else { 1.0 / x },
    );
    "sin": |x| x.sin() => |x| (x.sin(), x.cos());
    "cos": |x| x.cos() => |x| (x.cos(), -x.sin());
    "softplus": |x| x.softplus() => |x| (
        x.max(0.0) + (-x.abs()).exp().ln_1p(),
        if x >= 0.0 { 1.0 / (1.0 + (-x).exp()) } else { x.exp() / (1.0 + x.exp()) },
    );
    "leaky_relu": |x| x.leaky_relu(0.1) => |x| (
        if x > 0.0 || x.is_nan() { x } else { 0.1 * x },
        if x > 0.0 { 1.0 } else { 0.1 },
    );
    "powf(0.5)": |x| x.powf(0.5) => |x| (
        x.powf(0.5),
        // IEEE's pow: NaN below 0, but (-inf)^p = +inf for a fractional p > 0.
        if x < 0.0 && x.is_finite() { f64::NAN } else { 0.5 * x.powf(-0.5) },
    );
    "powf(1.5)": |x| x.powf(1.5) => |x| (
        x.powf(1.5),
        if x < 0.0 && x.is_finite() { f64::NAN } else { 1.5 * x.powf(0.5) },
    );
    "c / x": |x| 2.0 / x => |x| (2.0 / x, -((2.0 / x) / x));
    "log1p": |x| x.log1p() => |x| (
        if x < -1.0 { f64::NAN } else { x.ln_1p() },
        if x < -1.0 { f64::NAN } else { 1.0 / (1.0 + x) },
    );
}

#[test]
fn broadcasts_along_a_zero_length_axis_are_empty_not_a_panic() {
    Graph::with_checked(|g| {
        // Rows of length 0: the output is empty, the input (also empty) gets nothing.
        let v = g.param(Tensor::<Rank1<0>>::zeros());
        let rows = v.broadcast_rows::<3>();
        assert_eq!(rows.value().as_slice(), &[] as &[f64]);
        (rows.sum() + v.sum()).backward();
        // Columns of length 0 from a vector of 2: its gradient is 0.
        let w = g.param(Tensor::<Rank1<2>>::from([1.0, 2.0]));
        let cols = w.broadcast_cols::<0>();
        (cols.sum() + w.sum()).backward();
        assert_eq!(w.grad().as_slice(), &[1.0, 1.0]);
    });
}
