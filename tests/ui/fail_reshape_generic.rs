// A reshape in code generic over sizes needs the element-count bound spelled out: `where Rank2<M, N>: SameNumel<Rank1<K>>`.
use tygrad::prelude::*;

fn flatten<'g, const M: usize, const N: usize, const K: usize>(
    x: Var<'g, Rank2<M, N>>,
) -> Var<'g, Rank1<K>> {
    x.reshape::<Rank1<K>>()
}

fn main() {
    Graph::with(|g| {
        let x = g.param(Tensor::<Rank2<2, 3>>::zeros());
        let _ = flatten::<2, 3, 6>(x.node());
    });
}
