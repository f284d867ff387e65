// Nodes of two graphs cannot be mixed: each graph brands its handles with its own lifetime.
// The borrow checker reports it where `b` gets the inner brand, which `a + b` would force to equal the outer one.
use tygrad::prelude::*;

fn main() {
    Graph::with(|outer| {
        let a = outer.param(Tensor::<Rank1<3>>::ones());
        Graph::with(|inner| {
            let b = inner.param(Tensor::<Rank1<3>>::ones());
            let _c = a + b;
        });
    });
}
