//! The seed session, step by step: the PyTorch `torch.autograd.backward` tutorial of
//! `shared/seed-session.md`, reproduced with tygrad. Run with `cargo run --example seed`.
//!
//! With `--dot`, it prints instead the graph of the session's first part after its backward
//! pass, in Graphviz DOT (the README's picture:
//! `cargo run --example seed -- --dot | dot -Tsvg > docs/seed-graph.svg`).

use tygrad::prelude::*;

fn main() {
    if std::env::args().any(|arg| arg == "--dot") {
        print!("{}", seed_graph_dot());
        return;
    }
    println!("== Part 1: a scalar output ==\n");
    Graph::with(|g| {
        println!(">>> x = g.param(Tensor::<Rank2<2, 2>>::ones())");
        let x = g.param(Tensor::<Rank2<2, 2>>::ones());
        println!("{}\n", x.value());

        println!(">>> y = x + 2.0");
        let y = x + 2.0;
        println!("{}", y.value());
        println!("y.grad_fn() = {:?}", y.grad_fn());
        println!("y.grad(): does not compile: only a parameter stores a gradient\n");

        println!(">>> z = y * y * 3.0");
        let z = y * y * 3.0;
        println!("{}", z.value());
        println!("z.grad_fn() = {:?}\n", z.grad_fn());

        println!(">>> out = z.mean()");
        let out = z.mean();
        println!("{}", out.value());
        println!("out.grad_fn() = {:?}\n", out.grad_fn());

        println!(">>> out.backward()   // no argument: out is a Var<Rank0>");
        out.backward();
        println!(">>> x.grad()");
        println!("{}\n", x.grad());
        println!("d(out)/dx = 6 (x + 2) / 4 = 4.5 at x = 1\n");
    });

    println!("== Part 2: a non-scalar output needs a seed ==\n");
    Graph::with(|g| {
        println!(">>> x = g.param(Tensor::from([2.0, 2.0, 2.0]))");
        let x = g.param(Tensor::<Rank1<3>>::from([2.0, 2.0, 2.0]));
        println!(">>> y = x * 2.0");
        let y = x * 2.0;
        println!("{}\n", y.value());

        println!(">>> y.backward()");
        println!("PyTorch fails at run time: 'grad can be implicitly created only for scalar");
        println!(
            "outputs'. tygrad rejects it at compile time (tests/ui/fail_backward_non_scalar.rs):\n"
        );
        println!(
            "{}",
            include_str!("../tests/ui/fail_backward_non_scalar.stderr")
        );

        let seed = Tensor::from([0.1, 1.0, 10.0]);
        println!(">>> y.backward_with(&Tensor::from([0.1, 1.0, 10.0]))");
        y.backward_with(&seed);
        println!(">>> x.grad()\n{}\n", x.grad());

        println!(">>> y.backward_with(&seed)   // gradients accumulate");
        y.backward_with(&seed);
        println!(">>> x.grad()\n{}\n", x.grad());

        println!(">>> x.zero_grad()");
        x.zero_grad();
        println!(">>> x.grad()\n{}\n", x.grad());

        println!(">>> y.backward_with(&seed)");
        y.backward_with(&seed);
        println!(">>> x.grad()\n{}\n", x.grad());

        println!("A seed of another shape, e.g. Tensor::<Rank1<4>>, does not compile either");
        println!("(tests/ui/fail_seed_wrong_shape.rs).");
    });
}

/// The first part of the session (`out = mean(3 (x + 2)²)`, then `out.backward()`), as DOT
/// with each parameter's gradient norm.
fn seed_graph_dot() -> String {
    Graph::with(|g| {
        let x = g.param(Tensor::<Rank2<2, 2>>::ones());
        let y = x + 2.0;
        let z = y * y * 3.0;
        let out = z.mean();
        out.backward();
        g.to_dot_detailed(true)
    })
}
