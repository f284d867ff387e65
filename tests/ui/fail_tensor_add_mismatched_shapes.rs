// Tensor arithmetic wants one shape too, with the same message as nodes.
use tygrad::prelude::*;

fn main() {
    let a = Tensor::<Rank1<3>>::zeros();
    let b = Tensor::<Rank1<2>>::zeros();
    let _c = &a - &b;
}
