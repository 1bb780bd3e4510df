//! Strict JSON parsing, validation and de-identification of a submission:
//! no panic on any body.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nearmiss::redact::deidentify;
use nearmiss::report::parse::parse_json;
use nearmiss::report::{validate, Submission};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(submission) = parse_json::<Submission>(text) {
        if let Ok(valid) = validate(submission) {
            let _ = deidentify(valid);
        }
    }
});
