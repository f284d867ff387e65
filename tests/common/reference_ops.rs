//! The reference table: one row per registered elementwise op, from which the test binaries
//! generate their per-op tests (`tests/registry.rs`) and the steps of their random chains
//! (`tests/properties.rs`). A new op needs one row here; the registry-completeness test in
//! `tests/registry.rs` fails, naming the op, until it has one.
//!
//! A row, unary or binary:
//!
//! ```text
//! unary name: |x| op(x);                  the op, as tokens that apply to a `Var` and a `Fused`
//!     domain D;                           where value and derivative are smooth (a `Domain`)
//!     value |x| f(x);                     the reference value, plain f64
//!     derivative |x| f'(x);               the reference derivative, plain f64
//!     total |y| op(map(y));               a chain step: the op after a map into its domain,
//!                                         total on any finite input
//! binary name: |a, b| op(a, b);
//!     domain (Da, Db);                    `Db` may depend on `a` (`AwayFromA`)
//!     value |a, b| f(a, b);
//!     partials |a, b| (∂f/∂a, ∂f/∂b);
//!     total |y, a, b| op(y, a or b);      the chain's value `y` and the case's two inputs
//! ```
//!
//! The reference columns are written from a table of known derivatives, not from the crate's
//! rules (`tanh' = 1 / cosh²`, not `1 - y²`; `sigmoid' = e⁻ˣ / (1 + e⁻ˣ)²`, not `y (1 - y)`).
//! A row may end with `tolerance t;` where the crate's form and the reference's round
//! differently by more than the default (none does today).
//!
//! Use: `reference_ops!(callback)` expands to `callback! { <every row> }`.

/// Where an input's elements lie: each maps a uniform `u` in `[-1, 1]` (and, for the second
/// input of a binary op, the first input's element `a`) into the domain.
#[derive(Clone, Copy, Debug)]
pub enum Domain {
    /// `[-2.5, 2.5]`.
    Any,
    /// `[0.2, 2.2]`: ln, sqrt, powf, the base of pow.
    Positive,
    /// `[-2.2, -0.2] ∪ [0.2, 2.2]`: divisors, and the kinks of relu, abs, leaky_relu at 0.
    NonZero,
    /// `[lo, hi]`.
    Interval(f64, f64),
    /// `[-2.5, 2.5]` but at least 0.1 from each listed point (clamp bounds).
    Avoid(&'static [f64]),
    /// At least 0.1 away from the first input, elementwise (maximum, minimum ties).
    AwayFromA,
}

impl Domain {
    /// The point of the domain for the uniform `u` (and the first input's element `a`).
    pub fn map(self, u: f64, a: f64) -> f64 {
        let away = |u: f64| u.signum() * (0.2 + 2.0 * u.abs());
        match self {
            Domain::Any => 2.5 * u,
            Domain::Positive => 0.2 + 2.0 * u.abs(),
            Domain::NonZero => away(if u == 0.0 { 1.0 } else { u }),
            Domain::Interval(lo, hi) => lo + (hi - lo) * 0.5 * (u + 1.0),
            Domain::Avoid(points) => {
                let mut y = 2.5 * u;
                for &p in points {
                    if (y - p).abs() < 0.1 {
                        y = if y >= p { p + 0.1 } else { p - 0.1 };
                    }
                }
                y
            }
            Domain::AwayFromA => a + (if u >= 0.0 { 0.1 } else { -0.1 }) + u,
        }
    }
}

/// The table (see the module docs): `reference_ops!(callback)` is `callback! { rows }`.
macro_rules! reference_ops {
    ($callback:ident) => {
        $callback! {
            // Arithmetic with a scalar constant.
            unary neg: |x| -x;
                domain Any;
                value |x| -x;
                derivative |_| -1.0;
                total |y| -y;
            unary add_scalar: |x| x + 1.7;
                domain Any;
                value |x| x + 1.7;
                derivative |_| 1.0;
                total |y| y + 1.7;
            unary scalar_add: |x| 1.7 + x;
                domain Any;
                value |x| 1.7 + x;
                derivative |_| 1.0;
                total |y| 0.4 + y;
            unary sub_scalar: |x| x - 0.3;
                domain Any;
                value |x| x - 0.3;
                derivative |_| 1.0;
                total |y| y * 1.3 - 0.2;
            unary rsub_scalar: |x| 2.0 - x;
                domain Any;
                value |x| 2.0 - x;
                derivative |_| -1.0;
                total |y| 1.0 - y;
            unary mul_scalar: |x| x * -1.3;
                domain Any;
                value |x| x * -1.3;
                derivative |_| -1.3;
                total |y| y * -1.3;
            unary scalar_mul: |x| 0.6 * x;
                domain Any;
                value |x| 0.6 * x;
                derivative |_| 0.6;
                total |y| 0.6 * y;
            unary div_scalar: |x| x / 0.7;
                domain Any;
                value |x| x / 0.7;
                derivative |_| 1.0 / 0.7;
                total |y| y / 0.7;
            unary rdiv_scalar: |x| 1.5 / x;
                domain NonZero;
                value |x| 1.5 / x;
                derivative |x| -1.5 / (x * x);
                total |y| 2.0 / (y.square() + 1.0);

            // Powers and roots.
            unary square: |x| x.square();
                domain Any;
                value |x| x * x;
                derivative |x| 2.0 * x;
                total |y| y.square();
            unary powi: |x| x.powi(3);
                domain Any;
                value |x| x * x * x;
                derivative |x| 3.0 * x * x;
                total |y| y.sin().powi(3);
            unary powi_negative: |x| x.powi(-2);
                domain NonZero;
                value |x| 1.0 / (x * x);
                derivative |x| -2.0 / (x * x * x);
                total |y| (y.square() + 0.5).powi(-2);
            unary powi_zero: |x| x.powi(0);
                domain Any;
                value |_| 1.0;
                derivative |_| 0.0;
                total |y| y.powi(0) + y;
            unary powf: |x| x.powf(1.7);
                domain Positive;
                value |x| (1.7 * x.ln()).exp();
                derivative |x| 1.7 * (0.7 * x.ln()).exp();
                total |y| (y.square() + 1.0).powf(0.7);
            unary sqrt: |x| x.sqrt();
                domain Positive;
                value |x| x.sqrt();
                derivative |x| 0.5 / x.sqrt();
                total |y| (y.square() + 0.1).sqrt();

            // Kinks and gradient control.
            unary abs: |x| x.abs();
                domain NonZero;
                value |x| if x < 0.0 { -x } else { x };
                derivative |x| if x < 0.0 { -1.0 } else { 1.0 };
                total |y| y.abs();
            unary clamp: |x| x.clamp(-0.5, 1.0);
                domain Avoid(&[-0.5, 1.0]);
                value |x| x.max(-0.5).min(1.0);
                derivative |x| if (-0.5..=1.0).contains(&x) { 1.0 } else { 0.0 };
                total |y| y.clamp(-1.0, 1.0);
            unary stop_gradient: |x| x.stop_gradient();
                domain Any;
                value |x| x;
                derivative |_| 0.0;
                total |y| y + y.stop_gradient();

            // Exponentials and logarithms.
            unary exp: |x| x.exp();
                domain Any;
                value |x| x.exp();
                derivative |x| x.exp();
                total |y| y.sin().exp();
            unary expm1: |x| x.expm1();
                domain Any;
                value |x| x.exp_m1();
                derivative |x| x.exp();
                total |y| y.sin().expm1();
            unary ln: |x| x.ln();
                domain Positive;
                value |x| x.ln();
                derivative |x| 1.0 / x;
                total |y| (y.square() + 0.5).ln();
            unary log1p: |x| x.log1p();
                domain Interval(-0.8, 2.5);
                value |x| x.ln_1p();
                derivative |x| 1.0 / (1.0 + x);
                total |y| y.square().log1p();

            // Trigonometric and hyperbolic.
            unary sin: |x| x.sin();
                domain Any;
                value |x| x.sin();
                derivative |x| x.cos();
                total |y| y.sin();
            unary cos: |x| x.cos();
                domain Any;
                value |x| x.cos();
                derivative |x| -x.sin();
                total |y| y.cos();
            unary tan: |x| x.tan();
                domain Interval(-1.2, 1.2);
                value |x| x.sin() / x.cos();
                derivative |x| 1.0 / (x.cos() * x.cos());
                total |y| y.sin().tan();
            unary atan: |x| x.atan();
                domain Any;
                value |x| x.atan();
                derivative |x| 1.0 / (1.0 + x * x);
                total |y| (y * 2.0).atan();
            unary asinh: |x| x.asinh();
                domain Any;
                value |x| x.asinh();
                derivative |x| 1.0 / (1.0 + x * x).sqrt();
                total |y| (y * 2.0).asinh();
            unary tanh: |x| x.tanh();
                domain Any;
                value |x| x.tanh();
                derivative |x| 1.0 / (x.cosh() * x.cosh());
                total |y| y.tanh();

            // Activations.
            unary sigmoid: |x| x.sigmoid();
                domain Any;
                value |x| 1.0 / (1.0 + (-x).exp());
                derivative |x| (-x).exp() / ((1.0 + (-x).exp()) * (1.0 + (-x).exp()));
                total |y| (y * 4.0).sigmoid();
            unary relu: |x| x.relu();
                domain NonZero;
                value |x| if x > 0.0 { x } else { 0.0 };
                derivative |x| if x > 0.0 { 1.0 } else { 0.0 };
                total |y| y.relu() + y * 0.5;
            unary leaky_relu: |x| x.leaky_relu(0.1);
                domain NonZero;
                value |x| if x > 0.0 { x } else { 0.1 * x };
                derivative |x| if x > 0.0 { 1.0 } else { 0.1 };
                total |y| y.leaky_relu(0.1);
            unary softplus: |x| x.softplus();
                domain Any;
                value |x| x.exp().ln_1p();
                derivative |x| 1.0 / (1.0 + (-x).exp());
                total |y| y.softplus();

            // Between two nodes.
            binary add: |a, b| a + b;
                domain (Any, Any);
                value |a, b| a + b;
                partials |_, _| (1.0, 1.0);
                total |y, _a, b| y + b;
            binary sub: |a, b| a - b;
                domain (Any, Any);
                value |a, b| a - b;
                partials |_, _| (1.0, -1.0);
                total |y, a, _b| y - a;
            binary mul: |a, b| a * b;
                domain (Any, Any);
                value |a, b| a * b;
                partials |a, b| (b, a);
                total |y, a, _b| y * a;
            binary div: |a, b| a / b;
                domain (Any, NonZero);
                value |a, b| a / b;
                partials |a, b| (1.0 / b, -a / (b * b));
                total |y, _a, b| y / (b.square() + 1.0);
            binary maximum: |a, b| a.maximum(b);
                domain (Any, AwayFromA);
                value |a, b| if a > b { a } else { b };
                partials |a, b| if a > b { (1.0, 0.0) } else { (0.0, 1.0) };
                total |y, a, _b| y.maximum(a);
            binary minimum: |a, b| a.minimum(b);
                domain (Any, AwayFromA);
                value |a, b| if a < b { a } else { b };
                partials |a, b| if a < b { (1.0, 0.0) } else { (0.0, 1.0) };
                total |y, _a, b| y.minimum(b);
            binary pow: |a, b| a.pow(b);
                domain (Positive, Any);
                value |a, b| (b * a.ln()).exp();
                partials |a, b| (b * ((b - 1.0) * a.ln()).exp(), (b * a.ln()).exp() * a.ln());
                total |y, _a, b| (y.sigmoid() + 0.1).pow(b);
            binary hypot: |a, b| a.hypot(b);
                domain (Any, Any);
                value |a, b| (a * a + b * b).sqrt();
                partials |a, b| (a / (a * a + b * b).sqrt(), b / (a * a + b * b).sqrt());
                total |y, _a, b| y.hypot(b);
        }
    };
}
pub(crate) use reference_ops;
