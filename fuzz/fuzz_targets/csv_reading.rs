//! Arbitrary bytes as a labeled CSV file: reading must never panic, and a
//! corpus it returns must be self-consistent.
#![no_main]

use libfuzzer_sys::fuzz_target;
use newsclf::data::LabeledCorpus;
use newsclf_fuzz::{check_csv_rows, csv_spec as spec};

fuzz_target!(|data: &[u8]| {
    // The first byte picks the column spec and encoding; the rest is the file.
    let Some((&selector, bytes)) = data.split_first() else {
        return;
    };
    let spec = spec(selector);
    let Ok(corpus) = LabeledCorpus::from_bytes("fuzz.csv", bytes, &spec) else {
        return;
    };
    let n = corpus.len();
    assert!(n > 0, "Ok with no rows kept");
    assert_eq!(corpus.lines.len(), n);
    assert_eq!(corpus.heads, spec.label_cols);
    assert_eq!(corpus.labels.len(), spec.label_cols.len());
    for (h, labels) in corpus.labels.iter().enumerate() {
        assert_eq!(labels.len(), n, "head {h}: one label slot per row");
        let counts: usize = corpus.class_counts(h).values().sum();
        assert_eq!(counts, labels.iter().flatten().count());
    }
    for (i, text) in corpus.texts.iter().enumerate() {
        assert!(!text.is_empty(), "row {i}: empty text kept");
        assert_eq!(text.trim(), text, "row {i}: text not trimmed");
        assert!(
            corpus.labels.iter().any(|l| l[i].is_some()),
            "row {i}: kept with every label missing"
        );
    }
    for label in corpus.labels.iter().flatten().flatten() {
        assert!(
            !label.is_empty() && label.trim() == label,
            "label {label:?}"
        );
    }
    // Line numbers are those an editor shows: lines end at LF, CRLF or a
    // lone CR (finding 1: the csv crate's own counts were wrong for CRLF and
    // CR files; regressions/csv_reading/*line-numbers.csv).
    let mut line_ends = 0u64;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
            line_ends += 1;
        }
    }
    assert!(
        corpus.lines.windows(2).all(|w| w[0] < w[1]),
        "lines not increasing"
    );
    for &line in corpus
        .lines
        .iter()
        .chain(corpus.rejects.entries().iter().map(|r| &r.line))
    {
        assert!(
            (2..=line_ends + 1).contains(&line),
            "line {line} outside the data lines 2..={}",
            line_ends + 1
        );
    }
    // Rows spanning several lines: each span inside the file, in file order.
    let spans = corpus.multi_line.spans();
    assert!(
        spans.windows(2).all(|w| w[0].1 < w[1].0),
        "spans overlap: {spans:?}"
    );
    for &(first, last) in spans {
        assert!(
            2 <= first && first < last && last <= line_ends + 1,
            "span {first}-{last} outside the data lines 2..={}",
            line_ends + 1
        );
    }
    assert!(corpus.multi_line.count() <= corpus.rows_read);
    // Rows, spans and unbalanced quotes as the csv crate splits the file.
    check_csv_rows(bytes, &spec, &corpus);
    let _ = corpus.multi_line.warning();
    assert!(corpus.rows_read >= n + corpus.rejects.rows_dropped());
    let _ = corpus.rejects.summary(10);
    let _ = corpus.case_clashes();
    assert_eq!(
        corpus.ensure_clean().is_ok(),
        corpus.rejects.is_empty()
            && corpus.multi_line.is_empty()
            && corpus.case_clashes().is_empty()
    );
});
