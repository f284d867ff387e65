// `hessian` of a vector output: second derivatives belong to a scalar function.
use tygrad::prelude::*;

fn main() {
    Graph::with(|g| {
        let x = g.param(Tensor::<Rank1<3>>::from([1.0, 2.0, 3.0]));
        let y = x * x;
        let _h = y.hessian(x);
    });
}
