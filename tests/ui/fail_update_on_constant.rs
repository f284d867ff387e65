// `update` steps a parameter with its gradient: a constant has none, so its value is set with `set_value`.
use tygrad::prelude::*;

fn main() {
    Graph::with(|g| {
        let c = g.constant(Tensor::<Rank1<2>>::ones());
        c.update(|x, dx| x - 0.1 * dx);
    });
}
