//! Custom ops: a user-written kernel and VJP rule, recorded like a built-in op.
//!
//! A custom op implements [`CustomOp`]: a name, a kernel and a VJP rule, both generic
//! over the scalar `T: Elem<F>`. Written once, the kernel runs on the graph's float (values,
//! reverse mode) and on dual numbers (forward mode, Hessians, the cross-check of
//! [`crate::check`]), so a custom op's VJP is witnessed by the derivative of its own kernel,
//! exactly like a built-in op's.
//!
//! A trait with generic methods cannot be a trait object, so the graph stores a
//! `Box<dyn DynCustomOp<F>>`: an object-safe trait whose methods are the generic ones
//! instantiated for each scalar type the crate uses (`F`, `Dual<F>`, `HyperDual<F>`, `MultiDual<F>`). Every
//! [`CustomOp`] implements it through a blanket impl, and the sealed [`Elem`] trait picks the
//! instantiation that matches the buffer being evaluated.

use super::{GradWrite, Op, Rule, VjpIn};
use crate::graph::{Kind, Var};
use crate::scalar::{Elem, Float, MultiDual};
use crate::shape::Shape;
use num_dual::{Dual, DualNumFloat, HyperDual};

/// An op defined outside the crate: its kernel and its VJP rule, both generic over the
/// scalar so that forward mode differentiates the kernel itself.
///
/// The output shape is chosen by the caller of [`Var::custom_unary`] /
/// [`Var::custom_binary`]; the kernel sees row-major slices of the inputs and the output.
///
/// ```
/// use tygrad::prelude::*;
///
/// /// `y = x³`, elementwise.
/// struct Cube;
/// impl CustomOp<f64> for Cube {
///     fn name(&self) -> &'static str {
///         "CubeBackward"
///     }
///     fn eval<T: Elem<f64>>(&self, inputs: &[&[T]], out: &mut [T]) {
///         for (o, &x) in out.iter_mut().zip(inputs[0]) {
///             *o = x * x * x;
///         }
///     }
///     fn vjp<T: Elem<f64>>(&self, _k: usize, inputs: &[&[T]], _out: &[T], grad_out: &[T], grad_in: &mut [T]) {
///         for ((gi, &go), &x) in grad_in.iter_mut().zip(grad_out).zip(inputs[0]) {
///             *gi += go * x * x * 3.0;
///         }
///     }
/// }
///
/// Graph::with_checked(|g| {
///     let x = g.param(Tensor::<Rank1<2>>::from([1.0, 2.0]));
///     let y = x.custom_unary::<Rank1<2>, _>(Cube);
///     assert_eq!(y.grad_fn(), Some("CubeBackward"));
///     y.sum().backward(); // cross-checked against the dual-number derivative of `eval`
///     assert_eq!(x.grad().as_slice(), &[3.0, 12.0]);
/// });
/// ```
pub trait CustomOp<F: Float>: 'static {
    /// The op's `grad_fn` name, shown by [`Var::grad_fn`], in DOT exports and in the messages
    /// of the cross-check (by convention `SomethingBackward`).
    ///
    /// ```
    /// # use tygrad::prelude::*;
    /// # struct Twice;
    /// # impl CustomOp<f64> for Twice {
    /// fn name(&self) -> &'static str { "TwiceBackward" }
    /// # fn eval<T: Elem<f64>>(&self, i: &[&[T]], o: &mut [T]) { o[0] = i[0][0] * 2.0; }
    /// # fn vjp<T: Elem<f64>>(&self, _: usize, _: &[&[T]], _: &[T], g: &[T], gi: &mut [T]) { gi[0] += g[0] * 2.0; }
    /// # }
    /// # assert_eq!(Twice.name(), "TwiceBackward");
    /// ```
    fn name(&self) -> &'static str;

    /// Writes the output from the inputs (`inputs[k]` is input `k`, row-major). Must be
    /// written with `T`'s arithmetic only (no `.real()` except to pick a branch), so that
    /// running it on dual numbers differentiates it.
    ///
    /// ```
    /// # use tygrad::prelude::*;
    /// # struct Twice;
    /// # impl CustomOp<f64> for Twice {
    /// # fn name(&self) -> &'static str { "TwiceBackward" }
    /// fn eval<T: Elem<f64>>(&self, inputs: &[&[T]], out: &mut [T]) {
    ///     out[0] = inputs[0][0] * 2.0;
    /// }
    /// # fn vjp<T: Elem<f64>>(&self, _: usize, _: &[&[T]], _: &[T], g: &[T], gi: &mut [T]) { gi[0] += g[0] * 2.0; }
    /// # }
    /// # let mut out = [0.0];
    /// # Twice.eval(&[&[1.5]], &mut out);
    /// # assert_eq!(out[0], 3.0);
    /// ```
    fn eval<T: Elem<F>>(&self, inputs: &[&[T]], out: &mut [T]);

    /// Adds input `k`'s share of the vector-Jacobian product to `grad_in`
    /// (`grad_in += (d out / d input_k)ᵀ · grad_out`): use `+=`, never `=`, since an input can
    /// feed several nodes.
    ///
    /// ```
    /// # use tygrad::prelude::*;
    /// # struct Twice;
    /// # impl CustomOp<f64> for Twice {
    /// # fn name(&self) -> &'static str { "TwiceBackward" }
    /// # fn eval<T: Elem<f64>>(&self, i: &[&[T]], o: &mut [T]) { o[0] = i[0][0] * 2.0; }
    /// fn vjp<T: Elem<f64>>(&self, _k: usize, _inputs: &[&[T]], _out: &[T], grad_out: &[T], grad_in: &mut [T]) {
    ///     grad_in[0] += grad_out[0] * 2.0;
    /// }
    /// # }
    /// # let mut gin = [1.0];
    /// # Twice.vjp(0, &[&[5.0]], &[10.0], &[1.0], &mut gin);
    /// # assert_eq!(gin[0], 3.0);
    /// ```
    fn vjp<T: Elem<F>>(
        &self,
        k: usize,
        inputs: &[&[T]],
        out: &[T],
        grad_out: &[T],
        grad_in: &mut [T],
    );
}

/// The object-safe form of [`CustomOp`], which the graph stores: the generic methods
/// instantiated for each scalar type the crate evaluates on. Implemented for every
/// [`CustomOp`]; you never implement or call it yourself.
///
/// ```
/// use tygrad::prelude::*;
/// use tygrad::DynCustomOp;
/// struct Id;
/// impl CustomOp<f64> for Id {
///     fn name(&self) -> &'static str { "IdBackward" }
///     fn eval<T: Elem<f64>>(&self, i: &[&[T]], o: &mut [T]) { o.copy_from_slice(i[0]); }
///     fn vjp<T: Elem<f64>>(&self, _: usize, _: &[&[T]], _: &[T], g: &[T], gi: &mut [T]) {
///         for (a, &b) in gi.iter_mut().zip(g) { *a += b; }
///     }
/// }
/// let boxed: Box<dyn DynCustomOp<f64>> = Box::new(Id);
/// assert_eq!(boxed.dyn_name(), "IdBackward");
/// ```
pub trait DynCustomOp<F: DualNumFloat> {
    /// [`CustomOp::name`] (named apart so that calling `.name()` on an op is never ambiguous).
    fn dyn_name(&self) -> &'static str;
    /// [`CustomOp::eval`] on the graph's float.
    fn eval_real(&self, inputs: &[&[F]], out: &mut [F]);
    /// [`CustomOp::eval`] on dual numbers (forward mode).
    fn eval_dual(&self, inputs: &[&[Dual<F>]], out: &mut [Dual<F>]);
    /// [`CustomOp::eval`] on hyper-dual numbers (second derivatives).
    fn eval_hyper(&self, inputs: &[&[HyperDual<F>]], out: &mut [HyperDual<F>]);
    /// [`CustomOp::eval`] on multi-tangent dual numbers (Jacobians by forward mode).
    fn eval_multi(&self, inputs: &[&[MultiDual<F>]], out: &mut [MultiDual<F>]);
    /// [`CustomOp::vjp`] on the graph's float.
    fn vjp_real(&self, k: usize, inputs: &[&[F]], out: &[F], grad_out: &[F], grad_in: &mut [F]);
    /// [`CustomOp::vjp`] on dual numbers (forward-over-reverse).
    fn vjp_dual(
        &self,
        k: usize,
        inputs: &[&[Dual<F>]],
        out: &[Dual<F>],
        grad_out: &[Dual<F>],
        grad_in: &mut [Dual<F>],
    );
    /// [`CustomOp::vjp`] on hyper-dual numbers.
    fn vjp_hyper(
        &self,
        k: usize,
        inputs: &[&[HyperDual<F>]],
        out: &[HyperDual<F>],
        grad_out: &[HyperDual<F>],
        grad_in: &mut [HyperDual<F>],
    );
    /// [`CustomOp::vjp`] on multi-tangent dual numbers (no pass of the crate runs it; here
    /// so that every scalar type has the whole interface).
    fn vjp_multi(
        &self,
        k: usize,
        inputs: &[&[MultiDual<F>]],
        out: &[MultiDual<F>],
        grad_out: &[MultiDual<F>],
        grad_in: &mut [MultiDual<F>],
    );
}

impl<F: Float, C: CustomOp<F>> DynCustomOp<F> for C {
    fn dyn_name(&self) -> &'static str {
        self.name()
    }
    fn eval_real(&self, inputs: &[&[F]], out: &mut [F]) {
        self.eval(inputs, out)
    }
    fn eval_dual(&self, inputs: &[&[Dual<F>]], out: &mut [Dual<F>]) {
        self.eval(inputs, out)
    }
    fn eval_hyper(&self, inputs: &[&[HyperDual<F>]], out: &mut [HyperDual<F>]) {
        self.eval(inputs, out)
    }
    fn eval_multi(&self, inputs: &[&[MultiDual<F>]], out: &mut [MultiDual<F>]) {
        self.eval(inputs, out)
    }
    fn vjp_real(&self, k: usize, inputs: &[&[F]], out: &[F], grad_out: &[F], grad_in: &mut [F]) {
        self.vjp(k, inputs, out, grad_out, grad_in)
    }
    fn vjp_dual(
        &self,
        k: usize,
        inputs: &[&[Dual<F>]],
        out: &[Dual<F>],
        grad_out: &[Dual<F>],
        grad_in: &mut [Dual<F>],
    ) {
        self.vjp(k, inputs, out, grad_out, grad_in)
    }
    fn vjp_hyper(
        &self,
        k: usize,
        inputs: &[&[HyperDual<F>]],
        out: &[HyperDual<F>],
        grad_out: &[HyperDual<F>],
        grad_in: &mut [HyperDual<F>],
    ) {
        self.vjp(k, inputs, out, grad_out, grad_in)
    }
    fn vjp_multi(
        &self,
        k: usize,
        inputs: &[&[MultiDual<F>]],
        out: &[MultiDual<F>],
        grad_out: &[MultiDual<F>],
        grad_in: &mut [MultiDual<F>],
    ) {
        self.vjp(k, inputs, out, grad_out, grad_in)
    }
}

/// A recorded custom op.
pub(crate) struct Custom<F: Float>(pub(crate) Box<dyn DynCustomOp<F>>);

impl<F: Float> Rule<F> for Custom<F> {
    fn label(&self) -> &'static str {
        self.0.dyn_name()
    }

    #[inline]
    fn eval<T: Elem<F>>(&self, inputs: &[&[T]], out: &mut [T]) {
        T::custom_eval(&*self.0, inputs, out)
    }

    #[inline]
    fn vjp<T: Elem<F>>(&self, k: usize, at: VjpIn<'_, T>, grad_in: &mut [T], write: GradWrite) {
        let VjpIn {
            inputs,
            out,
            grad_out,
        } = at;
        // Custom rules only add, by their documented contract.
        write.prepare(grad_in);
        T::custom_vjp(&*self.0, k, inputs, out, grad_out, grad_in)
    }
}

impl<'g, S: Shape, F: Float, K: Kind> Var<'g, S, F, K> {
    /// Records the custom op `op` on this node; the caller chooses the output shape `S2`.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// /// The sum of squares, as one op.
    /// struct SumSq;
    /// impl CustomOp<f64> for SumSq {
    ///     fn name(&self) -> &'static str { "SumSqBackward" }
    ///     fn eval<T: Elem<f64>>(&self, i: &[&[T]], o: &mut [T]) {
    ///         o[0] = i[0].iter().fold(T::zero(), |acc, &x| acc + x * x);
    ///     }
    ///     fn vjp<T: Elem<f64>>(&self, _: usize, i: &[&[T]], _: &[T], g: &[T], gi: &mut [T]) {
    ///         for (a, &x) in gi.iter_mut().zip(i[0]) { *a += g[0] * x * 2.0; }
    ///     }
    /// }
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank1<3>>::from([1.0, 2.0, 3.0]));
    ///     let s = x.custom_unary::<Rank0, _>(SumSq);
    ///     s.backward();
    ///     assert_eq!(s.item(), 14.0);
    ///     assert_eq!(x.grad().as_slice(), &[2.0, 4.0, 6.0]);
    /// });
    /// ```
    pub fn custom_unary<S2: Shape, C: CustomOp<F>>(self, op: C) -> Var<'g, S2, F> {
        self.graph
            .push(Op::Custom(Custom(Box::new(op))), &[self.id])
    }

    /// Records the custom op `op` on this node (input 0) and `rhs` (input 1); the caller
    /// chooses the output shape `S2`.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// /// The dot product of two vectors.
    /// struct Dot;
    /// impl CustomOp<f64> for Dot {
    ///     fn name(&self) -> &'static str { "DotBackward" }
    ///     fn eval<T: Elem<f64>>(&self, i: &[&[T]], o: &mut [T]) {
    ///         o[0] = i[0].iter().zip(i[1]).fold(T::zero(), |acc, (&a, &b)| acc + a * b);
    ///     }
    ///     fn vjp<T: Elem<f64>>(&self, k: usize, i: &[&[T]], _: &[T], g: &[T], gi: &mut [T]) {
    ///         for (a, &other) in gi.iter_mut().zip(i[1 - k]) { *a += g[0] * other; }
    ///     }
    /// }
    /// Graph::with_checked(|g| {
    ///     let a = g.param(Tensor::<Rank1<2>>::from([1.0, 2.0]));
    ///     let b = g.param(Tensor::<Rank1<2>>::from([3.0, 4.0]));
    ///     let d = a.custom_binary::<Rank0, _, _, _>(b, Dot);
    ///     d.backward();
    ///     assert_eq!(d.item(), 11.0);
    ///     assert_eq!(a.grad().as_slice(), &[3.0, 4.0]);
    ///     assert_eq!(b.grad().as_slice(), &[1.0, 2.0]);
    /// });
    /// ```
    pub fn custom_binary<S2: Shape, S1: Shape, K1: Kind, C: CustomOp<F>>(
        self,
        rhs: Var<'g, S1, F, K1>,
        op: C,
    ) -> Var<'g, S2, F> {
        self.graph
            .push(Op::Custom(Custom(Box::new(op))), &[self.id, rhs.id])
    }
}
