//! Graphviz DOT export of a graph.

use super::Graph;
use crate::scalar::Float;
use std::fmt::Write;

impl<F: Float> Graph<'_, F> {
    /// The graph in Graphviz DOT: one box per node with its op (or leaf kind) and dims, an
    /// edge from each input to its consumer.
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank1<2>>::ones());
    ///     let _ = (x * 2.0).sum();
    ///     let dot = g.to_dot();
    ///     assert!(dot.starts_with("digraph tygrad {"));
    ///     assert!(dot.contains("n1 [label=\"MulScalarBackward [2]\"]"));
    ///     assert!(dot.contains("n0 -> n1"));
    /// });
    /// ```
    pub fn to_dot(&self) -> String {
        let tape = self.tape();
        let mut dot = String::from("digraph tygrad {\n  rankdir=LR;\n  node [shape=box];\n");
        for (id, node) in tape.nodes.iter().enumerate() {
            let _ = writeln!(dot, "  n{id} [label=\"{} {:?}\"];", node.op.name(), node.dims);
            for input in node.inputs() {
                let _ = writeln!(dot, "  n{input} -> n{id};");
            }
        }
        dot.push_str("}\n");
        dot
    }
}
