//! Bad input: a clear message naming the file and line, a non-zero exit where
//! the job cannot be done, never a panic, never a row dropped unreported.

use crate::util::{run, s, tempdir, write};

fn train(data: &std::path::Path, out: &std::path::Path) -> crate::util::Run {
    run(&["train", "--data", s(data), "--out", s(out), "--min-df", "1"])
}

const GOOD_ROWS: &str = "油价上涨,energy\n电网投运,energy\n球队获胜,sports\n女排夺冠,sports\n";

#[test]
fn empty_text_empty_label_and_malformed_rows_are_skipped_and_reported() {
    let dir = tempdir();
    let data = write(
        dir.path(),
        "d.csv",
        format!("text,label\n{GOOD_ROWS},energy\n风电,\n坏,行,多\n  \n\"未闭合,sports\n"),
    );
    let model = dir.path().join("m.model");
    let out = train(&data, &model).ok();
    for fragment in [
        "8 rows, 4 used, 4 skipped",
        "empty text: 1 × row skipped (line 6)",
        "empty label in column 'label': 1 × row skipped (line 7)",
        "malformed row: 3 fields where the header has 2",
        "(line 8)",
        "(line 10)",
    ] {
        assert!(out.stderr.contains(fragment), "{fragment}:\n{}", out.stderr);
    }
    assert!(model.exists());
}

#[test]
fn a_wrong_column_name_is_an_error_listing_the_columns() {
    let dir = tempdir();
    let data = write(dir.path(), "d.csv", format!("text,label\n{GOOD_ROWS}"));
    let out = dir.path().join("m.model");
    run(&[
        "train",
        "--data",
        s(&data),
        "--out",
        s(&out),
        "--label-col",
        "topic",
    ])
    .fails(
        1,
        &[
            "d.csv:1: no column 'topic'",
            "columns: text, label",
            "--label-col",
        ],
    );
    assert!(!out.exists());
}

#[test]
fn a_gbk_file_is_refused_with_the_conversion_to_use() {
    let dir = tempdir();
    // "油价上涨" and "球队获胜" in GBK.
    let mut bytes = b"text,label\n".to_vec();
    bytes.extend_from_slice(b"\xd3\xcd\xbc\xdb\xc9\xcf\xd5\xc7,energy\n");
    bytes.extend_from_slice(b"\xc7\xf2\xb6\xd3\xbb\xf1\xca\xa4,sports\n");
    let data = write(dir.path(), "gbk.csv", bytes);
    train(&data, &dir.path().join("m.model")).fails(
        1,
        &[
            "gbk.csv: none of the 2 rows can be used",
            "not valid UTF-8",
            "iconv -f GB18030",
            "lines 2, 3",
        ],
    );
}

#[test]
fn empty_files_header_only_files_and_single_classes_are_errors() {
    let dir = tempdir();
    let m = dir.path().join("m.model");
    let empty = write(dir.path(), "empty.csv", "");
    train(&empty, &m).fails(1, &["empty.csv: the file is empty"]);
    let header = write(dir.path(), "header.csv", "text,label\n");
    train(&header, &m).fails(1, &["header.csv: the file has a header but no data rows"]);
    let single = write(
        dir.path(),
        "one.csv",
        "text,label\n油价上涨,energy\n电网投运,energy\n",
    );
    train(&single, &m).fails(
        1,
        &["one.csv: column 'label' has only one class ('energy')"],
    );
    train(&dir.path().join("missing.csv"), &m).fails(1, &["missing.csv", "No such file"]);
    assert!(!m.exists());
}

#[test]
fn unreadable_foreign_and_damaged_models_are_refused() {
    let dir = tempdir();
    let foreign = write(dir.path(), "foreign.model", "text,label\n");
    run(&["predict", "--model", s(&foreign), "一句话"])
        .fails(1, &["foreign.model: not a newsclf model file", "text file"]);
    let good = std::fs::read(crate::util::root().join("models/default.model")).unwrap();
    let truncated = write(dir.path(), "cut.model", &good[..good.len() / 2]);
    run(&["eval", "--model", s(&truncated), "--data", "data/news.csv"])
        .fails(1, &["cut.model: truncated"]);
    let mut flipped = good.clone();
    let at = flipped.len() - 100;
    flipped[at] ^= 0x40;
    let flipped = write(dir.path(), "flip.model", flipped);
    run(&["predict", "--model", s(&flipped), "一句话"]).fails(1, &["flip.model: damaged"]);
    run(&[
        "predict",
        "--model",
        s(&dir.path().join("none.model")),
        "一句话",
    ])
    .fails(1, &["none.model", "No such file"]);
}

#[test]
fn eval_reports_labels_the_model_never_saw() {
    let dir = tempdir();
    let data = write(
        dir.path(),
        "d.csv",
        "text,topic\n国际油价大幅上涨,energy\n明日有小雨气温下降,weather\n",
    );
    let report = run(&["eval", "--data", s(&data), "--format", "json"]).ok();
    assert!(
        report.stderr.contains("has no column 'sentiment'"),
        "{}",
        report.stderr
    );
    let json = report.json();
    assert_eq!(json["heads"]["topic"]["unknown_labels"]["weather"], 1);
    let labels = json["heads"]["topic"]["confusion_matrix"]["labels"]
        .as_array()
        .unwrap();
    assert_eq!(labels.last().unwrap(), "weather");
}

#[test]
fn usage_errors_exit_with_two() {
    run(&["train", "--data"]).fails(2, &["--data"]);
    run(&["predict", "--format", "xml", "x"]).fails(2, &["xml"]);
    run(&["frobnicate"]).fails(2, &["frobnicate"]);
    run(&["predict", "--top-k", "0", "x"]).fails(2, &["top-k"]);
}

#[test]
fn predict_on_an_empty_stream_prints_only_the_header() {
    // Without texts or --input, a stdin that is not a terminal is read.
    let out = run(&["predict"]).ok();
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{}", out.stdout);
    assert!(lines[0].starts_with("id"), "{}", out.stdout);
}
