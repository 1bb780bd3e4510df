//! Markdown ingestion and the whole de-identification of what it yields:
//! no panic on any document.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nearmiss::redact::deidentify;
use nearmiss::report::{markdown, validate};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let submission = markdown::ingest(text);
    if let Ok(valid) = validate(submission) {
        let _ = deidentify(valid);
    }
});
