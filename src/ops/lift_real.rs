//! Bring your own `RealField` code: a function written over `nalgebra::RealField` (as
//! nalgebra users write forward kinematics or an energy) recorded as one node of a `Graph`
//! with [`Var::lift_real`], its derivatives derived by dual numbers through the function.
//!
//! A [`Lift`](super::lift::Lift) function is written over num-dual's `DualNum`, which nests:
//! its VJP runs it on dual numbers over whatever scalar the sweep uses. `RealField` does not
//! nest (a dual number over a dual number is not a `RealField`), so a [`LiftReal`] function
//! runs on a fixed set of scalars, each a `RealField`: `f64` for values, `Dual64` for forward
//! mode, the eight-tangent `MultiDual<f64>` for forward Jacobians and its own VJP (eight input
//! elements per pass, as a `Lift`'s), and `HyperDual64` for Hessians and
//! for the VJP's own derivative (forward over reverse: the mixed part `eps1eps2` of one
//! hyper-dual pass per input element). So it takes part in `backward`, forward mode,
//! `hessian`, `hvp` and the checks like any op.

use super::Op;
use super::custom::{Custom, DynCustomOp};
use super::lift::vjp_by_tangent_chunks;
use crate::graph::{Kind, Var};
use crate::scalar::MultiDual;
use crate::shape::Shape;
use nalgebra::RealField;
use num_dual::{Dual64, HyperDual64};

/// Hyper-dual numbers over `f64`, the scalar of second derivatives.
type H = HyperDual64;

/// A function of one small typed input written over any `T: nalgebra::RealField`, to be
/// recorded with [`Var::lift_real`] (graphs over `f64`).
///
/// ```
/// use nalgebra::{RealField, Rotation2, Vector2};
/// use tygrad::prelude::*;
///
/// /// A planar two-link arm, written with nalgebra: joint angles to the hand's position.
/// struct Arm;
/// impl LiftReal for Arm {
///     type In = Rank1<2>;
///     type Out = Rank1<2>;
///     fn eval<T: RealField + Copy>(&self, q: &[T], hand: &mut [T]) {
///         let upper = Rotation2::new(q[0]) * Vector2::x();
///         let lower = Rotation2::new(q[0] + q[1]) * Vector2::x() * T::from_f64(0.5).unwrap();
///         let p = upper + lower;
///         (hand[0], hand[1]) = (p.x, p.y);
///     }
/// }
///
/// Graph::with_checked(|g| {
///     let q = g.param(Tensor::<Rank1<2>>::from([0.3, 0.4]));
///     let hand = q.lift_real(Arm);
///     hand.get::<1>().backward(); // d y / d q0 = cos q0 + cos(q0 + q1) / 2
///     assert!((q.grad()[0] - (0.3f64.cos() + 0.7f64.cos() * 0.5)).abs() < 1e-15);
///     let j = hand.jacobian_fwd(q);
///     assert!((j[(1, 1)] - 0.7f64.cos() * 0.5).abs() < 1e-15);
/// });
/// ```
pub trait LiftReal: 'static {
    /// The input's shape.
    type In: Shape;
    /// The output's shape.
    type Out: Shape;

    /// The `grad_fn` name of the node.
    ///
    /// ```
    /// # use tygrad::prelude::*;
    /// # struct Id;
    /// # impl LiftReal for Id {
    /// #     type In = Rank0;
    /// #     type Out = Rank0;
    /// #     fn eval<T: nalgebra::RealField + Copy>(&self, x: &[T], y: &mut [T]) { y[0] = x[0]; }
    /// # }
    /// assert_eq!(Id.name(), "LiftBackward");
    /// ```
    fn name(&self) -> &'static str {
        "LiftBackward"
    }

    /// Writes the function's output (`numel(Out)` entries) from its input (`numel(In)`).
    ///
    /// ```
    /// # use tygrad::prelude::*;
    /// struct Square;
    /// impl LiftReal for Square {
    ///     type In = Rank0;
    ///     type Out = Rank0;
    ///     fn eval<T: nalgebra::RealField + Copy>(&self, x: &[T], y: &mut [T]) {
    ///         y[0] = x[0] * x[0];
    ///     }
    /// }
    /// let mut y = [0.0];
    /// Square.eval(&[3.0], &mut y);
    /// assert_eq!(y, [9.0]);
    /// ```
    fn eval<T: RealField + Copy>(&self, x: &[T], out: &mut [T]);
}

/// A [`LiftReal`] function as a graph node.
struct LiftedReal<L>(L);

impl<L: LiftReal> DynCustomOp<f64> for LiftedReal<L> {
    fn dyn_name(&self) -> &'static str {
        self.0.name()
    }
    fn eval_real(&self, inputs: &[&[f64]], out: &mut [f64]) {
        self.0.eval(inputs[0], out)
    }
    fn eval_dual(&self, inputs: &[&[Dual64]], out: &mut [Dual64]) {
        self.0.eval(inputs[0], out)
    }
    fn eval_hyper(&self, inputs: &[&[H]], out: &mut [H]) {
        self.0.eval(inputs[0], out)
    }
    fn eval_multi(&self, inputs: &[&[MultiDual<f64>]], out: &mut [MultiDual<f64>]) {
        self.0.eval(inputs[0], out)
    }

    /// `gi[i] += Σ_o (∂out_o/∂x_i) g_o`, eight columns per pass (as a [`Lift`]'s VJP).
    ///
    /// [`Lift`]: crate::Lift
    fn vjp_real(&self, _: usize, x: &[&[f64]], _: &[f64], g: &[f64], gi: &mut [f64]) {
        vjp_by_tangent_chunks(x[0], g, gi, |x, out| self.0.eval(x, out));
    }

    /// The same on dual numbers (forward over reverse): with `x = a + b ε` and
    /// `g = c + d ε`, entry `i` is `Σ_o ∂_i out_o c_o` plus `ε` times its derivative along `b`
    /// (`Σ_o ∂_b ∂_i out_o c_o + ∂_i out_o d_o`), both from one hyper-dual pass.
    fn vjp_dual(&self, _: usize, x: &[&[Dual64]], _: &[Dual64], g: &[Dual64], gi: &mut [Dual64]) {
        let mut hyper: Vec<H> = x[0].iter().map(|v| H::new(v.re, 0.0, v.eps, 0.0)).collect();
        let mut out = vec![H::from_re(0.0); g.len()];
        for (i, share) in gi.iter_mut().enumerate() {
            hyper[i].eps1 = 1.0;
            self.0.eval(&hyper, &mut out);
            hyper[i].eps1 = 0.0;
            let (mut re, mut eps) = (0.0, 0.0);
            for (o, gk) in out.iter().zip(g) {
                re += o.eps1 * gk.re;
                eps += o.eps1eps2 * gk.re + o.eps1 * gk.eps;
            }
            *share += Dual64::new(re, eps);
        }
    }

    fn vjp_hyper(&self, _: usize, _: &[&[H]], _: &[H], _: &[H], _: &mut [H]) {
        // Hessians run the kernels on hyper-dual numbers, never the VJP rules; third
        // derivatives of a `RealField` function would need a scalar that does not nest.
        panic!(
            "a `lift_real` node has no reverse pass on hyper-dual numbers (third derivatives); \
             write the function over `num_dual::DualNum` and record it with `Var::lift`"
        )
    }

    fn vjp_multi(
        &self,
        _: usize,
        _: &[&[MultiDual<f64>]],
        _: &[MultiDual<f64>],
        _: &[MultiDual<f64>],
        _: &mut [MultiDual<f64>],
    ) {
        // Multi-tangent numbers run only the kernels (forward Jacobians); no pass of the
        // crate sweeps backwards on them.
        unreachable!("no reverse sweep runs on multi-tangent dual numbers")
    }
}

impl<'g, S: Shape, K: Kind> Var<'g, S, f64, K> {
    /// Records `f`, a function written over `nalgebra::RealField`, as one node
    /// (`LiftBackward`): its value on `f64`, forward mode and Hessians on `num-dual`'s
    /// `Dual64` and `HyperDual64` (both `RealField`), its VJP by one eight-tangent pass per
    /// eight input elements through `f` itself. `f`'s input shape must be this node's.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// /// `|x|² / 2` with nalgebra's own norm.
    /// struct Energy;
    /// impl LiftReal for Energy {
    ///     type In = Rank1<3>;
    ///     type Out = Rank0;
    ///     fn eval<T: nalgebra::RealField + Copy>(&self, x: &[T], e: &mut [T]) {
    ///         let v = nalgebra::Vector3::new(x[0], x[1], x[2]);
    ///         e[0] = v.norm_squared() * T::from_f64(0.5).unwrap();
    ///     }
    /// }
    /// Graph::with_checked(|g| {
    ///     let x = g.param(Tensor::from([1.0, -2.0, 3.0]));
    ///     let e = x.lift_real(Energy);
    ///     e.backward();
    ///     assert_eq!(x.grad().as_slice(), &[1.0, -2.0, 3.0]);
    ///     let hv = e.hvp(x, &Tensor::from([1.0, 0.0, 0.0])); // forward over reverse
    ///     assert_eq!(hv.as_slice(), &[1.0, 0.0, 0.0]);
    /// });
    /// ```
    pub fn lift_real<L: LiftReal<In = S>>(self, f: L) -> Var<'g, L::Out, f64> {
        self.graph
            .push(Op::Custom(Custom(Box::new(LiftedReal(f)))), &[self.id])
    }
}
