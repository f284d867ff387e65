//! The message of a caught panic, for the tests that assert what a failed check says.
//! Included with `#[path]` by each such test.

/// The panic's message (`String` or `&str` payloads), or an empty string.
pub fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    match payload.downcast::<String>() {
        Ok(s) => *s,
        Err(payload) => payload
            .downcast::<&str>()
            .map(|s| s.to_string())
            .unwrap_or_default(),
    }
}
