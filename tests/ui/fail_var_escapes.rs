// A node cannot outlive its graph: returning a Var out of `Graph::with` is rejected.
use tygrad::prelude::*;

fn main() {
    let x = Graph::with(|g| g.param(Tensor::<Rank1<3>>::ones()));
    println!("{:?}", x);
}
