//! The nodes of a small graph: each a type, each a whole small tensor, with its value and its
//! reverse step side by side.
//!
//! Every node has a *region* of the function's workspace, placed once when the function is
//! built (children first, so a node's region lies above all of its descendants'): its value
//! there, then whatever its reverse step needs (a unary op's slopes, a binary op's partials).
//! A second buffer of the same layout holds the adjoints. The graph is a tree (a node used
//! twice is two copies, computed twice), so each node's adjoint is written by its one parent,
//! once per reverse pass: it is *set*, never accumulated, and no buffer is zeroed between
//! passes. Only the argument accumulates, into the gradient.
//!
//! The op types (`Sin`, `Times`, ...) are the crate's op definitions themselves (see
//! `CONTRIBUTING.md`), the value functions and derivative rules a `Graph` and a fused graph
//! run.

use crate::fused::{Binary, Unary};
use crate::scalar::{Elem, Float};
use crate::shape::{Rank0, Rank1, Rank2, SameShape, Shape};
use crate::tensor::Tensor;
use std::marker::PhantomData;

/// One node of a small graph, computed as a whole tensor.
///
/// `forward` writes the node's value (and its reverse step's locals) into its region of
/// `values`, after its children's; `backward` takes its adjoint, sets its children's, and
/// recurses. Both are generic over the scalar, so the same node runs
/// on `f64` (values and reverse mode) and on dual numbers (forward mode).
///
/// Users build nodes through [`Small`](super::Small)'s methods and operators, not by hand.
///
/// ```
/// use tygrad::prelude::*;
/// use tygrad::small::{self, Input};
/// let mut f = small::function(|x: Input<Rank1<2>>| x.get::<1>().square());
/// assert_eq!(f.value(&Tensor::from([3.0, 4.0])).item(), 16.0);
/// ```
pub trait SmallNode<F: Float>: Clone {
    /// The shape of the function's argument.
    type Arg: Shape;
    /// The shape of this node's output.
    type Out: Shape;
    /// Whether the node's value is the same for every argument (a constant, or an op of
    /// constants): the reverse pass skips it.
    const CONSTANT: bool;
    /// How many elements of the workspace this node's region takes.
    const REGION: usize;
    /// Whether a write into this node's adjoint slot adds (the argument's slot is the
    /// gradient, which accumulates over the argument's uses) or sets (every other node's:
    /// its one parent writes it once per pass).
    const ACCUMULATES: bool = false;

    /// Places the regions of this node's subtree from `cursor` on, children first.
    fn place(&mut self, cursor: &mut usize);

    /// Writes the subtree's constants into `values`, once per buffer: no pass overwrites
    /// them, so `forward` skips them.
    fn init<T: Elem<F>>(&self, values: &mut [T]);

    /// Computes the subtree's values into `values`, this node's in its region.
    fn forward<T: Elem<F>>(&self, x: &[T], values: &mut [T]);

    /// This node's value, in `values` (or the argument itself).
    fn read<'a, T>(&self, x: &'a [T], values: &'a [T]) -> &'a [T];

    /// Where this node's region starts (its value in `values`, its adjoint in the adjoints).
    fn at(&self) -> usize;

    /// Given this node's adjoint `adjoint`, passes its children theirs and recurses:
    /// `below` is the adjoint buffer under this node's region, which holds its subtree's.
    fn backward<T: Elem<F>>(
        &self,
        x: &[T],
        values: &[T],
        adjoint: &[T],
        below: &mut [T],
        grad: &mut [T],
    );
}

/// Hands `child` its adjoint, which `fill(slot, adds)` writes, and runs its reverse step:
/// the argument's slot is the gradient itself (`adds`: it accumulates over the argument's
/// uses), any other child's is its own region, which `fill` sets. A constant child is
/// skipped. `adds` is a constant of the child's type, so the branch folds away.
#[inline(always)]
fn send<F: Float, T: Elem<F>, C: SmallNode<F>>(
    child: &C,
    (x, values, below, grad): (&[T], &[T], &mut [T], &mut [T]),
    fill: impl FnOnce(&mut [T], bool),
) {
    if C::CONSTANT {
        return;
    }
    if C::ACCUMULATES {
        fill(grad, true);
        return;
    }
    let (lower, region) = below.split_at_mut(child.at());
    let adjoint = &mut region[..<C::Out as Shape>::NUMEL];
    fill(adjoint, false);
    child.backward(x, values, adjoint, lower, grad);
}

/// Hands `child` the adjoint `adjoint` unchanged (the reverse step of `+`): no copy, unless
/// the child is the argument, whose gradient it is added to.
#[inline(always)]
fn pass<F: Float, T: Elem<F>, C: SmallNode<F>>(
    child: &C,
    (x, values, below, grad): (&[T], &[T], &mut [T], &mut [T]),
    adjoint: &[T],
) {
    if C::CONSTANT {
        return;
    }
    if C::ACCUMULATES {
        for (g, &a) in grad.iter_mut().zip(adjoint) {
            *g += a;
        }
        return;
    }
    child.backward(x, values, adjoint, &mut below[..child.at()], grad);
}

/// Writes `value` into element `i` of a child's adjoint slot: set, or added for the argument
/// (`adds` is the child's `ACCUMULATES`, a constant, so the branch folds away).
#[inline(always)]
fn put<T: Copy + std::ops::AddAssign>(slot: &mut [T], adds: bool, i: usize, value: T) {
    if adds {
        slot[i] += value;
    } else {
        slot[i] = value;
    }
}

/// `Σ a[i] b(i)` over `a`, in four interleaved partial sums: a dot product of a 4x4 matrix's
/// 16 elements is otherwise one chain of dependent adds, which the processor cannot overlap.
#[inline(always)]
fn dot<T: Copy + std::ops::Add<Output = T> + std::ops::Mul<Output = T>>(
    a: &[T],
    b: impl Fn(usize) -> T,
) -> T {
    let n = a.len();
    if n < 8 {
        return (1..n).fold(a[0] * b(0), |sum, i| sum + a[i] * b(i));
    }
    let mut sums = [a[0] * b(0), a[1] * b(1), a[2] * b(2), a[3] * b(3)];
    let quads = n / 4;
    for q in 1..quads {
        for (lane, sum) in sums.iter_mut().enumerate() {
            let i = 4 * q + lane;
            *sum = *sum + a[i] * b(i);
        }
    }
    let tail = (4 * quads..n).fold(sums[3], |sum, i| sum + a[i] * b(i));
    (sums[0] + sums[1]) + (sums[2] + tail)
}

/// A node's region of a buffer and everything below it: the children's regions.
#[inline(always)]
fn split<T>(buffer: &mut [T], at: usize, len: usize) -> (&mut [T], &mut [T]) {
    let (below, own) = buffer.split_at_mut(at);
    (below, &mut own[..len])
}

/// The argument: its value is `x` itself, its adjoint goes into the gradient.
pub struct Argument<X: Shape, F: Float = f64>(PhantomData<(X, F)>);

impl<X: Shape, F: Float> Argument<X, F> {
    pub(crate) fn new() -> Self {
        Argument(PhantomData)
    }
}

impl<X: Shape, F: Float> Clone for Argument<X, F> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<X: Shape, F: Float> Copy for Argument<X, F> {}

impl<X: Shape, F: Float> SmallNode<F> for Argument<X, F> {
    type Arg = X;
    type Out = X;
    const CONSTANT: bool = false;
    const REGION: usize = 0;
    const ACCUMULATES: bool = true;

    fn place(&mut self, _: &mut usize) {}

    fn init<T: Elem<F>>(&self, _: &mut [T]) {}

    #[inline(always)]
    fn forward<T: Elem<F>>(&self, _: &[T], _: &mut [T]) {}

    #[inline(always)]
    fn read<'a, T>(&self, x: &'a [T], _: &'a [T]) -> &'a [T] {
        x
    }

    fn at(&self) -> usize {
        0
    }

    // Its adjoint is added into the gradient by its parent (`send`, `pass`).
    #[inline(always)]
    fn backward<T: Elem<F>>(&self, _: &[T], _: &[T], _: &[T], _: &mut [T], _: &mut [T]) {}
}

/// Where a node's region starts, set by `place`.
#[derive(Clone, Copy, Debug, Default)]
struct At(usize);

impl At {
    #[inline(always)]
    fn claim(&mut self, cursor: &mut usize, len: usize) {
        self.0 = *cursor;
        *cursor += len;
    }
}

/// Implements `read` and `at` for a node whose value starts its region (all but `Argument`).
macro_rules! region_io {
    () => {
        #[inline(always)]
        fn read<'a, T>(&self, _: &'a [T], values: &'a [T]) -> &'a [T] {
            &values[self.at.0..self.at.0 + <Self::Out as Shape>::NUMEL]
        }

        #[inline(always)]
        fn at(&self) -> usize {
            self.at.0
        }
    };
}

/// A constant tensor, written into its region once per buffer (as that buffer's scalar type).
#[derive(Clone)]
pub struct Constant<X: Shape, S: Shape, F: Float = f64> {
    tensor: Tensor<S, F>,
    at: At,
    arg: PhantomData<X>,
}

impl<X: Shape, S: Shape, F: Float> Constant<X, S, F> {
    pub(crate) fn new(tensor: Tensor<S, F>) -> Self {
        Constant {
            tensor,
            at: At::default(),
            arg: PhantomData,
        }
    }
}

impl<X: Shape, S: Shape, F: Float> SmallNode<F> for Constant<X, S, F> {
    // A constant of a function of `X`, which type inference takes from the nodes it meets.
    type Arg = X;
    type Out = S;
    const CONSTANT: bool = true;
    const REGION: usize = S::NUMEL;

    fn place(&mut self, cursor: &mut usize) {
        self.at.claim(cursor, Self::REGION);
    }

    fn init<T: Elem<F>>(&self, values: &mut [T]) {
        let own = &mut values[self.at.0..self.at.0 + S::NUMEL];
        for (v, &c) in own.iter_mut().zip(self.tensor.as_slice()) {
            *v = T::constant(c);
        }
    }

    #[inline(always)]
    fn forward<T: Elem<F>>(&self, _: &[T], _: &mut [T]) {}

    region_io!();

    #[inline(always)]
    fn backward<T: Elem<F>>(&self, _: &[T], _: &[T], _: &[T], _: &mut [T], _: &mut [T]) {}
}

/// A node that reads one child's value at constant positions: element `i` of its output is
/// the child's element `START + i`. `get` and `slice` of a vector.
#[derive(Clone, Copy)]
pub struct Pick<E, S: Shape, const START: usize> {
    pub(crate) child: E,
    at: At,
    shape: PhantomData<S>,
}

impl<E, S: Shape, const START: usize> Pick<E, S, START> {
    pub(crate) fn new(child: E) -> Self {
        Pick {
            child,
            at: At::default(),
            shape: PhantomData,
        }
    }
}

impl<F: Float, E: SmallNode<F>, S: Shape, const START: usize> SmallNode<F> for Pick<E, S, START> {
    type Arg = E::Arg;
    type Out = S;
    const CONSTANT: bool = E::CONSTANT;
    const REGION: usize = S::NUMEL;

    fn place(&mut self, cursor: &mut usize) {
        self.child.place(cursor);
        self.at.claim(cursor, Self::REGION);
    }

    fn init<T: Elem<F>>(&self, values: &mut [T]) {
        self.child.init(values);
    }

    #[inline(always)]
    fn forward<T: Elem<F>>(&self, x: &[T], values: &mut [T]) {
        self.child.forward(x, values);
    }

    // A view of the child's value, not a copy (its region holds only its adjoint): so
    // `q.get::<0>().sin()` and `q.get::<0>().cos()` read one element, and the compiler
    // sees both as functions of it.
    #[inline(always)]
    fn read<'a, T>(&self, x: &'a [T], values: &'a [T]) -> &'a [T] {
        &self.child.read(x, values)[START..START + S::NUMEL]
    }

    #[inline(always)]
    fn at(&self) -> usize {
        self.at.0
    }

    #[inline(always)]
    fn backward<T: Elem<F>>(
        &self,
        x: &[T],
        values: &[T],
        g: &[T],
        below: &mut [T],
        grad: &mut [T],
    ) {
        send(&self.child, (x, values, below, grad), |slot, adds| {
            if !adds {
                // A pick covers part of its child: the rest of the child's adjoint is zero.
                slot.fill(T::zero());
            }
            for (s, &a) in slot[START..START + S::NUMEL].iter_mut().zip(g) {
                *s += a;
            }
        });
    }
}

/// A [`Unary`] function of every element of its child; its region keeps the slopes.
#[derive(Clone, Copy)]
pub struct Map<E, U> {
    pub(crate) child: E,
    pub(crate) function: U,
    at: At,
}

impl<E, U> Map<E, U> {
    pub(crate) fn new(child: E, function: U) -> Self {
        Map {
            child,
            function,
            at: At::default(),
        }
    }
}

impl<F: Float, E: SmallNode<F>, U: Unary<F>> SmallNode<F> for Map<E, U> {
    type Arg = E::Arg;
    type Out = E::Out;
    const CONSTANT: bool = E::CONSTANT;
    const REGION: usize = 2 * <E::Out as Shape>::NUMEL;

    fn place(&mut self, cursor: &mut usize) {
        self.child.place(cursor);
        self.at.claim(cursor, Self::REGION);
    }

    fn init<T: Elem<F>>(&self, values: &mut [T]) {
        self.child.init(values);
    }

    #[inline(always)]
    fn forward<T: Elem<F>>(&self, x: &[T], values: &mut [T]) {
        self.child.forward(x, values);
        let n = <E::Out as Shape>::NUMEL;
        let (below, own) = split(values, self.at.0, 2 * n);
        let (value, slope) = own.split_at_mut(n);
        for ((v, s), &a) in value.iter_mut().zip(slope).zip(self.child.read(x, below)) {
            (*v, *s) = self.function.apply(a);
        }
    }

    region_io!();

    #[inline(always)]
    fn backward<T: Elem<F>>(
        &self,
        x: &[T],
        values: &[T],
        g: &[T],
        below: &mut [T],
        grad: &mut [T],
    ) {
        let n = <E::Out as Shape>::NUMEL;
        let slope = &values[self.at.0 + n..self.at.0 + 2 * n];
        send(&self.child, (x, values, below, grad), |slot, adds| {
            for (i, (&a, &s)) in g.iter().zip(slope).enumerate() {
                put(slot, adds, i, a * s);
            }
        });
    }
}

/// A [`Binary`] function of two children of one shape, element by element; its region keeps
/// both partials, unless they are constants.
#[derive(Clone, Copy)]
pub struct Zip<A, B, O> {
    pub(crate) left: A,
    pub(crate) right: B,
    pub(crate) function: O,
    at: At,
}

impl<A, B, O> Zip<A, B, O> {
    pub(crate) fn new(left: A, right: B, function: O) -> Self {
        Zip {
            left,
            right,
            function,
            at: At::default(),
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

    fn place(&mut self, cursor: &mut usize) {
        self.left.place(cursor);
        self.right.place(cursor);
        self.at.claim(cursor, Self::REGION);
    }

    fn init<T: Elem<F>>(&self, values: &mut [T]) {
        self.left.init(values);
        self.right.init(values);
    }

    #[inline(always)]
    fn forward<T: Elem<F>>(&self, x: &[T], values: &mut [T]) {
        self.left.forward(x, values);
        self.right.forward(x, values);
        let n = <A::Out as Shape>::NUMEL;
        let (below, own) = split(values, self.at.0, Self::REGION);
        let (a, b) = (self.left.read(x, below), self.right.read(x, below));
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

    region_io!();

    #[inline(always)]
    fn backward<T: Elem<F>>(
        &self,
        x: &[T],
        values: &[T],
        g: &[T],
        below: &mut [T],
        grad: &mut [T],
    ) {
        let n = <A::Out as Shape>::NUMEL;
        match O::CONSTANT_PARTIALS {
            // `a + b`: both children's adjoint is this one, passed on without a copy.
            Some((1.0, 1.0)) => {
                pass(&self.left, (x, values, below, grad), g);
                pass(&self.right, (x, values, below, grad), g);
            }
            // Other constants (`a - b`): a copy scaled by each (`±1` exactly).
            Some((da, db)) => {
                for (child_is_left, d) in [(true, da), (false, db)] {
                    let scaled = |slot: &mut [T], adds: bool| {
                        for (i, &gi) in g.iter().enumerate() {
                            let v = if d == 1.0 {
                                gi
                            } else if d == -1.0 {
                                -gi
                            } else {
                                gi * F::of_f64(d)
                            };
                            put(slot, adds, i, v);
                        }
                    };
                    if child_is_left {
                        send(&self.left, (x, values, below, grad), scaled);
                    } else {
                        send(&self.right, (x, values, below, grad), scaled);
                    }
                }
            }
            None => {
                let partials = &values[self.at.0 + n..self.at.0 + 3 * n];
                let (da, db) = partials.split_at(n);
                send(&self.left, (x, values, below, grad), |slot, adds| {
                    for (i, (&gi, &d)) in g.iter().zip(da).enumerate() {
                        put(slot, adds, i, gi * d);
                    }
                });
                send(&self.right, (x, values, below, grad), |slot, adds| {
                    for (i, (&gi, &d)) in g.iter().zip(db).enumerate() {
                        put(slot, adds, i, gi * d);
                    }
                });
            }
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
    at: At,
    shape: PhantomData<S>,
}

impl<A, B, S: Shape, const M: usize, const K: usize, const N: usize> Product<A, B, S, M, K, N> {
    pub(crate) fn new(left: A, right: B) -> Self {
        Product {
            left,
            right,
            at: At::default(),
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

    fn place(&mut self, cursor: &mut usize) {
        self.left.place(cursor);
        self.right.place(cursor);
        self.at.claim(cursor, Self::REGION);
    }

    fn init<T: Elem<F>>(&self, values: &mut [T]) {
        self.left.init(values);
        self.right.init(values);
    }

    #[inline(always)]
    fn forward<T: Elem<F>>(&self, x: &[T], values: &mut [T]) {
        self.left.forward(x, values);
        self.right.forward(x, values);
        let (below, out) = split(values, self.at.0, M * N);
        let (a, b) = (self.left.read(x, below), self.right.read(x, below));
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

    region_io!();

    #[inline(always)]
    fn backward<T: Elem<F>>(
        &self,
        x: &[T],
        values: &[T],
        g: &[T],
        below: &mut [T],
        grad: &mut [T],
    ) {
        let (a, b) = (self.left.read(x, values), self.right.read(x, values));
        // dA = G Bᵀ
        send(&self.left, (x, values, below, grad), |slot, adds| {
            for i in 0..M {
                for p in 0..K {
                    let mut sum = g[i * N] * b[p * N];
                    for j in 1..N {
                        sum += g[i * N + j] * b[p * N + j];
                    }
                    put(slot, adds, i * K + p, sum);
                }
            }
        });
        // dB = Aᵀ G
        send(&self.right, (x, values, below, grad), |slot, adds| {
            for p in 0..K {
                for j in 0..N {
                    let mut sum = a[p] * g[j];
                    for i in 1..M {
                        sum += a[i * K + p] * g[i * N + j];
                    }
                    put(slot, adds, p * N + j, sum);
                }
            }
        });
    }
}

/// The sum of every element of its child, a scalar.
#[derive(Clone, Copy)]
pub struct Sum<E> {
    pub(crate) child: E,
    at: At,
}

impl<E> Sum<E> {
    pub(crate) fn new(child: E) -> Self {
        Sum {
            child,
            at: At::default(),
        }
    }
}

impl<F: Float, E: SmallNode<F>> SmallNode<F> for Sum<E> {
    type Arg = E::Arg;
    type Out = Rank0;
    const CONSTANT: bool = E::CONSTANT;
    const REGION: usize = 1;

    fn place(&mut self, cursor: &mut usize) {
        self.child.place(cursor);
        self.at.claim(cursor, Self::REGION);
    }

    fn init<T: Elem<F>>(&self, values: &mut [T]) {
        self.child.init(values);
    }

    #[inline(always)]
    fn forward<T: Elem<F>>(&self, x: &[T], values: &mut [T]) {
        self.child.forward(x, values);
        let (below, own) = split(values, self.at.0, 1);
        let child = self.child.read(x, below);
        own[0] = if child.len() < 8 {
            child.iter().skip(1).fold(child[0], |sum, &v| sum + v)
        } else {
            dot(child, |_| T::one())
        };
    }

    region_io!();

    #[inline(always)]
    fn backward<T: Elem<F>>(
        &self,
        x: &[T],
        values: &[T],
        g: &[T],
        below: &mut [T],
        grad: &mut [T],
    ) {
        send(&self.child, (x, values, below, grad), |slot, adds| {
            for i in 0..<E::Out as Shape>::NUMEL {
                put(slot, adds, i, g[0]);
            }
        });
    }
}

/// A scalar child times every element of a tensor child: `out[i] = a · b[i]`.
#[derive(Clone, Copy)]
pub struct Scale<A, B> {
    pub(crate) scalar: A,
    pub(crate) tensor: B,
    at: At,
}

impl<A, B> Scale<A, B> {
    pub(crate) fn new(scalar: A, tensor: B) -> Self {
        Scale {
            scalar,
            tensor,
            at: At::default(),
        }
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

    fn place(&mut self, cursor: &mut usize) {
        self.scalar.place(cursor);
        self.tensor.place(cursor);
        self.at.claim(cursor, Self::REGION);
    }

    fn init<T: Elem<F>>(&self, values: &mut [T]) {
        self.scalar.init(values);
        self.tensor.init(values);
    }

    #[inline(always)]
    fn forward<T: Elem<F>>(&self, x: &[T], values: &mut [T]) {
        self.scalar.forward(x, values);
        self.tensor.forward(x, values);
        let (below, out) = split(values, self.at.0, Self::REGION);
        let a = self.scalar.read(x, below)[0];
        for (o, &b) in out.iter_mut().zip(self.tensor.read(x, below)) {
            *o = a * b;
        }
    }

    region_io!();

    #[inline(always)]
    fn backward<T: Elem<F>>(
        &self,
        x: &[T],
        values: &[T],
        g: &[T],
        below: &mut [T],
        grad: &mut [T],
    ) {
        let (a, b) = (self.scalar.read(x, values)[0], self.tensor.read(x, values));
        // d a = <G, b>
        send(&self.scalar, (x, values, below, grad), |slot, adds| {
            let dot = dot(g, |i| b[i]);
            put(slot, adds, 0, dot);
        });
        send(&self.tensor, (x, values, below, grad), |slot, adds| {
            for (i, &gi) in g.iter().enumerate() {
                put(slot, adds, i, gi * a);
            }
        });
    }
}

/// `Rank2<M, K> x Rank2<K, N> -> Rank2<M, N>`.
pub type MatMul<A, B, const M: usize, const K: usize, const N: usize> =
    Product<A, B, Rank2<M, N>, M, K, N>;
/// `Rank2<M, N> x Rank1<N> -> Rank1<M>`.
pub type MatVec<A, B, const M: usize, const N: usize> = Product<A, B, Rank1<M>, M, N, 1>;
