// `backward_with` takes a seed of the output's own shape: a Rank1<4> seed for a Rank1<3> output is rejected.
use tygrad::prelude::*;

fn main() {
    Graph::with(|g| {
        let x = g.param(Tensor::<Rank1<3>>::from([2.0, 2.0, 2.0]));
        let y = x * 2.0;
        let seed = Tensor::<Rank1<4>>::from([0.1, 1.0, 10.0, 100.0]);
        y.backward_with(&seed);
    });
}
