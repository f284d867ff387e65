// `hvp` of a vector output: a Hessian-vector product belongs to a scalar function.
use tygrad::prelude::*;

fn main() {
    Graph::with(|g| {
        let x = g.param(Tensor::<Rank1<2>>::from([1.0, 2.0]));
        let y = x.sin();
        let _hv = y.hvp(x, &Tensor::from([1.0, 0.0]));
    });
}
