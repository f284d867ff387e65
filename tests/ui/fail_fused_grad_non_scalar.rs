// A gradient needs a scalar function: `value_and_grad` on an unreduced Rank1<3> fused graph is rejected (reduce with `.sum()` or `.mean()` first, or call `vjp` with a seed).
use tygrad::fused::{self, Input};
use tygrad::prelude::*;

fn main() {
    let f = fused::function(|x: Input<Rank1<3>>| x.square());
    let mut grad = Tensor::zeros();
    let _ = f.value_and_grad(&Tensor::from([1.0, 2.0, 3.0]), &mut grad);
}
