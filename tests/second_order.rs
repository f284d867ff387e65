//! The second-order witness on every op: `check_hvp` (forward-over-reverse, the VJP rules on
//! dual numbers, against forward-over-forward, the kernels on hyper-dual numbers) passes for
//! every built-in op and finds a VJP rule that is right only on floats.

use tygrad::prelude::*;

const X: [f64; 4] = [0.3, 0.8, 1.3, 0.55];
const C: [f64; 4] = [0.7, -1.1, 0.4, 1.9];

/// `check_hvp` of `f(x) · c`.
fn check(name: &str, f: impl for<'g> Fn(Var<'g, Rank1<4>, f64, kind::Param>) -> Var<'g, Rank1<4>>) {
    Graph::with(|g| {
        let x = g.param(Tensor::<Rank1<4>>::from(X));
        let c = g.constant(Tensor::<Rank1<4>>::from(C));
        let loss = f(x).dot(c);
        let check = loss.check_hvp(x);
        assert!(check.passed, "{name}: {check}");
    });
}

/// `check_hvp` of a scalar `f(x)`.
fn check_scalar(
    name: &str,
    f: impl for<'g> Fn(Var<'g, Rank1<4>, f64, kind::Param>) -> Var<'g, Rank0>,
) {
    Graph::with(|g| {
        let x = g.param(Tensor::<Rank1<4>>::from(X));
        let check = f(x).check_hvp(x);
        assert!(check.passed, "{name}: {check}");
    });
}

#[test]
fn every_elementwise_op_passes() {
    check("exp", |x| x.exp());
    check("expm1", |x| x.expm1());
    check("ln", |x| x.ln());
    check("log1p", |x| x.log1p());
    check("sin", |x| x.sin());
    check("cos", |x| x.cos());
    check("tan", |x| x.tan());
    check("atan", |x| x.atan());
    check("asinh", |x| x.asinh());
    check("tanh", |x| x.tanh());
    check("tanh saturated", |x| (x * 30.0).tanh());
    check("sigmoid", |x| x.sigmoid());
    check("softplus", |x| x.softplus());
    check("relu", |x| (x - 0.5).relu() * x);
    check("leaky_relu", |x| (x - 0.5).leaky_relu(0.1) * x);
    check("abs", |x| (x - 0.5).abs() * x);
    check("clamp", |x| x.clamp(0.4, 1.0) * x);
    check("sqrt", |x| x.sqrt());
    check("square", |x| x.square());
    check("powi", |x| x.powi(3));
    check("powi(-2)", |x| x.powi(-2));
    check("powf", |x| x.powf(1.5));
    check("neg and scalars", |x| (-x + 1.0 - 2.0) * 3.0 / 4.0);
    check("rdiv", |x| 2.0 / x);
    check("rsub", |x| (1.0 - x) * x);
    check("stop_gradient", |x| x.stop_gradient() * x);
}

#[test]
fn every_binary_op_passes() {
    check("add", |x| x + x.sin());
    check("sub", |x| x - x.exp());
    check("mul", |x| x * x.sin());
    check("div", |x| x.sin() / x);
    check("maximum", |x| x.maximum(x.sin() + 0.1) * x);
    check("minimum", |x| x.minimum(x.cos()) * x);
    check("pow", |x| x.pow(x.sin() + 1.0));
    check("hypot", |x| x.hypot(x.exp()));
}

#[test]
fn every_other_family_passes() {
    check("softmax", |x| x.softmax() * x);
    check("log_softmax", |x| x.log_softmax());
    check_scalar("logsumexp", |x| x.logsumexp());
    check_scalar("sum", |x| x.square().sum());
    check_scalar("mean", |x| x.exp().mean());
    check_scalar("norm", |x| x.norm());
    check_scalar("dot", |x| x.dot(x.sin()));
    check_scalar("max", |x| (x * x.sin()).max());
    check_scalar("min", |x| (x * x.cos()).min());
    check_scalar("mse_loss", |x| {
        let t = x.graph().constant(Tensor::<Rank1<4>>::from(C));
        x.exp().mse_loss(t)
    });
    check_scalar("cross_entropy", |x| {
        let t = x
            .graph()
            .constant(Tensor::<Rank1<4>>::from([0.1, 0.2, 0.3, 0.4]));
        (x * x).cross_entropy(t)
    });
    check_scalar("matmul, transpose, reshape, axis sums", |x| {
        let m = x.reshape::<Rank2<2, 2>>();
        let p = m.matmul(m.transpose()).tanh();
        p.sum_axis1().square().sum() + p.sum_axis0().exp().sum()
    });
}

/// `x²` whose VJP reads the input's real part: right on floats, blind to second order.
struct RealSquare;
impl CustomOp<f64> for RealSquare {
    fn name(&self) -> &'static str {
        "RealSquareBackward"
    }
    fn eval<T: Elem<f64>>(&self, i: &[&[T]], o: &mut [T]) {
        for (o, &x) in o.iter_mut().zip(i[0]) {
            *o = x * x;
        }
    }
    fn vjp<T: Elem<f64>>(&self, _: usize, i: &[&[T]], _: &[T], g: &[T], gi: &mut [T]) {
        for ((gi, &g), &x) in gi.iter_mut().zip(g).zip(i[0]) {
            *gi += g * T::constant(x.real() * 2.0);
        }
    }
}

#[test]
fn a_vjp_built_from_real_is_found_by_the_second_order_witness() {
    Graph::with_checked(|g| {
        let x = g.param(Tensor::<Rank1<2>>::from([1.0, 2.0]));
        let y = (x.custom_unary::<Rank1<2>, _>(RealSquare) * x).sum(); // x³
        // Every first-order check passes: the rule is right on floats.
        let report = y.backward_checked();
        assert!(report.passed, "{report}");
        assert_eq!(y.check_vjps(), Ok(()));
        // hvp along (1, 1) misses the rule's own derivative: [4, 8] where 6 x is [6, 12].
        let hv = y.hvp(x, &Tensor::from([1.0, 1.0]));
        assert_eq!(hv.as_slice(), &[4.0, 8.0]);
        let check = y.check_hvp(x);
        assert!(!check.passed, "{check}");
        assert!(check.to_string().contains("FAILED"), "{check}");
        let right = (x.powi(2) * x).sum();
        assert_eq!(
            right.hvp(x, &Tensor::from([1.0, 1.0])).as_slice(),
            &[6.0, 12.0]
        );
        assert!(right.check_hvp(x).passed);
    });
}
