//! Graphviz DOT export of a graph.

use super::Graph;
use crate::ops::Op;
use crate::scalar::Float;
use std::fmt::Write;

impl<F: Float> Graph<'_, F> {
    /// The graph in Graphviz DOT: one box per node with its op (or leaf kind) and dims, an
    /// edge from each input to its consumer. For a picture with kinds, colours and
    /// gradients, see [`to_dot_detailed`](Self::to_dot_detailed).
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
            let _ = writeln!(
                dot,
                "  n{id} [label=\"{} {:?}\"];",
                node.op.name(),
                node.dims
            );
            for input in node.inputs() {
                let _ = writeln!(dot, "  n{input} -> n{id};");
            }
        }
        dot.push_str("}\n");
        dot
    }

    /// The graph in Graphviz DOT, drawn for people: each node labelled with its id, its op
    /// (PyTorch's `grad_fn` name) or leaf kind, its shape and its kind; parameters filled
    /// blue, constants dashed, outputs (nodes nothing consumes) with a double border; the
    /// value of every scalar node. With `gradients`, each parameter also shows the norm of its
    /// accumulated gradient, `‖∇‖ = sqrt(Σ grad²)` (0 after a `zero_grad`), so that the
    /// picture after a backward pass shows where the gradient went.
    ///
    /// Render it with Graphviz: `dot -Tsvg graph.dot > graph.svg` (the README's picture is
    /// `cargo run --example seed -- --dot | dot -Tsvg`).
    ///
    /// ```
    /// use tygrad::prelude::*;
    /// Graph::with(|g| {
    ///     let x = g.param(Tensor::<Rank1<2>>::from([3.0, 4.0]));
    ///     let c = g.constant(Tensor::<Rank1<2>>::ones());
    ///     let loss = (x * c).sum() * 0.5;
    ///     loss.backward();
    ///     let dot = g.to_dot_detailed(true);
    ///     assert!(dot.contains("n0 [label=\"#0 parameter\\n[2]\\n‖∇‖ = 0.7071\""));
    ///     assert!(dot.contains("fillcolor=\"#cfe2ff\""));
    ///     assert!(dot.contains("n1 [label=\"#1 constant\\n[2]\", style=dashed]"));
    ///     assert!(dot.contains("n2 [label=\"#2 MulBackward\\n[2] computed\""));
    ///     assert!(dot.contains("n4 [label=\"#4 MulScalarBackward\\nscalar = 3.5\", peripheries=2]"));
    ///     assert!(dot.contains("n0 -> n2;") && dot.contains("n1 -> n2;"));
    /// });
    /// ```
    pub fn to_dot_detailed(&self, gradients: bool) -> String {
        let tape = self.fresh_tape();
        let mut consumed = vec![false; tape.nodes.len()];
        for node in &tape.nodes {
            for &input in node.inputs() {
                consumed[input as usize] = true;
            }
        }
        let mut dot = String::from(
            "digraph tygrad {\n  rankdir=LR;\n  \
             node [shape=box, style=rounded, fontname=\"Helvetica\", fontsize=11];\n  \
             edge [color=\"#555555\"];\n",
        );
        for (id, node) in tape.nodes.iter().enumerate() {
            let shape = if node.dims.is_empty() {
                String::from("scalar")
            } else {
                format!("{:?}", node.dims)
            };
            let values = &tape.values[node.range()];
            let mut label = match node.op {
                Op::Param { .. } => format!("#{id} parameter\\n{shape}"),
                Op::Constant => format!("#{id} constant\\n{shape}"),
                _ if node.len == 1 => format!("#{id} {}\\n{shape}", node.op.name()),
                _ => format!("#{id} {}\\n{shape} computed", node.op.name()),
            };
            if node.len == 1 {
                let _ = write!(label, " = {}", short(values[0].as_f64()));
            }
            let mut attributes = String::new();
            match node.op {
                Op::Param { grad_offset } => {
                    if gradients {
                        let norm = if tape.grads_cleared {
                            0.0
                        } else {
                            let grads = &tape.grads[grad_offset..grad_offset + node.len];
                            grads.iter().map(|d| d.as_f64().powi(2)).sum::<f64>().sqrt()
                        };
                        let _ = write!(label, "\\n‖∇‖ = {}", short(norm));
                    }
                    attributes.push_str(", style=\"rounded,filled,bold\", fillcolor=\"#cfe2ff\"");
                }
                Op::Constant => attributes.push_str(", style=dashed"),
                _ => {}
            }
            if !consumed[id] {
                attributes.push_str(", peripheries=2");
            }
            let _ = writeln!(dot, "  n{id} [label=\"{label}\"{attributes}];");
            for input in node.inputs() {
                let _ = writeln!(dot, "  n{input} -> n{id};");
            }
        }
        dot.push_str("}\n");
        dot
    }
}

/// A number in at most four decimals, without trailing zeros (`4.5`, `0.7071`, `27`), or
/// in scientific notation when that would hide it.
fn short(x: f64) -> String {
    if x != 0.0 && (x.abs() < 1e-3 || x.abs() >= 1e6) {
        return format!("{x:.3e}");
    }
    let fixed = format!("{x:.4}");
    let trimmed = fixed.trim_end_matches('0').trim_end_matches('.');
    trimmed.to_string()
}
