//! Forward mode: the seed session's gradients again, the Rosenbrock Hessian, Hessian-vector
//! products, JVPs with several tangents, custom ops in forward mode, and f32.
//!
//! Every graph here has the backward cross-check switched on.

use approx::assert_relative_eq;
use tygrad::prelude::*;

#[test]
fn seed_part1_gradient_by_forward_mode() {
    Graph::with_checked(|g| {
        let x = g.param(Tensor::<Rank2<2, 2>>::ones());
        let out = ((x + 2.0) * (x + 2.0) * 3.0).mean();
        assert_eq!(out.item(), 27.0);

        // Forward Jacobian: one row, d out / d x = 6 (x + 2) / 4 = 4.5 everywhere.
        let j = out.jacobian_fwd(x);
        assert_eq!((j.nrows(), j.ncols()), (1, 4));
        assert_eq!(j.row(0), &[4.5, 4.5, 4.5, 4.5]);

        // The same, one basis tangent at a time with jvp.
        for k in 0..4 {
            let mut e = Tensor::<Rank2<2, 2>>::zeros();
            e.as_mut_slice()[k] = 1.0;
            assert_eq!(out.jvp(&[x.tangent(&e)]).item(), 4.5);
        }
        // And along the all-ones direction: 4 * 4.5.
        assert_eq!(out.jvp(&[x.tangent(&Tensor::ones())]).item(), 18.0);

        // Reverse mode agrees and forward mode left the gradient alone.
        assert_eq!(x.grad(), Tensor::zeros());
        out.backward();
        assert_eq!(x.grad(), Tensor::full(4.5));
        assert_eq!(j, out.jacobian_rev(x));
    });
}

#[test]
fn seed_part2_seeded_gradient_is_forward_jacobian_transposed_times_seed() {
    Graph::with_checked(|g| {
        let x = g.param(Tensor::<Rank1<3>>::from([2.0, 2.0, 2.0]));
        let y = x * 2.0;
        let seed = Tensor::from([0.1, 1.0, 10.0]);
        let j: Jacobian<Rank1<3>, Rank1<3>> = y.jacobian_fwd(x);
        assert_eq!(
            j.to_dmatrix(),
            nalgebra::dmatrix![2.0, 0.0, 0.0; 0.0, 2.0, 0.0; 0.0, 0.0, 2.0]
        );
        assert_eq!(j.transpose_mul(&seed).as_slice(), &[0.2, 2.0, 20.0]);
        y.backward_with(&seed);
        assert_eq!(x.grad().as_slice(), &[0.2, 2.0, 20.0]);
        // J u for u = (1, 2, 3).
        assert_eq!(
            j.mul_tensor(&Tensor::from([1.0, 2.0, 3.0])).as_slice(),
            &[2.0, 4.0, 6.0]
        );
    });
}

/// f(x, y) = (1 - x)² + 100 (y - x²)², built from the existing ops: the two components of a
/// `Rank1<2>` parameter are picked out by a matmul with constant selector columns.
fn rosenbrock<'g>(g: &'g Graph<'g>, p: Var<'g, Rank1<2>, f64, kind::Param>) -> Var<'g, Rank0, f64> {
    let row = p.reshape::<Rank2<1, 2>>();
    let pick_x = g.constant(Tensor::<Rank2<2, 1>>::from([[1.0], [0.0]]));
    let pick_y = g.constant(Tensor::<Rank2<2, 1>>::from([[0.0], [1.0]]));
    let x = row.matmul(pick_x).reshape::<Rank0>();
    let y = row.matmul(pick_y).reshape::<Rank0>();
    (1.0 - x).square() + (y - x.square()).square() * 100.0
}

#[test]
fn rosenbrock_hessian_at_the_minimum() {
    Graph::with_checked(|g| {
        let p = g.param(Tensor::<Rank1<2>>::from([1.0, 1.0]));
        let f = rosenbrock(g, p);
        assert_eq!(f.item(), 0.0);
        let h = f.hessian(p);
        assert_eq!(
            h.to_dmatrix(),
            nalgebra::dmatrix![802.0, -400.0; -400.0, 200.0]
        );
        assert_eq!(
            (h[(0, 0)], h[(0, 1)], h[(1, 0)], h[(1, 1)]),
            (802.0, -400.0, -400.0, 200.0)
        );

        // Forward-over-reverse Hessian-vector products agree with the Hessian.
        for v in [[1.0, 0.0], [0.0, 1.0], [0.3, -1.7], [2.5, 4.0]] {
            let v = Tensor::<Rank1<2>>::from(v);
            let hv = f.hvp(p, &v);
            let expected = h.mul_tensor(&v);
            assert_relative_eq!(hv, expected, max_relative = 1e-12);
        }
        assert_eq!(
            f.hvp(p, &Tensor::from([1.0, 0.0])).as_slice(),
            &[802.0, -400.0]
        );

        // The gradient vanishes at the minimum, by both modes.
        f.backward();
        assert_eq!(p.grad().as_slice(), &[0.0, 0.0]);
        assert_eq!(f.jacobian_fwd(p).row(0), &[0.0, 0.0]);
        // hvp leaves the gradient alone.
        assert_eq!(p.grad().as_slice(), &[0.0, 0.0]);
    });
}

#[test]
fn rosenbrock_hessian_and_hvp_away_from_the_minimum() {
    Graph::with_checked(|g| {
        let p = g.param(Tensor::<Rank1<2>>::from([-1.2, 1.0]));
        let f = rosenbrock(g, p);
        let (x, y) = (-1.2f64, 1.0f64);
        // Analytic: f_xx = 2 - 400 (y - 3 x²), f_xy = -400 x, f_yy = 200.
        let h = f.hessian(p);
        assert_relative_eq!(
            h[(0, 0)],
            2.0 - 400.0 * (y - 3.0 * x * x),
            max_relative = 1e-14
        );
        assert_relative_eq!(h[(0, 1)], -400.0 * x, max_relative = 1e-14);
        assert_eq!(h[(0, 1)], h[(1, 0)]);
        assert_eq!(h[(1, 1)], 200.0);
        let v = Tensor::from([0.7, -0.4]);
        assert_relative_eq!(f.hvp(p, &v), h.mul_tensor(&v), max_relative = 1e-12);

        // Replaying at a new point: the Hessian follows the new values.
        p.set_value(&Tensor::from([1.0, 1.0]));
        assert_eq!(f.hessian(p)[(0, 0)], 802.0);
        // Analytic gradient at (-1.2, 1) after moving back, by forward and reverse mode.
        p.set_value(&Tensor::from([x, y]));
        let grad = [
            -2.0 * (1.0 - x) - 400.0 * x * (y - x * x),
            200.0 * (y - x * x),
        ];
        f.backward();
        assert_relative_eq!(p.grad().as_slice()[0], grad[0], max_relative = 1e-14);
        assert_relative_eq!(p.grad().as_slice()[1], grad[1], max_relative = 1e-14);
        let j = f.jacobian_fwd(p);
        assert_relative_eq!(j[(0, 0)], grad[0], max_relative = 1e-14);
        assert_relative_eq!(j[(0, 1)], grad[1], max_relative = 1e-14);
    });
}

#[test]
fn jvp_with_several_tangents_and_constants() {
    Graph::with_checked(|g| {
        let a = g.param(Tensor::<Rank1<2>>::from([1.0, 2.0]));
        let b = g.param(Tensor::<Rank1<2>>::from([3.0, 4.0]));
        let c = g.constant(Tensor::<Rank1<2>>::from([0.5, 0.25]));
        let y = a * b * c;
        // d y = b c da + a c db + a b dc
        let dy = y.jvp(&[
            a.tangent(&Tensor::from([1.0, 1.0])),
            b.tangent(&Tensor::from([1.0, 0.0])),
            c.tangent(&Tensor::from([0.0, 2.0])),
        ]);
        assert_eq!(
            dy.as_slice(),
            &[3.0 * 0.5 + 0.5, 4.0 * 0.25 + 2.0 * 4.0 * 2.0]
        );
        // Tangents for the same leaf add up; no tangent gives zero.
        let twice = y.jvp(&[
            a.tangent(&Tensor::from([1.0, 0.0])),
            a.tangent(&Tensor::from([1.0, 0.0])),
        ]);
        assert_eq!(twice.as_slice(), &[3.0, 0.0]);
        assert_eq!(y.jvp(&[]).as_slice(), &[0.0, 0.0]);
        // Forward mode with respect to a constant (data sensitivity).
        let jc = y.jacobian_fwd(c);
        assert_eq!(jc.to_dmatrix(), nalgebra::dmatrix![3.0, 0.0; 0.0, 8.0]);
        // A tangent on a leaf recorded after the node cannot move it.
        let late = g.param(Tensor::<Rank1<2>>::ones());
        assert_eq!(
            y.jvp(&[late.tangent(&Tensor::ones())]).as_slice(),
            &[0.0, 0.0]
        );
    });
}

#[test]
fn jacobians_of_a_matrix_function_agree_in_both_modes() {
    Graph::with_checked(|g| {
        let w = g.param(Tensor::<Rank2<2, 3>>::from([
            [0.1, -0.2, 0.3],
            [0.4, 0.5, -0.6],
        ]));
        let x = g.param(Tensor::<Rank2<3, 2>>::from([
            [1.0, 2.0],
            [-1.0, 0.5],
            [0.25, 3.0],
        ]));
        let y = w.matmul(x).tanh().transpose();
        let (jf, jr) = (y.jacobian_fwd(w), y.jacobian_rev(w));
        assert_eq!((jf.nrows(), jf.ncols()), (4, 6));
        assert!(jf.relative_error(&jr) <= 1e-12, "{jf} vs {jr}");
        assert!(jf.relative_error(&y.jacobian_fd(w)) <= 1e-6);
        let check = y.check_jacobians(x);
        assert!(check.passed, "{check:?}");
        // y[0,0] = tanh(w_0 . x_col0); d / d w[0][0] = (1 - y²) x[0][0].
        let y00 = y.value()[[0, 0]];
        assert_relative_eq!(jf[(0, 0)], (1.0 - y00 * y00) * 1.0, max_relative = 1e-14);
    });
}

/// `y = x³`, elementwise, as a custom op.
struct Cube;
impl CustomOp<f64> for Cube {
    fn name(&self) -> &'static str {
        "CubeBackward"
    }
    fn eval<T: Elem<f64>>(&self, inputs: &[&[T]], out: &mut [T]) {
        for (o, &x) in out.iter_mut().zip(inputs[0]) {
            *o = x * x * x;
        }
    }
    fn vjp<T: Elem<f64>>(
        &self,
        _k: usize,
        inputs: &[&[T]],
        _out: &[T],
        grad_out: &[T],
        grad_in: &mut [T],
    ) {
        for ((gi, &go), &x) in grad_in.iter_mut().zip(grad_out).zip(inputs[0]) {
            *gi += go * x * x * 3.0;
        }
    }
}

#[test]
fn custom_op_in_forward_mode_hessian_and_hvp() {
    Graph::with_checked(|g| {
        let x = g.param(Tensor::<Rank1<3>>::from([1.0, -2.0, 0.5]));
        let y = x.custom_unary::<Rank1<3>, _>(Cube);
        assert_eq!(y.grad_fn(), Some("CubeBackward"));
        assert_eq!(y.value().as_slice(), &[1.0, -8.0, 0.125]);
        let j = y.jacobian_fwd(x);
        assert_eq!(
            j.to_dmatrix(),
            nalgebra::Matrix3::from_diagonal(&nalgebra::vector![3.0, 12.0, 0.75])
        );
        assert_eq!(j, y.jacobian_rev(x));
        // Second derivatives through the custom kernel (hyper-dual) and its VJP (dual).
        let s = y.sum();
        let h = s.hessian(x);
        assert_eq!(
            h.to_dmatrix(),
            nalgebra::Matrix3::from_diagonal(&nalgebra::vector![6.0, -12.0, 3.0])
        );
        assert_eq!(
            s.hvp(x, &Tensor::from([1.0, 1.0, 2.0])).as_slice(),
            &[6.0, -12.0, 6.0]
        );
        s.backward();
        assert_eq!(x.grad().as_slice(), &[3.0, 12.0, 0.75]);
    });
}

#[test]
fn f32_graphs_run_forward_mode_too() {
    Graph::<f32>::with_checked(|g| {
        let x = g.param(Tensor::<Rank1<2>, f32>::from([0.5f32, 1.5]));
        let y = (x.sin() * x.exp()).sum();
        let jf = y.jacobian_fwd(x);
        let jr = y.jacobian_rev(x);
        assert!(jf.relative_error(&jr) <= Tolerances::of::<f32>().forward_vs_reverse);
        assert!(jf.relative_error(&y.jacobian_fd(x)) <= Tolerances::of::<f32>().finite_differences);
        // d/dx sin(x) e^x = (cos x + sin x) e^x
        let expected = (0.5f32.cos() + 0.5f32.sin()) * 0.5f32.exp();
        assert!((jf[(0, 0)] - expected).abs() <= 1e-6 * expected);
        let report = y.backward_checked();
        assert!(report.passed, "{report}");
        assert_eq!(report.tolerance, 1e-4);
    });
}

#[test]
fn jacobian_display_and_debug() {
    Graph::with(|g| {
        let x = g.param(Tensor::<Rank1<2>>::from([1.0, 2.0]));
        let j = (x * x).jacobian_fwd(x);
        assert_eq!(
            j.to_string(),
            "jacobian([[2.0000, 0.0000], [0.0000, 4.0000]])"
        );
        assert_eq!(format!("{j:.1}"), "jacobian([[2.0, 0.0], [0.0, 4.0]])");
        assert_eq!(
            format!("{j:?}"),
            "Jacobian<[2], [2]>jacobian([[2.0000, 0.0000], [0.0000, 4.0000]])"
        );
        assert_eq!(j.max_abs(), 4.0);
    });
}

/// A Jacobian over 19 input elements takes three eight-tangent passes (8 + 8 + 3 columns);
/// over a single element, one one-tangent pass. Both against the closed form
/// `d (c x + Σx) / dx = diag(c) + 1` and `d (x² c) / dx = 2 x c`.
#[test]
fn forward_jacobians_over_many_and_over_one_element_match_the_closed_form() {
    Graph::with(|g| {
        let c: [f64; 19] = std::array::from_fn(|i| 0.5 + i as f64);
        let x = g.param(Tensor::<Rank1<19>>::from(std::array::from_fn(|i| {
            (i as f64).sin()
        })));
        let y = x * g.constant(Tensor::from(c)) + x.sum().broadcast::<Rank1<19>>();
        let j = y.jacobian_fwd(x);
        for r in 0..19 {
            for k in 0..19 {
                let want = if r == k { c[r] + 1.0 } else { 1.0 };
                assert_eq!(j[(r, k)], want, "({r}, {k})");
            }
        }
        assert_eq!(j, y.jacobian_rev(x));

        let s = g.param(Tensor::<Rank0>::from(1.5));
        let z = (s * s).broadcast::<Rank1<3>>() * g.constant(Tensor::from([1.0, 2.0, 3.0]));
        let js = z.jacobian_fwd(s);
        assert_eq!((js[(0, 0)], js[(1, 0)], js[(2, 0)]), (3.0, 6.0, 9.0));
    });
}

/// Rosenbrock over 19 and over 4 elements: the Hessian by hyper-dual pairs against the
/// tridiagonal closed form.
#[test]
fn rosenbrock_hessians_over_19_and_4_elements_match_the_closed_form() {
    const N: usize = 19;
    let point: [f64; N] = std::array::from_fn(|i| 1.5 * (0.37 * i as f64 + 0.11).sin());
    Graph::with(|g| {
        let x = g.param(Tensor::<Rank1<N>>::from(point));
        let (head, tail) = (x.slice::<0, { N - 1 }>(), x.slice::<1, { N - 1 }>());
        let f = ((tail - head.square()).square() * 100.0 + (1.0 - head).square()).sum();
        let h = f.hessian(x);
        for i in 0..N {
            for j in 0..N {
                let mut want = 0.0;
                if i == j {
                    if i < N - 1 {
                        want += 2.0 + 1200.0 * point[i] * point[i] - 400.0 * point[i + 1];
                    }
                    if i > 0 {
                        want += 200.0;
                    }
                } else if i + 1 == j || j + 1 == i {
                    want = -400.0 * point[i.min(j)];
                }
                let scale = want.abs().max(1.0);
                assert!(
                    (h[(i, j)] - want).abs() <= 1e-13 * scale,
                    "({i}, {j}): {}",
                    h[(i, j)]
                );
            }
        }
    });
    Graph::with(|g| {
        let small: [f64; 4] = std::array::from_fn(|i| point[i]);
        let x = g.param(Tensor::<Rank1<4>>::from(small));
        let (head, tail) = (x.slice::<0, 3>(), x.slice::<1, 3>());
        let f = ((tail - head.square()).square() * 100.0 + (1.0 - head).square()).sum();
        let h = f.hessian(x);
        assert!(
            (h[(0, 0)] - (2.0 + 1200.0 * small[0] * small[0] - 400.0 * small[1])).abs() < 1e-12
        );
        assert_eq!(h[(0, 1)], -400.0 * small[0]);
        assert_eq!(h[(0, 2)], 0.0);
    });
}
