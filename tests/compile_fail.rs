//! Misuse that must not compile, with the messages people see (snapshots in `tests/ui/`).
//!
//! Only `compile_fail` cases go through trybuild: with no `pass` case in the run, trybuild
//! type-checks all of them in one `cargo check --keep-going` (no code generation, the cases
//! in parallel), instead of one full `cargo build` per case. The one case that must compile
//! and run, `tests/ui/pass_typed_usage.rs`, is compiled into this test binary instead and its
//! `main` run as the test `pass_typed_usage`.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/fail_*.rs");
}

mod pass_typed_usage {
    include!("ui/pass_typed_usage.rs");

    #[test]
    fn pass_typed_usage() {
        main();
    }
}
