// A reshape keeps the element count: a 2x3 (6 elements) cannot become a Rank1<5>.
use tygrad::prelude::*;

fn main() {
    Graph::with(|g| {
        let x = g.param(Tensor::<Rank2<2, 3>>::ones());
        let _v = x.reshape::<Rank1<5>>();
    });
}
