#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod check;
pub mod forward;
pub mod fused;
pub mod graph;
mod jacobian;
mod ops;
pub mod optim;
mod reverse;
pub mod scalar;
pub mod shape;
pub mod small;
pub mod tensor;
mod workspace;

pub use check::{CheckReport, JacobianCheck, NodeFailure, Tolerances};
pub use forward::{ArrayNumel, Jacobian, Tangent};
pub use graph::{Graph, Var, kind};
pub use ops::custom::{CustomOp, DynCustomOp};
pub use ops::lift::Lift;
pub use ops::lift_real::LiftReal;
pub use ops::stack::stack;

/// Every op, with its shape rule and its derivative.
#[doc = include_str!("../docs/ops.md")]
pub mod ops_reference {
    pub use crate::ops::define::OpInfo;

    /// Every registered elementwise op (unary, then binary), as its definition describes it:
    /// the list the test suite and this reference are checked against.
    ///
    /// ```
    /// let ops = tygrad::ops_reference::registered_ops();
    /// assert!(ops.iter().any(|op| op.method == Some("hypot") && op.arity == 2));
    /// assert!(ops.iter().all(|op| op.label.ends_with("Backward") || op.label == "StopGradient"));
    /// ```
    pub fn registered_ops() -> Vec<OpInfo> {
        let unary = crate::ops::elementwise::Elementwise::<f64>::ALL;
        unary
            .iter()
            .chain(crate::ops::binary::Binary::ALL)
            .copied()
            .collect()
    }
}

/// Writing your own functions over `Var`: kinds, generic sizes and floats, the `N - 1`
/// answer, and the compiler errors you may meet (`docs/guide.md`).
#[doc = include_str!("../docs/guide.md")]
pub mod guide {}

/// Everything a user of tygrad needs, in one import.
pub mod prelude {
    pub use crate::check::{CheckReport, JacobianCheck, Tolerances};
    pub use crate::forward::{ArrayNumel, Jacobian, Tangent};
    pub use crate::graph::{
        Graph, IsLeaf, IsParam, Kind, ReverseInput, Updatable, Var, ZeroGradable, kind,
    };
    pub use crate::ops::custom::CustomOp;
    pub use crate::ops::lift::Lift;
    pub use crate::ops::lift_real::LiftReal;
    pub use crate::ops::stack::stack;
    pub use crate::optim::{Adam, Optimizer, Sgd};
    pub use crate::scalar::{Elem, Float};
    pub use crate::shape::{
        ConcatLen, HessianOutput, HvpOutput, IndexInBounds, OneShorter, Rank0, Rank1, Rank2, Rank3,
        Rank4, SameNumel, ScalarShape, Shape, SliceInBounds, Stack, TypedNumel,
    };
    pub use crate::tensor::Tensor;
}
