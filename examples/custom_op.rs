//! A user-defined op with its own VJP rule, cross-checked against forward mode, and the same
//! op with a planted mistake in its VJP, caught and named by the check.
//!
//! `Softsign`: `y = x / (1 + |x|)`, with derivative `1 / (1 + |x|)²`. Its kernel is written
//! once, generic over the scalar, so forward mode (dual numbers) differentiates the kernel
//! itself; the hand-written VJP is then witnessed by that derivative. Run with
//! `cargo run --example custom_op`.

use tygrad::prelude::*;

/// `y = x / (1 + |x|)` elementwise; with `planted_mistake`, its VJP forgets the square.
struct Softsign {
    planted_mistake: bool,
}

impl CustomOp<f64> for Softsign {
    fn name(&self) -> &'static str {
        if self.planted_mistake {
            "BrokenSoftsignBackward"
        } else {
            "SoftsignBackward"
        }
    }

    fn eval<T: Elem<f64>>(&self, inputs: &[&[T]], out: &mut [T]) {
        for (y, &x) in out.iter_mut().zip(inputs[0]) {
            // |x| through the scalar's own arithmetic (a branch on the value only), so that
            // dual numbers carry the derivative through it.
            let magnitude = if x.real() < 0.0 { -x } else { x };
            *y = x / (magnitude + 1.0);
        }
    }

    fn vjp<T: Elem<f64>>(
        &self,
        _k: usize,
        inputs: &[&[T]],
        _out: &[T],
        grad_out: &[T],
        grad_in: &mut [T],
    ) {
        for ((gi, &go), &x) in grad_in.iter_mut().zip(grad_out).zip(inputs[0]) {
            let magnitude = if x.real() < 0.0 { -x } else { x };
            let denominator = magnitude + 1.0;
            let slope = if self.planted_mistake {
                T::constant(1.0) / denominator // the planted mistake: not squared
            } else {
                T::constant(1.0) / (denominator * denominator)
            };
            *gi += go * slope;
        }
    }
}

fn main() {
    let x0 = Tensor::<Rank1<4>>::from([-2.0, -0.5, 0.25, 3.0]);

    // The correct op, in a graph that checks every backward call against forward mode.
    Graph::with_checked(|g| {
        let x = g.param(x0.clone());
        let y = x.custom_unary::<Rank1<4>, _>(Softsign {
            planted_mistake: false,
        });
        let loss = (y * y).sum();
        loss.backward(); // checked: a wrong VJP would panic here and name the op
        println!("softsign({x0}) = {}", y.value());
        println!("d loss / dx by the VJP rule: {}", x.grad());
        // By hand: d/dx y² = 2 y / (1 + |x|)².
        for (i, &xi) in x0.iter().enumerate() {
            let yi = xi / (1.0 + xi.abs());
            let hand = 2.0 * yi / (1.0 + xi.abs()).powi(2);
            assert!((x.grad()[i] - hand).abs() < 1e-15);
        }
        // The Jacobians by both modes and by finite differences agree.
        let check = y.check_jacobians(x);
        println!("Jacobians: {check:?}");
        assert!(check.passed);
    });

    // The op with the planted mistake: the dot-product test fails and the per-node checks
    // name the culprit.
    Graph::with(|g| {
        let x = g.param(x0.clone());
        let y = x.custom_unary::<Rank1<4>, _>(Softsign {
            planted_mistake: true,
        });
        let loss = (y * y).sum().sqrt();
        let report = loss.backward_checked();
        println!("with the planted mistake: {report}");
        assert!(!report.passed);
        let culprit = report.culprit.expect("the per-node checks name the op");
        println!(
            "culprit: node {} `{}` of shape {:?}, input {}",
            culprit.node, culprit.op, culprit.dims, culprit.input
        );
        assert_eq!(culprit.op, "BrokenSoftsignBackward");
        assert_eq!(loss.check_vjps().unwrap_err().op, "BrokenSoftsignBackward");
    });
}
