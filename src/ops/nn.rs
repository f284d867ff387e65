//! Neural-network helpers: softmax, log-softmax and log-sum-exp over the last axis, and the
//! mean-squared-error and cross-entropy losses.
//!
//! Shape rules (the last axis is the one normalised; a matrix is treated row by row):
//! - `softmax`, `log_softmax`: `Rank1<N> -> Rank1<N>`, `Rank2<M, N> -> Rank2<M, N>`;
//! - `logsumexp`: `Rank1<N> -> Rank0`, `Rank2<M, N> -> Rank1<M>` (one per row);
//! - `cross_entropy(target)`: logits and target of the same shape `-> Rank0` (mean over
//!   the rows of a matrix);
//! - `mse_loss(target)`: any shape `S`, target of shape `S` `-> Rank0`.
//!
//! Every kernel uses the stable form: exponentials only ever see `x - max(x) <= 0`, so the
//! values and gradients stay finite for logits of any magnitude (tested at ±1e3, where the
//! naive forms give `inf` and NaN). The shift is a constant (its derivative cancels out of
//! these shift-invariant functions), so forward mode differentiates the same stable kernels.

use super::{GradWrite, Op, Rule, VjpIn};
use crate::graph::{Kind, Var};
use crate::scalar::{Elem, Float};
use crate::shape::{Rank0, Rank1, Rank2, Shape};

/// An op of the neural-network family; `n` is the length of the last axis (a row).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Nn {
    Softmax {
        n: usize,
    },
    LogSoftmax {
        n: usize,
    },
    LogSumExp {
        n: usize,
    },
    /// `mean((x - target)²)`.
    MseLoss,
    /// `mean over rows of -Σⱼ targetⱼ · log_softmax(logits)ⱼ`.
    CrossEntropy {
        n: usize,
    },
}

/// The shift that keeps `exp` from overflowing: the row's element with the largest real
/// part, tangent included, or 0 when that is not finite (then the plain form already gives
/// the IEEE answer: `inf`, `-inf` or NaN). Shifting by the element itself (not by its real
/// part as a constant) changes no value, but in forward mode that element's own term
/// `x_max - shift` is an exact zero in both parts: a saturated row's tangents are then
/// computed from the small terms, not as the difference of two near-equal large ones.
fn shift<F: Float, T: Elem<F>>(row: &[T]) -> T {
    let mut best: Option<T> = None;
    for &x in row {
        if best.is_none_or(|b| x.real() > b.real()) {
            best = Some(x);
        }
    }
    match best {
        Some(b) if b.real().is_finite() => b,
        _ => T::zero(),
    }
}

/// The shift `c` of a row and `Σ exp(xⱼ - c)` (at least 1 when `c` is the row's maximum).
fn shifted_exp_sum<F: Float, T: Elem<F>>(row: &[T]) -> (T, T) {
    let c = shift(row);
    (c, row.iter().fold(T::zero(), |acc, &x| acc + (x - c).exp()))
}

/// `ln Σ exp(xⱼ)` in the stable form `c + ln Σ exp(xⱼ - c)`.
pub(crate) fn logsumexp_row<F: Float, T: Elem<F>>(row: &[T]) -> T {
    let (c, sum) = shifted_exp_sum(row);
    sum.ln() + c
}

/// `gradᵢ += scale · softmax(row)ᵢ`, as `exp(xᵢ - c) / Σ`: accurate to the last bits, where
/// `exp(xᵢ - lse)` would carry the rounding of a large `lse`.
fn add_scaled_softmax<F: Float, T: Elem<F>>(row: &[T], scale: T, grad: &mut [T]) {
    let (c, sum) = shifted_exp_sum(row);
    let scale = scale / sum;
    for (gi, &x) in grad.iter_mut().zip(row) {
        *gi += scale * (x - c).exp();
    }
}

/// One term `t (c - z + ln_sum)` of a cross-entropy row: 0 where the weight `t` is 0 and the
/// log term infinite (a masked logit), where IEEE would give `0 · inf = NaN`.
#[inline]
fn cross_entropy_term<F: Float, T: Elem<F>>(t: T, c_minus_z: T, ln_sum: T) -> T {
    let log_term = c_minus_z + ln_sum;
    if t.real() == F::zero() && !log_term.real().is_finite() {
        T::zero()
    } else {
        t * log_term
    }
}

impl<F: Float> Rule<F> for Nn {
    fn label(&self) -> &'static str {
        match self {
            Self::Softmax { .. } => "SoftmaxBackward",
            Self::LogSoftmax { .. } => "LogSoftmaxBackward",
            Self::LogSumExp { .. } => "LogSumExpBackward",
            Self::MseLoss => "MseLossBackward",
            Self::CrossEntropy { .. } => "CrossEntropyBackward",
        }
    }

    #[inline]
    fn eval<T: Elem<F>>(&self, inputs: &[&[T]], out: &mut [T]) {
        let x = inputs[0];
        match *self {
            Self::Softmax { n } => {
                for (o_row, x_row) in out.chunks_exact_mut(n.max(1)).zip(x.chunks_exact(n.max(1))) {
                    let c = shift(x_row);
                    for (o, &xj) in o_row.iter_mut().zip(x_row) {
                        *o = (xj - c).exp();
                    }
                    let sum = o_row.iter().fold(T::zero(), |acc, &e| acc + e);
                    for o in o_row.iter_mut() {
                        // `div_accurate`: num-dual's quotient value is `a · (1 / b)`, an ulp
                        // off the float's `a / b`; forward mode must see the same values.
                        *o = o.div_accurate(sum);
                    }
                }
            }
            // `(xⱼ - c) - ln Σ exp(xₖ - c)`: subtracting the shift first keeps the result
            // accurate to its own magnitude rather than to that of `x`.
            Self::LogSoftmax { n } => {
                for (o_row, x_row) in out.chunks_exact_mut(n.max(1)).zip(x.chunks_exact(n.max(1))) {
                    let (c, sum) = shifted_exp_sum(x_row);
                    let ln_sum = sum.ln();
                    for (o, &xj) in o_row.iter_mut().zip(x_row) {
                        *o = (xj - c) - ln_sum;
                    }
                }
            }
            Self::LogSumExp { n } => {
                if n == 0 {
                    // `ln Σ` over an empty row: `ln 0`.
                    out.fill(T::constant(F::neg_infinity()));
                }
                for (o, x_row) in out.iter_mut().zip(x.chunks_exact(n.max(1))) {
                    *o = logsumexp_row(x_row);
                }
            }
            Self::MseLoss => {
                let sum = x.iter().zip(inputs[1]).fold(T::zero(), |acc, (&a, &b)| {
                    let d = a - b;
                    acc + d * d
                });
                out[0] = sum / F::of_f64(x.len() as f64);
            }
            // `Σ tⱼ ((c - zⱼ) + ln Σ exp(zₖ - c))`: `lse - z` without forming `lse`, whose
            // rounding at large logits swamps the small result; a zero weight times an
            // infinite log term is 0.
            Self::CrossEntropy { n } => {
                let target = inputs[1];
                let mut total = T::zero();
                for (z_row, t_row) in x.chunks_exact(n.max(1)).zip(target.chunks_exact(n.max(1))) {
                    let (c, sum) = shifted_exp_sum(z_row);
                    let ln_sum = sum.ln();
                    for (&z, &t) in z_row.iter().zip(t_row) {
                        total += cross_entropy_term(t, c - z, ln_sum);
                    }
                }
                out[0] = total / F::of_f64((x.len() / n.max(1)).max(1) as f64);
            }
        }
    }

    #[inline]
    fn vjp<T: Elem<F>>(&self, k: usize, at: VjpIn<'_, T>, grad_in: &mut [T], write: GradWrite) {
        let VjpIn {
            inputs,
            out,
            grad_out,
        } = at;
        write.prepare(grad_in);
        let x = inputs[0];
        match *self {
            // dxⱼ = yⱼ (gⱼ - Σₖ gₖ yₖ)
            Self::Softmax { n } => {
                let rows = grad_in
                    .chunks_exact_mut(n.max(1))
                    .zip(out.chunks_exact(n.max(1)))
                    .zip(grad_out.chunks_exact(n.max(1)));
                for ((gi_row, y_row), g_row) in rows {
                    // Relative to the adjoint `g_a` at the largest output (Σ y = 1):
                    // `gⱼ - Σ yₖ gₖ = (gⱼ - g_a) - Σ yₖ (gₖ - g_a)`, which keeps a saturated
                    // row's small result instead of the difference of two near-equal ones.
                    let mut a = 0;
                    for (i, y) in y_row.iter().enumerate() {
                        if y.real() > y_row[a].real() {
                            a = i;
                        }
                    }
                    let g_a = g_row[a];
                    let dot = y_row
                        .iter()
                        .zip(g_row)
                        .fold(T::zero(), |acc, (&y, &g)| acc + y * (g - g_a));
                    for ((gi, &y), &g) in gi_row.iter_mut().zip(y_row).zip(g_row) {
                        *gi += y * ((g - g_a) - dot);
                    }
                }
            }
            // dxⱼ = gⱼ - softmaxⱼ Σₖ gₖ, with softmax = exp(log_softmax) <= 1.
            Self::LogSoftmax { n } => {
                let rows = grad_in
                    .chunks_exact_mut(n.max(1))
                    .zip(out.chunks_exact(n.max(1)))
                    .zip(grad_out.chunks_exact(n.max(1)));
                for ((gi_row, y_row), g_row) in rows {
                    let mut a = 0;
                    for (i, y) in y_row.iter().enumerate() {
                        if y.real() > y_row[a].real() {
                            a = i;
                        }
                    }
                    let (mut sum, mut others_g) = (T::zero(), T::zero());
                    for (i, &g) in g_row.iter().enumerate() {
                        sum += g;
                        if i != a {
                            others_g += g;
                        }
                    }
                    let (before, mut others_s, mut s_a) = (gi_row[a], T::zero(), T::zero());
                    let terms = gi_row.iter_mut().zip(y_row).zip(g_row).enumerate();
                    for (i, ((gi, &y), &g)) in terms {
                        let s = y.exp();
                        *gi += g - s * sum;
                        if i == a {
                            s_a = s;
                        } else {
                            others_s += s;
                        }
                    }
                    // At the largest entry `g_a (1 - s_a) - s_a Σ_{i≠a} gᵢ`, with
                    // `1 - s_a = Σ_{i≠a} sᵢ`: a saturated row's small result, not the
                    // difference of two near-equal ones.
                    gi_row[a] = before + (g_row[a] * others_s - s_a * others_g);
                }
            }
            // dxⱼ = g · softmaxⱼ
            Self::LogSumExp { n } => {
                let rows = grad_in
                    .chunks_exact_mut(n.max(1))
                    .zip(x.chunks_exact(n.max(1)));
                for ((gi_row, x_row), &g) in rows.zip(grad_out) {
                    add_scaled_softmax(x_row, g, gi_row);
                }
            }
            // d/dx = 2 (x - t) / len, d/dt = -2 (x - t) / len
            Self::MseLoss => {
                let scale = grad_out[0] * F::of_f64(2.0) / F::of_f64(x.len() as f64);
                let scale = if k == 0 { scale } else { -scale };
                for ((gi, &a), &b) in grad_in.iter_mut().zip(x).zip(inputs[1]) {
                    *gi += scale * (a - b);
                }
            }
            // d/dz = (softmax(z) Σₖ tₖ - t) / rows, d/dt = (lse - z) / rows
            Self::CrossEntropy { n } => {
                let target = inputs[1];
                let g = grad_out[0] / F::of_f64((x.len() / n.max(1)).max(1) as f64);
                let rows = grad_in
                    .chunks_exact_mut(n.max(1))
                    .zip(x.chunks_exact(n.max(1)))
                    .zip(target.chunks_exact(n.max(1)));
                for ((gi_row, z_row), t_row) in rows {
                    if k == 0 {
                        let t_sum = t_row.iter().fold(T::zero(), |acc, &t| acc + t);
                        add_scaled_softmax(z_row, g * t_sum, gi_row);
                        for (gi, &t) in gi_row.iter_mut().zip(t_row) {
                            *gi -= g * t;
                        }
                    } else {
                        let (c, sum) = shifted_exp_sum(z_row);
                        let ln_sum = sum.ln();
                        for (gi, &z) in gi_row.iter_mut().zip(z_row) {
                            *gi += g * ((c - z) + ln_sum);
                        }
                    }
                }
            }
        }
    }
}

impl<'g, S: Shape, F: Float, K: Kind> Var<'g, S, F, K> {
    fn nn<S2: Shape>(self, op: Nn) -> Var<'g, S2, F> {
        self.graph.push(Op::Nn(op), &[self.id])
    }

    fn nn_with<S2: Shape, K2: Kind>(self, op: Nn, other: Var<'g, S, F, K2>) -> Var<'g, S2, F> {
        self.graph.push(Op::Nn(op), &[self.id, other.id])
    }

    /// The mean squared error `mean((self - target)²)` against a target of the same shape.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank1<2>>::from([1.0, 4.0]));
    ///     let t = g.constant(Tensor::<Rank1<2>>::from([0.0, 2.0]));
    ///     let loss = x.mse_loss(t);
    ///     loss.backward();
    ///     assert_eq!(loss.item(), 2.5);
    ///     assert_eq!(x.grad().as_slice(), &[1.0, 2.0]);
    /// });
    /// ```
    pub fn mse_loss<K2: Kind>(self, target: Var<'g, S, F, K2>) -> Var<'g, Rank0, F> {
        self.nn_with(Nn::MseLoss, target)
    }
}

impl<'g, const N: usize, F: Float, K: Kind> Var<'g, Rank1<N>, F, K> {
    /// `exp(xⱼ) / Σₖ exp(xₖ)`, computed stably (finite for any finite input). The VJP is
    /// `yⱼ (gⱼ - Σₖ gₖ yₖ)`.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank1<2>>::from([1000.0, 1000.0]));
    ///     let y = x.softmax();
    ///     assert_eq!(y.value().as_slice(), &[0.5, 0.5]);
    ///     y.backward_with(&Tensor::from([1.0, 0.0]));
    ///     assert_eq!(x.grad().as_slice(), &[0.25, -0.25]);
    /// });
    /// ```
    pub fn softmax(self) -> Var<'g, Rank1<N>, F> {
        self.nn(Nn::Softmax { n: N })
    }

    /// `xⱼ - ln Σₖ exp(xₖ)`, computed stably. The VJP is `gⱼ - softmaxⱼ Σₖ gₖ`.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank1<2>>::from([-1000.0, -1000.0]));
    ///     let y = x.log_softmax();
    ///     assert_eq!(y.value().as_slice(), &[-2f64.ln(), -2f64.ln()]);
    ///     y.backward_with(&Tensor::from([1.0, 0.0]));
    ///     assert_eq!(x.grad().as_slice(), &[0.5, -0.5]);
    /// });
    /// ```
    pub fn log_softmax(self) -> Var<'g, Rank1<N>, F> {
        self.nn(Nn::LogSoftmax { n: N })
    }

    /// `ln Σₖ exp(xₖ)`, as a scalar node, computed stably. The gradient is `softmax(x)`.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank1<2>>::from([1000.0, 1000.0]));
    ///     let y = x.logsumexp();
    ///     y.backward();
    ///     assert_eq!(y.item(), 1000.0 + 2f64.ln());
    ///     assert_eq!(x.grad().as_slice(), &[0.5, 0.5]);
    /// });
    /// ```
    pub fn logsumexp(self) -> Var<'g, Rank0, F> {
        self.nn(Nn::LogSumExp { n: N })
    }

    /// Cross-entropy `-Σⱼ targetⱼ · log_softmax(self)ⱼ` of these logits against target
    /// probabilities (or a one-hot vector) of the same shape, computed stably. The gradient
    /// with respect to the logits is `softmax(self) · Σⱼ targetⱼ - target`.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let logits = g.param(Tensor::<Rank1<2>>::from([0.0, 0.0]));
    ///     let target = g.constant(Tensor::<Rank1<2>>::from([1.0, 0.0]));
    ///     let loss = logits.cross_entropy(target);
    ///     loss.backward();
    ///     assert_eq!(loss.item(), 2f64.ln());
    ///     assert_eq!(logits.grad().as_slice(), &[-0.5, 0.5]);
    /// });
    /// ```
    pub fn cross_entropy<K2: Kind>(self, target: Var<'g, Rank1<N>, F, K2>) -> Var<'g, Rank0, F> {
        self.nn_with(Nn::CrossEntropy { n: N }, target)
    }
}

impl<'g, const M: usize, const N: usize, F: Float, K: Kind> Var<'g, Rank2<M, N>, F, K> {
    /// Softmax of each row (over the last axis), computed stably.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank2<2, 2>>::from([[0.0, 0.0], [1000.0, -1000.0]]));
    ///     let y = x.softmax();
    ///     assert_eq!(y.value(), Tensor::from([[0.5, 0.5], [1.0, 0.0]]));
    /// });
    /// ```
    pub fn softmax(self) -> Var<'g, Rank2<M, N>, F> {
        self.nn(Nn::Softmax { n: N })
    }

    /// Log-softmax of each row (over the last axis), computed stably.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank2<2, 2>>::from([[0.0, 0.0], [1000.0, -1000.0]]));
    ///     let y = x.log_softmax();
    ///     assert_eq!(y.value(), Tensor::from([[-2f64.ln(), -2f64.ln()], [0.0, -2000.0]]));
    /// });
    /// ```
    pub fn log_softmax(self) -> Var<'g, Rank2<M, N>, F> {
        self.nn(Nn::LogSoftmax { n: N })
    }

    /// Log-sum-exp of each row (over the last axis): `Rank2<M, N> -> Rank1<M>`, computed
    /// stably.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank2<2, 2>>::from([[0.0, 0.0], [1000.0, -1000.0]]));
    ///     let y = x.logsumexp();
    ///     assert_eq!(y.value().as_slice(), &[2f64.ln(), 1000.0]);
    /// });
    /// ```
    pub fn logsumexp(self) -> Var<'g, Rank1<M>, F> {
        self.nn(Nn::LogSumExp { n: N })
    }

    /// Cross-entropy of each row of logits against the matching row of target
    /// probabilities (or one-hot rows), averaged over the `M` rows, computed stably.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let logits = g.param(Tensor::<Rank2<2, 2>>::from([[0.0, 0.0], [1000.0, -1000.0]]));
    ///     let target = g.constant(Tensor::<Rank2<2, 2>>::from([[1.0, 0.0], [1.0, 0.0]]));
    ///     let loss = logits.cross_entropy(target);
    ///     loss.backward();
    ///     assert_eq!(loss.item(), 2f64.ln() / 2.0);
    ///     assert_eq!(logits.grad(), Tensor::from([[-0.25, 0.25], [0.0, 0.0]]));
    /// });
    /// ```
    pub fn cross_entropy<K2: Kind>(self, target: Var<'g, Rank2<M, N>, F, K2>) -> Var<'g, Rank0, F> {
        self.nn_with(Nn::CrossEntropy { n: N }, target)
    }
}
