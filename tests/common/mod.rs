//! Helpers shared by the test binaries.

use tygrad::Graph;

/// Runs `case` on a plain graph and on a cross-checked one: the two reverse sweeps (shares
/// written straight into the gradients, or kept in the parameters' adjoints for the check).
pub fn both_sweeps(case: impl for<'g> Fn(&'g Graph<'g>)) {
    Graph::with(|g| case(g));
    Graph::with_checked(|g| case(g));
}
