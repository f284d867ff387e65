// `jacobian_rev` with respect to a constant: the reverse sweep reaches only parameters.
use tygrad::prelude::*;

fn main() {
    Graph::with(|g| {
        let c = g.constant(Tensor::<Rank1<2>>::from([1.0, 2.0]));
        let y = c.exp();
        let _j = y.jacobian_rev(c);
    });
}
