//! A built small graph and its workspace: values, derivatives in both modes, the cross-check.

use super::SmallNode;
use super::node::own_region;
use crate::forward::{ArrayNumel, Jacobian};
use crate::fused::GradientCheck;
use crate::scalar::{Float, MultiDual, TANGENTS};
use crate::shape::{Rank0, Shape};
use crate::tensor::Tensor;
use num_dual::Dual;
use std::marker::PhantomData;

/// A small graph, built once by [`function`](super::function), from `Tensor<X>` to
/// `Tensor<S>`: its root node `E` (its type is the whole computation) and the buffers its
/// passes run in, kept so that no call after the first allocates.
///
/// Every method takes `&mut self` because it writes the workspace; each call is a pure
/// function of its arguments (a gradient is *written*, not accumulated).
///
/// ```
/// use tygrad::prelude::*;
/// use tygrad::small::{self, Input};
/// let mut f = small::function(|x: Input<Rank1<2>>| x.sin() * x);
/// let y = f.value(&Tensor::from([0.0, 1.0]));
/// assert_eq!(y.as_slice(), &[0.0, 1.0f64.sin()]);
/// ```
pub struct SmallFn<X: Shape, S: Shape, E, F: Float = f64> {
    node: E,
    values: Vec<F>,
    adjoints: Vec<F>,
    duals: Vec<Dual<F>>,
    dual_x: Vec<Dual<F>>,
    multis: Vec<MultiDual<F>>,
    multi_x: Vec<MultiDual<F>>,
    output: Tensor<S, F>,
    shapes: PhantomData<X>,
}

impl<X: Shape, S: Shape, E: SmallNode<F, Arg = X, Out = S>, F: Float> SmallFn<X, S, E, F> {
    pub(crate) fn new(node: E) -> Self {
        let len = E::SUBTREE;
        let mut values = vec![F::zero(); len];
        node.init(&mut values, 0);
        SmallFn {
            node,
            values,
            adjoints: vec![F::zero(); len],
            duals: Vec::new(),
            dual_x: Vec::new(),
            multis: Vec::new(),
            multi_x: Vec::new(),
            output: Tensor::zeros(),
            shapes: PhantomData,
        }
    }

    /// The output at the argument of the last call (any method: every pass computes it).
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// use tygrad::small::{self, Input};
    /// let mut f = small::function(|x: Input<Rank1<2>>| x * x);
    /// let mut j = Jacobian::zeros();
    /// f.jacobian_fwd_into(&Tensor::from([1.0, 2.0]), &mut j);
    /// assert_eq!(f.output().as_slice(), &[1.0, 4.0]);
    /// ```
    pub fn output(&self) -> &Tensor<S, F> {
        &self.output
    }

    /// The f64 pass at `x`, its output kept.
    fn forward(&mut self, x: &[F]) {
        self.node.forward(x, &mut self.values, 0);
        let out = self.node.read(x, &self.values, 0);
        self.output.as_mut_slice().copy_from_slice(out);
    }

    /// How many scalars the workspace holds per pass (every node's value and the locals of
    /// its reverse step).
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// use tygrad::small::{self, Input};
    /// // `sin` keeps 2 values and 2 slopes, the sum 1.
    /// let f = small::function(|x: Input<Rank1<2>>| x.sin().sum());
    /// assert_eq!(f.workspace_len(), 5);
    /// ```
    pub fn workspace_len(&self) -> usize {
        self.values.len()
    }

    /// The output at `x`.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// use tygrad::small::{self, Input};
    /// let mut f = small::function(|x: Input<Rank1<2>>| x.square());
    /// assert_eq!(f.value(&Tensor::from([2.0, 3.0])).as_slice(), &[4.0, 9.0]);
    /// ```
    pub fn value(&mut self, x: &Tensor<X, F>) -> Tensor<S, F> {
        let mut out = Tensor::zeros();
        self.value_into(x, &mut out);
        out
    }

    /// The output at `x`, written into `out` (no allocation).
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// use tygrad::small::{self, Input};
    /// let mut f = small::function(|x: Input<Rank1<2>>| x.square());
    /// let mut y = Tensor::zeros();
    /// f.value_into(&Tensor::from([2.0, 3.0]), &mut y);
    /// assert_eq!(y.as_slice(), &[4.0, 9.0]);
    /// ```
    pub fn value_into(&mut self, x: &Tensor<X, F>, out: &mut Tensor<S, F>) {
        self.forward(x.as_slice());
        out.as_mut_slice().copy_from_slice(self.output.as_slice());
    }

    /// The vector-Jacobian product `Jᵀ seed` at `x`, written into `grad` (reverse mode: one
    /// forward pass and one reverse pass, no allocation). The seed has the output's shape.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// use tygrad::small::{self, Input};
    /// let mut f = small::function(|x: Input<Rank1<2>>| x * x);
    /// let mut grad = Tensor::zeros();
    /// f.vjp(&Tensor::from([1.0, 2.0]), &Tensor::from([1.0, 10.0]), &mut grad);
    /// assert_eq!(grad.as_slice(), &[2.0, 40.0]);
    /// ```
    pub fn vjp(&mut self, x: &Tensor<X, F>, seed: &Tensor<S, F>, grad: &mut Tensor<X, F>) {
        let x = x.as_slice();
        self.forward(x);
        let grad = grad.as_mut_slice();
        grad.fill(F::zero());
        self.reverse(x, grad, |slot, adds| {
            for (s, &v) in slot.iter_mut().zip(seed.as_slice()) {
                *s = if adds { *s + v } else { v };
            }
        });
    }

    /// One reverse pass from the values in the workspace: `seed` writes the root's adjoint
    /// into its slot (which, for the identity function, is the gradient itself).
    fn reverse(&mut self, x: &[F], grad: &mut [F], seed: impl FnOnce(&mut [F], bool)) {
        if E::ACCUMULATES {
            // The identity function: the seed is the gradient.
            seed(grad, true);
            return;
        }
        let (below, region) = self.adjoints.split_at_mut(own_region::<F, E>(0));
        let adjoint = &mut region[..S::NUMEL];
        seed(adjoint, false);
        self.node
            .backward((x, &self.values, 0), adjoint, below, grad);
    }

    /// The Jacobian at `x` by reverse mode, written into `jacobian`: one forward pass, then
    /// one reverse pass per output element, each writing its row. Allocates nothing.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// use tygrad::small::{self, Input};
    /// let mut f = small::function(|x: Input<Rank1<2>>| x * x);
    /// let mut j = Jacobian::zeros();
    /// f.jacobian_rev_into(&Tensor::from([1.0, 2.0]), &mut j);
    /// assert_eq!((j[(0, 0)], j[(0, 1)], j[(1, 1)]), (2.0, 0.0, 4.0));
    /// ```
    pub fn jacobian_rev_into(&mut self, x: &Tensor<X, F>, jacobian: &mut Jacobian<S, X, F>)
    where
        S: ArrayNumel,
        X: ArrayNumel,
    {
        let x = x.as_slice();
        self.forward(x);
        for row in 0..S::NUMEL {
            let grad = jacobian.row_mut(row);
            grad.fill(F::zero());
            self.reverse(x, grad, |slot, adds| {
                if !adds {
                    slot.fill(F::zero());
                }
                slot[row] += F::one();
            });
        }
    }

    /// The Jacobian-vector product `J tangent` at `x` by forward mode (one pass on dual
    /// numbers), with the output: `(f(x), J tangent)`.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// use tygrad::small::{self, Input};
    /// let mut f = small::function(|x: Input<Rank1<2>>| x * x);
    /// let (y, dy) = f.jvp(&Tensor::from([1.0, 2.0]), &Tensor::from([1.0, 1.0]));
    /// assert_eq!((y.as_slice(), dy.as_slice()), (&[1.0, 4.0][..], &[2.0, 4.0][..]));
    /// ```
    pub fn jvp(
        &mut self,
        x: &Tensor<X, F>,
        tangent: &Tensor<X, F>,
    ) -> (Tensor<S, F>, Tensor<S, F>) {
        if self.duals.is_empty() {
            self.duals
                .resize(self.values.len(), Dual::from_re(F::zero()));
            self.node.init(&mut self.duals, 0);
        }
        self.dual_x.clear();
        let lifted = x.as_slice().iter().zip(tangent.as_slice());
        self.dual_x.extend(lifted.map(|(&v, &t)| Dual::new(v, t)));
        self.node.forward(&self.dual_x, &mut self.duals, 0);
        let out = self.node.read(&self.dual_x, &self.duals, 0);
        for (o, d) in self.output.as_mut_slice().iter_mut().zip(out) {
            *o = d.re;
        }
        let derivative = out.iter().map(|d| d.eps).collect();
        (self.output.clone(), Tensor::from_vec_unchecked(derivative))
    }

    /// The Jacobian at `x` by forward mode, written into `jacobian`: one pass on dual numbers
    /// per eight input elements, each carrying eight tangents. Allocates nothing after the
    /// first call.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// use tygrad::small::{self, Input};
    /// let mut f = small::function(|x: Input<Rank1<2>>| x * x);
    /// let (mut forward, mut reverse) = (Jacobian::zeros(), Jacobian::zeros());
    /// f.jacobian_fwd_into(&Tensor::from([1.0, 2.0]), &mut forward);
    /// f.jacobian_rev_into(&Tensor::from([1.0, 2.0]), &mut reverse);
    /// assert_eq!(forward, reverse);
    /// ```
    pub fn jacobian_fwd_into(&mut self, x: &Tensor<X, F>, jacobian: &mut Jacobian<S, X, F>)
    where
        S: ArrayNumel,
        X: ArrayNumel,
    {
        if self.multis.is_empty() {
            self.multis
                .resize(self.values.len(), MultiDual::from_re(F::zero()));
            self.node.init(&mut self.multis, 0);
        }
        self.multi_x.clear();
        self.multi_x
            .extend(x.as_slice().iter().map(|&v| MultiDual::from_re(v)));
        for first in (0..X::NUMEL).step_by(TANGENTS) {
            let width = TANGENTS.min(X::NUMEL - first);
            for (t, v) in self.multi_x[first..first + width].iter_mut().enumerate() {
                *v = MultiDual::from_re(v.re).derivative(t);
            }
            self.node.forward(&self.multi_x, &mut self.multis, 0);
            let out = self.node.read(&self.multi_x, &self.multis, 0);
            for (o, v) in self.output.as_mut_slice().iter_mut().zip(out) {
                *o = v.re;
            }
            for (row, v) in out.iter().enumerate() {
                let tangents = v.eps.0.as_ref();
                for t in 0..width {
                    jacobian[(row, first + t)] = tangents.map_or(F::zero(), |e| e[t]);
                }
            }
            for v in &mut self.multi_x[first..first + width] {
                *v = MultiDual::from_re(v.re);
            }
        }
    }

    /// The witness: `<w, J u>` by forward mode against `<Jᵀ w, u>` by reverse mode, for
    /// directions `u`, `w` drawn from `x` (reproducibly), within
    /// [`Tolerances::forward_vs_reverse`](crate::Tolerances::forward_vs_reverse). It checks
    /// every node's reverse step against the derivative of its value, at once.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// use tygrad::small::{self, Input};
    /// let mut f = small::function(|x: Input<Rank1<3>>| x.exp() * x.cos());
    /// let check = f.check_vjp(&Tensor::from([0.1, -0.7, 1.3]));
    /// assert!(check.passed, "{check}");
    /// ```
    pub fn check_vjp(&mut self, x: &Tensor<X, F>) -> GradientCheck {
        let mut rng = GradientCheck::directions(0x736d_616c_6c00, x.as_slice()); // "small"
        let u: Tensor<X, F> =
            Tensor::from_vec_unchecked((0..X::NUMEL).map(|_| rng.symmetric()).collect());
        let w: Tensor<S, F> =
            Tensor::from_vec_unchecked((0..S::NUMEL).map(|_| rng.symmetric()).collect());
        let (_, ju) = self.jvp(x, &u);
        let forward = ju.as_slice().iter().zip(w.as_slice());
        let forward: f64 = forward.map(|(&a, &b)| (a * b).as_f64()).sum();
        let mut grad = Tensor::zeros();
        self.vjp(x, &w, &mut grad);
        GradientCheck::compare::<F>(forward, grad.as_slice(), u.as_slice())
    }
}

impl<X: Shape, E: SmallNode<F, Arg = X, Out = Rank0>, F: Float> SmallFn<X, Rank0, E, F> {
    /// The value of a scalar function at `x`, and its gradient written into `grad` (reverse
    /// mode, no allocation).
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// use tygrad::small::{self, Input};
    /// let mut f = small::function(|x: Input<Rank1<2>>| (x * x).sum());
    /// let mut grad = Tensor::zeros();
    /// assert_eq!(f.value_and_grad(&Tensor::from([1.0, 2.0]), &mut grad), 5.0);
    /// assert_eq!(grad.as_slice(), &[2.0, 4.0]);
    /// ```
    pub fn value_and_grad(&mut self, x: &Tensor<X, F>, grad: &mut Tensor<X, F>) -> F {
        let x = x.as_slice();
        self.forward(x);
        let value = self.output.as_slice()[0];
        let grad = grad.as_mut_slice();
        grad.fill(F::zero());
        self.reverse(x, grad, |slot, adds| {
            slot[0] = if adds { slot[0] + F::one() } else { F::one() };
        });
        value
    }
}
