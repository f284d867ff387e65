// `backward()` needs a scalar output: on a Rank1<3> output it is rejected (reduce first, or seed with `backward_with`).
use tygrad::prelude::*;

fn main() {
    Graph::with(|g| {
        let x = g.param(Tensor::<Rank1<3>>::from([2.0, 2.0, 2.0]));
        let y = x * 2.0;
        y.backward();
    });
}
