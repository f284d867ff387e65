//! The benchmark workloads of `shared/bench-workloads.md`, in every implementation the
//! benches compare: tygrad (a graph built once and replayed, or rebuilt each time), a
//! hand-written analytic gradient, the primal alone, and num-dual's forward mode.
//!
//! Shared by `benches/gradients.rs`, `benches/callgrind.rs` and `tests/bench_workloads.rs`
//! (through `#[path = ..] mod workloads;`), so that the code that is timed is the code whose
//! numbers are checked. Every gradient is written into one flat buffer, the parameters'
//! gradients concatenated in the order the workload lists them (row-major), so checksums and
//! element-by-element comparisons need no per-workload code.
//!
//! No function here allocates inside what is timed: scratch buffers are made beforehand, as a
//! careful user of either tygrad or plain Rust would.
#![allow(dead_code)] // each includer uses a different part

use nalgebra::{DVector, Dyn, MatrixView, MatrixViewMut, SVector};
use num_dual::{DualNum, DualVec};
use std::hint::black_box;
use tygrad::fused::{self, Input, Node, Reduced};
use tygrad::prelude::*;

/// The deterministic fill: `scale * sin(0.37 * (i + offset) + 0.11)`.
pub fn fill(i: usize, offset: usize, scale: f64) -> f64 {
    scale * (0.37 * (i + offset) as f64 + 0.11).sin()
}

/// A tensor filled in row-major order with [`fill`].
pub fn filled<S: Shape>(offset: usize, scale: f64) -> Tensor<S> {
    Tensor::from_vec((0..S::NUMEL).map(|i| fill(i, offset, scale)).collect())
        .expect("the fill has the shape's element count")
}

/// The sum of all gradient entries, printed so that implementations can be compared.
pub fn checksum(grad: &[f64]) -> f64 {
    grad.iter().sum()
}

/// Copies `parts` one after the other into `out` (the flat gradient layout).
fn concat_into(out: &mut [f64], parts: &[&[f64]]) {
    let mut rest = out;
    for part in parts {
        let (head, tail) = rest.split_at_mut(part.len());
        head.copy_from_slice(part);
        rest = tail;
    }
    assert!(rest.is_empty(), "gradient buffer of the wrong length");
}

// ---------------------------------------------------------------------------------------------
// Row-major matrix views for the hand-written baselines: nalgebra's products, which run the
// `matrixmultiply` kernels (tygrad's own products run `src/ops/gemm.rs`).

type View<'a> = MatrixView<'a, f64, Dyn, Dyn, Dyn, Dyn>;
type ViewMut<'a> = MatrixViewMut<'a, f64, Dyn, Dyn, Dyn, Dyn>;

fn mat(data: &[f64], rows: usize, cols: usize) -> View<'_> {
    View::from_slice_with_strides_generic(data, Dyn(rows), Dyn(cols), Dyn(cols), Dyn(1))
}

fn mat_t(data: &[f64], rows: usize, cols: usize) -> View<'_> {
    View::from_slice_with_strides_generic(data, Dyn(cols), Dyn(rows), Dyn(1), Dyn(cols))
}

/// Lends a parameter's gradient out where backward wrote it, as a user reading it in place
/// would (the timed replays do this instead of copying it out).
fn lend_grad<S: Shape>(p: Var<'_, S, f64, kind::Param>) {
    p.with_grad(|grad| {
        black_box(grad);
    });
}

fn mat_mut(data: &mut [f64], rows: usize, cols: usize) -> ViewMut<'_> {
    ViewMut::from_slice_with_strides_generic(data, Dyn(rows), Dyn(cols), Dyn(cols), Dyn(1))
}

// ---------------------------------------------------------------------------------------------
/// W1, the seed: `x` 2x2 ones, `mean(3 (x + 2)^2)`; the gradient is 4.5 everywhere.
pub mod w1 {
    use super::*;

    pub const NUMEL: usize = 4;

    pub fn input() -> Tensor<Rank2<2, 2>> {
        Tensor::ones()
    }

    pub fn primal(x: &[f64]) -> f64 {
        x.iter().map(|&x| 3.0 * (x + 2.0) * (x + 2.0)).sum::<f64>() / x.len() as f64
    }

    /// `d/dx mean(3 (x + 2)^2) = 6 (x + 2) / n`.
    pub fn hand(x: &[f64], grad: &mut [f64]) -> f64 {
        let n = x.len() as f64;
        let mut loss = 0.0;
        for (g, &x) in grad.iter_mut().zip(x) {
            let y = x + 2.0;
            loss += 3.0 * y * y;
            *g = 6.0 * y / n;
        }
        loss / n
    }

    /// num-dual `gradient` over a static vector (`DualSVec64<4>`: 4 directions at once).
    pub fn num_dual(x: &[f64], grad: &mut [f64]) -> f64 {
        let x = SVector::<f64, NUMEL>::from_column_slice(x);
        let (loss, g) = num_dual::gradient(
            |x: SVector<DualVec<f64, _>, NUMEL>| generic_loss(x.as_slice()),
            &x,
        );
        grad.copy_from_slice(g.as_slice());
        loss
    }

    fn generic_loss<D: DualNum<Primitive = f64>>(x: &[D]) -> D {
        let mut sum = D::zero();
        for x in x {
            let y = x.clone() + 2.0;
            sum += y.clone() * y * 3.0;
        }
        sum / x.len() as f64
    }

    /// The graph of W1, built once.
    pub struct Tygrad<'g> {
        pub graph: &'g Graph<'g>,
        pub x: Var<'g, Rank2<2, 2>, f64, kind::Param>,
        pub loss: Var<'g, Rank0>,
    }

    impl<'g> Tygrad<'g> {
        pub fn build(g: &'g Graph<'g>, x: &Tensor<Rank2<2, 2>>) -> Self {
            let x = g.param(x.clone());
            let y = x + 2.0;
            let loss = (y.square() * 3.0).mean();
            Tygrad { graph: g, x, loss }
        }

        /// One full gradient by replay (what is timed): set the input, zero, backward; the
        /// gradient is left where backward wrote it and lent out, not copied.
        pub fn replay(&self, x: &Tensor<Rank2<2, 2>>) -> f64 {
            self.x.set_value(x);
            self.graph.zero_grad();
            self.loss.backward();
            lend_grad(self.x);
            self.loss.item()
        }

        /// [`Self::replay`], then the gradient copied out.
        pub fn gradient(&self, x: &Tensor<Rank2<2, 2>>, grad: &mut Tensor<Rank2<2, 2>>) -> f64 {
            let loss = self.replay(x);
            self.x.grad_into(grad);
            loss
        }
    }

    /// The fused graph of W1: the same expression, its structure a type.
    pub fn fused() -> Reduced<Rank2<2, 2>, impl Node<f64, Arg = Rank2<2, 2>>> {
        fused::function(|x: Input<Rank2<2, 2>>| ((x + 2.0).square() * 3.0).mean())
    }

    /// One full gradient by building the graph anew.
    pub fn tygrad_rebuild(x: &Tensor<Rank2<2, 2>>, grad: &mut Tensor<Rank2<2, 2>>) -> f64 {
        Graph::with(|g| {
            let t = Tygrad::build(g, x);
            t.loss.backward();
            t.x.grad_into(grad);
            t.loss.item()
        })
    }
}

// ---------------------------------------------------------------------------------------------
/// W2: `sum(exp(sin(x)) * x^2 + tanh(x))` over a vector of `N`.
pub mod w2 {
    use super::*;

    pub fn input<const N: usize>() -> Tensor<Rank1<N>> {
        filled(0, 1.0)
    }

    pub fn primal(x: &[f64]) -> f64 {
        x.iter().map(|&x| x.sin().exp() * x * x + x.tanh()).sum()
    }

    /// `d/dx = e^{sin x} (cos x · x² + 2x) + 1 - tanh² x`.
    pub fn hand(x: &[f64], grad: &mut [f64]) -> f64 {
        let mut loss = 0.0;
        for (g, &x) in grad.iter_mut().zip(x) {
            let (s, c) = x.sin_cos();
            let e = s.exp();
            let t = x.tanh();
            loss += e * x * x + t;
            *g = e * (c * x * x + 2.0 * x) + 1.0 - t * t;
        }
        loss
    }

    fn generic_loss<D: DualNum<Primitive = f64>>(x: &[D]) -> D {
        let mut sum = D::zero();
        for x in x {
            sum += x.sin().exp() * x.powi(2) + x.tanh();
        }
        sum
    }

    /// num-dual `gradient` over a static vector (`DualSVec64<N>`: N directions at once).
    pub fn num_dual_static<const N: usize>(x: &[f64], grad: &mut [f64]) -> f64 {
        let x = SVector::<f64, N>::from_column_slice(x);
        let (loss, g) = num_dual::gradient(
            |x: SVector<DualVec<f64, _>, N>| generic_loss(x.as_slice()),
            &x,
        );
        grad.copy_from_slice(g.as_slice());
        loss
    }

    /// num-dual `gradient` over a dynamic vector (`DualDVec64`: N directions, heap-allocated
    /// derivative vectors, so O(N²) work for N inputs).
    pub fn num_dual_dynamic(x: &[f64], grad: &mut [f64]) -> f64 {
        let x = DVector::from_column_slice(x);
        let (loss, g) = num_dual::gradient(
            |x: DVector<DualVec<f64, Dyn>>| generic_loss(x.as_slice()),
            &x,
        );
        grad.copy_from_slice(g.as_slice());
        loss
    }

    /// num-dual `Dual64`, one pass per element, each seeding only its own element: valid
    /// only because this loss is a sum of per-element terms (the structure a generic forward
    /// mode cannot know), so it is the floor of forward mode here, not a general method.
    pub fn num_dual_separable(x: &[f64], grad: &mut [f64]) -> f64 {
        let mut loss = 0.0;
        for (g, &x) in grad.iter_mut().zip(x) {
            let d = num_dual::Dual64::from_re(x).derivative();
            let term = d.sin().exp() * d.powi(2) + d.tanh();
            loss += term.re;
            *g = term.eps;
        }
        loss
    }

    /// The graph of W2, built once.
    pub struct Tygrad<'g, const N: usize> {
        pub graph: &'g Graph<'g>,
        pub x: Var<'g, Rank1<N>, f64, kind::Param>,
        pub loss: Var<'g, Rank0>,
    }

    impl<'g, const N: usize> Tygrad<'g, N> {
        pub fn build(g: &'g Graph<'g>, x: &Tensor<Rank1<N>>) -> Self {
            let x = g.param(x.clone());
            let loss = (x.sin().exp() * x.square() + x.tanh()).sum();
            Tygrad { graph: g, x, loss }
        }

        /// One full gradient by replay (timed); the gradient is lent out, not copied.
        pub fn replay(&self, x: &Tensor<Rank1<N>>) -> f64 {
            self.x.set_value(x);
            self.graph.zero_grad();
            self.loss.backward();
            lend_grad(self.x);
            self.loss.item()
        }

        /// [`Self::replay`], then the gradient copied out.
        pub fn gradient(&self, x: &Tensor<Rank1<N>>, grad: &mut Tensor<Rank1<N>>) -> f64 {
            let loss = self.replay(x);
            self.x.grad_into(grad);
            loss
        }
    }

    /// The fused graph of W2: the same expression, its structure a type.
    pub fn fused<const N: usize>() -> Reduced<Rank1<N>, impl Node<f64, Arg = Rank1<N>>> {
        fused::function(|x: Input<Rank1<N>>| (x.sin().exp() * x.square() + x.tanh()).sum())
    }

    pub fn tygrad_rebuild<const N: usize>(
        x: &Tensor<Rank1<N>>,
        grad: &mut Tensor<Rank1<N>>,
    ) -> f64 {
        Graph::with(|g| {
            let t = Tygrad::build(g, x);
            t.loss.backward();
            t.x.grad_into(grad);
            t.loss.item()
        })
    }
}

// ---------------------------------------------------------------------------------------------
/// W3: Rosenbrock, `sum_{i<N-1} 100 (x[i+1] - x[i]^2)^2 + (1 - x[i])^2`, `x` filled times 1.5.
/// Through tygrad the terms are vector ops over two overlapping slices of `x`
/// (`head = x[0..N-1]`, `tail = x[1..N]`).
pub mod w3 {
    use super::*;

    pub fn input<const N: usize>() -> Tensor<Rank1<N>> {
        filled(0, 1.5)
    }

    pub fn primal(x: &[f64]) -> f64 {
        x.windows(2)
            .map(|w| {
                let (a, b) = (w[0], w[1]);
                100.0 * (b - a * a) * (b - a * a) + (1.0 - a) * (1.0 - a)
            })
            .sum()
    }

    /// Each term `t(a, b) = 100 (b - a²)² + (1 - a)²` adds `-400 a (b - a²) - 2 (1 - a)` to
    /// `grad[i]` and `200 (b - a²)` to `grad[i + 1]`.
    pub fn hand(x: &[f64], grad: &mut [f64]) -> f64 {
        let mut loss = 0.0;
        let mut carry = 0.0; // the previous term's share of the current element
        for (g, w) in grad.iter_mut().zip(x.windows(2)) {
            let (a, b) = (w[0], w[1]);
            let r = b - a * a;
            loss += 100.0 * r * r + (1.0 - a) * (1.0 - a);
            *g = carry - 400.0 * a * r - 2.0 * (1.0 - a);
            carry = 200.0 * r;
        }
        if let Some(last) = grad.last_mut() {
            *last = carry;
        }
        loss
    }

    fn generic_loss<D: DualNum<Primitive = f64>>(x: &[D]) -> D {
        let mut sum = D::zero();
        for w in x.windows(2) {
            let (a, b) = (&w[0], &w[1]);
            let r = b.clone() - a.powi(2);
            let s = -a.clone() + 1.0;
            sum += r.powi(2) * 100.0 + s.powi(2);
        }
        sum
    }

    /// num-dual `gradient` over a static vector (`DualSVec64<N>`).
    pub fn num_dual_static<const N: usize>(x: &[f64], grad: &mut [f64]) -> f64 {
        let x = SVector::<f64, N>::from_column_slice(x);
        let (loss, g) = num_dual::gradient(
            |x: SVector<DualVec<f64, _>, N>| generic_loss(x.as_slice()),
            &x,
        );
        grad.copy_from_slice(g.as_slice());
        loss
    }

    /// num-dual `gradient` over a dynamic vector (`DualDVec64`, O(N²) work).
    pub fn num_dual_dynamic(x: &[f64], grad: &mut [f64]) -> f64 {
        let x = DVector::from_column_slice(x);
        let (loss, g) = num_dual::gradient(
            |x: DVector<DualVec<f64, Dyn>>| generic_loss(x.as_slice()),
            &x,
        );
        grad.copy_from_slice(g.as_slice());
        loss
    }
    /// The tygrad graph of W3 for one `N` (`M = N - 1` terms; stable Rust cannot write
    /// `N - 1` in a generic const argument, hence one module per size).
    macro_rules! rosenbrock {
        ($module:ident, $n:literal, $m:literal) => {
            pub mod $module {
                use super::*;

                /// The graph of W3, built once.
                pub struct Tygrad<'g> {
                    pub graph: &'g Graph<'g>,
                    pub x: Var<'g, Rank1<$n>, f64, kind::Param>,
                    pub loss: Var<'g, Rank0>,
                }

                impl<'g> Tygrad<'g> {
                    pub fn build(g: &'g Graph<'g>, x: &Tensor<Rank1<$n>>) -> Self {
                        let x = g.param(x.clone());
                        let head = x.slice::<0, $m>();
                        let tail = x.slice::<1, $m>();
                        let loss =
                            ((tail - head.square()).square() * 100.0 + (1.0 - head).square()).sum();
                        Tygrad { graph: g, x, loss }
                    }

                    /// One full gradient by replay (timed): set the input, zero, backward;
                    /// the gradient is lent out, not copied.
                    pub fn replay(&self, x: &Tensor<Rank1<$n>>) -> f64 {
                        self.x.set_value(x);
                        self.graph.zero_grad();
                        self.loss.backward();
                        lend_grad(self.x);
                        self.loss.item()
                    }

                    /// [`Self::replay`], then the gradient copied out.
                    pub fn gradient(
                        &self,
                        x: &Tensor<Rank1<$n>>,
                        grad: &mut Tensor<Rank1<$n>>,
                    ) -> f64 {
                        let loss = self.replay(x);
                        self.x.grad_into(grad);
                        loss
                    }
                }

                /// The fused graph of W3: the same expression, its structure a type.
                pub fn fused() -> Reduced<Rank1<$m>, impl Node<f64, Arg = Rank1<$n>>> {
                    fused::function(|x: Input<Rank1<$n>>| {
                        let head = x.slice::<0, $m>();
                        let tail = x.slice::<1, $m>();
                        ((tail - head.square()).square() * 100.0 + (1.0 - head).square()).sum()
                    })
                }

                /// One full gradient by building the graph anew.
                pub fn tygrad_rebuild(x: &Tensor<Rank1<$n>>, grad: &mut Tensor<Rank1<$n>>) -> f64 {
                    Graph::with(|g| {
                        let t = Tygrad::build(g, x);
                        t.loss.backward();
                        t.x.grad_into(grad);
                        t.loss.item()
                    })
                }
            }
        };
    }
    rosenbrock!(n2, 2, 1);
    rosenbrock!(n1024, 1024, 1023);
}

// ---------------------------------------------------------------------------------------------
/// W4: a two-layer perceptron, `H = relu(X W1 + b1)`, `P = H W2 + b2`, `mean((P - Y)²)`;
/// gradient with respect to `W1, b1, W2, b2` (flat, in that order).
pub mod w4 {
    use super::*;

    pub const BATCH: usize = 64;
    pub const IN: usize = 32;
    pub const HIDDEN: usize = 64;
    pub const OUT: usize = 10;
    pub const NUMEL: usize = IN * HIDDEN + HIDDEN + HIDDEN * OUT + OUT;

    pub struct Inputs {
        pub x: Tensor<Rank2<BATCH, IN>>,
        pub y: Tensor<Rank2<BATCH, OUT>>,
        pub w1: Tensor<Rank2<IN, HIDDEN>>,
        pub b1: Tensor<Rank1<HIDDEN>>,
        pub w2: Tensor<Rank2<HIDDEN, OUT>>,
        pub b2: Tensor<Rank1<OUT>>,
    }

    pub fn inputs() -> Inputs {
        Inputs {
            x: filled(0, 1.0),
            y: filled(5000, 1.0),
            w1: filled(10000, 0.1),
            b1: filled(20000, 0.1),
            w2: filled(30000, 0.1),
            b2: filled(40000, 0.1),
        }
    }

    /// Scratch buffers of the plain-Rust versions, allocated once.
    pub struct Scratch {
        z: Vec<f64>,
        h: Vec<f64>,
        p: Vec<f64>,
        dh: Vec<f64>,
    }

    impl Scratch {
        pub fn new() -> Self {
            Scratch {
                z: vec![0.0; BATCH * HIDDEN],
                h: vec![0.0; BATCH * HIDDEN],
                p: vec![0.0; BATCH * OUT],
                dh: vec![0.0; BATCH * HIDDEN],
            }
        }
    }

    /// `out = a b + bias` (bias added to every row), row-major.
    fn affine(a: &[f64], b: &[f64], bias: &[f64], out: &mut [f64], m: usize, k: usize, n: usize) {
        for row in out.chunks_exact_mut(n) {
            row.copy_from_slice(bias);
        }
        mat_mut(out, m, n).gemm(1.0, &mat(a, m, k), &mat(b, k, n), 1.0);
    }

    /// The loss alone: two affine maps, relu, mean squared error.
    pub fn primal(inp: &Inputs, s: &mut Scratch) -> f64 {
        affine(
            inp.x.as_slice(),
            inp.w1.as_slice(),
            inp.b1.as_slice(),
            &mut s.h,
            BATCH,
            IN,
            HIDDEN,
        );
        for h in &mut s.h {
            *h = h.max(0.0);
        }
        affine(
            &s.h,
            inp.w2.as_slice(),
            inp.b2.as_slice(),
            &mut s.p,
            BATCH,
            HIDDEN,
            OUT,
        );
        let sq: f64 =
            s.p.iter()
                .zip(inp.y.as_slice())
                .map(|(p, y)| (p - y) * (p - y))
                .sum();
        sq / (BATCH * OUT) as f64
    }

    /// The analytic gradient: `dP = 2 (P - Y) / (B·O)`, `dW2 = Hᵀ dP`, `db2 = Σ_rows dP`,
    /// `dZ = (dP W2ᵀ) ⊙ [Z > 0]`, `dW1 = Xᵀ dZ`, `db1 = Σ_rows dZ`.
    pub fn hand(inp: &Inputs, s: &mut Scratch, grad: &mut [f64]) -> f64 {
        let (gw1, rest) = grad.split_at_mut(IN * HIDDEN);
        let (gb1, rest) = rest.split_at_mut(HIDDEN);
        let (gw2, gb2) = rest.split_at_mut(HIDDEN * OUT);
        affine(
            inp.x.as_slice(),
            inp.w1.as_slice(),
            inp.b1.as_slice(),
            &mut s.z,
            BATCH,
            IN,
            HIDDEN,
        );
        for (h, &z) in s.h.iter_mut().zip(&s.z) {
            *h = z.max(0.0);
        }
        affine(
            &s.h,
            inp.w2.as_slice(),
            inp.b2.as_slice(),
            &mut s.p,
            BATCH,
            HIDDEN,
            OUT,
        );
        let scale = 2.0 / (BATCH * OUT) as f64;
        let mut sq = 0.0;
        gb2.fill(0.0);
        // s.p becomes dP in place.
        for (prow, yrow) in
            s.p.chunks_exact_mut(OUT)
                .zip(inp.y.as_slice().chunks_exact(OUT))
        {
            for ((p, &y), gb) in prow.iter_mut().zip(yrow).zip(gb2.iter_mut()) {
                let r = *p - y;
                sq += r * r;
                *p = scale * r;
                *gb += *p;
            }
        }
        let dp = &s.p;
        mat_mut(gw2, HIDDEN, OUT).gemm(1.0, &mat_t(&s.h, BATCH, HIDDEN), &mat(dp, BATCH, OUT), 0.0);
        mat_mut(&mut s.dh, BATCH, HIDDEN).gemm(
            1.0,
            &mat(dp, BATCH, OUT),
            &mat_t(inp.w2.as_slice(), HIDDEN, OUT),
            0.0,
        );
        gb1.fill(0.0);
        for (dhrow, zrow) in s.dh.chunks_exact_mut(HIDDEN).zip(s.z.chunks_exact(HIDDEN)) {
            for ((dh, &z), gb) in dhrow.iter_mut().zip(zrow).zip(gb1.iter_mut()) {
                if z <= 0.0 {
                    *dh = 0.0;
                }
                *gb += *dh;
            }
        }
        mat_mut(gw1, IN, HIDDEN).gemm(
            1.0,
            &mat_t(inp.x.as_slice(), BATCH, IN),
            &mat(&s.dh, BATCH, HIDDEN),
            0.0,
        );
        sq / (BATCH * OUT) as f64
    }

    /// The graph of W4, built once. The bias add is `ones(B x 1) · b(1 x n)`, a rank-one
    /// product that is exact (each entry is `1 · b_j`); to be replaced by `add_row` /
    /// `broadcast_rows` once those ops exist.
    pub struct Tygrad<'g> {
        pub graph: &'g Graph<'g>,
        pub w1: Var<'g, Rank2<IN, HIDDEN>, f64, kind::Param>,
        pub b1: Var<'g, Rank1<HIDDEN>, f64, kind::Param>,
        pub w2: Var<'g, Rank2<HIDDEN, OUT>, f64, kind::Param>,
        pub b2: Var<'g, Rank1<OUT>, f64, kind::Param>,
        pub loss: Var<'g, Rank0>,
        grads: (
            Tensor<Rank2<IN, HIDDEN>>,
            Tensor<Rank1<HIDDEN>>,
            Tensor<Rank2<HIDDEN, OUT>>,
            Tensor<Rank1<OUT>>,
        ),
    }

    impl<'g> Tygrad<'g> {
        pub fn build(g: &'g Graph<'g>, inp: &Inputs) -> Self {
            let x = g.constant(inp.x.clone());
            let y = g.constant(inp.y.clone());
            let w1 = g.param(inp.w1.clone());
            let b1 = g.param(inp.b1.clone());
            let w2 = g.param(inp.w2.clone());
            let b2 = g.param(inp.b2.clone());
            let ones = g.constant(Tensor::<Rank2<BATCH, 1>>::ones());
            let h = (x.matmul(w1) + ones.matmul(b1.reshape::<Rank2<1, HIDDEN>>())).relu();
            let p = h.matmul(w2) + ones.matmul(b2.reshape::<Rank2<1, OUT>>());
            let loss = (p - y).square().mean();
            let grads = (
                Tensor::zeros(),
                Tensor::zeros(),
                Tensor::zeros(),
                Tensor::zeros(),
            );
            Tygrad {
                graph: g,
                w1,
                b1,
                w2,
                b2,
                loss,
                grads,
            }
        }

        /// One full gradient by replay (timed; parameters set, as a training step would); the
        /// gradients are lent out where backward wrote them, not copied.
        pub fn replay(&self, inp: &Inputs) -> f64 {
            self.w1.set_value(&inp.w1);
            self.b1.set_value(&inp.b1);
            self.w2.set_value(&inp.w2);
            self.b2.set_value(&inp.b2);
            self.graph.zero_grad();
            self.loss.backward();
            lend_grad(self.w1);
            lend_grad(self.b1);
            lend_grad(self.w2);
            lend_grad(self.b2);
            self.loss.item()
        }

        /// [`Self::replay`], then the gradients copied out into this struct's gradient
        /// tensors (see [`Self::flat_gradient`]).
        pub fn gradient(&mut self, inp: &Inputs) -> f64 {
            self.replay(inp);
            self.read_gradient()
        }

        /// Copies the accumulated gradients out of the graph and returns the loss.
        pub fn read_gradient(&mut self) -> f64 {
            self.w1.grad_into(&mut self.grads.0);
            self.b1.grad_into(&mut self.grads.1);
            self.w2.grad_into(&mut self.grads.2);
            self.b2.grad_into(&mut self.grads.3);
            self.loss.item()
        }

        /// The last gradient read, flat (outside what is timed).
        pub fn flat_gradient(&self, grad: &mut [f64]) {
            concat_into(
                grad,
                &[
                    self.grads.0.as_slice(),
                    self.grads.1.as_slice(),
                    self.grads.2.as_slice(),
                    self.grads.3.as_slice(),
                ],
            );
        }
    }

    pub fn tygrad_rebuild(inp: &Inputs, grad: &mut [f64]) -> f64 {
        Graph::with(|g| {
            let mut t = Tygrad::build(g, inp);
            t.loss.backward();
            let loss = t.read_gradient();
            t.flat_gradient(grad);
            loss
        })
    }
}

// ---------------------------------------------------------------------------------------------
/// W5: `sum(tanh(A B))` for 128x128 `A`, `B`; gradient with respect to `A` then `B`.
pub mod w5 {
    use super::*;

    pub const N: usize = 128;
    pub const NUMEL: usize = 2 * N * N;

    pub struct Inputs {
        pub a: Tensor<Rank2<N, N>>,
        pub b: Tensor<Rank2<N, N>>,
    }

    pub fn inputs() -> Inputs {
        Inputs {
            a: filled(0, 0.05),
            b: filled(100000, 0.05),
        }
    }

    pub struct Scratch {
        c: Vec<f64>,
    }

    impl Scratch {
        pub fn new() -> Self {
            Scratch {
                c: vec![0.0; N * N],
            }
        }
    }

    pub fn primal(inp: &Inputs, s: &mut Scratch) -> f64 {
        mat_mut(&mut s.c, N, N).gemm(
            1.0,
            &mat(inp.a.as_slice(), N, N),
            &mat(inp.b.as_slice(), N, N),
            0.0,
        );
        s.c.iter().map(|c| c.tanh()).sum()
    }

    /// `dC = 1 - tanh²(C)`, `dA = dC Bᵀ`, `dB = Aᵀ dC`.
    pub fn hand(inp: &Inputs, s: &mut Scratch, grad: &mut [f64]) -> f64 {
        let (ga, gb) = grad.split_at_mut(N * N);
        let (a, b) = (inp.a.as_slice(), inp.b.as_slice());
        mat_mut(&mut s.c, N, N).gemm(1.0, &mat(a, N, N), &mat(b, N, N), 0.0);
        let mut loss = 0.0;
        for c in &mut s.c {
            let t = c.tanh();
            loss += t;
            *c = 1.0 - t * t;
        }
        mat_mut(ga, N, N).gemm(1.0, &mat(&s.c, N, N), &mat_t(b, N, N), 0.0);
        mat_mut(gb, N, N).gemm(1.0, &mat_t(a, N, N), &mat(&s.c, N, N), 0.0);
        loss
    }

    pub struct Tygrad<'g> {
        pub graph: &'g Graph<'g>,
        pub a: Var<'g, Rank2<N, N>, f64, kind::Param>,
        pub b: Var<'g, Rank2<N, N>, f64, kind::Param>,
        pub loss: Var<'g, Rank0>,
        grads: (Tensor<Rank2<N, N>>, Tensor<Rank2<N, N>>),
    }

    impl<'g> Tygrad<'g> {
        pub fn build(g: &'g Graph<'g>, inp: &Inputs) -> Self {
            let a = g.param(inp.a.clone());
            let b = g.param(inp.b.clone());
            let loss = a.matmul(b).tanh().sum();
            Tygrad {
                graph: g,
                a,
                b,
                loss,
                grads: (Tensor::zeros(), Tensor::zeros()),
            }
        }

        /// One full gradient by replay (timed); the gradients are lent out where backward
        /// wrote them, not copied.
        pub fn replay(&self, inp: &Inputs) -> f64 {
            self.a.set_value(&inp.a);
            self.b.set_value(&inp.b);
            self.graph.zero_grad();
            self.loss.backward();
            lend_grad(self.a);
            lend_grad(self.b);
            self.loss.item()
        }

        /// [`Self::replay`], then the gradients copied out into this struct's gradient
        /// tensors.
        pub fn gradient(&mut self, inp: &Inputs) -> f64 {
            self.replay(inp);
            self.read_gradient()
        }

        pub fn read_gradient(&mut self) -> f64 {
            self.a.grad_into(&mut self.grads.0);
            self.b.grad_into(&mut self.grads.1);
            self.loss.item()
        }

        /// The last gradient read, flat (outside what is timed).
        pub fn flat_gradient(&self, grad: &mut [f64]) {
            concat_into(grad, &[self.grads.0.as_slice(), self.grads.1.as_slice()]);
        }
    }

    pub fn tygrad_rebuild(inp: &Inputs, grad: &mut [f64]) -> f64 {
        Graph::with(|g| {
            let mut t = Tygrad::build(g, inp);
            t.loss.backward();
            let loss = t.read_gradient();
            t.flat_gradient(grad);
            loss
        })
    }
}
