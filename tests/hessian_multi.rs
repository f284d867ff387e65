//! Second derivatives over two parameters of different shapes: `hessian2`, `hvp2`,
//! `jacobian_fwd2` and `jacobian_rev2` against the packed formulation (one vector parameter
//! sliced into both) and against each other (forward-over-forward against
//! forward-over-reverse).

use tygrad::forward::Hessian2;
use tygrad::prelude::*;

const A0: [[f64; 2]; 2] = [[0.3, -0.7], [1.1, 0.4]];
const B0: [f64; 3] = [0.5, -0.2, 0.9];

/// `f(a, b)` for a `2x2` matrix `a` and a 3-vector `b`, with coupling in every term.
fn f<'g, KA: Kind, KB: Kind>(
    a: Var<'g, Rank2<2, 2>, f64, KA>,
    b: Var<'g, Rank1<3>, f64, KB>,
) -> Var<'g, Rank0> {
    let coupled = (a.sum() * b.sum()).sin();
    let weighted = a.square().sum() * b.get::<0>();
    let mixed = b.exp().sum() * a.tanh().mean();
    let product = a.matvec(b.slice::<0, 2>()).square().sum();
    coupled + weighted + mixed + product + (b * b * b).sum()
}

/// The Hessian of `f` over the packed vector `p = (a row-major, b)`.
fn packed_hessian() -> nalgebra::DMatrix<f64> {
    Graph::with(|g| {
        let p = g.param(Tensor::<Rank1<7>>::from([
            A0[0][0], A0[0][1], A0[1][0], A0[1][1], B0[0], B0[1], B0[2],
        ]));
        let a = p.slice::<0, 4>().reshape::<Rank2<2, 2>>();
        let b = p.slice::<4, 3>();
        f(a, b).hessian(p).to_dmatrix()
    })
}

fn max_relative(a: &nalgebra::DMatrix<f64>, b: &nalgebra::DMatrix<f64>) -> f64 {
    let scale = a.amax().max(b.amax());
    (a - b).amax() / scale
}

#[test]
fn every_block_matches_the_packed_hessian() {
    let packed = packed_hessian();
    let (blocks, from_hvp) = Graph::with(|g| {
        let a = g.param(Tensor::<Rank2<2, 2>>::from(A0));
        let b = g.param(Tensor::<Rank1<3>>::from(B0));
        let out = f(a, b);
        let h: Hessian2<Rank2<2, 2>, Rank1<3>> = out.hessian2(a, b);
        // The same matrix column by column from forward-over-reverse products.
        let mut columns = nalgebra::DMatrix::zeros(7, 7);
        for k in 0..7 {
            let va = Tensor::<Rank2<2, 2>>::from_fn(|[i, j]| f64::from(2 * i + j == k));
            let vb = Tensor::<Rank1<3>>::from_fn(|[i]| f64::from(4 + i == k));
            let (ha, hb) = out.hvp2(a, b, &va, &vb);
            for (r, x) in ha.iter().chain(hb.iter()).enumerate() {
                columns[(r, k)] = *x;
            }
        }
        assert_eq!(a.grad(), Tensor::zeros(), "gradients untouched");
        (h, columns)
    });
    let whole = blocks.to_dmatrix();
    println!(
        "packed:\n{packed}\nblocks:\n{whole}\nrelative differences: blocks {:e}, hvp2 columns {:e}",
        max_relative(&whole, &packed),
        max_relative(&from_hvp, &packed)
    );
    // Every block, cross terms included, is the packed Hessian's: to 1e-12 relative.
    assert!(max_relative(&whole, &packed) < 1e-12, "{whole} vs {packed}");
    assert!(blocks.ab.max_abs() > 0.1, "the cross block is not trivial");
    for i in 0..4 {
        for j in 0..3 {
            assert_eq!(blocks.ab[(i, j)], blocks.ba[(j, i)]);
            assert!((blocks.ab[(i, j)] - packed[(i, 4 + j)]).abs() < 1e-12 * packed.amax());
        }
    }
    assert!(
        max_relative(&from_hvp, &packed) < 1e-12,
        "{from_hvp} vs {packed}"
    );
}

#[test]
fn a_hand_computed_cross_term() {
    // f(a, b) = (a · b)² with a, b in R²: ∂²f/∂a_i∂b_j = 2 (b_i a_j + δ_ij a · b).
    Graph::with(|g| {
        let a = g.param(Tensor::<Rank1<2>>::from([1.0, 2.0]));
        let b = g.param(Tensor::<Rank1<2>>::from([3.0, -1.0]));
        let h = (a * b).sum().square().hessian2(a, b);
        let dot = 1.0;
        let (av, bv) = ([1.0, 2.0], [3.0, -1.0]);
        for i in 0..2 {
            for j in 0..2 {
                let delta = f64::from(i == j);
                assert_eq!(h.ab[(i, j)], 2.0 * (bv[i] * av[j] + delta * dot));
                assert_eq!(h.aa[(i, j)], 2.0 * bv[i] * bv[j]);
                assert_eq!(h.bb[(i, j)], 2.0 * av[i] * av[j]);
            }
        }
    });
}

#[test]
fn jacobians_over_two_inputs_match_the_packed_jacobian() {
    let packed = Graph::with(|g| {
        let p = g.param(Tensor::<Rank1<7>>::from([
            A0[0][0], A0[0][1], A0[1][0], A0[1][1], B0[0], B0[1], B0[2],
        ]));
        let a = p.slice::<0, 4>().reshape::<Rank2<2, 2>>();
        let b = p.slice::<4, 3>();
        let y = a.matvec(b.slice::<1, 2>()).tanh() * b.get::<0>().broadcast();
        y.jacobian_fwd(p).to_dmatrix()
    });
    Graph::with(|g| {
        let a = g.param(Tensor::<Rank2<2, 2>>::from(A0));
        let b = g.param(Tensor::<Rank1<3>>::from(B0));
        let y = a.matvec(b.slice::<1, 2>()).tanh() * b.get::<0>().broadcast();
        let (fa, fb) = y.jacobian_fwd2(a, b);
        let (ra, rb) = y.jacobian_rev2(a, b);
        assert!(fa.relative_error(&ra) < 1e-12 && fb.relative_error(&rb) < 1e-12);
        let whole =
            nalgebra::DMatrix::from_fn(
                2,
                7,
                |i, j| {
                    if j < 4 { fa[(i, j)] } else { fb[(i, j - 4)] }
                },
            );
        assert!(max_relative(&whole, &packed) < 1e-12, "{whole} vs {packed}");
    });
}

#[test]
fn an_input_that_does_not_reach_the_output_has_zero_blocks() {
    Graph::with(|g| {
        let a = g.param(Tensor::<Rank1<2>>::from([1.0, 2.0]));
        let f = a.square().sum();
        let later = g.param(Tensor::<Rank0>::from(5.0));
        let h = f.hessian2(a, later);
        assert_eq!(h.aa.to_dmatrix(), nalgebra::dmatrix![2.0, 0.0; 0.0, 2.0]);
        assert_eq!(h.ab.max_abs() + h.bb.max_abs(), 0.0);
        let (ha, hl) = f.hvp2(a, later, &Tensor::from([1.0, 1.0]), &Tensor::from(1.0));
        assert_eq!((ha.as_slice(), hl.item()), (&[2.0, 2.0][..], 0.0));
    });
}
