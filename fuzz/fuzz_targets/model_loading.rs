//! Arbitrary bytes as a model file: loading must never panic nor allocate
//! without bound (libFuzzer's -rss_limit_mb / -malloc_limit_mb catch that);
//! a model that loads must predict without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use newsclf::Model;

fuzz_target!(|data: &[u8]| {
    if let Ok(model) = Model::from_bytes(data, "fuzz.model") {
        for text in newsclf_fuzz::PROBE_TEXTS {
            newsclf_fuzz::check_all(&model, text, false);
        }
    }
});
