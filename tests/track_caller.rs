//! A panic from misuse inside a closure reports the user's line, not one in tygrad's source.

use std::panic;
use std::sync::{Arc, Mutex};
use tygrad::prelude::*;

/// The panic hook is global: one test at a time replaces it.
static HOOK: Mutex<()> = Mutex::new(());

/// Runs `f`, which must panic, and returns the file and line the panic reports.
fn panic_location(f: impl FnOnce() + panic::UnwindSafe) -> (String, u32) {
    let _one_at_a_time = HOOK.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let seen = Arc::new(Mutex::new(None));
    let record = Arc::clone(&seen);
    let previous = panic::take_hook();
    panic::set_hook(Box::new(move |info| {
        let location = info.location().unwrap();
        *record.lock().unwrap() = Some((location.file().to_string(), location.line()));
    }));
    let result = panic::catch_unwind(f);
    panic::set_hook(previous);
    assert!(result.is_err(), "expected a panic");
    seen.lock().unwrap().clone().unwrap()
}

#[test]
fn reading_the_graph_inside_update_points_at_the_read() {
    let (file, line) = panic_location(|| {
        Graph::with(|g| {
            let x = g.param(Tensor::<Rank1<2>>::from([1.0, 2.0]));
            let lr = g.constant(Tensor::<Rank0>::from(0.1));
            (x * x).sum().backward();
            x.update(|x, dx| x - lr.item() * dx); // the line the panic must name
        })
    });
    assert_eq!(file, file!());
    assert_eq!(line, line!() - 4);
}

#[test]
fn a_tensor_index_out_of_bounds_points_at_the_index() {
    let (file, line) = panic_location(|| {
        let t = Tensor::<Rank2<2, 2>>::zeros();
        let _ = t[[2, 0]];
    });
    assert_eq!((file.as_str(), line), (file!(), line!() - 2));
}
