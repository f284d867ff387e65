//! Elementwise binary ops between two nodes of the same shape.
//!
//! Shape rule: `Var<S> (op) Var<S> -> Var<S>`; operands of different shapes do not compile.
//! Broadcasting is explicit (see `broadcast`), never implied. Each op is one definition
//! (`binary_op!` in `ops::define`); the registration list [`binary_registry!`] makes the
//! `Graph`'s [`Binary`] enum and its [`Rule`].

use super::define::{BinaryOp, OpInfo, binary_eval, binary_vjp, constant_times};
use super::{GradWrite, Op, Rule, VjpIn};
use crate::graph::{Kind, Var};
use crate::scalar::{Elem, Float};
use crate::shape::{SameShape, Shape};

/// The op types, public as the nodes of fused graphs (`tygrad::fused::node`).
pub(crate) mod defs;
use defs::*;

/// The registration point: one name per op makes it a variant of [`Binary`], with its
/// [`Rule`] arm in each method and its row in [`Binary::ALL`].
macro_rules! binary_registry {
    ($($name:ident),* $(,)?) => {
        /// An elementwise binary op as a `Graph` records it.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub(crate) enum Binary {
            $($name($name),)*
        }

        $(impl From<$name> for Binary {
            #[inline]
            fn from(op: $name) -> Self {
                Binary::$name(op)
            }
        })*

        impl Binary {
            /// Every registered binary op, in registration order.
            pub(crate) const ALL: &'static [OpInfo] = &[$(<$name as BinaryOp<f64>>::INFO,)*];
        }

        impl<F: Float> Rule<F> for Binary {
            fn label(&self) -> &'static str {
                match self {
                    $(Self::$name(_) => <$name as BinaryOp<F>>::LABEL,)*
                }
            }

            #[inline]
            fn eval<T: Elem<F>>(&self, inputs: &[&[T]], out: &mut [T]) {
                match self {
                    $(Self::$name(op) => binary_eval(op, inputs[0], inputs[1], out),)*
                }
            }

            #[inline]
            fn vjp<T: Elem<F>>(&self, k: usize, at: VjpIn<'_, T>, grad_in: &mut [T], write: GradWrite) {
                let VjpIn { inputs, out, grad_out } = at;
                let operands = [inputs[0], inputs[1]];
                match self {
                    $(Self::$name(op) => binary_vjp(op, k, operands, out, grad_out, grad_in, write),)*
                }
            }

            #[inline]
            fn uniform_share<T: Elem<F>>(&self, k: usize, g: T, _input_len: usize) -> Option<T> {
                let partials = match self {
                    $(Self::$name(_) => <$name as BinaryOp<F>>::CONSTANT_PARTIALS,)*
                };
                partials.map(|(da, db)| constant_times(g, if k == 0 { da } else { db }))
            }
        }
    };
}

binary_registry! { Plus, Minus, Times, Quotient, Maximum, Minimum, Pow, Hypot }

impl<'g, S: Shape, F: Float, K: Kind> Var<'g, S, F, K> {
    /// Records the binary op `op` on this node and `rhs`.
    pub(crate) fn binary<K2: Kind>(
        self,
        op: impl Into<Binary>,
        rhs: Var<'g, S, F, K2>,
    ) -> Var<'g, S, F> {
        self.graph.push(Op::Binary(op.into()), &[self.id, rhs.id])
    }
}

/// `a + b`, `a - b`, `a * b`, `a / b` for nodes of one shape. One impl per operator, for any
/// two shapes, behind [`SameShape`]: operands of different shapes are rejected by that
/// trait's message (naming both shapes and the broadcasting ops), with no list of impls.
macro_rules! var_operators {
    ($($trait:ident, $method:ident, $op:ident;)*) => {$(
        impl<'g, S: Shape, S2: Shape, F: Float, K: Kind, K2: Kind> std::ops::$trait<Var<'g, S2, F, K2>>
            for Var<'g, S, F, K>
        where
            S: SameShape<S2>,
        {
            type Output = Var<'g, S, F>;
            fn $method(self, rhs: Var<'g, S2, F, K2>) -> Self::Output {
                self.graph.push(Op::Binary($op.into()), &[self.id, rhs.id])
            }
        }
    )*};
}
var_operators! {
    Add, add, Plus;
    Sub, sub, Minus;
    Mul, mul, Times;
    Div, div, Quotient;
}
