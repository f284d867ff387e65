//! Bring your own generic code: a function written over num-dual's `DualNum` (as num-dual
//! users already write them: forward kinematics, an equation of state) recorded as one node
//! of a `Graph` with [`Var::lift`], with no derivative written by hand.
//!
//! Shape rule: `Var<L::In> -> Var<L::Out>` for a [`Lift`] `L`. The node's kernel is the
//! function itself, so forward mode, Hessians and the cross-checks differentiate it as they
//! do every op; its VJP is derived by forward mode through the same function: one pass on
//! dual numbers carrying eight tangents per eight input elements (`(d out / d x_i) ·
//! grad_out` for each `i`), over whatever scalar the sweep runs (so forward-over-reverse
//! Hessian-vector products see its second derivatives). That suits the small inputs such
//! functions take; the VJP's dual buffers are on the stack for up to 16 input and 16 output
//! elements (allocated past that). A forward Jacobian through a lifted
//! node ([`Var::jacobian_fwd`]) runs `f` once on the multi-tangent numbers themselves.

use super::custom::CustomOp;
use crate::graph::{Kind, Var};
use crate::scalar::{Elem, Float, TANGENTS};
use crate::shape::Shape;
use nalgebra::Const;
use num_dual::{DualNum, DualVec};

/// A function of one small typed input, written once over any dual number `T` (the graph's
/// float, or a dual number over it), to be recorded with [`Var::lift`].
///
/// ```
/// use num_dual::DualNum;
/// use tygrad::prelude::*;
///
/// /// A planar two-link arm: joint angles to the hand's position.
/// struct Arm;
/// impl Lift for Arm {
///     type In = Rank1<2>;
///     type Out = Rank1<2>;
///     fn eval<T: DualNum<Primitive = f64> + Copy>(&self, q: &[T], hand: &mut [T]) {
///         let q01 = q[0] + q[1];
///         hand[0] = q[0].cos() + q01.cos() * 0.5;
///         hand[1] = q[0].sin() + q01.sin() * 0.5;
///     }
/// }
///
/// Graph::with_checked(|g| {
///     let q = g.param(Tensor::<Rank1<2>>::from([0.3, 0.4]));
///     let hand = q.lift(Arm);
///     hand.get::<1>().backward(); // d y / d q0 = cos q0 + cos(q0 + q1) / 2
///     assert!((q.grad()[0] - (0.3f64.cos() + 0.7f64.cos() * 0.5)).abs() < 1e-15);
///     let j = hand.jacobian_fwd(q); // forward mode through the same function
///     assert!((j[(1, 1)] - 0.7f64.cos() * 0.5).abs() < 1e-15);
/// });
/// ```
pub trait Lift<F: Float = f64>: 'static {
    /// The input's shape.
    type In: Shape;
    /// The output's shape.
    type Out: Shape;

    /// The `grad_fn` name of the node.
    ///
    /// ```
    /// # use tygrad::prelude::*;
    /// # struct Id;
    /// # impl Lift for Id {
    /// #     type In = Rank0;
    /// #     type Out = Rank0;
    /// #     fn eval<T: num_dual::DualNum<Primitive = f64> + Copy>(&self, x: &[T], y: &mut [T]) { y[0] = x[0]; }
    /// # }
    /// assert_eq!(Id.name(), "LiftBackward");
    /// ```
    fn name(&self) -> &'static str {
        "LiftBackward"
    }

    /// Writes the output (`out`, row-major) from the input (`x`, row-major), with `T`'s
    /// arithmetic only, so that dual numbers differentiate it.
    ///
    /// ```
    /// # use tygrad::prelude::*;
    /// # struct Square;
    /// # impl Lift for Square {
    /// #     type In = Rank0;
    /// #     type Out = Rank0;
    /// fn eval<T: num_dual::DualNum<Primitive = f64> + Copy>(&self, x: &[T], y: &mut [T]) {
    ///     y[0] = x[0] * x[0];
    /// }
    /// # }
    /// let mut y = [0.0];
    /// Square.eval(&[3.0], &mut y);
    /// assert_eq!(y[0], 9.0);
    /// ```
    fn eval<T: DualNum<Primitive = F> + Copy>(&self, x: &[T], out: &mut [T]);
}

/// A [`Lift`] as a custom op: its kernel, and a VJP by forward mode through the kernel.
struct Lifted<L>(L);

impl<F: Float, L: Lift<F>> CustomOp<F> for Lifted<L> {
    fn name(&self) -> &'static str {
        self.0.name()
    }

    fn eval<T: Elem<F>>(&self, inputs: &[&[T]], out: &mut [T]) {
        self.0.eval(inputs[0], out);
    }

    fn vjp<T: Elem<F>>(&self, _: usize, x: &[&[T]], _: &[T], g: &[T], gi: &mut [T]) {
        vjp_by_tangent_chunks(x[0], g, gi, |x, out| self.0.eval(x, out));
    }
}

/// `gi[i] += Σ_o (∂out_o / ∂x_i) g_o` for a function `eval` written over dual numbers (a
/// lifted node's VJP, over whatever scalar `T` the sweep runs): columns of the Jacobian,
/// eight at a time, by one pass of `eval` on dual numbers carrying eight tangents over `T`,
/// dotted with the adjoint `g`. One pass for an input of up to eight elements, where one
/// tangent per pass took one per element.
pub(super) fn vjp_by_tangent_chunks<T: DualNum + Copy + nalgebra::Scalar>(
    x: &[T],
    g: &[T],
    gi: &mut [T],
    mut eval: impl FnMut(&[DualVec<T, Const<TANGENTS>>], &mut [DualVec<T, Const<TANGENTS>>]),
) {
    // Buffers on the stack for the small functions this is for (no allocation per VJP, so a
    // replayed graph's Jacobians stay allocation-free), on the heap past that.
    let zero = DualVec::<T, Const<TANGENTS>>::from_re(T::zero());
    let (mut duals_stack, mut out_stack) = ([zero; STACK_LEN], [zero; STACK_LEN]);
    let (mut duals_heap, mut out_heap) = (Vec::new(), Vec::new());
    let duals = stack_or_heap(&mut duals_stack, &mut duals_heap, x.len(), zero);
    let out = stack_or_heap(&mut out_stack, &mut out_heap, g.len(), zero);
    for (d, &xi) in duals.iter_mut().zip(x) {
        *d = DualVec::from_re(xi);
    }
    for first in (0..x.len()).step_by(TANGENTS) {
        let width = TANGENTS.min(x.len() - first);
        for t in 0..width {
            duals[first + t] = DualVec::<T, Const<TANGENTS>>::from_re(x[first + t]).derivative(t);
        }
        eval(duals, out);
        for t in 0..width {
            duals[first + t] = DualVec::from_re(x[first + t]);
            gi[first + t] += out.iter().zip(g).fold(T::zero(), |acc, (o, &gk)| {
                acc + o.eps.0.as_ref().map_or(T::zero(), |e| e[t]) * gk
            });
        }
    }
}

/// Inputs and outputs of at most this many elements take a lifted node's VJP buffers on the
/// stack.
const STACK_LEN: usize = 16;

/// The first `len` elements of `stack` if they fit, else `heap` grown to `len`.
fn stack_or_heap<'a, D: Copy>(
    stack: &'a mut [D; STACK_LEN],
    heap: &'a mut Vec<D>,
    len: usize,
    fill: D,
) -> &'a mut [D] {
    if len <= STACK_LEN {
        &mut stack[..len]
    } else {
        heap.resize(len, fill);
        heap
    }
}

impl<'g, S: Shape, F: Float, K: Kind> Var<'g, S, F, K> {
    /// Records the function `f` (a [`Lift`] whose input is this node's shape) as one node:
    /// its value is `f` on this node's value, its derivatives come from `f` itself by
    /// forward mode (see [`Lift`] for an example).
    ///
    /// ```
    /// use num_dual::DualNum;
    /// use tygrad::prelude::*;
    /// /// An ideal-gas-like pressure, `p = n T / V`, written over any dual number.
    /// struct Pressure;
    /// impl Lift for Pressure {
    ///     type In = Rank1<3>;
    ///     type Out = Rank0;
    ///     fn eval<T: DualNum<Primitive = f64> + Copy>(&self, s: &[T], p: &mut [T]) {
    ///         p[0] = s[0] * s[1] / s[2];
    ///     }
    /// }
    /// Graph::with_checked(|g| {
    ///     let s = g.param(Tensor::<Rank1<3>>::from([2.0, 300.0, 4.0]));
    ///     let p = s.lift(Pressure);
    ///     assert_eq!(p.item(), 150.0);
    ///     p.backward();
    ///     assert_eq!(s.grad().as_slice(), &[75.0, 0.5, -37.5]);
    ///     assert_eq!(p.hessian(s)[(2, 2)], 2.0 * 600.0 / 64.0);
    /// });
    /// ```
    pub fn lift<L: Lift<F, In = S>>(self, f: L) -> Var<'g, L::Out, F> {
        self.custom_unary(Lifted(f))
    }
}
