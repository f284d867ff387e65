//! Planted faults: for each op family, a copy of one op (a custom op with the same kernel
//! and VJP) whose VJP is perturbed by 1e-8 relative, by a sign, or assigns instead of adding.
//! The checked backward must catch every one and name it, beside a parameter whose term is
//! 1e4 times larger; the unperturbed copy must pass.

use std::panic::{AssertUnwindSafe, catch_unwind};
use tygrad::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Family {
    /// Elementwise unary: `sin`.
    Unary,
    /// Elementwise binary: `a · b`.
    Binary,
    /// Reduction: `Σ x²` to a scalar.
    Reduce,
    /// Product: `A A` for a 2x2 `A`.
    Linalg,
    /// Neural-network helper: `softmax`.
    Nn,
    /// Axis reduction: the row sums of a 2x2.
    Axis,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Mutation {
    None,
    Relative,
    Sign,
    Assign,
}

struct Copy {
    family: Family,
    mutation: Mutation,
}

impl Copy {
    fn output_len(&self) -> usize {
        match self.family {
            Family::Reduce => 1,
            Family::Axis => 2,
            _ => 4,
        }
    }
}

fn softmax<T: Elem<f64>>(x: &[T]) -> Vec<T> {
    let max = x.iter().fold(f64::NEG_INFINITY, |m, v| m.max(v.real()));
    let e: Vec<T> = x.iter().map(|&v| (v - max).exp()).collect();
    let sum = e.iter().fold(T::zero(), |a, &b| a + b);
    e.iter().map(|&v| v / sum).collect()
}

impl CustomOp<f64> for Copy {
    fn name(&self) -> &'static str {
        match self.family {
            Family::Unary => "CopySinBackward",
            Family::Binary => "CopyMulBackward",
            Family::Reduce => "CopySumSquaresBackward",
            Family::Linalg => "CopyMatmulBackward",
            Family::Nn => "CopySoftmaxBackward",
            Family::Axis => "CopySumAxis1Backward",
        }
    }
    fn eval<T: Elem<f64>>(&self, i: &[&[T]], o: &mut [T]) {
        let x = i[0];
        match self.family {
            Family::Unary => o.iter_mut().zip(x).for_each(|(o, &x)| *o = x.sin()),
            Family::Binary => {
                for ((o, &a), &b) in o.iter_mut().zip(x).zip(i[1]) {
                    *o = a * b;
                }
            }
            Family::Reduce => o[0] = x.iter().fold(T::zero(), |acc, &v| acc + v * v),
            Family::Linalg => {
                for r in 0..2 {
                    for c in 0..2 {
                        o[2 * r + c] = x[2 * r] * x[c] + x[2 * r + 1] * x[2 + c];
                    }
                }
            }
            Family::Nn => o.copy_from_slice(&softmax(x)),
            Family::Axis => {
                o[0] = x[0] + x[1];
                o[1] = x[2] + x[3];
            }
        }
    }
    fn vjp<T: Elem<f64>>(&self, k: usize, i: &[&[T]], _: &[T], g: &[T], gi: &mut [T]) {
        let x = i[0];
        let n = x.len();
        let mut share = vec![T::zero(); n];
        match self.family {
            Family::Unary => (0..n).for_each(|j| share[j] = g[j] * x[j].cos()),
            Family::Binary => (0..n).for_each(|j| share[j] = g[j] * i[1 - k][j]),
            Family::Reduce => (0..n).for_each(|j| share[j] = g[0] * x[j] * 2.0),
            Family::Linalg => {
                // d(A A) = dA A + A dA: dA = G Aᵀ + Aᵀ G.
                for r in 0..2 {
                    for c in 0..2 {
                        let mut s = T::zero();
                        for m in 0..2 {
                            s += g[2 * r + m] * x[2 * c + m] + x[2 * m + r] * g[2 * m + c];
                        }
                        share[2 * r + c] = s;
                    }
                }
            }
            Family::Nn => {
                let y = softmax(x);
                let dot = y.iter().zip(g).fold(T::zero(), |a, (&y, &g)| a + y * g);
                (0..n).for_each(|j| share[j] = y[j] * (g[j] - dot));
            }
            Family::Axis => (0..n).for_each(|j| share[j] = g[j / 2]),
        }
        for (gi, s) in gi.iter_mut().zip(share) {
            match self.mutation {
                Mutation::None => *gi += s,
                Mutation::Relative => *gi += s * (1.0 + 1e-8),
                Mutation::Sign => *gi -= s,
                Mutation::Assign => *gi = s,
            }
        }
    }
}

const FAMILIES: [Family; 6] = [
    Family::Unary,
    Family::Binary,
    Family::Reduce,
    Family::Linalg,
    Family::Nn,
    Family::Axis,
];

/// A loss around the copy: a large other term (`1e4 big²`), the parameter used twice (so an
/// assigning VJP loses a share), and built-in ops before and after.
fn loss_of<'g>(
    g: &'g Graph<'g>,
    op: Copy,
) -> (Var<'g, Rank0>, Var<'g, Rank1<4>, f64, kind::Param>) {
    let x = g.param(Tensor::<Rank1<4>>::from([0.3, -0.8, 1.1, 0.45]));
    let big = g.param(Tensor::<Rank1<4>>::from([2.0, -1.0, 3.0, 0.5]));
    let h = x.tanh() + x * 0.5;
    let len = op.output_len();
    let w: Vec<f64> = (0..len).map(|i| 0.7 - 0.3 * i as f64).collect();
    let loss = match (op.family, len) {
        (Family::Binary, _) => {
            let y = h.custom_binary::<Rank1<4>, _, _, _>(x, op);
            y.dot(g.constant(Tensor::from_vec(w).unwrap()))
        }
        (_, 1) => h.custom_unary::<Rank0, _>(op).sin(),
        (_, 2) => {
            let y = h.custom_unary::<Rank1<2>, _>(op);
            y.exp().dot(g.constant(Tensor::from_vec(w).unwrap()))
        }
        _ => {
            let y = h.custom_unary::<Rank1<4>, _>(op);
            y.exp().dot(g.constant(Tensor::from_vec(w).unwrap()))
        }
    };
    let loss = loss + x.square().sum() + (big * 1e2).square().sum();
    (loss, x)
}

#[path = "common/panics.rs"]
mod panics;
use panics::panic_message;

#[test]
fn every_planted_fault_is_found_and_named() {
    let mut found = 0;
    for family in FAMILIES {
        for mutation in [Mutation::Relative, Mutation::Sign, Mutation::Assign] {
            let op = Copy { family, mutation };
            let name = op.name();
            // The report of a checked call names it.
            Graph::with(|g| {
                let (loss, _) = loss_of(g, Copy { family, mutation });
                let report = loss.backward_checked();
                assert!(!report.passed, "{family:?} {mutation:?} missed: {report}");
                let culprit = report.culprit.clone().expect("a culprit");
                assert_eq!(culprit.op, name, "{family:?} {mutation:?}: {report}");
            });
            // And the graph-wide switch panics with its name.
            let caught = catch_unwind(AssertUnwindSafe(|| {
                Graph::with_checked(|g| loss_of(g, Copy { family, mutation }).0.backward())
            }));
            let message = panic_message(caught.expect_err("no panic"));
            assert!(message.contains(name), "{family:?} {mutation:?}: {message}");
            found += 1;
        }
    }
    assert_eq!(found, 18);
}

#[test]
fn the_unperturbed_copies_pass() {
    for family in FAMILIES {
        Graph::with_checked(|g| {
            let (loss, x) = loss_of(
                g,
                Copy {
                    family,
                    mutation: Mutation::None,
                },
            );
            let report = loss.backward_checked();
            assert!(report.passed, "{family:?}: {report}");
            assert_eq!(loss.check_vjps(), Ok(()));
            loss.backward();
            assert!(x.grad().as_slice().iter().all(|v| v.is_finite()));
        });
    }
}
