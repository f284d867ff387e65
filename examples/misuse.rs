//! What tygrad rejects at compile time: for each misuse in `tests/ui/fail_*.rs`, the program
//! line that does not compile and the compiler's message (the trybuild snapshot that
//! `cargo test --test compile_fail` checks). Run with `cargo run --example misuse`.

/// One compile-fail case: its file name, its source and the compiler's output.
struct Misuse {
    file: &'static str,
    source: &'static str,
    stderr: &'static str,
}

macro_rules! misuse {
    ($name:literal) => {
        Misuse {
            file: concat!("tests/ui/", $name, ".rs"),
            source: include_str!(concat!("../tests/ui/", $name, ".rs")),
            stderr: include_str!(concat!("../tests/ui/", $name, ".stderr")),
        }
    };
}

const MISUSES: [Misuse; 17] = [
    misuse!("fail_backward_non_scalar"),
    misuse!("fail_seed_wrong_shape"),
    misuse!("fail_add_mismatched_shapes"),
    misuse!("fail_tensor_add_mismatched_shapes"),
    misuse!("fail_matmul_inner_mismatch"),
    misuse!("fail_reshape_numel"),
    misuse!("fail_reshape_generic"),
    misuse!("fail_diff_wrong_length"),
    misuse!("fail_grad_on_intermediate"),
    misuse!("fail_set_value_on_computed"),
    misuse!("fail_update_on_constant"),
    misuse!("fail_zero_grad_on_computed"),
    misuse!("fail_hessian_non_scalar"),
    misuse!("fail_hvp_non_scalar"),
    misuse!("fail_jacobian_rev_of_constant"),
    misuse!("fail_mix_graphs"),
    misuse!("fail_var_escapes"),
];

impl Misuse {
    /// The case's description: its leading `//` comment lines.
    fn summary(&self) -> impl Iterator<Item = &'static str> + use<> {
        self.source
            .lines()
            .map_while(|line| line.strip_prefix("// "))
    }

    /// The line the compiler points at first (from `--> tests/ui/NAME.rs:LINE:COLUMN`).
    fn offending_line(&self) -> Option<(usize, &'static str)> {
        let location = self.stderr.split(&format!("--> {}:", self.file)).nth(1)?;
        let number: usize = location.split(':').next()?.parse().ok()?;
        Some((number, self.source.lines().nth(number - 1)?.trim()))
    }
}

fn main() {
    for misuse in &MISUSES {
        let (number, line) = misuse
            .offending_line()
            .unwrap_or_else(|| panic!("{}: no location in its .stderr", misuse.file));
        for (i, summary) in misuse.summary().enumerate() {
            println!("{} {summary}", if i == 0 { "==" } else { "  " });
        }
        println!("   {}:{number}:  {line}\n", misuse.file);
        for message in misuse.stderr.lines() {
            println!("   | {message}");
        }
        println!();

        assert!(
            misuse.source.starts_with("// "),
            "{}: no summary",
            misuse.file
        );
        assert!(
            misuse.stderr.starts_with("error"),
            "{}: no error",
            misuse.file
        );
    }
    println!("{} misuses, each rejected by the compiler.", MISUSES.len());
}
