//! A graph as an [`argmin`](https://docs.rs/argmin) problem (the `argmin` cargo feature).
//!
//! [`Minimize`] exposes a scalar function of one parameter as argmin's [`CostFunction`],
//! [`Gradient`] (one reverse sweep) and [`Hessian`] (forward-over-forward), so that L-BFGS,
//! Newton-CG, the trust-region methods and the rest run on it. [`LeastSquares`] exposes a
//! vector of residuals as an [`Operator`] with its [`Jacobian`], and as the cost `½ |r|²`
//! with gradient `Jᵀ r` and the Gauss-Newton Hessian `Jᵀ J`: a Newton method on it is a
//! Gauss-Newton method (with a trust region: Levenberg-Marquardt's idea).
//!
//! Parameters, gradients and Hessians are argmin-math's `vec` backend types: `Vec<f64>` and
//! `Vec<Vec<f64>>` (rows), row-major over the parameter's elements. That backend has no
//! matrix inverse, so argmin's `Newton` and `GaussNewton`, which invert, need another
//! backend; the trust-region method with Steihaug's conjugate-gradient solve
//! (`TrustRegion::new(Steihaug::new())`) is Newton's method without an inverse, and on a
//! [`LeastSquares`] problem a Gauss-Newton method. (argmin 0.11's `NewtonCG` is not
//! recommended here: on Rosenbrock from (-1.2, 1) it is still 1e-3 away after 2000
//! iterations, where the trust-region Newton needs 25 and L-BFGS about 40.) Each call
//! sets the parameter's value and replays the graph in place; the graph's accumulated
//! gradients are untouched (the sweeps use private buffers).
//!
//! ```
//! use argmin::core::{Executor, State};
//! use argmin::solver::linesearch::MoreThuenteLineSearch;
//! use argmin::solver::quasinewton::LBFGS;
//! use tygrad::optim::argmin::Minimize;
//! use tygrad::prelude::*;
//!
//! Graph::with(|g| {
//!     let p = g.param(Tensor::<Rank1<2>>::from([-1.2, 1.0]));
//!     let (x, y) = (p.get::<0>(), p.get::<1>());
//!     let f = (1.0 - x).square() + 100.0 * (y - x * x).square();
//!     let solver = LBFGS::new(MoreThuenteLineSearch::new(), 7);
//!     let result = Executor::new(Minimize::new(p, f), solver)
//!         .configure(|state| state.param(vec![-1.2, 1.0]).max_iters(100))
//!         .run()
//!         .unwrap();
//!     let best = result.state().get_best_param().unwrap();
//!     assert!((best[0] - 1.0).abs() < 1e-8 && (best[1] - 1.0).abs() < 1e-8);
//! });
//! ```

use crate::forward::{ArrayNumel, vjp_raw};
use crate::graph::{Kind, Var, kind};
use crate::shape::{Rank0, Rank1, Shape};
use argmin::core::{CostFunction, Error, Gradient, Hessian, Jacobian, Operator};

/// A parameter of a graph.
type Param<'g, S> = Var<'g, S, f64, kind::Param>;

/// Sets `param` to `value`, as argmin hands it over.
fn set<S: Shape>(param: Param<'_, S>, value: &[f64]) -> Result<(), Error> {
    param
        .set_value_from_slice(value)
        .map_err(|e| Error::msg(e.to_string()))
}

/// `Jᵀ seed` of `output` with respect to `param`, by one reverse sweep in private buffers.
fn pull_back<S: Shape, T: Shape>(
    param: Param<'_, S>,
    output: Var<'_, T>,
    seed: &[f64],
) -> Vec<f64> {
    let tape = param.graph().fresh_tape_for(output.id);
    let offset = tape.nodes[param.id as usize].op.grad_offset();
    let mut grad = vec![0.0; S::NUMEL];
    if param.id <= output.id {
        vjp_raw(&tape.nodes, &tape.values, output.id, seed, |at, adjoint| {
            if at == offset {
                grad.copy_from_slice(adjoint);
            }
        });
    }
    grad
}

/// Minimise a scalar node of a graph over one of its parameters (any shape, flattened
/// row-major into argmin's `Vec<f64>`).
///
/// ```
/// use argmin::core::{CostFunction, Gradient, Hessian};
/// use tygrad::optim::argmin::Minimize;
/// use tygrad::prelude::*;
/// Graph::with(|g| {
///     let p = g.param(Tensor::<Rank1<2>>::zeros());
///     let f = (p * p * p).sum();
///     let problem = Minimize::new(p, f);
///     assert_eq!(problem.cost(&vec![1.0, 2.0]).unwrap(), 9.0);
///     assert_eq!(problem.gradient(&vec![1.0, 2.0]).unwrap(), vec![3.0, 12.0]);
///     assert_eq!(problem.hessian(&vec![1.0, 2.0]).unwrap(), vec![vec![6.0, 0.0], vec![0.0, 12.0]]);
/// });
/// ```
pub struct Minimize<'g, S: Shape> {
    param: Param<'g, S>,
    objective: Var<'g, Rank0>,
}

impl<'g, S: Shape> Minimize<'g, S> {
    /// The problem of minimising `objective` over `param`.
    ///
    /// ```
    /// use argmin::core::CostFunction;
    /// use tygrad::optim::argmin::Minimize;
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let p = g.param(Tensor::<Rank0>::from(0.0));
    ///     let problem = Minimize::new(p, (p - 3.0).square());
    ///     assert_eq!(problem.cost(&vec![1.0]).unwrap(), 4.0);
    /// });
    /// ```
    pub fn new<K: Kind>(param: Param<'g, S>, objective: Var<'g, Rank0, f64, K>) -> Self {
        Minimize {
            param,
            objective: objective.node(),
        }
    }
}

impl<S: Shape> CostFunction for Minimize<'_, S> {
    type Param = Vec<f64>;
    type Output = f64;

    fn cost(&self, p: &Vec<f64>) -> Result<f64, Error> {
        set(self.param, p)?;
        Ok(self.objective.item())
    }
}

impl<S: Shape> Gradient for Minimize<'_, S> {
    type Param = Vec<f64>;
    type Gradient = Vec<f64>;

    fn gradient(&self, p: &Vec<f64>) -> Result<Vec<f64>, Error> {
        set(self.param, p)?;
        Ok(pull_back(self.param, self.objective, &[1.0]))
    }
}

impl<S: ArrayNumel> Hessian for Minimize<'_, S> {
    type Param = Vec<f64>;
    type Hessian = Vec<Vec<f64>>;

    fn hessian(&self, p: &Vec<f64>) -> Result<Vec<Vec<f64>>, Error> {
        set(self.param, p)?;
        let h = self.objective.hessian(self.param);
        Ok((0..S::NUMEL).map(|i| h.row(i).to_vec()).collect())
    }
}

/// A nonlinear least-squares problem: minimise `½ |r(p)|²` for a vector node `r` of `M`
/// residuals over a parameter `p`.
///
/// As an [`Operator`] it gives the residuals, with their [`Jacobian`] (`M` rows, forward
/// mode); as a [`CostFunction`] `½ |r|²`, its [`Gradient`] `Jᵀ r` (one reverse sweep) and,
/// as its [`Hessian`], the Gauss-Newton matrix `Jᵀ J`.
///
/// ```
/// use argmin::core::{CostFunction, Gradient, Hessian, Jacobian, Operator};
/// use tygrad::optim::argmin::LeastSquares;
/// use tygrad::prelude::*;
/// Graph::with(|g| {
///     let p = g.param(Tensor::<Rank1<2>>::zeros());
///     let t = g.constant(Tensor::<Rank1<3>>::from([0.0, 1.0, 2.0]));
///     let y = g.constant(Tensor::<Rank1<3>>::from([1.0, 3.0, 5.0]));
///     // r = a t + b - y
///     let r = p.get::<0>().broadcast() * t + p.get::<1>().broadcast() - y;
///     let problem = LeastSquares::new(p, r);
///     let at = vec![2.0, 0.0];
///     assert_eq!(problem.apply(&at).unwrap(), vec![-1.0, -1.0, -1.0]);
///     assert_eq!(problem.cost(&at).unwrap(), 1.5);
///     assert_eq!(problem.jacobian(&at).unwrap()[2], vec![2.0, 1.0]);
///     assert_eq!(problem.gradient(&at).unwrap(), vec![-3.0, -3.0]);
///     assert_eq!(problem.hessian(&at).unwrap(), vec![vec![5.0, 3.0], vec![3.0, 3.0]]);
/// });
/// ```
pub struct LeastSquares<'g, S: Shape, const M: usize> {
    param: Param<'g, S>,
    residuals: Var<'g, Rank1<M>>,
}

impl<'g, S: Shape, const M: usize> LeastSquares<'g, S, M> {
    /// The problem of minimising `½ |residuals|²` over `param`.
    ///
    /// ```
    /// use argmin::core::Operator;
    /// use tygrad::optim::argmin::LeastSquares;
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let p = g.param(Tensor::<Rank1<2>>::zeros());
    ///     let problem = LeastSquares::new(p, p - 1.0);
    ///     assert_eq!(problem.apply(&vec![3.0, 1.0]).unwrap(), vec![2.0, 0.0]);
    /// });
    /// ```
    pub fn new<K: Kind>(param: Param<'g, S>, residuals: Var<'g, Rank1<M>, f64, K>) -> Self {
        LeastSquares {
            param,
            residuals: residuals.node(),
        }
    }

    /// The Jacobian's rows (forward mode: one dual pass per parameter element).
    fn rows(&self, p: &[f64]) -> Result<Vec<Vec<f64>>, Error>
    where
        S: ArrayNumel,
        Rank1<M>: ArrayNumel,
    {
        set(self.param, p)?;
        let j = self.residuals.jacobian_fwd(self.param);
        Ok((0..M).map(|i| j.row(i).to_vec()).collect())
    }
}

impl<S: Shape, const M: usize> Operator for LeastSquares<'_, S, M> {
    type Param = Vec<f64>;
    type Output = Vec<f64>;

    fn apply(&self, p: &Vec<f64>) -> Result<Vec<f64>, Error> {
        set(self.param, p)?;
        Ok(self.residuals.value().as_slice().to_vec())
    }
}

impl<S: ArrayNumel, const M: usize> Jacobian for LeastSquares<'_, S, M>
where
    Rank1<M>: ArrayNumel,
{
    type Param = Vec<f64>;
    type Jacobian = Vec<Vec<f64>>;

    fn jacobian(&self, p: &Vec<f64>) -> Result<Vec<Vec<f64>>, Error> {
        self.rows(p)
    }
}

impl<S: Shape, const M: usize> CostFunction for LeastSquares<'_, S, M> {
    type Param = Vec<f64>;
    type Output = f64;

    fn cost(&self, p: &Vec<f64>) -> Result<f64, Error> {
        let r = self.apply(p)?;
        Ok(0.5 * r.iter().map(|x| x * x).sum::<f64>())
    }
}

impl<S: Shape, const M: usize> Gradient for LeastSquares<'_, S, M> {
    type Param = Vec<f64>;
    type Gradient = Vec<f64>;

    fn gradient(&self, p: &Vec<f64>) -> Result<Vec<f64>, Error> {
        let r = self.apply(p)?;
        Ok(pull_back(self.param, self.residuals, &r))
    }
}

impl<S: ArrayNumel, const M: usize> Hessian for LeastSquares<'_, S, M>
where
    Rank1<M>: ArrayNumel,
{
    type Param = Vec<f64>;
    type Hessian = Vec<Vec<f64>>;

    fn hessian(&self, p: &Vec<f64>) -> Result<Vec<Vec<f64>>, Error> {
        let j = self.rows(p)?;
        let n = S::NUMEL;
        Ok((0..n)
            .map(|a| {
                (0..n)
                    .map(|b| j.iter().map(|row| row[a] * row[b]).sum())
                    .collect()
            })
            .collect())
    }
}
