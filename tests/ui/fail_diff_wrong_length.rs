// A neighbour term over `N` needs `M = N - 1`: a caller's wrong `M` is rejected, not silently another function.
use tygrad::prelude::*;

fn roughness<'g, const N: usize, const M: usize>(x: Var<'g, Rank1<N>>) -> Var<'g, Rank0>
where
    Rank1<N>: OneShorter<M>,
{
    x.diff::<M>().square().sum()
}

fn main() {
    Graph::with(|g| {
        let x = g.param(Tensor::<Rank1<5>>::zeros());
        let _ = roughness::<5, 3>(x.node());
    });
}
