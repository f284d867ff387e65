//! quickcheck properties: for every op, and for random chains of elementwise ops, reverse
//! mode agrees with forward mode (dual numbers) and with central finite differences.
//!
//! Each property runs 500 random cases on `2 x 3` inputs, with the graph-wide backward check
//! on. Per case, on an op's output `y = op(a, b)` with a random seed `s` and random weights
//! `w` of `y`'s shape:
//! - the dot-product test of `y.backward_with(s)` passes (`backward_with_checked`);
//! - the full Jacobians `dy/da`, `dy/db` by forward and by reverse mode agree (1e-12 per op,
//!   1e-10 on chains);
//! - the gradient of the scalar `sum(w * y)` by `backward` equals its dual-number gradient
//!   (likewise) and its finite-difference gradient (1e-6; per-op cases only, since chains may
//!   land near a kink where finite differences are meaningless).
//!
//! Inputs are drawn uniformly in a bounded range (never NaN or infinite) and mapped into each
//! op's domain, away from kinks and domain edges. To add an op, add one line to `op_table!`.
//!
//! The random chains draw their steps from the reference table
//! (`tests/common/reference_ops.rs`), one per row: every registered elementwise op, by
//! construction, with no count to keep.

#[allow(dead_code)] // The table and its domains; the registry's points are its own.
#[path = "common/reference_ops.rs"]
mod reference_ops;
use reference_ops::Domain;

use quickcheck::{Arbitrary, Gen, QuickCheck, TestResult};
use tygrad::prelude::*;

/// The shape of both inputs.
type X = Rank2<2, 3>;
type Input<'g> = Var<'g, X, f64, kind::Param>;

const CASES: u64 = 500;
/// Forward vs reverse on one op: both exact up to rounding.
const EXACT: f64 = 1e-12;
/// Forward vs reverse on random chains of up to 8 ops: rounding compounds with depth and
/// conditioning (a few 1e-12 seen), still far below what a wrong rule gives.
const CHAIN: f64 = 1e-10;

/// One random case: raw uniforms for both inputs, a seed for the output seed and weights,
/// and (for chains) a list of op codes.
#[derive(Clone, Debug)]
struct Case {
    a: Vec<f64>,
    b: Vec<f64>,
    rng: u64,
    /// Indices into [`CHAIN_STEPS`].
    chain: Vec<usize>,
}

fn unit(g: &mut Gen) -> f64 {
    // From an integer: quickcheck's own f64 generator yields NaN and infinities.
    f64::from(u32::arbitrary(g)) / f64::from(u32::MAX) * 2.0 - 1.0
}

impl Arbitrary for Case {
    fn arbitrary(g: &mut Gen) -> Self {
        let length = 1 + usize::from(u8::arbitrary(g) % 8);
        Case {
            a: (0..X::NUMEL).map(|_| unit(g)).collect(),
            b: (0..X::NUMEL).map(|_| unit(g)).collect(),
            rng: u64::arbitrary(g),
            chain: (0..length)
                .map(|_| usize::arbitrary(g) % CHAIN_STEPS.len())
                .collect(),
        }
    }

    fn shrink(&self) -> Box<dyn Iterator<Item = Self>> {
        // Shorter chains, then inputs pulled halfway towards 0.
        let mut smaller = Vec::new();
        if self.chain.len() > 1 {
            let mut c = self.clone();
            c.chain.pop();
            smaller.push(c);
        }
        if self.a.iter().chain(&self.b).any(|x| x.abs() > 1e-3) {
            let mut c = self.clone();
            c.a.iter_mut().chain(c.b.iter_mut()).for_each(|x| *x *= 0.5);
            smaller.push(c);
        }
        Box::new(smaller.into_iter())
    }
}

/// splitmix64, for seeds and weights.
struct Rng(u64);
impl Rng {
    fn uniform(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
    }
    fn tensor<S: Shape>(&mut self) -> Tensor<S> {
        let data: Vec<f64> = (0..S::NUMEL).map(|_| self.uniform()).collect();
        Tensor::from_slice(&data).unwrap()
    }
}

/// The inputs of a case, mapped into the op's domains.
fn inputs(case: &Case, da: Domain, db: Domain) -> (Tensor<X>, Tensor<X>) {
    let a: Vec<f64> = case.a.iter().map(|&u| da.map(u, 0.0)).collect();
    let b: Vec<f64> = case.b.iter().zip(&a).map(|(&u, &a)| db.map(u, a)).collect();
    (
        Tensor::from_slice(&a).unwrap(),
        Tensor::from_slice(&b).unwrap(),
    )
}

fn within(what: &str, err: f64, tolerance: f64) -> Result<(), String> {
    if err <= tolerance {
        Ok(())
    } else {
        Err(format!("{what}: relative error {err:e} > {tolerance:e}"))
    }
}

/// The three checks on one op's output `y` (see the module docs).
fn check_output<'g, S: ArrayNumel>(
    g: &'g Graph<'g>,
    a: Input<'g>,
    b: Input<'g>,
    y: Var<'g, S>,
    rng: u64,
    finite_differences: bool,
    tolerance: f64,
) -> Result<(), String> {
    let mut rng = Rng(rng);
    // Dot-product test of a seeded backward call.
    let report = y.backward_with_checked(&rng.tensor::<S>());
    if !report.passed {
        return Err(report.to_string());
    }
    // Full Jacobians, both modes, both inputs.
    within(
        "Jacobian dy/da, forward vs reverse",
        y.jacobian_fwd(a).relative_error(&y.jacobian_rev(a)),
        tolerance,
    )?;
    within(
        "Jacobian dy/db, forward vs reverse",
        y.jacobian_fwd(b).relative_error(&y.jacobian_rev(b)),
        tolerance,
    )?;
    // A scalar function of y: backward (cross-checked by the switch) vs dual numbers.
    let w = g.constant(rng.tensor::<S>());
    let f = (y * w).sum();
    g.zero_grad();
    f.backward();
    for (name, x) in [("a", a), ("b", b)] {
        let dual = f.jacobian_fwd(x);
        let mut reverse = Jacobian::<Rank0, X>::zeros();
        for (j, &gj) in x.grad().as_slice().iter().enumerate() {
            reverse[(0, j)] = gj;
        }
        within(
            &format!("gradient d sum(w y)/d{name}, backward vs dual numbers"),
            dual.relative_error(&reverse),
            tolerance,
        )?;
        if finite_differences {
            within(
                &format!("gradient d sum(w y)/d{name}, dual numbers vs finite differences"),
                dual.fd_error(&f.jacobian_fd(x)),
                Tolerances::of::<f64>().finite_differences,
            )?;
        }
    }
    Ok(())
}

fn verdict(result: Result<(), String>) -> TestResult {
    match result {
        Ok(()) => TestResult::passed(),
        Err(message) => TestResult::error(message),
    }
}

/// One property per op: `name: (domain of a, domain of b) |a, b| op;`. An entry written
/// `exact name: ...` skips the finite-difference witness: its op has a kink that random inputs
/// may come within a difference step of (max, min), where only the exact witnesses apply, or
/// whose gradient differs from the function's derivative by design (stop_gradient).
macro_rules! op_table {
    () => {};
    (exact $name:ident: ($da:expr, $db:expr) |$a:ident, $b:ident| $op:expr; $($rest:tt)*) => {
        op_table!(@property $name, false, ($da, $db) |$a, $b| $op);
        op_table!($($rest)*);
    };
    ($name:ident: ($da:expr, $db:expr) |$a:ident, $b:ident| $op:expr; $($rest:tt)*) => {
        op_table!(@property $name, true, ($da, $db) |$a, $b| $op);
        op_table!($($rest)*);
    };
    (@property $name:ident, $fd:expr, ($da:expr, $db:expr) |$a:ident, $b:ident| $op:expr) => {
        #[test]
        fn $name() {
            fn property(case: Case) -> TestResult {
                use Domain::*;
                let (a0, b0) = inputs(&case, $da, $db);
                verdict(Graph::with_checked(|g| {
                    let $a = g.param(a0);
                    let $b = g.param(b0);
                    let _ = &$b;
                    let y = $op;
                    check_output(g, $a, $b, y, case.rng, $fd, EXACT)
                }))
            }
            QuickCheck::new()
                .tests(CASES)
                .quickcheck(property as fn(Case) -> TestResult);
        }
    };
}

op_table! {
    neg: (Any, Any) |a, b| -a;
    add_scalar: (Any, Any) |a, b| a + 1.7;
    sub_scalar: (Any, Any) |a, b| a - 0.3;
    rsub_scalar: (Any, Any) |a, b| 2.0 - a;
    mul_scalar: (Any, Any) |a, b| a * -1.3;
    div_scalar: (Any, Any) |a, b| a / 0.7;
    rdiv_scalar: (NonZero, Any) |a, b| 1.5 / a;
    square: (Any, Any) |a, b| a.square();
    powi: (Any, Any) |a, b| a.powi(3);
    powi_negative: (NonZero, Any) |a, b| a.powi(-2);
    powf: (Positive, Any) |a, b| a.powf(1.7);
    sqrt: (Positive, Any) |a, b| a.sqrt();
    exp: (Any, Any) |a, b| a.exp();
    ln: (Positive, Any) |a, b| a.ln();
    sin: (Any, Any) |a, b| a.sin();
    cos: (Any, Any) |a, b| a.cos();
    tan: (Interval(-1.2, 1.2), Any) |a, b| a.tan();
    tanh: (Any, Any) |a, b| a.tanh();
    sigmoid: (Any, Any) |a, b| a.sigmoid();
    relu: (NonZero, Any) |a, b| a.relu();
    leaky_relu: (NonZero, Any) |a, b| a.leaky_relu(0.1);
    softplus: (Any, Any) |a, b| a.softplus();
    abs: (NonZero, Any) |a, b| a.abs();
    clamp: (Avoid(&[-0.5, 1.0]), Any) |a, b| a.clamp(-0.5, 1.0);
    add: (Any, Any) |a, b| a + b;
    sub: (Any, Any) |a, b| a - b;
    mul: (Any, Any) |a, b| a * b;
    div: (Any, NonZero) |a, b| a / b;
    maximum: (Any, AwayFromA) |a, b| a.maximum(b);
    minimum: (Any, AwayFromA) |a, b| a.minimum(b);
    pow: (Positive, Any) |a, b| a.pow(b);
    sum: (Any, Any) |a, b| a.sum();
    mean: (Any, Any) |a, b| a.mean();
    matmul: (Any, Any) |a, b| a.matmul(b.reshape::<Rank2<3, 2>>());
    matmul_transposed: (Any, Any) |a, b| a.transpose().matmul(b);
    transpose: (Any, Any) |a, b| a.transpose();
    reshape: (Any, Any) |a, b| a.reshape::<Rank1<6>>();
    same_input_twice: (Any, Any) |a, b| a * a + b;
    exact stop_gradient: (Any, Any) |a, b| a.stop_gradient() * b + a;
    broadcast_scalar: (Any, Any) |a, b| a.sum().broadcast::<X>() * b;
    broadcast_rows: (Any, Any) |a, b| a.sum_axis0().broadcast_rows::<2>() * b;
    broadcast_cols: (Any, Any) |a, b| a.sum_axis1().broadcast_cols::<3>() * b;
    add_row: (Any, Any) |a, b| a.add_row(b.sum_axis0());
    exact max: (Any, Any) |a, b| a.max();
    exact min: (Any, Any) |a, b| a.min();
    norm: (NonZero, Any) |a, b| a.norm();
    dot: (Any, Any) |a, b| a.dot(b);
    sum_axis0: (Any, Any) |a, b| a.sum_axis0();
    sum_axis1: (Any, Any) |a, b| a.sum_axis1();
    mean_axis0: (Any, Any) |a, b| a.mean_axis0();
    mean_axis1: (Any, Any) |a, b| a.mean_axis1();
    matvec: (Any, Any) |a, b| a.matvec(b.sum_axis0());
    outer: (Any, Any) |a, b| a.sum_axis1().outer(b.sum_axis0());
    slice: (Any, Any) |a, b| a.reshape::<Rank1<6>>().slice::<1, 4>();
    slice_rows: (Any, Any) |a, b| a.slice_rows::<1, 1>() * b.slice_rows::<0, 1>();
    get: (Any, Any) |a, b| a.reshape::<Rank1<6>>().get::<4>() * b.sum();
    concat: (Any, Any) |a, b| a.reshape::<Rank1<6>>().concat::<3, 9, _>(b.sum_axis0());
    stack: (Any, Any) |a, b| a.sum_axis0().stack(b.mean_axis0());
    softmax_rows: (Any, Any) |a, b| a.softmax();
    log_softmax_rows: (Any, Any) |a, b| a.log_softmax();
    logsumexp_rows: (Any, Any) |a, b| a.logsumexp();
    softmax_vector: (Any, Any) |a, b| a.reshape::<Rank1<6>>().softmax();
    log_softmax_vector: (Any, Any) |a, b| a.reshape::<Rank1<6>>().log_softmax();
    logsumexp_vector: (Any, Any) |a, b| a.reshape::<Rank1<6>>().logsumexp();
    mse_loss: (Any, Any) |a, b| a.mse_loss(b);
    cross_entropy_rows: (Any, Any) |a, b| a.cross_entropy(b.softmax());
    cross_entropy_vector: (Any, Any) |a, b| {
        a.reshape::<Rank1<6>>().cross_entropy(b.reshape::<Rank1<6>>().softmax())
    };
}

/// A draw that once failed `clamp`: five of six elements clamped, so the gradient of
/// `sum(w y)` has one non-zero entry, and a small one; finite differences' rounding noise
/// (`ε |f| / h`, about `5e-11`) then exceeded `1e-6` of it. The finite-difference witness now
/// measures with [`Jacobian::fd_error`], absolute below 1.
#[test]
fn clamp_with_one_small_gradient_entry() {
    let case = Case {
        a: vec![
            0.7189476419517182,
            0.24970907141680576,
            -0.9242936456399722,
            0.7661100113219839,
            1.0,
            0.6866028797083075,
        ],
        b: vec![
            -0.3197654176782271,
            1.0,
            -0.15985385029573318,
            0.8419812838179015,
            -0.9325403109967104,
            -0.12413051005549047,
        ],
        rng: 4322892432340292378,
        chain: vec![8],
    };
    let (a0, b0) = inputs(&case, Domain::Avoid(&[-0.5, 1.0]), Domain::Any);
    let result = Graph::with_checked(|g| {
        let a = g.param(a0);
        let b = g.param(b0);
        check_output(g, a, b, a.clamp(-0.5, 1.0), case.rng, true, EXACT)
    });
    assert_eq!(result, Ok(()));
}

/// The random chains' steps, one per row of the reference table (every registered
/// elementwise op): a unary row's step is its `total` form (the op preceded by a map into its
/// domain, total on any finite input), a binary row's applies the op to the chain's value and
/// one of the case's inputs.
macro_rules! chain_steps {
    ($(
        $kind:ident $name:ident: |$($x:pat_param),+| $op:expr;
        domain $domain:expr;
        value |$($vx:pat_param),+| $value:expr;
        $derivative:ident |$($dx:pat_param),+| $slope:expr;
        total |$($tx:pat_param),+| $total:expr;
        $(tolerance $tolerance:expr;)?
    )*) => {
        /// Each row's chain step.
        mod steps {
            use super::*;
            $(chain_steps!(@fn $name [$($tx),+] $total);)*
        }

        /// Each row's op itself (the node its step must record).
        mod ops {
            use super::*;
            $(chain_steps!(@fn $name [$($x),+] $op);)*
        }

        /// Every row's `(name, step, op)`.
        const CHAIN_STEPS: &[(&str, ChainStep, ChainStep)] =
            &[$((stringify!($name), steps::$name, ops::$name)),*];
    };

    (@fn $name:ident [$y:pat_param] $body:expr) => {
        pub fn $name<'g>($y: Var<'g, X>, _: Input<'g>, _: Input<'g>) -> Var<'g, X> {
            $body
        }
    };
    (@fn $name:ident [$y:pat_param, $a:pat_param, $b:pat_param] $body:expr) => {
        pub fn $name<'g>($y: Var<'g, X>, $a: Input<'g>, $b: Input<'g>) -> Var<'g, X> {
            $body
        }
    };
    (@fn $name:ident [$a:pat_param, $b:pat_param] $body:expr) => {
        pub fn $name<'g>($a: Var<'g, X>, $b: Input<'g>, _: Input<'g>) -> Var<'g, X> {
            $body
        }
    };
}

/// A chain step (or a row's op): from the chain's value `y` and the case's inputs `a`, `b`.
type ChainStep = for<'g> fn(Var<'g, X>, Input<'g>, Input<'g>) -> Var<'g, X>;

reference_ops::reference_ops!(chain_steps);

/// Each chain step records its row's op: the chains draw from every registered elementwise
/// op (`tests/registry.rs` checks that the rows cover the registry).
#[test]
fn every_chain_step_records_its_op() {
    for &(name, step, op) in CHAIN_STEPS {
        let label = Graph::with(|g| {
            let a = g.param(Tensor::<X>::full(0.5));
            op(a.node(), a, g.param(Tensor::full(0.7))).grad_fn()
        });
        let label = label.unwrap_or_else(|| panic!("row `{name}` records no op"));
        let dot = Graph::with(|g| {
            let a = g.param(Tensor::<X>::full(0.5));
            step(a.node(), a, g.param(Tensor::full(0.7)));
            g.to_dot()
        });
        assert!(
            dot.contains(&format!("[label=\"{label} [")),
            "the chain step of row `{name}` records no `{label}` node:\n{dot}"
        );
    }
}

/// The case's chain of op codes applied to `a`, one after another.
fn chain_of<'g>(case: &Case, a: Input<'g>, b: Input<'g>) -> Var<'g, X> {
    case.chain
        .iter()
        .fold(a.node(), |y, &code| (CHAIN_STEPS[code].1)(y, a, b))
}

#[test]
fn random_chains_of_elementwise_ops() {
    fn property(case: Case) -> TestResult {
        let (a0, b0) = inputs(&case, Domain::Any, Domain::Any);
        verdict(Graph::with_checked(|g| {
            let a = g.param(a0);
            let b = g.param(b0);
            let y = chain_of(&case, a, b);
            // Exact witnesses only: a chain may pass near a kink.
            check_output(g, a, b, y, case.rng, false, CHAIN)?;
            check_output(g, a, b, y.mean(), case.rng ^ 1, false, CHAIN)
        }))
    }
    QuickCheck::new()
        .tests(CASES)
        .quickcheck(property as fn(Case) -> TestResult);
}

/// The gradients of a loss over a random chain on one graph (the plain sweep, or the
/// cross-checked one): after two backward calls accumulated on fresh gradients, and after a
/// `zero_grad` and two more.
fn chain_gradients<'g>(g: &'g Graph<'g>, case: &Case, a0: Tensor<X>, b0: Tensor<X>) -> Vec<f64> {
    let a = g.param(a0);
    let b = g.param(b0);
    let y = chain_of(case, a, b);
    // Uniform shares (sum, mean, scalings, additions) meeting written ones (square,
    // product). The sweep visits the terms right to left: `y` first takes two uniform
    // shares, then written ones.
    let loss = (y.square() - a).mean() - (y * b).sum() + y.sum() * 0.5 + y.mean();
    let mut grads = Vec::new();
    for zero_first in [false, true] {
        if zero_first {
            g.zero_grad();
        }
        loss.backward();
        loss.backward();
        grads.extend(a.grad().iter().chain(b.grad().iter()));
    }
    grads
}

/// The plain sweep (shares written straight into the gradients, lazy `zero_grad`, uniform
/// adjoints) and the cross-checked one (shares kept in the parameters' adjoints, each call
/// compared with forward mode) give the same gradients on random chains.
#[test]
fn plain_and_checked_sweeps_agree_on_random_chains() {
    fn property(case: Case) -> TestResult {
        let (a0, b0) = inputs(&case, Domain::Any, Domain::Any);
        let plain = Graph::with(|g| chain_gradients(g, &case, a0.clone(), b0.clone()));
        let checked = Graph::with_checked(|g| chain_gradients(g, &case, a0, b0));
        let scale = plain.iter().fold(1.0f64, |m, v| m.max(v.abs()));
        let err = plain
            .iter()
            .zip(&checked)
            .fold(0.0f64, |m, (p, c)| m.max((p - c).abs()));
        verdict(within("plain vs checked sweep", err / scale, EXACT))
    }
    QuickCheck::new()
        .tests(CASES)
        .quickcheck(property as fn(Case) -> TestResult);
}

/// Saturated tanh and sigmoid: `1 - y²` and `y (1 - y)` alone would be off by about 1e-9
/// relative at `x = 8`; the VJP rules switch to forms computed from `x` there.
#[test]
fn saturated_tanh_and_sigmoid_vjps_keep_relative_precision() {
    Graph::with(|g| {
        let x = g.param(Tensor::<Rank1<2>>::from([8.0, 12.0]));
        for y in [x.tanh(), x.sigmoid()] {
            let err = y.jacobian_fwd(x).relative_error(&y.jacobian_rev(x));
            assert!(err <= EXACT, "{:?}: {err:e}", y.grad_fn());
        }
    });
}

/// Long inputs go through the tanh and sigmoid VJPs in chunks, plain chunks by the cheap
/// form and chunks with a saturated element by the per-element rule: across chunk
/// boundaries, with saturated elements in some chunks only, every entry keeps full relative
/// precision and matches forward mode.
#[test]
fn chunked_tanh_and_sigmoid_vjps_match_forward_mode_elementwise() {
    Graph::with_checked(|g| {
        // 300 elements: chunks 0-2 plain (|x| < 1), chunk 3 with saturated ones, chunk 4 mixed.
        let x = g.param(Tensor::<Rank1<300>>::from_fn(|[i]| {
            let t = i as f64;
            if i < 192 {
                (0.05 * t).sin()
            } else {
                8.0 * (0.3 * t).sin()
            }
        }));
        for y in [x.tanh(), x.sigmoid()] {
            g.zero_grad();
            y.sum().backward();
            let ones = Tensor::<Rank1<300>>::ones();
            let dual = y.jvp(&[x.tangent(&ones)]);
            let reverse = x.grad();
            for i in 0..300 {
                let (f, r) = (dual[i], reverse[i]);
                assert!(
                    (f - r).abs() <= 1e-14 * f.abs(),
                    "{:?} at {i}: forward {f:e}, reverse {r:e}",
                    y.grad_fn()
                );
            }
        }
    });
}

#[test]
fn domains_stay_finite_and_in_range() {
    let mut g = Gen::new(100);
    for _ in 0..1000 {
        let case = Case::arbitrary(&mut g);
        let (a, b) = inputs(&case, Domain::Positive, Domain::AwayFromA);
        for (&x, &y) in a.as_slice().iter().zip(b.as_slice()) {
            assert!(x.is_finite() && (0.2..=2.2).contains(&x));
            assert!(y.is_finite() && (x - y).abs() >= 0.1);
        }
        let (a, _) = inputs(&case, Domain::Avoid(&[-0.5, 1.0]), Domain::Any);
        assert!(
            a.iter()
                .all(|x| (x + 0.5).abs() >= 0.1 - 1e-12 && (x - 1.0).abs() >= 0.1 - 1e-12)
        );
        let (a, _) = inputs(&case, Domain::NonZero, Domain::Any);
        assert!(a.iter().all(|x| x.abs() >= 0.2));
    }
}

/// num-dual's own `tanh` is `sinh / cosh`, NaN past |x| ≈ 710; the kernel's is not.
#[test]
fn forward_mode_tanh_stays_finite_at_large_inputs() {
    Graph::with(|g| {
        let x = g.param(Tensor::<Rank1<3>>::from([-1000.0, 1e-12, 1000.0]));
        let y = x.tanh();
        let jvp = y.jvp(&[x.tangent(&Tensor::from([1.0, 1.0, 1.0]))]);
        assert_eq!((jvp[0], jvp[2]), (0.0, 0.0));
        assert!((jvp[1] - 1.0).abs() < 1e-15);
        assert_eq!(y.value().as_slice(), &[-1.0, 1e-12, 1.0]);
    });
}
