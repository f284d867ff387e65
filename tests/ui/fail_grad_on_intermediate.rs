// Only parameters store a gradient: `.grad()` on a computed node is rejected (PyTorch returns None at run time).
use tygrad::prelude::*;

fn main() {
    Graph::with(|g| {
        let x = g.param(Tensor::<Rank1<3>>::ones());
        let y = x * 2.0;
        y.sum().backward();
        let _dy = y.grad();
    });
}
