//! The small multi-input workloads of `shared/bench-workloads.md`: W6, the 3x7 Jacobian of a
//! 7-joint arm's end-effector position, and W7, the dense 16x16 Hessian of Rosenbrock with
//! N = 16. Each in every implementation the benches compare: hand-written, the primal alone,
//! num-dual, and each way tygrad computes it. Shared (as `mod small;`, beside `mod workloads;`)
//! by `benches/gradients.rs` and `tests/bench_workloads.rs`, so the timed code is the checked
//! code. Derivatives are written row-major into one flat buffer, as in `workloads.rs`.

use crate::workloads::fill;
use nalgebra::SVector;
use num_dual::{DualNum, DualSVec64};
use tygrad::fused::{self, Input, Node, Reduced};
use tygrad::prelude::*;
use tygrad::small::{self, Small, SmallFn, SmallNode};

/// W6: a 7-joint arm in standard Denavit-Hartenberg form; `p(q)` is the end effector's
/// position, the derivative its 3x7 Jacobian.
pub mod w6 {
    use super::*;

    /// The joints.
    pub const JOINTS: usize = 7;
    /// Entries of the Jacobian.
    pub const NUMEL: usize = 3 * JOINTS;
    /// Link offsets along z.
    pub const D: [f64; JOINTS] = [0.333, 0.0, 0.316, 0.0, 0.384, 0.0, 0.107];
    /// Link lengths along x.
    pub const A: [f64; JOINTS] = [0.0, 0.0, 0.0825, -0.0825, 0.0, 0.088, 0.0];
    const HALF_PI: f64 = std::f64::consts::FRAC_PI_2;
    /// Link twists.
    pub const ALPHA: [f64; JOINTS] = [-HALF_PI, HALF_PI, HALF_PI, -HALF_PI, HALF_PI, HALF_PI, 0.0];
    /// Reference values (float64) from the workload's definition.
    pub const SUM_P: f64 = 0.8774204956175472;
    /// The sum of the 21 Jacobian entries.
    pub const CHECKSUM: f64 = -0.29189646189488216;

    /// `q_k = sin(0.37 k + 0.11)`.
    pub fn input() -> [f64; JOINTS] {
        std::array::from_fn(|k| fill(k, 0, 1.0))
    }

    /// One joint's transform (the rows of its top 3x4 block; the last row is `0 0 0 1`).
    fn joint<T: DualNum<Primitive = f64> + Copy>(k: usize, q: T) -> [[T; 4]; 3] {
        let (s, c) = q.sin_cos();
        let (sa, ca) = ALPHA[k].sin_cos();
        let constant = |v: f64| T::zero() + v;
        [
            [c, -s * ca, s * sa, c * A[k]],
            [s, c * ca, -c * sa, s * A[k]],
            [constant(0.0), constant(sa), constant(ca), constant(D[k])],
        ]
    }

    /// `m · t` for two rigid transforms in their top 3x4 blocks.
    fn compose<T: DualNum<Primitive = f64> + Copy>(
        m: &[[T; 4]; 3],
        t: &[[T; 4]; 3],
    ) -> [[T; 4]; 3] {
        std::array::from_fn(|i| {
            std::array::from_fn(|j| {
                let mut v = m[i][0] * t[0][j] + m[i][1] * t[1][j] + m[i][2] * t[2][j];
                if j == 3 {
                    v += m[i][3];
                }
                v
            })
        })
    }

    /// The end effector's position, generic over the scalar (the primal and num-dual's).
    pub fn position<T: DualNum<Primitive = f64> + Copy>(q: &[T; JOINTS]) -> [T; 3] {
        let mut m = joint(0, q[0]);
        for (k, &qk) in q.iter().enumerate().skip(1) {
            m = compose(&m, &joint(k, qk));
        }
        [m[0][3], m[1][3], m[2][3]]
    }

    /// The primal: `p_x + p_y + p_z`.
    pub fn primal(q: &[f64; JOINTS]) -> f64 {
        position(q).iter().sum()
    }

    /// Hand-written: column `k` is `z_k × (p - o_k)`, with `z_k`, `o_k` the z axis and origin
    /// of `T_0 ... T_{k-1}` (the identity for `k = 0`). Returns `p_x + p_y + p_z`.
    pub fn hand(q: &[f64; JOINTS], jac: &mut [f64]) -> f64 {
        let mut frames = [[[0.0; 4]; 3]; JOINTS + 1];
        frames[0] = [
            [1.0, 0.0, 0.0, 0.0],
            [0.0, 1.0, 0.0, 0.0],
            [0.0, 0.0, 1.0, 0.0],
        ];
        for k in 0..JOINTS {
            frames[k + 1] = compose(&frames[k], &joint(k, q[k]));
        }
        let end = &frames[JOINTS];
        let p = [end[0][3], end[1][3], end[2][3]];
        for (k, frame) in frames[..JOINTS].iter().enumerate() {
            let z = [frame[0][2], frame[1][2], frame[2][2]];
            let r = [p[0] - frame[0][3], p[1] - frame[1][3], p[2] - frame[2][3]];
            jac[k] = z[1] * r[2] - z[2] * r[1];
            jac[JOINTS + k] = z[2] * r[0] - z[0] * r[2];
            jac[2 * JOINTS + k] = z[0] * r[1] - z[1] * r[0];
        }
        p.iter().sum()
    }

    /// num-dual's forward mode: `jacobian` over a static vector of 7 tangents.
    pub fn num_dual(q: &[f64; JOINTS], jac: &mut [f64]) -> f64 {
        num_dual_jacobian(position, q, jac)
    }

    /// num-dual's `jacobian` of `position` (one of the two formulations) at `q`.
    fn num_dual_jacobian(
        position: impl Fn(&[DualSVec64<JOINTS>; JOINTS]) -> [DualSVec64<JOINTS>; 3],
        q: &[f64; JOINTS],
        jac: &mut [f64],
    ) -> f64 {
        let (p, j) = num_dual::jacobian(
            |q: SVector<DualSVec64<JOINTS>, JOINTS>| {
                let p = position(&std::array::from_fn(|k| q[k]));
                SVector::<_, 3>::from_column_slice(&p)
            },
            &SVector::from_column_slice(q),
        );
        for i in 0..3 {
            for k in 0..JOINTS {
                jac[i * JOINTS + k] = j[(i, k)];
            }
        }
        p.iter().sum()
    }

    /// The arm as a `Graph`, built once, and a Jacobian kept for its `_into` calls: either
    /// from the graph's own ops ([`Tygrad::build`]) or as one lifted node
    /// ([`Tygrad::build_lifted`]).
    pub struct Tygrad<'g> {
        /// The joint angles.
        pub q: Var<'g, Rank1<JOINTS>, f64, kind::Param>,
        /// The end effector's position.
        pub p: Var<'g, Rank1<3>>,
        jacobian: std::cell::RefCell<Jacobian<Rank1<3>, Rank1<JOINTS>>>,
    }

    /// Joint `k`'s transform as `c C + s S + K` for `c = cos q_k`, `s = sin q_k`: the
    /// constant matrices `[C, S, K]`.
    fn joint_parts(k: usize) -> [Tensor<Rank2<4, 4>>; 3] {
        let (sa, ca) = ALPHA[k].sin_cos();
        let (a, d) = (A[k], D[k]);
        [
            Tensor::from([[1.0, 0.0, 0.0, a], [0.0, ca, -sa, 0.0], [0.0; 4], [0.0; 4]]),
            Tensor::from([[0.0, -ca, sa, 0.0], [1.0, 0.0, 0.0, a], [0.0; 4], [0.0; 4]]),
            Tensor::from([[0.0; 4], [0.0; 4], [0.0, sa, ca, d], [0.0, 0.0, 0.0, 1.0]]),
        ]
    }

    /// `c C + s S + K`: joint `k`'s transform from `c = cos q_k`, `s = sin q_k`.
    fn joint_node<'g>(g: &'g Graph<'g>, k: usize, qk: Var<'g, Rank0>) -> Var<'g, Rank2<4, 4>> {
        let [cos_part, sin_part, fixed] = joint_parts(k).map(|t| g.constant(t));
        qk.cos().times(cos_part) + qk.sin().times(sin_part) + fixed
    }

    /// Joint `k`'s rigid transform as its rotation and translation, each `c C + s S + K`
    /// (the top-left 3x3 block and the top of the last column of [`joint_parts`]).
    fn joint_affine_parts(k: usize) -> ([Tensor<Rank2<3, 3>>; 3], [Tensor<Rank1<3>>; 3]) {
        let parts = joint_parts(k);
        let rotation = parts
            .each_ref()
            .map(|m| Tensor::from_fn(|[i, j]: [usize; 2]| m.as_slice()[i * 4 + j]));
        let translation = parts
            .each_ref()
            .map(|m| Tensor::from_fn(|[i]: [usize; 1]| m.as_slice()[i * 4 + 3]));
        (rotation, translation)
    }

    /// Joint `k`'s rotation `R_k` and translation `t_k` in a small graph, each
    /// `cos q_k C + sin q_k S + K`, from the node of `q_k`.
    #[allow(clippy::type_complexity)]
    fn small_joint<E: SmallNode<f64, Arg = Rank1<JOINTS>, Out = Rank0> + Copy>(
        k: usize,
        qk: Small<Rank0, E>,
    ) -> (
        Small<Rank2<3, 3>, impl SmallNode<f64, Arg = Rank1<JOINTS>, Out = Rank2<3, 3>>>,
        Small<Rank1<3>, impl SmallNode<f64, Arg = Rank1<JOINTS>, Out = Rank1<3>>>,
    ) {
        let ([rc, rs, rk], [tc, ts, tk]) = joint_affine_parts(k);
        let rotation = qk.cos().times(small::constant(rc))
            + qk.sin().times(small::constant(rs))
            + small::constant(rk);
        let translation = qk.cos().times(small::constant(tc))
            + qk.sin().times(small::constant(ts))
            + small::constant(tk);
        (rotation, translation)
    }

    /// The arm as a small graph (`tygrad::small`), written right to left as one point's
    /// position is, each joint a rigid transform: `p = R_0 (R_1 (... (R_6 0 + t_6) ...) + t_1)
    /// + t_0`. The same function as [`position`] (which composes the transforms left to
    /// right), in the 3x4 form [`position_right_to_left`] computes: no homogeneous row.
    pub fn small_arm()
    -> SmallFn<Rank1<JOINTS>, Rank1<3>, impl SmallNode<f64, Arg = Rank1<JOINTS>, Out = Rank1<3>>>
    {
        small::function(|q: small::Input<Rank1<JOINTS>>| {
            let (_, v) = small_joint(6, q.get::<6>());
            let (r, t) = small_joint(5, q.get::<5>());
            let v = r.matvec(v) + t;
            let (r, t) = small_joint(4, q.get::<4>());
            let v = r.matvec(v) + t;
            let (r, t) = small_joint(3, q.get::<3>());
            let v = r.matvec(v) + t;
            let (r, t) = small_joint(2, q.get::<2>());
            let v = r.matvec(v) + t;
            let (r, t) = small_joint(1, q.get::<1>());
            let v = r.matvec(v) + t;
            let (r, t) = small_joint(0, q.get::<0>());
            r.matvec(v) + t
        })
    }

    /// The small graph's Jacobian by reverse mode (`jacobian_rev_into`: one forward pass,
    /// three reverse passes) into `jacobian`, copied to `jac`; returns `p_x + p_y + p_z`.
    pub fn small_rev<E: SmallNode<f64, Arg = Rank1<JOINTS>, Out = Rank1<3>>>(
        arm: &mut SmallFn<Rank1<JOINTS>, Rank1<3>, E>,
        q: &Tensor<Rank1<JOINTS>>,
        jacobian: &mut Jacobian<Rank1<3>, Rank1<JOINTS>>,
        jac: &mut [f64],
    ) -> f64 {
        arm.jacobian_rev_into(q, jacobian);
        copy_jacobian(jacobian, jac, arm.output())
    }

    /// The same by forward mode (`jacobian_fwd_into`: one pass carrying seven tangents).
    pub fn small_fwd<E: SmallNode<f64, Arg = Rank1<JOINTS>, Out = Rank1<3>>>(
        arm: &mut SmallFn<Rank1<JOINTS>, Rank1<3>, E>,
        q: &Tensor<Rank1<JOINTS>>,
        jacobian: &mut Jacobian<Rank1<3>, Rank1<JOINTS>>,
        jac: &mut [f64],
    ) -> f64 {
        arm.jacobian_fwd_into(q, jacobian);
        copy_jacobian(jacobian, jac, arm.output())
    }

    fn copy_jacobian(
        jacobian: &Jacobian<Rank1<3>, Rank1<JOINTS>>,
        jac: &mut [f64],
        p: &Tensor<Rank1<3>>,
    ) -> f64 {
        for i in 0..3 {
            jac[i * JOINTS..(i + 1) * JOINTS].copy_from_slice(jacobian.row(i));
        }
        p.as_slice().iter().sum()
    }

    /// [`position`] written right to left as [`small_arm`] is, `p = T_0 (... (T_6 o))`, for
    /// num-dual on the same function.
    pub fn position_right_to_left<T: DualNum<Primitive = f64> + Copy>(q: &[T; JOINTS]) -> [T; 3] {
        let mut v = [T::zero(); 3];
        for k in (0..JOINTS).rev() {
            let t = joint(k, q[k]);
            v = std::array::from_fn(|i| t[i][0] * v[0] + t[i][1] * v[1] + t[i][2] * v[2] + t[i][3]);
        }
        v
    }

    /// num-dual's forward mode on [`position_right_to_left`].
    pub fn num_dual_right_to_left(q: &[f64; JOINTS], jac: &mut [f64]) -> f64 {
        num_dual_jacobian(position_right_to_left, q, jac)
    }

    /// The arm's position as a [`Lift`]: [`position`] itself, the generic function num-dual
    /// differentiates, recorded as one node.
    pub struct Arm;

    impl Lift for Arm {
        type In = Rank1<JOINTS>;
        type Out = Rank1<3>;
        fn eval<T: DualNum<Primitive = f64> + Copy>(&self, q: &[T], p: &mut [T]) {
            p.copy_from_slice(&position::<T>(&std::array::from_fn(|k| q[k])));
        }
    }

    impl<'g> Tygrad<'g> {
        /// Records the arm at `q` from the graph's ops: per joint `q_k`, `cos` and `sin`
        /// times constant 4x4 matrices (`Var::times`, a scalar node times a tensor) plus a
        /// third, then the six products and the translation (80 nodes, 57 of them computed).
        pub fn build(g: &'g Graph<'g>, q: &[f64; JOINTS]) -> Self {
            let qv = g.param(Tensor::from(*q));
            let angles = [
                qv.get::<0>(),
                qv.get::<1>(),
                qv.get::<2>(),
                qv.get::<3>(),
                qv.get::<4>(),
                qv.get::<5>(),
                qv.get::<6>(),
            ];
            let mut m = joint_node(g, 0, angles[0]);
            for (k, &qk) in angles.iter().enumerate().skip(1) {
                m = m.matmul(joint_node(g, k, qk));
            }
            let origin = g.constant(Tensor::from([0.0, 0.0, 0.0, 1.0]));
            let p = m.matvec(origin).slice::<0, 3>();
            Self::new(qv, p)
        }

        /// Records the arm at `q` as one node, `q.lift(Arm)`.
        pub fn build_lifted(g: &'g Graph<'g>, q: &[f64; JOINTS]) -> Self {
            let qv = g.param(Tensor::from(*q));
            Self::new(qv, qv.lift(Arm))
        }

        fn new(q: Var<'g, Rank1<JOINTS>, f64, kind::Param>, p: Var<'g, Rank1<3>>) -> Self {
            let jacobian = std::cell::RefCell::new(Jacobian::zeros());
            Tygrad { q, p, jacobian }
        }

        /// The Jacobian by reverse mode (three reverse sweeps, `jacobian_rev_into`) at `q`,
        /// into `jac`; returns `p_x + p_y + p_z`.
        pub fn jacobian_rev(&self, q: &[f64; JOINTS], jac: &mut [f64]) -> f64 {
            self.q.set_value(&Tensor::from(*q));
            self.p
                .jacobian_rev_into(self.q, &mut self.jacobian.borrow_mut());
            self.copy_out(jac)
        }

        /// The Jacobian by forward mode (one pass carrying seven tangents,
        /// `jacobian_fwd_into`) at `q`, into `jac`.
        pub fn jacobian_fwd(&self, q: &[f64; JOINTS], jac: &mut [f64]) -> f64 {
            self.q.set_value(&Tensor::from(*q));
            self.p
                .jacobian_fwd_into(self.q, &mut self.jacobian.borrow_mut());
            self.copy_out(jac)
        }

        fn copy_out(&self, jac: &mut [f64]) -> f64 {
            let j = self.jacobian.borrow();
            for i in 0..3 {
                jac[i * JOINTS..(i + 1) * JOINTS].copy_from_slice(j.row(i));
            }
            self.p.value().as_slice().iter().sum()
        }
    }
}

/// W7: the dense 16x16 Hessian of Rosenbrock with N = 16.
pub mod w7 {
    use super::*;

    /// The length of `x`.
    pub const N: usize = 16;
    /// Entries of the Hessian.
    pub const NUMEL: usize = N * N;
    /// Reference values (float64) from the workload's definition.
    pub const VALUE: f64 = 5034.740129198381;
    /// The sum of the 256 Hessian entries.
    pub const CHECKSUM: f64 = 23782.763171236886;

    /// `x_i = 1.5 sin(0.37 i + 0.11)`.
    pub fn input() -> [f64; N] {
        std::array::from_fn(|i| fill(i, 0, 1.5))
    }

    /// Rosenbrock, generic over the scalar.
    pub fn rosenbrock<T: DualNum<Primitive = f64> + Copy>(x: &[T]) -> T {
        let mut total = T::zero();
        for i in 0..x.len() - 1 {
            let a = x[i + 1] - x[i] * x[i];
            let b = -x[i] + 1.0;
            total += a * a * 100.0 + b * b;
        }
        total
    }

    /// The primal.
    pub fn primal(x: &[f64; N]) -> f64 {
        rosenbrock(x)
    }

    /// Hand-written: the tridiagonal closed form; returns `f(x)`.
    pub fn hand(x: &[f64; N], hess: &mut [f64]) -> f64 {
        hess.fill(0.0);
        for i in 0..N {
            let mut d = 0.0;
            if i < N - 1 {
                d += 2.0 + 1200.0 * x[i] * x[i] - 400.0 * x[i + 1];
                hess[i * N + i + 1] = -400.0 * x[i];
                hess[(i + 1) * N + i] = -400.0 * x[i];
            }
            if i > 0 {
                d += 200.0;
            }
            hess[i * N + i] = d;
        }
        rosenbrock(x)
    }

    /// num-dual's `hessian` over a static vector (second-order dual numbers).
    pub fn num_dual(x: &[f64; N], hess: &mut [f64]) -> f64 {
        let (f, _, h) = num_dual::hessian(
            |x: SVector<num_dual::Dual2SVec64<N>, N>| rosenbrock(x.as_slice()),
            &SVector::from_column_slice(x),
        );
        for i in 0..N {
            for j in 0..N {
                hess[i * N + j] = h[(i, j)];
            }
        }
        f
    }

    /// Rosenbrock as a fused graph over two overlapping slices.
    pub fn fused() -> Reduced<Rank1<15>, impl Node<f64, Arg = Rank1<N>>> {
        fused::function(|x: Input<Rank1<N>>| {
            let (head, tail) = (x.slice::<0, 15>(), x.slice::<1, 15>());
            ((tail - head.square()).square() * 100.0 + (1.0 - head).square()).sum()
        })
    }

    /// The Hessian of a fused graph by 16 Hessian-vector products (forward over reverse).
    pub fn fused_hvp<S: Shape, E: Node<f64, Arg = Rank1<N>>>(
        f: &Reduced<S, E>,
        x: &[f64; N],
        hess: &mut [f64],
    ) -> f64 {
        let xt = Tensor::from(*x);
        let mut e = Tensor::<Rank1<N>>::zeros();
        for i in 0..N {
            e[i] = 1.0;
            let column = f.hvp(&xt, &e);
            e[i] = 0.0;
            for (j, &h) in column.as_slice().iter().enumerate() {
                hess[j * N + i] = h;
            }
        }
        f.value(&xt)
    }

    /// The Hessian of a fused graph by its `hessian` (one local forward-over-reverse step per
    /// element and position it reads), copied into the flat buffer.
    pub fn fused_hessian<S: Shape, E: Node<f64, Arg = Rank1<N>>>(
        f: &Reduced<S, E>,
        x: &[f64; N],
        hess: &mut [f64],
    ) -> f64 {
        let xt = Tensor::from(*x);
        let h = f.hessian(&xt);
        for i in 0..N {
            hess[i * N..(i + 1) * N].copy_from_slice(h.row(i));
        }
        f.value(&xt)
    }

    /// The timed fused path: `hessian_into` a Jacobian the caller keeps, at an argument the
    /// caller keeps (as a Newton loop holds both), so a call allocates nothing; returns
    /// `f(x)`, as `hand` does.
    pub fn fused_hessian_into<S: Shape, E: Node<f64, Arg = Rank1<N>>>(
        f: &Reduced<S, E>,
        x: &Tensor<Rank1<N>>,
        hess: &mut Jacobian<Rank1<N>, Rank1<N>>,
    ) -> f64 {
        f.hessian_into(x, hess);
        f.value(x)
    }

    /// Rosenbrock as a `Graph`, built once.
    pub struct Tygrad<'g> {
        /// The argument.
        pub x: Var<'g, Rank1<N>, f64, kind::Param>,
        /// `f(x)`.
        pub f: Var<'g, Rank0>,
    }

    impl<'g> Tygrad<'g> {
        /// Records Rosenbrock at `x`.
        pub fn build(g: &'g Graph<'g>, x: &[f64; N]) -> Self {
            let xv = g.param(Tensor::from(*x));
            let (head, tail) = (xv.slice::<0, 15>(), xv.slice::<1, 15>());
            let f = ((tail - head.square()).square() * 100.0 + (1.0 - head).square()).sum();
            Tygrad { x: xv, f }
        }

        /// The Hessian by hyper-dual passes (`hessian`, one per pair `i <= j`).
        pub fn hessian(&self, x: &[f64; N], hess: &mut [f64]) -> f64 {
            self.x.set_value(&Tensor::from(*x));
            let h = self.f.hessian(self.x);
            for i in 0..N {
                hess[i * N..(i + 1) * N].copy_from_slice(h.row(i));
            }
            self.f.item()
        }

        /// The Hessian by 16 Hessian-vector products (`hvp`, forward over reverse).
        pub fn hvp(&self, x: &[f64; N], hess: &mut [f64]) -> f64 {
            self.x.set_value(&Tensor::from(*x));
            let mut e = Tensor::<Rank1<N>>::zeros();
            for i in 0..N {
                e[i] = 1.0;
                let column = self.f.hvp(self.x, &e);
                e[i] = 0.0;
                for (j, &h) in column.as_slice().iter().enumerate() {
                    hess[j * N + i] = h;
                }
            }
            self.f.item()
        }
    }
}
