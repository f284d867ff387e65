//! Every registered elementwise op against its reference row (`tests/common/reference_ops.rs`):
//! the tests here are generated from that table, so a new op's tests are its one row.
//!
//! Per row, four tests, each on three fixed cases spread over the row's domain and on
//! [`CASES`] quickcheck cases (6 elements per operand; binary ops on two parameters, or on
//! two slices of one fused argument):
//! - `graph_reverse`: the [`Graph`]'s value, `backward_with(seed)` and `sum().backward()`
//!   gradients against the reference value and derivative, on the plain and on the
//!   cross-checked graph;
//! - `graph_forward`: the Graph's forward mode (`jacobian_fwd` of each operand, exactly
//!   diagonal, and one `jvp` along both operands) against the reference derivative, and the
//!   Jacobian's eight-tangent pass against one-tangent `jvp` columns, bit for bit (up to
//!   the sign of zero);
//! - `fused`: the fused graph's `eval`, `vjp`, `jvp`, and of its `sum()` and `mean()`
//!   `value_and_grad` and `jvp`, against the reference; `check_gradient` passes;
//! - `graph_vs_fused`: the two engines agree (values, seeded VJP, gradient of the sum, JVP).
//!
//! Tolerance: [`EXACT`] relative per element (a row may set its own); an element whose
//! reference is 0 must be 0. Sums and directional derivatives are measured against the sum of
//! the absolute terms (as `check_gradient` does), so that cancellation between terms does not
//! turn rounding into a large relative error.
//!
//! And the registry's completeness: every `grad_fn` label in
//! [`registered_ops`](tygrad::ops_reference::registered_ops) is recorded by some row, every
//! row records a registered op, and every registered method is documented in `docs/ops.md`.

#[path = "common/reference_ops.rs"]
mod reference_ops;

use quickcheck::{Arbitrary, Gen, QuickCheck, TestResult};
use reference_ops::Domain;
use tygrad::fused::{self, Fused, Node};
use tygrad::ops_reference::registered_ops;
use tygrad::prelude::*;

/// Elements per operand.
const N: usize = 6;
type X = Rank1<N>;
/// The argument of a binary op's fused graph: `a` then `b`.
type Pair = Rank1<{ 2 * N }>;
type Param<'g> = Var<'g, X, f64, kind::Param>;
/// A row's op on the Graph (a unary op ignores `b`).
type GraphOp = for<'g> fn(Param<'g>, Param<'g>) -> Var<'g, X>;

/// Random cases per row and test (the fixed ones come on top).
const CASES: u64 = 200;
/// Reference vs crate: both exact up to rounding (the forms differ, so a few ulps apart).
const EXACT: f64 = 1e-12;

/// One row of the table, as the generic checks read it.
struct Row {
    name: &'static str,
    arity: usize,
    domains: (Domain, Domain),
    graph: GraphOp,
    /// `f(a, b)` (a unary row ignores `b`).
    value: fn(f64, f64) -> f64,
    /// `(∂f/∂a, ∂f/∂b)` (`∂f/∂b = 0` for a unary row).
    partials: fn(f64, f64) -> (f64, f64),
    tolerance: f64,
}

/// One random case: uniforms in `[-1, 1]` for both operands, an output seed, and a tangent
/// per operand.
#[derive(Clone, Debug)]
struct Case {
    a: Vec<f64>,
    b: Vec<f64>,
    seed: Vec<f64>,
    u: Vec<f64>,
    v: Vec<f64>,
}

fn unit(g: &mut Gen) -> f64 {
    // From an integer: quickcheck's own f64 generator yields NaN and infinities.
    f64::from(u32::arbitrary(g)) / f64::from(u32::MAX) * 2.0 - 1.0
}

impl Arbitrary for Case {
    fn arbitrary(g: &mut Gen) -> Self {
        let mut vector = || (0..N).map(|_| unit(g)).collect();
        Case {
            a: vector(),
            b: vector(),
            seed: vector(),
            u: vector(),
            v: vector(),
        }
    }

    fn shrink(&self) -> Box<dyn Iterator<Item = Self>> {
        // The operands pulled halfway towards the middle of their domains.
        if self.a.iter().chain(&self.b).any(|x| x.abs() > 1e-3) {
            let mut c = self.clone();
            c.a.iter_mut().chain(c.b.iter_mut()).for_each(|x| *x *= 0.5);
            Box::new(std::iter::once(c))
        } else {
            Box::new(std::iter::empty())
        }
    }
}

/// Fixed cases: the operands' uniforms cover `[-1, 1]` (both ends included, 0 excluded), in
/// different orders for `a` and `b`.
fn fixed_cases() -> [Case; 3] {
    let spread = [-1.0, -0.55, -0.2, 0.1, 0.45, 1.0];
    let other = [0.7, -0.35, 0.95, -0.8, 0.25, -0.05];
    let seed = [1.0, -0.5, 2.0, 0.25, -1.5, 0.75];
    let case = |a: [f64; N], b: [f64; N]| Case {
        a: a.to_vec(),
        b: b.to_vec(),
        seed: seed.to_vec(),
        u: other.to_vec(),
        v: spread.iter().rev().copied().collect(),
    };
    let reversed = {
        let mut r = spread;
        r.reverse();
        r
    };
    [
        case(spread, other),
        case(other, spread),
        case(reversed, [0.3, 0.3, -0.9, -0.6, 0.6, 0.15]),
    ]
}

/// A case in a row's domains, with the reference's numbers there.
struct Point {
    a: [f64; N],
    b: [f64; N],
    seed: [f64; N],
    u: [f64; N],
    v: [f64; N],
    value: [f64; N],
    da: [f64; N],
    db: [f64; N],
}

fn array(f: impl FnMut(usize) -> f64) -> [f64; N] {
    std::array::from_fn(f)
}

fn tensor<S: Shape>(data: &[f64]) -> Tensor<S> {
    Tensor::from_slice(data).unwrap()
}

impl Row {
    fn point(&self, case: &Case) -> Point {
        let (da, db) = self.domains;
        let a = array(|i| da.map(case.a[i], 0.0));
        let b = array(|i| db.map(case.b[i], a[i]));
        let partials: Vec<(f64, f64)> = (0..N).map(|i| (self.partials)(a[i], b[i])).collect();
        Point {
            a,
            b,
            seed: array(|i| case.seed[i]),
            u: array(|i| case.u[i]),
            v: array(|i| case.v[i]),
            value: array(|i| (self.value)(a[i], b[i])),
            da: array(|i| partials[i].0),
            db: array(|i| partials[i].1),
        }
    }

    /// The `grad_fn` label of the row's node.
    fn label(&self) -> Option<&'static str> {
        let p = self.point(&fixed_cases()[0]);
        Graph::with(|g| (self.graph)(g.param(tensor(&p.a)), g.param(tensor(&p.b))).grad_fn())
    }

    /// The fused graph's argument for the point: `a`, or `a` then `b`.
    fn argument<A: Shape>(&self, a: &[f64; N], b: &[f64; N]) -> Tensor<A> {
        let mut data = a.to_vec();
        if self.arity == 2 {
            data.extend(b);
        }
        tensor(&data)
    }
}

/// Comparisons at one point, reporting the row, the element and its inputs.
struct Compare<'a> {
    row: &'a Row,
    p: &'a Point,
}

impl Compare<'_> {
    /// `|got - want| <= tolerance · scale`; equal numbers always pass, NaN never.
    fn close(&self, what: &str, i: usize, got: f64, want: f64, scale: f64) -> Result<(), String> {
        let err = (got - want).abs();
        if got == want || err <= self.row.tolerance * scale {
            return Ok(());
        }
        let at = match self.row.arity {
            1 => format!("x = {:?}", self.p.a[i]),
            _ => format!("a = {:?}, b = {:?}", self.p.a[i], self.p.b[i]),
        };
        Err(format!(
            "{}: {what} at element {i} ({at}): got {got:?}, reference {want:?}, error {:e} \
             relative to {scale:e} (> {:e})",
            self.row.name,
            err / scale,
            self.row.tolerance
        ))
    }

    /// Element by element, relative to the reference.
    /// A fused argument's gradient (`a` then `b`) is reported by operand.
    fn each(&self, what: &str, got: &[f64], want: &[f64]) -> Result<(), String> {
        assert_eq!(got.len(), want.len(), "{what}: lengths");
        for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
            if i < N {
                self.close(what, i, g, w, w.abs())?;
            } else {
                self.close(&format!("{what}, wrt b"), i - N, g, w, w.abs())?;
            }
        }
        Ok(())
    }

    /// The reference's directional derivative `∂a·u + ∂b·v` per element, and the sum of the
    /// absolute terms.
    fn directional(&self) -> ([f64; N], [f64; N]) {
        let p = self.p;
        (
            array(|i| p.da[i] * p.u[i] + p.db[i] * p.v[i]),
            array(|i| (p.da[i] * p.u[i]).abs() + (p.db[i] * p.v[i]).abs()),
        )
    }

    /// Element by element, relative to `scale`.
    fn each_scaled(
        &self,
        what: &str,
        got: &[f64],
        want: &[f64],
        scale: &[f64],
    ) -> Result<(), String> {
        for i in 0..N {
            self.close(what, i, got[i], want[i], scale[i])?;
        }
        Ok(())
    }

    /// The fused argument's gradient the reference gives for adjoints `w`: `w·∂a` (then
    /// `w·∂b` for a binary op).
    fn argument_grad(&self, w: impl Fn(usize) -> f64) -> Vec<f64> {
        let mut grad: Vec<f64> = (0..N).map(|i| w(i) * self.p.da[i]).collect();
        if self.row.arity == 2 {
            grad.extend((0..N).map(|i| w(i) * self.p.db[i]));
        }
        grad
    }
}

fn sum_and_scale(values: &[f64]) -> (f64, f64) {
    values
        .iter()
        .fold((0.0, 0.0), |(s, t), v| (s + v, t + v.abs()))
}

/// (a) Value and reverse-mode gradients on the Graph, plain and cross-checked.
fn graph_reverse(row: &Row, case: &Case) -> Result<(), String> {
    let p = row.point(case);
    Graph::with(|g| graph_reverse_on(g, row, &p))?;
    Graph::with_checked(|g| graph_reverse_on(g, row, &p))
}

fn graph_reverse_on<'g>(g: &'g Graph<'g>, row: &Row, p: &Point) -> Result<(), String> {
    let c = Compare { row, p };
    let a = g.param(tensor(&p.a));
    let b = g.param(tensor(&p.b));
    let y = (row.graph)(a, b);
    c.each("Graph value", y.value().as_slice(), &p.value)?;
    y.backward_with(&tensor(&p.seed));
    let (seed_da, seed_db) = (
        array(|i| p.seed[i] * p.da[i]),
        array(|i| p.seed[i] * p.db[i]),
    );
    c.each("backward_with(seed): grad a", a.grad().as_slice(), &seed_da)?;
    c.each("backward_with(seed): grad b", b.grad().as_slice(), &seed_db)?;
    g.zero_grad();
    y.sum().backward();
    c.each("sum().backward(): grad a", a.grad().as_slice(), &p.da)?;
    c.each("sum().backward(): grad b", b.grad().as_slice(), &p.db)
}

/// (b) Forward mode on the Graph: both Jacobians and a JVP along both operands.
fn graph_forward(row: &Row, case: &Case) -> Result<(), String> {
    let p = row.point(case);
    Graph::with(|g| {
        let c = Compare { row, p: &p };
        let a = g.param(tensor(&p.a));
        let b = g.param(tensor(&p.b));
        let y = (row.graph)(a, b);
        for (name, x, d) in [("a", a, &p.da), ("b", b, &p.db)] {
            let jacobian = y.jacobian_fwd(x);
            for i in 0..N {
                for j in 0..N {
                    let want = if i == j { d[i] } else { 0.0 };
                    let what = format!("jacobian_fwd({name}) entry ({i}, {j})");
                    c.close(&what, i, jacobian[(i, j)], want, want.abs())?;
                }
            }
            // The Jacobian's eight-tangent pass is the one-tangent pass, bit for bit up to the
            // sign of a zero (a constant's tangent is no number at all there, so `-0 · x`
            // is never formed).
            for j in 0..N {
                let column = y.jvp(&[x.tangent(&tensor(&array(|k| f64::from(k == j))))]);
                for (i, &single) in column.as_slice().iter().enumerate() {
                    let multi = jacobian[(i, j)];
                    if multi != single && !(multi.is_nan() && single.is_nan()) {
                        return Err(format!(
                            "jacobian_fwd({name}) entry ({i}, {j}) is {multi:e} by the eight-tangent \
                             pass, {single:e} by a one-tangent jvp"
                        ));
                    }
                }
            }
        }
        let jvp = y.jvp(&[a.tangent(&tensor(&p.u)), b.tangent(&tensor(&p.v))]);
        let (want, scale) = c.directional();
        c.each_scaled("Graph jvp", jvp.as_slice(), &want, &scale)
    })
}

/// (c) The fused graph `f` of the row's op against the reference.
fn fused_checks<A: Shape, E: Node<f64, Arg = A>>(
    row: &Row,
    f: Fused<X, E>,
    case: &Case,
) -> Result<(), String> {
    let p = row.point(case);
    let c = Compare { row, p: &p };
    let x: Tensor<A> = row.argument(&p.a, &p.b);
    let tangent: Tensor<A> = row.argument(&p.u, &p.v);
    c.each("Fused eval", f.eval(&x).as_slice(), &p.value)?;

    let mut grad = Tensor::<A>::zeros();
    let out = f.vjp(&x, &tensor(&p.seed), &mut grad);
    c.each("Fused vjp's output", out.as_slice(), &p.value)?;
    c.each(
        "Fused vjp",
        grad.as_slice(),
        &c.argument_grad(|i| p.seed[i]),
    )?;

    let (out, dy) = f.jvp(&x, &tangent);
    c.each("Fused jvp's output", out.as_slice(), &p.value)?;
    let (want, scale) = c.directional();
    c.each_scaled("Fused jvp", dy.as_slice(), &want, &scale)?;

    let (total, total_scale) = sum_and_scale(&p.value);
    let (slope, slope_scale) = (want.iter().sum::<f64>(), scale.iter().sum::<f64>());
    for (reduction, reduced, weight) in [("sum", f.sum(), 1.0), ("mean", f.mean(), 1.0 / N as f64)]
    {
        let value = reduced.value_and_grad(&x, &mut grad);
        let what = format!("Fused {reduction}().value_and_grad");
        c.close(
            &format!("{what}'s value"),
            0,
            value,
            weight * total,
            weight * total_scale,
        )?;
        c.each(&what, grad.as_slice(), &c.argument_grad(|_| weight))?;
        let (value, derivative) = reduced.jvp(&x, &tangent);
        let what = format!("Fused {reduction}().jvp");
        c.close(
            &format!("{what}'s value"),
            0,
            value,
            weight * total,
            weight * total_scale,
        )?;
        c.close(&what, 0, derivative, weight * slope, weight * slope_scale)?;
        let check = reduced.check_gradient(&x);
        if !check.passed {
            return Err(format!(
                "{}: Fused {reduction}().check_gradient: {check}",
                row.name
            ));
        }
    }
    Ok(())
}

/// (d) The Graph and the fused graph `f` agree.
fn graph_vs_fused<A: Shape, E: Node<f64, Arg = A>>(
    row: &Row,
    f: Fused<X, E>,
    case: &Case,
) -> Result<(), String> {
    let p = row.point(case);
    Graph::with(|g| {
        let c = Compare { row, p: &p };
        let x: Tensor<A> = row.argument(&p.a, &p.b);
        let a = g.param(tensor(&p.a));
        let b = g.param(tensor(&p.b));
        let y = (row.graph)(a, b);
        c.each(
            "Graph value vs Fused eval",
            y.value().as_slice(),
            f.eval(&x).as_slice(),
        )?;

        let graph_grad = || {
            let mut grad = a.grad().as_slice().to_vec();
            if row.arity == 2 {
                grad.extend(b.grad().iter());
            }
            grad
        };
        let mut grad = Tensor::<A>::zeros();
        f.vjp(&x, &tensor(&p.seed), &mut grad);
        y.backward_with(&tensor(&p.seed));
        c.each(
            "Graph backward_with vs Fused vjp",
            &graph_grad(),
            grad.as_slice(),
        )?;

        g.zero_grad();
        let sum = y.sum();
        sum.backward();
        let fused_sum = f.sum().value_and_grad(&x, &mut grad);
        c.each(
            "Graph sum().backward() vs Fused sum().value_and_grad",
            &graph_grad(),
            grad.as_slice(),
        )?;
        let (_, scale) = sum_and_scale(&p.value);
        c.close("Graph sum vs Fused sum", 0, sum.item(), fused_sum, scale)?;

        let tangent: Tensor<A> = row.argument(&p.u, &p.v);
        let jvp = y.jvp(&[a.tangent(&tensor(&p.u)), b.tangent(&tensor(&p.v))]);
        let (_, scale) = c.directional();
        let (_, fused_jvp) = f.jvp(&x, &tangent);
        c.each_scaled(
            "Graph jvp vs Fused jvp",
            jvp.as_slice(),
            fused_jvp.as_slice(),
            &scale,
        )
    })
}

fn verdict(result: Result<(), String>) -> TestResult {
    match result {
        Ok(()) => TestResult::passed(),
        Err(message) => TestResult::error(message),
    }
}

/// `check` on the fixed cases, then `property` (the same check) on random ones.
fn run(check: impl Fn(&Case) -> Result<(), String>, property: fn(Case) -> TestResult) {
    for case in fixed_cases() {
        if let Err(message) = check(&case) {
            panic!("fixed case {case:?}: {message}");
        }
    }
    QuickCheck::new().tests(CASES).quickcheck(property);
}

/// The tests of one row (see the module docs), in a module named after it.
macro_rules! registry_tests {
    ($(
        $kind:ident $name:ident: |$($x:pat_param),+| $op:expr;
        domain $domain:expr;
        value |$($vx:pat_param),+| $value:expr;
        $derivative:ident |$($dx:pat_param),+| $slope:expr;
        total |$($tx:pat_param),+| $total:expr;
        $(tolerance $tolerance:expr;)?
    )*) => {
        $(registry_tests!(@row $kind $name [$($x),+] $op; $domain;
            [$($vx),+] $value; [$($dx),+] $slope; [$($tolerance)?]);)*

        /// Every row of the table.
        const ROWS: &[&Row] = &[$(&$name::ROW),*];
    };

    (@row unary $name:ident [$x:pat_param] $op:expr; $domain:expr;
        [$vx:pat_param] $value:expr; [$dx:pat_param] $slope:expr; [$($tolerance:expr)?]) => {
        mod $name {
            use super::*;

            fn on_graph<'g>($x: Param<'g>, _: Param<'g>) -> Var<'g, X> {
                $op
            }
            fn value($vx: f64, _: f64) -> f64 {
                $value
            }
            fn partials($dx: f64, _: f64) -> (f64, f64) {
                ($slope, 0.0)
            }
            fn fused_graph() -> Fused<X, impl Node<f64, Arg = X>> {
                fused::function(|$x: fused::Input<X>| $op)
            }

            registry_tests!(@tests {
                use reference_ops::Domain::*;
                ($domain, Any)
            }, 1, [$($tolerance)?]);
        }
    };

    (@row binary $name:ident [$a:pat_param, $b:pat_param] $op:expr; $domain:expr;
        [$va:pat_param, $vb:pat_param] $value:expr; [$da:pat_param, $db:pat_param] $partials:expr;
        [$($tolerance:expr)?]) => {
        mod $name {
            use super::*;

            fn on_graph<'g>($a: Param<'g>, $b: Param<'g>) -> Var<'g, X> {
                $op
            }
            fn value($va: f64, $vb: f64) -> f64 {
                $value
            }
            fn partials($da: f64, $db: f64) -> (f64, f64) {
                $partials
            }
            fn fused_graph() -> Fused<X, impl Node<f64, Arg = Pair>> {
                fused::function(|x: fused::Input<Pair>| {
                    let ($a, $b) = (x.slice::<0, N>(), x.slice::<N, N>());
                    $op
                })
            }

            registry_tests!(@tests {
                use reference_ops::Domain::*;
                $domain
            }, 2, [$($tolerance)?]);
        }
    };

    (@tests $domains:expr, $arity:expr, [$($tolerance:expr)?]) => {
        pub(super) const ROW: Row = Row {
            name: module_path!(),
            arity: $arity,
            domains: $domains,
            graph: on_graph,
            value,
            partials,
            tolerance: registry_tests!(@or [$($tolerance)?] EXACT),
        };

        #[test]
        fn graph_reverse() {
            fn property(case: Case) -> TestResult {
                verdict(super::graph_reverse(&ROW, &case))
            }
            run(|case| super::graph_reverse(&ROW, case), property);
        }

        #[test]
        fn graph_forward() {
            fn property(case: Case) -> TestResult {
                verdict(super::graph_forward(&ROW, &case))
            }
            run(|case| super::graph_forward(&ROW, case), property);
        }

        #[test]
        fn fused() {
            fn property(case: Case) -> TestResult {
                verdict(fused_checks(&ROW, fused_graph(), &case))
            }
            run(|case| fused_checks(&ROW, fused_graph(), case), property);
        }

        #[test]
        fn graph_vs_fused() {
            fn property(case: Case) -> TestResult {
                verdict(super::graph_vs_fused(&ROW, fused_graph(), &case))
            }
            run(|case| super::graph_vs_fused(&ROW, fused_graph(), case), property);
        }
    };

    (@or [$value:expr] $default:expr) => { $value };
    (@or [] $default:expr) => { $default };
}

reference_ops::reference_ops!(registry_tests);

#[test]
fn every_registered_op_has_a_reference_row() {
    let labels: Vec<Option<&str>> = ROWS.iter().map(|row| row.label()).collect();
    let missing: Vec<String> = registered_ops()
        .into_iter()
        .filter(|op| !labels.contains(&Some(op.label)))
        .map(|op| match op.method {
            Some(method) => format!("{} (`{method}`)", op.label),
            None => format!("{} (an operator)", op.label),
        })
        .collect();
    assert!(
        missing.is_empty(),
        "registered ops with no reference row in tests/common/reference_ops.rs: {}",
        missing.join(", ")
    );
}

#[test]
fn every_reference_row_records_a_registered_op() {
    let registered: Vec<&str> = registered_ops().iter().map(|op| op.label).collect();
    for row in ROWS {
        let label = row.label();
        assert!(
            label.is_some_and(|label| registered.contains(&label)),
            "row `{}` records {label:?}, not a registered elementwise op",
            row.name
        );
    }
}

#[test]
fn every_registered_method_is_in_the_ops_reference() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/ops.md");
    let docs = std::fs::read_to_string(path).unwrap();
    let missing: Vec<&str> = registered_ops()
        .into_iter()
        .filter_map(|op| op.method)
        .filter(|m| !docs.contains(&format!("`{m}(")) && !docs.contains(&format!(".{m}(")))
        .collect();
    assert!(
        missing.is_empty(),
        "registered methods not in docs/ops.md (as `method(` or .method(): {}",
        missing.join(", ")
    );
}
