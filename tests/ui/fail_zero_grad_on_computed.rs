// Only a parameter has a gradient to clear; `g.zero_grad()` clears them all.
use tygrad::prelude::*;

fn main() {
    Graph::with(|g| {
        let x = g.param(Tensor::<Rank1<2>>::ones());
        let y = x * 2.0;
        y.zero_grad();
    });
}
