//! The inputs the fuzzers found (`fuzz/regressions/`), replayed on every test
//! run with the checks of their fuzz targets.

use sha2::{Digest, Sha256};

use crate::util::root;
use newsclf::data::{CorpusSpec, LabeledCorpus};

/// The fuzz targets' shared checks and input decoding (it needs only newsclf).
#[allow(dead_code)]
#[path = "../fuzz/src/lib.rs"]
mod fuzz_support;

fn inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = root().join("fuzz/regressions").join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(
        !files.is_empty(),
        "no regression inputs in {}",
        dir.display()
    );
    files
        .into_iter()
        .map(|p| (p.display().to_string(), std::fs::read(&p).unwrap()))
        .collect()
}

#[test]
fn csv_inputs_read_without_panicking_and_with_true_line_numbers() {
    for (name, data) in inputs("csv_reading") {
        let (&selector, bytes) = data.split_first().unwrap();
        let spec = fuzz_support::csv_spec(selector);
        let Ok(corpus) = LabeledCorpus::from_bytes("fuzz.csv", bytes, &spec) else {
            continue;
        };
        // Rows, spans and unbalanced quotes as the csv crate splits the file.
        fuzz_support::check_csv_rows(bytes, &spec, &corpus);
        // Lines end at LF, CRLF or a lone CR.
        let mut line_ends = 0u64;
        for (i, &b) in bytes.iter().enumerate() {
            if b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
                line_ends += 1;
            }
        }
        let lines: Vec<u64> = corpus
            .lines
            .iter()
            .chain(corpus.rejects.entries().iter().map(|r| &r.line))
            .copied()
            .collect();
        assert!(
            lines.iter().all(|&l| (2..=line_ends + 1).contains(&l)),
            "{name}: {lines:?}"
        );
        assert!(
            corpus.lines.windows(2).all(|w| w[0] < w[1]),
            "{name}: {:?}",
            corpus.lines
        );
        let spans = corpus.multi_line.spans();
        assert!(
            spans.windows(2).all(|w| w[0].1 < w[1].0)
                && spans
                    .iter()
                    .all(|&(a, b)| 2 <= a && a < b && b <= line_ends + 1),
            "{name}: {spans:?}"
        );
        assert_eq!(
            corpus.ensure_clean().is_ok(),
            corpus.rejects.is_empty()
                && corpus.multi_line.is_empty()
                && corpus.case_clashes().is_empty(),
            "{name}"
        );
    }
}

#[test]
fn crlf_and_cr_files_report_the_lines_an_editor_shows() {
    for (ending, name) in [("\r\n", "CRLF"), ("\r", "CR"), ("\n", "LF")] {
        let csv = [
            "text,label",
            "油价上涨,energy",
            "",
            ",energy",
            "球队获胜,sports",
            "",
        ]
        .join(ending);
        let corpus =
            LabeledCorpus::from_bytes("d.csv", csv.as_bytes(), &CorpusSpec::default()).unwrap();
        assert_eq!(corpus.lines, [2, 5], "{name}");
        assert_eq!(corpus.rejects.entries()[0].line, 4, "{name}");
    }
}

#[test]
fn model_payloads_are_refused_with_a_message() {
    for (name, payload) in inputs("model_payload") {
        let mut file = newsclf::model::MAGIC.to_vec();
        file.extend_from_slice(&newsclf::model::FORMAT_VERSION.to_le_bytes());
        file.extend_from_slice(&(payload.len() as u64).to_le_bytes());
        file.extend_from_slice(&Sha256::digest(&payload));
        file.extend_from_slice(&payload);
        match newsclf::Model::from_bytes(&file, "fuzz.model") {
            Ok(_) => panic!("{name}: accepted"),
            Err(e) => assert!(e.to_string().contains("cannot be decoded"), "{name}: {e}"),
        }
    }
}
