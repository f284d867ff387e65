//! tygrad as a user writes it: functions of one's own over `Var`, generic over sizes and the
//! float type, with no where-clause beyond those `docs/guide.md` documents.

use nalgebra::SMatrix;
use tygrad::prelude::*;

/// A chain energy with a neighbour term, generic over `N`: the one documented where-clause
/// pins `M = N - 1` (a wrong `M` does not compile, `tests/ui/fail_diff_wrong_length.rs`).
fn chain_energy<'g, const N: usize, const M: usize>(x: Var<'g, Rank1<N>>) -> Var<'g, Rank0>
where
    Rank1<N>: OneShorter<M>,
{
    (x.diff::<M>().square().sum() + x.square().sum() * 0.5) * 0.5
}

/// A dense layer, generic over its sizes and the input's kind.
fn layer<'g, const I: usize, const O: usize, const B: usize>(
    x: Var<'g, Rank2<B, I>>,
    w: Var<'g, Rank2<I, O>>,
    b: Var<'g, Rank1<O>>,
) -> Var<'g, Rank2<B, O>> {
    x.matmul(w).add_row(b).tanh()
}

/// Generic over the float: scalar constants on the right, of the graph's float type.
fn shifted_square<'g, F: Float, S: Shape>(x: Var<'g, S, F>) -> Var<'g, Rank0, F> {
    ((x - F::one()) * F::of_f64(2.0)).square().sum()
}

/// A 4x4 transform about z from one joint angle, stacked from `cos q` and `sin q`.
fn rot_z<'g>(q: Var<'g, Rank0>, zero: Var<'g, Rank0>, one: Var<'g, Rank0>) -> Var<'g, Rank2<4, 4>> {
    let (s, c) = q.sin_cos();
    stack([
        stack([c, -s, zero, zero]),
        stack([s, c, zero, zero]),
        stack([zero, zero, one, zero]),
        stack([zero, zero, zero, one]),
    ])
}

#[test]
fn energy_over_const_n_with_a_parameter() {
    Graph::with_checked(|g| {
        let x = g.param(Tensor::<Rank1<4>>::from([1.0, 2.0, 4.0, 7.0]));
        let e = chain_energy::<4, 3>(x.node()); // the idiom: `.node()` at the call
        // differences 1, 2, 3: (1 + 4 + 9 + (1 + 4 + 16 + 49) / 2) / 2
        assert_eq!(e.item(), (14.0 + 35.0) / 2.0);
        e.backward();
        // dE/dx_i = x_i / 2 + (d_{i-1} - d_i)
        assert_eq!(
            x.grad().as_slice(),
            &[0.5 - 1.0, 1.0 + 1.0 - 2.0, 2.0 + 2.0 - 3.0, 3.5 + 3.0]
        );
    });
}

#[test]
fn a_generic_layer() {
    Graph::with_checked(|g| {
        let x = g.constant(Tensor::<Rank2<1, 2>>::from([[1.0, -1.0]]));
        let w = g.param(Tensor::<Rank2<2, 1>>::from([[0.5], [0.25]]));
        let b = g.param(Tensor::<Rank1<1>>::from([0.1]));
        let y = layer(x.node(), w.node(), b.node()).sum();
        let pre: f64 = 0.5 - 0.25 + 0.1;
        assert!((y.item() - pre.tanh()).abs() < 1e-15);
        y.backward();
        let slope = 1.0 - pre.tanh().powi(2);
        assert!((b.grad()[0] - slope).abs() < 1e-15);
        assert!((w.grad()[[1, 0]] + slope).abs() < 1e-15);
    });
}

#[test]
fn generic_over_the_float() {
    let grad32 = Graph::<f32>::with(|g| {
        let x = g.param(Tensor::<Rank1<2>, f32>::from([2.0, 0.5]));
        shifted_square(x.node()).backward();
        x.grad()
    });
    assert_eq!(grad32.as_slice(), &[8.0f32, -4.0]);
    let value64 = Graph::<f64>::with(|g| {
        let x = g.param(Tensor::<Rank0>::from(3.0));
        shifted_square(x.node()).item()
    });
    assert_eq!(value64, 16.0);
}

#[test]
fn a_transform_from_cos_and_sin() {
    Graph::with_checked(|g| {
        let q = g.param(Tensor::<Rank1<2>>::from([0.3, -0.2]));
        let [q0, q1] = q.unstack();
        let zero = g.constant(Tensor::from(0.0)).node();
        let one = g.constant(Tensor::from(1.0)).node();
        let t = rot_z(q0, zero, one).matmul(rot_z(q1, zero, one));
        // Two rotations about z compose to one by q0 + q1.
        assert!((t.value()[[0, 0]] - 0.1f64.cos()).abs() < 1e-15);
        assert!((t.value()[[1, 0]] - 0.1f64.sin()).abs() < 1e-15);
        let y = t.get::<1, 0>();
        y.backward();
        assert!((q.grad()[0] - 0.1f64.cos()).abs() < 1e-15);
        assert!((y.jacobian_fwd(q)[(0, 1)] - 0.1f64.cos()).abs() < 1e-15);
    });
}

#[test]
fn a_newton_step_with_a_static_hessian() {
    Graph::with(|g| {
        let x = g.param(Tensor::<Rank1<2>>::from([1.5, 2.0]));
        let [a, b] = x.unstack();
        let f = (a - 1.0).square() * 2.0 + (b + 0.5).square() + a * b;
        let h: SMatrix<f64, 2, 2> = f.hessian(x).to_smatrix();
        let grad: SMatrix<f64, 1, 2> = f.jacobian_rev(x).to_smatrix();
        let step = h.lu().solve(&grad.transpose()).unwrap();
        let next = x.value() - Tensor::from(step);
        // A quadratic: one Newton step lands on the minimum, where the gradient is 0.
        x.set_value(&next);
        let g2 = f.jacobian_rev(x).to_smatrix();
        assert!(g2.norm() < 1e-12);
        assert_eq!(h, nalgebra::matrix![4.0, 1.0; 1.0, 2.0]);
    });
}

/// Forward kinematics written the way num-dual users write them: generic over the scalar.
fn planar_arm<T: num_dual::DualNum<Primitive = f64> + Copy>(q: &[T]) -> [T; 2] {
    let (mut angle, mut x, mut y) = (T::zero(), T::zero(), T::zero());
    for (&qi, length) in q.iter().zip([1.0, 0.5, 0.25]) {
        angle += qi;
        x += angle.cos() * length;
        y += angle.sin() * length;
    }
    [x, y]
}

/// Both Jacobians of a recorded arm at `q0` against num-dual's forward mode through
/// [`planar_arm`] itself.
fn assert_arm_jacobians<'g>(
    hand: Var<'g, Rank1<2>>,
    q: Var<'g, Rank1<3>, f64, kind::Param>,
    q0: [f64; 3],
) {
    let (jf, jr) = (hand.jacobian_fwd(q), hand.jacobian_rev(q));
    for i in 0..3 {
        let mut qd = q0.map(num_dual::Dual64::from_re);
        qd[i].eps = 1.0;
        let d = planar_arm(&qd);
        for k in 0..2 {
            assert!((jf[(k, i)] - d[k].eps).abs() < 1e-15);
            assert!((jr[(k, i)] - d[k].eps).abs() < 1e-15);
        }
    }
}

/// The arm as a node of a `Graph`: one `Lift`, no derivative by hand.
struct Arm;
impl Lift for Arm {
    type In = Rank1<3>;
    type Out = Rank1<2>;
    fn eval<T: num_dual::DualNum<Primitive = f64> + Copy>(&self, q: &[T], hand: &mut [T]) {
        hand.copy_from_slice(&planar_arm(q));
    }
}

#[test]
fn your_own_generic_function_as_a_node() {
    Graph::with_checked(|g| {
        let q = g.param(Tensor::<Rank1<3>>::from([0.3, -0.5, 0.9]));
        let target = g.constant(Tensor::<Rank1<2>>::from([1.0, 0.5]));
        let hand = q.lift(Arm);
        assert_eq!(hand.grad_fn(), Some("LiftBackward"));
        let [x, y] = planar_arm(&[0.3, -0.5, 0.9]);
        assert_eq!(hand.value().as_slice(), &[x, y]);
        // Jacobian both ways, against num-dual's own forward mode on the plain function.
        assert_arm_jacobians(hand, q, [0.3, -0.5, 0.9]);
        // A loss through the node: its gradient, Hessian and Hessian-vector product agree.
        let loss = (hand - target).square().sum();
        loss.backward();
        let h = loss.hessian(q);
        let hv = loss.hvp(q, &Tensor::from([0.0, 1.0, 0.0]));
        for i in 0..3 {
            assert!((hv[i] - h[(i, 1)]).abs() < 1e-12 * (1.0 + h[(i, 1)].abs()));
        }
        let gr = loss.jacobian_fwd(q);
        for i in 0..3 {
            assert!((q.grad()[i] - gr[(0, i)]).abs() < 1e-14);
        }
    });
}

/// The same arm written over `nalgebra::RealField` with nalgebra's own rotations, as
/// nalgebra users write it (not over `DualNum`).
fn planar_arm_real<T: nalgebra::RealField + Copy>(q: &[T]) -> [T; 2] {
    let mut angle = T::zero();
    let mut hand = nalgebra::Vector2::zeros();
    for (&qi, length) in q.iter().zip([1.0, 0.5, 0.25]) {
        angle += qi;
        let link = nalgebra::Rotation2::new(angle) * nalgebra::Vector2::x();
        hand += link * T::from_f64(length).unwrap();
    }
    [hand.x, hand.y]
}

/// The `RealField` arm as a node: one `LiftReal`.
struct RealArm;
impl LiftReal for RealArm {
    type In = Rank1<3>;
    type Out = Rank1<2>;
    fn eval<T: nalgebra::RealField + Copy>(&self, q: &[T], hand: &mut [T]) {
        hand.copy_from_slice(&planar_arm_real(q));
    }
}

#[test]
fn your_own_real_field_function_as_a_node() {
    Graph::with_checked(|g| {
        let q0 = [0.3, -0.5, 0.9];
        let q = g.param(Tensor::<Rank1<3>>::from(q0));
        let target = g.constant(Tensor::<Rank1<2>>::from([1.0, 0.5]));
        let hand = q.lift_real(RealArm);
        assert_eq!(hand.grad_fn(), Some("LiftBackward"));
        // The same numbers as the `DualNum` version, in both modes.
        let plain = planar_arm(&q0);
        for (a, b) in hand.value().as_slice().iter().zip(plain) {
            assert!((a - b).abs() < 1e-15);
        }
        assert_arm_jacobians(hand, q, q0);
        // Second order: the Hessian (hyper-dual kernels) against forward over reverse.
        let loss = (hand - target).square().sum();
        loss.backward();
        let h = loss.hessian(q);
        for j in 0..3 {
            let mut e = Tensor::<Rank1<3>>::zeros();
            e[j] = 1.0;
            let hv = loss.hvp(q, &e);
            for i in 0..3 {
                assert!((hv[i] - h[(i, j)]).abs() < 1e-12 * (1.0 + h[(i, j)].abs()));
            }
        }
        let gr = loss.jacobian_fwd(q);
        for i in 0..3 {
            assert!((q.grad()[i] - gr[(0, i)]).abs() < 1e-14);
        }
    });
}

/// A tensor built in code generic over its shape: `from_fn` needs no bound on the index.
fn distance_from_origin<S: Shape>() -> Tensor<S> {
    Tensor::from_fn(|index: S::Index| {
        let squares: usize = index.as_ref().iter().map(|i| i * i).sum();
        (squares as f64).sqrt()
    })
}

#[test]
fn tensors_in_generic_code() {
    let t = distance_from_origin::<Rank2<2, 2>>();
    assert_eq!(t.as_slice(), &[0.0, 1.0, 1.0, 2.0f64.sqrt()]);
    let x = Tensor::<Rank1<2>>::from([1.0, 2.0]);
    let step = &x - 0.5 * &distance_from_origin::<Rank1<2>>();
    assert_eq!(step.as_slice(), &[1.0, 1.5]);
}
