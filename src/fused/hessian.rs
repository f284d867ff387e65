//! The dense Hessian of a scalar fused graph, element by element.
//!
//! `f = scale · Σᵢ yᵢ(x)`, and output element `yᵢ` reads only a few positions of `x`
//! ([`Node::reads`]: Rosenbrock's term `i` reads `x[i]` and `x[i+1]`). Its Hessian is
//! therefore a small dense block on those positions, and `H` is the sum of the blocks. Each
//! block comes from forward over reverse *on that element alone*: one forward step
//! ([`Node::at`]) and one reverse step ([`Node::back`]) on dual numbers whose tangent is 1 at
//! one position `p` the element reads gives column `p` of its block. For Rosenbrock that is
//! two steps per element, against one whole sweep of every element per column for
//! Hessian-vector products.
//!
//! Why it runs at close to hand-written speed:
//! - nothing is on the heap: the dual argument, the dual gradient and the list of positions
//!   are stack arrays sized by the argument's shape (a typenum in its type, as the
//!   [`Jacobian`]'s rows), so a call allocates nothing once the caller keeps the Jacobian
//!   ([`Reduced::hessian_into`]);
//! - every step is inlined: `at`, `back` and `reads` are static calls, so an element's two
//!   steps are straight-line dual-number arithmetic and its positions are `i` plus
//!   constants the compiler sees (no `dyn` visitor, no bounds checks on the slices);
//! - the Jacobian is zeroed once and each block added straight into it; the dual gradient
//!   is cleared only where the element wrote, and the tangent set and reset at one position,
//!   by whole-number copies that the processor forwards to the next step's loads.
//!
//! On W7 (Rosenbrock, N = 16) this took the fused Hessian from about 0.9 µs to 0.24 µs,
//! against 45-65 ns for the hand-written closed form in the same criterion session
//! (`W7/tygrad_fused_hessian` against `W7/hand`). The stack arrays take `72 · numel(X)`
//! bytes (1.1 KiB for W7): far less than the dense Hessian, `8 · numel(X)²` on the heap.
//!
//! The numbers are those of one forward-over-reverse step per column: the same operations,
//! in the same order, whichever buffer holds them.

use super::{Node, Reduced};
use crate::jacobian::{ArrayNumel, Jacobian};
use crate::scalar::Float;
use crate::shape::{Shape, TypedNumel};
use crate::tensor::Tensor;
use generic_array::GenericArray;
use generic_array::sequence::GenericSequence;
use num_dual::Dual;

/// One entry per element of the argument `X`, on the stack.
type PerPosition<X, T> = GenericArray<T, <X as TypedNumel>::Numel>;

impl<S: Shape, E: Node<F>, F: Float> Reduced<S, E, F> {
    /// The dense Hessian at `x`, in a new [`Jacobian`] (see [`Self::hessian_into`], which
    /// writes into one the caller keeps and allocates nothing).
    ///
    /// ```
    /// use tygrad::fused::{self, Input};
    /// use tygrad::prelude::*;
    /// // f = x0² x1 has H = [[2 x1, 2 x0], [2 x0, 0]].
    /// let f = fused::function(|x: Input<Rank1<2>>| {
    ///     (x.slice::<0, 1>().square() * x.slice::<1, 1>()).sum()
    /// });
    /// let h = f.hessian(&Tensor::from([3.0, 5.0]));
    /// assert_eq!([h[(0, 0)], h[(0, 1)], h[(1, 0)], h[(1, 1)]], [10.0, 6.0, 6.0, 0.0]);
    /// // Against the Hessian-vector product (reverse over dual numbers, whole sweeps):
    /// assert_eq!(f.hvp(&Tensor::from([3.0, 5.0]), &Tensor::from([0.0, 1.0])).as_slice(), &[6.0, 0.0]);
    /// ```
    pub fn hessian(&self, x: &Tensor<E::Arg, F>) -> Jacobian<E::Arg, E::Arg, F>
    where
        E::Arg: ArrayNumel,
    {
        let mut hessian = Jacobian::zeros();
        self.hessian_into(x, &mut hessian);
        hessian
    }

    /// The dense Hessian at `x`, written over `hessian` (every entry overwritten). Allocates
    /// nothing: for a Newton loop, keep one Jacobian and refill it. Each output element
    /// contributes the block of the positions it reads, by one forward and one reverse step
    /// on dual numbers per position (see the `fused::hessian` source for why it is fast).
    ///
    /// ```
    /// use tygrad::fused::{self, Input};
    /// use tygrad::prelude::*;
    /// // Rosenbrock: H is tridiagonal.
    /// let f = fused::function(|x: Input<Rank1<3>>| {
    ///     let (head, tail) = (x.slice::<0, 2>(), x.slice::<1, 2>());
    ///     ((tail - head.square()).square() * 100.0 + (1.0 - head).square()).sum()
    /// });
    /// let mut h = Jacobian::zeros();
    /// f.hessian_into(&Tensor::from([1.0, 1.0, 1.0]), &mut h);
    /// assert_eq!(h.row(0), &[802.0, -400.0, 0.0]);
    /// assert_eq!(h.row(1), &[-400.0, 1002.0, -400.0]);
    /// assert_eq!(h.row(2), &[0.0, -400.0, 200.0]);
    /// ```
    pub fn hessian_into(&self, x: &Tensor<E::Arg, F>, hessian: &mut Jacobian<E::Arg, E::Arg, F>)
    where
        E::Arg: ArrayNumel,
    {
        let n = <E::Arg as Shape>::NUMEL;
        let x = x.as_slice();
        // Always true (the tensor has the argument's shape); said so that the loops below
        // know their lengths.
        assert!(x.len() == n);
        let node = &self.graph.node;
        let zero = Dual::from_re(F::zero());
        // x as dual numbers with tangent 0 (`plain`) and 1 (`seeded`), and the working copy
        // the steps read, `plain` but for the one position being differentiated.
        let plain: PerPosition<E::Arg, Dual<F>> = GenericArray::generate(|p| Dual::from_re(x[p]));
        let seeded: PerPosition<E::Arg, Dual<F>> =
            GenericArray::generate(|p| Dual::new(x[p], F::one()));
        let mut duals = plain.clone();
        let mut grad: PerPosition<E::Arg, Dual<F>> = GenericArray::generate(|_| zero);
        let mut positions: PerPosition<E::Arg, usize> = GenericArray::generate(|_| 0);
        for q in 0..n {
            for p in 0..n {
                hessian[(q, p)] = F::zero();
            }
        }
        let adjoint = Dual::from_re(self.scale);
        for i in 0..S::NUMEL {
            // The distinct positions element i reads: at most `n`, so they fit.
            let mut count = 0;
            node.reads(i, &mut |p| {
                if !positions[..count].contains(&p) {
                    positions[count] = p;
                    count += 1;
                }
            });
            let positions = &positions[..count];
            for &p in positions {
                // Element i's gradient, moved along x[p]: its tangents are column p of the
                // element's block, nonzero only at the positions it reads.
                // The tangent is set and reset by copying a whole dual number, not by
                // writing `.eps`: the forward step loads x[p] as one 16-byte value right
                // after, and a load that spans a narrower store cannot be forwarded from the
                // store buffer (it waits for the store to retire, serialising the steps:
                // 1.8x slower on W7).
                duals[p] = seeded[p];
                let (_, local) = node.at(&duals, i);
                node.back(local, adjoint, &mut grad, i);
                duals[p] = plain[p];
                for &q in positions {
                    // The whole dual read at once: so written, LLVM unrolls this loop and
                    // the one over `positions` into straight-line steps (W7: 290 ns against
                    // 480 ns with `grad[q].eps`, which it leaves as loops over the list).
                    let g = grad[q];
                    hessian[(q, p)] += g.eps;
                    grad[q] = zero;
                }
            }
        }
    }
}
