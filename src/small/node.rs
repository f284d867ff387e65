//! The nodes of a small graph: each a type, each a whole small tensor, with its value and its
//! reverse step side by side. The nodes of two children are in `product.rs`.
//!
//! Every node has a *region* of the function's workspace: its value, then whatever its reverse
//! step needs (a unary op's slopes, a binary op's partials). A subtree's regions are laid out
//! children first, the node's own last, so where each region starts is a sum of the types'
//! sizes ([`SmallNode::SUBTREE`]): once rustc has inlined the graph from its root, every index
//! into the workspace is a constant. A second buffer of the same layout holds the adjoints.
//!
//! The graph is a tree (a node used twice is two copies, computed twice), so each node's
//! adjoint is written by its one parent, once per reverse pass: it is *set*, never
//! accumulated, and no buffer is zeroed between passes; `+` does not even copy it, but hands
//! its own adjoint to both children. Only the argument accumulates, into the gradient.
//!
//! The op types (`Sin`, `Times`, ...) are the crate's op definitions themselves (see
//! `CONTRIBUTING.md`), the value functions and derivative rules a `Graph` and a fused graph
//! run.

use crate::fused::Unary;
use crate::scalar::{Elem, Float};
use crate::shape::{Rank0, Shape};
use crate::tensor::Tensor;
use std::marker::PhantomData;

/// One node of a small graph, computed as a whole tensor.
///
/// `forward` writes the node's value (and its reverse step's locals) into its region of
/// `values`, after its children's; `backward` takes its adjoint, sets its children's, and
/// recurses. Both are generic over the scalar, so the same node runs on `f64` (values and
/// reverse mode) and on dual numbers (forward mode). `base` is where the node's subtree
/// starts in the workspace.
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
    /// How many elements of the workspace this node's own region takes.
    const REGION: usize;
    /// How many its whole subtree takes (its children's subtrees, then its own region).
    const SUBTREE: usize;
    /// Whether a write into this node's adjoint slot adds (the argument's slot is the
    /// gradient, which accumulates over the argument's uses) or sets (every other node's:
    /// its one parent writes it once per pass).
    const ACCUMULATES: bool = false;

    /// Writes the subtree's constants into `values`, once per buffer: no pass overwrites
    /// them, so `forward` skips them.
    fn init<T: Elem<F>>(&self, values: &mut [T], base: usize);

    /// Computes the subtree's values into `values`, this node's in its region.
    fn forward<T: Elem<F>>(&self, x: &[T], values: &mut [T], base: usize);

    /// This node's value, in `values` (or the argument itself).
    fn read<'a, T>(&self, x: &'a [T], values: &'a [T], base: usize) -> &'a [T];

    /// Given this node's adjoint `adjoint`, passes its children theirs and recurses:
    /// `below` is the adjoint buffer under this node's region, which holds its subtree's.
    /// `forward` is `(x, values, base)`: the argument, the forward pass's values, and where
    /// this node's subtree starts.
    fn backward<T: Elem<F>>(
        &self,
        forward: (&[T], &[T], usize),
        adjoint: &[T],
        below: &mut [T],
        grad: &mut [T],
    );
}

/// Where the own region of a node `N` whose subtree starts at `base` starts.
#[inline(always)]
pub(crate) const fn own_region<F: Float, N: SmallNode<F>>(base: usize) -> usize {
    base + N::SUBTREE - N::REGION
}

/// A reverse step's view of the forward pass and of the adjoint buffer under the node.
pub(crate) type Pass<'a, T> = (&'a [T], &'a [T], &'a mut [T], &'a mut [T]);

/// A child's adjoint, as its parent hands it down.
pub(crate) enum Adjoint<'a, T, W> {
    /// One the parent holds already, passed on as it is (`+` passes its own).
    Given(&'a [T]),
    /// One that `write(slot, adds)` writes into the child's slot.
    Written(W),
}

/// Hands `child` (its subtree at `base`) its adjoint and runs its reverse step: the argument's
/// slot is the gradient itself (`adds`: it accumulates over the argument's uses), any other
/// child's is its own region, which a written adjoint sets. A constant child is skipped.
/// `adds` is a constant of the child's type, so the branch folds away.
///
/// The child's reverse step is called from this one place whatever the adjoint: a parent
/// that called it from several branches would make an unoptimized build inline each subtree
/// once per branch, exponentially in a chain of such parents (a debug build of W6's arm of
/// rigid transforms, seven `+` deep, ran out of 24 GB when `+`'s reverse step did).
#[inline(always)]
pub(crate) fn send<F: Float, T: Elem<F>, C: SmallNode<F>, W: FnOnce(&mut [T], bool)>(
    child: &C,
    base: usize,
    (x, values, below, grad): Pass<'_, T>,
    adjoint: Adjoint<'_, T, W>,
) {
    if C::CONSTANT {
        return;
    }
    if C::ACCUMULATES {
        match adjoint {
            Adjoint::Given(g) => {
                for (slot, &a) in grad.iter_mut().zip(g) {
                    *slot += a;
                }
            }
            Adjoint::Written(write) => write(grad, true),
        }
        return;
    }
    let (lower, region) = below.split_at_mut(own_region::<F, C>(base));
    let adjoint: &[T] = match adjoint {
        Adjoint::Given(g) => g,
        Adjoint::Written(write) => {
            let slot = &mut region[..<C::Out as Shape>::NUMEL];
            write(slot, false);
            slot
        }
    };
    child.backward((x, values, base), adjoint, lower, grad);
}

/// Writes `value` into element `i` of a child's adjoint slot: set, or added for the argument
/// (`adds` is the child's `ACCUMULATES`, a constant, so the branch folds away).
#[inline(always)]
pub(crate) fn put<T: Copy + std::ops::AddAssign>(slot: &mut [T], adds: bool, i: usize, value: T) {
    if adds {
        slot[i] += value;
    } else {
        slot[i] = value;
    }
}

/// `Σ a[i] b(i)` over `a`, in four interleaved partial sums: a dot product of a 4x4 matrix's
/// 16 elements is otherwise one chain of dependent adds, which the processor cannot overlap.
#[inline(always)]
pub(crate) fn dot<T: Copy + std::ops::Add<Output = T> + std::ops::Mul<Output = T>>(
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

/// A node's own region of a buffer, and everything below it (its subtree's regions).
#[inline(always)]
pub(crate) fn split<F: Float, N: SmallNode<F>, T>(
    buffer: &mut [T],
    base: usize,
) -> (&mut [T], &mut [T]) {
    let (below, own) = buffer.split_at_mut(own_region::<F, N>(base));
    (below, &mut own[..N::REGION])
}

/// Implements `read` for a node whose value starts its own region (all but `Argument` and
/// the views).
macro_rules! value_in_region {
    () => {
        #[inline(always)]
        fn read<'a, T>(&self, _: &'a [T], values: &'a [T], base: usize) -> &'a [T] {
            let at = $crate::small::node::own_region::<F, Self>(base);
            &values[at..at + <Self::Out as Shape>::NUMEL]
        }
    };
}
pub(crate) use value_in_region;

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
    const SUBTREE: usize = 0;
    const ACCUMULATES: bool = true;

    fn init<T: Elem<F>>(&self, _: &mut [T], _: usize) {}

    #[inline(always)]
    fn forward<T: Elem<F>>(&self, _: &[T], _: &mut [T], _: usize) {}

    #[inline(always)]
    fn read<'a, T>(&self, x: &'a [T], _: &'a [T], _: usize) -> &'a [T] {
        x
    }

    // Its adjoint is added into the gradient by its parent (`send`, `pass`).
    #[inline(always)]
    fn backward<T: Elem<F>>(&self, _: (&[T], &[T], usize), _: &[T], _: &mut [T], _: &mut [T]) {}
}

/// A constant tensor, written into its region once per buffer (as that buffer's scalar type).
#[derive(Clone)]
pub struct Constant<X: Shape, S: Shape, F: Float = f64> {
    tensor: Tensor<S, F>,
    arg: PhantomData<X>,
}

impl<X: Shape, S: Shape, F: Float> Constant<X, S, F> {
    pub(crate) fn new(tensor: Tensor<S, F>) -> Self {
        Constant {
            tensor,
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
    const SUBTREE: usize = S::NUMEL;

    fn init<T: Elem<F>>(&self, values: &mut [T], base: usize) {
        let (_, own) = split::<F, Self, T>(values, base);
        for (v, &c) in own.iter_mut().zip(self.tensor.as_slice()) {
            *v = T::constant(c);
        }
    }

    #[inline(always)]
    fn forward<T: Elem<F>>(&self, _: &[T], _: &mut [T], _: usize) {}

    value_in_region!();

    #[inline(always)]
    fn backward<T: Elem<F>>(&self, _: (&[T], &[T], usize), _: &[T], _: &mut [T], _: &mut [T]) {}
}

/// A view of one child's elements `START..START + numel(S)`: `get` and `slice` of a vector.
/// Its value is the child's (no copy: `q.get::<0>().sin()` and `q.get::<0>().cos()` read one
/// element, and the compiler sees both as functions of it); its region holds its adjoint.
#[derive(Clone, Copy)]
pub struct Pick<E, S: Shape, const START: usize> {
    pub(crate) child: E,
    shape: PhantomData<S>,
}

impl<E, S: Shape, const START: usize> Pick<E, S, START> {
    pub(crate) fn new(child: E) -> Self {
        Pick {
            child,
            shape: PhantomData,
        }
    }
}

impl<F: Float, E: SmallNode<F>, S: Shape, const START: usize> SmallNode<F> for Pick<E, S, START> {
    type Arg = E::Arg;
    type Out = S;
    const CONSTANT: bool = E::CONSTANT;
    const REGION: usize = S::NUMEL;
    const SUBTREE: usize = E::SUBTREE + S::NUMEL;

    fn init<T: Elem<F>>(&self, values: &mut [T], base: usize) {
        self.child.init(values, base);
    }

    #[inline(always)]
    fn forward<T: Elem<F>>(&self, x: &[T], values: &mut [T], base: usize) {
        self.child.forward(x, values, base);
    }

    #[inline(always)]
    fn read<'a, T>(&self, x: &'a [T], values: &'a [T], base: usize) -> &'a [T] {
        &self.child.read(x, values, base)[START..START + S::NUMEL]
    }

    #[inline(always)]
    fn backward<T: Elem<F>>(
        &self,
        (x, values, base): (&[T], &[T], usize),
        g: &[T],
        below: &mut [T],
        grad: &mut [T],
    ) {
        send(
            &self.child,
            base,
            (x, values, below, grad),
            Adjoint::Written(|slot: &mut [T], adds: bool| {
                if !adds {
                    // A view covers part of its child: the rest of the child's adjoint is zero.
                    slot.fill(T::zero());
                }
                for (s, &a) in slot[START..START + S::NUMEL].iter_mut().zip(g) {
                    *s += a;
                }
            }),
        );
    }
}

/// A [`Unary`] function of every element of its child; its region keeps the slopes.
#[derive(Clone, Copy)]
pub struct Map<E, U> {
    pub(crate) child: E,
    pub(crate) function: U,
}

impl<E, U> Map<E, U> {
    pub(crate) fn new(child: E, function: U) -> Self {
        Map { child, function }
    }
}

impl<F: Float, E: SmallNode<F>, U: Unary<F>> SmallNode<F> for Map<E, U> {
    type Arg = E::Arg;
    type Out = E::Out;
    const CONSTANT: bool = E::CONSTANT;
    const REGION: usize = 2 * <E::Out as Shape>::NUMEL;
    const SUBTREE: usize = E::SUBTREE + Self::REGION;

    fn init<T: Elem<F>>(&self, values: &mut [T], base: usize) {
        self.child.init(values, base);
    }

    #[inline(always)]
    fn forward<T: Elem<F>>(&self, x: &[T], values: &mut [T], base: usize) {
        self.child.forward(x, values, base);
        let (below, own) = split::<F, Self, T>(values, base);
        let (value, slope) = own.split_at_mut(<E::Out as Shape>::NUMEL);
        let input = self.child.read(x, below, base);
        for ((v, s), &a) in value.iter_mut().zip(slope).zip(input) {
            (*v, *s) = self.function.apply(a);
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
        let n = <E::Out as Shape>::NUMEL;
        let at = own_region::<F, Self>(base);
        let slope = &values[at + n..at + 2 * n];
        send(
            &self.child,
            base,
            (x, values, below, grad),
            Adjoint::Written(|slot: &mut [T], adds: bool| {
                for (i, (&a, &s)) in g.iter().zip(slope).enumerate() {
                    put(slot, adds, i, a * s);
                }
            }),
        );
    }
}

/// The sum of every element of its child, a scalar.
#[derive(Clone, Copy)]
pub struct Sum<E> {
    pub(crate) child: E,
}

impl<E> Sum<E> {
    pub(crate) fn new(child: E) -> Self {
        Sum { child }
    }
}

impl<F: Float, E: SmallNode<F>> SmallNode<F> for Sum<E> {
    type Arg = E::Arg;
    type Out = Rank0;
    const CONSTANT: bool = E::CONSTANT;
    const REGION: usize = 1;
    const SUBTREE: usize = E::SUBTREE + 1;

    fn init<T: Elem<F>>(&self, values: &mut [T], base: usize) {
        self.child.init(values, base);
    }

    #[inline(always)]
    fn forward<T: Elem<F>>(&self, x: &[T], values: &mut [T], base: usize) {
        self.child.forward(x, values, base);
        let (below, own) = split::<F, Self, T>(values, base);
        own[0] = dot(self.child.read(x, below, base), |_| T::one());
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
        send(
            &self.child,
            base,
            (x, values, below, grad),
            Adjoint::Written(|slot: &mut [T], adds: bool| {
                for i in 0..<E::Out as Shape>::NUMEL {
                    put(slot, adds, i, g[0]);
                }
            }),
        );
    }
}
