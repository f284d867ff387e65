// Elementwise ops need operands of one shape: a 2x3 plus a 3x2 is rejected (no implicit transpose or broadcast).
use tygrad::prelude::*;

fn main() {
    Graph::with(|g| {
        let a = g.param(Tensor::<Rank2<2, 3>>::ones());
        let b = g.param(Tensor::<Rank2<3, 2>>::ones());
        let _c = a + b;
    });
}
