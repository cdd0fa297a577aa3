//! Arbitrary text through the embedded default model: normalisation,
//! jieba segmentation, TF-IDF featurization and prediction must not panic,
//! and their results must keep their documented invariants.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use newsclf::Model;

fn model() -> &'static Model {
    static MODEL: OnceLock<Model> = OnceLock::new();
    MODEL.get_or_init(|| Model::embedded_default().expect("the embedded model loads"))
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    newsclf_fuzz::check_all(model(), newsclf_fuzz::cap(&text), true);
});
