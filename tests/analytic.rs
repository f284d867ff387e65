//! Every core op's value and gradient against its analytic derivative, on fixed inputs.

use approx::assert_relative_eq;
use tygrad::prelude::*;

const X: [f64; 4] = [0.3, -1.2, 2.5, 0.7];

/// Applies `op` elementwise to `X` as a parameter, backpropagates `sum(op(x))`, and compares
/// value and gradient with `f` and its derivative `df`.
fn check_unary(
    op: impl for<'g> Fn(Var<'g, Rank1<4>, f64, kind::Param>) -> Var<'g, Rank1<4>>,
    f: impl Fn(f64) -> f64,
    df: impl Fn(f64) -> f64,
    inputs: [f64; 4],
) {
    Graph::with_checked(|g| {
        let x = g.param(Tensor::from(inputs));
        let y = op(x);
        y.sum().backward();
        for (i, &input) in inputs.iter().enumerate() {
            assert_relative_eq!(y.value()[i], f(input), max_relative = 1e-14);
            assert_relative_eq!(x.grad()[i], df(input), max_relative = 1e-14);
        }
    });
}

#[test]
fn elementwise_unary_ops() {
    let positive = [0.3, 1.2, 2.5, 0.7];
    check_unary(|x| -x, |x| -x, |_| -1.0, X);
    check_unary(|x| x.square(), |x| x * x, |x| 2.0 * x, X);
    check_unary(|x| x.powi(3), |x| x.powi(3), |x| 3.0 * x * x, X);
    check_unary(|x| x.powi(-2), |x| x.powi(-2), |x| -2.0 * x.powi(-3), X);
    check_unary(|x| x.sqrt(), f64::sqrt, |x| 0.5 / x.sqrt(), positive);
    check_unary(|x| x.exp(), f64::exp, f64::exp, X);
    check_unary(|x| x.ln(), f64::ln, |x| 1.0 / x, positive);
    check_unary(|x| x.sin(), f64::sin, f64::cos, X);
    check_unary(|x| x.cos(), f64::cos, |x| -x.sin(), X);
    check_unary(|x| x.tanh(), f64::tanh, |x| 1.0 - x.tanh().powi(2), X);
    let sigmoid = |x: f64| 1.0 / (1.0 + (-x).exp());
    check_unary(
        |x| x.sigmoid(),
        sigmoid,
        |x| sigmoid(x) * (1.0 - sigmoid(x)),
        X,
    );
    check_unary(
        |x| x.relu(),
        |x| x.max(0.0),
        |x| if x > 0.0 { 1.0 } else { 0.0 },
        X,
    );
}

#[test]
fn arithmetic_with_a_scalar_on_either_side() {
    check_unary(|x| x + 2.0, |x| x + 2.0, |_| 1.0, X);
    check_unary(|x| 2.0 + x, |x| 2.0 + x, |_| 1.0, X);
    check_unary(|x| x - 2.0, |x| x - 2.0, |_| 1.0, X);
    check_unary(|x| 2.0 - x, |x| 2.0 - x, |_| -1.0, X);
    check_unary(|x| x * 3.0, |x| x * 3.0, |_| 3.0, X);
    check_unary(|x| 3.0 * x, |x| 3.0 * x, |_| 3.0, X);
    check_unary(|x| x / 4.0, |x| x / 4.0, |_| 0.25, X);
    check_unary(|x| 4.0 / x, |x| 4.0 / x, |x| -4.0 / (x * x), X);
}

#[test]
fn arithmetic_between_two_nodes() {
    let (a0, b0) = ([1.5, -2.0, 0.5], [0.25, 4.0, -3.0]);
    Graph::with_checked(|g| {
        let a = g.param(Tensor::<Rank1<3>>::from(a0));
        let b = g.param(Tensor::<Rank1<3>>::from(b0));
        let seed = Tensor::from([1.0, 10.0, 100.0]);
        for (which, out) in [(0, a + b), (1, a - b), (2, a * b), (3, a / b)] {
            g.zero_grad();
            out.backward_with(&seed);
            for i in 0..3 {
                let (x, y, s) = (a0[i], b0[i], seed[i]);
                let (value, da, db) = match which {
                    0 => (x + y, 1.0, 1.0),
                    1 => (x - y, 1.0, -1.0),
                    2 => (x * y, y, x),
                    _ => (x / y, 1.0 / y, -x / (y * y)),
                };
                assert_relative_eq!(out.value()[i], value, max_relative = 1e-15);
                assert_relative_eq!(a.grad()[i], s * da, max_relative = 1e-15);
                assert_relative_eq!(b.grad()[i], s * db, max_relative = 1e-15);
            }
        }
    });
}

#[test]
fn the_same_node_on_both_sides_counts_twice() {
    Graph::with_checked(|g| {
        let x = g.param(Tensor::<Rank0>::from(3.0));
        let y = x * x + x / x - x;
        y.backward();
        assert_eq!(y.item(), 7.0);
        assert_eq!(x.grad().item(), 5.0); // 2x + 0 - 1
    });
}

#[test]
fn sum_and_mean() {
    Graph::with_checked(|g| {
        let x = g.param(Tensor::<Rank2<2, 3>>::from([
            [1.0, 2.0, 3.0],
            [4.0, 5.0, 6.0],
        ]));
        let s = x.sum();
        let m = x.mean();
        assert_eq!((s.item(), m.item()), (21.0, 3.5));
        s.backward();
        assert_eq!(x.grad(), Tensor::ones());
        x.zero_grad();
        m.backward();
        assert_eq!(x.grad(), Tensor::full(1.0 / 6.0));
    });
}

#[test]
fn matmul_gradients_are_seed_times_transposes() {
    // Sizes above 5 in every dim take the packed kernel (`ops/gemm.rs`); small ones the loop.
    fn check<const M: usize, const K: usize, const N: usize>() {
        let a0 = Tensor::<Rank2<M, K>>::from_fn(|[i, j]| (i as f64 * 0.7 - j as f64 * 0.3).sin());
        let b0 = Tensor::<Rank2<K, N>>::from_fn(|[i, j]| (i as f64 * 0.2 + j as f64 * 0.5).cos());
        let seed = Tensor::<Rank2<M, N>>::from_fn(|[i, j]| 1.0 + i as f64 - 0.5 * j as f64);
        Graph::with_checked(|g| {
            let a = g.param(a0.clone());
            let b = g.param(b0.clone());
            let c = a.matmul(b);
            c.backward_with(&seed);
            let (am, bm, sm) = (a0.to_matrix(), b0.to_matrix(), seed.to_matrix());
            let expect_c = Tensor::from(am * bm);
            let expect_da = Tensor::from(sm * bm.transpose());
            let expect_db = Tensor::from(am.transpose() * sm);
            assert_relative_eq!(c.value(), expect_c, epsilon = 1e-13);
            assert_relative_eq!(a.grad(), expect_da, epsilon = 1e-13);
            assert_relative_eq!(b.grad(), expect_db, epsilon = 1e-13);
        });
    }
    check::<2, 3, 4>();
    check::<9, 7, 8>();
    check::<1, 12, 1>();
}

#[test]
fn transpose_and_reshape_move_gradients_back() {
    Graph::with_checked(|g| {
        let x = g.param(Tensor::<Rank2<2, 3>>::from([
            [1.0, 2.0, 3.0],
            [4.0, 5.0, 6.0],
        ]));
        let t = x.transpose();
        assert_eq!(
            t.value(),
            Tensor::from([[1.0, 4.0], [2.0, 5.0], [3.0, 6.0]])
        );
        t.backward_with(&Tensor::from([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]));
        assert_eq!(x.grad(), Tensor::from([[1.0, 3.0, 5.0], [2.0, 4.0, 6.0]]));

        x.zero_grad();
        let r = x.reshape::<Rank1<6>>();
        r.backward_with(&Tensor::from([1.0, 2.0, 3.0, 4.0, 5.0, 6.0]));
        assert_eq!(x.grad(), Tensor::from([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]));
    });
}

#[test]
fn constants_receive_no_gradient_and_do_not_block_others() {
    Graph::with_checked(|g| {
        let x = g.param(Tensor::<Rank1<2>>::from([1.0, 2.0]));
        let c = g.constant(Tensor::<Rank1<2>>::from([3.0, 4.0]));
        (x * c).sum().backward();
        assert_eq!(x.grad().as_slice(), &[3.0, 4.0]);
    });
}

#[test]
fn nan_inputs_propagate_to_value_and_gradient() {
    // Unchecked: under the graph-wide check a NaN gradient panics (see the next test).
    Graph::with(|g| {
        let x = g.param(Tensor::<Rank1<2>>::from([-1.0, 4.0]));
        let y = x.sqrt() + x.ln();
        y.sum().backward();
        assert!(y.value()[0].is_nan() && x.grad()[0].is_nan());
        assert_eq!(x.grad()[1], 0.25 + 0.25);
    });
}

#[test]
fn the_check_takes_a_nan_gradient_as_a_value_where_both_modes_agree() {
    // Outside the domain both modes give NaN: agreement, not an alarm (issue 11).
    Graph::with_checked(|g| {
        let x = g.param(Tensor::<Rank1<2>>::from([-1.0, 4.0]));
        x.sqrt().sum().backward();
        assert!(x.grad()[0].is_nan());
        assert_eq!(x.grad()[1], 0.25);
    });
}

#[test]
fn f32_graphs_work_too() {
    Graph::<f32>::with_checked(|g| {
        let x = g.param(Tensor::<Rank1<2>, f32>::from([1.0, 2.0]));
        let y = (x * x * 3.0f32).sum();
        y.backward();
        assert_eq!(y.item(), 15.0);
        assert_eq!(x.grad().as_slice(), &[6.0, 12.0]);
    });
}

#[test]
fn backward_on_a_parameter_itself_adds_the_seed() {
    Graph::with_checked(|g| {
        let x = g.param(Tensor::<Rank1<2>>::from([1.0, 2.0]));
        x.backward_with(&Tensor::from([5.0, 6.0]));
        assert_eq!(x.grad().as_slice(), &[5.0, 6.0]);
    });
}

#[test]
fn dot_export_names_ops_and_edges() {
    Graph::with_checked(|g| {
        let x = g.param(Tensor::<Rank1<2>>::ones());
        let y = (x + 2.0).sum();
        let dot = g.to_dot();
        assert!(dot.contains("n0 [label=\"Param [2]\"]"));
        assert!(dot.contains("n1 [label=\"AddScalarBackward [2]\"]"));
        assert!(dot.contains("n2 [label=\"SumBackward []\"]"));
        assert!(dot.contains("n0 -> n1;") && dot.contains("n1 -> n2;"));
        assert_eq!(y.grad_fn(), Some("SumBackward"));
    });
}

/// Sums, means and dot products of more than eight elements run over eight partial sums (and
/// a remainder): integer-valued inputs make every order exact, so the values are known.
#[test]
fn long_reductions_over_partial_sums() {
    Graph::with_checked(|g| {
        let x = g.param(Tensor::<Rank1<37>>::from_fn(|[i]| i as f64));
        let w = g.param(Tensor::<Rank1<37>>::from_fn(|[i]| (i % 5) as f64 - 2.0));
        let sum = x.sum();
        assert_eq!(sum.item(), 666.0);
        assert_eq!(x.mean().item(), 18.0);
        let dot = x.dot(w);
        let expected: f64 = (0..37).map(|i| i as f64 * ((i % 5) as f64 - 2.0)).sum();
        assert_eq!(dot.item(), expected);
        dot.backward();
        assert_eq!(x.grad(), w.value());
        assert_eq!(w.grad(), x.value());
        // Forward mode runs the same kernel on dual numbers: d sum / dx · v = sum(v).
        let v = Tensor::<Rank1<37>>::from_fn(|[i]| 1.0 + i as f64 / 4.0);
        assert_eq!(sum.jvp(&[x.tangent(&v)]).item(), v.iter().sum::<f64>());
    });
}

/// `sin` and `cos` keep the other of the pair beside their value for the VJP rule: values,
/// gradients, seeded VJPs, Jacobians in both modes, the per-node check and second
/// derivatives all see the right numbers, with the node as an intermediate and as the output.
#[test]
fn sin_and_cos_keep_the_other_for_their_vjp() {
    Graph::with_checked(|g| {
        let x = g.param(Tensor::<Rank1<3>>::from([0.3, -1.2, 2.5]));
        let (s, c) = (x.sin(), x.cos());
        for i in 0..3 {
            let xi = x.value()[i];
            assert_eq!(s.value()[i], xi.sin());
            assert_eq!(c.value()[i], xi.cos());
        }
        // As outputs, seeded.
        let seed = Tensor::from([1.0, 10.0, 100.0]);
        s.backward_with(&seed);
        c.backward_with(&seed);
        for i in 0..3 {
            let xi = x.value()[i];
            let expected = seed[i] * (xi.cos() - xi.sin());
            assert!((x.grad()[i] - expected).abs() <= 1e-14 * expected.abs());
        }
        assert!(s.jacobian_fwd(x).relative_error(&s.jacobian_rev(x)) <= 1e-15);
        assert!(c.check_jacobians(x).passed);
        // As intermediates, after a new input: the kept half is replayed with the value.
        let f = (s * c).sum() + s.square().sum();
        x.set_value(&Tensor::from([1.0, 0.5, -0.25]));
        g.zero_grad();
        f.backward();
        for i in 0..3 {
            let xi = x.value()[i];
            // d/dx (sin cos + sin²) = cos 2x + sin 2x
            let expected = (2.0 * xi).cos() + (2.0 * xi).sin();
            assert!((x.grad()[i] - expected).abs() <= 1e-14, "{i}");
        }
        assert!(f.check_vjps().is_ok());
        // Forward over reverse runs the sweep on dual numbers, reading the kept half too.
        let h = f.hessian(x);
        let v = Tensor::from([0.5, -1.0, 2.0]);
        let hv = f.hvp(x, &v);
        for i in 0..3 {
            let xi = x.value()[i];
            // d²/dx² = -2 sin 2x + 2 cos 2x on the diagonal, 0 elsewhere.
            let d2 = 2.0 * ((2.0 * xi).cos() - (2.0 * xi).sin());
            assert!((h[(i, i)] - d2).abs() <= 1e-13);
            assert!((hv[i] - d2 * v[i]).abs() <= 1e-13);
        }
    });
}
