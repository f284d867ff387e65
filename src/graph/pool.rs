//! Tapes kept for the next [`Graph::with`](super::Graph::with) on the same thread.
//!
//! A program that builds a graph per gradient (`Graph::with` in a loop) used to free every
//! buffer of the tape when the closure returned, and allocate them again at the next build.
//! In a fresh process with glibc's default settings that is not a free list's cheap reuse:
//! buffers above the mmap threshold (128 KiB) are unmapped on free and fault in fresh zeroed
//! pages when they come back, and trimming returns the top of the heap to the system. W3 at
//! N = 1024 rebuilt cost 17 times its replay for that reason. So a dropped tape is emptied
//! (its lengths set to zero, its capacity kept) and parked in a thread-local pool, from
//! which the next graph of the same float type on that thread takes it.
//!
//! Bounds: at most [`KEPT`] tapes per thread and float type (one for a graph, one for a
//! graph nested in its closure); a tape whose buffers hold more than [`MAX_KEPT_BYTES`] is
//! freed, not kept, so one huge graph does not pin its memory for the rest of the thread's
//! life. A graph whose closure panics is freed, not kept (the tape is given back by
//! `Graph::with` when the closure returns, not by a `Drop` of the graph, which would keep
//! the graph's brand borrowed through its drop). No pool is borrowed while user code runs (a custom op's
//! `Drop`, say), so that code may itself build graphs.

use super::Tape;
use crate::scalar::Float;
use std::any::{Any, TypeId};
use std::cell::RefCell;

/// How many emptied tapes a thread keeps per float type.
pub(crate) const KEPT: usize = 2;

/// The largest tape kept, in bytes of buffer capacity (64 MiB).
pub(crate) const MAX_KEPT_BYTES: usize = 64 << 20;

thread_local! {
    static F64: RefCell<Vec<Pooled<f64>>> = const { RefCell::new(Vec::new()) };
    static F32: RefCell<Vec<Pooled<f32>>> = const { RefCell::new(Vec::new()) };
}

/// Runs `run` on this thread's pool of `Tape<F>`, unless the pool is gone (the thread is
/// ending) or in use. `Float` is sealed to `f32` and `f64`, the two pools.
/// A tape as a graph borrows it, boxed, so that taking it from the pool and giving it back
/// move a pointer, not the tape's 272 bytes (moved inline, the four copies of it cost W1's
/// rebuild 12% of its instructions).
pub(crate) type Pooled<F> = Box<RefCell<Tape<F>>>;

fn with_pool<F: Float>(run: impl FnOnce(&mut Vec<Pooled<F>>)) {
    let mut run = Some(run);
    let mut visit = |pool: &dyn Any| {
        if let Some(pool) = pool.downcast_ref::<RefCell<Vec<Pooled<F>>>>()
            && let Ok(mut pool) = pool.try_borrow_mut()
            && let Some(run) = run.take()
        {
            run(&mut pool);
        }
    };
    // Either key may already be destroyed at thread exit: then there is no pool.
    if TypeId::of::<F>() == TypeId::of::<f64>() {
        let _ = F64.try_with(|pool| visit(pool));
    } else if TypeId::of::<F>() == TypeId::of::<f32>() {
        let _ = F32.try_with(|pool| visit(pool));
    }
}

/// A tape for a new graph: a kept one if there is one, else a new one.
pub(crate) fn take<F: Float>() -> Pooled<F> {
    let mut tape = None;
    with_pool::<F>(|pool| tape = pool.pop());
    tape.unwrap_or_else(|| Box::new(RefCell::new(Tape::new())))
}

/// Gives a graph's tape back to its thread's pool, emptied, if there is room and it is not
/// too large; otherwise its buffers are freed as usual.
pub(crate) fn give_back<F: Float>(mut tape: Pooled<F>) {
    if tape.get_mut().capacity_bytes() > MAX_KEPT_BYTES {
        return;
    }
    // Before the pool is borrowed: dropping the nodes runs custom ops' `Drop`.
    tape.get_mut().clear_for_reuse();
    with_pool::<F>(|pool| {
        if pool.len() < KEPT {
            pool.push(tape);
        }
    });
}

/// The bytes a vector holds on the heap (its capacity): what the pool's cap counts.
pub(crate) fn heap_bytes<T>(v: &Vec<T>) -> usize {
    v.capacity() * size_of::<T>()
}

impl<F: Float> Tape<F> {
    /// The bytes of capacity of the tape's buffers.
    fn capacity_bytes(&self) -> usize {
        heap_bytes(&self.nodes)
            + heap_bytes(&self.values)
            + heap_bytes(&self.grads)
            + heap_bytes(&self.params)
            + self.sweep.capacity_bytes()
            + self.fresh.capacity_bytes()
            + self.workspace.capacity_bytes()
    }

    /// Empties the tape for the next graph, keeping the capacity of its buffers.
    ///
    /// The reverse sweep's scratch is kept as it is, not cleared: adjoints below the output
    /// may hold garbage (each sweep writes before it reads), and every mark is below the
    /// next epoch (the epoch keeps counting), so the next graph's first backward call needs
    /// no fill of them up to the old length. The Jacobian workspace is kept for the same
    /// reasons (its passes lift the leaves and compute every other value they read).
    fn clear_for_reuse(&mut self) {
        self.nodes.clear();
        self.values.clear();
        self.grads.clear();
        self.grads_cleared = false;
        self.params.clear();
        self.fresh.clear();
        self.check_backward = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prelude::*;

    /// How many tapes this thread keeps for `F`, and the capacity of the last one's values.
    fn kept<F: Float>() -> (usize, usize) {
        let mut seen = (0, 0);
        with_pool::<F>(|pool| {
            seen = (
                pool.len(),
                pool.last().map_or(0, |t| t.borrow().values.capacity()),
            );
        });
        seen
    }

    #[test]
    fn a_dropped_graph_leaves_its_buffers_to_the_next() {
        assert_eq!(kept::<f64>(), (0, 0));
        Graph::with(|g| {
            let x = g.param(Tensor::<Rank1<100>>::ones());
            (x * x).sum().backward();
        });
        let (count, capacity) = kept::<f64>();
        assert_eq!(count, 1);
        assert!(
            capacity >= 201,
            "values of 201 elements, capacity {capacity}"
        );
        // The next graph takes it (and gives it back), the other float type has its own.
        Graph::<f64>::with(|g| {
            assert_eq!(kept::<f64>().0, 0);
            assert!(g.tape().values.capacity() >= 201 && g.is_empty());
        });
        Graph::<f32>::with(|g| {
            let _ = g.param(Tensor::<Rank0, f32>::from(1.0));
        });
        assert_eq!(kept::<f64>().0, 1);
        assert_eq!(kept::<f32>().0, 1);
    }

    #[test]
    fn at_most_two_tapes_are_kept_and_none_above_the_size_cap() {
        fn nest(depth: usize) {
            Graph::<f64>::with(|g| {
                let _ = g.param(Tensor::<Rank0>::from(1.0)) * 2.0;
                if depth > 0 {
                    nest(depth - 1);
                }
            });
        }
        nest(5);
        assert_eq!(kept::<f64>().0, 2);
        with_pool::<f64>(|pool| pool.clear());
        let mut huge = take::<f64>();
        huge.get_mut()
            .values
            .reserve(MAX_KEPT_BYTES / size_of::<f64>() + 1);
        give_back(huge);
        assert_eq!(kept::<f64>().0, 0, "a tape above the cap is freed");
    }
}
