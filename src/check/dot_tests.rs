//! The dot-product test of a whole backward call (`<seed, J u>` against `<Jᵀ seed, u>`)
//! with its noise floor, and the reproducible random directions every check draws
//! ([`SplitMix64`]). The per-node checks it falls back on are in `nodes.rs`.

use super::nodes::{Scope, abs_dot, check_nodes, direction, masked_dot};
use super::{CheckReport, NOISE_FACTOR, Tolerances, relative_difference};
use crate::forward::private_sweep;
use crate::graph::{NodeId, Tape, evaluate};
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

    /// Uniform in `[0, 1)`.
    pub(crate) fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in `[-1, 1)`.
    pub(crate) fn symmetric<F: Float>(&mut self) -> F {
        F::of_f64(2.0 * self.unit() - 1.0)
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

/// The machine epsilon of `F`, as `f64`.
pub(super) fn epsilon<F: Float>() -> f64 {
    <F as num_traits::Float>::epsilon().as_f64()
}

/// The smallest positive normal number of `F`, as `f64`: the absolute floor per term.
pub(super) fn tiny<F: Float>() -> f64 {
    <F as num_traits::Float>::min_positive_value().as_f64()
}

/// Every node's adjoint after one reverse sweep from `output` seeded with `seed`, in a
/// private buffer laid out like the values (the graph's adjoints and gradients are
/// untouched), and which nodes the sweep reached. A uniform adjoint (held as one number by
/// the sweep) is written out.
fn all_adjoints<F: Float>(tape: &Tape<F>, output: NodeId, seed: &[F]) -> (Vec<F>, Vec<bool>) {
    let nodes = &tape.nodes[..=output as usize];
    let mut sweep = private_sweep(nodes, &tape.values, output, seed, |_: usize, _: &[F]| {});
    for (node, uniform) in nodes.iter().zip(&sweep.uniform) {
        if let Some(g) = *uniform {
            sweep.adjoints[node.range()].fill(g);
        }
    }
    (sweep.adjoints, sweep.reached)
}

/// One dual-number pass up to `output` with every parameter moving along its direction in
/// `directions` (indexed by node); every node's tangent, laid out like the values.
fn all_tangents<F: Float>(tape: &Tape<F>, output: NodeId, directions: &[Option<Vec<F>>]) -> Vec<F> {
    let nodes = &tape.nodes[..=output as usize];
    let end = nodes[output as usize].full_range().end;
    let mut values: Vec<Dual<F>> = tape.values[..end]
        .iter()
        .map(|&v| Dual::new(v, F::zero()))
        .collect();
    for (node, direction) in nodes.iter().zip(directions) {
        if let Some(u) = direction {
            for (value, &d) in values[node.range()].iter_mut().zip(u) {
                value.eps = d;
            }
        }
    }
    evaluate(nodes, &mut values);
    values.iter().map(|v| v.eps).collect()
}

/// The dot-product test of the backward call that just ran from `output` with `seed`.
///
/// `Jᵀ seed` comes from a private reverse sweep (the same rules as the call itself, so the
/// gradients the call accumulated are never touched and a checked run gives the same bits as
/// a plain one); `J u` from one dual pass. Every node's adjoint `ā` and tangent `ṫ` are kept,
/// and each node's term `Σ |ā ṫ|` feeds the noise floor (see the [module docs](super)).
pub(crate) fn dot_product_test<F: Float>(
    tape: &Tape<F>,
    output: NodeId,
    seed: &[F],
) -> CheckReport {
    let tolerance = Tolerances::of::<F>().forward_vs_reverse;
    let mut rng = SplitMix64::new(call_seed(output, seed));
    let nodes = &tape.nodes[..=output as usize];
    // Output entries whose value is not finite take no part (their seed is 0 on both sides).
    let seed: Vec<F> = seed
        .iter()
        .zip(tape.value(output))
        .map(|(&s, y)| if y.is_finite() { s } else { F::zero() })
        .collect();
    let seed = &seed[..];
    let (adjoints, reached) = all_adjoints(tape, output, seed);
    // A direction for each parameter the sweep reached (the others cannot influence the
    // output: their share of both sides is zero).
    let directions: Vec<Option<Vec<F>>> = nodes
        .iter()
        .zip(&reached)
        .map(|(node, &hit)| {
            (hit && matches!(node.op, Op::Param { .. }))
                .then(|| direction(&mut rng, &tape.values[node.range()]))
        })
        .collect();
    let tangents = all_tangents(tape, output, &directions);
    let (mut reverse, mut scale) = (0.0f64, 0.0f64);
    for (node, u) in nodes.iter().zip(&directions) {
        if let Some(u) = u {
            reverse += masked_dot(u, &adjoints[node.range()]);
            scale += abs_dot(u, &adjoints[node.range()]);
        }
    }
    let out_tangent = &tangents[nodes[output as usize].range()];
    let forward = masked_dot(seed, out_tangent);
    scale += abs_dot(seed, out_tangent);
    // The floor: every reached node's term Σ |ā ṫ|, and each of its inputs' shares
    // Σ |(J_kᵀ ā) ṫ_k| (what cancels where adjoints or tangents of several paths meet), the
    // finite products only; and the widest input.
    let (mut terms, mut widest, mut count) = (vec![0.0f64; nodes.len()], 0usize, 0usize);
    let mut shares = vec![f64::INFINITY; nodes.len()];
    let mut buffer: Vec<F> = Vec::new();
    let mut flushed = 0.0f64;
    for (id, node) in nodes.iter().enumerate() {
        if !reached[id] {
            continue;
        }
        count += node.len;
        let input_len: usize = node
            .inputs()
            .iter()
            .map(|&i| tape.nodes[i as usize].len)
            .sum();
        widest = widest.max(input_len);
        terms[id] = abs_dot(&adjoints[node.range()], &tangents[node.range()]);
        // A tangent or an adjoint below the normal range may flush to zero in one mode
        // only: up to `tiny` per unit of the other side.
        let l1 = |x: &[F]| -> f64 {
            x.iter()
                .map(|t| t.as_f64().abs())
                .filter(|t| t.is_finite())
                .sum()
        };
        flushed += l1(&adjoints[node.range()]) + l1(&tangents[node.range()]);
        if node.op.is_leaf() || !node.requires_grad {
            continue;
        }
        let mut inputs: [&[F]; MAX_ARITY] = [&[]; MAX_ARITY];
        for (slot, &input) in inputs.iter_mut().zip(node.inputs()) {
            *slot = tape.value(input);
        }
        let at = VjpIn {
            inputs: &inputs[..node.arity as usize],
            out: &tape.values[node.full_range()],
            grad_out: &adjoints[node.range()],
        };
        for (k, &input) in node.inputs().iter().enumerate() {
            let input = &tape.nodes[input as usize];
            if !input.requires_grad {
                continue;
            }
            buffer.clear();
            buffer.resize(input.len, F::zero());
            node.op.vjp(k, at, &mut buffer, GradWrite::Assign);
            let share = abs_dot(&buffer, &tangents[input.range()]);
            // A slope below the normal range may flush to zero in one mode and not in the
            // other: up to `tiny` per unit of adjoint and of input tangent.
            let largest = |x: &[F]| {
                x.iter()
                    .map(|t| t.as_f64().abs())
                    .filter(|t| t.is_finite())
                    .fold(0.0, f64::max)
            };
            let adjoint_sum: f64 = adjoints[node.range()]
                .iter()
                .map(|a| a.as_f64().abs())
                .filter(|a| a.is_finite())
                .sum();
            flushed += adjoint_sum * largest(&tangents[input.range()]);
            terms[id] += share;
            shares[id] = shares[id]
                .min(share.max(abs_dot(&adjoints[node.range()], &tangents[node.range()])));
        }
    }
    let eps = epsilon::<F>();
    let width = 1.0 + (widest as f64).sqrt();
    let noise_floor = NOISE_FACTOR
        * (eps * width * terms.iter().sum::<f64>() + (count as f64 + flushed) * tiny::<F>());
    let diff = (forward - reverse).abs();
    let rel_error = relative_difference(diff, scale);
    let finite = forward.is_finite() && reverse.is_finite();
    // A value already non-finite somewhere: the per-node checks judge (see `nodes.rs`).
    let values_finite = nodes
        .iter()
        .zip(&reached)
        .all(|(n, &hit)| !hit || tape.values[n.range()].iter().all(|v| v.is_finite()));
    // Conclusive: finite, and a 1e-8 relative error in any one node's share would stand out
    // of the floor (with a margin of 10 and 1/√len for the random projection).
    let resolves_every_node = nodes.iter().enumerate().all(|(id, node)| {
        !reached[id]
            || node.op.is_leaf()
            || !node.requires_grad
            || 1e-9 * shares[id] / (node.len as f64).sqrt() >= noise_floor
    });
    let global_pass = finite && diff <= noise_floor;
    let has_custom = nodes
        .iter()
        .zip(&reached)
        .any(|(n, &hit)| hit && matches!(n.op, Op::Custom(_)));
    let scope = if global_pass && resolves_every_node && values_finite {
        // Conclusive: only custom ops' contracts (they are the users' code) are checked.
        has_custom.then_some(Scope::Custom)
    } else {
        Some(Scope::All)
    };
    let culprit = match scope {
        Some(scope) => check_nodes(tape, output, &mut rng, scope).err(),
        None => None,
    };
    let nodes_checked = scope == Some(Scope::All);
    // A graph-wide disagreement above the floor with every node right locally is still a
    // failure (a kernel that drops its tangent, a broken sweep). Non-finite values are
    // values: where a side is not finite, some node's derivative is not (or a value), and
    // the per-node checks judge, entry by entry (one side finite and the other not fails
    // there, naming the node); zeros meeting infinities in different places of the two
    // sweeps are not a disagreement.
    let passed = culprit.is_none() && (!finite || diff <= noise_floor);
    CheckReport {
        output: output as usize,
        forward,
        reverse,
        rel_error,
        tolerance,
        noise_floor,
        nodes_checked,
        passed,
        culprit,
    }
}
