//! A graph reuses the buffers of the graphs dropped before it on the same thread (a pool of
//! emptied tapes): nothing of an earlier graph may show through, nested graphs each get a
//! tape of their own, and a graph whose closure panicked leaves nothing behind.

use std::panic::{AssertUnwindSafe, catch_unwind};
use tygrad::prelude::*;

/// Everything a small training graph reads: the loss, the gradients of both parameters and
/// an intermediate value, after a set_value, a backward, an update and a second backward.
#[derive(Debug, PartialEq)]
struct Readout {
    loss: f64,
    grad_w: Tensor<Rank2<3, 2>>,
    grad_b: Tensor<Rank1<2>>,
    hidden: Tensor<Rank2<4, 2>>,
    loss_after_step: f64,
}

fn mlp(scale: f64) -> Readout {
    Graph::with(|g| {
        let x = g.constant(Tensor::<Rank2<4, 3>>::from_fn(|[i, j]| {
            scale * (i as f64 - j as f64)
        }));
        let w = g.param(Tensor::<Rank2<3, 2>>::from_fn(|[i, j]| {
            ((i * 2 + j) as f64).sin()
        }));
        let b = g.param(Tensor::<Rank1<2>>::from([0.1, -0.2]));
        let ones = g.constant(Tensor::<Rank2<4, 1>>::ones());
        let hidden = (x.matmul(w) + ones.matmul(b.reshape::<Rank2<1, 2>>())).tanh();
        let loss = hidden.square().mean();
        x.set_value(&Tensor::<Rank2<4, 3>>::from_fn(|[i, j]| {
            scale * (i + j) as f64 / 3.0
        }));
        loss.backward();
        let readout = (loss.item(), w.grad(), b.grad(), hidden.value());
        w.update(|w, dw| w - 0.5 * dw);
        g.zero_grad();
        loss.backward();
        Readout {
            loss: readout.0,
            grad_w: readout.1,
            grad_b: readout.2,
            hidden: readout.3,
            loss_after_step: loss.item(),
        }
    })
}

/// A larger graph of another shape, to leave longer buffers (and other marks) behind.
fn other_graph() -> f64 {
    Graph::with(|g| {
        let x = g.param(Tensor::<Rank1<64>>::from_fn(|[i]| (i as f64).cos()));
        let loss = (x.exp() * x).sum() + x.square().mean();
        for _ in 0..3 {
            loss.backward();
        }
        g.zero_grad(); // left pending when the graph is dropped
        x.grad().as_slice().iter().sum::<f64>() + loss.item()
    })
}

/// The readout of a graph on a thread that has built nothing before.
fn on_a_new_thread(scale: f64) -> Readout {
    std::thread::spawn(move || mlp(scale)).join().unwrap()
}

#[test]
fn a_graph_built_after_others_on_the_thread_reads_the_same_bits() {
    let first = on_a_new_thread(0.5);
    assert!(first.loss > 0.0 && first.grad_w.as_slice().iter().any(|&d| d != 0.0));
    // Its gradients read as zeros (a zero_grad is pending): what it returns is its loss.
    let xs = (0..64).map(|i| (i as f64).cos());
    let loss = xs.clone().map(|x| x.exp() * x).sum::<f64>() + xs.map(|x| x * x).sum::<f64>() / 64.0;
    assert!((other_graph() - loss).abs() < 1e-12 * loss.abs());
    for _ in 0..3 {
        assert_eq!(mlp(0.5), first);
        other_graph();
    }
    // Another input gives another readout, the same as on a new thread.
    assert_eq!(mlp(-1.5), on_a_new_thread(-1.5));
}

#[test]
fn a_checked_graph_does_not_leave_its_switch_on() {
    Graph::<f64>::with_checked(|g| assert!(g.check_backward()));
    Graph::<f64>::with(|g| assert!(!g.check_backward()));
}

#[test]
fn nested_graphs_each_have_their_own_tape() {
    let expected = on_a_new_thread(0.25);
    let outer = Graph::with(|g| {
        let x = g.param(Tensor::<Rank1<3>>::from([1.0, 2.0, 3.0]));
        let y = (x * x).sum();
        // Graphs built and dropped while this one lives.
        let inner = mlp(0.25);
        let deeper = Graph::with(|h| {
            let z = h.param(Tensor::<Rank0>::from(4.0));
            let w = z * z * z;
            let nested = mlp(0.25);
            w.backward();
            (z.grad().item(), nested)
        });
        assert_eq!(
            g.len(),
            3,
            "the inner graphs recorded nothing into this one"
        );
        y.backward();
        (y.item(), x.grad(), inner, deeper)
    });
    assert_eq!(outer.0, 14.0);
    assert_eq!(outer.1.as_slice(), &[2.0, 4.0, 6.0]);
    assert_eq!(outer.2, expected);
    assert_eq!(outer.3.0, 48.0);
    assert_eq!(outer.3.1, expected);
    assert_eq!(mlp(0.25), expected);
}

/// `y = x`, whose kernel panics on a negative input.
struct PanicsOnNegative;

impl CustomOp<f64> for PanicsOnNegative {
    fn name(&self) -> &'static str {
        "PanicsOnNegativeBackward"
    }
    fn eval<T: Elem<f64>>(&self, inputs: &[&[T]], out: &mut [T]) {
        assert!(inputs[0].iter().all(|x| x.real() >= 0.0), "negative input");
        out.copy_from_slice(inputs[0]);
    }
    fn vjp<T: Elem<f64>>(&self, _: usize, _: &[&[T]], _: &[T], grad_out: &[T], grad_in: &mut [T]) {
        for (gi, &go) in grad_in.iter_mut().zip(grad_out) {
            *gi += go;
        }
    }
}

#[test]
fn a_graph_that_panicked_leaves_nothing_behind() {
    let expected = on_a_new_thread(2.0);
    // A panic in the closure, after a backward call.
    let caught = catch_unwind(|| {
        Graph::with(|g| {
            let x = g.param(Tensor::<Rank1<2>>::from([1.0, 2.0]));
            (x * x).sum().backward();
            panic!("the user's closure");
        })
    });
    assert!(caught.is_err());
    assert_eq!(mlp(2.0), expected);
    // A panic inside a kernel, while the tape is borrowed and a node half recorded.
    let caught = catch_unwind(AssertUnwindSafe(|| {
        Graph::with(|g| {
            let x = g.param(Tensor::<Rank1<2>>::from([-1.0, 2.0]));
            let _ = (x * 3.0).custom_unary::<Rank1<2>, _>(PanicsOnNegative);
        })
    }));
    assert!(caught.is_err());
    assert_eq!(mlp(2.0), expected);
    assert_eq!(
        Graph::with(|g| {
            let x = g.param(Tensor::<Rank1<2>>::from([1.0, 2.0]));
            let y = x.custom_unary::<Rank1<2>, _>(PanicsOnNegative).sum();
            y.backward();
            (g.len(), y.item(), x.grad())
        }),
        (3, 3.0, Tensor::ones())
    );
}

/// A graph that reuses an earlier graph's tape must not reuse what the earlier graph's
/// Jacobian passes knew of its nodes: here node 2 skipped node 1 in the first graph and
/// depends on it in the second (the forward Jacobian is then `3 exp x`, not garbage).
#[test]
fn a_reused_tape_forgets_the_earlier_graphs_ancestor_lists() {
    let x0 = [0.5, -1.0];
    Graph::with(|g| {
        let x = g.param(Tensor::<Rank1<2>>::from(x0));
        let _unrelated = x.cos();
        let out = x * 3.0;
        assert_eq!(out.jacobian_fwd(x).row(0), &[3.0, 0.0]);
    });
    Graph::with(|g| {
        let x = g.param(Tensor::<Rank1<2>>::from(x0));
        let a = x.exp();
        let out = a * 3.0;
        let j = out.jacobian_fwd(x);
        assert_eq!(j.row(0), &[3.0 * x0[0].exp(), 0.0]);
        assert_eq!(j.row(1), &[0.0, 3.0 * x0[1].exp()]);
        let h = (a * 3.0).sum().hessian(x);
        assert_eq!(h[(0, 0)], 3.0 * x0[0].exp());
    });
}
