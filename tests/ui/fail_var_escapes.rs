// A node cannot outlive its graph: returning a Var out of `Graph::with` is rejected.
// The borrow checker says the handle's brand (`'2`) would have to outlive the graph (`'1`); return values (`.value()`, `.grad()`, `.item()`) instead.
use tygrad::prelude::*;

fn main() {
    let x = Graph::with(|g| g.param(Tensor::<Rank1<3>>::ones()));
    println!("{:?}", x);
}
