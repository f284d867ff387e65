// A matrix product needs the inner sizes to agree: (2 x 3) by (4 x 2) is rejected.
use tygrad::prelude::*;

fn main() {
    Graph::with(|g| {
        let a = g.param(Tensor::<Rank2<2, 3>>::ones());
        let b = g.param(Tensor::<Rank2<4, 2>>::ones());
        let _c = a.matmul(b);
    });
}
