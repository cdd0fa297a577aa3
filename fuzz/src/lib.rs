//! Invariant checks shared by the fuzz targets in `fuzz_targets/`.
//!
//! Each check panics (so libFuzzer reports a crash) when the library breaks
//! a property its documentation promises.

use newsclf::Model;
use newsclf::data::{CorpusSpec, LabeledCorpus, RejectReason, SPANS_LISTED};
use newsclf::features::SparseRow;
use newsclf::text::TextEncoding;

/// Largest text handed to the model, in bytes: keeps one execution well
/// under libFuzzer's `-timeout` even on the slowest segmentation paths.
pub const MAX_TEXT: usize = 64 * 1024;

/// `text` cut to at most [`MAX_TEXT`] bytes, at a character boundary.
pub fn cap(text: &str) -> &str {
    if text.len() <= MAX_TEXT {
        return text;
    }
    let mut end = MAX_TEXT;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Every head's probabilities are finite, in [0, 1], sum to 1 within 1e-3,
/// are ranked most probable first, and cover every class of the head.
pub fn check_prediction(model: &Model, text: &str) {
    let prediction = model.predict(text);
    let heads = model.heads();
    assert_eq!(prediction.len(), heads.len(), "one prediction per head");
    for (p, head) in prediction.iter().zip(heads) {
        assert_eq!(p.head, head.name, "predictions in head order");
        assert_eq!(p.ranked.len(), head.labels.len(), "every class ranked");
        assert!(!p.ranked.is_empty(), "head '{}' has no classes", head.name);
        let mut sum = 0.0f64;
        for s in &p.ranked {
            assert!(
                s.probability.is_finite() && (0.0..=1.0).contains(&s.probability),
                "head '{}': probability {} of '{}' is not in [0, 1]",
                head.name,
                s.probability,
                s.label
            );
            sum += f64::from(s.probability);
        }
        assert!(
            (sum - 1.0).abs() <= 1e-3,
            "head '{}': probabilities sum to {sum}",
            head.name
        );
        assert!(
            p.ranked
                .windows(2)
                .all(|w| w[0].probability >= w[1].probability),
            "head '{}': not ranked most probable first",
            head.name
        );
    }
}

/// `featurize` returns strictly increasing feature indices below
/// `n_features` with finite values; with `fitted_idf` (a model made by the
/// trainer, whose IDF values are ≥ 1) the values are also positive and each
/// L2-normalised block has length 0 or 1.
pub fn check_features(model: &Model, text: &str, fitted_idf: bool) -> Vec<(u32, f32)> {
    let row = model.featurize(text);
    let n = model.vectorizer().n_features();
    for w in row.windows(2) {
        assert!(
            w[0].0 < w[1].0,
            "feature indices not strictly increasing: {row:?}"
        );
    }
    for &(j, v) in &row {
        assert!((j as usize) < n, "feature {j} out of range ({n} features)");
        assert!(v.is_finite(), "feature {j} has value {v}");
        if fitted_idf {
            assert!(v > 0.0, "feature {j} has value {v}");
        }
    }
    if fitted_idf && model.feature_config().l2_norm {
        let words = model.vectorizer().words().len() as u32;
        for block in [
            row.iter().filter(|p| p.0 < words).collect::<Vec<_>>(),
            row.iter().filter(|p| p.0 >= words).collect::<Vec<_>>(),
        ] {
            if block.is_empty() {
                continue;
            }
            let norm: f64 = block.iter().map(|p| f64::from(p.1).powi(2)).sum();
            assert!((norm - 1.0).abs() <= 1e-3, "block norm² {norm}");
        }
    }
    row
}

/// Word spans lie inside the normalised text, on character boundaries, in order.
pub fn check_segmentation(model: &Model, text: &str) {
    let doc = model.segment(text);
    let mut prev_end = 0u32;
    for &(a, b) in &doc.spans {
        assert!(a < b, "empty or reversed span ({a}, {b})");
        assert!(a >= prev_end, "overlapping spans");
        assert!((b as usize) <= doc.text.len(), "span past the text");
        assert!(
            doc.text.is_char_boundary(a as usize) && doc.text.is_char_boundary(b as usize),
            "span ({a}, {b}) not on character boundaries"
        );
        prev_end = b;
    }
}

/// Everything above, plus: `predict(text)` equals `predict_row` of the
/// featurized text.
pub fn check_all(model: &Model, text: &str, fitted_idf: bool) {
    check_segmentation(model, text);
    let row = check_features(model, text, fitted_idf);
    check_prediction(model, text);
    let indices: Vec<u32> = row.iter().map(|p| p.0).collect();
    let values: Vec<f32> = row.iter().map(|p| p.1).collect();
    let from_row = model.predict_row(SparseRow {
        indices: &indices,
        values: &values,
    });
    let direct = model.predict(text);
    assert_eq!(
        direct, from_row,
        "predict differs from predict_row(featurize)"
    );
}

/// Texts run through every model a model target manages to load.
pub const PROBE_TEXTS: &[&str] = &[
    "",
    "国际油价大幅上涨",
    "主队三比一取胜，女排夺得联赛冠军。",
    "Apple 发布 iPhone 16，售价 5999 元",
    "臺灣的電價上漲",
];

/// The column spec and encoding of a `csv_reading` input: its first byte is
/// the selector; `selector % 3` picks the columns, `selector / 3 % 3` the
/// encoding. (Also used by the main crate's `tests/fuzz_regressions.rs`.)
pub fn csv_spec(selector: u8) -> CorpusSpec {
    let (text, labels): (&str, &[&str]) = match selector % 3 {
        0 => ("text", &["label"]),
        1 => ("text", &["topic", "sentiment"]),
        _ => ("正文", &["类别"]),
    };
    CorpusSpec {
        text_col: text.into(),
        label_cols: labels.iter().map(|s| s.to_string()).collect(),
        encoding: match selector / 3 % 3 {
            0 => TextEncoding::Utf8,
            1 => TextEncoding::Gbk,
            _ => TextEncoding::Gb18030,
        },
    }
}

/// `csv_reading`: `corpus`, read from `bytes` with `spec`, has the rows the
/// csv crate splits the file into, at the lines an editor shows them on (a
/// line ends at LF, CRLF or a lone CR): every kept or skipped row starts on
/// the line of its first byte; a row of the header's width whose first and
/// last bytes (line ends aside) lie on different lines is counted in
/// `multi_line`, with that span; one of another width holding a line break is
/// an unbalanced quote ending on that last line.
pub fn check_csv_rows(bytes: &[u8], spec: &CorpusSpec, corpus: &LabeledCorpus) {
    let mut line = 1;
    let line_of: Vec<u64> = (0..bytes.len())
        .map(|i| {
            let this = line;
            line += u64::from(
                bytes[i] == b'\n' || (bytes[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n')),
            );
            this
        })
        .collect();
    let bom = spec.encoding == TextEncoding::Utf8 && bytes.starts_with(b"\xEF\xBB\xBF");
    let skip = if bom { 3 } else { 0 };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(&bytes[skip..]);
    let mut record = csv::ByteRecord::new();
    assert!(reader.read_byte_record(&mut record).unwrap(), "no header");
    let width = record.len();
    let is_end = |b: &u8| *b == b'\n' || *b == b'\r';
    let (mut starts, mut spans, mut quotes) = (Vec::new(), Vec::new(), Vec::new());
    while reader.read_byte_record(&mut record).unwrap() {
        if record.len() == 1 && width != 1 && record[0].iter().all(u8::is_ascii_whitespace) {
            continue; // a blank line
        }
        let start = skip + record.position().unwrap().byte() as usize;
        let raw = &bytes[start..skip + reader.position().byte() as usize];
        let first = line_of[start + raw.iter().position(|b| !is_end(b)).unwrap()];
        let last = line_of[start + raw.iter().rposition(|b| !is_end(b)).unwrap()];
        starts.push(first);
        if record.len() == width && last > first {
            spans.push((first, last));
        } else if record.len() != width && record.as_slice().iter().any(is_end) {
            quotes.push((first, last));
        }
    }
    assert_eq!(corpus.rows_read, starts.len(), "rows read");
    for line in corpus
        .lines
        .iter()
        .chain(corpus.rejects.entries().iter().map(|r| &r.line))
    {
        assert!(
            starts.contains(line),
            "no row starts on line {line}: {starts:?}"
        );
    }
    assert_eq!(
        corpus.multi_line.count(),
        spans.len(),
        "rows spanning lines: {spans:?}"
    );
    spans.truncate(SPANS_LISTED);
    assert_eq!(
        corpus.multi_line.spans(),
        spans,
        "spans of rows spanning lines"
    );
    let unbalanced: Vec<(u64, u64)> = corpus
        .rejects
        .entries()
        .iter()
        .filter_map(|r| match r.reason {
            RejectReason::UnbalancedQuote { last_line } => Some((r.line, last_line)),
            _ => None,
        })
        .collect();
    assert_eq!(
        unbalanced, quotes,
        "unbalanced quotes (first and last line)"
    );
}
