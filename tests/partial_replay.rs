//! Partial replay: after a leaf changes, a read or backward call of one node replays only the
//! nodes it depends on; the others are replayed when they are read (or when a node depending
//! on them is), so every read still sees values consistent with the current leaves.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tygrad::optim::{Optimizer, Sgd};
use tygrad::prelude::*;

/// `y = 2 x`, elementwise, counting how often its kernel runs.
struct CountingDouble(Arc<AtomicUsize>);

impl CustomOp<f64> for CountingDouble {
    fn name(&self) -> &'static str {
        "CountingDoubleBackward"
    }
    fn eval<T: Elem<f64>>(&self, inputs: &[&[T]], out: &mut [T]) {
        self.0.fetch_add(1, Ordering::Relaxed);
        for (o, &x) in out.iter_mut().zip(inputs[0]) {
            *o = x * 2.0;
        }
    }
    fn vjp<T: Elem<f64>>(
        &self,
        _k: usize,
        _inputs: &[&[T]],
        _out: &[T],
        grad_out: &[T],
        grad_in: &mut [T],
    ) {
        for (gi, &go) in grad_in.iter_mut().zip(grad_out) {
            *gi += go * 2.0;
        }
    }
}

#[test]
fn backward_of_the_loss_does_not_replay_an_unrelated_branch() {
    let runs = Arc::new(AtomicUsize::new(0));
    Graph::with(|g| {
        let x = g.param(Tensor::<Rank1<3>>::from([1.0, 2.0, 3.0]));
        let loss = (x * x).sum();
        // The branch also reads `x`, but the loss does not depend on it.
        let branch = x
            .custom_unary::<Rank1<3>, _>(CountingDouble(runs.clone()))
            .exp()
            .sum();
        assert_eq!(runs.load(Ordering::Relaxed), 1, "recorded nodes run once");

        x.set_value(&Tensor::from([-1.0, 0.5, 4.0]));
        g.zero_grad();
        loss.backward();
        assert_eq!(x.grad().as_slice(), &[-2.0, 1.0, 8.0]);
        assert_eq!(loss.item(), 1.0 + 0.25 + 16.0);
        assert_eq!(
            runs.load(Ordering::Relaxed),
            1,
            "the loss's replay ran the branch"
        );

        // Read, the branch is replayed then, from the leaves as they are now.
        let expected = (-2.0f64).exp() + 1.0f64.exp() + 8.0f64.exp();
        assert_eq!(branch.item(), expected);
        assert_eq!(runs.load(Ordering::Relaxed), 2);
        // Up to date now: reading either output again replays nothing.
        assert_eq!(branch.item(), expected);
        assert_eq!(loss.item(), 17.25);
        assert_eq!(runs.load(Ordering::Relaxed), 2);

        // `forward` still replays every node.
        g.forward();
        assert_eq!(runs.load(Ordering::Relaxed), 3);
    });
}

#[test]
fn a_shared_node_replayed_for_one_output_is_not_replayed_for_another() {
    let runs = Arc::new(AtomicUsize::new(0));
    Graph::with(|g| {
        let x = g.param(Tensor::<Rank1<2>>::from([1.0, 2.0]));
        let shared = x.custom_unary::<Rank1<2>, _>(CountingDouble(runs.clone()));
        let first = shared.sum();
        let second = (shared * x).sum();
        x.set_value(&Tensor::from([3.0, 5.0]));
        assert_eq!(first.item(), 16.0);
        assert_eq!(second.item(), 2.0 * (9.0 + 25.0));
        second.backward();
        assert_eq!(x.grad().as_slice(), &[12.0, 20.0]);
        assert_eq!(
            runs.load(Ordering::Relaxed),
            2,
            "the shared node ran once per change"
        );
    });
}

#[test]
fn a_node_recorded_after_a_change_sees_the_new_values() {
    Graph::with(|g| {
        let x = g.param(Tensor::<Rank0>::from(2.0));
        let c = g.constant(Tensor::<Rank0>::from(10.0));
        let loss = x * x;
        let branch = c * x + 1.0;
        x.set_value(&Tensor::from(3.0));
        // Inputs stale: recording replays what it reads.
        let both = loss + branch;
        assert_eq!(both.item(), 9.0 + 31.0);
        c.set_value(&Tensor::from(-1.0));
        loss.backward();
        // Only leaves and the fresh loss as inputs: nothing stale is read.
        let again = loss * c;
        assert_eq!(again.item(), -9.0);
        assert_eq!(branch.item(), -2.0);
        assert_eq!(both.item(), 7.0);
        assert_eq!(x.grad().item(), 6.0);
    });
}

/// The graph of the random test: three leaves and outputs sharing parts of the graph.
struct Net<'g> {
    p: Var<'g, Rank1<3>, f64, kind::Param>,
    q: Var<'g, Rank1<3>, f64, kind::Param>,
    c: Var<'g, Rank1<3>, f64, kind::Constant>,
    /// The scalar outputs: `sum(a b)`, `sum(exp a)`, `sum(b² q)`, `sum(q)`.
    outputs: [Var<'g, Rank0>; 4],
    /// Intermediate nodes, read as vectors: `a = p c`, `b = tanh(q + 1)`.
    vectors: [Var<'g, Rank1<3>>; 2],
}

fn net<'g>(g: &'g Graph<'g>, leaves: &[Tensor<Rank1<3>>; 3]) -> Net<'g> {
    let p = g.param(leaves[0].clone());
    let q = g.param(leaves[1].clone());
    let c = g.constant(leaves[2].clone());
    let a = p * c;
    let b = (q + 1.0).tanh();
    let outputs = [
        (a * b).sum(),
        a.exp().sum(),
        (b.square() * q).sum(),
        q.sum(),
    ];
    Net {
        p,
        q,
        c,
        outputs,
        vectors: [a, b],
    }
}

/// What a graph built afresh from `leaves` reads: the vectors, the outputs, and each
/// output's gradients with respect to `p` and `q`.
struct Reference {
    vectors: [Tensor<Rank1<3>>; 2],
    outputs: [f64; 4],
    grads: [[Tensor<Rank1<3>>; 2]; 4],
}

fn reference(leaves: &[Tensor<Rank1<3>>; 3]) -> Reference {
    Graph::with(|g| {
        let n = net(g, leaves);
        let grads = n.outputs.map(|out| {
            g.zero_grad();
            out.backward();
            [n.p.grad(), n.q.grad()]
        });
        Reference {
            vectors: n.vectors.map(|v| v.value()),
            outputs: n.outputs.map(|o| o.item()),
            grads,
        }
    })
}

/// SplitMix64: a small deterministic generator for the random orders.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn tensor(&mut self) -> Tensor<Rank1<3>> {
        Tensor::from_fn(|_| (self.next() >> 11) as f64 / (1u64 << 53) as f64 * 4.0 - 2.0)
    }
}

/// Random orders of leaf changes (`set_value`, `update`, an optimizer step), reads of every
/// kind, backward calls, `forward` and nodes recorded on the way, each read compared with a
/// graph built afresh from the current leaves: the same kernels on the same inputs, so the
/// values agree to the bit.
#[test]
fn random_orders_of_changes_and_reads_match_a_fresh_graph() {
    let mut rng = Rng(14);
    let mut checks = 0;
    for _case in 0..60 {
        let mut leaves = [rng.tensor(), rng.tensor(), rng.tensor()];
        Graph::with(|g| {
            let n = net(g, &leaves);
            // Nodes recorded on the way: `2 outputs[i] + outputs[j]`, with `(i, j)`.
            let mut extra: Vec<(Var<'_, Rank0>, usize, usize)> = Vec::new();
            for _step in 0..40 {
                match rng.below(10) {
                    0 => {
                        leaves[0] = rng.tensor();
                        n.p.set_value(&leaves[0]);
                    }
                    1 => {
                        leaves[1] = rng.tensor();
                        n.q.set_value(&leaves[1]);
                    }
                    2 => {
                        leaves[2] = rng.tensor();
                        n.c.set_value(&leaves[2]);
                    }
                    3 => {
                        let i = rng.below(2);
                        assert_eq!(n.vectors[i].value(), reference(&leaves).vectors[i]);
                        checks += 1;
                    }
                    4 => {
                        let i = rng.below(4);
                        assert_eq!(n.outputs[i].item(), reference(&leaves).outputs[i]);
                        checks += 1;
                    }
                    5 => {
                        let i = rng.below(4);
                        g.zero_grad();
                        n.outputs[i].backward();
                        let expected = &reference(&leaves).grads[i];
                        assert_eq!(n.p.grad(), expected[0]);
                        assert_eq!(n.q.grad(), expected[1]);
                        checks += 1;
                    }
                    6 => g.forward(),
                    7 => {
                        // A step on the gradients there are, then the leaves as they are.
                        if rng.below(2) == 0 {
                            n.p.update(|x, d| x - 0.125 * d);
                        } else {
                            Sgd::new(0.0625).step(g);
                        }
                        leaves[0] = n.p.value();
                        leaves[1] = n.q.value();
                    }
                    8 => {
                        let (i, j) = (rng.below(4), rng.below(4));
                        extra.push((n.outputs[i] * 2.0 + n.outputs[j], i, j));
                    }
                    _ => {
                        if let Some(&(node, i, j)) = extra.get(rng.below(extra.len() + 1)) {
                            let r = reference(&leaves).outputs;
                            assert_eq!(node.item(), r[i] * 2.0 + r[j]);
                            checks += 1;
                        }
                    }
                }
            }
            // At the end, every node agrees, whatever was read last.
            let r = reference(&leaves);
            for (node, i, j) in &extra {
                assert_eq!(node.item(), r.outputs[*i] * 2.0 + r.outputs[*j]);
            }
            assert_eq!(n.outputs.map(|o| o.item()), r.outputs);
            assert_eq!(n.vectors.map(|v| v.value()), r.vectors);
        });
    }
    assert!(checks > 500, "only {checks} reads were compared");
}

/// The forward passes of Jacobians and Hessians skip a branch their output does not depend
/// on, as replays do: a counting branch recorded before the output runs in none of them, and
/// the output's Jacobian and Hessian are still the closed form `d (x²).sum() = 2 x`, `2 I`.
#[test]
fn jacobians_and_hessians_skip_a_branch_their_output_does_not_depend_on() {
    let runs = Arc::new(AtomicUsize::new(0));
    Graph::with(|g| {
        let x = g.param(Tensor::<Rank1<3>>::from([1.0, -2.0, 0.5]));
        let branch = x
            .custom_unary::<Rank1<3>, _>(CountingDouble(runs.clone()))
            .sum();
        let loss = (x * x).sum();
        let before = runs.load(Ordering::Relaxed);
        let j = loss.jacobian_fwd(x);
        assert_eq!(j.row(0), &[2.0, -4.0, 1.0]);
        let h = loss.hessian(x);
        for i in 0..3 {
            for k in 0..3 {
                assert_eq!(h[(i, k)], if i == k { 2.0 } else { 0.0 });
            }
        }
        assert_eq!(
            runs.load(Ordering::Relaxed),
            before,
            "the branch ran in a pass of the loss"
        );
        // The branch's own Jacobian runs it, once per pass, and is right.
        let jb = branch.jacobian_fwd(x);
        assert_eq!(jb.row(0), &[2.0, 2.0, 2.0]);
        assert_eq!(runs.load(Ordering::Relaxed), before + 1);
    });
}
