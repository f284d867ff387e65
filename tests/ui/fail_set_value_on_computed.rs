// Only leaves (params and constants) can have their value set: a computed node's value comes from its inputs.
use tygrad::prelude::*;

fn main() {
    Graph::with(|g| {
        let x = g.param(Tensor::<Rank1<3>>::ones());
        let y = x * 2.0;
        y.set_value(&Tensor::from([1.0, 2.0, 3.0]));
    });
}
