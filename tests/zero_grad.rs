//! Gradients accumulate across backward calls until zeroed, whichever way they are zeroed and
//! whichever sweep runs. `Graph::zero_grad` is lazy (the next sweep overwrites what it
//! reaches and zeroes the rest), so each case runs both with the cross-check switch off (the
//! sweep that writes straight into gradient slots) and on (the sweep that keeps each call's
//! share in the adjoints for the check).

use tygrad::prelude::*;

mod common;
use common::both_sweeps;

#[test]
fn a_parameter_the_next_call_does_not_reach_reads_zero() {
    both_sweeps(|g| {
        let x = g.param(Tensor::<Rank1<2>>::from([1.0, 2.0]));
        let y = g.param(Tensor::<Rank1<2>>::from([3.0, 4.0]));
        let with_both = (x * y).sum();
        let x_only = (x * x).sum();
        with_both.backward();
        assert_eq!(y.grad().as_slice(), &[1.0, 2.0]);
        g.zero_grad();
        x_only.backward();
        assert_eq!(x.grad().as_slice(), &[2.0, 4.0]);
        assert_eq!(y.grad(), Tensor::zeros());
    });
}

#[test]
fn gradients_read_zero_between_zero_grad_and_backward() {
    both_sweeps(|g| {
        let x = g.param(Tensor::<Rank0>::from(3.0));
        let y = x * x;
        y.backward();
        g.zero_grad();
        assert_eq!(x.grad().item(), 0.0);
        let mut out = Tensor::full(7.0);
        x.grad_into(&mut out);
        assert_eq!(out.item(), 0.0);
    });
}

#[test]
fn calls_after_zero_grad_accumulate_again() {
    both_sweeps(|g| {
        let x = g.param(Tensor::<Rank1<3>>::from([1.0, 2.0, 3.0]));
        let loss = (x * x).sum();
        loss.backward();
        loss.backward();
        assert_eq!(x.grad().as_slice(), &[4.0, 8.0, 12.0]);
        g.zero_grad();
        loss.backward();
        loss.backward();
        loss.backward();
        assert_eq!(x.grad().as_slice(), &[6.0, 12.0, 18.0]);
    });
}

#[test]
fn one_parameter_zeroed_keeps_the_others() {
    both_sweeps(|g| {
        let x = g.param(Tensor::<Rank0>::from(2.0));
        let y = g.param(Tensor::<Rank0>::from(5.0));
        let loss = x * y;
        loss.backward();
        x.zero_grad();
        loss.backward();
        assert_eq!(x.grad().item(), 5.0);
        assert_eq!(y.grad().item(), 4.0);
        // A parameter zeroed while the whole graph's zeroing is pending stays zero.
        g.zero_grad();
        y.zero_grad();
        loss.backward();
        assert_eq!(x.grad().item(), 5.0);
        assert_eq!(y.grad().item(), 2.0);
    });
}

#[test]
fn overlapping_slices_into_one_zeroed_parameter() {
    // Each slice's rule writes part of the gradient: the first must not leave garbage in the
    // rest of a slot that a pending zero_grad cleared.
    both_sweeps(|g| {
        let x = g.param(Tensor::<Rank1<4>>::from([1.0, 2.0, 3.0, 4.0]));
        let loss = (x.slice::<0, 3>() * x.slice::<1, 3>()).sum();
        loss.backward();
        loss.backward();
        g.zero_grad();
        loss.backward();
        // d/dx_i sum(x_j x_(j+1)) = x_(i-1) + x_(i+1).
        assert_eq!(x.grad().as_slice(), &[2.0, 4.0, 6.0, 3.0]);
    });
}

#[test]
fn a_parameter_as_its_own_output() {
    both_sweeps(|g| {
        let x = g.param(Tensor::<Rank1<2>>::from([1.0, 2.0]));
        x.backward_with(&Tensor::from([0.5, 3.0]));
        x.backward_with(&Tensor::from([0.5, 3.0]));
        assert_eq!(x.grad().as_slice(), &[1.0, 6.0]);
        g.zero_grad();
        x.backward_with(&Tensor::from([0.25, 1.0]));
        assert_eq!(x.grad().as_slice(), &[0.25, 1.0]);
    });
}

#[test]
fn products_into_zeroed_gradients() {
    // Matmul's rules write the gradient slots with one product each.
    both_sweeps(|g| {
        let a = g.param(Tensor::<Rank2<2, 2>>::from([[1.0, 2.0], [3.0, 4.0]]));
        let b = g.param(Tensor::<Rank2<2, 2>>::from([[0.5, -1.0], [2.0, 0.25]]));
        let loss = a.matmul(b).sum();
        loss.backward();
        g.zero_grad();
        loss.backward();
        // d sum(AB)/dA = 1 Bᵀ (row sums of B), d/dB = Aᵀ 1 (column sums of A).
        assert_eq!(a.grad(), Tensor::from([[-0.5, 2.25], [-0.5, 2.25]]));
        assert_eq!(b.grad(), Tensor::from([[4.0, 4.0], [6.0, 6.0]]));
    });
}

#[test]
fn with_grad_lends_the_gradient_and_zeros_after_zero_grad() {
    both_sweeps(|g| {
        let x = g.param(Tensor::<Rank1<3>>::from([1.0, 2.0, 3.0]));
        let loss = (x * x).sum();
        loss.backward();
        assert_eq!(x.with_grad(|grad| grad.to_vec()), vec![2.0, 4.0, 6.0]);
        g.zero_grad();
        assert_eq!(x.with_grad(|grad| grad.to_vec()), vec![0.0; 3]);
        loss.backward();
        assert_eq!(x.with_grad(|grad| grad.iter().sum::<f64>()), 12.0);
    });
}

#[test]
fn update_steps_in_place_and_the_graph_replays() {
    both_sweeps(|g| {
        let x = g.param(Tensor::<Rank1<2>>::from([1.0, -2.0]));
        let loss = (x * x).sum();
        loss.backward();
        x.update(|x, dx| x - 0.25 * dx);
        assert_eq!(x.value().as_slice(), &[0.5, -1.0]);
        assert_eq!(loss.item(), 1.25);
        // After zero_grad the step sees a zero gradient.
        g.zero_grad();
        x.update(|x, dx| x - dx + 1.0);
        assert_eq!(x.value().as_slice(), &[1.5, 0.0]);
    });
}

#[test]
fn gradient_descent_with_update_converges() {
    // Minimise (x - 3)² + (y + 1)²: each step of 0.1 shrinks the error by 0.8.
    Graph::with(|g| {
        let p = g.param(Tensor::<Rank1<2>>::zeros());
        let target = g.constant(Tensor::from([3.0, -1.0]));
        let loss = (p - target).square().sum();
        for _ in 0..200 {
            g.zero_grad();
            loss.backward();
            p.update(|p, dp| p - 0.1 * dp);
        }
        let p = p.value();
        assert!(
            (p[0] - 3.0).abs() < 1e-12 && (p[1] + 1.0).abs() < 1e-12,
            "{p}"
        );
    });
}

#[test]
fn using_the_graph_inside_with_grad_panics_with_the_cause() {
    let message = std::panic::catch_unwind(|| {
        Graph::with(|g| {
            let x = g.param(Tensor::<Rank0>::from(2.0));
            (x * x).backward();
            x.with_grad(|_| (x * 3.0).item());
        })
    })
    .expect_err("recording a node inside with_grad must panic");
    let message = message
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| message.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap();
    assert!(
        message.contains("in use by one of its own closures"),
        "{message}"
    );
}
