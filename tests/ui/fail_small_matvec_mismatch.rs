// A small graph's matrix-vector product needs the sizes to agree: a 3x2 matrix times the
// 3-vector argument is rejected, naming both shapes.
use tygrad::prelude::*;
use tygrad::small::{self, Input};

fn main() {
    let _f = small::function(|x: Input<Rank1<3>>| {
        small::constant(Tensor::<Rank2<3, 2>>::zeros()).matvec(x)
    });
}
