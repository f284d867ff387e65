//! The seed session (`shared/seed-session.md`), every number asserted.

use tygrad::prelude::*;

#[test]
fn part1_scalar_output() {
    Graph::with_checked(|g| {
        let x = g.param(Tensor::<Rank2<2, 2>>::ones());
        let y = x + 2.0;
        assert_eq!(y.grad_fn(), Some("AddScalarBackward"));
        assert_eq!(y.value(), Tensor::full(3.0));
        let yy = y * y;
        assert_eq!(yy.grad_fn(), Some("MulBackward"));
        let z = yy * 3.0;
        assert_eq!(z.grad_fn(), Some("MulScalarBackward"));
        assert_eq!(z.value(), Tensor::from([[27.0, 27.0], [27.0, 27.0]]));
        let out = z.mean();
        assert_eq!(out.grad_fn(), Some("MeanBackward"));
        assert_eq!(out.item(), 27.0);
        assert_eq!(x.grad_fn(), None);
        out.backward();
        assert_eq!(x.grad(), Tensor::from([[4.5, 4.5], [4.5, 4.5]]));
        assert_eq!(
            x.grad().to_string(),
            "tensor([[4.5000, 4.5000], [4.5000, 4.5000]])"
        );
    });
}

#[test]
fn part2_seeded_backward_accumulates_until_zeroed() {
    Graph::with_checked(|g| {
        let x = g.param(Tensor::<Rank1<3>>::from([2.0, 2.0, 2.0]));
        let y = x * 2.0;
        assert_eq!(y.value().as_slice(), &[4.0, 4.0, 4.0]);
        let seed = Tensor::from([0.1, 1.0, 10.0]);
        y.backward_with(&seed);
        assert_eq!(x.grad().as_slice(), &[0.2, 2.0, 20.0]);
        y.backward_with(&seed);
        assert_eq!(x.grad().as_slice(), &[0.4, 4.0, 40.0]);
        x.zero_grad();
        assert_eq!(x.grad().as_slice(), &[0.0, 0.0, 0.0]);
        y.backward_with(&seed);
        assert_eq!(x.grad().as_slice(), &[0.2, 2.0, 20.0]);
        assert_eq!(x.grad().to_string(), "tensor([0.2000, 2.0000, 20.0000])");
    });
}

#[test]
fn graph_wide_zero_grad_clears_every_parameter() {
    Graph::with_checked(|g| {
        let a = g.param(Tensor::<Rank1<2>>::from([1.0, 2.0]));
        let b = g.param(Tensor::<Rank0>::from(3.0));
        (a * 2.0).sum().backward();
        (b * b).backward();
        assert_eq!(a.grad().as_slice(), &[2.0, 2.0]);
        assert_eq!(b.grad().item(), 6.0);
        g.zero_grad();
        assert_eq!(a.grad(), Tensor::zeros());
        assert_eq!(b.grad().item(), 0.0);
    });
}

#[test]
fn replay_with_new_inputs_gives_new_gradients() {
    Graph::with_checked(|g| {
        let x = g.param(Tensor::<Rank2<2, 2>>::ones());
        let out = ((x + 2.0) * (x + 2.0) * 3.0).mean();
        for v in [1.0, 2.0, -4.0] {
            x.set_value(&Tensor::full(v));
            g.zero_grad();
            out.backward();
            // d/dx mean(3 (x + 2)^2) = 6 (x + 2) / 4
            assert_eq!(x.grad(), Tensor::full(1.5 * (v + 2.0)));
            assert_eq!(out.item(), 3.0 * (v + 2.0) * (v + 2.0));
        }
    });
}
