//! The op set: values and gradients on fixed inputs against hand-derived derivatives, central
//! finite differences as a second witness, stability at |x| = 1e3, and f32.

use tygrad::prelude::*;

/// Asserts `|a - b| <= tol * (1 + |b|)` elementwise, naming the position on failure.
fn assert_close(actual: &[f64], expected: &[f64], tol: f64) {
    assert_eq!(actual.len(), expected.len(), "lengths differ");
    for (i, (&a, &e)) in actual.iter().zip(expected).enumerate() {
        assert!(
            (a - e).abs() <= tol * (1.0 + e.abs()),
            "element {i}: got {a}, expected {e}\n  actual   {actual:?}\n  expected {expected:?}"
        );
    }
}

/// The gradient of the scalar `f(x)` at `x0` by reverse mode, and by central finite
/// differences (step 1e-6 relative to the element), replaying the same graph.
fn reverse_and_fd<S: Shape>(
    x0: &Tensor<S>,
    f: impl for<'g> Fn(Var<'g, S, f64, kind::Param>) -> Var<'g, Rank0>,
) -> (Vec<f64>, Vec<f64>) {
    Graph::with_checked(|g| {
        let x = g.param(x0.clone());
        let y = f(x);
        y.backward();
        let reverse = x.grad().as_slice().to_vec();
        let mut fd = Vec::with_capacity(S::NUMEL);
        for i in 0..S::NUMEL {
            let h = 1e-6 * (1.0 + x0.as_slice()[i].abs());
            let mut shifted = x0.clone();
            shifted.as_mut_slice()[i] += h;
            x.set_value(&shifted);
            let up = y.item();
            shifted.as_mut_slice()[i] -= 2.0 * h;
            x.set_value(&shifted);
            let down = y.item();
            fd.push((up - down) / (2.0 * h));
        }
        (reverse, fd)
    })
}

/// Reverse mode agrees with central finite differences to 1e-6.
fn check_fd<S: Shape>(
    x0: &Tensor<S>,
    f: impl for<'g> Fn(Var<'g, S, f64, kind::Param>) -> Var<'g, Rank0>,
) {
    let (reverse, fd) = reverse_and_fd(x0, f);
    assert_close(&reverse, &fd, 1e-6);
}

/// A fixed, non-uniform weighting, so that a wrong index or axis changes the result.
fn weights<S: Shape>() -> Tensor<S> {
    Tensor::from_vec((0..S::NUMEL).map(|i| 0.5 + 0.37 * i as f64).collect()).unwrap()
}

fn weighted<'g, S: Shape>(y: Var<'g, S>) -> Var<'g, Rank0> {
    (y * y.graph().constant(weights::<S>())).sum()
}

fn m23() -> Tensor<Rank2<2, 3>> {
    Tensor::from([[0.5, -1.0, 1.5], [2.0, 0.25, -0.75]])
}

// ---------------------------------------------------------------- broadcasting

#[test]
fn broadcast_scalar_sums_the_gradient() {
    Graph::with_checked(|g| {
        let s = g.param(Tensor::<Rank0>::from(2.0));
        let x = g.constant(Tensor::<Rank1<3>>::from([1.0, 2.0, 3.0]));
        // y = Σ (s xᵢ)² = s² Σ xᵢ² = 4 · 14, dy/ds = 2 s Σ xᵢ² = 56
        let y = (x * s.broadcast()).square().sum();
        y.backward();
        assert_eq!(y.item(), 56.0);
        assert_eq!(s.grad().item(), 56.0);
        assert_eq!(
            s.broadcast::<Rank2<2, 2>>().grad_fn(),
            Some("BroadcastScalarBackward")
        );
    });
}

#[test]
fn broadcast_rows_and_cols_sum_over_the_repeated_axis() {
    Graph::with_checked(|g| {
        let b = g.param(Tensor::<Rank1<2>>::from([1.0, 2.0]));
        let rows = b.broadcast_rows::<3>();
        assert_eq!(
            rows.value(),
            Tensor::from([[1.0, 2.0], [1.0, 2.0], [1.0, 2.0]])
        );
        rows.backward_with(&Tensor::from([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]));
        // column sums of the seed
        assert_eq!(b.grad().as_slice(), &[9.0, 12.0]);

        let c = g.param(Tensor::<Rank1<2>>::from([1.0, 2.0]));
        let cols = c.broadcast_cols::<3>();
        assert_eq!(
            cols.value(),
            Tensor::from([[1.0, 1.0, 1.0], [2.0, 2.0, 2.0]])
        );
        cols.backward_with(&Tensor::from([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]));
        // row sums of the seed
        assert_eq!(c.grad().as_slice(), &[6.0, 15.0]);
    });
}

#[test]
fn add_row_is_a_bias_add() {
    Graph::with_checked(|g| {
        let x = g.param(Tensor::<Rank2<2, 2>>::from([[1.0, 2.0], [3.0, 4.0]]));
        let b = g.param(Tensor::<Rank1<2>>::from([0.5, -1.0]));
        let y = x.add_row(b);
        assert_eq!(y.grad_fn(), Some("AddRowBackward"));
        assert_eq!(y.value(), Tensor::from([[1.5, 1.0], [3.5, 3.0]]));
        // L = Σ (x + b)²: dL/dx = 2 (x + b), dL/db_j = Σᵢ 2 (x_ij + b_j)
        y.square().sum().backward();
        assert_eq!(x.grad(), Tensor::from([[3.0, 2.0], [7.0, 6.0]]));
        assert_eq!(b.grad().as_slice(), &[10.0, 8.0]);
    });
    // Same as the unfused form.
    check_fd(&Tensor::<Rank1<3>>::from([0.1, -0.2, 0.3]), |b| {
        let x = b.graph().constant(m23());
        weighted(x.add_row(b).tanh())
    });
}

// ---------------------------------------------------------------- reductions

#[test]
fn max_and_min_send_the_gradient_to_the_first_extreme() {
    Graph::with_checked(|g| {
        let x = g.param(Tensor::<Rank1<5>>::from([1.0, 7.0, -3.0, 7.0, -3.0]));
        let (hi, lo) = (x.max(), x.min());
        assert_eq!((hi.item(), lo.item()), (7.0, -3.0));
        (hi * 2.0 + lo * 10.0).backward();
        assert_eq!(x.grad().as_slice(), &[0.0, 2.0, 10.0, 0.0, 0.0]);
    });
    Graph::with_checked(|g| {
        let x = g.param(Tensor::<Rank1<3>>::from([1.0, f64::NAN, 3.0]));
        let m = x.max();
        m.backward();
        assert!(m.item().is_nan());
        assert_eq!(x.grad()[[1]], 1.0);
    });
}

#[test]
fn norm_value_gradient_zero_and_extreme_scales() {
    for (scale, expected) in [(1.0, 5.0), (1e200, 5e200), (1e-200, 5e-200)] {
        Graph::with_checked(|g| {
            let x = g.param(Tensor::<Rank1<2>>::from([3.0 * scale, -4.0 * scale]));
            let n = x.norm();
            n.backward();
            assert_close(&[n.item()], &[expected], 1e-15);
            assert_close(x.grad().as_slice(), &[0.6, -0.8], 1e-15);
        });
    }
    Graph::with_checked(|g| {
        let x = g.param(Tensor::<Rank1<3>>::zeros());
        let n = x.norm();
        n.backward();
        assert_eq!(n.item(), 0.0);
        assert_eq!(x.grad().as_slice(), &[0.0, 0.0, 0.0]);
    });
    check_fd(&m23(), |x| x.norm());
}

#[test]
fn dot_product() {
    Graph::with_checked(|g| {
        let a = g.param(Tensor::<Rank1<3>>::from([1.0, -2.0, 3.0]));
        let b = g.param(Tensor::<Rank1<3>>::from([4.0, 5.0, -6.0]));
        let d = a.dot(b);
        (d * d).backward();
        // d = 4 - 10 - 18 = -24, d(d²)/da = 2 d b
        assert_eq!(d.item(), -24.0);
        assert_eq!(a.grad().as_slice(), &[-192.0, -240.0, 288.0]);
        assert_eq!(b.grad().as_slice(), &[-48.0, 96.0, -144.0]);
    });
}

#[test]
fn axis_sums_and_means_have_typed_shapes() {
    Graph::with_checked(|g| {
        let x = g.param(m23());
        let s0: Var<Rank1<3>> = x.sum_axis0();
        let s1: Var<Rank1<2>> = x.sum_axis1();
        let m0: Var<Rank1<3>> = x.mean_axis0();
        let m1: Var<Rank1<2>> = x.mean_axis1();
        assert_eq!(s0.value().as_slice(), &[2.5, -0.75, 0.75]);
        assert_eq!(s1.value().as_slice(), &[1.0, 1.5]);
        assert_eq!(m0.value().as_slice(), &[1.25, -0.375, 0.375]);
        assert_close(m1.value().as_slice(), &[1.0 / 3.0, 0.5], 1e-15);
        s0.backward_with(&Tensor::from([1.0, 2.0, 3.0]));
        assert_eq!(x.grad(), Tensor::from([[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]]));
        x.zero_grad();
        s1.backward_with(&Tensor::from([1.0, 2.0]));
        assert_eq!(x.grad(), Tensor::from([[1.0, 1.0, 1.0], [2.0, 2.0, 2.0]]));
        x.zero_grad();
        m0.backward_with(&Tensor::from([2.0, 4.0, 6.0]));
        assert_eq!(x.grad(), Tensor::from([[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]]));
        x.zero_grad();
        m1.backward_with(&Tensor::from([3.0, 6.0]));
        assert_eq!(x.grad(), Tensor::from([[1.0, 1.0, 1.0], [2.0, 2.0, 2.0]]));
    });
    check_fd(&m23(), |x| weighted(x.exp().mean_axis0()));
    check_fd(&m23(), |x| weighted(x.exp().sum_axis1()));
}

// ---------------------------------------------------------------- linear algebra

#[test]
fn matvec_and_outer() {
    Graph::with_checked(|g| {
        let a = g.param(m23());
        let x = g.param(Tensor::<Rank1<3>>::from([1.0, 2.0, -1.0]));
        let y = a.matvec(x);
        // [0.5 - 2 - 1.5, 2 + 0.5 + 0.75]
        assert_eq!(y.value().as_slice(), &[-3.0, 3.25]);
        y.backward_with(&Tensor::from([1.0, -2.0]));
        // dA = dy xᵀ, dx = Aᵀ dy
        assert_eq!(
            a.grad(),
            Tensor::from([[1.0, 2.0, -1.0], [-2.0, -4.0, 2.0]])
        );
        assert_eq!(x.grad().as_slice(), &[-3.5, -1.5, 3.0]);
    });
    Graph::with_checked(|g| {
        let a = g.param(Tensor::<Rank1<2>>::from([1.0, -2.0]));
        let b = g.param(Tensor::<Rank1<3>>::from([3.0, 4.0, 5.0]));
        let c = a.outer(b);
        assert_eq!(
            c.value(),
            Tensor::from([[3.0, 4.0, 5.0], [-6.0, -8.0, -10.0]])
        );
        c.backward_with(&Tensor::from([[1.0, 0.0, 2.0], [0.0, 1.0, 0.0]]));
        // da = dC b, db = dCᵀ a
        assert_eq!(a.grad().as_slice(), &[13.0, 4.0]);
        assert_eq!(b.grad().as_slice(), &[1.0, -2.0, 2.0]);
    });
    check_fd(&Tensor::<Rank1<3>>::from([0.3, -0.7, 1.1]), |x| {
        let a = x.graph().constant(m23());
        weighted(a.matvec(x).outer(x).sin())
    });
}

/// Shapes on both sides of the packed kernel's threshold (every dim above 5), with row-major
/// operands whose columns are strided (the case of nalgebra issue #1616, when products went
/// through nalgebra).
#[test]
fn matmul_small_and_large_against_finite_differences() {
    Graph::with_checked(|g| {
        let a = g.param(m23());
        let b = g.param(Tensor::<Rank2<3, 2>>::from([
            [1.0, 2.0],
            [3.0, 4.0],
            [5.0, 6.0],
        ]));
        let c = a.matmul(b);
        assert_eq!(c.value(), Tensor::from([[5.0, 6.0], [-1.0, 0.5]]));
        c.backward_with(&Tensor::from([[1.0, 0.0], [0.0, 2.0]]));
        // dA = dC Bᵀ, dB = Aᵀ dC
        assert_eq!(a.grad(), Tensor::from([[1.0, 3.0, 5.0], [4.0, 8.0, 12.0]]));
        assert_eq!(
            b.grad(),
            Tensor::from([[0.5, 4.0], [-1.0, 0.5], [1.5, -1.5]])
        );
    });
    let a0 =
        Tensor::<Rank2<7, 6>>::from_vec((0..42).map(|i| (i as f64 * 0.7).sin()).collect()).unwrap();
    check_fd(&a0, |a| {
        let b = a.graph().constant(
            Tensor::<Rank2<6, 8>>::from_vec((0..48).map(|i| (i as f64 * 0.3).cos()).collect())
                .unwrap(),
        );
        weighted(a.matmul(b).tanh())
    });
    check_fd(&m23(), |a| weighted(a.matmul(a.transpose()).matmul(a)));
}

// ---------------------------------------------------------------- selection and joins

#[test]
fn slices_get_concat_stack() {
    Graph::with_checked(|g| {
        let x = g.param(Tensor::<Rank1<5>>::from([1.0, 2.0, 3.0, 4.0, 5.0]));
        let mid = x.slice::<1, 3>();
        assert_eq!(mid.value().as_slice(), &[2.0, 3.0, 4.0]);
        let last = x.get::<4>();
        assert_eq!(last.item(), 5.0);
        (weighted(mid) + last * 10.0).backward();
        assert_eq!(x.grad().as_slice(), &[0.0, 0.5, 0.87, 1.24, 10.0]);

        let m = g.param(Tensor::<Rank2<3, 2>>::from([
            [1.0, 2.0],
            [3.0, 4.0],
            [5.0, 6.0],
        ]));
        let top = m.slice_rows::<0, 2>();
        assert_eq!(top.value(), Tensor::from([[1.0, 2.0], [3.0, 4.0]]));
        top.backward_with(&Tensor::from([[1.0, 2.0], [3.0, 4.0]]));
        assert_eq!(m.grad(), Tensor::from([[1.0, 2.0], [3.0, 4.0], [0.0, 0.0]]));

        let a = g.param(Tensor::<Rank1<2>>::from([1.0, 2.0]));
        let b = g.param(Tensor::<Rank1<3>>::from([3.0, 4.0, 5.0]));
        let c: Var<Rank1<5>> = a.concat(b);
        assert_eq!(c.value().as_slice(), &[1.0, 2.0, 3.0, 4.0, 5.0]);
        c.backward_with(&Tensor::from([1.0, 2.0, 3.0, 4.0, 5.0]));
        assert_eq!(a.grad().as_slice(), &[1.0, 2.0]);
        assert_eq!(b.grad().as_slice(), &[3.0, 4.0, 5.0]);

        let s = a.stack(a * 2.0);
        assert_eq!(s.value(), Tensor::from([[1.0, 2.0], [2.0, 4.0]]));
        a.zero_grad();
        s.backward_with(&Tensor::from([[1.0, 1.0], [1.0, 1.0]]));
        assert_eq!(a.grad().as_slice(), &[3.0, 3.0]);
    });
}

/// Rosenbrock written with slices, as the benchmark helper writes it:
/// f(x) = Σᵢ 100 (xᵢ₊₁ - xᵢ²)² + (1 - xᵢ)².
#[test]
fn rosenbrock_with_slices() {
    fn rosenbrock<'g, K: Kind>(x: Var<'g, Rank1<4>, f64, K>) -> Var<'g, Rank0> {
        let head = x.slice::<0, 3>();
        let tail = x.slice::<1, 3>();
        ((tail - head.square()).square() * 100.0 + (1.0 - head).square()).sum()
    }
    Graph::with_checked(|g| {
        let x = g.param(Tensor::<Rank1<4>>::ones());
        let f = rosenbrock(x);
        f.backward();
        assert_eq!(f.item(), 0.0);
        assert_eq!(x.grad().as_slice(), &[0.0; 4]);
    });
    Graph::with_checked(|g| {
        // At 0: f = 3, df/dxᵢ = -2 for the first three, 0 for the last.
        let x = g.param(Tensor::<Rank1<4>>::zeros());
        let f = rosenbrock(x);
        f.backward();
        assert_eq!(f.item(), 3.0);
        assert_eq!(x.grad().as_slice(), &[-2.0, -2.0, -2.0, 0.0]);
    });
    check_fd(
        &Tensor::<Rank1<4>>::from([-1.2, 1.0, 0.5, -0.3]),
        rosenbrock,
    );
}

// ---------------------------------------------------------------- neural-network helpers

fn softmax_ref(x: &[f64]) -> Vec<f64> {
    let m = x.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let e: Vec<f64> = x.iter().map(|v| (v - m).exp()).collect();
    let s: f64 = e.iter().sum();
    e.iter().map(|v| v / s).collect()
}

#[test]
fn softmax_family_hand_derived() {
    let x = [1.0, 2.0, 3.0];
    let p = softmax_ref(&x);
    let seed = [0.5, -1.0, 2.0];
    let gp: f64 = seed.iter().zip(&p).map(|(g, p)| g * p).sum();
    let gsum: f64 = seed.iter().sum();
    Graph::with_checked(|g| {
        let v = g.param(Tensor::<Rank1<3>>::from(x));
        let s = v.softmax();
        assert_close(s.value().as_slice(), &p, 1e-15);
        s.backward_with(&Tensor::from(seed));
        let expected: Vec<f64> = (0..3).map(|j| p[j] * (seed[j] - gp)).collect();
        assert_close(v.grad().as_slice(), &expected, 1e-14);

        v.zero_grad();
        let ls = v.log_softmax();
        let lse = (1f64.exp() + 2f64.exp() + 3f64.exp()).ln();
        assert_close(
            ls.value().as_slice(),
            &[1.0 - lse, 2.0 - lse, 3.0 - lse],
            1e-15,
        );
        ls.backward_with(&Tensor::from(seed));
        let expected: Vec<f64> = (0..3).map(|j| seed[j] - p[j] * gsum).collect();
        assert_close(v.grad().as_slice(), &expected, 1e-14);

        v.zero_grad();
        let l = v.logsumexp();
        l.backward();
        assert_close(&[l.item()], &[lse], 1e-15);
        assert_close(v.grad().as_slice(), &p, 1e-15);
    });
    check_fd(&m23(), |x| weighted(x.softmax()));
    check_fd(&m23(), |x| weighted(x.log_softmax()));
    check_fd(&m23(), |x| weighted(x.logsumexp()));
}

#[test]
fn softmax_family_is_finite_at_1e3() {
    Graph::with_checked(|g| {
        let x = g.param(Tensor::<Rank2<2, 3>>::from([
            [1000.0, -1000.0, 0.0],
            [-1000.0, -1000.0, -1000.0],
        ]));
        let s = x.softmax();
        let third = 1.0 / 3.0;
        assert_close(
            s.value().as_slice(),
            &[1.0, 0.0, 0.0, third, third, third],
            1e-15,
        );
        let ls = x.log_softmax();
        let ln3 = 3f64.ln();
        assert_close(
            ls.value().as_slice(),
            &[0.0, -2000.0, -1000.0, -ln3, -ln3, -ln3],
            1e-15,
        );
        let lse = x.logsumexp();
        assert_close(lse.value().as_slice(), &[1000.0, -1000.0 + ln3], 1e-15);
        (weighted(s) + weighted(ls) + weighted(lse)).backward();
        assert!(x.grad().iter().all(|v| v.is_finite()));
    });
    check_fd(&Tensor::<Rank1<3>>::from([1000.0, 999.0, -1000.0]), |x| {
        weighted(x.log_softmax())
    });
}

#[test]
fn cross_entropy_and_mse() {
    Graph::with_checked(|g| {
        let z = g.param(Tensor::<Rank1<3>>::from([1.0, 2.0, 3.0]));
        let t = g.constant(Tensor::<Rank1<3>>::from([0.2, 0.3, 0.5]));
        let loss = z.cross_entropy(t);
        let lse = (1f64.exp() + 2f64.exp() + 3f64.exp()).ln();
        let expected = 0.2 * (lse - 1.0) + 0.3 * (lse - 2.0) + 0.5 * (lse - 3.0);
        loss.backward();
        assert_close(&[loss.item()], &[expected], 1e-15);
        // softmax(z) Σ t - t, with Σ t = 1
        let p = softmax_ref(&[1.0, 2.0, 3.0]);
        assert_close(
            z.grad().as_slice(),
            &[p[0] - 0.2, p[1] - 0.3, p[2] - 0.5],
            1e-15,
        );
    });
    Graph::with_checked(|g| {
        // One-hot rows at ±1e3: the loss is the mean of the two rows' losses.
        let z = g.param(Tensor::<Rank2<2, 2>>::from([
            [1000.0, -1000.0],
            [-1000.0, 1000.0],
        ]));
        let t = g.constant(Tensor::<Rank2<2, 2>>::from([[0.0, 1.0], [0.0, 1.0]]));
        let loss = z.cross_entropy(t);
        loss.backward();
        assert_eq!(loss.item(), 1000.0);
        assert_eq!(z.grad(), Tensor::from([[0.5, -0.5], [0.0, 0.0]]));
    });
    Graph::with_checked(|g| {
        let x = g.param(Tensor::<Rank1<3>>::from([1.0, 2.0, 3.0]));
        let t = g.param(Tensor::<Rank1<3>>::from([0.0, 2.0, 5.0]));
        let loss = x.mse_loss(t);
        loss.backward();
        assert_close(&[loss.item()], &[5.0 / 3.0], 1e-15);
        assert_close(x.grad().as_slice(), &[2.0 / 3.0, 0.0, -4.0 / 3.0], 1e-15);
        assert_close(t.grad().as_slice(), &[-2.0 / 3.0, 0.0, 4.0 / 3.0], 1e-15);
    });
    let target = Tensor::<Rank2<2, 3>>::from([[0.1, 0.6, 0.3], [1.0, 0.0, 0.0]]);
    check_fd(&m23(), |z| {
        let t = z.graph().constant(target.clone());
        z.cross_entropy(t)
    });
}

#[test]
fn sigmoid_and_softplus_are_finite_at_1e3() {
    Graph::with_checked(|g| {
        let x = g.param(Tensor::<Rank1<3>>::from([-1000.0, 0.0, 1000.0]));
        let s = x.sigmoid();
        let p = x.softplus();
        assert_eq!(s.value().as_slice(), &[0.0, 0.5, 1.0]);
        assert_eq!(p.value().as_slice(), &[0.0, 2f64.ln(), 1000.0]);
        s.sum().backward();
        assert_eq!(x.grad().as_slice(), &[0.0, 0.25, 0.0]);
        x.zero_grad();
        p.sum().backward();
        assert_eq!(x.grad().as_slice(), &[0.0, 0.5, 1.0]);
    });
}

// ---------------------------------------------------------------- gradient control, kinks, domains

#[test]
fn stop_gradient_passes_the_value_not_the_gradient() {
    Graph::with_checked(|g| {
        let x = g.param(Tensor::<Rank1<2>>::from([3.0, -2.0]));
        let y = (x * x.stop_gradient()).sum();
        y.backward();
        assert_eq!(y.item(), 13.0);
        assert_eq!(x.grad().as_slice(), &[3.0, -2.0]);
        x.zero_grad();
        x.detach().sum().backward();
        assert_eq!(x.grad().as_slice(), &[0.0, 0.0]);
    });
}

#[test]
fn subgradients_at_the_kinks() {
    Graph::with_checked(|g| {
        let x = g.param(Tensor::<Rank1<3>>::from([0.0, 0.0, 1.0]));
        (x.relu() + x.abs() + x.clamp(0.0, 1.0)).sum().backward();
        // relu'(0) = 0, abs'(0) = 0, clamp' = 1 on the closed interval (bounds included)
        assert_eq!(x.grad().as_slice(), &[1.0, 1.0, 3.0]);
    });
}

#[test]
// Unchecked: under the graph-wide check a NaN gradient panics by design.
fn ln_and_sqrt_outside_their_domain_are_nan_not_panics() {
    Graph::with(|g| {
        let x = g.param(Tensor::<Rank1<2>>::from([-1.0, 4.0]));
        let l = x.ln();
        let s = x.sqrt();
        assert!(l.value()[[0]].is_nan() && s.value()[[0]].is_nan());
        l.sum().backward();
        let grad = x.grad();
        assert!(grad[[0]].is_nan());
        assert_eq!(grad[[1]], 0.25);
        x.zero_grad();
        s.sum().backward();
        let grad = x.grad();
        assert!(grad[[0]].is_nan());
        assert_eq!(grad[[1]], 0.25);
    });
}

// ---------------------------------------------------------------- f32

#[test]
fn f32_ops_and_gradients() {
    Graph::<f32>::with_checked(|g| {
        let a = g.param(Tensor::<Rank2<2, 3>, f32>::from([
            [0.5, -1.0, 1.5],
            [2.0, 0.25, -0.75],
        ]));
        let x = g.param(Tensor::<Rank1<3>, f32>::from([1.0, 2.0, -1.0]));
        let b = g.param(Tensor::<Rank1<2>, f32>::from([0.0, 1.0]));
        let t = g.constant(Tensor::<Rank1<2>, f32>::from([1.0, 0.0]));
        let z = a.matvec(x) + b;
        assert_eq!(z.value().as_slice(), &[-3.0, 4.25]);
        let loss = z.cross_entropy(t) + x.norm();
        loss.backward();
        // dL/dz = softmax(z) - t
        let p1 = 1.0 / (1.0 + (-7.25f32).exp());
        let dz = [(1.0 - p1) - 1.0, p1];
        let bg = b.grad();
        assert!((bg[[0]] - dz[0]).abs() < 1e-6 && (bg[[1]] - dz[1]).abs() < 1e-6);
        // dL/dx = Aᵀ dz + x / |x|
        let n = 6f32.sqrt();
        let xg = x.grad();
        for (j, col) in [[0.5, 2.0], [-1.0, 0.25], [1.5, -0.75]].iter().enumerate() {
            let expected = col[0] * dz[0] + col[1] * dz[1] + [1.0, 2.0, -1.0][j] / n;
            assert!((xg[[j]] - expected).abs() < 1e-6, "x grad {j}: {}", xg[[j]]);
        }
    });
    Graph::<f32>::with_checked(|g| {
        let x = g.param(Tensor::<Rank1<2>, f32>::from([1e3, -1e3]));
        let s = x.log_softmax().sum() + x.softplus().sum() + x.sigmoid().sum();
        s.backward();
        assert!(s.item().is_finite());
        assert!(x.grad().iter().all(|v| v.is_finite()));
        let big = g.param(Tensor::<Rank1<2>, f32>::from([3e30, 4e30]));
        let n = big.norm();
        n.backward();
        assert!((n.item() / 5e30 - 1.0).abs() < 1e-6);
        assert!((big.grad()[[0]] - 0.6).abs() < 1e-6);
    });
}
