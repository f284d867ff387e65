//! The nodes of two children: elementwise binary ops, matrix products, a scalar times a
//! tensor. A node's left child's subtree starts where the node's does (`base`), the right
//! child's after it, and the node's own region last.

use super::SmallNode;
use super::node::{Adjoint, dot, own_region, put, send, split, value_in_region};
use crate::fused::Binary;
use crate::scalar::{Elem, Float};
use crate::shape::{Rank0, Rank1, Rank2, SameShape, Shape};
use std::marker::PhantomData;

/// Writes both children's constants (the left subtree's at `base`, the right's after it).
#[inline(always)]
fn init_children<F: Float, T: Elem<F>, A: SmallNode<F>, B: SmallNode<F>>(
    (left, right): (&A, &B),
    values: &mut [T],
    base: usize,
) {
    left.init(values, base);
    right.init(values, base + A::SUBTREE);
}

/// Computes both children's subtrees, and returns their values and the own region of the
/// node `N` above them.
#[inline(always)]
fn forward_children<'v, F: Float, T: Elem<F>, N: SmallNode<F>, A: SmallNode<F>, B: SmallNode<F>>(
    (left, right): (&A, &B),
    x: &'v [T],
    values: &'v mut [T],
    base: usize,
) -> (&'v [T], &'v [T], &'v mut [T]) {
    left.forward(x, values, base);
    right.forward(x, values, base + A::SUBTREE);
    let (below, own) = split::<F, N, T>(values, base);
    let below: &'v [T] = below;
    let (a, b) = read_children((left, right), x, below, base);
    (a, b, own)
}

/// Both children's values, from a forward pass.
#[inline(always)]
fn read_children<'v, F: Float, T, A: SmallNode<F>, B: SmallNode<F>>(
    (left, right): (&A, &B),
    x: &'v [T],
    values: &'v [T],
    base: usize,
) -> (&'v [T], &'v [T]) {
    (
        left.read(x, values, base),
        right.read(x, values, base + A::SUBTREE),
    )
}

/// A [`Binary`] function of two children of one shape, element by element; its region keeps
/// both partials, unless they are constants.
#[derive(Clone, Copy)]
pub struct Zip<A, B, O> {
    pub(crate) left: A,
    pub(crate) right: B,
    pub(crate) function: O,
}

impl<A, B, O> Zip<A, B, O> {
    pub(crate) fn new(left: A, right: B, function: O) -> Self {
        Zip {
            left,
            right,
            function,
        }
    }
}

// `B`'s shape is `A`'s: the operators that build a `Zip` require it (`SameShape`, whose
// message names both shapes), and `B::Out = A::Out` here would preempt that message.
impl<F, A, B, O> SmallNode<F> for Zip<A, B, O>
where
    F: Float,
    A: SmallNode<F>,
    B: SmallNode<F, Arg = A::Arg>,
    A::Out: SameShape<B::Out>,
    O: Binary<F>,
{
    type Arg = A::Arg;
    type Out = A::Out;
    const CONSTANT: bool = A::CONSTANT && B::CONSTANT;
    // Values, then both partials unless they are constants (`+`, `-`).
    const REGION: usize =
        if O::CONSTANT_PARTIALS.is_some() { 1 } else { 3 } * <A::Out as Shape>::NUMEL;
    const SUBTREE: usize = A::SUBTREE + B::SUBTREE + Self::REGION;

    fn init<T: Elem<F>>(&self, values: &mut [T], base: usize) {
        init_children((&self.left, &self.right), values, base);
    }

    #[inline(always)]
    fn forward<T: Elem<F>>(&self, x: &[T], values: &mut [T], base: usize) {
        let children = (&self.left, &self.right);
        let (a, b, own) = forward_children::<F, T, Self, A, B>(children, x, values, base);
        let n = <A::Out as Shape>::NUMEL;
        if O::CONSTANT_PARTIALS.is_some() {
            for i in 0..n {
                own[i] = self.function.apply(a[i], b[i]).0;
            }
            return;
        }
        let (value, partials) = own.split_at_mut(n);
        let (da, db) = partials.split_at_mut(n);
        for i in 0..n {
            (value[i], da[i], db[i]) = self.function.apply(a[i], b[i]);
        }
    }

    value_in_region!();

    #[inline(always)]
    fn backward<T: Elem<F>>(
        &self,
        (x, values, base): (&[T], &[T], usize),
        g: &[T],
        below: &mut [T],
        grad: &mut [T],
    ) {
        let n = <A::Out as Shape>::NUMEL;
        let (left, right) = match O::CONSTANT_PARTIALS {
            // `a + b`: both children's adjoint is this one, passed on without a copy.
            Some((1.0, 1.0)) => (Factor::One, Factor::One),
            // Other constants (`a - b`): copies scaled by each (`-1` exactly a negation).
            Some((da, db)) => (Factor::of(da), Factor::of(db)),
            None => {
                let at = own_region::<F, Self>(base);
                let (da, db) = values[at + n..at + 3 * n].split_at(n);
                (Factor::Partials(da), Factor::Partials(db))
            }
        };
        send(&self.left, base, (x, values, below, grad), left.adjoint(g));
        send(
            &self.right,
            base + A::SUBTREE,
            (x, values, below, grad),
            right.adjoint(g),
        );
    }
}

/// How a child's adjoint in a [`Zip`] follows from its parent's `g`, element by element.
#[derive(Clone, Copy)]
enum Factor<'a, T> {
    /// `g` itself (`+`): handed down without a copy.
    One,
    /// `g · d` for a constant `d` (`-1` on the right side of `-`: an exact negation).
    Constant(f64),
    /// `g ⊙ partials`.
    Partials(&'a [T]),
}

impl<'a, T> Factor<'a, T> {
    /// The factor of a constant partial.
    fn of(d: f64) -> Self {
        if d == 1.0 {
            Factor::One
        } else {
            Factor::Constant(d)
        }
    }

    /// The child's adjoint `g · self`: `g` itself for [`Factor::One`], else written.
    #[inline(always)]
    fn adjoint<F: Float>(self, g: &'a [T]) -> Adjoint<'a, T, impl FnOnce(&mut [T], bool) + 'a>
    where
        T: Elem<F>,
    {
        match self {
            Factor::One => Adjoint::Given(g),
            factor => Adjoint::Written(move |slot: &mut [T], adds: bool| {
                for (i, &gi) in g.iter().enumerate() {
                    let value = match factor {
                        Factor::One => gi,
                        Factor::Constant(-1.0) => -gi,
                        Factor::Constant(d) => gi * F::of_f64(d),
                        Factor::Partials(d) => gi * d[i],
                    };
                    put(slot, adds, i, value);
                }
            }),
        }
    }
}

/// The products of small matrices: `(M x K) (K x N) -> (M x N)`, with a vector as an
/// `N x 1` column (`matvec`).
///
/// `A` is viewed as `M x K`, `B` as `K x N`, both row-major, so one loop nest serves both;
/// the output's shape `S` has `M · N` elements.
#[derive(Clone, Copy)]
pub struct Product<A, B, S: Shape, const M: usize, const K: usize, const N: usize> {
    pub(crate) left: A,
    pub(crate) right: B,
    shape: PhantomData<S>,
}

impl<A, B, S: Shape, const M: usize, const K: usize, const N: usize> Product<A, B, S, M, K, N> {
    pub(crate) fn new(left: A, right: B) -> Self {
        Product {
            left,
            right,
            shape: PhantomData,
        }
    }
}

impl<F, A, B, S, const M: usize, const K: usize, const N: usize> SmallNode<F>
    for Product<A, B, S, M, K, N>
where
    F: Float,
    A: SmallNode<F>,
    B: SmallNode<F, Arg = A::Arg>,
    S: Shape,
{
    type Arg = A::Arg;
    type Out = S;
    const CONSTANT: bool = A::CONSTANT && B::CONSTANT;
    const REGION: usize = M * N;
    const SUBTREE: usize = A::SUBTREE + B::SUBTREE + Self::REGION;

    fn init<T: Elem<F>>(&self, values: &mut [T], base: usize) {
        init_children((&self.left, &self.right), values, base);
    }

    #[inline(always)]
    fn forward<T: Elem<F>>(&self, x: &[T], values: &mut [T], base: usize) {
        let children = (&self.left, &self.right);
        let (a, b, out) = forward_children::<F, T, Self, A, B>(children, x, values, base);
        for i in 0..M {
            for j in 0..N {
                let mut sum = a[i * K] * b[j];
                for p in 1..K {
                    sum += a[i * K + p] * b[p * N + j];
                }
                out[i * N + j] = sum;
            }
        }
    }

    value_in_region!();

    #[inline(always)]
    fn backward<T: Elem<F>>(
        &self,
        (x, values, base): (&[T], &[T], usize),
        g: &[T],
        below: &mut [T],
        grad: &mut [T],
    ) {
        let (a, b) = read_children((&self.left, &self.right), x, values, base);
        // dA = G Bᵀ
        send(
            &self.left,
            base,
            (x, values, below, grad),
            Adjoint::Written(|slot: &mut [T], adds: bool| {
                for i in 0..M {
                    for p in 0..K {
                        let mut sum = g[i * N] * b[p * N];
                        for j in 1..N {
                            sum += g[i * N + j] * b[p * N + j];
                        }
                        put(slot, adds, i * K + p, sum);
                    }
                }
            }),
        );
        // dB = Aᵀ G
        send(
            &self.right,
            base + A::SUBTREE,
            (x, values, below, grad),
            Adjoint::Written(|slot: &mut [T], adds: bool| {
                for p in 0..K {
                    for j in 0..N {
                        let mut sum = a[p] * g[j];
                        for i in 1..M {
                            sum += a[i * K + p] * g[i * N + j];
                        }
                        put(slot, adds, p * N + j, sum);
                    }
                }
            }),
        );
    }
}

/// A scalar child times every element of a tensor child: `out[i] = a · b[i]`.
#[derive(Clone, Copy)]
pub struct Scale<A, B> {
    pub(crate) scalar: A,
    pub(crate) tensor: B,
}

impl<A, B> Scale<A, B> {
    pub(crate) fn new(scalar: A, tensor: B) -> Self {
        Scale { scalar, tensor }
    }
}

impl<F, A, B> SmallNode<F> for Scale<A, B>
where
    F: Float,
    A: SmallNode<F, Out = Rank0>,
    B: SmallNode<F, Arg = A::Arg>,
{
    type Arg = A::Arg;
    type Out = B::Out;
    const CONSTANT: bool = A::CONSTANT && B::CONSTANT;
    const REGION: usize = <B::Out as Shape>::NUMEL;
    const SUBTREE: usize = A::SUBTREE + B::SUBTREE + Self::REGION;

    fn init<T: Elem<F>>(&self, values: &mut [T], base: usize) {
        init_children((&self.scalar, &self.tensor), values, base);
    }

    #[inline(always)]
    fn forward<T: Elem<F>>(&self, x: &[T], values: &mut [T], base: usize) {
        let children = (&self.scalar, &self.tensor);
        let (a, b, out) = forward_children::<F, T, Self, A, B>(children, x, values, base);
        for (o, &b) in out.iter_mut().zip(b) {
            *o = a[0] * b;
        }
    }

    value_in_region!();

    #[inline(always)]
    fn backward<T: Elem<F>>(
        &self,
        (x, values, base): (&[T], &[T], usize),
        g: &[T],
        below: &mut [T],
        grad: &mut [T],
    ) {
        let (a, b) = read_children((&self.scalar, &self.tensor), x, values, base);
        let a = a[0];
        // d a = <G, b>
        send(
            &self.scalar,
            base,
            (x, values, below, grad),
            Adjoint::Written(|slot: &mut [T], adds: bool| {
                let dot = dot(g, |i| b[i]);
                put(slot, adds, 0, dot);
            }),
        );
        send(
            &self.tensor,
            base + A::SUBTREE,
            (x, values, below, grad),
            Adjoint::Written(|slot: &mut [T], adds: bool| {
                for (i, &gi) in g.iter().enumerate() {
                    put(slot, adds, i, gi * a);
                }
            }),
        );
    }
}

/// `Rank2<M, K> x Rank2<K, N> -> Rank2<M, N>`.
pub type MatMul<A, B, const M: usize, const K: usize, const N: usize> =
    Product<A, B, Rank2<M, N>, M, K, N>;
/// `Rank2<M, N> x Rank1<N> -> Rank1<M>`.
pub type MatVec<A, B, const M: usize, const N: usize> = Product<A, B, Rank1<M>, M, N, 1>;
