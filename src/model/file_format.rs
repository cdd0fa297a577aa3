//! The model file format: a fixed header (magic, format version, payload length,
//! SHA-256 of the payload) followed by the payload serialised with `postcard`.
//!
//! Loading checks every part before decoding and never executes anything;
//! `postcard` reads from a byte slice, so a declared length larger than the
//! file cannot make it allocate more than the file holds.

use std::path::Path;

use sha2::{Digest, Sha256};

use crate::atomic_file::write_atomically;
use crate::error::{Error, Result};
use crate::model::ModelData;

/// The first eight bytes of every model file.
pub const MAGIC: &[u8; 8] = b"\x89NEWSCLF";
/// The format version this build writes.
pub const FORMAT_VERSION: u32 = 2;
/// The oldest format version this build reads.
pub const OLDEST_READABLE: u32 = 2;
/// Bytes before the payload.
pub const HEADER_LEN: usize = 8 + 4 + 8 + 32;

/// Serialises `data` into a complete model file.
pub(crate) fn encode(data: &ModelData) -> Vec<u8> {
    let payload = postcard::to_stdvec(data).expect("model data serialises to memory");
    let mut out = Vec::with_capacity(HEADER_LEN + payload.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(&Sha256::digest(&payload));
    out.extend_from_slice(&payload);
    out
}

fn describe_foreign(bytes: &[u8]) -> &'static str {
    match bytes.first() {
        Some(b'{') | Some(b'[') => "it looks like JSON",
        Some(0x80) => "it looks like a Python pickle (e.g. a scikit-learn model)",
        _ if bytes.starts_with(b"PK") => "it looks like a zip archive",
        _ if bytes.starts_with(b"text") || bytes.iter().take(64).all(|b| b.is_ascii()) => {
            "it looks like a text file"
        }
        _ => "it has no newsclf header",
    }
}

/// Whether to check a model's checksum while decoding it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Checksum {
    /// Bytes read from a file or handed over by a caller.
    Verify,
    /// The model compiled into the binary: its bytes cannot have been damaged
    /// apart from the binary itself, and a test checks the shipped file.
    Skip,
}

/// Checks and decodes the bytes of a model file; `source` names it in messages.
pub(crate) fn decode(bytes: &[u8], source: &str, checksum: Checksum) -> Result<ModelData> {
    let fail = |message: String| Err(Error::model(source, message));
    if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
        if bytes.is_empty() {
            return fail("the file is empty, not a newsclf model".into());
        }
        return fail(format!(
            "not a newsclf model file ({}); train one with `newsclf train`",
            describe_foreign(bytes)
        ));
    }
    if bytes.len() < HEADER_LEN {
        return fail(format!(
            "truncated: {} bytes, shorter than the {HEADER_LEN}-byte header; retrain or restore the file",
            bytes.len()
        ));
    }
    let version = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes"));
    if version > FORMAT_VERSION {
        return fail(format!(
            "model format version {version} is newer than this newsclf {} reads (up to {FORMAT_VERSION}); upgrade newsclf",
            env!("CARGO_PKG_VERSION")
        ));
    }
    if version < OLDEST_READABLE {
        return fail(format!(
            "model format version {version} is too old for this newsclf (reads {OLDEST_READABLE} to {FORMAT_VERSION}); retrain it with `newsclf train`"
        ));
    }
    let declared = u64::from_le_bytes(bytes[12..20].try_into().expect("8 bytes"));
    let payload = &bytes[HEADER_LEN..];
    if declared != payload.len() as u64 {
        return fail(format!(
            "truncated or padded: the header declares {declared} payload bytes but the file holds {}; retrain or restore the file",
            payload.len()
        ));
    }
    if checksum == Checksum::Verify && Sha256::digest(payload).as_slice() != &bytes[20..52] {
        return fail(
            "damaged: the checksum does not match the contents; retrain or restore the file".into(),
        );
    }
    let data: ModelData = match postcard::take_from_bytes(payload) {
        Ok((d, [])) => d,
        Ok((_, rest)) => {
            return fail(format!(
                "the contents cannot be decoded ({} bytes follow the model data); retrain the model",
                rest.len()
            ));
        }
        Err(e) => {
            return fail(format!(
                "the contents cannot be decoded ({e}); retrain the model"
            ));
        }
    };
    if let Err(e) = data.validate() {
        return fail(format!("inconsistent model: {e}; retrain the model"));
    }
    Ok(data)
}

/// Reads and decodes a model file.
pub(crate) fn load(path: &Path) -> Result<ModelData> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    decode(&bytes, &path.display().to_string(), Checksum::Verify)
}

/// Writes a model file atomically: a temporary file beside `path`, flushed to
/// disk, then renamed over it. A failure leaves any existing file untouched.
pub(crate) fn save(data: &ModelData, path: &Path) -> Result<()> {
    write_atomically(path, &encode(data))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(version: u32, payload: &[u8]) -> Vec<u8> {
        let mut out = MAGIC.to_vec();
        out.extend_from_slice(&version.to_le_bytes());
        out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
        out.extend_from_slice(&Sha256::digest(payload));
        out.extend_from_slice(payload);
        out
    }

    fn err(bytes: &[u8]) -> String {
        decode(bytes, "m.model", Checksum::Verify)
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn refuses_foreign_truncated_newer_and_damaged_files() {
        assert!(err(b"").contains("m.model: the file is empty"));
        assert!(err(b"{\"a\":1}").contains("JSON"));
        assert!(err(b"\x80\x04\x95pickle").contains("pickle"));
        assert!(err(b"text,label\n").contains("text file"));
        assert!(err(&MAGIC[..]).contains("truncated"));
        assert!(err(&header(FORMAT_VERSION + 1, b"x")).contains("newer"));
        assert!(err(&header(0, b"x")).contains("too old"));
        let mut damaged = header(FORMAT_VERSION, b"abc");
        *damaged.last_mut().unwrap() ^= 1;
        assert!(err(&damaged).contains("checksum"));
        assert!(err(&header(FORMAT_VERSION, b"abc")).contains("cannot be decoded"));
    }

    #[test]
    fn a_declared_size_larger_than_the_file_is_refused_before_decoding() {
        let mut lying = header(FORMAT_VERSION, b"abc");
        lying[12..20].copy_from_slice(&u64::MAX.to_le_bytes());
        assert!(err(&lying).contains("truncated or padded"));
    }
}
