//! Elementwise unary ops, including arithmetic with a scalar constant on either side.
//!
//! Shape rule: `Var<S> -> Var<S>`. Each op is one definition (`unary_op!` in `ops::define`)
//! in the family files below; the registration list [`elementwise_registry!`] makes the
//! `Graph`'s [`Elementwise`] enum and its [`Rule`]: one generic kernel loop and one VJP loop
//! for every op, dispatched once per method.
//!
//! Kinks use the subgradient noted on each method; the value functions branch the same way,
//! so forward and reverse mode agree there too. Outside an op's domain (`ln` or `sqrt` of a
//! negative number) the value is NaN, as `f64` gives, and NaN propagates to the gradient: no
//! panic, and no finite-looking wrong number.

mod activation;
mod arithmetic;
mod transcendental;

/// The op types, public as the nodes of fused graphs (`tygrad::fused::node`).
pub(crate) mod defs {
    pub use super::activation::*;
    pub use super::arithmetic::*;
    pub use super::transcendental::*;
}
use defs::*;

use super::define::{OpInfo, UnaryOp, unary_eval, unary_vjp};
use super::{GradWrite, Op, Rule, Uniform, VjpIn};
use crate::graph::{Kind, Var};
use crate::scalar::{Elem, Float};
use crate::shape::Shape;

/// The registration point: one name per op makes it a variant of [`Elementwise`], with its
/// [`Rule`] arm in each method and its row in [`Elementwise::ALL`].
macro_rules! elementwise_registry {
    ($($name:ident $(<$gen:ident>)?),* $(,)?) => {
        /// An elementwise unary op as a `Graph` records it; constants are stored in the graph's
        /// float type.
        #[derive(Clone, Copy, Debug, PartialEq)]
        pub(crate) enum Elementwise<F: Float> {
            $($name($name $(<$gen>)?),)*
        }

        $(impl<F: Float> From<$name $(<$gen>)?> for Elementwise<F> {
            #[inline]
            fn from(op: $name $(<$gen>)?) -> Self {
                Elementwise::$name(op)
            }
        })*

        impl<F: Float> Elementwise<F> {
            /// Every registered unary op, in registration order.
            pub(crate) const ALL: &'static [OpInfo] = &[$(<$name $(<$gen>)? as UnaryOp<F>>::INFO,)*];
        }

        impl<F: Float> Rule<F> for Elementwise<F> {
            fn label(&self) -> &'static str {
                match self {
                    $(Self::$name(_) => <$name $(<$gen>)? as UnaryOp<F>>::LABEL,)*
                }
            }

            fn scratch_len(&self, len: usize) -> usize {
                match self {
                    $(Self::$name(_) => if <$name $(<$gen>)? as UnaryOp<F>>::KEEPS { len } else { 0 },)*
                }
            }

            #[inline]
            fn eval<T: Elem<F>>(&self, inputs: &[&[T]], out: &mut [T]) {
                match self {
                    $(Self::$name(op) => unary_eval(op, inputs[0], out),)*
                }
            }

            #[inline]
            fn vjp<T: Elem<F>>(&self, _k: usize, at: VjpIn<'_, T>, grad_in: &mut [T], write: GradWrite) {
                let VjpIn { inputs, out, grad_out } = at;
                match self {
                    $(Self::$name(op) => unary_vjp(op, inputs[0], out, grad_out, grad_in, write),)*
                }
            }

            #[inline]
            fn uniform_share<T: Elem<F>>(&self, _k: usize, g: T, _input_len: usize) -> Option<T> {
                match self {
                    $(Self::$name(op) => <$name $(<$gen>)? as UnaryOp<F>>::CONSTANT_SLOPE
                        .then(|| op.constant_pull(g)),)*
                }
            }

            #[inline]
            fn takes_uniform_adjoint(&self) -> bool {
                true
            }

            #[inline]
            fn vjp_uniform<T: Elem<F>>(
                &self,
                inputs: &[&[T]],
                out: &[T],
                g: T,
                grad_in: &mut [T],
                write: GradWrite,
            ) {
                match self {
                    $(Self::$name(op) => unary_vjp(op, inputs[0], out, Uniform(g), grad_in, write),)*
                }
            }
        }
    };
}

elementwise_registry! {
    Negate, AddScalar<F>, SubScalar<F>, RsubScalar<F>, MulScalar<F>, DivScalar<F>,
    RdivScalar<F>, Square, Powi, Powf<F>, Sqrt, Abs, Clamp<F>, StopGradient,
    Exp, Expm1, Ln, Log1p, Sin, Cos, Tan, Atan, Asinh, Tanh,
    Sigmoid, Relu, LeakyRelu<F>, Softplus,
}

impl<'g, S: Shape, F: Float, K: Kind> Var<'g, S, F, K> {
    /// Records the elementwise op `op` on this node.
    pub(crate) fn elementwise(self, op: impl Into<Elementwise<F>>) -> Var<'g, S, F> {
        self.graph.push(Op::Elementwise(op.into()), &[self.id])
    }

    /// The same as [`stop_gradient`](Self::stop_gradient) (PyTorch's name).
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank0>::from(3.0));
    ///     (x.detach() * 2.0 + x).backward();
    ///     assert_eq!(x.grad().item(), 1.0);
    /// });
    /// ```
    pub fn detach(self) -> Var<'g, S, F> {
        self.stop_gradient()
    }
}

impl<'g, S: Shape, F: Float, K: Kind> std::ops::Neg for Var<'g, S, F, K> {
    type Output = Var<'g, S, F>;
    fn neg(self) -> Self::Output {
        self.elementwise(Negate)
    }
}

/// `x ± c`, `x * c`, `x / c` for a constant `c` of the graph's float type `F`, in code
/// generic over `F` as well; and `c ± x`, `c * x`, `c / x` for `f64` and `f32` (a foreign
/// type on the left cannot be generic: write `x * c` there, or `F::of_f64(..)`).
macro_rules! scalar_operators {
    ($($trait:ident, $method:ident, $var_op_c:ident, $c_op_var:ident;)*) => {$(
        impl<'g, S: Shape, F: Float, K: Kind> std::ops::$trait<F> for Var<'g, S, F, K> {
            type Output = Var<'g, S, F>;
            fn $method(self, c: F) -> Self::Output {
                self.elementwise($var_op_c(c))
            }
        }
        scalar_operators!(@left $trait, $method, $c_op_var, f64);
        scalar_operators!(@left $trait, $method, $c_op_var, f32);
    )*};
    (@left $trait:ident, $method:ident, $c_op_var:ident, $float:ty) => {
        impl<'g, S: Shape, K: Kind> std::ops::$trait<Var<'g, S, $float, K>> for $float {
            type Output = Var<'g, S, $float>;
            fn $method(self, x: Var<'g, S, $float, K>) -> Self::Output {
                x.elementwise($c_op_var(self))
            }
        }
    };
}
scalar_operators! {
    Add, add, AddScalar, AddScalar;
    Sub, sub, SubScalar, RsubScalar;
    Mul, mul, MulScalar, MulScalar;
    Div, div, DivScalar, RdivScalar;
}
