//! Fused graphs (`tygrad::fused`) against the tape graph, against themselves (forward vs
//! reverse mode), and against closed forms.
//!
//! - Every op, as a quickcheck property over 500 random inputs in its domain: the same
//!   expression built on a [`Graph`] and as a fused graph gives the same output (`eval` vs
//!   `value`), the same vector-Jacobian product for a random seed (`vjp` vs `backward_with`),
//!   and the same value and gradient once reduced by `sum` and by `mean` (`value_and_grad` vs
//!   `backward`), all to 1e-12 relative. On the same inputs, forward mode agrees with reverse
//!   mode: `check_gradient` passes, `jvp(x, u).1 == <∇f, u>`, and the dot-product identity
//!   `<s, J u> == <Jᵀ s, u>` holds between `Fused::jvp` and `Fused::vjp` (1e-12, relative to
//!   the sum of the absolute terms, as `check_gradient` measures).
//! - Closed forms: Rosenbrock's value, gradient and Hessian-vector product (N = 2, N = 5), the
//!   seed session, `value_and_grad` overwriting, f32.
//! - Users' functions (`map`, `zip_with`) and fused graphs inside a tape graph (`Var::apply`).
//! - Reported failures: a user's function with a wrong slope, or a NaN derivative, fails
//!   `check_gradient`, and the report says so; inside a tape graph, the backward check names
//!   the fused node.
//!
//! Relative errors of vectors are measured against the larger of the two vectors' largest
//! entries (so that an entry near 0 does not turn rounding into a large relative error).

use quickcheck::{Arbitrary, Gen, QuickCheck, TestResult};
use tygrad::fused::{self, Binary, GradientCheck, Input, Node, Reduced, Unary};
use tygrad::prelude::*;

const CASES: u64 = 500;
/// Fused vs tape, forward vs reverse: the same arithmetic up to rounding.
const EXACT: f64 = 1e-12;
/// The same on compositions of several ops: rounding compounds with depth and conditioning
/// (the graph's and the fused graph's rules associate their products differently; random
/// 8-op chains reach a few 1e-12, see the `check` module's tolerances).
const COMPOSITE: f64 = 1e-10;
/// The number of elements of every argument below (`Rank2<2, 3>`, `Rank1<6>`, `Rank2<3, 2>`).
const NUMEL: usize = 6;

/// Where an argument's elements are drawn from (each maps a uniform `u` in `[-1, 1]`).
#[derive(Clone, Copy, Debug)]
enum Domain {
    /// `[-2.5, 2.5]`.
    Any,
    /// `[0.2, 2.2]`: sqrt, ln.
    Positive,
    /// `[-2.2, -0.2] ∪ [0.2, 2.2]`: divisors, and the kinks of relu and abs at 0.
    NonZero,
}

impl Domain {
    fn map(self, u: f64) -> f64 {
        match self {
            Domain::Any => 2.5 * u,
            Domain::Positive => 0.2 + 2.0 * u.abs(),
            Domain::NonZero => {
                let u = if u == 0.0 { 1.0 } else { u };
                u.signum() * (0.2 + 2.0 * u.abs())
            }
        }
    }
}

/// One random case: the argument (raw uniforms), a tangent, and a seed for the output.
#[derive(Clone, Debug)]
struct Case {
    x: Vec<f64>,
    u: Vec<f64>,
    seed: Vec<f64>,
}

fn unit(g: &mut Gen) -> f64 {
    // From an integer: quickcheck's own f64 generator yields NaN and infinities.
    f64::from(u32::arbitrary(g)) / f64::from(u32::MAX) * 2.0 - 1.0
}

impl Arbitrary for Case {
    fn arbitrary(g: &mut Gen) -> Self {
        let vector = |g: &mut Gen| (0..NUMEL).map(|_| unit(g)).collect();
        Case {
            x: vector(g),
            u: vector(g),
            seed: vector(g),
        }
    }

    fn shrink(&self) -> Box<dyn Iterator<Item = Self>> {
        // The argument pulled halfway towards 0.
        if self.x.iter().any(|x| x.abs() > 1e-3) {
            let mut c = self.clone();
            c.x.iter_mut().for_each(|x| *x *= 0.5);
            Box::new(std::iter::once(c))
        } else {
            Box::new(std::iter::empty())
        }
    }
}

impl Case {
    fn argument<S: Shape>(&self, domain: Domain) -> Tensor<S> {
        let data: Vec<f64> = self.x.iter().map(|&u| domain.map(u)).collect();
        tensor(&data)
    }
}

/// The first `S::NUMEL` numbers of `data`, as a tensor of shape `S`.
fn tensor<S: Shape>(data: &[f64]) -> Tensor<S> {
    Tensor::from_slice(&data[..S::NUMEL]).unwrap()
}

/// `max |a - b|` over the larger of `max |a|`, `max |b|` (0 if both are equal).
fn relative(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len());
    let diff = a
        .iter()
        .zip(b)
        .fold(0.0f64, |m, (x, y)| m.max((x - y).abs()));
    if diff == 0.0 {
        return 0.0;
    }
    let scale = a.iter().chain(b).fold(0.0f64, |m, v| m.max(v.abs()));
    diff / scale
}

/// Two ways of computing `Σ aᵢ bᵢ = Σ cᵢ dᵢ`: their difference over the sum of the absolute
/// terms of both (0 if equal; NaN fails).
fn dot_error(a: &[f64], b: &[f64], c: &[f64], d: &[f64]) -> f64 {
    let (left, left_scale) = dot(a, b);
    let (right, right_scale) = dot(c, d);
    let diff = (left - right).abs();
    if diff == 0.0 {
        0.0
    } else {
        diff / (left_scale + right_scale)
    }
}

/// `(Σ aᵢ bᵢ, Σ |aᵢ bᵢ|)`.
fn dot(a: &[f64], b: &[f64]) -> (f64, f64) {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .fold((0.0, 0.0), |(s, t), (x, y)| (s + x * y, t + (x * y).abs()))
}

fn within(what: &str, err: f64, tolerance: f64) -> Result<(), String> {
    if err <= tolerance {
        Ok(())
    } else {
        Err(format!("{what}: relative error {err:e} > {tolerance:e}"))
    }
}

fn verdict(result: Result<(), String>) -> TestResult {
    match result {
        Ok(()) => TestResult::passed(),
        Err(message) => TestResult::error(message),
    }
}

/// What the tape graph gives for one expression `y` of the argument `x`: `y`'s value, the
/// VJP for a seed, and `sum(y)`, `mean(y)` with their gradients.
struct Tape {
    value: Vec<f64>,
    vjp: Vec<f64>,
    sum: (f64, Vec<f64>),
    mean: (f64, Vec<f64>),
}

/// What the fused graph gives for the same expression, and its forward-mode witnesses.
struct Fusion {
    eval: Vec<f64>,
    /// `(output, Jᵀ seed)` by `Fused::vjp`.
    vjp: (Vec<f64>, Vec<f64>),
    /// `(output, J u)` by `Fused::jvp`.
    jvp: (Vec<f64>, Vec<f64>),
    /// For `sum(y)` then `mean(y)`: what `value_and_grad`, `value`, `grad`, `jvp` and
    /// `check_gradient` give.
    reduced: [Reduction; 2],
}

struct Reduction {
    value_and_grad: (f64, Vec<f64>),
    value: f64,
    grad: Vec<f64>,
    jvp: (f64, f64),
    check: GradientCheck,
}

/// Every comparison of one case (see the module docs).
fn compare(
    tape: &Tape,
    fusion: &Fusion,
    u: &[f64],
    seed: &[f64],
    tolerance: f64,
) -> Result<(), String> {
    within(
        "eval vs the tape's value",
        relative(&fusion.eval, &tape.value),
        tolerance,
    )?;
    within(
        "vjp's output vs eval",
        relative(&fusion.vjp.0, &fusion.eval),
        0.0,
    )?;
    within(
        "jvp's output vs eval",
        relative(&fusion.jvp.0, &fusion.eval),
        tolerance,
    )?;
    within(
        "vjp vs backward_with",
        relative(&fusion.vjp.1, &tape.vjp),
        tolerance,
    )?;
    within(
        "<seed, J u> (Fused::jvp) vs <Jᵀ seed, u> (Fused::vjp)",
        dot_error(seed, &fusion.jvp.1, &fusion.vjp.1, u),
        tolerance,
    )?;
    // A reduction's rounding scales with the sum of its absolute terms, not with the result
    // (random signs cancel).
    let absolute_sum: f64 = fusion.eval.iter().map(|y| y.abs()).sum();
    let sizes = [absolute_sum, absolute_sum / fusion.eval.len() as f64];
    for ((reduction, (name, (value, grad))), size) in fusion
        .reduced
        .iter()
        .zip([("sum", &tape.sum), ("mean", &tape.mean)])
        .zip(sizes)
    {
        let (fused_value, fused_grad) = &reduction.value_and_grad;
        let reduced_error = |a: f64, b: f64| {
            let diff = (a - b).abs();
            if diff == 0.0 {
                0.0
            } else {
                diff / size.max(a.abs()).max(b.abs())
            }
        };
        within(
            &format!("{name}: value_and_grad's value vs the tape's"),
            reduced_error(*fused_value, *value),
            tolerance,
        )?;
        within(
            &format!("{name}: value_and_grad's gradient vs backward"),
            relative(fused_grad, grad),
            tolerance,
        )?;
        within(
            &format!("{name}: value vs value_and_grad"),
            relative(&[reduction.value], &[*fused_value]),
            0.0,
        )?;
        within(
            &format!("{name}: grad vs value_and_grad"),
            relative(&reduction.grad, fused_grad),
            0.0,
        )?;
        within(
            &format!("{name}: jvp's value vs value_and_grad"),
            reduced_error(reduction.jvp.0, *fused_value),
            tolerance,
        )?;
        let (reverse, scale) = dot(fused_grad, u);
        let diff = (reduction.jvp.1 - reverse).abs();
        let err = if diff == 0.0 {
            0.0
        } else {
            diff / (scale + reverse.abs())
        };
        within(&format!("{name}: jvp(x, u).1 vs <∇f, u>"), err, tolerance)?;
        if !reduction.check.passed {
            return Err(format!("{name}: {}", reduction.check));
        }
    }
    Ok(())
}

/// What a reduced fused graph gives at `x`: `value_and_grad` (on a gradient buffer full of
/// NaN, which it must overwrite), `value`, `grad`, `jvp` along `u`, `check_gradient`.
fn reduction<X: Shape, S: Shape, E: Node<f64, Arg = X>>(
    f: &Reduced<S, E>,
    x: &Tensor<X>,
    u: &Tensor<X>,
) -> Reduction {
    let mut grad = Tensor::full(f64::NAN);
    let value = f.value_and_grad(x, &mut grad);
    Reduction {
        value_and_grad: (value, grad.as_slice().to_vec()),
        value: f.value(x),
        grad: f.grad(x).as_slice().to_vec(),
        jvp: f.jvp(x, u),
        check: f.check_gradient(x),
    }
}

/// One property per op: `name: Shape, Domain, |x| expression;`. The expression is written
/// once and built twice: on a `Graph` parameter and on a fused graph's `Input`. An entry
/// written `composite name: ...` composes several ops, and is held to [`COMPOSITE`].
macro_rules! op_table {
    () => {};
    (composite $name:ident: $shape:ty, $domain:ident, |$x:ident| $op:expr; $($rest:tt)*) => {
        op_table!(@property $name, COMPOSITE, $shape, $domain, |$x| $op);
        op_table!($($rest)*);
    };
    ($name:ident: $shape:ty, $domain:ident, |$x:ident| $op:expr; $($rest:tt)*) => {
        op_table!(@property $name, EXACT, $shape, $domain, |$x| $op);
        op_table!($($rest)*);
    };
    (@property $name:ident, $tolerance:expr, $shape:ty, $domain:ident, |$x:ident| $op:expr) => {
        #[test]
        fn $name() {
            fn property(case: Case) -> TestResult {
                let x0: Tensor<$shape> = case.argument(Domain::$domain);
                let u: Tensor<$shape> = tensor(&case.u);
                let f = fused::function(|$x: Input<$shape>| $op);
                let reductions = (
                    fused::function(|$x: Input<$shape>| ($op).sum()),
                    fused::function(|$x: Input<$shape>| ($op).mean()),
                );
                let seed = tensor(&case.seed);
                let mut grad = Tensor::zeros();
                let output = f.vjp(&x0, &seed, &mut grad);
                let jvp = f.jvp(&x0, &u);
                let fusion = Fusion {
                    eval: f.eval(&x0).as_slice().to_vec(),
                    vjp: (output.as_slice().to_vec(), grad.as_slice().to_vec()),
                    jvp: (jvp.0.as_slice().to_vec(), jvp.1.as_slice().to_vec()),
                    reduced: [
                        reduction(&reductions.0, &x0, &u),
                        reduction(&reductions.1, &x0, &u),
                    ],
                };
                let tape = Graph::with(|g| {
                    let $x = g.param(x0.clone());
                    let y = $op;
                    let (sum, mean) = (y.sum(), y.mean());
                    y.backward_with(&seed);
                    let vjp = $x.grad().as_slice().to_vec();
                    g.zero_grad();
                    sum.backward();
                    let sum = (sum.item(), $x.grad().as_slice().to_vec());
                    g.zero_grad();
                    mean.backward();
                    let mean = (mean.item(), $x.grad().as_slice().to_vec());
                    Tape {
                        value: y.value().as_slice().to_vec(),
                        vjp,
                        sum,
                        mean,
                    }
                });
                verdict(
                    compare(
                        &tape,
                        &fusion,
                        u.as_slice(),
                        seed.as_slice(),
                        $tolerance,
                    )
                    .map_err(|e| format!("{e}\n  at x = {:?}", x0.as_slice())),
                )
            }
            QuickCheck::new()
                .tests(CASES)
                .quickcheck(property as fn(Case) -> TestResult);
        }
    };
}

type M = Rank2<2, 3>;
type V = Rank1<6>;
type T = Rank2<3, 2>;

op_table! {
    identity: M, Any, |x| x;
    square: M, Any, |x| x.square();
    sqrt: M, Positive, |x| x.sqrt();
    exp: M, Any, |x| x.exp();
    ln: M, Positive, |x| x.ln();
    sin: M, Any, |x| x.sin();
    cos: M, Any, |x| x.cos();
    tanh: M, Any, |x| x.tanh();
    sigmoid: M, Any, |x| x.sigmoid();
    softplus: M, Any, |x| x.softplus();
    relu: M, NonZero, |x| x.relu();
    abs: M, NonZero, |x| x.abs();
    powi: M, Any, |x| x.powi(3);
    powi_one: M, Any, |x| x.powi(1);
    powi_negative: M, NonZero, |x| x.powi(-2);
    neg: M, Any, |x| -x;
    add_scalar: M, Any, |x| x + 1.7;
    scalar_add: M, Any, |x| 1.7 + x;
    sub_scalar: M, Any, |x| x - 0.3;
    scalar_sub: M, Any, |x| 2.0 - x;
    mul_scalar: M, Any, |x| x * -1.3;
    scalar_mul: M, Any, |x| -1.3 * x;
    div_scalar: M, Any, |x| x / 0.7;
    scalar_div: M, NonZero, |x| 1.5 / x;
    add: M, Any, |x| x.sin() + x.exp();
    sub: M, Any, |x| x.cos() - x.square();
    mul: M, Any, |x| x.sin() * x.tanh();
    div: M, Any, |x| x.exp() / (x.square() + 1.0);
    mul_same_argument_twice: M, Any, |x| x * x;
    div_by_the_argument: M, NonZero, |x| x.sin() / x;
    slice: V, Any, |x| x.slice::<1, 4>().square();
    slice_of_a_slice: V, Any, |x| x.slice::<1, 4>().slice::<2, 2>().exp();
    slice_of_a_map: V, Any, |x| x.sin().slice::<3, 3>();
    slices_combined: V, NonZero, |x| x.slice::<0, 3>() / x.slice::<3, 3>() - x.slice::<1, 3>();
    slice_rows: T, Any, |x| x.slice_rows::<1, 2>().sin();
    slice_rows_of_a_map: T, Any, |x| x.cos().slice_rows::<2, 1>();
    slice_rows_combined: T, Any, |x| x.slice_rows::<0, 2>() * x.slice_rows::<1, 2>().tanh();
    composite chain: M, Any, |x| ((x.sin() * x.exp() - 2.0 / (x.square() + 1.0)).tanh() + 0.5).softplus();
    rosenbrock_terms: V, Any, |x| {
        let (head, tail) = (x.slice::<0, 5>(), x.slice::<1, 5>());
        (tail - head.square()).square() * 100.0 + (1.0 - head).square()
    };
}

// ------------------------------------------------------------------------------------------
// Closed forms.

/// Rosenbrock's function `Σᵢ 100 (xᵢ₊₁ - xᵢ²)² + (1 - xᵢ)²`, its gradient and Hessian.
fn rosenbrock(x: &[f64]) -> f64 {
    x.windows(2)
        .map(|w| 100.0 * (w[1] - w[0] * w[0]).powi(2) + (1.0 - w[0]).powi(2))
        .sum()
}

fn rosenbrock_grad(x: &[f64]) -> Vec<f64> {
    let n = x.len();
    (0..n)
        .map(|i| {
            let mut g = 0.0;
            if i + 1 < n {
                g += -400.0 * x[i] * (x[i + 1] - x[i] * x[i]) - 2.0 * (1.0 - x[i]);
            }
            if i > 0 {
                g += 200.0 * (x[i] - x[i - 1] * x[i - 1]);
            }
            g
        })
        .collect()
}

/// The Hessian, row-major: tridiagonal, `H[i][i] = 1200 xᵢ² - 400 xᵢ₊₁ + 2 (+ 200 if i > 0)`,
/// `H[i][i+1] = H[i+1][i] = -400 xᵢ`. For N = 2: `[[1200 x0² - 400 x1 + 2, -400 x0],
/// [-400 x0, 200]]`.
fn rosenbrock_hessian(x: &[f64]) -> Vec<Vec<f64>> {
    let n = x.len();
    let mut h = vec![vec![0.0; n]; n];
    for i in 0..n {
        if i + 1 < n {
            h[i][i] += 1200.0 * x[i] * x[i] - 400.0 * x[i + 1] + 2.0;
            h[i][i + 1] = -400.0 * x[i];
            h[i + 1][i] = -400.0 * x[i];
        }
        if i > 0 {
            h[i][i] += 200.0;
        }
    }
    h
}

fn matvec(h: &[Vec<f64>], v: &[f64]) -> Vec<f64> {
    h.iter().map(|row| dot(row, v).0).collect()
}

/// Rosenbrock's function on `Rank1<$n>` as a fused graph (`$m = $n - 1`).
macro_rules! fused_rosenbrock {
    ($n:literal, $m:literal) => {
        fused::function(|x: Input<Rank1<$n>>| {
            let (head, tail) = (x.slice::<0, $m>(), x.slice::<1, $m>());
            ((tail - head.square()).square() * 100.0 + (1.0 - head).square()).sum()
        })
    };
}

#[test]
fn rosenbrock_2_at_known_points() {
    let f = fused_rosenbrock!(2, 1);
    let mut grad = Tensor::zeros();
    // The minimum: value and gradient exactly 0.
    assert_eq!(f.value_and_grad(&Tensor::from([1.0, 1.0]), &mut grad), 0.0);
    assert_eq!(grad.as_slice(), &[0.0, 0.0]);
    // The classic start (-1.2, 1): f = 24.2, ∇f = (-215.6, -88).
    let x = [-1.2, 1.0];
    let value = f.value_and_grad(&Tensor::from(x), &mut grad);
    assert!((value - 24.2).abs() <= 1e-13 * 24.2, "{value}");
    assert!(
        relative(grad.as_slice(), &[-215.6, -88.0]) <= 1e-14,
        "{grad:?}"
    );
    // H = [[1200·1.44 - 400 + 2, 480], [480, 200]] = [[1330, 480], [480, 200]].
    let hessian = [[1330.0, 480.0], [480.0, 200.0]];
    for (e, column) in [([1.0, 0.0], 0), ([0.0, 1.0], 1)] {
        let hv = f.hvp(&Tensor::from(x), &Tensor::from(e));
        let expected = [hessian[0][column], hessian[1][column]];
        assert!(
            relative(hv.as_slice(), &expected) <= 1e-13,
            "{hv:?} vs {expected:?}"
        );
    }
}

/// Random points and directions: value, gradient and `H v` against the closed forms.
fn rosenbrock_property<const N: usize>(
    f: impl Fn(&Tensor<Rank1<N>>, &mut Tensor<Rank1<N>>) -> f64,
    hvp: impl Fn(&Tensor<Rank1<N>>, &Tensor<Rank1<N>>) -> Tensor<Rank1<N>>,
    case: &Case,
) -> Result<(), String> {
    let x: Vec<f64> = case.x[..N].iter().map(|u| 2.0 * u).collect();
    let v = &case.u[..N];
    let mut grad = Tensor::zeros();
    let value = f(&Tensor::from_slice(&x).unwrap(), &mut grad);
    within("value", relative(&[value], &[rosenbrock(&x)]), EXACT)?;
    within(
        "gradient",
        relative(grad.as_slice(), &rosenbrock_grad(&x)),
        EXACT,
    )?;
    let hv = hvp(
        &Tensor::from_slice(&x).unwrap(),
        &Tensor::from_slice(v).unwrap(),
    );
    within(
        "Hessian-vector product",
        relative(hv.as_slice(), &matvec(&rosenbrock_hessian(&x), v)),
        EXACT,
    )
}

/// Rosenbrock over `N` elements (`M = N - 1` terms) against its closed form, as a property.
macro_rules! rosenbrock_matches_its_closed_form {
    ($name:ident, $n:literal, $m:literal) => {
        #[test]
        fn $name() {
            fn property(case: Case) -> TestResult {
                let f = fused_rosenbrock!($n, $m);
                verdict(rosenbrock_property::<$n>(
                    |x, g| f.value_and_grad(x, g),
                    |x, v| f.hvp(x, v),
                    &case,
                ))
            }
            QuickCheck::new()
                .tests(CASES)
                .quickcheck(property as fn(Case) -> TestResult);
        }
    };
}
rosenbrock_matches_its_closed_form!(rosenbrock_2_matches_its_closed_form, 2, 1);
rosenbrock_matches_its_closed_form!(rosenbrock_5_matches_its_closed_form, 5, 4);

/// The Hessian is symmetric: `<w, H v> == <H w, v>` for a function mixing every kind of node.
#[test]
fn hvp_is_symmetric() {
    fn property(case: Case) -> TestResult {
        let f = fused::function(|x: Input<V>| {
            let (a, b) = (x.slice::<0, 3>(), x.slice::<3, 3>());
            (a.sin() * b.exp() + (a / (b.square() + 1.0)).tanh() - a.powi(3).sigmoid()).mean()
        });
        let x: Tensor<V> = case.argument(Domain::Any);
        let (v, w): (Tensor<V>, Tensor<V>) = (tensor(&case.u), tensor(&case.seed));
        let (hv, hw) = (f.hvp(&x, &v), f.hvp(&x, &w));
        verdict(within(
            "<w, H v> vs <H w, v>",
            dot_error(w.as_slice(), hv.as_slice(), hw.as_slice(), v.as_slice()),
            EXACT,
        ))
    }
    QuickCheck::new()
        .tests(CASES)
        .quickcheck(property as fn(Case) -> TestResult);
}

#[test]
fn seed_session() {
    let seed = fused::function(|x: Input<Rank2<2, 2>>| ((x + 2.0).square() * 3.0).mean());
    let mut grad = Tensor::zeros();
    assert_eq!(seed.value_and_grad(&Tensor::ones(), &mut grad), 27.0);
    assert_eq!(grad, Tensor::full(4.5));
    assert_eq!(seed.value(&Tensor::ones()), 27.0);
}

/// `value_and_grad` writes the gradient: a second call, or a call on a buffer full of
/// garbage, gives the same gradient, not the sum.
#[test]
fn value_and_grad_overwrites_the_gradient() {
    let f = fused::function(|x: Input<Rank1<3>>| (x.square() * 0.5 + x.sin()).sum());
    let x = Tensor::<Rank1<3>>::from([1.0, -2.0, 0.5]);
    let expected: Vec<f64> = x.iter().map(|x| x + x.cos()).collect();
    let mut grad = Tensor::zeros();
    let first = f.value_and_grad(&x, &mut grad);
    assert_eq!(grad.as_slice(), &expected[..]);
    let second = f.value_and_grad(&x, &mut grad);
    assert_eq!(first, second);
    assert_eq!(grad.as_slice(), &expected[..]);
    let mut garbage = Tensor::from([1e300, f64::NAN, -7.0]);
    f.value_and_grad(&x, &mut garbage);
    assert_eq!(garbage.as_slice(), &expected[..]);
    // The same for vjp.
    let g = fused::function(|x: Input<Rank1<3>>| x.square());
    let mut garbage = Tensor::from([1e300, f64::NAN, -7.0]);
    g.vjp(&x, &Tensor::from([1.0, 1.0, 1.0]), &mut garbage);
    assert_eq!(garbage.as_slice(), &[2.0, -4.0, 1.0]);
}

/// A graph is built once and replayed: its results depend only on the argument of each call.
#[test]
fn replays_are_pure_functions_of_the_argument() {
    let f = fused_rosenbrock!(3, 2);
    let (a, b) = (
        Tensor::from([0.3, -1.2, 2.0]),
        Tensor::from([1.0, 1.0, 1.0]),
    );
    let mut grad = Tensor::zeros();
    let first = (f.value_and_grad(&a, &mut grad), grad.clone());
    assert_eq!(f.value_and_grad(&b, &mut grad), 0.0);
    assert_eq!(f.value_and_grad(&a, &mut grad), first.0);
    assert_eq!(grad, first.1);
    // A copy is the same function.
    let g = f;
    assert_eq!(g.value(&a), f.value(&a));
}

#[test]
fn f32_graphs() {
    let f = fused::function(|x: Input<Rank1<3>, f32>| (x.square() * 0.5f32 + x.sin()).sum());
    let x = Tensor::<Rank1<3>, f32>::from([1.0, 2.0, 3.0]);
    let mut grad = Tensor::zeros();
    let value = f.value_and_grad(&x, &mut grad);
    let expected: f32 = x.iter().map(|x| 0.5 * x * x + x.sin()).sum();
    assert!((value - expected).abs() <= 1e-6 * expected.abs(), "{value}");
    for (g, x) in grad.iter().zip(x.iter()) {
        assert!((g - (x + x.cos())).abs() <= 1e-6, "{g} at {x}");
    }
    let check = f.check_gradient(&x);
    assert!(check.passed && check.tolerance == 1e-4, "{check}");
    // H = diag(1 - sin x).
    let hv = f.hvp(&x, &Tensor::from([1.0, 1.0, 1.0]));
    for (h, x) in hv.iter().zip(x.iter()) {
        assert!((h - (1.0 - x.sin())).abs() <= 1e-6, "{h} at {x}");
    }
    // Scalars on both sides, f32.
    let g = fused::function(|x: Input<Rank1<3>, f32>| 2.0f32 / x - 1.0f32 + -x);
    let expected: Vec<f32> = x.iter().map(|&x| 2.0 / x - 1.0 + -x).collect();
    assert_eq!(g.eval(&x).as_slice(), &expected[..]);
    let (y, dy) = g.jvp(&x, &Tensor::from([1.0, 1.0, 1.0]));
    assert_eq!(y, g.eval(&x));
    for (d, x) in dy.iter().zip(x.iter()) {
        let slope = -2.0 / (x * x) - 1.0;
        assert!((d - slope).abs() <= 1e-6 * slope.abs(), "{d} at {x}");
    }
}

/// The gradient of each elementwise op at fixed points, against its closed form (the
/// properties above compare with the tape; this one with calculus).
#[test]
fn elementwise_gradients_match_their_derivatives() {
    fn check(
        f: impl Fn(&Tensor<Rank1<4>>, &mut Tensor<Rank1<4>>) -> f64,
        value: impl Fn(f64) -> f64,
        slope: impl Fn(f64) -> f64,
        x: [f64; 4],
    ) {
        let mut grad = Tensor::zeros();
        let total = f(&Tensor::from(x), &mut grad);
        let expected: f64 = x.iter().map(|&x| value(x)).sum();
        assert!(
            relative(&[total], &[expected]) <= 1e-14,
            "{total} vs {expected}"
        );
        let slopes: Vec<f64> = x.iter().map(|&x| slope(x)).collect();
        assert!(
            relative(grad.as_slice(), &slopes) <= 1e-14,
            "{grad:?} vs {slopes:?}"
        );
    }
    macro_rules! case {
        (|$x:ident| $op:expr, $value:expr, $slope:expr, $at:expr) => {{
            let f = fused::function(|$x: Input<Rank1<4>>| ($op).sum());
            check(|x, g| f.value_and_grad(x, g), $value, $slope, $at);
        }};
    }
    let any = [0.3, -1.2, 2.5, 0.7];
    let positive = [0.3, 1.2, 2.5, 0.7];
    let sigmoid = |x: f64| 1.0 / (1.0 + (-x).exp());
    case!(|x| x.square(), |x| x * x, |x| 2.0 * x, any);
    case!(|x| x.sqrt(), f64::sqrt, |x| 0.5 / x.sqrt(), positive);
    case!(|x| x.exp(), f64::exp, f64::exp, any);
    case!(|x| x.ln(), f64::ln, |x| 1.0 / x, positive);
    case!(|x| x.sin(), f64::sin, f64::cos, any);
    case!(|x| x.cos(), f64::cos, |x| -x.sin(), any);
    case!(|x| x.tanh(), f64::tanh, |x| 1.0 - x.tanh().powi(2), any);
    case!(|x| x.sigmoid(), sigmoid, |x| sigmoid(x) * sigmoid(-x), any);
    case!(|x| x.softplus(), |x| x.exp().ln_1p(), sigmoid, any);
    case!(|x| x.relu(), |x| x.max(0.0), |x| f64::from(x > 0.0), any);
    case!(|x| x.abs(), f64::abs, f64::signum, any);
    case!(|x| x.powi(3), |x| x.powi(3), |x| 3.0 * x * x, any);
    case!(|x| x.powi(-2), |x| x.powi(-2), |x| -2.0 * x.powi(-3), any);
    case!(|x| -x, |x| -x, |_| -1.0, any);
    case!(|x| 4.0 / x, |x| 4.0 / x, |x| -4.0 / (x * x), any);
    case!(|x| 4.0 - x, |x| 4.0 - x, |_| -1.0, any);
    case!(|x| x / 4.0, |x| x / 4.0, |_| 0.25, any);
}

/// At the kinks, relu and abs take slope 0 (as the graph's), in both modes.
#[test]
fn relu_and_abs_at_zero() {
    let x = Tensor::from([0.0, -0.0, 1.0]);
    let f = fused::function(|x: Input<Rank1<3>>| x.relu().sum());
    let mut grad = Tensor::zeros();
    assert_eq!(f.value_and_grad(&x, &mut grad), 1.0);
    assert_eq!(grad.as_slice(), &[0.0, 0.0, 1.0]);
    assert_eq!(f.jvp(&x, &Tensor::from([1.0, 1.0, 1.0])), (1.0, 1.0));
    assert!(f.check_gradient(&x).passed);
    let f = fused::function(|x: Input<Rank1<3>>| x.abs().sum());
    let mut grad = Tensor::zeros();
    assert_eq!(f.value_and_grad(&x, &mut grad), 1.0);
    assert_eq!(grad.as_slice(), &[0.0, 0.0, 1.0]);
    assert_eq!(f.jvp(&x, &Tensor::from([1.0, 1.0, 1.0])), (1.0, 1.0));
    assert!(f.check_gradient(&x).passed);
}

/// `x⁰ = 1` has derivative 0 everywhere, 0 included (the graph's `powi(0)` writes 0).
#[test]
fn powi_zero_has_zero_gradient_at_zero() {
    let f = fused::function(|x: Input<Rank1<3>>| x.powi(0).sum());
    let x = Tensor::from([0.0, 2.0, -1.0]);
    let mut grad = Tensor::zeros();
    assert_eq!(f.value_and_grad(&x, &mut grad), 3.0);
    let tape = Graph::with(|g| {
        let p = g.param(x.clone());
        p.powi(0).sum().backward();
        p.grad()
    });
    assert_eq!(tape.as_slice(), &[0.0, 0.0, 0.0]);
    assert_eq!(grad.as_slice(), &[0.0, 0.0, 0.0]);
}

/// Saturated tanh and sigmoid: the tape's VJP switches to forms computed from `x` past
/// `|y| = 0.9` (tests/properties.rs, `saturated_tanh_and_sigmoid_vjps_keep_relative_precision`);
/// the fused gradient must keep the same relative precision, and agree with forward mode.
#[test]
fn saturated_tanh_and_sigmoid_keep_relative_precision() {
    let x = Tensor::<Rank1<4>>::from([8.0, 12.0, -12.0, 20.0]);
    let tape = Graph::with(|g| {
        let p = g.param(x.clone());
        p.tanh().sum().backward();
        let tanh = p.grad();
        g.zero_grad();
        p.sigmoid().sum().backward();
        (tanh, p.grad())
    });
    let tanh = fused::function(|x: Input<Rank1<4>>| x.tanh().sum());
    let sigmoid = fused::function(|x: Input<Rank1<4>>| x.sigmoid().sum());
    let mut failures = Vec::new();
    for (name, grad, check, expected) in [
        ("tanh", tanh.grad(&x), tanh.check_gradient(&x), &tape.0),
        (
            "sigmoid",
            sigmoid.grad(&x),
            sigmoid.check_gradient(&x),
            &tape.1,
        ),
    ] {
        for (i, (&f, &t)) in grad.iter().zip(expected.iter()).enumerate() {
            if (f - t).abs() > EXACT * t.abs() {
                failures.push(format!("{name}'({}): fused {f:e}, tape {t:e}", x[i]));
            }
        }
        if !check.passed {
            failures.push(format!("{name}: {check}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// ------------------------------------------------------------------------------------------
// Reported failures.

/// A derivative that is NaN (ln below 0) fails the check, and the report says so.
#[test]
fn a_nan_derivative_fails_the_check() {
    let f = fused::function(|x: Input<Rank1<2>>| x.ln().sum());
    let check = f.check_gradient(&Tensor::from([-1.0, 2.0]));
    assert!(!check.passed);
    assert!(check.rel_error.is_nan() && check.reverse.is_nan() && check.forward.is_nan());
    assert_eq!(check.tolerance, 1e-10);
    let message = check.to_string();
    assert!(message.starts_with("gradient check FAILED"), "{message}");
    assert!(message.contains("> tolerance"), "{message}");
    // The same function passes where it is defined.
    let check = f.check_gradient(&Tensor::from([1.0, 2.0]));
    assert!(check.passed, "{check}");
    assert!(check.to_string().starts_with("gradient check passed"));
}

/// The verdict's message, in full.
#[test]
fn a_failed_check_prints_both_derivatives() {
    let check = GradientCheck {
        forward: 2.0,
        reverse: 3.0,
        rel_error: 0.2,
        tolerance: 1e-10,
        passed: false,
    };
    assert_eq!(
        check.to_string(),
        "gradient check FAILED: ∇f·u = 2e0 (forward mode), <∇f, u> = 3e0 (reverse mode), \
         relative error 2.00e-1 > tolerance 1e-10"
    );
}

/// `x³` with a deliberately wrong slope, `2x²` instead of `3x²`.
#[derive(Clone, Copy)]
struct WrongCube;

impl Unary<f64> for WrongCube {
    fn apply<T: Elem<f64>>(&self, x: T) -> (T, T) {
        (x * x * x, x * x * 2.0)
    }
}

/// `x³` with its right slope.
#[derive(Clone, Copy)]
struct Cube;

impl Unary<f64> for Cube {
    fn apply<T: Elem<f64>>(&self, x: T) -> (T, T) {
        (x * x * x, x * x * 3.0)
    }
}

/// A user's elementwise function with a wrong slope: reverse mode uses the slope, forward mode
/// differentiates the value, and `check_gradient` reports the disagreement.
#[test]
fn a_wrong_slope_fails_the_check() {
    let x = Tensor::from([0.5, -1.0, 2.0]);
    let u = Tensor::from([1.0, 1.0, 1.0]);
    let wrong = fused::function(|x: Input<Rank1<3>>| x.map(WrongCube).sum());
    // Reverse mode follows the declared slope, forward mode the value.
    assert_eq!(wrong.grad(&x).as_slice(), &[0.5, 2.0, 8.0]);
    assert_eq!(wrong.jvp(&x, &u), (7.125, 0.75 + 3.0 + 12.0));
    let check = wrong.check_gradient(&x);
    assert!(!check.passed, "{check}");
    // <∇f, u> is 2/3 of ∇f·u for every u, so the relative error |f - r| / (Σ|gᵢ uᵢ| + |f|)
    // is at most (1/3) / (2/3 + 1) = 1/5 (when no term cancels), and far above the tolerance.
    assert!((check.reverse - 2.0 / 3.0 * check.forward).abs() <= 1e-12 * check.forward.abs());
    assert!(
        check.rel_error > 0.05 && check.rel_error <= 0.2 + 1e-12,
        "{check}"
    );
    assert!(
        check.to_string().starts_with("gradient check FAILED"),
        "{check}"
    );
    // The right slope passes, and matches the built-in powi.
    let right = fused::function(|x: Input<Rank1<3>>| x.map(Cube).sum());
    assert!(right.check_gradient(&x).passed);
    let powi = fused::function(|x: Input<Rank1<3>>| x.powi(3).sum());
    assert_eq!(right.grad(&x), powi.grad(&x));
}

/// The same wrong slope inside a tape graph (`Var::apply`): the graph's backward check finds
/// it and names the fused node.
#[test]
fn a_wrong_slope_inside_a_graph_is_named_by_the_backward_check() {
    let wrong = fused::function(|x: Input<Rank1<3>>| x.map(WrongCube).sum());
    let report = Graph::with(|g| {
        let x = g.param(Tensor::from([0.5, -1.0, 2.0]));
        (x.apply(wrong) * 2.0).backward_checked()
    });
    assert!(!report.passed, "{report}");
    let culprit = report
        .culprit
        .as_ref()
        .expect("the per-node checks find the culprit");
    assert_eq!((culprit.node, culprit.op), (1, "FusedBackward"));
    assert!(report.to_string().contains("FusedBackward"), "{report}");
}

/// A user's binary function through `zip_with`: the same as the built-in operators.
#[test]
fn a_user_binary_function() {
    /// `a b + a`, partials `b + 1` and `a`.
    #[derive(Clone, Copy)]
    struct MulAdd;
    impl Binary<f64> for MulAdd {
        fn apply<T: Elem<f64>>(&self, a: T, b: T) -> (T, T, T) {
            (a * b + a, b + T::one(), a)
        }
    }
    let user = fused::function(|x: Input<Rank1<4>>| {
        x.slice::<0, 3>()
            .zip_with(x.slice::<1, 3>().sin(), MulAdd)
            .mean()
    });
    let builtin = fused::function(|x: Input<Rank1<4>>| {
        let (a, b) = (x.slice::<0, 3>(), x.slice::<1, 3>().sin());
        (a * b + a).mean()
    });
    let x = Tensor::from([0.3, -1.2, 2.5, 0.7]);
    let (mut user_grad, mut builtin_grad) = (Tensor::zeros(), Tensor::zeros());
    let value = user.value_and_grad(&x, &mut user_grad);
    assert_eq!(value, builtin.value_and_grad(&x, &mut builtin_grad));
    assert!(relative(user_grad.as_slice(), builtin_grad.as_slice()) <= 1e-15);
    assert!(user.check_gradient(&x).passed);
}

/// `Var::apply`: a fused graph recorded as one node of a tape graph gives the fused graph's own
/// values and gradients, passes the graph's backward check, and composes with other nodes.
#[test]
fn fused_graphs_as_graph_nodes() {
    fn property(case: Case) -> TestResult {
        let terms = fused::function(|x: Input<V>| {
            let (head, tail) = (x.slice::<0, 5>(), x.slice::<1, 5>());
            (tail - head.square()).square() * 100.0 + (1.0 - head).square()
        });
        let energy = fused::function(|x: Input<V>| (x.sin() * x.exp() + x.sigmoid()).mean());
        let x0: Tensor<V> = case.argument(Domain::Any);
        let seed: Tensor<Rank1<5>> = tensor(&case.seed);
        let mut vjp = Tensor::zeros();
        let output = terms.vjp(&x0, &seed, &mut vjp);
        let mut grad = Tensor::zeros();
        let value = energy.value_and_grad(&x0, &mut grad);
        verdict(Graph::with_checked(|g| {
            let x = g.param(x0.clone());
            let y = x.apply(terms);
            within(
                "apply(Fused) vs eval",
                relative(y.value().as_slice(), output.as_slice()),
                0.0,
            )?;
            y.backward_with(&seed);
            within(
                "apply(Fused) backward_with vs vjp",
                relative(x.grad().as_slice(), vjp.as_slice()),
                EXACT,
            )?;
            g.zero_grad();
            let e = x.apply(energy);
            e.backward();
            within(
                "apply(Reduced) vs value",
                relative(&[e.item()], &[value]),
                EXACT,
            )?;
            within(
                "apply(Reduced) backward vs value_and_grad",
                relative(x.grad().as_slice(), grad.as_slice()),
                EXACT,
            )?;
            // Composed with tape ops on both sides: d/dx of 3 · energy(2x) is 6 ∇energy(2x).
            g.zero_grad();
            let composed = (x * 2.0).apply(energy) * 3.0;
            composed.backward();
            let scaled = energy.grad(&x0.map(|v| 2.0 * v)).map(|d| 6.0 * d);
            within(
                "apply inside a chain",
                relative(x.grad().as_slice(), scaled.as_slice()),
                EXACT,
            )
        }))
    }
    QuickCheck::new()
        .tests(CASES)
        .quickcheck(property as fn(Case) -> TestResult);
}

/// `Reduced::hessian` (one local step per element and position it reads) against whole
/// Hessian-vector products (forward over reverse over every element), on a graph whose
/// elements read overlapping slices, through a mean.
#[test]
fn hessian_matches_hessian_vector_products() {
    let f = fused::function(|x: Input<Rank1<5>>| {
        let (a, b, c) = (x.slice::<0, 3>(), x.slice::<1, 3>(), x.slice::<2, 3>());
        ((a * b).sin() + (c - a.square()).square() * 3.0 + b.exp() / (1.0 + c.square())).mean()
    });
    let x = Tensor::from([0.3, -0.7, 1.1, 0.4, -1.3]);
    let h = f.hessian(&x);
    for j in 0..5 {
        let mut e = Tensor::<Rank1<5>>::zeros();
        e[j] = 1.0;
        let column = f.hvp(&x, &e);
        for i in 0..5 {
            let (a, b) = (h[(i, j)], column[i]);
            assert!(
                (a - b).abs() <= 1e-13 * (1.0 + b.abs()),
                "H[{i}][{j}]: {a} vs {b}"
            );
            assert!(
                (h[(i, j)] - h[(j, i)]).abs() <= 1e-13 * (1.0 + b.abs()),
                "symmetry"
            );
        }
    }
}

/// `hessian_into` (stack buffers, one block per element) gives exactly the numbers of the
/// plain algorithm it implements, written here with the public `Node` steps on heap buffers:
/// for each element, each distinct position it reads, one forward and one reverse step on
/// dual numbers seeded at that position, the tangents added into column `p`. Bit for bit,
/// on a graph over slices of rows (stride 3) whose elements read a position more than once,
/// through a mean; and every entry of a dirty Jacobian is overwritten.
#[test]
fn hessian_into_is_the_local_forward_over_reverse_bit_for_bit() {
    use num_dual::Dual64;
    let elements = fused::function(|x: Input<Rank2<3, 3>>| {
        let (top, bottom) = (x.slice_rows::<0, 2>(), x.slice_rows::<1, 2>());
        (top * bottom).sin()
            + (bottom - top.square()).square() * 3.0
            + top.exp() / (1.0 + bottom.square())
    });
    let f = elements.mean();
    let x = Tensor::<Rank2<3, 3>>::from([[0.3, -0.7, 1.1], [0.4, -1.3, 0.9], [-0.2, 0.6, 1.7]]);
    let node = elements.node();
    let mut expected = vec![vec![0.0; 9]; 9];
    let mut duals: Vec<Dual64> = x.iter().map(|&re| Dual64::from_re(re)).collect();
    let mut grad = vec![Dual64::from_re(0.0); 9];
    for i in 0..6 {
        let mut positions = Vec::new();
        node.reads(i, &mut |p| {
            if !positions.contains(&p) {
                positions.push(p);
            }
        });
        assert_eq!(positions, [i, i + 3], "element {i} reads its two rows");
        for &p in &positions {
            duals[p].eps = 1.0;
            let (_, local) = node.at(&duals, i);
            node.back(local, Dual64::from_re(1.0 / 6.0), &mut grad, i);
            duals[p].eps = 0.0;
            for &q in &positions {
                expected[q][p] += grad[q].eps;
                grad[q] = Dual64::from_re(0.0);
            }
        }
    }
    let mut h = Jacobian::zeros();
    for i in 0..9 {
        for j in 0..9 {
            h[(i, j)] = f64::NAN;
        }
    }
    f.hessian_into(&x, &mut h);
    for (i, row) in expected.iter().enumerate() {
        assert_eq!(h.row(i), row.as_slice(), "row {i}");
    }
    assert_eq!(h, f.hessian(&x));
    // Not a vacuous comparison: the blocks are there (x[0] meets x[3], not x[1]), and agree
    // with a whole Hessian-vector product.
    assert!(h[(0, 3)] != 0.0 && h[(0, 1)] == 0.0 && h[(0, 0)] != 0.0);
    let mut e = Tensor::<Rank2<3, 3>>::zeros();
    e.as_mut_slice()[0] = 1.0;
    let column = f.hvp(&x, &e);
    for q in 0..9 {
        let (a, b) = (h[(q, 0)], column.as_slice()[q]);
        assert!(
            (a - b).abs() <= 1e-14 * (1.0 + b.abs()),
            "H[{q}][0]: {a} vs {b}"
        );
    }
}
