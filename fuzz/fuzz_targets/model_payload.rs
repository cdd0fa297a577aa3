//! Arbitrary bytes as the payload of a well-formed model file (right magic,
//! version, length and SHA-256), so that the fuzzer reaches postcard decoding
//! and model validation, which the checksum otherwise guards. Decoding must
//! never panic nor allocate without bound; a model that passes validation
//! must predict without panicking and with valid probabilities.
#![no_main]

use libfuzzer_sys::fuzz_target;
use newsclf::Model;
use newsclf::model::{FORMAT_VERSION, HEADER_LEN, MAGIC};
use sha2::{Digest, Sha256};

fuzz_target!(|payload: &[u8]| {
    let mut file = Vec::with_capacity(HEADER_LEN + payload.len());
    file.extend_from_slice(MAGIC);
    file.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    file.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    file.extend_from_slice(&Sha256::digest(payload));
    file.extend_from_slice(payload);
    assert_eq!(file.len(), HEADER_LEN + payload.len());
    match Model::from_bytes(&file, "fuzz.model") {
        Ok(model) => {
            for text in newsclf_fuzz::PROBE_TEXTS {
                newsclf_fuzz::check_all(&model, text, false);
            }
        }
        Err(e) => {
            // The header is right by construction: only the payload may be refused.
            let message = e.to_string();
            assert!(
                message.contains("cannot be decoded") || message.contains("inconsistent model"),
                "header refused: {message}"
            );
        }
    }
});
