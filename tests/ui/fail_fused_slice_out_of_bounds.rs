// A slice must lie inside its vector: elements 2..5 of a Rank1<4> argument are rejected at compile time.
use tygrad::fused::{self, Input};
use tygrad::prelude::*;

fn main() {
    let _f = fused::function(|x: Input<Rank1<4>>| x.slice::<2, 3>().sum());
}
