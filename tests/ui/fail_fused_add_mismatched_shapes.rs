// Fused graphs of two shapes do not add: a Rank1<2> slice plus the Rank1<3> argument is rejected (no implicit broadcast).
use tygrad::fused::{self, Input};
use tygrad::prelude::*;

fn main() {
    let _f = fused::function(|x: Input<Rank1<3>>| x.slice::<0, 2>() + x);
}
