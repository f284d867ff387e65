//! Elementwise unary ops, including arithmetic with a scalar constant on either side.
//!
//! Shape rule: `Var<S> -> Var<S>`. Each variant's forward kernel and its derivative sit
//! together in [`Elementwise::forward`] and [`Elementwise::vjp`].
//!
//! Kinks use the subgradient noted on each method; the forward kernels branch the same way,
//! so forward and reverse mode agree there too. Outside an op's domain (`ln` or `sqrt` of a
//! negative number) the value is NaN, as `f64` gives, and NaN propagates to the gradient: no
//! panic, and no finite-looking wrong number.

use super::{GradOut, GradWrite, Op};
use crate::graph::{Kind, Var};
use crate::scalar::{Elem, Float};
use crate::shape::Shape;

/// An elementwise unary op; constants are stored in the graph's float type.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Elementwise<F> {
    Neg,
    AddScalar(F),
    /// `x - c`
    SubScalar(F),
    /// `c - x`
    RsubScalar(F),
    MulScalar(F),
    /// `x / c`
    DivScalar(F),
    /// `c / x`
    RdivScalar(F),
    Square,
    Powi(i32),
    Powf(F),
    Sqrt,
    Exp,
    Ln,
    Sin,
    Cos,
    Tan,
    Tanh,
    Sigmoid,
    Relu,
    LeakyRelu(F),
    Softplus,
    Abs,
    Clamp(F, F),
    /// The value passes, the derivative does not.
    StopGradient,
}

/// Logistic function in the form that cannot overflow: `exp` only ever sees `-|x|`.
#[inline]
pub(crate) fn stable_sigmoid<F: Float, T: Elem<F>>(x: T) -> T {
    if x.real() >= F::zero() {
        (T::one() + (-x).exp()).recip()
    } else {
        let e = x.exp();
        e / (T::one() + e)
    }
}

/// `ln x`, NaN below 0 in both parts (the dual `ln` would give a finite slope `1/x`).
#[inline]
pub(crate) fn ln_or_nan<F: Float, T: Elem<F>>(x: T) -> T {
    if x.real() < F::zero() {
        x * F::nan()
    } else {
        x.ln()
    }
}

/// The slope of [`ln_or_nan`]: `1 / x`, NaN below 0.
#[inline]
pub(crate) fn ln_slope<F: Float, T: Elem<F>>(x: T) -> T {
    if x.real() < F::zero() {
        T::constant(F::nan())
    } else {
        x.recip()
    }
}

// `1 - y²` and `y (1 - y)`, the slopes of `tanh` and `sigmoid` from their output, are cheap
// but cancel as the output saturates (relative error about ε / (1 - |y|)); past |y| = 0.9 the
// slope comes from `x` instead, at the cost of one `exp`, so it keeps full relative precision.

/// Whether `tanh`'s slope may be taken from its output `y` (`1 - y²`).
#[inline]
pub(crate) fn tanh_unsaturated<F: Float, T: Elem<F>>(y: T) -> bool {
    num_traits::Float::abs(y.real()) < F::of_f64(0.9)
}

/// `tanh`'s slope from `x`: sech² x = 4 e^{-2|x|} / (1 + e^{-2|x|})².
#[inline]
pub(crate) fn tanh_slope_from_x<F: Float, T: Elem<F>>(x: T) -> T {
    let e = (-(x + x).abs()).exp();
    let d = T::one() + e;
    e * F::of_f64(4.0) / (d * d)
}

/// Whether `sigmoid`'s slope may be taken from its output `y` (`y (1 - y)`).
#[inline]
pub(crate) fn sigmoid_unsaturated<F: Float, T: Elem<F>>(y: T) -> bool {
    y.real() < F::of_f64(0.9)
}

/// `sigmoid`'s slope from `x` and `y = σ(x)`: σ(x) σ(-x), with σ(-x) = e^{-x} / (1 + e^{-x})
/// (for the saturated side, `x > 0`).
#[inline]
pub(crate) fn sigmoid_slope_from_x<F: Float, T: Elem<F>>(x: T, y: T) -> T {
    let e = (-x).exp();
    y * e / (T::one() + e)
}

/// `ln(1 + exp(x))` without overflow: `max(x, 0) + ln(1 + exp(-|x|))`.
#[inline]
pub(crate) fn stable_softplus<F: Float, T: Elem<F>>(x: T) -> T {
    if x.real() > F::zero() {
        x + (-x).exp().ln_1p()
    } else {
        x.exp().ln_1p()
    }
}

impl<F: Float> Elementwise<F> {
    /// `sin` keeps `cos x` (and `cos` keeps `sin x`) after its value: the pair costs one
    /// `sin_cos`, about what one of them costs, and the VJP rule then needs no second
    /// transcendental pass.
    pub(crate) fn scratch_len(&self, len: usize) -> usize {
        match self {
            Self::Sin | Self::Cos => len,
            _ => 0,
        }
    }

    /// The input's share for an output adjoint of `g` everywhere, where the rule does not
    /// depend on the element (see [`super::Op::uniform_share`]).
    #[inline]
    pub(crate) fn uniform_share<T: Elem<F>>(&self, g: T) -> Option<T> {
        match *self {
            Self::Neg | Self::RsubScalar(_) => Some(-g),
            Self::AddScalar(_) | Self::SubScalar(_) => Some(g),
            Self::MulScalar(c) => Some(g * c),
            Self::DivScalar(c) => Some(g / c),
            _ => None,
        }
    }

    pub(crate) fn name(&self) -> &'static str {
        match self {
            Self::Neg => "NegBackward",
            Self::AddScalar(_) => "AddScalarBackward",
            Self::SubScalar(_) => "SubScalarBackward",
            Self::RsubScalar(_) => "RsubScalarBackward",
            Self::MulScalar(_) => "MulScalarBackward",
            Self::DivScalar(_) => "DivScalarBackward",
            Self::RdivScalar(_) => "RdivScalarBackward",
            Self::Square => "SquareBackward",
            Self::Powi(_) => "PowiBackward",
            Self::Powf(_) => "PowfBackward",
            Self::Sqrt => "SqrtBackward",
            Self::Exp => "ExpBackward",
            Self::Ln => "LnBackward",
            Self::Sin => "SinBackward",
            Self::Cos => "CosBackward",
            Self::Tan => "TanBackward",
            Self::Tanh => "TanhBackward",
            Self::Sigmoid => "SigmoidBackward",
            Self::Relu => "ReluBackward",
            Self::LeakyRelu(_) => "LeakyReluBackward",
            Self::Softplus => "SoftplusBackward",
            Self::Abs => "AbsBackward",
            Self::Clamp(..) => "ClampBackward",
            Self::StopGradient => "StopGradient",
        }
    }

    /// `out[i] = f(x[i])`; for `sin` and `cos`, followed by the other of the pair (`out` holds
    /// the node's scratch, see [`Self::scratch_len`]).
    #[inline]
    pub(crate) fn forward<T: Elem<F>>(&self, x: &[T], out: &mut [T]) {
        /// `value[i], kept[i] = pair(x[i])`, with `out = [value | kept]`.
        fn map_pair<T: Copy>(x: &[T], out: &mut [T], pair: impl Fn(T) -> (T, T)) {
            let (value, kept) = out.split_at_mut(x.len());
            for ((v, k), &xi) in value.iter_mut().zip(kept).zip(x) {
                (*v, *k) = pair(xi);
            }
        }
        fn map<T: Copy>(x: &[T], out: &mut [T], f: impl Fn(T) -> T) {
            for (o, &xi) in out.iter_mut().zip(x) {
                *o = f(xi);
            }
        }
        let zero = F::zero();
        match *self {
            Self::Neg => map(x, out, |x| -x),
            Self::AddScalar(c) => map(x, out, |x| x + c),
            Self::SubScalar(c) => map(x, out, |x| x - c),
            Self::RsubScalar(c) => map(x, out, |x| T::constant(c) - x),
            Self::MulScalar(c) => map(x, out, |x| x * c),
            Self::DivScalar(c) => map(x, out, |x| x / c),
            Self::RdivScalar(c) => map(x, out, |x| T::constant(c) / x),
            Self::Square => map(x, out, |x| x * x),
            Self::Powi(n) => map(x, out, |x| x.powi(n)),
            Self::Powf(p) => map(x, out, |x| x.powf(p)),
            Self::Sqrt => map(x, out, |x| x.sqrt()),
            Self::Exp => map(x, out, |x| x.exp()),
            Self::Ln => map(x, out, ln_or_nan),
            Self::Sin => map_pair(x, out, |x| x.sin_cos()),
            Self::Cos => map_pair(x, out, |x| {
                let (sin, cos) = x.sin_cos();
                (cos, sin)
            }),
            Self::Tan => map(x, out, |x| x.tan()),
            Self::Tanh => map(x, out, |x| x.tanh_accurate()),
            Self::Sigmoid => map(x, out, stable_sigmoid),
            // At a kink the kernels pick the same branch as the VJP rules below.
            Self::Relu => map(x, out, |x| if x.real() > zero { x } else { x * zero }),
            Self::LeakyRelu(a) => map(x, out, |x| if x.real() > zero { x } else { x * a }),
            Self::Softplus => map(x, out, stable_softplus),
            Self::Abs => map(x, out, |x| {
                if x.real() > zero {
                    x
                } else if x.real() < zero {
                    -x
                } else {
                    x * zero
                }
            }),
            Self::Clamp(lo, hi) => map(x, out, |x| {
                if x.real() < lo {
                    T::constant(lo)
                } else if x.real() > hi {
                    T::constant(hi)
                } else {
                    x
                }
            }),
            // A constant: no tangent, so forward mode agrees with the VJP's zero.
            Self::StopGradient => map(x, out, |x| T::constant(x.real())),
        }
    }

    /// `grad_in[i] (+)= grad_out[i] * f'(x[i])` (per `write`), using the output `y = f(x)`
    /// where that is cheaper than recomputing, and what the kernel kept after it (`sin`,
    /// `cos`).
    #[inline]
    pub(crate) fn vjp<T: Elem<F>>(
        &self,
        x: &[T],
        y: &[T],
        grad_out: impl GradOut<T>,
        grad_in: &mut [T],
        write: GradWrite,
    ) {
        /// `grad_in[i] (+)= grad_out[i] * d(x[i], y[i])`, one loop per mode.
        #[inline(always)]
        fn chain<T: Elem<F>, F: Float>(
            x: &[T],
            y: &[T],
            g: impl GradOut<T>,
            gin: &mut [T],
            write: GradWrite,
            d: impl Fn(T, T) -> T,
        ) {
            let zipped = gin.iter_mut().zip(g.elements()).zip(x).zip(y);
            match write {
                GradWrite::Add => {
                    for (((gi, go), &xi), &yi) in zipped {
                        *gi += go * d(xi, yi);
                    }
                }
                GradWrite::Assign => {
                    for (((gi, go), &xi), &yi) in zipped {
                        *gi = go * d(xi, yi);
                    }
                }
            }
        }
        /// [`chain`] with a derivative that is `cheap` where the output passes `plain` and
        /// `saturated` elsewhere, over chunks: a chunk whose outputs all pass takes `cheap`
        /// in one branch-free (vectorizable) loop, any other chunk branches per element. The
        /// numbers are those of the per-element rule.
        #[inline(always)]
        fn chain_chunked<T: Elem<F>, F: Float>(
            [x, y]: [&[T]; 2],
            g: impl GradOut<T>,
            gin: &mut [T],
            write: GradWrite,
            plain: impl Fn(T) -> bool,
            cheap: impl Fn(T, T) -> T + Copy,
            saturated: impl Fn(T, T) -> T + Copy,
        ) {
            const CHUNK: usize = 64;
            let chunks = x.chunks(CHUNK).zip(y.chunks(CHUNK)).enumerate();
            for ((i, (x, y)), gin) in chunks.zip(gin.chunks_mut(CHUNK)) {
                let g = g.part(i * CHUNK..i * CHUNK + x.len());
                // A fold, not `all`: no early exit, so the test vectorizes.
                if y.iter().fold(true, |all, &y| all & plain(y)) {
                    chain(x, y, g, gin, write, cheap);
                } else {
                    chain(x, y, g, gin, write, |x, y| {
                        if plain(y) {
                            cheap(x, y)
                        } else {
                            saturated(x, y)
                        }
                    });
                }
            }
        }
        let zero = F::zero();
        let one = T::one();
        match *self {
            Self::Neg | Self::RsubScalar(_) => write.map(grad_out, grad_in, |go| -go),
            Self::AddScalar(_) | Self::SubScalar(_) => write.map(grad_out, grad_in, |go| go),
            Self::MulScalar(c) => write.map(grad_out, grad_in, |go| go * c),
            Self::DivScalar(c) => write.map(grad_out, grad_in, |go| go / c),
            Self::RdivScalar(_) => chain(x, y, grad_out, grad_in, write, |x, y| -(y / x)),
            Self::Square => chain(x, y, grad_out, grad_in, write, |x, _| x + x),
            Self::Powi(0) => write.prepare(grad_in),
            Self::Powi(n) => chain(x, y, grad_out, grad_in, write, |x, _| {
                x.powi(n - 1) * F::of_f64(n as f64)
            }),
            Self::Powf(p) => chain(x, y, grad_out, grad_in, write, |x, _| {
                x.powf(p - F::one()) * p
            }),
            Self::Sqrt => chain(x, y, grad_out, grad_in, write, |_, y| (y + y).recip()),
            Self::Exp => chain(x, y, grad_out, grad_in, write, |_, y| y),
            Self::Ln => chain(x, y, grad_out, grad_in, write, |x, _| ln_slope(x)),
            // `y` is `[sin x | cos x]` (for `cos`: `[cos x | sin x]`), as the kernel kept it.
            Self::Sin => chain(x, &y[x.len()..], grad_out, grad_in, write, |_, cos| cos),
            Self::Cos => chain(x, &y[x.len()..], grad_out, grad_in, write, |_, sin| -sin),
            Self::Tan => chain(x, y, grad_out, grad_in, write, |_, y| one + y * y),
            // Cheap from `y`, or from `x` where `y` saturates (see `tanh_unsaturated`).
            Self::Tanh => chain_chunked(
                [x, y],
                grad_out,
                grad_in,
                write,
                tanh_unsaturated,
                |_, y| one - y * y,
                |x, _| tanh_slope_from_x(x),
            ),
            Self::Sigmoid => chain_chunked(
                [x, y],
                grad_out,
                grad_in,
                write,
                sigmoid_unsaturated,
                |_, y| y * (one - y),
                sigmoid_slope_from_x,
            ),
            Self::Relu => chain(x, y, grad_out, grad_in, write, |x, _| {
                if x.real() > zero { one } else { T::zero() }
            }),
            Self::LeakyRelu(a) => chain(x, y, grad_out, grad_in, write, |x, _| {
                if x.real() > zero { one } else { T::constant(a) }
            }),
            Self::Softplus => chain(x, y, grad_out, grad_in, write, |x, _| stable_sigmoid(x)),
            Self::Abs => chain(x, y, grad_out, grad_in, write, |x, _| {
                if x.real() > zero {
                    one
                } else if x.real() < zero {
                    -one
                } else {
                    T::zero()
                }
            }),
            Self::Clamp(lo, hi) => chain(x, y, grad_out, grad_in, write, |x, _| {
                if x.real() < lo || x.real() > hi {
                    T::zero()
                } else {
                    one
                }
            }),
            Self::StopGradient => write.prepare(grad_in),
        }
    }
}

impl<'g, S: Shape, F: Float, K: Kind> Var<'g, S, F, K> {
    fn elementwise(self, op: Elementwise<F>) -> Var<'g, S, F> {
        self.graph.push(Op::Elementwise(op), &[self.id])
    }

    /// `x²`, elementwise.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank1<2>>::from([3.0, -1.0]));
    ///     let y = x.square();
    ///     y.sum().backward();
    ///     assert_eq!(y.value().as_slice(), &[9.0, 1.0]);
    ///     assert_eq!(x.grad().as_slice(), &[6.0, -2.0]);
    /// });
    /// ```
    pub fn square(self) -> Var<'g, S, F> {
        self.elementwise(Elementwise::Square)
    }

    /// `xⁿ` for an integer `n`, elementwise.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank0>::from(2.0));
    ///     let y = x.powi(3);
    ///     y.backward();
    ///     assert_eq!((y.item(), x.grad().item()), (8.0, 12.0));
    /// });
    /// ```
    pub fn powi(self, n: i32) -> Var<'g, S, F> {
        self.elementwise(Elementwise::Powi(n))
    }

    /// `xᵖ` for a real `p`, elementwise; NaN for negative `x` unless `p` is whole (as `powf`).
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank0>::from(4.0));
    ///     let y = x.powf(1.5);
    ///     y.backward();
    ///     assert_eq!((y.item(), x.grad().item()), (8.0, 3.0));
    /// });
    /// ```
    pub fn powf(self, p: F) -> Var<'g, S, F> {
        self.elementwise(Elementwise::Powf(p))
    }

    /// `√x`, elementwise; NaN for `x < 0`, as `f64::sqrt`, and then its gradient is NaN too.
    /// At 0 the gradient is `+inf`.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank0>::from(4.0));
    ///     x.sqrt().backward();
    ///     assert_eq!(x.grad().item(), 0.25);
    /// });
    /// ```
    pub fn sqrt(self) -> Var<'g, S, F> {
        self.elementwise(Elementwise::Sqrt)
    }

    /// `eˣ`, elementwise.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank0>::from(0.0));
    ///     x.exp().backward();
    ///     assert_eq!(x.grad().item(), 1.0);
    /// });
    /// ```
    pub fn exp(self) -> Var<'g, S, F> {
        self.elementwise(Elementwise::Exp)
    }

    /// Natural logarithm, elementwise; NaN for `x < 0` and `-inf` at 0, as `f64::ln`. Below
    /// 0 the gradient is NaN too (not the formula `1/x`), so a domain error cannot hide.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank0>::from(2.0));
    ///     x.ln().backward();
    ///     assert_eq!(x.grad().item(), 0.5);
    /// });
    /// ```
    pub fn ln(self) -> Var<'g, S, F> {
        self.elementwise(Elementwise::Ln)
    }

    /// Sine, elementwise.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank0>::from(0.0));
    ///     x.sin().backward();
    ///     assert_eq!(x.grad().item(), 1.0);
    /// });
    /// ```
    pub fn sin(self) -> Var<'g, S, F> {
        self.elementwise(Elementwise::Sin)
    }

    /// Cosine, elementwise.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank0>::from(0.0));
    ///     x.cos().backward();
    ///     assert_eq!(x.grad().item(), 0.0);
    /// });
    /// ```
    pub fn cos(self) -> Var<'g, S, F> {
        self.elementwise(Elementwise::Cos)
    }

    /// Tangent, elementwise.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank0>::from(0.0));
    ///     x.tan().backward();
    ///     assert_eq!(x.grad().item(), 1.0);
    /// });
    /// ```
    pub fn tan(self) -> Var<'g, S, F> {
        self.elementwise(Elementwise::Tan)
    }

    /// Hyperbolic tangent, elementwise.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank0>::from(0.0));
    ///     x.tanh().backward();
    ///     assert_eq!(x.grad().item(), 1.0);
    /// });
    /// ```
    pub fn tanh(self) -> Var<'g, S, F> {
        self.elementwise(Elementwise::Tanh)
    }

    /// Logistic sigmoid `1 / (1 + e⁻ˣ)`, elementwise, in a form that stays finite for any
    /// input.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank0>::from(0.0));
    ///     let y = x.sigmoid();
    ///     y.backward();
    ///     assert_eq!((y.item(), x.grad().item()), (0.5, 0.25));
    /// });
    /// ```
    pub fn sigmoid(self) -> Var<'g, S, F> {
        self.elementwise(Elementwise::Sigmoid)
    }

    /// `max(x, 0)`, elementwise. At the kink `x = 0` the gradient is 0 (as PyTorch).
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank1<3>>::from([-1.0, 0.0, 2.0]));
    ///     x.relu().sum().backward();
    ///     assert_eq!(x.grad().as_slice(), &[0.0, 0.0, 1.0]);
    /// });
    /// ```
    pub fn relu(self) -> Var<'g, S, F> {
        self.elementwise(Elementwise::Relu)
    }

    /// `x` for `x > 0`, else `slope * x`, elementwise. At `x = 0` the gradient is `slope`.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank1<2>>::from([-2.0, 3.0]));
    ///     let y = x.leaky_relu(0.1);
    ///     y.sum().backward();
    ///     assert_eq!(y.value().as_slice(), &[-0.2, 3.0]);
    ///     assert_eq!(x.grad().as_slice(), &[0.1, 1.0]);
    /// });
    /// ```
    pub fn leaky_relu(self, slope: F) -> Var<'g, S, F> {
        self.elementwise(Elementwise::LeakyRelu(slope))
    }

    /// `ln(1 + eˣ)`, elementwise, in a form that stays finite for any input.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank1<2>>::from([0.0, 1000.0]));
    ///     let y = x.softplus();
    ///     y.sum().backward();
    ///     assert_eq!(y.value().as_slice(), &[2f64.ln(), 1000.0]);
    ///     assert_eq!(x.grad().as_slice(), &[0.5, 1.0]);
    /// });
    /// ```
    pub fn softplus(self) -> Var<'g, S, F> {
        self.elementwise(Elementwise::Softplus)
    }

    /// `|x|`, elementwise. At `x = 0` the gradient is 0.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank1<3>>::from([-2.0, 0.0, 3.0]));
    ///     x.abs().sum().backward();
    ///     assert_eq!(x.grad().as_slice(), &[-1.0, 0.0, 1.0]);
    /// });
    /// ```
    pub fn abs(self) -> Var<'g, S, F> {
        self.elementwise(Elementwise::Abs)
    }

    /// Clamps each element into `[min, max]`. The gradient is 1 inside the closed interval
    /// (bounds included) and 0 outside.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank1<3>>::from([-2.0, 0.5, 3.0]));
    ///     let y = x.clamp(0.0, 1.0);
    ///     y.sum().backward();
    ///     assert_eq!(y.value().as_slice(), &[0.0, 0.5, 1.0]);
    ///     assert_eq!(x.grad().as_slice(), &[0.0, 1.0, 0.0]);
    /// });
    /// ```
    pub fn clamp(self, min: F, max: F) -> Var<'g, S, F> {
        self.elementwise(Elementwise::Clamp(min, max))
    }

    /// The same value, with no gradient flowing back through it (JAX `stop_gradient`,
    /// PyTorch `detach`): the node's inputs get 0 from it, in reverse and in forward mode.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank0>::from(3.0));
    ///     let y = x * x.stop_gradient();
    ///     y.backward();
    ///     assert_eq!(y.item(), 9.0);
    ///     assert_eq!(x.grad().item(), 3.0);
    /// });
    /// ```
    pub fn stop_gradient(self) -> Var<'g, S, F> {
        self.elementwise(Elementwise::StopGradient)
    }

    /// The same as [`stop_gradient`](Self::stop_gradient) (PyTorch's name).
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank0>::from(3.0));
    ///     (x.detach() * 2.0 + x).backward();
    ///     assert_eq!(x.grad().item(), 1.0);
    /// });
    /// ```
    pub fn detach(self) -> Var<'g, S, F> {
        self.stop_gradient()
    }
}

/// `-x`, `x ± c`, `c ± x`, `x * c`, `c * x`, `x / c`, `c / x` for a scalar `c` of the graph's
/// float type.
macro_rules! scalar_operators {
    ($float:ty) => {
        impl<'g, S: Shape, K: Kind> std::ops::Neg for Var<'g, S, $float, K> {
            type Output = Var<'g, S, $float>;
            fn neg(self) -> Self::Output {
                self.elementwise(Elementwise::Neg)
            }
        }
        scalar_operators!(@op $float, Add, add, AddScalar, AddScalar);
        scalar_operators!(@op $float, Sub, sub, SubScalar, RsubScalar);
        scalar_operators!(@op $float, Mul, mul, MulScalar, MulScalar);
        scalar_operators!(@op $float, Div, div, DivScalar, RdivScalar);
    };
    (@op $float:ty, $trait:ident, $method:ident, $var_op_c:ident, $c_op_var:ident) => {
        impl<'g, S: Shape, K: Kind> std::ops::$trait<$float> for Var<'g, S, $float, K> {
            type Output = Var<'g, S, $float>;
            fn $method(self, c: $float) -> Self::Output {
                self.elementwise(Elementwise::$var_op_c(c))
            }
        }
        impl<'g, S: Shape, K: Kind> std::ops::$trait<Var<'g, S, $float, K>> for $float {
            type Output = Var<'g, S, $float>;
            fn $method(self, x: Var<'g, S, $float, K>) -> Self::Output {
                x.elementwise(Elementwise::$c_op_var(self))
            }
        }
    };
}
scalar_operators!(f64);
scalar_operators!(f32);
