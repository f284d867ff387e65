//! Partial replay: after a leaf changes, a read replays only the nodes it depends on.
//!
//! A graph often holds more than one output (a training loss beside an evaluation branch);
//! replaying every node for each backward call of the loss made the branch cost as much as
//! the loss itself, every step. So freshness is tracked per node: a *generation* counts the
//! changes of the leaves, and each node remembers the generation its value was computed at.
//! A node is up to date iff its generation is the current one. A replay for output `o` runs
//! `o`'s ancestors that are not up to date, in recorded order; every other node stays stale
//! until a read of its own (or of a node depending on it) replays it.
//!
//! Why this is sound: a node is stamped with the current generation only when it has just
//! been computed from inputs that are themselves up to date (inputs precede their consumers
//! and every replay walks in recorded order), and leaves are always up to date. So one check
//! at `o` answers for all of `o`'s ancestors: that is the fast path of every read.
//!
//! The common case stays as cheap as the full replay was: when `o` depends on every computed
//! node recorded before it (W1-W5 all do), the replay is the plain loop over the nodes up to
//! `o`, and instead of stamping each one it moves a watermark: every node below it is up to
//! date, whatever its stamp (a fill of the stamps cost W1 a few percent). The ancestor list
//! of each output is computed once and cached: the ancestors of a node never change when the
//! graph grows (a later node cannot be an input of an earlier one), so the cache needs no
//! invalidation while the graph lives.

use super::{NodeId, NodeRecord, Tape, evaluate, evaluate_node, heap_bytes};
use crate::scalar::{Elem, Float};

/// How many outputs' ancestor lists are kept (a graph is read from a handful of outputs:
/// a loss, a metric, a prediction); past this the oldest list is forgotten and recomputed
/// if it is asked for again.
const PLANS_KEPT: usize = 16;

/// Which computed nodes are up to date, in the tape (see the [module docs](self)): node `i`
/// is iff it is a leaf, `i < prefix`, or `stamps[i] == generation`.
#[derive(Default)]
pub(crate) struct Freshness {
    /// Counts the changes of the leaves (bumped at a change after something was replayed).
    generation: u32,
    /// Every node below this one is up to date.
    prefix: usize,
    /// The generation each node at or above `prefix` was last computed at, by node id.
    stamps: Vec<u32>,
    /// Some node at or above `prefix` carries the current stamp: without one, the nodes
    /// above `prefix` are all stale and a replay need not look at their stamps.
    stamped: bool,
    /// Cached ancestor lists, per output.
    plans: Plans,
    /// The last output found to depend on every computed node before it: its replay is the
    /// plain loop, taken without looking its plan up.
    prefix_output: Option<NodeId>,
}

/// The cached plans, and the scratch that computes them (kept, like every buffer of the
/// tape, so that a rebuilt graph's first backward call allocates nothing for its plan).
#[derive(Default)]
struct Plans {
    list: Vec<Plan>,
    /// Which nodes the output being planned depends on: node `i` iff `needed[i] == mark`
    /// (a new mark per plan clears them all without a pass over them).
    needed: Vec<u32>,
    mark: u32,
}

impl Plans {
    /// Room for one more plan over a graph of `len` nodes.
    #[inline]
    fn reserve(&mut self, len: usize) {
        if self.list.len() == self.list.capacity() {
            self.list.reserve(1);
        }
        if self.needed.capacity() < len {
            self.needed.reserve(len - self.needed.len());
        }
    }
}

/// What a replay for `output` evaluates.
struct Plan {
    output: NodeId,
    /// The computed ancestors of `output` in recorded order (`output` included), or `None`
    /// when they are every computed node up to `output`: the plain loop over the prefix.
    ancestors: Option<Vec<NodeId>>,
}

impl Freshness {
    /// Forgets every node (the tape is emptied for reuse).
    pub(crate) fn clear(&mut self) {
        self.stamps.clear();
        self.plans.list.clear();
        self.prefix = 0;
        self.stamped = false;
        self.prefix_output = None;
    }

    /// The bytes of capacity of the stamps and the cached plans.
    pub(crate) fn capacity_bytes(&self) -> usize {
        let lists: usize = (self.plans.list.iter())
            .map(|p| p.ancestors.as_ref().map_or(0, heap_bytes))
            .sum();
        heap_bytes(&self.stamps)
            + heap_bytes(&self.plans.list)
            + heap_bytes(&self.plans.needed)
            + lists
    }

    /// Takes note of a node just recorded (and evaluated from up-to-date inputs).
    #[inline]
    pub(crate) fn push(&mut self, leaf: bool) {
        let id = self.stamps.len();
        self.stamps.push(self.generation);
        if self.prefix == id {
            self.prefix += 1;
        } else if !leaf {
            self.stamped = true;
        }
    }

    /// A leaf changed: every computed node is stale.
    #[inline]
    pub(crate) fn mark_stale(&mut self) {
        if self.prefix == 0 && !self.stamped {
            // Nothing is up to date since the last bump: every stamp is already old.
            return;
        }
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            // After 2³² changes the counter wraps: clear the stamps once.
            self.stamps.fill(0);
            self.generation = 1;
        }
        self.prefix = 0;
        self.stamped = false;
    }

    /// Whether every node is up to date.
    pub(crate) fn all(&self) -> bool {
        self.prefix == self.stamps.len()
    }

    /// Whether node `id` is up to date (always so for a leaf).
    #[inline]
    fn is_fresh<F: Float>(&self, nodes: &[NodeRecord<F>], id: NodeId) -> bool {
        (id as usize) < self.prefix
            || (self.stamped && self.stamps[id as usize] == self.generation)
            || nodes[id as usize].op.is_leaf()
    }
}

/// The cached plan of `output` among `plans`, computed on first use. The plan used last is
/// kept at the end, so the usual loop over one output finds it with one comparison.
#[inline]
fn plan<'a, F: Float>(plans: &'a mut Plans, nodes: &[NodeRecord<F>], output: NodeId) -> &'a Plan {
    if plans.list.last().is_none_or(|p| p.output != output) {
        move_plan_last(plans, nodes, output);
    }
    &plans.list[plans.list.len() - 1]
}

/// Moves `output`'s plan to the end of `plans`, computing it if it is not there.
#[cold]
fn move_plan_last<F: Float>(plans: &mut Plans, nodes: &[NodeRecord<F>], output: NodeId) {
    let list = &mut plans.list;
    let plan = match list.iter().position(|p| p.output == output) {
        Some(index) => list.remove(index),
        None => {
            if list.len() == PLANS_KEPT {
                list.remove(0);
            }
            Plan {
                output,
                ancestors: ancestors(nodes, output, &mut plans.needed, &mut plans.mark),
            }
        }
    };
    list.push(plan);
}

/// The computed nodes `output` depends on (itself included), in recorded order; `None` when
/// that is every computed node up to `output`. `needed` and `mark` are scratch kept by the
/// caller (marks of the latest call: bumping `mark` clears them).
fn ancestors<F: Float>(
    nodes: &[NodeRecord<F>],
    output: NodeId,
    needed: &mut Vec<u32>,
    mark: &mut u32,
) -> Option<Vec<NodeId>> {
    let nodes = &nodes[..=output as usize];
    if needed.len() < nodes.len() {
        needed.resize(nodes.len(), 0);
    }
    *mark = mark.wrapping_add(1);
    if *mark == 0 {
        needed.fill(0);
        *mark = 1;
    }
    let mark = *mark;
    needed[output as usize] = mark;
    let mut every = true;
    for (id, node) in nodes.iter().enumerate().rev() {
        if needed[id] == mark {
            for &input in node.inputs() {
                needed[input as usize] = mark;
            }
        } else if !node.op.is_leaf() {
            every = false;
        }
    }
    (!every).then(|| {
        (0..=output)
            .filter(|&id| needed[id as usize] == mark && !nodes[id as usize].op.is_leaf())
            .collect()
    })
}

impl Freshness {
    /// The computed nodes `output` depends on, in recorded order (`None`: every computed
    /// node up to it), from the cached plans: what a pass on dual numbers evaluates, as a
    /// replay does.
    pub(crate) fn ancestors_of<F: Float>(
        &mut self,
        nodes: &[NodeRecord<F>],
        output: NodeId,
    ) -> Option<&[NodeId]> {
        plan(&mut self.plans, nodes, output).ancestors.as_deref()
    }
}

/// Evaluates `ancestors` (from [`Freshness::ancestors_of`]; `None`: every node up to
/// `output`) on `values`, in recorded order, whatever their stamps: a pass on dual numbers
/// computes all of them afresh.
pub(crate) fn evaluate_ancestors<F: Float, T: Elem<F>>(
    nodes: &[NodeRecord<F>],
    ancestors: Option<&[NodeId]>,
    output: NodeId,
    values: &mut [T],
) {
    match ancestors {
        None => evaluate(&nodes[..=output as usize], values),
        Some(ids) => ids
            .iter()
            .for_each(|&id| evaluate_node(&nodes[id as usize], values)),
    }
}

impl<F: Float> Tape<F> {
    /// A leaf changed: computed values must be replayed before they are read.
    #[inline]
    pub(crate) fn mark_stale(&mut self) {
        self.fresh.mark_stale();
    }

    /// Whether node `id`'s value is up to date.
    #[inline]
    pub(crate) fn is_fresh(&self, id: NodeId) -> bool {
        self.fresh.is_fresh(&self.nodes, id)
    }

    /// Replays every stale node, so that every value is up to date.
    pub(crate) fn refresh(&mut self) {
        let end = self.nodes.len();
        self.fresh.replay_range(&self.nodes, &mut self.values, end);
    }

    /// Replays every node unconditionally ([`crate::Graph::forward`]).
    pub(crate) fn replay_all(&mut self) {
        evaluate(&self.nodes, &mut self.values);
        self.fresh.prefix = self.nodes.len();
        self.fresh.stamped = false;
    }

    /// [`Self::refresh_for`] for a backward call. On an up-to-date tape it makes room for
    /// `output`'s plan instead, so that the replays after its first call allocate nothing
    /// for a plan that is the plain loop (the reverse pass sizes its buffers at its first
    /// call too); the plan itself is computed at the first replay that needs it, so that a
    /// graph built for one backward call never computes one (it cost W1's rebuild 6%). An
    /// output that does not depend on every node before it allocates its ancestor list then,
    /// once.
    #[inline]
    pub(crate) fn refresh_for_backward(&mut self, output: NodeId) {
        if !self.is_fresh(output) {
            self.replay_stale(output);
        } else {
            self.fresh.plans.reserve(self.nodes.len());
        }
    }

    /// Replays the stale nodes that `output` depends on, so that its value and every
    /// ancestor's are up to date; other nodes stay as they are.
    #[inline]
    pub(crate) fn refresh_for(&mut self, output: NodeId) {
        if !self.is_fresh(output) {
            self.replay_stale(output);
        }
    }

    /// The replay of [`Self::refresh_for`], for a stale `output`.
    #[inline(always)]
    fn replay_stale(&mut self, output: NodeId) {
        let fresh = &mut self.fresh;
        if fresh.prefix_output == Some(output) && !fresh.stamped {
            // The usual replay (a training loop's loss after a step): the plain loop from the
            // watermark, inlined in the caller.
            let end = output as usize + 1;
            evaluate(&self.nodes[fresh.prefix..end], &mut self.values);
            fresh.prefix = end;
        } else {
            self.replay_planned(output);
        }
    }

    /// The replay of [`Self::refresh_for`] by `output`'s plan.
    fn replay_planned(&mut self, output: NodeId) {
        let Tape {
            nodes,
            values,
            fresh,
            ..
        } = self;
        let end = output as usize + 1;
        match &plan(&mut fresh.plans, nodes, output).ancestors {
            None => {
                fresh.prefix_output = Some(output);
                fresh.replay_range(nodes, values, end);
            }
            Some(ancestors) => {
                let generation = fresh.generation;
                // The ancestors below the watermark are up to date already.
                let start = ancestors.partition_point(|&id| (id as usize) < fresh.prefix);
                for &id in &ancestors[start..] {
                    let stamp = &mut fresh.stamps[id as usize];
                    if *stamp != generation {
                        evaluate_node(&nodes[id as usize], values);
                        *stamp = generation;
                    }
                }
                fresh.stamped = true;
            }
        }
    }
}

impl Freshness {
    /// Replays the stale nodes below `end` and moves the watermark to `end`.
    fn replay_range<F: Float>(&mut self, nodes: &[NodeRecord<F>], values: &mut [F], end: usize) {
        let start = self.prefix;
        if start >= end {
            return;
        }
        if self.stamped {
            let generation = self.generation;
            for (node, &stamp) in nodes[start..end].iter().zip(&self.stamps[start..end]) {
                if stamp != generation {
                    evaluate_node(node, values);
                }
            }
        } else {
            // Nothing above the watermark is up to date: the plain loop.
            evaluate(&nodes[start..end], values);
        }
        self.prefix = end;
        if end == nodes.len() {
            // Nothing is left above the watermark.
            self.stamped = false;
        }
    }
}
