// Typed usage that must compile and run: params, constants, matmul, reshape, backward,
// backward_with, grad, set_value with replay, and generic code over `const M, const N`
// that needs no where-clauses for elementwise ops, sum/mean, matmul and transpose.
use tygrad::prelude::*;

/// Mean squared error between `a` and `b`, for any matrix shape.
fn mse<'g, const M: usize, const N: usize, K1: Kind, K2: Kind>(
    a: Var<'g, Rank2<M, N>, f64, K1>,
    b: Var<'g, Rank2<M, N>, f64, K2>,
) -> Var<'g, Rank0> {
    let diff = a - b;
    (diff * diff).mean()
}

/// The Gram matrix `aᵀ a`, summed, for any matrix shape.
fn gram_sum<'g, const M: usize, const N: usize, K: Kind>(
    a: Var<'g, Rank2<M, N>, f64, K>,
) -> Var<'g, Rank0> {
    a.transpose().matmul(a).sum()
}

fn main() {
    Graph::with(|g| {
        // A 2x3 parameter times a 3x1 constant.
        let w = g.param(Tensor::<Rank2<2, 3>>::from([
            [1.0, 2.0, 3.0],
            [4.0, 5.0, 6.0],
        ]));
        let x = g.constant(Tensor::<Rank2<3, 1>>::from([[1.0], [0.0], [-1.0]]));
        let y = w.matmul(x); // [[-2], [-2]]
        assert_eq!(y.value(), Tensor::from([[-2.0], [-2.0]]));

        // Reshape to a vector and seed the vector-Jacobian product.
        let v = y.reshape::<Rank1<2>>();
        v.backward_with(&Tensor::from([1.0, 10.0]));
        // d(seed . W x)/dW = seed xᵀ
        assert_eq!(
            w.grad(),
            Tensor::from([[1.0, 0.0, -1.0], [10.0, 0.0, -10.0]])
        );

        // A scalar loss through the generic helpers.
        let target = g.constant(Tensor::<Rank2<2, 1>>::zeros());
        let loss = mse(y, target);
        g.zero_grad();
        loss.backward();
        assert_eq!(loss.item(), 4.0);
        // d/dW mean((W x)^2) = (2/2) (W x) xᵀ = [[-2, 0, 2], [-2, 0, 2]]
        assert_eq!(w.grad(), Tensor::from([[-2.0, 0.0, 2.0], [-2.0, 0.0, 2.0]]));

        // Replay: new input, same graph.
        x.set_value(&Tensor::from([[0.0], [1.0], [0.0]]));
        w.set_value(&Tensor::from([[1.0, 1.0, 1.0], [1.0, 3.0, 1.0]]));
        g.zero_grad();
        loss.backward();
        // W x = [[1], [3]], mean of squares = (1 + 9) / 2 = 5
        assert_eq!(loss.item(), 5.0);
        assert_eq!(w.grad(), Tensor::from([[0.0, 1.0, 0.0], [0.0, 3.0, 0.0]]));
        assert!(loss.grad_fn().is_some());
        assert!(x.grad_fn().is_none());
    });

    Graph::with(|g| {
        // sum(aᵀ a) = sum over rows k of (sum_i a_ki)^2 = 3^2 + 7^2; its gradient is twice the row sums.
        let a = g.param(Tensor::<Rank2<2, 2>>::from([[1.0, 2.0], [3.0, 4.0]]));
        let s = gram_sum(a);
        s.backward();
        assert_eq!(s.item(), 58.0);
        assert_eq!(a.grad(), Tensor::from([[6.0, 6.0], [14.0, 14.0]]));
    });
}
