//! The per-node checks: each node's VJP rule against the derivative of its own kernel on dual
//! numbers, locally, along random directions, with a noise floor of its own; and the write
//! contract of every rule (`GradWrite::Add` adds to what `grad_in` holds, `Assign` writes
//! every entry), tested with `grad_in` pre-filled with random values.

use super::dot_tests::{SplitMix64, epsilon, tiny};
use super::{Blame, Mismatch, NOISE_FACTOR, NodeFailure, relative_difference};
use crate::graph::{NodeId, NodeRecord, Tape};
use crate::ops::{GradWrite, MAX_ARITY, Op, VjpIn};
use crate::scalar::Float;
use num_dual::Dual;

/// Which nodes the per-node checks visit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Scope {
    /// Every computed node the output depends on.
    All,
    /// Only custom ops (the users' rules), when the graph-wide test was conclusive.
    Custom,
}

/// `Σ |a_i b_i|` over the finite products.
pub(super) fn abs_dot<F: Float>(a: &[F], b: &[F]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(&x, &y)| (x * y).as_f64().abs())
        .filter(|p| p.is_finite())
        .sum()
}

/// `Σ a_i b_i` over the entries where the direction `a_i` is not 0: an entry a check does not
/// move (its value is not finite) takes no part, even where the other side is NaN there.
pub(super) fn masked_dot<F: Float>(a: &[F], b: &[F]) -> f64 {
    a.iter()
        .zip(b)
        .filter(|(x, _)| !x.is_zero())
        .map(|(&x, &y)| (x * y).as_f64())
        .sum()
}

/// A random direction, 0 where `at` is not finite (a non-finite value is a value: its
/// derivative is not compared).
pub(super) fn direction<F: Float>(rng: &mut SplitMix64, at: &[F]) -> Vec<F> {
    at.iter()
        .map(|x| {
            let r = rng.symmetric::<F>();
            if x.is_finite() { r } else { F::zero() }
        })
        .collect()
}

/// The per-node checks: every computed node `output` depends on (in `scope`), in recorded
/// order, each input needing a gradient compared locally; the first disagreement is
/// returned.
pub(crate) fn check_nodes<F: Float>(
    tape: &Tape<F>,
    output: NodeId,
    rng: &mut SplitMix64,
    scope: Scope,
) -> Result<(), NodeFailure> {
    let nodes = &tape.nodes[..=output as usize];
    // Which nodes the output depends on (inputs always precede their consumers).
    let mut needed = vec![false; nodes.len()];
    needed[output as usize] = true;
    for (id, node) in nodes.iter().enumerate().rev() {
        if needed[id] {
            for &input in node.inputs() {
                needed[input as usize] = true;
            }
        }
    }
    for (id, node) in nodes.iter().enumerate() {
        let in_scope = scope == Scope::All || matches!(node.op, Op::Custom(_));
        if !needed[id] || node.op.is_leaf() || !node.requires_grad || !in_scope {
            continue;
        }
        check_node(tape, id, node, rng)?;
    }
    Ok(())
}

/// One node, every input that needs a gradient.
fn check_node<F: Float>(
    tape: &Tape<F>,
    id: usize,
    node: &NodeRecord<F>,
    rng: &mut SplitMix64,
) -> Result<(), NodeFailure> {
    let mut inputs: [&[F]; MAX_ARITY] = [&[]; MAX_ARITY];
    for (slot, &input) in inputs.iter_mut().zip(node.inputs()) {
        *slot = tape.value(input);
    }
    let inputs = &inputs[..node.arity as usize];
    let out = &tape.values[node.full_range()];
    let w: Vec<F> = direction(rng, &out[..node.len]);
    let values_finite = out[..node.len]
        .iter()
        .chain(inputs.iter().copied().flatten())
        .all(|x| x.is_finite());
    let at = VjpIn {
        inputs,
        out,
        grad_out: &w,
    };
    let width = 1.0 + (inputs.iter().map(|x| x.len()).sum::<usize>() as f64).sqrt();
    for (k, &input) in node.inputs().iter().enumerate() {
        if !tape.nodes[input as usize].requires_grad {
            continue;
        }
        let fail = |mismatch, forward: f64, reverse: f64, rel_error, tolerance| NodeFailure {
            node: id,
            op: node.op.name(),
            dims: node.dims,
            input: k,
            mismatch,
            blame: Blame::Unknown,
            forward,
            reverse,
            rel_error,
            tolerance,
        };
        let v: Vec<F> = direction(rng, inputs[k]);
        // Forward mode, locally: the kernel on dual numbers, moving input k along v; reverse
        // mode, locally: the VJP rule seeded with w, added into zeros.
        let local = |v: &[F], w: &[F]| {
            let dual_inputs: Vec<Vec<Dual<F>>> = inputs
                .iter()
                .enumerate()
                .map(|(j, x)| {
                    x.iter()
                        .enumerate()
                        .map(|(i, &xi)| Dual::new(xi, if j == k { v[i] } else { F::zero() }))
                        .collect()
                })
                .collect();
            let dual_refs: Vec<&[Dual<F>]> = dual_inputs.iter().map(Vec::as_slice).collect();
            let mut dual_out = vec![Dual::new(F::zero(), F::zero()); node.len + node.scratch];
            node.op.eval(&dual_refs, &mut dual_out);
            let jv: Vec<F> = dual_out[..node.len].iter().map(|d| d.eps).collect();
            let mut share = vec![F::zero(); inputs[k].len()];
            let at = VjpIn {
                inputs,
                out,
                grad_out: w,
            };
            node.op.vjp(k, at, &mut share, GradWrite::Add);
            (jv, share)
        };
        let (mut jv, mut share) = local(&v, &w);
        let share_full = share.clone();
        let all_finite = |x: &[F]| x.iter().all(|x| x.is_finite());
        let (jv_finite, share_finite) = (all_finite(&jv), all_finite(&share));
        let (mut v_cmp, mut w_cmp) = (v.clone(), w.clone());
        if !(jv_finite && share_finite) {
            // The finite side within 2¹⁰ of overflow: the other side's infinity is the same
            // number past the range (an intermediate that overflowed one step earlier).
            let edge = <F as num_traits::Float>::max_value().as_f64() / 1024.0;
            let near_overflow =
                |x: &[F]| x.iter().any(|t| t.is_finite() && t.as_f64().abs() > edge);
            let at_the_edge = if jv_finite {
                near_overflow(&jv) || masked_dot(&w, &jv).abs() > edge
            } else {
                near_overflow(&share) || masked_dot(&v, &share).abs() > edge
            };
            if values_finite && jv_finite != share_finite && !at_the_edge {
                // Every value of the node finite, one derivative not: a wrong rule.
                let (f, r) = (masked_dot(&w, &jv), masked_dot(&v, &share));
                return Err(fail(Mismatch::NonFinite, f, r, f64::NAN, 0.0));
            }
            // Both sides non-finite somewhere (or a value already is): the entries that went
            // non-finite are left out on both sides, the rest compared.
            for (wj, t) in w_cmp.iter_mut().zip(&jv) {
                if !t.is_finite() {
                    *wj = F::zero();
                }
            }
            for (vi, s) in v_cmp.iter_mut().zip(&share) {
                if !s.is_finite() {
                    *vi = F::zero();
                }
            }
            (jv, share) = local(&v_cmp, &w_cmp);
        }
        let forward = masked_dot(&w_cmp, &jv);
        let reverse = masked_dot(&v_cmp, &share);
        let scale = abs_dot(&w_cmp, &jv) + abs_dot(&share, &v_cmp);
        // The rounding this node's two sides produce, measured: both are linear in their
        // direction, so splitting it in two random parts and adding the results back moves
        // each side by its own rounding (cancellation inside a kernel included).
        let split = |d: &[F], rng: &mut SplitMix64| -> (Vec<F>, Vec<F>) {
            let a: Vec<F> = d.iter().map(|&x| x * F::of_f64(rng.unit())).collect();
            let b = d.iter().zip(&a).map(|(&x, &y)| x - y).collect();
            (a, b)
        };
        let (v1, v2) = split(&v_cmp, rng);
        let (w1, w2) = split(&w_cmp, rng);
        let ((jv1, _), (jv2, _)) = (local(&v1, &w_cmp), local(&v2, &w_cmp));
        let ((_, s1), (_, s2)) = (local(&v_cmp, &w1), local(&v_cmp, &w2));
        let measured = (forward - masked_dot(&w_cmp, &jv1) - masked_dot(&w_cmp, &jv2)).abs()
            + (reverse - masked_dot(&v_cmp, &s1) - masked_dot(&v_cmp, &s2)).abs();
        let measured = if measured.is_finite() { measured } else { 0.0 };
        let floor = NOISE_FACTOR
            * (epsilon::<F>() * width * scale
                + measured
                + (node.len + share.len()) as f64 * tiny::<F>());
        let diff = (forward - reverse).abs();
        let rel_error = relative_difference(diff, scale);
        let tolerance = if scale > 0.0 { floor / scale } else { 0.0 };
        if forward.is_finite() && reverse.is_finite() && diff > floor {
            let mut failure = fail(Mismatch::Derivative, forward, reverse, rel_error, tolerance);
            // The third witness: central differences of the kernel's values along v say
            // which side is wrong.
            let finite_difference = |h: F| -> f64 {
                let moved = |sign: F| -> Vec<F> {
                    let shifted: Vec<F> = inputs[k]
                        .iter()
                        .zip(&v_cmp)
                        .map(|(&x, &d)| x + sign * h * d)
                        .collect();
                    let mut refs: Vec<&[F]> = inputs.to_vec();
                    refs[k] = &shifted;
                    let mut values = vec![F::zero(); node.len + node.scratch];
                    node.op.eval(&refs, &mut values);
                    values.truncate(node.len);
                    values
                };
                let (up, down) = (moved(F::one()), moved(-F::one()));
                let slope: Vec<F> = up
                    .iter()
                    .zip(&down)
                    .map(|(&a, &b)| (a - b) / (h + h))
                    .collect();
                masked_dot(&w_cmp, &slope)
            };
            let size = inputs[k]
                .iter()
                .map(|x| x.as_f64().abs())
                .filter(|x| x.is_finite())
                .fold(1.0f64, f64::max);
            let h = F::of_f64(epsilon::<F>().cbrt() * size);
            let fd = finite_difference(h);
            if fd.is_finite() {
                let (to_forward, to_reverse) = ((fd - forward).abs(), (fd - reverse).abs());
                // Decisive only when one side is at least 10 times closer.
                failure.blame = if to_forward * 10.0 < to_reverse {
                    Blame::VjpRule
                } else if to_reverse * 10.0 < to_forward {
                    Blame::Kernel
                } else {
                    Blame::Unknown
                };
            }
            return Err(failure);
        }
        let share = share_full;
        // The write contract. Add: on top of random values of the share's size, the rule
        // must leave prefill + share (an assigning rule leaves the share alone).
        let mean = share
            .iter()
            .map(|s| s.as_f64().abs())
            .filter(|s| s.is_finite())
            .sum::<f64>()
            / share.len().max(1) as f64;
        let prefill: Vec<F> = share
            .iter()
            .map(|s| {
                let size = s.as_f64().abs() + mean;
                let size = if size > 0.0 && size.is_finite() {
                    size
                } else {
                    1.0
                };
                let sign = if rng.next_u64() & 1 == 0 { 1.0 } else { -1.0 };
                F::of_f64(sign * (0.5 + 0.5 * rng.unit()) * size)
            })
            .collect();
        let mut added = prefill.clone();
        node.op.vjp(k, at, &mut added, GradWrite::Add);
        // Assign: every entry written, whatever was there (NaN here).
        let mut assigned = vec![F::nan(); share.len()];
        node.op.vjp(k, at, &mut assigned, GradWrite::Assign);
        for i in 0..share.len() {
            let (s, r) = (share[i].as_f64(), prefill[i].as_f64());
            if !s.is_finite() || !prefill[i].is_finite() {
                continue;
            }
            let room = 1e-6 * (s.abs() + r.abs()) + tiny::<F>();
            let (got_add, got_assign) = (added[i].as_f64(), assigned[i].as_f64());
            let add_off = (got_add - (r + s)).abs();
            if got_add != r + s && (add_off.is_nan() || add_off > room) {
                let rel = add_off / (s.abs() + r.abs());
                return Err(fail(Mismatch::Overwrites, r + s, got_add, rel, 1e-6));
            }
            let assign_off = (got_assign - s).abs();
            if got_assign != s && (assign_off.is_nan() || assign_off > room) {
                let rel = assign_off / s.abs().max(tiny::<F>());
                return Err(fail(Mismatch::LeavesEntries, s, got_assign, rel, 1e-6));
            }
        }
    }
    Ok(())
}
