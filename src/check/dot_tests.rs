//! The two dot-product tests of reverse mode against forward mode: the global one of a
//! whole backward call (`<seed, J u>` against `<Jᵀ seed, u>`), and the local one of each
//! node's VJP rule against its kernel on dual numbers, run when the global one fails or on
//! demand. Also the reproducible random directions both draw ([`SplitMix64`]).

use super::{CheckReport, NodeFailure, Tolerances, relative_difference};
use crate::forward::{dot, jvp_raw};
use crate::graph::{NodeId, Tape};
use crate::ops::{GradWrite, MAX_ARITY, Op, VjpIn};
use crate::scalar::Float;
use num_dual::Dual;

/// splitmix64: a tiny, well-mixed generator for the checks' random directions (no
/// dependency, reproducible from its seed).
pub(crate) struct SplitMix64(u64);

impl SplitMix64 {
    pub(crate) fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[-1, 1)`.
    pub(crate) fn symmetric<F: Float>(&mut self) -> F {
        let unit = (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        F::of_f64(2.0 * unit - 1.0)
    }

    fn vector<F: Float>(&mut self, len: usize) -> Vec<F> {
        (0..len).map(|_| self.symmetric()).collect()
    }
}

/// A per-call seed: the output node and the bits of the backward seed, mixed.
pub(super) fn call_seed<F: Float>(output: NodeId, seed: &[F]) -> u64 {
    let mut mix = SplitMix64::new(u64::from(output));
    let mut state = mix.next_u64();
    for &s in seed {
        state ^= s.as_f64().to_bits();
        state = SplitMix64::new(state).next_u64();
    }
    state
}

/// The dot-product test of the backward call that just ran from `output` with `seed`.
///
/// Reads `Jᵀ seed` from the tape's adjoints at the parameters the sweep reached: a sweep that
/// is to be checked keeps parameters' shares in their adjoints (not only in the gradients,
/// which hold earlier calls' sums too), and it overwrites each adjoint on its first
/// contribution, so afterwards each reached parameter's adjoint is exactly this call's
/// contribution to its gradient. A parameter the
/// sweep did not reach does not influence the output (its slot holds an older call's
/// adjoint), so it gets no direction: its share of both sides is zero.
pub(crate) fn dot_product_test<F: Float>(
    tape: &Tape<F>,
    output: NodeId,
    seed: &[F],
) -> CheckReport {
    let tolerance = Tolerances::of::<F>().forward_vs_reverse;
    let mut rng = SplitMix64::new(call_seed(output, seed));
    let mut directions: Vec<(NodeId, Vec<F>)> = Vec::new();
    let (mut reverse, mut scale) = (0.0f64, 0.0f64);
    for (id, node) in tape.nodes[..=output as usize].iter().enumerate() {
        if let (Op::Param { .. }, true) = (&node.op, tape.reached[id] == tape.epoch) {
            let u: Vec<F> = rng.vector(node.len);
            for (&adjoint, &ui) in tape.adjoints[node.range()].iter().zip(&u) {
                let term = (adjoint * ui).as_f64();
                reverse += term;
                scale += term.abs();
            }
            directions.push((id as NodeId, u));
        }
    }
    let borrowed: Vec<(NodeId, &[F])> = directions
        .iter()
        .map(|(id, u)| (*id, u.as_slice()))
        .collect();
    let ju = jvp_raw(tape, output, &borrowed);
    let mut forward = 0.0f64;
    for (&s, &j) in seed.iter().zip(&ju) {
        let term = (s * j).as_f64();
        forward += term;
        scale += term.abs();
    }
    let rel_error = relative_difference((forward - reverse).abs(), scale);
    let passed = rel_error <= tolerance;
    let culprit = if passed {
        None
    } else {
        check_nodes(tape, output, &mut rng).err()
    };
    CheckReport {
        output: output as usize,
        forward,
        reverse,
        rel_error,
        tolerance,
        passed,
        culprit,
    }
}

/// The per-node checks: every computed node `output` depends on, in recorded order, each
/// input needing a gradient compared locally; the first disagreement is returned.
pub(crate) fn check_nodes<F: Float>(
    tape: &Tape<F>,
    output: NodeId,
    rng: &mut SplitMix64,
) -> Result<(), NodeFailure> {
    let tolerance = Tolerances::of::<F>().forward_vs_reverse;
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
        if !needed[id] || node.op.is_leaf() || !node.requires_grad {
            continue;
        }
        let mut inputs: [&[F]; MAX_ARITY] = [&[]; MAX_ARITY];
        for (slot, &input) in inputs.iter_mut().zip(node.inputs()) {
            *slot = tape.value(input);
        }
        let inputs = &inputs[..node.arity as usize];
        let out = &tape.values[node.full_range()];
        let w: Vec<F> = rng.vector(node.len);
        for (k, &input) in node.inputs().iter().enumerate() {
            if !tape.nodes[input as usize].requires_grad {
                continue;
            }
            let v: Vec<F> = rng.vector(inputs[k].len());
            // Forward mode, locally: the kernel on dual numbers, moving input k along v.
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
            // Reverse mode, locally: the VJP rule seeded with w.
            let mut grad_in = vec![F::zero(); inputs[k].len()];
            let at = VjpIn {
                inputs,
                out,
                grad_out: &w,
            };
            node.op.vjp(k, at, &mut grad_in, GradWrite::Add);
            let forward = dot(&w, &jv).as_f64();
            let reverse = dot(&grad_in, &v).as_f64();
            let scale: f64 = w
                .iter()
                .zip(&jv)
                .map(|(a, b)| (*a * *b).as_f64().abs())
                .sum::<f64>()
                + grad_in
                    .iter()
                    .zip(&v)
                    .map(|(a, b)| (*a * *b).as_f64().abs())
                    .sum::<f64>();
            let rel_error = relative_difference((forward - reverse).abs(), scale);
            // NaN fails too.
            let agrees = rel_error <= tolerance;
            if !agrees {
                return Err(NodeFailure {
                    node: id,
                    op: node.op.name(),
                    dims: node.dims,
                    input: k,
                    forward,
                    reverse,
                    rel_error,
                    tolerance,
                });
            }
        }
    }
    Ok(())
}
